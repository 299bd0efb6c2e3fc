// Moving an asset by dragging its marker (saved with If-Match), and reloading it when
// someone else changed it meanwhile.
import { api, state } from "./api.js";
import { showAsset } from "./asset.js";
import { byId, status } from "./dom.js";
import { markerActions, placeMarker } from "./map.js";
import { show } from "./panel.js";

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
    status(`Your move of ${feature.properties.name} waits for a moderator`);
    return;
  }
  if (response.ok) {
    marker.feature = body;
    status(`Moved ${body.properties.name}`);
    return;
  }
  marker.setLatLng([oldLat, oldLon]);
  state.editing = feature;
  if (response.status === 412) show("conflict");
  else status((body && body.detail) || "The asset could not be moved.");
}

markerActions.move = moveAsset;

byId("reload-asset").addEventListener("click", async () => {
  const { response, body } = await api(`/assets/${state.editing.id}`);
  if (response.ok) { placeMarker(body); showAsset(body); }
});
