// The map: the basemap, the neighbourhoods' outlines and the assets' markers (clustered,
// coloured by kind, grey when stale: markers.js) for what is on screen, loaded again as the
// map moves, and the filters that choose which are shown; a postcode typed in the search
// centres the map on it.
import { api, readPages, state } from "./api.js";
import { assetsShown, byId, option, status } from "./dom.js";
import { t } from "./i18n.js";
import { assetIcon, clusterGroup } from "./markers.js";
import { findPostcode, looksLikePostcode } from "./postcodes.js";

const config = JSON.parse(byId("config").textContent);

// What one view loads at most (beyond, the page says so and asks to zoom in), and how many
// stay loaded from earlier views before those out of view are let go: both keep the browser
// and the service bounded at any number of assets and authorities.
const MOST_ASSETS_IN_VIEW = 5000;
const MOST_OUTLINES_IN_VIEW = 1500;
const MOST_ASSETS_KEPT = 20000;
const MOST_OUTLINES_KEPT = 4000;

export const map = L.map("map", { zoomControl: true, keyboard: true });
if (config.basemap) {
  L.tileLayer(config.basemap, { attribution: t("© OpenStreetMap contributors"), maxZoom: 19 }).addTo(map);
}
map.setView([53.43, -2.35], 12);
const cluster = clusterGroup();
map.addLayer(cluster);
export const markers = new Map(); // asset id -> marker
const outlines = new Map(); // neighbourhood (LSOA) code -> its outline
const outlineLayer = L.layerGroup().addTo(map);
// for the browser tests and the curious: the map and its markers
window.assetMap = { map, cluster, markers, outlines };

// What selecting and dragging a marker do: set by asset.js and moving.js.
export const markerActions = { select: () => {}, move: () => {} };

// --- the neighbourhoods, the taxonomy and the filters -------------------------------------

const OUTLINE_STYLE = { color: "#1d3557", weight: 1, fillColor: "#a8dadc", fillOpacity: 0.08 };

function takeOutlines(features) {
  for (const feature of features) {
    const code = feature.properties.code;
    if (outlines.has(code)) continue;
    const outline = L.geoJSON(feature, { interactive: false, style: OUTLINE_STYLE });
    outlines.set(code, outline);
    outlineLayer.addLayer(outline);
  }
}

function flatten(nodes, depth = 0, into = []) {
  for (const node of nodes) {
    into.push({ slug: node.slug, name: node.name, kind: node.kind, depth });
    flatten(node.children, depth + 1, into);
  }
  return into;
}

// The kinds, categories, outcomes and link types into `state`, and the filters' choices.
// With an authority chosen, its own categories too.
export async function loadTaxonomy() {
  const within = state.within ? `?within=${encodeURIComponent(state.within.code)}` : "";
  const [taxonomy, outcomes] = await Promise.all([api(`/taxonomy${within}`), api("/outcomes")]);
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

function makeMarker(feature) {
  const [lon, lat] = feature.geometry.coordinates;
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
  return marker;
}

export function placeMarker(feature) {
  const existing = markers.get(feature.id);
  if (existing) cluster.removeLayer(existing);
  const marker = makeMarker(feature);
  cluster.addLayer(marker);
  markers.set(feature.id, marker);
  return marker;
}

let drawn = 0; // how many markers were drawn or let go, so a load knows whether it changed any

// A page of assets onto the map: a marker already there for the same version stays as it
// is (it may be focused, or being moved), others are drawn anew.
function takeAssets(features) {
  const stale = [];
  const added = [];
  for (const feature of features) {
    const existing = markers.get(feature.id);
    if (existing && existing.feature.properties.version === feature.properties.version) continue;
    if (existing) stale.push(existing);
    const marker = makeMarker(feature);
    markers.set(feature.id, marker);
    added.push(marker);
  }
  cluster.removeLayers(stale);
  cluster.addLayers(added);
  drawn += added.length;
  document.body.dataset.assets = String(markers.size);
}

// Past the most kept, let go of what is out of `bounds` (never the asset the panel shows).
function forgetOutOfView(bounds) {
  if (markers.size > MOST_ASSETS_KEPT) {
    const gone = [...markers.values()].filter((marker) => !bounds.contains(marker.getLatLng())
      && !(state.editing && state.editing.id === marker.feature.id));
    cluster.removeLayers(gone);
    for (const marker of gone) markers.delete(marker.feature.id);
    drawn += gone.length;
  }
  if (outlines.size > MOST_OUTLINES_KEPT) {
    for (const [code, outline] of outlines) {
      if (bounds.intersects(outline.getBounds())) continue;
      outlineLayer.removeLayer(outline);
      outlines.delete(code);
    }
  }
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

// What the assets' query asks (the filters, the words searched, "open now").
function assetQuery() {
  const query = new URLSearchParams(chosenFilters());
  const words = byId("search").value.trim();
  if (words && words !== searchedPostcode) query.set("q", words);
  if (byId("filter-open-now").checked) query.set("open_now", "true");
  return query;
}

// The view as the API's `bbox` takes it: zoomed far out, Leaflet's view runs past the poles
// and round the world, and the API takes longitudes and latitudes only in range.
function viewBox(bounds) {
  const within = (value, limit) => Math.min(limit, Math.max(-limit, value));
  return [within(bounds.getWest(), 180), within(bounds.getSouth(), 90),
    within(bounds.getEast(), 180), within(bounds.getNorth(), 90)].join(",");
}

let loading = null; // the AbortController of the load under way, which a newer one aborts
let loadedFor = null; // the query whose assets the markers are, once loaded in full
let searchNote = ""; // what the search said (a postcode found), said again after each load
// the view whose assets and outlines are all loaded (none left unread) for `loadedFor`, and
// what its load said: a view inside it needs nothing more (zooming in, the panel opening)
let loadedView = null;
let lastLoaded = null;

// Load what is on screen: the neighbourhoods' outlines, and the assets the query asks for
// in the view (words searched: in the authority the page is on, wherever the view is).
// Markers of the same query stay; `clear`, or another query, starts afresh; a view inside
// one loaded in full asks the service nothing. Resolves to {shown, more, outlinesMore,
// problem, changed} (changed: markers were drawn or let go), or null when a newer load
// took its place.
async function load({ clear = false } = {}) {
  if (loading) loading.abort();
  const controller = new AbortController();
  loading = controller;
  const query = assetQuery();
  const key = query.toString();
  const bounds = map.getBounds();
  const bbox = viewBox(bounds);
  const fresh = clear || key !== loadedFor;
  const before = drawn;
  if (fresh) {
    loadedFor = null;
    loadedView = null;
    cluster.clearLayers();
    markers.clear();
  } else if (loadedView && loadedView.contains(bounds)) {
    loading = null;
    document.body.dataset.view = bounds.toBBoxString();
    return { ...lastLoaded, shown: markers.size, changed: false };
  }
  forgetOutOfView(bounds);
  if (query.has("q")) {
    if (state.within) query.set("within", state.within.code);
  } else {
    query.set("bbox", bbox);
  }
  const signal = controller.signal;
  const none = { read: 0, more: false };
  try {
    const [assets, areas] = await Promise.all([
      fresh || !query.has("q")
        ? readPages(`/assets?${query}`, { most: MOST_ASSETS_IN_VIEW, take: takeAssets, signal })
        : none,
      readPages(`/areas?level=lsoa&bbox=${bbox}`, {
        most: MOST_OUTLINES_IN_VIEW, take: takeOutlines, signal, pageSize: 500,
      }),
    ]);
    if (!assets.problem) loadedFor = key;
    const whole = !query.has("q") && !assets.more && !assets.problem && !areas.more && !areas.problem;
    loadedView = whole ? bounds : null;
    // for the browser tests: how many, for which view and which query
    document.body.dataset.assets = String(markers.size);
    document.body.dataset.view = bounds.toBBoxString();
    document.body.dataset.query = key;
    lastLoaded = {
      shown: markers.size, more: Boolean(assets.more), outlinesMore: Boolean(areas.more),
      problem: assets.problem || areas.problem || "",
    };
    return { ...lastLoaded, changed: fresh || drawn !== before };
  } catch (error) {
    if (error.name === "AbortError") return null;
    throw error;
  } finally {
    if (loading === controller) loading = null;
  }
}

// What a load showed, in the status line: never fewer than there are without saying so.
// After a move that changed nothing shown, what the line said before stays (a sign-in, a
// save), and a screen reader is not told the same count again.
let lastNotes = null;

function say(loaded, { moved = false } = {}) {
  if (!loaded) return;
  const notes = [loaded.more, loaded.outlinesMore, loaded.problem].join();
  if (moved && !loaded.changed && notes === lastNotes) return;
  lastNotes = notes;
  const parts = [searchNote + assetsShown(loaded.shown)];
  if (loaded.more) parts.push(t("There are more here than the map loads at once: zoom in to see them all."));
  if (loaded.outlinesMore) parts.push(t("Zoom in to see every neighbourhood's outline."));
  if (loaded.problem) parts.push(t("Not everything could be loaded: {problem}", { problem: loaded.problem }));
  status(parts.join(". "));
}

// Everything again (after a sign-in or out, a decision): resolves to how many are shown.
export async function loadAssets() {
  const loaded = await load({ clear: true });
  return loaded ? loaded.shown : markers.size;
}

// The first view's load, said in the status line; then each move loads the new view.
export async function loadView({ moved = false } = {}) {
  say(await load(), { moved });
}

let moveTimer;
export function followTheView() {
  map.on("moveend", () => {
    clearTimeout(moveTimer);
    moveTimer = setTimeout(() => loadView({ moved: true }), 200);
  });
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
      map.setView([place.lat, place.lon], 16, { animate: false });
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
  searchNote = said;
  clearTimeout(moveTimer); // the map's move is loaded here
  say(await load());
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
