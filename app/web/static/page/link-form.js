// Adding a link from the asset shown, for whoever signed in: choose the type ("meets at")
// and the other asset by typing a few letters of its name (the nearest first), then save;
// a link from anyone but a moderator of the asset's area waits for one. The API's
// refusals show next to the field they name.
import { api, state } from "./api.js";
import { byId, option, status } from "./dom.js";
import { t } from "./i18n.js";
import { loadLinks } from "./links.js";
import { kindName } from "./map.js";

const form = byId("link-form");
// The asset the link goes from; answers about any other are dropped.
let shown = null;

export function fillLinkTypes() {
  byId("l-type").replaceChildren(...state.linkTypes.map((words) => option(words.type, words.label)));
}

export function prepareLinkForm(feature) {
  shown = feature;
  byId("link-add").hidden = !state.account || !state.linkTypes.length;
  byId("link-add").open = false;
  resetForm();
}

function clearErrors() {
  for (const element of form.querySelectorAll(".error")) element.textContent = "";
  for (const element of form.querySelectorAll("[aria-invalid]")) element.removeAttribute("aria-invalid");
}

function resetForm() {
  clearErrors();
  byId("l-other").value = "";
  byId("l-found").textContent = "";
  showChoices([]);
}

// The other asset: up to ten whose names match what is typed, the nearest first.
let searchTimer;
let searches = 0;

async function findOthers() {
  const words = byId("l-other").value.trim();
  const asking = ++searches;
  if (words.length < 2) { showChoices([]); byId("l-found").textContent = ""; return; }
  const [lon, lat] = shown.geometry.coordinates;
  const nearby = new URLSearchParams({ q: words, near: `${lon},${lat}`, limit: "10" });
  const anywhere = new URLSearchParams({ q: words, limit: "10" });
  const answers = await Promise.all([api(`/assets?${nearby}`), api(`/assets?${anywhere}`)]);
  if (asking !== searches) return; // something newer was typed
  const seen = new Set([shown.id]);
  const found = [];
  for (const feature of answers.flatMap(({ body }) => (body && body.features) || [])) {
    if (seen.has(feature.id) || found.length === 10) continue;
    seen.add(feature.id);
    found.push(feature);
  }
  showChoices(found);
  byId("l-found").textContent = found.length
    ? t("{n} found: choose one below.", { n: found.length })
    : t("No asset's name has those letters.");
}

function described(feature) {
  const p = feature.properties;
  const category = state.categories.find((c) => c.slug === p.category);
  const facts = [category ? category.name : kindName(p.kind)];
  if (p.distance_m !== undefined && p.distance_m !== null) {
    facts.push(p.distance_m < 1000 ? t("{n} m away", { n: Math.round(p.distance_m) }) : t("{n} km away", { n: (p.distance_m / 1000).toFixed(1) }));
  }
  return `${p.name} (${facts.join(", ")})`;
}

function showChoices(features) {
  const choices = byId("l-choices");
  choices.replaceChildren(choices.querySelector("legend"));
  for (const feature of features) {
    const label = document.createElement("label");
    const radio = document.createElement("input");
    radio.type = "radio";
    radio.name = "to";
    radio.value = String(feature.id);
    label.append(radio, described(feature));
    choices.append(label);
  }
  choices.hidden = features.length === 0;
}

byId("l-other").addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(findOthers, 250);
});
byId("l-other").addEventListener("keydown", (event) => {
  // Enter looks now, rather than adding a link to nothing chosen yet
  if (event.key !== "Enter") return;
  event.preventDefault();
  clearTimeout(searchTimer);
  findOthers();
});

// The API names the field ("to", "type"; perhaps as a path): show it next to that control.
const CONTROLS = { type: "l-type", to: "l-other" };

function showErrors(problem, otherwise) {
  const errors = (problem && problem.errors) || [];
  for (const error of errors) {
    const name = String(error.field).split(".").pop();
    if (CONTROLS[name]) {
      byId(`link-error-${name}`).textContent = error.message;
      byId(CONTROLS[name]).setAttribute("aria-invalid", "true");
    } else {
      byId("link-error-general").textContent = `${error.field}: ${error.message}`;
    }
  }
  if (!errors.length) byId("link-error-general").textContent = (problem && problem.detail) || otherwise;
  (form.querySelector("[aria-invalid=true]") || byId("l-other")).focus();
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors();
  const chosen = form.querySelector("input[name=to]:checked");
  if (!chosen) {
    showErrors({ errors: [{ field: "to", message: t("Type a few letters of the other asset's name, then choose it.") }] });
    return;
  }
  const asset = shown;
  const type = byId("l-type");
  const { response, body } = await api(`/assets/${asset.id}/links`, {
    method: "POST", body: JSON.stringify({ type: type.value, to: Number(chosen.value) }),
  });
  if (asset !== shown) return;
  if (!response.ok) { showErrors(body, t("The link could not be added.")); return; }
  const link = response.status === 202 ? body.link : body;
  const words = `${asset.properties.name} ${type.selectedOptions[0].textContent} ${link.to.name}`;
  status(response.status === 202 ? t("{link}: this waits for a moderator", { link: words }) : t("Linked: {link}", { link: words }));
  resetForm();
  byId("link-add").open = false;
  await loadLinks();
  byId("link-add").querySelector("summary").focus();
});
