// The panel beside the map (on a phone, a sheet over the map's lower part): one of its
// sections at a time.
import { byId } from "./dom.js";
import { map } from "./map.js";

const panel = byId("panel");
const SECTIONS = ["details", "asset-form", "moving", "conflict", "sign-in", "notice", "queue", "authorities"];
// What other parts do when the panel shows a section, or closes (null).
const listeners = [];

export const onPanelChange = (listener) => listeners.push(listener);

// Where the focus was when the panel opened, to go back to when it closes.
let opener = null;

export function show(section) {
  if (panel.hidden || !panel.contains(document.activeElement)) {
    opener = panel.contains(document.activeElement) ? null : document.activeElement;
  }
  panel.hidden = false;
  for (const id of SECTIONS) byId(id).hidden = id !== section;
  map.invalidateSize();
  for (const listener of listeners) listener(section);
}

export function closePanel() {
  const hadFocus = panel.contains(document.activeElement) || document.activeElement === document.body;
  panel.hidden = true;
  map.invalidateSize();
  for (const listener of listeners) listener(null);
  // back where the builder was; a marker redrawn meanwhile is gone: then the map
  const back = opener && opener.isConnected && opener.getClientRects().length > 0 && opener !== document.body;
  if (hadFocus) (back ? opener : map.getContainer()).focus();
}

// On a phone the sheet covers the map's lower part: bring `latlng` into the part left.
export function keepInSight(latlng) {
  const sheet = getComputedStyle(panel).position === "absolute" && !panel.hidden ? panel.offsetHeight : 0;
  if (!sheet) return;
  const point = map.latLngToContainerPoint(latlng);
  const open = map.getSize().y - sheet;
  if (point.y > open - 30 || point.y < 30) map.panBy([0, point.y - open / 2], { animate: false });
}

byId("close-panel").addEventListener("click", closePanel);
panel.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && !event.defaultPrevented) closePanel();
});
