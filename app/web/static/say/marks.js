// The other two ballots: approval (tick every option you support) and points (share the
// round's points among the options, with a running total against what there is to share).
import { t } from "../page/i18n.js";
import { el } from "./common.js";

export function approvalBallot(options) {
  const general = el("p", { class: "error", id: "approve-error", "data-error-for": "approve" });
  const element = el("fieldset", { class: "ballot-approval", "aria-describedby": "approve-error" },
    el("legend", {}, t("Tick every option you support (as many as you like)")));
  for (const option of options) {
    const id = `approve-${option.id}`;
    element.append(el("div", { class: "mark" },
      el("input", { type: "checkbox", id, name: "approve", value: option.id, "aria-describedby": `${id}-error` }),
      el("label", { for: id }, option.title),
      el("p", { class: "error", id: `${id}-error` })));
  }
  element.append(general);
  const boxes = () => [...element.querySelectorAll("input[name=approve]")];
  return {
    element,
    read: () => ({ approve: boxes().filter((box) => box.checked).map((box) => Number(box.value)) }),
    fill(ballot) {
      const chosen = (ballot.approve || []).map(String);
      for (const box of boxes()) box.checked = chosen.includes(box.value);
    },
    slotFor(field, sent) {
      const at = /^approve\[(\d+)\]$/.exec(field);
      if (at && sent && sent.approve) return element.querySelector(`#approve-${CSS.escape(String(sent.approve[Number(at[1])]))}-error`) || general;
      return field === "approve" ? general : null;
    },
  };
}

export function pointsBallot(options, total, announce) {
  const general = el("p", { class: "error", id: "points-error", "data-error-for": "points" });
  const running = el("p", { class: "running", id: "points-total", "aria-live": "polite" });
  const element = el("fieldset", { class: "ballot-points" },
    el("legend", {}, t("Share {total} points among the options: more to what matters more", { total })));
  for (const option of options) {
    const id = `points-${option.id}`;
    element.append(el("div", { class: "mark points" },
      el("label", { for: id }, option.title),
      el("input", {
        type: "number", id, name: "points", "data-option": option.id, min: 0, max: total, step: 1,
        inputmode: "numeric", value: 0, "aria-describedby": `${id}-error points-total`,
      }),
      el("p", { class: "error", id: `${id}-error` })));
  }
  element.append(running, general);
  const inputs = () => [...element.querySelectorAll("input[name=points]")];
  const given = (input) => Math.max(0, Math.floor(Number(input.value) || 0));

  function tally() {
    const spent = inputs().reduce((sum, input) => sum + given(input), 0);
    const left = total - spent;
    running.textContent = left >= 0
      ? t("You have given {spent} of {total} points: {left} left.", { spent, total, left })
      : t("You have given {spent} of {total} points: {over} too many.", { spent, total, over: -left });
    running.classList.toggle("over", left < 0);
    return spent;
  }
  element.addEventListener("input", tally);
  tally();

  return {
    element,
    read() {
      const points = {};
      for (const input of inputs()) if (given(input)) points[input.dataset.option] = given(input);
      return { points };
    },
    fill(ballot) {
      const points = ballot.points || {};
      for (const input of inputs()) input.value = String(points[input.dataset.option] || 0);
      announce(t("Your ballot as cast: {spent} of {total} points given.", { spent: tally(), total }));
    },
    slotFor(field) {
      const at = /^points\.(\d+)$/.exec(field);
      if (at) return element.querySelector(`#points-${CSS.escape(at[1])}-error`) || general;
      return field === "points" ? general : null;
    },
  };
}
