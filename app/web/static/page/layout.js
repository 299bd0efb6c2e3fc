// On a phone the search, the filters and the header's other tools fold behind one "Filters"
// button (page.css shows them when it is expanded), so the map has the screen.
import { byId } from "./dom.js";

const toggle = byId("tools-toggle");

function fold(open) {
  toggle.setAttribute("aria-expanded", String(open));
}

toggle.addEventListener("click", () => fold(toggle.getAttribute("aria-expanded") !== "true"));
// adding an asset or embedding the map opens what covers the map: the tools fold away
byId("tools").addEventListener("click", (event) => {
  if (event.target.closest("button")) fold(false);
});
byId("tools").addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || toggle.getAttribute("aria-expanded") !== "true") return;
  fold(false);
  toggle.focus();
});
