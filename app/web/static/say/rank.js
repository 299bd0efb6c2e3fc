// A ranked ballot (Borda count): the options best first. Drag a card by its handle (mouse,
// pen or touch), or move it with its "Move up" and "Move down" buttons from the keyboard (or
// a tap); every move is announced, and each card reads "Rank 2 of 4: ..." to a screen reader.
import { t } from "../page/i18n.js";
import { el } from "./common.js";

export function rankingBallot(options, announce) {
  const list = el("ol", { class: "ranking", id: "ranking", "aria-describedby": "ranking-hint" });
  const general = el("p", { class: "error", id: "ranking-error", "data-error-for": "ranking" });
  const element = el("fieldset", { class: "ballot-ranking" },
    el("legend", {}, t("Put the options in your order, the one you most want first")),
    el("p", { class: "hint", id: "ranking-hint" },
      t("Drag a card by its handle, or use its Move up and Move down buttons."), " ",
      t("The first scores most; every option gets a place.")),
    list, general);
  const count = options.length;
  const title = new Map(options.map((option) => [String(option.id), option.title]));

  for (const option of options) {
    const id = String(option.id);
    const handle = el("span", { class: "handle", "aria-hidden": "true", title: t("Drag to move") }, "⠿");
    const up = el("button", { type: "button", class: "move", "data-move": "-1", "aria-label": t("Move up: {title}", option) }, "▲ " + t("Move up"));
    const down = el("button", { type: "button", class: "move", "data-move": "1", "aria-label": t("Move down: {title}", option) }, "▼ " + t("Move down"));
    const item = el("li", { class: "rank-item", "data-option": id },
      handle,
      el("span", { class: "rank-number", "aria-hidden": "true" }),
      el("span", { class: "rank-words" },
        el("span", { class: "visually-hidden rank-label" }),
        el("span", { class: "rank-title" }, option.title)),
      el("span", { class: "moves" }, up, down),
      el("p", { class: "error", id: `ranking-error-${id}` }));
    for (const button of [up, down]) {
      button.addEventListener("click", () => move(item, Number(button.dataset.move), button));
    }
    handle.addEventListener("pointerdown", (event) => drag(event, item));
    list.append(item);
  }
  relabel();

  function items() { return [...list.children]; }

  // Each card's number and words, and which buttons would go nowhere.
  function relabel() {
    items().forEach((item, index) => {
      item.querySelector(".rank-number").textContent = String(index + 1);
      item.querySelector(".rank-label").textContent = t("Rank {place} of {count}:", { place: index + 1, count }) + " ";
      const [up, down] = item.querySelectorAll(".move");
      up.setAttribute("aria-disabled", String(index === 0));
      down.setAttribute("aria-disabled", String(index === count - 1));
    });
  }

  function said(item) {
    const place = items().indexOf(item) + 1;
    return t("{title}: now rank {place} of {count}.", { title: title.get(item.dataset.option), place, count });
  }

  function move(item, step, button) {
    const all = items();
    const from = all.indexOf(item);
    const to = from + step;
    const name = title.get(item.dataset.option);
    if (to < 0 || to >= count) {
      announce(to < 0 ? t("{name} is first already.", { name }) : t("{name} is last already.", { name }));
      return;
    }
    list.insertBefore(item, step < 0 ? all[to] : all[to].nextSibling);
    relabel();
    button.focus(); // moving the card took the focus off its button
    announce(said(item));
  }

  // Dragging by the handle: the card goes where the pointer is among the others' middles.
  function drag(event, item) {
    if (event.button !== 0) return;
    event.preventDefault();
    const before = items().indexOf(item);
    item.classList.add("dragging");
    const follow = (moved) => {
      const others = items().filter((other) => other !== item);
      const above = others.filter((other) => {
        const box = other.getBoundingClientRect();
        return box.top + box.height / 2 < moved.clientY;
      }).length;
      const next = others[above] || null;
      if (item.nextSibling !== next) {
        list.insertBefore(item, next);
        relabel();
      }
    };
    const drop = () => {
      document.removeEventListener("pointermove", follow);
      document.removeEventListener("pointerup", drop);
      document.removeEventListener("pointercancel", drop);
      item.classList.remove("dragging");
      if (items().indexOf(item) !== before) announce(said(item));
    };
    document.addEventListener("pointermove", follow);
    document.addEventListener("pointerup", drop);
    document.addEventListener("pointercancel", drop);
  }

  return {
    element,
    read: () => ({ ranking: items().map((item) => Number(item.dataset.option)) }),
    // the ballot as cast: its ranking first, then any option it left out
    fill(ballot) {
      const order = (ballot.ranking || []).map(String);
      const rest = items().filter((item) => !order.includes(item.dataset.option));
      for (const id of order) {
        const item = list.querySelector(`[data-option="${id}"]`);
        if (item) list.append(item);
      }
      for (const item of rest) list.append(item);
      relabel();
    },
    // "ranking[2]" names the third option sent: shown on its card
    slotFor(field, sent) {
      const at = /^ranking\[(\d+)\]$/.exec(field);
      if (at && sent && sent.ranking) return byOption(sent.ranking[Number(at[1])]);
      return field === "ranking" ? general : null;
    },
  };

  function byOption(id) {
    return list.querySelector(`#ranking-error-${CSS.escape(String(id))}`) || general;
  }
}
