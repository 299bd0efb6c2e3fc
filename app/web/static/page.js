// The community builders' page: see the locality, add an asset by clicking the map, select
// one to see or edit it, drag it to move it. Everything goes through the HTTP API.
"use strict";

const config = JSON.parse(document.getElementById("config").textContent);
const KIND_COLOURS = {
  individual: "#e41a1c", association: "#377eb8", institution: "#4daf4a",
  physical: "#984ea3", economic: "#ff7f00", cultural: "#a65628",
};
const byId = (id) => document.getElementById(id);
const panel = byId("panel");
const form = byId("asset-form");
const state = { taxonomy: [], outcomes: [], categories: [], editing: null, where: null, draft: null };

const map = L.map("map", { zoomControl: true, keyboard: true });
if (config.basemap) {
  L.tileLayer(config.basemap, { attribution: "© OpenStreetMap contributors", maxZoom: 19 }).addTo(map);
}
map.setView([53.43, -2.35], 12);
const cluster = L.markerClusterGroup({ disableClusteringAtZoom: 17 });
map.addLayer(cluster);
const markers = new Map(); // asset id -> marker
// for the browser tests and the curious: the map and its markers
window.assetMap = { map, cluster, markers };

// The bearer token of whoever signed in on this tab (kept for the tab's life only).
const TOKEN_KEY = "assetmap.token";

async function api(path, options = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = { "Content-Type": "application/json", ...(options.headers || {}) };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path, { ...options, headers });
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.status === 401 && token) {
    signedOut("Your sign-in has expired: sign in again.");
  }
  return { response, body };
}

function status(message) { byId("status").textContent = message; }

// --- the neighbourhoods, the taxonomy and the filters -------------------------------------

async function loadNeighbourhoods() {
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

function option(value, label) {
  const element = document.createElement("option");
  element.value = value;
  element.textContent = label;
  return element;
}

async function loadTaxonomy() {
  const [taxonomy, outcomes] = await Promise.all([api("/taxonomy"), api("/outcomes")]);
  state.taxonomy = taxonomy.body.kinds;
  state.categories = flatten(state.taxonomy.flatMap((kind) => kind.categories));
  state.outcomes = outcomes.body;
  const kinds = state.taxonomy.map((kind) => kind.kind);
  for (const kind of kinds) {
    byId("filter-kind").append(option(kind, kind));
    byId("f-kind").append(option(kind, kind));
  }
  for (const category of state.categories) {
    byId("filter-category").append(option(category.slug, "\u00a0".repeat(category.depth * 2) + category.name));
  }
  for (const outcome of state.outcomes) {
    byId("filter-outcome").append(option(outcome.slug, outcome.name));
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = "outcomes";
    box.value = outcome.slug;
    label.append(box, " " + outcome.name);
    byId("f-outcomes").append(label);
  }
  fillCategories("");
}

function fillCategories(kind, selected = "") {
  const select = byId("f-category");
  select.replaceChildren(option("", "none"));
  for (const category of state.categories.filter((c) => c.kind === kind)) {
    select.append(option(category.slug, "\u00a0".repeat(category.depth * 2) + category.name));
  }
  select.value = selected;
}

byId("f-kind").addEventListener("change", (event) => fillCategories(event.target.value));

// --- the assets -------------------------------------------------------------------------

// Assets no one has confirmed (verified, or else added) for a year are greyed out.
const STALE_MS = 365 * 24 * 3600 * 1000;

function isStale(properties) {
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

function placeMarker(feature) {
  const [lon, lat] = feature.geometry.coordinates;
  const existing = markers.get(feature.id);
  if (existing) cluster.removeLayer(existing);
  const marker = L.marker([lat, lon], {
    icon: icon(feature.properties), title: feature.properties.name,
    alt: feature.properties.name, draggable: true, keyboard: true,
  });
  marker.feature = feature;
  marker.on("click", () => showAsset(marker.feature));
  marker.on("dragend", () => moveAsset(marker));
  cluster.addLayer(marker);
  markers.set(feature.id, marker);
  return marker;
}

async function loadAssets() {
  const query = new URLSearchParams({ limit: "10000" });
  for (const [name, id] of [["q", "search"], ["kind", "filter-kind"], ["category", "filter-category"], ["outcome", "filter-outcome"]]) {
    if (byId(id).value) query.set(name, byId(id).value);
  }
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

// --- seeing an asset --------------------------------------------------------------------

function show(section) {
  panel.hidden = false;
  for (const id of ["details", "asset-form", "conflict", "sign-in", "notice", "queue"]) {
    byId(id).hidden = id !== section;
  }
  map.invalidateSize();
}

function showAsset(feature) {
  const p = feature.properties;
  byId("details-name").textContent = p.name;
  const list = byId("details-list");
  list.replaceChildren();
  const contact = p.contact || {};
  const rows = [
    ["Kind", p.kind], ["Category", p.category], ["Description", p.description],
    ["Address", [p.address, p.postcode].filter(Boolean).join(", ")],
    ["Phone", contact.phone], ["Email", contact.email], ["Website", contact.website],
    ["Opening hours", p.opening_hours], ["Who it is for", p.audience],
    ["Last verified", p.verified_at ? p.verified_at.slice(0, 10) : "never"],
    ["Status", p.status === "published" ? null : `${p.status}: not public until a moderator approves it`],
    ["Is it still there?", isStale(p) ? "No one has confirmed it for over a year" : null],
  ];
  for (const [term, value] of rows) {
    if (!value) continue;
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    dd.textContent = value;
    list.append(dt, dd);
  }
  state.editing = feature;
  show("details");
}

// --- adding and editing -----------------------------------------------------------------

function clearErrors() {
  for (const element of form.querySelectorAll(".error")) element.textContent = "";
  for (const element of form.querySelectorAll("[aria-invalid]")) element.removeAttribute("aria-invalid");
  byId("duplicates").hidden = true;
}

let draftMarker = null;

function clearDraftMarker() {
  if (draftMarker) map.removeLayer(draftMarker);
  draftMarker = null;
}

function openForm(latlng, feature = null) {
  clearErrors();
  state.where = latlng;
  clearDraftMarker();
  if (!feature) {
    // where the new asset will go
    draftMarker = L.circleMarker(latlng, { radius: 9, color: "#e76f51", weight: 3, fillOpacity: 0.3 }).addTo(map);
  }
  state.editing = feature;
  byId("form-title").textContent = feature ? `Edit ${feature.properties.name}` : "Add an asset";
  byId("form-where").textContent = `At ${latlng.lat.toFixed(5)}, ${latlng.lng.toFixed(5)}`;
  if (feature) {
    const p = feature.properties;
    const contact = p.contact || {};
    byId("f-name").value = p.name || "";
    byId("f-kind").value = p.kind;
    fillCategories(p.kind, p.category || "");
    byId("f-description").value = p.description || "";
    byId("f-address").value = p.address || "";
    byId("f-postcode").value = p.postcode || "";
    byId("f-phone").value = contact.phone || "";
    byId("f-email").value = contact.email || "";
    byId("f-website").value = contact.website || "";
    byId("f-opening-hours").value = p.opening_hours || "";
    byId("f-audience").value = p.audience || "";
    for (const box of form.querySelectorAll("input[name=outcomes]")) box.checked = (p.outcomes || []).includes(box.value);
  } else if (!state.draft) {
    form.reset();
    fillCategories(byId("f-kind").value);
  }
  show("asset-form");
  byId("f-name").focus();
}

map.on("click", (event) => openForm(event.latlng));
byId("add-here").addEventListener("click", () => openForm(map.getCenter()));
byId("edit").addEventListener("click", () => {
  const [lon, lat] = state.editing.geometry.coordinates;
  openForm(L.latLng(lat, lon), state.editing);
});
byId("cancel").addEventListener("click", () => {
  state.draft = null;
  clearDraftMarker();
  panel.hidden = true;
  map.invalidateSize();
});
byId("close-panel").addEventListener("click", () => { panel.hidden = true; map.invalidateSize(); });

function formProperties() {
  const value = (id) => byId(id).value.trim() || null;
  const contact = { phone: value("f-phone"), email: value("f-email"), website: value("f-website") };
  const properties = {
    name: byId("f-name").value.trim(), kind: value("f-kind"), category: value("f-category"),
    description: value("f-description"), address: value("f-address"), postcode: value("f-postcode"),
    opening_hours: value("f-opening-hours"), audience: value("f-audience"),
    outcomes: [...form.querySelectorAll("input[name=outcomes]:checked")].map((box) => box.value),
    contact: Object.values(contact).some(Boolean) ? contact : null,
  };
  return properties;
}

// The API names fields as paths ("properties.contact.email"): show each next to its input.
function showErrors(problem) {
  const errors = (problem && problem.errors) || [];
  let shown = false;
  for (const error of errors) {
    const parts = error.field.split(".");
    const name = parts[0] === "properties" ? parts[parts.length - 1] : null;
    const target = name && byId(`error-${name}`);
    if (target) {
      target.textContent = error.message;
      const input = form.querySelector(`[name=${name}]`);
      if (input) input.setAttribute("aria-invalid", "true");
      shown = true;
    } else {
      byId("error-general").textContent = `${error.field}: ${error.message}`;
      shown = true;
    }
  }
  if (!shown) byId("error-general").textContent = (problem && problem.detail) || "The change could not be saved.";
  const first = form.querySelector("[aria-invalid=true]") || byId("error-general");
  first.scrollIntoView({ block: "center" });
  if (first.focus) first.focus();
}

async function nearNamesakes(properties) {
  const words = properties.name.toLowerCase().match(/[\p{L}\p{N}]+/gu) || [];
  if (!words.length) return [];
  const query = new URLSearchParams({
    near: `${state.where.lng},${state.where.lat}`, within_m: "100", limit: "20",
  });
  const { body } = await api(`/assets?${query}`);
  const similar = (other) => {
    const theirs = new Set((other.toLowerCase().match(/[\p{L}\p{N}]+/gu) || []));
    const shared = words.filter((word) => theirs.has(word)).length;
    return shared / Math.max(words.length, theirs.size) >= 0.5;
  };
  return ((body && body.features) || []).filter((f) => similar(f.properties.name));
}

async function save(checkDuplicates) {
  clearErrors();
  const properties = formProperties();
  state.draft = properties;
  const geometry = { type: "Point", coordinates: [state.where.lng, state.where.lat] };
  if (!state.editing && checkDuplicates) {
    const namesakes = await nearNamesakes(properties);
    if (namesakes.length) {
      const list = byId("duplicate-list");
      list.replaceChildren();
      for (const other of namesakes) {
        const item = document.createElement("li");
        const link = document.createElement("button");
        link.type = "button";
        link.textContent = `${other.properties.name} (${Math.round(other.properties.distance_m)} m away): open it`;
        link.addEventListener("click", () => { state.draft = null; showAsset(other); });
        item.append(link);
        list.append(item);
      }
      byId("duplicates").hidden = false;
      // the warning sits above the fields: bring it into view, where the builder is looking
      byId("duplicates").scrollIntoView({ block: "nearest" });
      byId("duplicates").focus();
      return;
    }
  }
  const request = state.editing
    ? api(`/assets/${state.editing.id}`, {
        method: "PATCH", body: JSON.stringify({ properties }),
        headers: { "If-Match": `"${state.editing.id}-${state.editing.properties.version}"` },
      })
    : api("/assets", { method: "POST", body: JSON.stringify({ type: "Feature", geometry, properties }) });
  const { response, body } = await request;
  if (response.status === 412) { show("conflict"); return; }
  if (!response.ok) { showErrors(body); return; }
  state.draft = null;
  clearDraftMarker();
  if (response.status === 202) {
    // a suggestion, or a change to a published asset: it waits for a moderator
    byId("notice-text").textContent = `${properties.name}: ${body.detail}.`;
    show("notice");
    status("Sent to a moderator");
    return;
  }
  placeMarker(body);
  document.body.dataset.assets = String(markers.size);
  showAsset(body);
  status(body.properties.status === "pending"
    ? `Saved ${body.properties.name}: a moderator will check it before the public sees it`
    : `Saved ${body.properties.name}`);
}

form.addEventListener("submit", (event) => { event.preventDefault(); save(true); });
byId("not-duplicate").addEventListener("click", () => save(false));

// --- moving -----------------------------------------------------------------------------

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

byId("reload-asset").addEventListener("click", async () => {
  const { response, body } = await api(`/assets/${state.editing.id}`);
  if (response.ok) { placeMarker(body); showAsset(body); }
});

// --- signing in, and the review queue ----------------------------------------------------

state.account = null;

function showAccount() {
  const account = state.account;
  byId("account-name").textContent = account ? `${account.email} (${account.role})` : "";
  byId("sign-in-open").hidden = Boolean(account);
  byId("sign-out").hidden = !account;
  byId("queue-open").hidden = !account;
  byId("queue-open").textContent = account && ["moderator", "admin"].includes(account.role)
    ? "Review queue" : "Your suggestions";
}

function signedOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.account = null;
  showAccount();
  if (message) status(message);
}

async function loadAccount() {
  if (!sessionStorage.getItem(TOKEN_KEY)) return;
  const { response, body } = await api("/auth/me");
  state.account = response.ok ? body : null;
  showAccount();
}

byId("sign-in-open").addEventListener("click", () => { show("sign-in"); byId("s-email").focus(); });
byId("sign-out").addEventListener("click", async () => {
  signedOut("Signed out");
  panel.hidden = true;
  await loadAssets();
});
byId("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  byId("sign-in-error").textContent = "";
  const response = await fetch("/auth/token", {
    method: "POST",
    body: new URLSearchParams({ username: byId("s-email").value, password: byId("s-password").value }),
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    byId("sign-in-error").textContent = (body && body.detail) || "Signing in failed.";
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, body.access_token);
  byId("s-password").value = "";
  await loadAccount();
  panel.hidden = true;
  map.invalidateSize();
  status(`Signed in as ${state.account.email}`);
});

function card(lines, buttons = []) {
  const item = document.createElement("li");
  for (const [text, className] of lines) {
    const line = document.createElement("div");
    line.textContent = text;
    if (className) line.className = className;
    item.append(line);
  }
  for (const element of buttons) item.append(element);
  return item;
}

function button(label, onClick) {
  const element = document.createElement("button");
  element.type = "button";
  element.textContent = label;
  element.addEventListener("click", onClick);
  return element;
}

function goTo(feature) {
  const [lon, lat] = feature.geometry.coordinates;
  map.setView([lat, lon], 17);
}

function describeChange(changes) {
  const fields = Object.entries((changes && changes.properties) || {})
    .map(([name, value]) => `${name}: ${value === null ? "(cleared)" : JSON.stringify(value)}`);
  if (changes && changes.geometry) fields.push("moved on the map");
  return fields.join("; ");
}

async function decide(request, verdict, reason) {
  const options = { method: "POST" };
  if (verdict === "reject") options.body = JSON.stringify({ reason });
  const { response, body } = await api(`/moderation/${request.asset_id}/${verdict}`, options);
  status(response.ok
    ? `${verdict === "approve" ? "Approved" : "Rejected"}: ${request.asset.properties.name}`
    : (body && body.detail) || "The decision could not be saved.");
  await Promise.all([loadQueue(), loadAssets()]);
}

async function loadQueue() {
  const moderating = state.account && ["moderator", "admin"].includes(state.account.role);
  byId("queue-moderation").hidden = !moderating;
  if (moderating) {
    const { body } = await api("/moderation/queue");
    const requests = byId("queue-requests");
    requests.replaceChildren();
    for (const request of (body && body.requests) || []) {
      const p = request.asset.properties;
      const reason = document.createElement("input");
      reason.className = "reason";
      reason.placeholder = "Why not? (the contributor reads this)";
      reason.setAttribute("aria-label", `Reason for turning down ${p.name}`);
      const lines = [
        [request.action === "create" ? `New: ${p.name}` : `Change to ${p.name}`],
        [`From ${request.submitted_by || "a visitor"}, ${request.submitted_at.slice(0, 10)}`],
      ];
      if (request.action === "edit") lines.push([describeChange(request.changes)]);
      requests.append(card(lines, [
        button("Show", () => goTo(request.asset)),
        button("Approve", () => decide(request, "approve")),
        reason,
        button("Reject", () => {
          if (!reason.value.trim()) { reason.setAttribute("aria-invalid", "true"); reason.focus(); return; }
          decide(request, "reject", reason.value.trim());
        }),
      ]));
    }
    byId("queue-empty").hidden = requests.children.length > 0;
    const stale = byId("queue-stale");
    stale.replaceChildren();
    for (const feature of (body && body.stale) || []) {
      const p = feature.properties;
      stale.append(card(
        [[p.name], [`Last confirmed ${(p.verified_at || p.created_at).slice(0, 10)}`]],
        [
          button("Show", () => goTo(feature)),
          button("Still there", async () => {
            await api(`/assets/${feature.id}/verify`, { method: "POST" });
            await Promise.all([loadQueue(), loadAssets()]);
          }),
        ],
      ));
    }
  }
  const { body: mine } = await api("/moderation/mine");
  const list = byId("mine");
  list.replaceChildren();
  for (const request of mine || []) {
    const lines = [
      [`${request.action === "create" ? "New" : "Change to"}: ${request.asset_name}, ${request.submitted_at.slice(0, 10)}`],
      [request.decision, `decision-${request.decision}`],
    ];
    if (request.reason) lines.push([`Reason: ${request.reason}`]);
    list.append(card(lines));
  }
  if (!list.children.length) list.append(card([["Nothing yet."]]));
}

byId("queue-open").addEventListener("click", async () => {
  byId("queue-title").textContent = byId("queue-open").textContent;
  show("queue");
  await loadQueue();
});

// --- start ------------------------------------------------------------------------------

(async () => {
  await Promise.all([loadNeighbourhoods(), loadTaxonomy(), loadAccount()]);
  await loadAssets();
  document.body.dataset.ready = "true";
})();
