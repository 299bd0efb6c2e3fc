// Adding and editing an asset: the form, the API's errors next to the fields they name, and
// "is this the same place?" before a new asset is saved beside a near namesake.
import { api, state } from "./api.js";
import { showAsset } from "./asset.js";
import { byId, option, status } from "./dom.js";
import { buildHoursFields, fillHours, readHours } from "./hours.js";
import { t } from "./i18n.js";
import { map, markers, placeMarker } from "./map.js";
import { closePanel, keepInSight, onPanelChange, show } from "./panel.js";
import { findPostcode, looksLikePostcode } from "./postcodes.js";

const form = byId("asset-form");

// The form's kinds and outcomes, once the taxonomy is in `state`.
export function fillFormChoices() {
  buildHoursFields();
  for (const kind of state.taxonomy) byId("f-kind").append(option(kind.kind, kind.name || kind.kind));
  for (const outcome of state.outcomes) {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = "outcomes";
    box.value = outcome.slug;
    label.append(box, " " + outcome.name);
    byId("f-outcomes").append(label);
  }
  fillCategories("");
}

function fillCategories(kind, selected = "") {
  const select = byId("f-category");
  select.replaceChildren(option("", t("none")));
  for (const category of state.categories.filter((c) => c.kind === kind)) {
    select.append(option(category.slug, "\u00a0".repeat(category.depth * 2) + category.name));
  }
  select.value = selected;
}

byId("f-kind").addEventListener("change", (event) => fillCategories(event.target.value));

function clearErrors() {
  for (const element of form.querySelectorAll(".error")) element.textContent = "";
  for (const element of form.querySelectorAll("[aria-invalid]")) element.removeAttribute("aria-invalid");
  byId("duplicates").hidden = true;
}

let draftMarker = null;
// the postcode last looked up for the form's new asset, and what placing it there said
let postcodeAsked = "";
let placedNote = "";

function clearDraftMarker() {
  if (draftMarker) map.removeLayer(draftMarker);
  draftMarker = null;
}

// Where the form's asset goes, and how that was chosen: "click" (the builder clicked or
// tapped the spot: a postcode does not move it), "centre" (the map's centre), "postcode"
// (the postcode typed placed it), "asset" (an asset being edited stays where it is).
function placeAt(latlng, placed, how = "") {
  state.where = latlng;
  state.placed = placed;
  if (state.editing) clearDraftMarker();
  else if (draftMarker) draftMarker.setLatLng(latlng);
  // where the new asset will go
  else draftMarker = L.circleMarker(latlng, { radius: 9, color: "#c0392b", weight: 3, fillOpacity: 0.3 }).addTo(map);
  placedNote = how;
  byId("form-where").textContent = t("At {lat}, {lon}", { lat: latlng.lat.toFixed(5), lon: latlng.lng.toFixed(5) }) + how;
}

function fillForm(feature) {
  const p = feature.properties;
  const contact = p.contact || {};
  byId("f-name").value = p.name || "";
  byId("f-kind").value = p.kind;
  fillCategories(p.kind, p.category || "");
  byId("f-description").value = p.description || "";
  byId("f-address").value = p.address || "";
  byId("f-postcode").value = p.postcode || "";
  byId("f-phone").value = contact.phone || "";
  byId("f-email").value = contact.email || "";
  byId("f-website").value = contact.website || "";
  byId("f-opening-hours").value = p.opening_hours || "";
  fillHours(p.schedule);
  byId("f-audience").value = p.audience || "";
  for (const box of form.querySelectorAll("input[name=outcomes]")) box.checked = (p.outcomes || []).includes(box.value);
}

// The form, for a new asset at `latlng` or to edit `feature`. What was typed and not saved
// (`state.draft`: for which asset) stays when the panel is closed and the form opened again
// for the same asset.
function openForm(latlng, feature = null, placed = "click") {
  // a draft of an edit is kept for the version it was typed over, not for a newer one
  const id = feature ? `${feature.id}-${feature.properties.version}` : "new";
  const kept = Boolean(state.draft) && state.draft.id === id;
  const how = { centre: t(", the map's centre"), postcode: kept ? placedNote : "" }[placed] || "";
  clearErrors();
  state.editing = feature;
  placeAt(latlng, feature ? "asset" : placed, how);
  byId("form-title").textContent = feature ? t("Edit {name}", { name: feature.properties.name }) : t("Add an asset");
  byId("postcode-where").textContent = "";
  if (!kept) {
    postcodeAsked = "";
    if (feature) fillForm(feature);
    else {
      form.reset();
      fillCategories(byId("f-kind").value);
      fillHours(null);
    }
  }
  state.draft = { id, feature };
  byId("resume").hidden = true;
  show("asset-form");
  keepInSight(latlng);
  byId("f-name").focus();
}

function forgetDraft() {
  state.draft = null;
  clearDraftMarker();
  byId("resume").hidden = true;
}

map.on("click", (event) => openForm(event.latlng));
byId("add-here").addEventListener("click", () => openForm(map.getCenter(), null, "centre"));
byId("edit").addEventListener("click", () => {
  const [lon, lat] = state.editing.geometry.coordinates;
  openForm(L.latLng(lat, lon), state.editing);
});
byId("cancel").addEventListener("click", () => {
  forgetDraft();
  closePanel();
});

// Closed with something typed and not saved: a way back to it, over the map.
onPanelChange((section) => {
  if (section === "asset-form" || !state.draft) return;
  const typedOver = state.draft.feature;
  if (typedOver && state.editing && state.editing.id === typedOver.id
      && state.editing.properties.version !== typedOver.properties.version) {
    forgetDraft(); // the asset was reloaded, newer than the edit typed over it
    return;
  }
  const name = byId("f-name").value.trim();
  const called = name || (state.draft.feature ? t("the asset") : t("the new asset"));
  byId("resume").textContent = state.draft.feature
    ? t("Continue editing {name}", { name: called })
    : t("Continue adding {name}", { name: called });
  byId("resume").hidden = false;
});
byId("resume").addEventListener("click", () => {
  openForm(state.where, state.draft.feature, state.placed);
});

// A postcode typed for a new asset places it there, unless the builder chose the spot.
let postcodeTimer;

async function placeByPostcode() {
  const typed = byId("f-postcode").value.trim();
  const said = byId("postcode-where");
  if (state.editing || !looksLikePostcode(typed) || typed === postcodeAsked) return;
  postcodeAsked = typed;
  if (state.placed === "click") {
    said.textContent = t("It stays where you clicked the map.");
    return;
  }
  const { place, problem } = await findPostcode(typed);
  if (byId("f-postcode").value.trim() !== typed || state.editing) return; // changed meanwhile
  if (!place) {
    said.textContent = t("{problem}: the asset stays where it was.", { problem });
    return;
  }
  const latlng = L.latLng(place.lat, place.lon);
  placeAt(latlng, "postcode", t(", placed by its postcode {postcode}: click the map to place it exactly", { postcode: place.postcode }));
  map.setView(latlng, Math.max(map.getZoom(), 16));
  keepInSight(latlng);
  said.textContent = t("Placed on the map at {postcode}.", { postcode: place.postcode });
  status(t("The new asset is placed at {postcode}: click the map to place it exactly", { postcode: place.postcode }));
}

byId("f-postcode").addEventListener("input", () => {
  clearTimeout(postcodeTimer);
  postcodeTimer = setTimeout(placeByPostcode, 400);
});
byId("f-postcode").addEventListener("change", () => {
  clearTimeout(postcodeTimer);
  placeByPostcode();
});

function formProperties() {
  const value = (id) => byId(id).value.trim() || null;
  const contact = { phone: value("f-phone"), email: value("f-email"), website: value("f-website") };
  const schedule = readHours();
  return {
    ...(schedule === undefined ? {} : { schedule }),
    name: byId("f-name").value.trim(), kind: value("f-kind"), category: value("f-category"),
    description: value("f-description"), address: value("f-address"), postcode: value("f-postcode"),
    opening_hours: value("f-opening-hours"), audience: value("f-audience"),
    outcomes: [...form.querySelectorAll("input[name=outcomes]:checked")].map((box) => box.value),
    contact: Object.values(contact).some(Boolean) ? contact : null,
  };
}

// The API names fields as paths ("properties.contact.email"): show each next to its input.
function showErrors(problem) {
  const errors = (problem && problem.errors) || [];
  let shown = false;
  for (const error of errors) {
    const parts = error.field.split(".");
    // a schedule's parts ("properties.schedule.weekly.0.opens") show by the week's fields
    const inSchedule = parts[0] === "properties" && parts[1] === "schedule";
    const name = parts[0] === "properties" ? (inSchedule ? "schedule" : parts[parts.length - 1]) : null;
    const target = name && byId(`error-${name}`);
    if (target) {
      target.textContent = error.message;
      const input = form.querySelector(`[name=${name}]`);
      if (input) input.setAttribute("aria-invalid", "true");
      shown = true;
    } else {
      byId("error-general").textContent = `${error.field}: ${error.message}`;
      shown = true;
    }
  }
  if (!shown) byId("error-general").textContent = (problem && problem.detail) || t("The change could not be saved.");
  const first = form.querySelector("[aria-invalid=true]") || byId("error-general");
  first.scrollIntoView({ block: "center" });
  if (first.focus) first.focus();
}

async function nearNamesakes(properties) {
  const words = properties.name.toLowerCase().match(/[\p{L}\p{N}]+/gu) || [];
  if (!words.length) return [];
  const query = new URLSearchParams({
    near: `${state.where.lng},${state.where.lat}`, within_m: "100", limit: "20",
  });
  const { body } = await api(`/assets?${query}`);
  const similar = (other) => {
    const theirs = new Set((other.toLowerCase().match(/[\p{L}\p{N}]+/gu) || []));
    const shared = words.filter((word) => theirs.has(word)).length;
    return shared / Math.max(words.length, theirs.size) >= 0.5;
  };
  return ((body && body.features) || []).filter((f) => similar(f.properties.name));
}

function offerNamesakes(namesakes) {
  const list = byId("duplicate-list");
  list.replaceChildren();
  for (const other of namesakes) {
    const item = document.createElement("li");
    const link = document.createElement("button");
    link.type = "button";
    link.textContent = t("{name} ({metres} m away): open it", { name: other.properties.name, metres: Math.round(other.properties.distance_m) });
    link.addEventListener("click", () => { forgetDraft(); showAsset(other); });
    item.append(link);
    list.append(item);
  }
  byId("duplicates").hidden = false;
  // the warning sits above the fields: bring it into view, where the builder is looking
  byId("duplicates").scrollIntoView({ block: "nearest" });
  byId("duplicates").focus();
}

async function save(checkDuplicates) {
  clearErrors();
  const properties = formProperties();
  const geometry = { type: "Point", coordinates: [state.where.lng, state.where.lat] };
  if (!state.editing && checkDuplicates) {
    const namesakes = await nearNamesakes(properties);
    if (namesakes.length) { offerNamesakes(namesakes); return; }
  }
  const request = state.editing
    ? api(`/assets/${state.editing.id}`, {
        method: "PATCH", body: JSON.stringify({ properties }),
        headers: { "If-Match": `"${state.editing.id}-${state.editing.properties.version}"` },
      })
    : api("/assets", { method: "POST", body: JSON.stringify({ type: "Feature", geometry, properties }) });
  const { response, body } = await request;
  if (response.status === 412) { show("conflict"); return; }
  if (!response.ok) { showErrors(body); return; }
  forgetDraft();
  if (response.status === 202) {
    // a suggestion, or a change to a published asset: it waits for a moderator
    byId("notice-text").textContent = `${properties.name}: ${body.detail}.`;
    show("notice");
    status(t("Sent to a moderator"));
    return;
  }
  placeMarker(body);
  document.body.dataset.assets = String(markers.size);
  // the form (and its Save button, which had the focus) goes: the focus goes to what was
  // saved, its name heading the details, with Edit and Move next from the keyboard
  showAsset(body, { focus: true });
  status(body.properties.status === "pending"
    ? t("Saved {name}: a moderator will check it before the public sees it", { name: body.properties.name })
    : t("Saved {name}", { name: body.properties.name }));
}

form.addEventListener("submit", (event) => { event.preventDefault(); save(true); });
byId("not-duplicate").addEventListener("click", () => save(false));
