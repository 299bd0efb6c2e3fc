// The map: the basemap, the neighbourhoods' boundaries, the assets' markers (clustered,
// coloured by kind, grey when stale) and the filters that choose which are shown.
import { api, state } from "./api.js";
import { byId, option, status } from "./dom.js";

const config = JSON.parse(byId("config").textContent);
const KIND_COLOURS = {
  individual: "#e41a1c", association: "#377eb8", institution: "#4daf4a",
  physical: "#984ea3", economic: "#ff7f00", cultural: "#a65628",
};

export const map = L.map("map", { zoomControl: true, keyboard: true });
if (config.basemap) {
  L.tileLayer(config.basemap, { attribution: "© OpenStreetMap contributors", maxZoom: 19 }).addTo(map);
}
map.setView([53.43, -2.35], 12);
const cluster = L.markerClusterGroup({ disableClusteringAtZoom: 17 });
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
  map.fitBounds(layer.getBounds());
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
  for (const kind of state.taxonomy) byId("filter-kind").append(option(kind.kind, kind.kind));
  for (const category of state.categories) {
    byId("filter-category").append(option(category.slug, "\u00a0".repeat(category.depth * 2) + category.name));
  }
  for (const outcome of state.outcomes) byId("filter-outcome").append(option(outcome.slug, outcome.name));
}

// --- the assets -------------------------------------------------------------------------

// Assets no one has confirmed (verified, or else added) for a year are greyed out.
const STALE_MS = 365 * 24 * 3600 * 1000;

export function isStale(properties) {
  const confirmed = properties.verified_at || properties.created_at;
  return Boolean(confirmed) && Date.now() - Date.parse(confirmed) > STALE_MS;
}

function icon(properties) {
  const dot = document.createElement("div");
  dot.className = "asset-dot";
  if (isStale(properties)) dot.classList.add("stale");
  if (properties.status !== "published") dot.classList.add("pending");
  dot.style.background = KIND_COLOURS[properties.kind] || "#666";
  return L.divIcon({ html: dot.outerHTML, className: "", iconSize: [20, 20], iconAnchor: [10, 10] });
}

export function placeMarker(feature) {
  const [lon, lat] = feature.geometry.coordinates;
  const existing = markers.get(feature.id);
  if (existing) cluster.removeLayer(existing);
  const marker = L.marker([lat, lon], {
    icon: icon(feature.properties), title: feature.properties.name,
    alt: feature.properties.name, draggable: true, keyboard: true,
  });
  marker.feature = feature;
  marker.on("click", () => markerActions.select(marker.feature));
  marker.on("dragend", () => markerActions.move(marker));
  cluster.addLayer(marker);
  markers.set(feature.id, marker);
  return marker;
}

export async function loadAssets() {
  const query = new URLSearchParams({ limit: "10000" });
  for (const [name, id] of [["q", "search"], ["kind", "filter-kind"], ["category", "filter-category"], ["outcome", "filter-outcome"]]) {
    if (byId(id).value) query.set(name, byId(id).value);
  }
  if (byId("filter-open-now").checked) query.set("open_now", "true");
  const { body } = await api(`/assets?${query}`);
  cluster.clearLayers();
  markers.clear();
  for (const feature of (body && body.features) || []) placeMarker(feature);
  document.body.dataset.assets = String(markers.size);
  status(`${markers.size} assets shown`);
}

let searchTimer;
byId("filters").addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(loadAssets, 300);
});
byId("filters").addEventListener("submit", (event) => { event.preventDefault(); loadAssets(); });

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
    if (!response.ok) { status((body && body.detail) || "That asset could not be opened."); return; }
    feature = body;
  }
  goTo(feature);
  markerActions.select(feature);
}
