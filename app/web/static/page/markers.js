// How assets look on the page's map and the embedded one: a dot coloured by kind (grey when
// no one has confirmed it for a year, dashed while it waits for a moderator), in clusters
// that say how many they hold. Every marker and cluster is focusable from the keyboard
// (Enter opens it) and has a name a screen reader says ("Stretford Library", "12 assets").
import { t } from "./i18n.js";

export const KIND_COLOURS = {
  individual: "#e41a1c", association: "#377eb8", institution: "#4daf4a",
  physical: "#984ea3", economic: "#ff7f00", cultural: "#a65628",
};
export const STALE_COLOUR = "#9e9e9e";

// Assets no one has confirmed (verified, or else added) for a year are greyed out.
const STALE_MS = 365 * 24 * 3600 * 1000;

export function isStale(properties) {
  const confirmed = properties.verified_at || properties.created_at;
  return Boolean(confirmed) && Date.now() - Date.parse(confirmed) > STALE_MS;
}

// A DivIcon whose element carries an accessible name: Leaflet names an icon only by its
// `title` (a tooltip), and markercluster's clusters not at all.
const NamedIcon = L.DivIcon.extend({
  createIcon(old) {
    const element = L.DivIcon.prototype.createIcon.call(this, old);
    element.setAttribute("aria-label", this.options.label);
    return element;
  },
});

// What a screen reader says of an asset's marker: its name, and whether it is pending or stale.
function markerLabel(properties) {
  const notes = [];
  if (properties.status && properties.status !== "published") notes.push(t("waiting for a moderator"));
  if (isStale(properties)) notes.push(t("not confirmed for over a year"));
  return notes.length ? `${properties.name} (${notes.join("; ")})` : properties.name;
}

export function assetIcon(properties) {
  const dot = document.createElement("div");
  dot.className = "asset-dot";
  if (isStale(properties)) dot.classList.add("stale");
  if (properties.status && properties.status !== "published") dot.classList.add("pending");
  dot.style.background = KIND_COLOURS[properties.kind] || "#666";
  return new NamedIcon({
    html: dot.outerHTML, className: "asset-marker", iconSize: [24, 24], iconAnchor: [12, 12],
    label: markerLabel(properties),
  });
}

function clusterIcon(cluster) {
  const count = cluster.getChildCount();
  const size = count < 10 ? "small" : count < 100 ? "medium" : "large";
  return new NamedIcon({
    html: `<div><span>${count}</span></div>`,
    className: `marker-cluster marker-cluster-${size}`,
    iconSize: L.point(40, 40),
    label: count === 1 ? t("{n} asset", { n: count }) : t("{n} assets", { n: count }),
  });
}

// The assets' layer: clusters until a street's zoom, each named by how many it holds.
export function clusterGroup() {
  return L.markerClusterGroup({ disableClusteringAtZoom: 17, iconCreateFunction: clusterIcon });
}
