// The panel beside the map (below it on a phone): one of its sections at a time.
import { byId } from "./dom.js";
import { map } from "./map.js";

const panel = byId("panel");
const SECTIONS = ["details", "asset-form", "conflict", "sign-in", "notice", "queue"];

export function show(section) {
  panel.hidden = false;
  for (const id of SECTIONS) byId(id).hidden = id !== section;
  map.invalidateSize();
}

export function closePanel() {
  panel.hidden = true;
  map.invalidateSize();
}

byId("close-panel").addEventListener("click", closePanel);
