// Small helpers for the page's elements. Text from data is always set as text, never as HTML.
import { t } from "./i18n.js";

export const byId = (id) => document.getElementById(id);

export function option(value, label) {
  const element = document.createElement("option");
  element.value = value;
  element.textContent = label;
  return element;
}

export function button(label, onClick) {
  const element = document.createElement("button");
  element.type = "button";
  element.textContent = label;
  element.addEventListener("click", onClick);
  return element;
}

// What just happened, in the panel's status line (a live region).
export function status(message) { byId("status").textContent = message; }

// "1 asset shown", "12 assets shown" (Welsh says the noun in the singular after any number,
// so both read alike there).
export const assetsShown = (n) => (n === 1 ? t("{n} asset shown", { n }) : t("{n} assets shown", { n }));
