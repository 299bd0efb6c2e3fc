// Adding an asset: click or tap the map (or use the map's centre), name it, choose its kind
// and category; the API's errors show by their fields, and a near namesake asks "Is it one
// of these?" before it is added anyway.
import { t } from "../page/i18n.js";
import { answeredAt, inRoom, mayAdd, room } from "./room.js";
import { button, byId, clearErrors, closeForm, openForm, option, showProblem, slowDown, status } from "./forms.js";
import { upsertAddition } from "./feed.js";
import { added, existing, map, showMarker } from "./map.js";
import { showRoom } from "./view.js";

const form = byId("asset-form");
let where = null; // where the new asset goes (a Leaflet LatLng)
let spot = null; // the circle on the map there

function flatten(nodes, depth = 0, into = []) {
  for (const node of nodes) {
    into.push({ slug: node.slug, name: node.name, depth });
    flatten(node.children, depth + 1, into);
  }
  return into;
}

function fillCategories(kind) {
  const categories = (room.kinds.find((k) => k.kind === kind) || { categories: [] }).categories;
  byId("a-category").replaceChildren(option("", t("none")));
  for (const category of flatten(categories)) {
    byId("a-category").append(option(category.slug, "\u00a0".repeat(category.depth * 2) + category.name));
  }
}

// The kinds (and each kind's categories) the form offers, once `room.kinds` is read.
export function fillKinds() {
  for (const kind of room.kinds) byId("a-kind").append(option(kind.kind, kind.name));
}

byId("a-kind").addEventListener("change", (event) => fillCategories(event.target.value));

function clearSpot() {
  if (spot) map.removeLayer(spot);
  spot = null;
}

function openAt(latlng) {
  if (!mayAdd()) {
    status(room.closed ? t("The session has closed.") : t("Join the session first, to add to its map."));
    return;
  }
  where = latlng;
  clearSpot();
  spot = L.circleMarker(latlng, { radius: 10, color: "#e76f51", weight: 3, fillOpacity: 0.3 }).addTo(map);
  byId("asset-where").textContent = t("At {lat}, {lon}", { lat: latlng.lat.toFixed(5), lon: latlng.lng.toFixed(5) });
  byId("duplicates").hidden = true;
  openForm("asset-form", "a-name");
}

function close() {
  clearSpot();
  form.reset();
  fillCategories("");
  closeForm("asset-form");
  showRoom();
}

map.on("click", (event) => openAt(event.latlng));
byId("add-here").addEventListener("click", () => openAt(map.getCenter()));
form.querySelector(".cancel").addEventListener("click", close);

// The look-alikes a 409 lists: each may be opened on the map; or it is another place.
function offerLookAlikes(duplicates) {
  byId("duplicate-list").replaceChildren(...duplicates.map((other) => {
    const item = document.createElement("li");
    const marker = existing.get(other.id)
      || [...added.values()].find((m) => m.addition.asset.id === other.id);
    const away = { name: other.name, metres: Math.round(other.distance_m) };
    const text = other.in_session ? t("{name}, {metres} m away, added today", away) : t("{name}, {metres} m away", away);
    item.append(marker ? button(t("{text}: show it", { text }), () => { close(); showMarker(marker); }) : text);
    return item;
  }));
  byId("duplicates").hidden = false;
  byId("duplicates").scrollIntoView({ block: "nearest" });
  byId("duplicates").focus();
}

async function save(confirmed) {
  clearErrors(form);
  const value = (name) => form.elements[name].value.trim() || null;
  const properties = {
    name: value("name") || "", kind: value("kind"), category: value("category"), description: value("description"),
  };
  const geometry = { type: "Point", coordinates: [where.lng, where.lat] };
  const feature = { type: "Feature", geometry, properties };
  const path = confirmed ? "/assets?confirmed=true" : "/assets";
  const { response, body } = await inRoom(path, { method: "POST", body: JSON.stringify(feature) });
  if (response.status === 409 && body && body.duplicates) { offerLookAlikes(body.duplicates); return; }
  if (response.status === 429) { slowDown(form, body); return; }
  if (!response.ok) { showProblem(form, body, t("It could not be added: try again.")); return; }
  const asset = { id: body.asset_id, name: properties.name, kind: properties.kind, lon: where.lng, lat: where.lat };
  const answered = { id: body.addition, type: "asset", status: body.status, at: answeredAt(response) };
  upsertAddition({ ...answered, asset }, true);
  close();
  status(body.status === "published"
    ? t("Added {name}: it is on the map for everyone", properties)
    : t("Added {name}: everyone sees it now; it waits for the facilitators", properties));
  byId("add-here").focus();
}

form.addEventListener("submit", (event) => { event.preventDefault(); save(false); });
byId("another-place").addEventListener("click", () => save(true));
