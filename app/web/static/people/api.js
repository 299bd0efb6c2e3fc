// The API as the people pages call it: JSON both ways, with the tab's bearer token (the
// same one the map's page keeps, so signing in on either works for both).
import { t } from "../page/i18n.js";

const TOKEN_KEY = "assetmap.token";

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  keep: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  forget: () => sessionStorage.removeItem(TOKEN_KEY),
};

export async function api(path, { method = "GET", json, form } = {}) {
  const headers = {};
  const bearer = token.get();
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = new URLSearchParams(form);
  }
  const response = await fetch(path, { method, headers, body });
  const text = await response.text();
  let answer = null;
  try {
    answer = text ? JSON.parse(text) : null;
  } catch {
    answer = null;
  }
  return { response, body: answer };
}

export const byId = (id) => document.getElementById(id);

// Show the API's field errors beside their fields: `fields` maps a field the API names to
// the id of its input (its error paragraph is that id + "-error"); the rest go to `other`.
export function showErrors(body, fields, other) {
  for (const input of Object.values(fields)) {
    byId(input).removeAttribute("aria-invalid");
    byId(`${input}-error`).textContent = "";
  }
  byId(other).textContent = "";
  if (!body) return;
  let placed = false;
  for (const problem of body.errors || []) {
    const input = fields[problem.field];
    if (!input) continue;
    byId(input).setAttribute("aria-invalid", "true");
    byId(`${input}-error`).textContent = problem.message;
    placed = true;
  }
  if (!placed) byId(other).textContent = body.detail || t("That did not work.");
}

export function clearErrors(fields, other) {
  showErrors(null, fields, other);
}
