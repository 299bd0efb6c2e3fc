// The page's forms: the API's errors shown by the fields they name, and a form opened with
// the focus in it (on a phone the panel is below the map: scroll it into view).
import { t } from "../page/i18n.js";
export { byId, button, option, status } from "../page/dom.js";

// Who did something, as the API names them: one not named is "someone in the room", in the
// reader's language.
export const named = (by) => t(by);

export function clearErrors(form) {
  for (const element of form.querySelectorAll("[data-error-for]")) element.textContent = "";
  for (const element of form.querySelectorAll("[aria-invalid]")) element.removeAttribute("aria-invalid");
}

// The field an API error names, as the form names its input: "properties.name" -> "name",
// "leaders[0].participant" -> "participant".
const fieldName = (path) => path.split(".").pop().replace(/\[\d+\]$/, "");

// Show a problem ({detail, errors: [{field, message}]}) by the fields it names, the rest at
// the form's foot; focus the first field at fault. A validation error's message says what is
// wrong with its field; other refusals say it in their detail.
export function showProblem(form, problem, fallback) {
  clearErrors(form);
  const detail = (problem && problem.detail) || fallback;
  const general = form.querySelector('[data-error-for="general"]');
  const errors = (problem && problem.errors) || [];
  for (const error of errors) {
    const name = fieldName(error.field);
    const slot = form.querySelector(`[data-error-for="${name}"]`) || general;
    const text = problem.status === 422 ? error.message : detail;
    slot.textContent = slot === general ? `${error.field}: ${error.message}` : text;
    const input = form.elements[name];
    if (input && input.setAttribute) input.setAttribute("aria-invalid", "true");
  }
  if (!errors.length) general.textContent = detail;
  const first = form.querySelector("[aria-invalid=true]");
  (first || general).scrollIntoView({ block: "nearest" });
  if (first) first.focus();
}

// Show one of the panel's forms (hiding the others), its first field focused.
const FORMS = ["join-form", "sign-in", "asset-form", "innovation-form", "link-form"];

export function openForm(id, focus) {
  for (const other of FORMS) document.getElementById(other).hidden = other !== id;
  const form = document.getElementById(id);
  clearErrors(form);
  form.scrollIntoView({ block: "nearest" });
  document.getElementById(focus).focus();
}

export function closeForm(id) { document.getElementById(id).hidden = true; }

// A 429: someone adding faster than the service takes from one person.
export function slowDown(form, problem) {
  showProblem(form, { detail: t("Slow down a little: {why}", { why: (problem && problem.detail) || t("too many at once") }) });
}
