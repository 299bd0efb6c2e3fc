// Seeing an asset: its details in the panel, then its links and a way to add one.
import { state } from "./api.js";
import { byId } from "./dom.js";
import { t } from "./i18n.js";
import { describeWeek, openNow } from "./hours.js";
import { prepareLinkForm } from "./link-form.js";
import { showLinks } from "./links.js";
import { categoryName, kindName, markerActions } from "./map.js";
import { isStale } from "./markers.js";
import { show } from "./panel.js";

// Each status but published, in words.
const STATUSES = { draft: t("draft"), pending: t("pending"), archived: t("archived") };

// Its details in the panel; `focus`: and the focus on its name (chosen from the keyboard).
export function showAsset(feature, { focus = false } = {}) {
  const p = feature.properties;
  byId("details-name").textContent = p.name;
  const list = byId("details-list");
  list.replaceChildren();
  const contact = p.contact || {};
  const rows = [
    [t("Kind"), kindName(p.kind)], [t("Category"), categoryName(p.category)],
    [t("Description"), p.description],
    [t("Address"), [p.address, p.postcode].filter(Boolean).join(", ")],
    [t("Phone"), contact.phone], [t("Email"), contact.email], [t("Website"), contact.website],
    [t("Opening hours"), p.opening_hours],
    [t("Weekly hours"), p.schedule ? describeWeek(p.schedule) : null],
    [t("Who it is for"), p.audience],
    [t("Last verified"), p.verified_at ? p.verified_at.slice(0, 10) : t("never")],
    [t("Status"), p.status === "published" ? null
      : t("{status}: not public until a moderator approves it", { status: STATUSES[p.status] || p.status })],
    [t("Is it still there?"), isStale(p) ? t("No one has confirmed it for over a year") : null],
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
  dt.textContent = t("Now");
  const dd = document.createElement("dd");
  dd.className = "open-now";
  dd.id = "open-now";
  dd.textContent = said;
  list.prepend(dt, dd);
}
