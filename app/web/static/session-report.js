// The scanning day's report: its map of the new assets (filled; grey while they wait) and
// those confirmed today (rings), from the report's data in the page, and its Print button.
import { t } from "./page/i18n.js";

const data = JSON.parse(document.getElementById("report-data").textContent);

document.getElementById("print").addEventListener("click", () => window.print());

const map = L.map("map", { scrollWheelZoom: false });
if (data.basemap) {
  L.tileLayer(data.basemap, { attribution: t("© OpenStreetMap contributors"), maxZoom: 19 }).addTo(map);
}
const placed = [];
const mark = (asset, style, what) => {
  if (asset.lon == null || asset.lat == null) return;
  L.circleMarker([asset.lat, asset.lon], style)
    .bindTooltip(`${asset.name} (${what})`)
    .addTo(map);
  placed.push([asset.lat, asset.lon]);
};
for (const asset of data.new) {
  const waiting = asset.status !== "published";
  mark(asset, { radius: 7, weight: 1, color: "#222", fillColor: waiting ? "#999" : "#1b7837", fillOpacity: 0.9 },
    waiting ? t("new, {status}", { status: t(asset.status) }) : t("new"));
}
for (const asset of data.confirmed) {
  mark(asset, { radius: 8, weight: 3, color: "#2166ac", fill: false }, t("confirmed today"));
}
if (placed.length) map.fitBounds(placed, { padding: [24, 24], maxZoom: 15 });
else map.setView([53.45, -2.3], 11);
document.body.dataset.ready = "true";
