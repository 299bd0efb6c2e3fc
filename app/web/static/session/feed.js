// What the room found, newest first: each addition (an asset, a link, an innovation) marked
// waiting, published or turned down, and the facilitators' confirmations and leaders to
// celebrate. News is also told to screen readers (a polite live region), one line each.
import { t } from "../page/i18n.js";
import { room } from "./room.js";
import { button, byId, named } from "./forms.js";
import { STATUS_WORDS, added as addedMarkers, existing, kindName, placeAddition, showMarker } from "./map.js";

export const additions = new Map(); // addition id -> {id, type, status, at, by, asset | link | innovation}
// Told of every addition that appears or changes: set by facilitate.js (the waiting list).
export const onChange = { addition: () => {} };

// A turned-down asset or innovation goes back to draft; in the room, it was turned down.
export const roomStatus = (status) => (status === "draft" ? "rejected" : status);

function assetName(assetId) {
  const marker = existing.get(assetId);
  if (marker) return marker.asset.name;
  const ours = [...additions.values()].find((a) => a.asset && a.asset.id === assetId);
  return ours ? ours.asset.name : t("asset {id}", { id: assetId });
}

// What an addition is, in a few words.
export function describe(addition) {
  if (addition.type === "asset") return t("{name} ({kind})", { name: addition.asset.name, kind: kindName(addition.asset.kind) });
  if (addition.type === "innovation") return t("Innovation: {name}", addition.innovation);
  const { from, to, type } = addition.link;
  const linkType = room.linkTypes.find((each) => each.type === type);
  return `${assetName(from)} ${linkType ? linkType.label : type} ${assetName(to)}`;
}

// Put an entry in the list by its time (`at`, ISO 8601), newest first.
function place(item, at) {
  const time = Date.parse(at);
  item.dataset.at = String(time);
  const older = [...byId("feed").children].find((other) => Number(other.dataset.at) < time);
  byId("feed").insertBefore(item, older || null);
  byId("feed-none").hidden = true;
}

function render(addition) {
  let item = byId(`addition-${addition.id}`);
  if (!item) {
    item = document.createElement("li");
    item.id = `addition-${addition.id}`;
    place(item, addition.at);
  }
  const what = document.createElement("span");
  what.textContent = describe(addition);
  const who = document.createElement("span");
  who.className = "by";
  who.textContent = addition.by ? " " + t("by {by}", { by: named(addition.by) }) : "";
  const state = document.createElement("span");
  state.className = `state ${addition.status}`;
  state.textContent = STATUS_WORDS[addition.status] || addition.status;
  item.replaceChildren(what, who, " ", state);
  if (addition.type === "asset") {
    item.append(" ", button(t("Show {name}", addition.asset), () => showMarker(addedMarkers.get(addition.id))));
  }
}

function keep(addition) {
  additions.set(addition.id, addition);
  if (addition.type === "asset") placeAddition(addition);
  render(addition);
  onChange.addition(addition);
}

// An addition, new or known. Its status is the entry's when that is `settled` (the service
// says what it is now: /additions, the answer to adding it) or it is new; an event's status
// is what it was then, so a known one keeps its own (decisions change it). Events say who
// added it.
export function upsertAddition(entry, settled = false) {
  const known = additions.get(entry.id);
  const status = settled || !known ? roomStatus(entry.status || "pending") : known.status;
  keep({ ...known, ...entry, by: entry.by || (known && known.by), status });
}

// A decision on an addition ("approved" or "rejected"): the addition as it now is (null if
// the page does not know it).
export function decided(additionId, decision) {
  const known = additions.get(additionId);
  if (!known) return null;
  const addition = { ...known, status: decision === "approved" ? "published" : "rejected" };
  keep(addition);
  return addition;
}

// A line about an asset of the map (confirmed today, a leader to celebrate).
export function note(eventId, at, text) {
  if (byId(`note-${eventId}`)) return;
  const item = document.createElement("li");
  item.id = `note-${eventId}`;
  item.className = "note";
  item.textContent = text;
  place(item, at);
}

// Tell screen readers the news (the last few lines stay, so none is cut off).
export function announce(text) {
  const line = document.createElement("p");
  line.textContent = text;
  byId("announce").append(line);
  while (byId("announce").children.length > 5) byId("announce").firstElementChild.remove();
}
