// What the equal-say pages share: elements made from data (always as text, never as HTML),
// the API with an invite's code, the code kept for the tab's life, the API's errors shown by
// the fields they name, and numbers and times as people read them.

import { t } from "../page/i18n.js";

export const byId = (id) => document.getElementById(id);

// An element: `attributes` set as given (false and null left off), `children` added as text
// or as elements.
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

// The API, JSON both ways; with `code`, as the holder of that invite.
export async function api(path, { method = "GET", code = null, body = undefined } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (code) headers.Authorization = `Bearer ${code}`;
  const response = await fetch(path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = response.status === 204 ? null : await response.json().catch(() => null);
  return { response, body: answer };
}

// An invite's code, kept in the tab (sessionStorage) by what it is for, so a reload keeps it;
// taken from the link's ?code= once, and then taken out of the address bar (and history), so
// it is not shared by copying the address or seen over a shoulder.
export function invite(kind, id) {
  const key = `assetmap.invite.${kind}.${id}`;
  const url = new URL(window.location.href);
  const given = url.searchParams.get("code");
  if (given) {
    sessionStorage.setItem(key, given.trim());
    sessionStorage.removeItem(`${key}.sent`);
    url.searchParams.delete("code");
    history.replaceState(history.state, "", url.pathname + url.search + url.hash);
  }
  return {
    code: () => sessionStorage.getItem(key),
    keep: (code) => { sessionStorage.setItem(key, code.trim()); sessionStorage.removeItem(`${key}.sent`); },
    forget: () => { sessionStorage.removeItem(key); sessionStorage.removeItem(`${key}.sent`); },
    // whether this code has cast its ballot (or sent its response) from this tab
    sent: () => sessionStorage.getItem(`${key}.sent`) === "yes",
    markSent: (yes) => (yes ? sessionStorage.setItem(`${key}.sent`, "yes") : sessionStorage.removeItem(`${key}.sent`)),
  };
}

export function clearErrors(form) {
  for (const slot of form.querySelectorAll("[data-error-for]")) slot.textContent = "";
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
}

// Show a problem ({detail, errors: [{field, message}]}) by the fields it names: `slotFor(field)`
// finds a field's error slot (else one marked data-error-for="<field>", else the form's
// general one); the input a slot describes is marked invalid, and the first such focused.
export function showProblem(form, problem, slotFor = () => null, fallback = t("That did not work.")) {
  clearErrors(form);
  const general = form.querySelector('[data-error-for="general"]');
  const errors = (problem && problem.errors) || [];
  for (const error of errors) {
    const slot = slotFor(error.field) || form.querySelector(`[data-error-for="${CSS.escape(error.field)}"]`);
    if (!slot) {
      general.textContent = `${general.textContent} ${error.field}: ${error.message}`.trim();
      continue;
    }
    slot.textContent = `${slot.textContent} ${error.message}`.trim();
    if (slot.id) {
      for (const input of form.querySelectorAll(`[aria-describedby~="${slot.id}"]`)) {
        input.setAttribute("aria-invalid", "true");
      }
    }
  }
  if (!errors.length) general.textContent = (problem && problem.detail) || fallback;
  const first = form.querySelector(":is(input, textarea, select)[aria-invalid=true]");
  if (first) first.focus();
  else (form.querySelector("[data-error-for]:not(:empty)") || general).scrollIntoView({ block: "nearest" });
}

export const status = (message) => { byId("status").textContent = message; };

// numbers and times as the page's language writes them
const LOCALE = document.documentElement.lang === "cy" ? "cy-GB" : "en-GB";
const numbers = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
export const number = (value, digits = 0) =>
  value === null || value === undefined
    ? t("not known")
    : digits ? value.toLocaleString(LOCALE, { minimumFractionDigits: digits, maximumFractionDigits: digits }) : numbers.format(value);
export const percent = (share) => (share === null || share === undefined ? t("not known") : `${(share * 100).toFixed(1)}%`);
export const when = (iso) =>
  new Date(iso).toLocaleString(LOCALE, { weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
