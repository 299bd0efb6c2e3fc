// The map: the basemap, the neighbourhoods' boundaries, the assets' markers (clustered,
// coloured by kind, grey when stale: markers.js) and the filters that choose which are shown;
// a postcode typed in the search centres the map on it.
import { api, state } from "./api.js";
import { assetsShown, byId, option, status } from "./dom.js";
import { t } from "./i18n.js";
import { assetIcon, clusterGroup } from "./markers.js";
import { findPostcode, looksLikePostcode } from "./postcodes.js";

const config = JSON.parse(byId("config").textContent);

export const map = L.map("map", { zoomControl: true, keyboard: true });
if (config.basemap) {
  L.tileLayer(config.basemap, { attribution: t("© OpenStreetMap contributors"), maxZoom: 19 }).addTo(map);
}
map.setView([53.43, -2.35], 12);
const cluster = clusterGroup();
map.addLayer(cluster);
export const markers = new Map(); // asset id -> marker
// for the browser tests and the curious: the map and its markers
window.assetMap = { map, cluster, markers };

// What selecting and dragging a marker do: set by asset.js and moving.js.
export const markerActions = { select: () => {}, move: () => {} };

// --- the neighbourhoods, the taxonomy and the filters -------------------------------------

export async function loadNeighbourhoods() {
  const { body } = await api(`/areas?level=lsoa&limit=10000`);
  if (!body || !body.features.length) return;
  const layer = L.geoJSON(body, {
    interactive: false,
    style: { color: "#1d3557", weight: 1, fillColor: "#a8dadc", fillOpacity: 0.08 },
  }).addTo(map);
  // at once: the page is ready when the map is where it will stay
  map.fitBounds(layer.getBounds(), { animate: false });
}

function flatten(nodes, depth = 0, into = []) {
  for (const node of nodes) {
    into.push({ slug: node.slug, name: node.name, kind: node.kind, depth });
    flatten(node.children, depth + 1, into);
  }
  return into;
}

// The kinds, categories, outcomes and link types into `state`, and the filters' choices.
export async function loadTaxonomy() {
  const [taxonomy, outcomes] = await Promise.all([api("/taxonomy"), api("/outcomes")]);
  state.taxonomy = taxonomy.body.kinds;
  state.linkTypes = taxonomy.body.link_types || [];
  state.categories = flatten(state.taxonomy.flatMap((kind) => kind.categories));
  state.outcomes = outcomes.body;
  for (const kind of state.taxonomy) byId("filter-kind").append(option(kind.kind, kind.name || kind.kind));
  for (const category of state.categories) {
    byId("filter-category").append(option(category.slug, "\u00a0".repeat(category.depth * 2) + category.name));
  }
  for (const outcome of state.outcomes) byId("filter-outcome").append(option(outcome.slug, outcome.name));
}

// A kind's and a category's names, as the service said them in the reader's language.
export const kindName = (slug) => (state.taxonomy.find((kind) => kind.kind === slug) || {}).name || slug;
export const categoryName = (slug) => (state.categories.find((c) => c.slug === slug) || {}).name || slug;

// --- the assets -------------------------------------------------------------------------

export function placeMarker(feature) {
  const [lon, lat] = feature.geometry.coordinates;
  const existing = markers.get(feature.id);
  if (existing) cluster.removeLayer(existing);
  const marker = L.marker([lat, lon], {
    icon: assetIcon(feature.properties), title: feature.properties.name,
    alt: feature.properties.name, draggable: true, keyboard: true,
  });
  marker.feature = feature;
  marker.on("click", () => markerActions.select(marker.feature));
  // a focused marker is a button: Enter or Space selects it, and the focus goes to its details
  marker.on("keypress", ({ originalEvent: event }) => {
    if (event.key !== "Enter" && event.key !== " ") return;
    event.preventDefault();
    markerActions.select(marker.feature, { focus: true });
  });
  marker.on("dragend", () => markerActions.move(marker));
  cluster.addLayer(marker);
  markers.set(feature.id, marker);
  return marker;
}

// The filters as the API takes them (kind, category, outcome), for the embedded map too.
export function chosenFilters() {
  const chosen = {};
  for (const [name, id] of [["kind", "filter-kind"], ["category", "filter-category"], ["outcome", "filter-outcome"]]) {
    if (byId(id).value) chosen[name] = byId(id).value;
  }
  return chosen;
}

// The search's words, unless they are a postcode the lookup found (the map went there,
// and a ring marks it).
let searchedPostcode = null;
let postcodeRing = null;

export async function loadAssets() {
  const query = new URLSearchParams({ limit: "10000", ...chosenFilters() });
  const words = byId("search").value.trim();
  if (words && words !== searchedPostcode) query.set("q", words);
  if (byId("filter-open-now").checked) query.set("open_now", "true");
  const { body } = await api(`/assets?${query}`);
  cluster.clearLayers();
  markers.clear();
  for (const feature of (body && body.features) || []) placeMarker(feature);
  document.body.dataset.assets = String(markers.size);
  return markers.size;
}

// The filters changed, or the search: a postcode newly typed is looked up (the map goes
// there), anything else searches the assets' names.
async function search() {
  const words = byId("search").value.trim();
  if (words !== searchedPostcode) {
    searchedPostcode = null;
    if (postcodeRing) postcodeRing.remove();
    postcodeRing = null;
  }
  let said = "";
  if (!searchedPostcode && looksLikePostcode(words)) {
    const { place, problem } = await findPostcode(words);
    if (place) {
      searchedPostcode = words;
      map.setView([place.lat, place.lon], 16);
      postcodeRing = L.circleMarker([place.lat, place.lon], {
        radius: 14, color: "#1d3557", weight: 2, dashArray: "4 3", fill: false, interactive: false,
      }).addTo(map);
      const where = [place.lsoa_name, place.ward_name].filter(Boolean).join(", ");
      const found = { postcode: place.postcode, where };
      said = where ? t("Found {postcode} ({where}): the map is centred there.", found)
        : t("Found {postcode}: the map is centred there.", found);
      said += " ";
    } else {
      said = t("{problem}: searched the names instead.", { problem }) + " ";
    }
  }
  status(said + assetsShown(await loadAssets()));
}

let searchTimer;
byId("filters").addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(search, 300);
});
byId("filters").addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(searchTimer);
  search();
});

// Once `marker` is on the map in view, at a street's zoom (where nothing is clustered).
export async function showMarker(marker) {
  if (map.getZoom() < 17 || !map.getBounds().pad(-0.1).contains(marker.getLatLng())) {
    map.setView(marker.getLatLng(), Math.max(map.getZoom(), 17), { animate: false });
  }
  // markercluster draws the new view's markers a moment later
  for (let tries = 0; !marker.getElement() && tries < 100; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function goTo(feature) {
  const [lon, lat] = feature.geometry.coordinates;
  map.setView([lat, lon], 17);
}

// Go to an asset and select it, whether or not the filters show its marker.
export async function selectAsset(id) {
  const marker = markers.get(id);
  let feature = marker && marker.feature;
  if (!feature) {
    const { response, body } = await api(`/assets/${id}`);
    if (!response.ok) { status((body && body.detail) || t("That asset could not be opened.")); return; }
    feature = body;
  }
  goTo(feature);
  markerActions.select(feature);
}
