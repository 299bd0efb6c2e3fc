// Which local authority the page is on: `?within=CODE` in the address (kept there, so a link
// or a reload opens on it again); with none and one authority, that one; with several, a
// chooser in the panel. The map fits the authority's boundary, drawn in a pane of its own,
// and the header's select moves to another.
import { api, state } from "./api.js";
import { byId, option, status } from "./dom.js";
import { t } from "./i18n.js";
import { map } from "./map.js";
import { show } from "./panel.js";

// The page's address on `code`, keeping the rest of what it was asked with.
function addressOn(code) {
  const query = new URLSearchParams(location.search);
  query.set("within", code);
  return `${location.pathname}?${query}`;
}

// The authorities into `state.localities` and the header's select, and the one the page is
// on into `state.within` (null: none chosen yet).
export async function loadAuthorities() {
  const { body } = await api("/authorities");
  state.localities = Array.isArray(body) ? body : [];
  const asked = new URLSearchParams(location.search).get("within");
  const only = state.localities.length === 1 ? state.localities[0] : null;
  state.within = state.localities.find((authority) => authority.code === asked) || (asked ? null : only);
  if (state.within && asked !== state.within.code) history.replaceState(null, "", addressOn(state.within.code));
  // the language switch keeps the authority
  if (state.within) {
    for (const link of document.querySelectorAll(".languages a")) {
      const query = new URLSearchParams({ lang: link.hreflang, within: state.within.code });
      link.href = `?${query}`;
    }
  }
  const select = byId("authority");
  if (!state.within) select.append(option("", t("choose one")));
  for (const { code, name } of state.localities) select.append(option(code, name));
  select.value = state.within ? state.within.code : "";
  const single = state.localities.length === 1 && Boolean(state.within);
  byId("authority-choice").hidden = !state.localities.length || single;
  if (asked && !state.within) status(t("{code} is not a local authority this service holds: choose one.", { code: asked }));
  return state.within;
}

byId("authority").addEventListener("change", (event) => {
  if (event.target.value) location.assign(addressOn(event.target.value));
});

// The chooser: each authority a link to the page on it.
function offerAuthorities() {
  const list = byId("authority-list");
  for (const { code, name } of state.localities) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = addressOn(code);
    link.textContent = name;
    item.append(link);
    list.append(item);
  }
  show("authorities");
}

// Fit the map to the authority the page is on (its boundary drawn), or else to all of them
// with the chooser open. At once: the page is ready when the map is where it will stay.
export async function showAuthority() {
  map.createPane("authority").style.zIndex = 350; // under the neighbourhoods' outlines
  const style = { pane: "authority", interactive: false, color: "#1d3557", weight: 3, fill: false };
  if (state.within) {
    const { response, body } = await api(`/areas/${encodeURIComponent(state.within.code)}`);
    if (!response.ok) return;
    const outline = L.geoJSON(body, style).addTo(map);
    map.fitBounds(outline.getBounds(), { animate: false });
    return;
  }
  if (!state.localities.length) return;
  offerAuthorities(); // first: the panel takes its part of the screen before the map fits
  const { body } = await api("/areas?level=local_authority&limit=100");
  if (body && body.features && body.features.length) {
    map.fitBounds(L.geoJSON(body, style).addTo(map).getBounds(), { animate: false });
  }
}
