// The systems leadership network of an area: reads GET /network?within=<code> and draws it
// with Cytoscape.js (a force-directed layout), beside a table of the same nodes for keyboard
// and screen-reader users. Selecting a node, in either, shows how connected it is.
import { t } from "./page/i18n.js";

const byId = (id) => document.getElementById(id);
const { code, name: areaName } = document.body.dataset;

// the community builders' map's colours for the kinds of asset
const KIND_COLOURS = {
  individual: "#e41a1c", association: "#377eb8", institution: "#4daf4a",
  physical: "#984ea3", economic: "#ff7f00", cultural: "#a65628",
};
const KIND_NAMES = {
  individual: t("Individual"), association: t("Association"), institution: t("Institution"),
  physical: t("Physical space"), economic: t("Economic"), cultural: t("Cultural"),
};
const OTHER_ASSET = "#666666";
// node type -> its colour and shape, so types differ by more than colour
const TYPES = {
  asset: { name: t("Asset"), shape: "ellipse" },
  innovation: { name: t("Innovation"), shape: "diamond", colour: "#f781bf" },
  participant: { name: t("Scanning day participant"), shape: "triangle", colour: "#999999" },
};
// edge type -> how it reads from its source, and from its target
const LINKS = {
  got_going: [t("Got going"), t("Got going by")],
  involves: [t("Involves"), t("Involved in")],
  added: [t("Added on a scanning day"), t("Added on a scanning day by")],
  runs: [t("Runs"), t("Run by")],
  meets_at: [t("Meets at"), t("Meeting place of")],
  part_of: [t("Part of"), t("Has as a part")],
  partners_with: [t("Partners with"), t("Partners with")],
  supports: [t("Supports"), t("Supported by")],
  funds: [t("Funds"), t("Funded by")],
};
// an innovation's stages
const STAGES = {
  idea: t("idea"), started: t("started"), spreading: t("spreading"), stopped: t("stopped"),
};
// shapes' sides in pixels: the least connecting node, and the most
const SMALLEST = 18;
const LARGEST = 60;
// the side of the square each node and its label need, in pixels at full size
const ROOM = 150;
// the largest zoom a network is first shown at
const CLOSEST = 1.25;
// how often to ask a busy service
const BUSY_TRIES = 3;

const state = { cy: null, nodes: [], sort: { key: "betweenness", descending: true } };
// for the browser tests and the curious
window.networkPage = state;

function linkPhrases(type) {
  const words = type.replaceAll("_", " ");
  const phrase = words[0].toUpperCase() + words.slice(1);
  return LINKS[type] || [phrase, t("{phrase} (by)", { phrase })];
}

function colour(node) {
  if (node.type === "asset") return KIND_COLOURS[node.asset_kind] || OTHER_ASSET;
  return (TYPES[node.type] || TYPES.participant).colour;
}

function typeName(node) {
  if (node.type === "asset") {
    return t("Asset: {kind}", { kind: KIND_NAMES[node.asset_kind] || node.asset_kind || t("other") });
  }
  if (node.type === "innovation") {
    return node.status
      ? t("Innovation ({stage})", { stage: STAGES[node.status] || node.status })
      : TYPES.innovation.name;
  }
  return (TYPES[node.type] || { name: node.type }).name;
}

const betweenness = (node) => Number(node.betweenness) || 0;
const formatBetweenness = (node) => betweenness(node).toFixed(3);

function say(text, kind) {
  const status = byId("status");
  status.textContent = text;
  status.classList.toggle("error", kind === "error");
  document.body.dataset.state = kind;
}

function showPeopleNotShown(count) {
  const line = byId("not-shown");
  line.hidden = !(count > 0);
  line.textContent = count === 1
    ? t("1 more person is part of this network but has not agreed to be named.")
    : t("{count} more people are part of this network but have not agreed to be named.", { count });
}

function swatch(colourOf, shape) {
  const mark = document.createElement("span");
  mark.className = `swatch ${shape}`;
  mark.style.setProperty("--swatch", colourOf);
  mark.setAttribute("aria-hidden", "true");
  return mark;
}

function drawLegend() {
  const legend = byId("legend");
  const entries = [
    ...Object.entries(KIND_NAMES).map(([kind, label]) => [swatch(KIND_COLOURS[kind], "ellipse"), t("Asset: {kind}", { kind: label })]),
    [swatch(TYPES.innovation.colour, "diamond"), TYPES.innovation.name],
    [swatch(TYPES.participant.colour, "triangle"), TYPES.participant.name],
    [swatch("", "line got-going"), t("got an innovation going")],
    [swatch("", "line involves"), t("an innovation involves an asset")],
    [swatch("", "line link"), t("runs, meets at, part of, partners with, supports or funds")],
  ];
  for (const [mark, label] of entries) {
    const item = document.createElement("li");
    item.append(mark, label);
    legend.append(item);
  }
}

function graphStyle() {
  return [
    {
      selector: "node",
      style: {
        "background-color": "data(colour)", width: "data(size)", height: "data(size)",
        "border-width": 1.5, "border-color": "#fff",
        label: "data(label)", "font-size": 12, color: "#222", "text-valign": "bottom",
        "text-margin-y": 3, "text-wrap": "wrap", "text-max-width": 130,
        "text-background-color": "#fff", "text-background-opacity": 0.75,
        "text-background-padding": 1, "min-zoomed-font-size": 6,
      },
    },
    ...Object.entries(TYPES).map(([type, { shape }]) => ({ selector: `node[type = "${type}"]`, style: { shape } })),
    { selector: "node:selected", style: { "border-width": 4, "border-color": "#111", "z-index": 10 } },
    {
      selector: "edge",
      style: {
        width: 1.5, "line-color": "#9a9a9a", "target-arrow-color": "#9a9a9a",
        "target-arrow-shape": "triangle", "arrow-scale": 0.8, "curve-style": "bezier",
      },
    },
    { selector: 'edge[type = "got_going"]', style: { width: 3, "line-color": "#333", "target-arrow-color": "#333" } },
    { selector: 'edge[type = "involves"]', style: { "line-style": "dashed", "line-color": "#666", "target-arrow-color": "#666" } },
    { selector: ".faded", style: { opacity: 0.2 } },
  ];
}

function elements(network) {
  const most = Math.max(0, ...network.nodes.map(betweenness));
  const ids = new Set(network.nodes.map((node) => node.id));
  const nodes = network.nodes.map((node) => ({
    data: {
      id: node.id, type: node.type, label: node.label, colour: colour(node),
      // the side grows with the square root, so the shape's area grows with betweenness
      size: most > 0 ? SMALLEST + (LARGEST - SMALLEST) * Math.sqrt(betweenness(node) / most) : 28,
    },
  }));
  // Cytoscape refuses an edge whose end is no node: only edges between nodes shown are drawn
  const edges = network.edges
    .filter((edge) => ids.has(edge.source) && ids.has(edge.target))
    .map((edge, index) => ({ data: { id: `edge-${index}`, ...edge } }));
  return [...nodes, ...edges];
}

// The box the layout fills (cose keeps to it): in the drawing's own shape, so a wide screen
// gets a wide network, with the room its nodes and their labels need.
function layoutBox(count) {
  const { clientWidth: width, clientHeight: height } = byId("graph");
  const scale = Math.sqrt((count * ROOM * ROOM) / (width * height));
  return { x1: 0, y1: 0, w: width * scale, h: height * scale };
}

function draw(network) {
  const cy = cytoscape({
    container: byId("graph"),
    elements: elements(network),
    style: graphStyle(),
    selectionType: "single",
    boxSelectionEnabled: false,
    minZoom: 0.05,
    maxZoom: 4,
  });
  state.cy = cy;
  cy.on("select", "node", (event) => showNode(event.target.id()));
  cy.on("unselect", "node", () => {
    if (cy.$("node:selected").empty()) showNode(null);
  });
  const layout = cy.layout({
    name: "cose", animate: false, randomize: true, fit: true, padding: 30,
    boundingBox: layoutBox(network.nodes.length),
    nodeDimensionsIncludeLabels: true, componentSpacing: 40, gravity: 40,
    idealEdgeLength: () => 50, nodeRepulsion: () => 6000,
  });
  layout.one("layoutstop", () => {
    // a small network is not blown up to fill the screen
    if (cy.zoom() > CLOSEST) {
      cy.zoom(CLOSEST);
      cy.center();
    }
    const count = network.nodes.length;
    const who = count === 1
      ? t("{count} person, group or innovation", { count })
      : t("{count} people, groups and innovations", { count });
    const links = cy.edges().length;
    const how = links === 1 ? t("{links} connection", { links }) : t("{links} connections", { links });
    say(t("{who}, {how}.", { who, how }), "drawn");
  });
  layout.run();
}

function describe(node) {
  const facts = byId("selected-facts");
  facts.replaceChildren();
  for (const [term, value] of [
    [t("Type"), typeName(node)],
    [t("Connections (degree)"), String(node.degree)],
    [t("Betweenness"), formatBetweenness(node)],
  ]) {
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    dd.textContent = value;
    facts.append(dt, dd);
  }
}

function listConnections(id) {
  const list = byId("selected-connections");
  list.replaceChildren();
  const byNodeId = new Map(state.nodes.map((node) => [node.id, node]));
  for (const edge of state.cy.getElementById(id).connectedEdges()) {
    const { source, target, type } = edge.data();
    const [outgoing, incoming] = linkPhrases(type);
    const other = byNodeId.get(source === id ? target : source);
    const item = document.createElement("li");
    item.textContent = `${source === id ? outgoing : incoming}: ${other.label}`;
    list.append(item);
  }
  if (!list.children.length) {
    const item = document.createElement("li");
    item.textContent = t("none shown");
    list.append(item);
  }
}

function showNode(id) {
  const node = state.nodes.find((each) => each.id === id);
  const cy = state.cy;
  byId("selected-node").hidden = !node;
  byId("selected-hint").hidden = Boolean(node);
  cy.elements().removeClass("faded");
  for (const row of byId("node-list").tBodies[0].rows) {
    row.classList.toggle("selected", row.dataset.id === id);
  }
  if (!node) return;
  byId("selected-name").textContent = node.label;
  describe(node);
  listConnections(id);
  const element = cy.getElementById(id);
  cy.elements().not(element.closedNeighborhood()).addClass("faded");
}

function selectFromList(id) {
  const element = state.cy.getElementById(id);
  state.cy.$(":selected").unselect();
  element.select();
  state.cy.animate({ center: { eles: element }, duration: 250 });
}

function sorted(nodes) {
  const { key, descending } = state.sort;
  const value = key === "label" ? (node) => node.label.toLocaleLowerCase() : (node) => Number(node[key]) || 0;
  const byName = (a, b) => a.label.localeCompare(b.label);
  return [...nodes].sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    const order = x < y ? -1 : x > y ? 1 : 0;
    return (descending ? -order : order) || byName(a, b);
  });
}

const SORT_CAPTIONS = {
  label: t("Sorted by name"),
  degree: t("Sorted by connections, the most connected first"),
  betweenness: t("Sorted by betweenness, the connectors first"),
};

function fillList() {
  const table = byId("node-list");
  const body = table.tBodies[0];
  body.replaceChildren();
  const selected = state.cy && state.cy.$("node:selected").map((node) => node.id())[0];
  for (const node of sorted(state.nodes)) {
    const row = body.insertRow();
    row.dataset.id = node.id;
    row.classList.toggle("selected", node.id === selected);
    const nameCell = row.insertCell();
    const button = document.createElement("button");
    button.type = "button";
    button.className = "node-name";
    button.append(swatch(colour(node), (TYPES[node.type] || TYPES.participant).shape), node.label);
    button.addEventListener("click", () => selectFromList(node.id));
    nameCell.append(button);
    row.insertCell().textContent = typeName(node);
    const degree = row.insertCell();
    degree.textContent = String(node.degree);
    degree.className = "number";
    const between = row.insertCell();
    between.textContent = formatBetweenness(node);
    between.className = "number";
  }
  for (const heading of table.tHead.querySelectorAll("th[data-sort]")) {
    const active = heading.dataset.sort === state.sort.key;
    heading.setAttribute("aria-sort", active ? (state.sort.descending ? "descending" : "ascending") : "none");
  }
  const { key, descending } = state.sort;
  const reversed = key === "label" ? descending : !descending;
  table.caption.textContent = reversed
    ? t("{sorted}, reversed; choose a column's heading to sort by it.", { sorted: SORT_CAPTIONS[key] })
    : t("{sorted}; choose a column's heading to sort by it.", { sorted: SORT_CAPTIONS[key] });
}

function sortBy(key) {
  state.sort = state.sort.key === key
    ? { key, descending: !state.sort.descending }
    : { key, descending: key !== "label" };
  fillList();
}

const pause = (seconds) => new Promise((resolve) => { setTimeout(resolve, seconds * 1000); });

// The network, as the API answers it: worked out once per version of the data, so a busy
// service (503 with Retry-After) is asked again a few times before the page gives up.
// the area's network, or (from /network/<code>?session=<id>) one scanning session's part
const query = new URLSearchParams({ within: code });
const sessionId = new URLSearchParams(window.location.search).get("session");
if (sessionId) query.set("session", sessionId);

async function fetchNetwork() {
  for (let tries = 1; ; tries += 1) {
    const response = await fetch(`/network?${query}`, {
      headers: { Accept: "application/json" },
    });
    const body = await response.json().catch(() => null);
    if (response.status !== 503 || tries === BUSY_TRIES) return { response, body };
    const wait = Number(response.headers.get("Retry-After")) || 5;
    say(wait === 1
      ? t("The service is busy: trying again in {wait} second…", { wait })
      : t("The service is busy: trying again in {wait} seconds…", { wait }), "waiting");
    await pause(wait);
  }
}

async function load() {
  let answer;
  try {
    answer = await fetchNetwork();
  } catch {
    say(t("The network could not be loaded: the service did not answer. Try again in a moment."), "error");
    return;
  }
  const { response, body } = answer;
  if (!response.ok || !body || !Array.isArray(body.nodes)) {
    const why = ((body && body.detail) || t("the service answered {status}", { status: response.status })).replace(/\.$/, "");
    say(t("The network could not be loaded: {why}.", { why }), "error");
    return;
  }
  showPeopleNotShown(Number(body.people_not_shown) || 0);
  if (body.method) {
    byId("method-text").textContent = body.method;
    byId("method").hidden = false;
  }
  if (!body.nodes.length) {
    say(t("No one in {area} is part of the network yet: it grows as innovations, who got them "
      + "going and the links between assets are recorded.", { area: areaName }), "empty");
    return;
  }
  state.nodes = body.nodes;
  byId("network").hidden = false;
  draw(body);
  fillList();
}

for (const heading of byId("node-list").tHead.querySelectorAll("th[data-sort]")) {
  heading.querySelector("button").addEventListener("click", () => sortBy(heading.dataset.sort));
}
drawLegend();
load();
