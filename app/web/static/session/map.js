// The room's map: the basemap, the session's area, the assets already published in it (dots
// coloured by kind, clustered) and what the room added today (larger squares with a plus,
// never clustered, dashed while they wait for the facilitators, crossed out if turned down).
import { t } from "../page/i18n.js";
import { api, room } from "./room.js";
import { byId, named } from "./forms.js";

const KIND_COLOURS = {
  individual: "#e41a1c", association: "#377eb8", institution: "#4daf4a",
  physical: "#984ea3", economic: "#ff7f00", cultural: "#a65628",
};
export const STATUS_WORDS = {
  pending: t("waiting for the facilitators"), published: t("published"), rejected: t("turned down"),
};
// a kind by its name in the reader's language (GET /taxonomy's)
export const kindName = (kind) => ((room.kinds || []).find((each) => each.kind === kind) || { name: kind }).name;

export const map = L.map("map", { keyboard: true, maxZoom: 19 });
const basemap = document.body.dataset.basemap;
if (basemap) {
  L.tileLayer(basemap, { attribution: t("© OpenStreetMap contributors"), maxZoom: 19 }).addTo(map);
}
map.setView([52.8, -1.6], 6); // England, until the area's outline is read
const onMap = L.markerClusterGroup({ disableClusteringAtZoom: 17 });
const addedToday = L.layerGroup();
map.addLayer(onMap);
map.addLayer(addedToday);
export const existing = new Map(); // asset id -> its marker (a published asset of the area)
export const added = new Map(); // addition id -> its marker (an asset the room added)
// for the browser tests and the curious
window.assetMap = { map, existing, added };

// What an asset's popup offers besides its facts: functions (asset, addition) -> elements,
// `addition` null for an asset already on the map (facilitate.js, link.js add theirs).
export const popupParts = [];

function popup(title, lines, asset, addition) {
  const actions = popupParts.flatMap((part) => part(asset, addition));
  const box = document.createElement("div");
  box.className = "popup";
  const heading = document.createElement("h3");
  heading.textContent = title;
  box.append(heading);
  for (const line of lines.filter(Boolean)) {
    const text = document.createElement("p");
    text.textContent = line;
    box.append(text);
  }
  box.append(...actions);
  return box;
}

export async function loadArea() {
  const { response, body } = await api(`/areas/${encodeURIComponent(room.area)}`);
  if (!response.ok) return;
  byId("area-name").textContent = body.properties.name || room.area;
  const outline = L.geoJSON(body, {
    interactive: false, style: { color: "#1d3557", weight: 2, fill: false },
  }).addTo(map);
  map.fitBounds(outline.getBounds());
}

function existingIcon(kind, confirmed) {
  const colour = KIND_COLOURS[kind] || "#666";
  return L.divIcon({
    className: `existing-marker${confirmed ? " confirmed" : ""}`,
    html: `<span class="dot" style="background:${colour}"></span>`,
    iconSize: [18, 18], iconAnchor: [9, 9],
  });
}

function placeExisting(feature) {
  const [lon, lat] = feature.geometry.coordinates;
  const p = feature.properties;
  const marker = L.marker([lat, lon], { icon: existingIcon(p.kind), title: p.name, keyboard: true });
  marker.asset = { id: feature.id, name: p.name, kind: p.kind, confirmed: false };
  marker.bindPopup(() => popup(
    p.name,
    [[kindName(p.kind), p.category].filter(Boolean).join(" · "), marker.asset.confirmed && t("Confirmed today")],
    marker.asset,
    null,
  ));
  onMap.addLayer(marker);
  existing.set(feature.id, marker);
}

// The area's published assets (GET /assets within it).
export async function loadAssets() {
  const query = new URLSearchParams({ within: room.area, limit: "10000" });
  const { body } = await api(`/assets?${query}`);
  for (const feature of (body && body.features) || []) placeExisting(feature);
  document.body.dataset.assets = String(existing.size);
}

// Mark an asset of the map confirmed today (a facilitator said it is still there).
export function markConfirmed(assetId) {
  const marker = existing.get(assetId);
  if (!marker) return;
  marker.asset.confirmed = true;
  marker.setIcon(existingIcon(marker.asset.kind, true));
}

function addedIcon(status) {
  return L.divIcon({
    className: `added-marker ${status}`, html: '<span aria-hidden="true">+</span>',
    iconSize: [28, 28], iconAnchor: [14, 14],
  });
}

// Place (or update) the marker of an asset the room added: `addition` as feed.js keeps it,
// {id, status, by, asset: {id, name, kind, lon, lat}}.
export function placeAddition(addition) {
  const title = t("{name}: added today, {status}", { name: addition.asset.name, status: STATUS_WORDS[addition.status] });
  const icon = addedIcon(addition.status);
  let marker = added.get(addition.id);
  if (marker) {
    marker.options.title = title;
    marker.setIcon(icon);
  } else {
    const where = [addition.asset.lat, addition.asset.lon];
    marker = L.marker(where, { icon, title, keyboard: true, zIndexOffset: 1000 });
    marker.bindPopup(() => {
      const shown = marker.addition;
      return popup(
        shown.asset.name,
        [kindName(shown.asset.kind), t("Added today by {by}", { by: shown.by ? named(shown.by) : t("the room") }), STATUS_WORDS[shown.status]],
        shown.asset,
        shown,
      );
    });
    addedToday.addLayer(marker);
    added.set(addition.id, marker);
  }
  marker.addition = addition;
  document.body.dataset.added = String(added.size);
}

// Go to an asset's marker (one of the map's, or one the room added) and open its popup.
export function showMarker(marker) {
  const open = () => marker.openPopup();
  if (onMap.hasLayer(marker)) onMap.zoomToShowLayer(marker, open);
  else { map.setView(marker.getLatLng(), Math.max(map.getZoom(), 16)); open(); }
}
