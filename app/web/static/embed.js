// The embeddable map (/embed, app/web/embed.py): the area's outline and its published
// assets, from the area's GeoJSON export, clustered and coloured by kind, each opening its
// details (name, kind and category, address, opening hours) from a click or from the
// keyboard; a legend of the kinds shown, and the attribution. Nothing here edits anything.
// Text from data is set as text, never as HTML. Once the assets are on the map the body
// carries data-ready and data-assets (how many).
import { t } from "./page/i18n.js";
import { KIND_COLOURS, STALE_COLOUR, assetIcon, clusterGroup, isStale } from "./page/markers.js";

const config = JSON.parse(document.getElementById("config").textContent);
const map = L.map("map", { keyboard: true });
map.setView([53.43, -2.35], 11);
const home = document.createElement("a");
home.href = "/";
home.target = "_blank";
home.rel = "noopener";
home.textContent = t("Community Asset Map");
map.attributionControl.addAttribution(home.outerHTML);
if (config.basemap) {
  L.tileLayer(config.basemap, { attribution: t("© OpenStreetMap contributors"), maxZoom: 19 }).addTo(map);
}
const cluster = clusterGroup();
map.addLayer(cluster);

async function json(path) {
  const response = await fetch(path);
  return response.ok ? response.json() : null;
}

function line(parent, text, tag = "div") {
  const element = document.createElement(tag);
  element.textContent = text;
  parent.append(element);
  return element;
}

function details(properties, categories, kinds) {
  const box = document.createElement("div");
  line(box, properties.name, "strong");
  const category = categories.get(properties.category);
  const kind = kinds.get(properties.kind) || properties.kind;
  line(box, category ? `${kind}: ${category}` : kind);
  const address = [properties.address, properties.postcode].filter(Boolean).join(", ");
  if (address) line(box, address);
  if (properties.opening_hours) line(box, t("Open: {hours}", { hours: properties.opening_hours }));
  if (isStale(properties)) line(box, t("Not confirmed for over a year: is it still there?"), "em");
  return box;
}

function categoryNames(taxonomy) {
  const names = new Map();
  const walk = (nodes) => { for (const node of nodes) { names.set(node.slug, node.name); walk(node.children); } };
  for (const kind of (taxonomy && taxonomy.kinds) || []) walk(kind.categories);
  return names;
}

function kindNames(taxonomy) {
  return new Map(((taxonomy && taxonomy.kinds) || []).map((kind) => [kind.kind, kind.name || kind.kind]));
}

function showLegend(counts, stale, kinds) {
  const list = document.getElementById("legend-list");
  for (const [kind, colour] of Object.entries(KIND_COLOURS)) {
    if (!counts[kind]) continue;
    list.append(legendItem(colour, `${kinds.get(kind) || kind} (${counts[kind]})`));
  }
  if (stale) list.append(legendItem(STALE_COLOUR, t("not confirmed for a year ({n})", { n: stale })));
}

function legendItem(colour, text) {
  const item = document.createElement("li");
  const swatch = document.createElement("span");
  swatch.className = "swatch";
  swatch.style.background = colour;
  swatch.setAttribute("aria-hidden", "true");
  item.append(swatch, text);
  return item;
}

async function load() {
  const { within, ...chosen } = config.filters;
  const query = new URLSearchParams(config.filters);
  const [assets, area, taxonomy] = await Promise.all([
    json(`/exports/assets.geojson?${query}`),
    within ? json(`/areas/${encodeURIComponent(within)}`) : null,
    json("/taxonomy"),
  ]);
  const categories = categoryNames(taxonomy);
  const kinds = kindNames(taxonomy);
  const counts = {};
  let stale = 0;
  for (const feature of (assets && assets.features) || []) {
    const properties = feature.properties;
    const [lon, lat] = feature.geometry.coordinates;
    const marker = L.marker([lat, lon], {
      icon: assetIcon(properties), title: properties.name, keyboard: true,
    });
    marker.bindPopup(() => details(properties, categories, kinds));
    cluster.addLayer(marker);
    if (isStale(properties)) stale += 1;
    else counts[properties.kind] = (counts[properties.kind] || 0) + 1;
  }
  if (area) {
    const outline = L.geoJSON(area, {
      interactive: false, style: { color: "#1d3557", weight: 2, fillOpacity: 0.04 },
    }).addTo(map);
    map.fitBounds(outline.getBounds(), { animate: false });
  } else if (cluster.getLayers().length) {
    map.fitBounds(cluster.getBounds().pad(0.05), { animate: false });
  }
  showLegend(counts, stale, kinds);
  const shown = cluster.getLayers().length;
  const filtered = Object.values(chosen).length > 0;
  const said = { n: shown };
  let words;
  if (filtered) {
    words = shown === 1 ? t("{n} asset matching the filters on the map", said)
      : t("{n} assets matching the filters on the map", said);
  } else {
    words = shown === 1 ? t("{n} asset on the map", said) : t("{n} assets on the map", said);
  }
  document.getElementById("status").textContent = words;
  document.body.dataset.assets = String(shown);
  document.body.dataset.ready = "true";
}

load();
