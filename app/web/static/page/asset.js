// Seeing an asset: its details in the panel, then its links and a way to add one.
import { state } from "./api.js";
import { byId } from "./dom.js";
import { describeWeek, openNow } from "./hours.js";
import { prepareLinkForm } from "./link-form.js";
import { showLinks } from "./links.js";
import { markerActions } from "./map.js";
import { isStale } from "./markers.js";
import { show } from "./panel.js";

// Its details in the panel; `focus`: and the focus on its name (chosen from the keyboard).
export function showAsset(feature, { focus = false } = {}) {
  const p = feature.properties;
  byId("details-name").textContent = p.name;
  const list = byId("details-list");
  list.replaceChildren();
  const contact = p.contact || {};
  const rows = [
    ["Kind", p.kind], ["Category", p.category], ["Description", p.description],
    ["Address", [p.address, p.postcode].filter(Boolean).join(", ")],
    ["Phone", contact.phone], ["Email", contact.email], ["Website", contact.website],
    ["Opening hours", p.opening_hours], ["Weekly hours", p.schedule ? describeWeek(p.schedule) : null],
    ["Who it is for", p.audience],
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
  if (p.schedule) showOpenNow(feature, list);
  state.editing = feature;
  show("details");
  if (focus) byId("details-name").focus();
  prepareLinkForm(feature);
  showLinks(feature);
}

markerActions.select = showAsset;

// "Open now" as the service reckons it (Europe/London), once it answers.
async function showOpenNow(feature, list) {
  const said = await openNow(feature);
  if (!said || state.editing !== feature) return;
  const dt = document.createElement("dt");
  dt.textContent = "Now";
  const dd = document.createElement("dd");
  dd.className = "open-now";
  dd.id = "open-now";
  dd.textContent = said;
  list.prepend(dt, dd);
}
