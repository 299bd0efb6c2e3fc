// Deliberation: what each constituency said of each option (GET /rounds/{id}/comments),
// and a comment of one's own (POST /rounds/{id}/options/{option}/comments, with the invite's
// code); a comment shows its constituency and nothing else about who wrote it.
import { t } from "../page/i18n.js";
import { api, clearErrors, el, showProblem, when } from "./common.js";

const shown = new Map(); // option id -> {summary, groups}

// The comments' disclosure for `option`'s card; `context` tells the round's id, the code
// (a function: it may come later) and whether the round takes comments now.
export function commentsFor(option, context) {
  const summary = el("summary", {}, t("Comments"));
  const groups = el("div", { class: "comment-groups" });
  const box = el("details", { class: "comments" }, summary, groups);
  shown.set(String(option.id), { summary, groups });
  if (!context.open) return box;

  const id = `comment-${option.id}`;
  const form = el("form", { class: "comment-form", novalidate: true },
    el("label", { for: id }, t("Your comment on {title}", option)),
    el("textarea", { id, name: "body", rows: 2, maxlength: 2000, "aria-describedby": `${id}-error` }),
    el("p", { class: "error", id: `${id}-error`, "data-error-for": "body" }),
    el("p", { class: "error", "data-error-for": "general", role: "alert" }),
    el("div", { class: "buttons" }, el("button", { type: "submit" }, t("Add my comment"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const code = context.code();
    if (!code) {
      showProblem(form, { detail: t("Give your invite's code first (above): a comment goes with its constituency.") });
      return;
    }
    const text = form.elements.body.value.trim();
    const { response, body } = await api(`/rounds/${context.round}/options/${option.id}/comments`, {
      method: "POST", code, body: { body: text },
    });
    if (!response.ok) {
      showProblem(form, body, (field) => (field.startsWith("body") ? form.querySelector(`#${id}-error`) : null),
        t("The comment could not be added."));
      return;
    }
    form.reset();
    await refreshComments(context.round);
    context.announce(t("Your comment on {title} is added, under {constituency}.", { title: option.title, constituency: body.constituency }));
  });
  box.append(form);
  return box;
}

// Fill every option's comments, grouped by constituency.
export async function refreshComments(round) {
  const { response, body } = await api(`/rounds/${round}/comments`);
  if (!response.ok) return;
  for (const entry of body) {
    const target = shown.get(String(entry.option));
    if (!target) continue;
    const total = entry.by_constituency.reduce((sum, group) => sum + group.comments.length, 0);
    target.summary.textContent = total === 1 ? t("1 comment") : t("{total} comments", { total });
    target.groups.replaceChildren(...entry.by_constituency.map((group) => el("section", { class: "comment-group" },
      el("h4", {}, group.constituency),
      group.comments.length
        ? el("ul", {}, group.comments.map((comment) => el("li", {},
          el("p", {}, comment.body), el("p", { class: "hint" }, when(comment.at)))))
        : el("p", { class: "hint" }, t("No comments yet.")))));
  }
}
