// The options on a small map: a site (or any option with a place) as a numbered marker, a
// gap as its neighbourhood's outline (GET /areas/{code}), an innovation where it is under
// way, inside the round's area's outline. The
// numbers are the options' numbers in the list, which says everything the map shows.
import { t } from "../page/i18n.js";
import { api } from "./common.js";

const GAP = { color: "#b2182b", weight: 2, fillOpacity: 0.25 };
const AREA = { color: "#555", weight: 1, dashArray: "4 4", fill: false, interactive: false };

function numbered(number, anchor) {
  return L.divIcon({
    className: "option-pin",
    html: `<span aria-hidden="true">${Number(number)}</span>`,
    iconSize: [26, 26],
    iconAnchor: anchor,
  });
}

async function outline(code) {
  const { response, body } = await api(`/areas/${encodeURIComponent(code)}`);
  return response.ok ? body : null;
}

// Draw `options` in `element` (nothing if Leaflet did not load); resolves once drawn.
export async function drawOptions(element, round, options, basemap) {
  if (!window.L) {
    element.hidden = true;
    return null;
  }
  const map = L.map(element, {
    scrollWheelZoom: false,
    // on a phone one finger scrolls the page; the map pans with two
    dragging: !L.Browser.mobile,
    tap: false,
  });
  if (basemap) {
    L.tileLayer(basemap, { attribution: t("© OpenStreetMap contributors"), maxZoom: 19 }).addTo(map);
  }
  const placed = L.featureGroup().addTo(map);
  const gaps = options.filter((option) => option.kind === "gap" && option.area);
  const [whole, ...areas] = await Promise.all([outline(round.area), ...gaps.map((gap) => outline(gap.area))]);
  if (whole) L.geoJSON(whole, { style: AREA }).addTo(map);
  const pin = (option, latlng, anchor = [13, 13]) => L.marker(latlng, {
    icon: numbered(option.position + 1, anchor),
    keyboard: false, // the list holds the same: no stop for each marker in the tab order
    title: `${option.position + 1}. ${option.title}`,
    alt: `${option.position + 1}. ${option.title}`,
  }).addTo(placed);
  areas.forEach((area, index) => {
    if (!area) return;
    const gap = gaps[index];
    const outlined = L.geoJSON(area, { style: GAP }).bindTooltip(`${gap.position + 1}. ${gap.title}`).addTo(placed);
    // above the outline, clear of any marker inside it
    const box = outlined.getBounds();
    pin(gap, [box.getNorth(), box.getCenter().lng], [13, 28]);
  });
  for (const option of options) {
    if (option.lon !== null && option.lat !== null) pin(option, [option.lat, option.lon]);
    // where an innovation is under way already
    for (const [lon, lat] of (option.kind === "innovation" && option.evidence.points) || []) pin(option, [lat, lon]);
  }
  const bounds = placed.getLayers().length ? placed.getBounds() : whole && L.geoJSON(whole).getBounds();
  if (bounds && bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 14 });
  else map.setView([53.45, -2.33], 11);
  return map;
}
