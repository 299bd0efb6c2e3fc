// Moving an asset: by dragging its marker, or from the keyboard ("Move it with the arrow
// keys": each arrow moves it 10 m, 1 m with Shift), saved with If-Match; and reloading it
// when someone else changed it meanwhile.
import { api, state } from "./api.js";
import { showAsset } from "./asset.js";
import { byId, status } from "./dom.js";
import { t } from "./i18n.js";
import { map, markerActions, markers, placeMarker, showMarker } from "./map.js";
import { onPanelChange, show } from "./panel.js";

// Saves where `marker` is now; true when it is saved (or waits for a moderator).
async function moveAsset(marker) {
  const feature = marker.feature;
  const { lat, lng } = marker.getLatLng();
  const { response, body } = await api(`/assets/${feature.id}`, {
    method: "PATCH",
    body: JSON.stringify({ geometry: { type: "Point", coordinates: [lng, lat] } }),
    headers: { "If-Match": `"${feature.id}-${feature.properties.version}"` },
  });
  const [oldLon, oldLat] = feature.geometry.coordinates;
  if (response.status === 202) {
    // the move waits for a moderator: the public still sees the asset where it was
    marker.setLatLng([oldLat, oldLon]);
    status(t("Your move of {name} waits for a moderator", { name: feature.properties.name }));
    return true;
  }
  if (response.ok) {
    marker.feature = body;
    status(t("Moved {name}", { name: body.properties.name }));
    return true;
  }
  marker.setLatLng([oldLat, oldLon]);
  state.editing = feature;
  if (response.status === 412) show("conflict");
  else status((body && body.detail) || t("The asset could not be moved."));
  return false;
}

markerActions.move = moveAsset;

byId("reload-asset").addEventListener("click", async () => {
  const { response, body } = await api(`/assets/${state.editing.id}`);
  if (response.ok) { placeMarker(body); showAsset(body); }
});

// --- from the keyboard ------------------------------------------------------------------

const METRES_PER_DEGREE = 111_320;
const STEPS = { ArrowUp: [0, 1], ArrowDown: [0, -1], ArrowRight: [1, 0], ArrowLeft: [-1, 0] };
let moving = null; // {marker, from: LatLng, east_m, north_m}

function describeOffset({ east_m: east, north_m: north }) {
  const parts = [];
  const m = (n) => ({ n: Math.abs(n) });
  if (east) parts.push(east > 0 ? t("{n} m east", m(east)) : t("{n} m west", m(east)));
  if (north) parts.push(north > 0 ? t("{n} m north", m(north)) : t("{n} m south", m(north)));
  if (!parts.length) return t("Where it was");
  const and = t(" and ");
  return t("{offset} of where it was", { offset: parts.join(and) });
}

function nudge(key, metres) {
  const [east, north] = STEPS[key];
  moving.east_m += east * metres;
  moving.north_m += north * metres;
  const { from } = moving;
  const to = L.latLng(
    from.lat + moving.north_m / METRES_PER_DEGREE,
    from.lng + moving.east_m / (METRES_PER_DEGREE * Math.cos((from.lat * Math.PI) / 180)),
  );
  moving.marker.setLatLng(to);
  if (!map.getBounds().pad(-0.1).contains(to)) map.panTo(to, { animate: false });
  byId("moving-where").textContent = `${describeOffset(moving)}.`;
}

function stopMoving(feature) {
  moving = null;
  showAsset(feature);
  byId("move").focus();
}

// Anything else shown in the panel meanwhile puts the asset back.
onPanelChange((section) => {
  if (!moving || section === "moving") return;
  moving.marker.setLatLng(moving.from);
  moving = null;
});

byId("move").addEventListener("click", async () => {
  const marker = markers.get(state.editing.id);
  if (!marker) { status(t("Its marker is not on the map: clear the filters to move it.")); return; }
  await showMarker(marker);
  moving = { marker, from: marker.getLatLng(), east_m: 0, north_m: 0 };
  byId("moving-title").textContent = t("Move {name}", { name: marker.feature.properties.name });
  byId("moving-where").textContent = "";
  show("moving");
  byId("move-save").focus();
});

byId("moving").addEventListener("keydown", (event) => {
  if (!moving) return;
  if (STEPS[event.key]) {
    event.preventDefault();
    nudge(event.key, event.shiftKey ? 1 : 10);
  } else if (event.key === "Escape") {
    event.preventDefault();
    byId("move-cancel").click();
  }
});

byId("move-save").addEventListener("click", async () => {
  if (!moving) return;
  const { marker } = moving;
  if (!moving.east_m && !moving.north_m) { stopMoving(marker.feature); return; }
  if (await moveAsset(marker)) stopMoving(marker.feature);
  else if (moving) stopMoving(marker.feature); // refused (its reason in the status line)
});

byId("move-cancel").addEventListener("click", () => {
  if (!moving) return;
  moving.marker.setLatLng(moving.from);
  status(t("{name} is back where it was", { name: moving.marker.feature.properties.name }));
  stopMoving(moving.marker.feature);
});
