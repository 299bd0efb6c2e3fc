// The community builders' page: see the locality, add an asset by clicking the map, select
// one to see, edit or link it, drag it (or use the arrow keys) to move it, and offer the map
// to other sites. Everything goes through the HTTP API. Each module holds one part of the
// page; this one starts them.
import { loadAccount } from "./account.js";
import { loadBriefLinks } from "./briefs.js";
import { assetsShown, status } from "./dom.js";
import "./embed.js";
import { fillFormChoices } from "./form.js";
import "./layout.js";
import { fillLinkTypes } from "./link-form.js";
import { loadAssets, loadNeighbourhoods, loadTaxonomy } from "./map.js";
import "./moving.js";
import "./review.js";

async function loadChoices() {
  await loadTaxonomy();
  fillFormChoices();
  fillLinkTypes();
}

await Promise.all([loadNeighbourhoods(), loadChoices(), loadAccount(), loadBriefLinks()]);
status(assetsShown(await loadAssets()));
document.body.dataset.ready = "true";
