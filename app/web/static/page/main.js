// The community builders' page: open on a local authority (authority.js), see what is on
// screen, add an asset by clicking the map, select one to see, edit or link it, drag it (or
// use the arrow keys) to move it, and offer the map to other sites. Everything goes through the HTTP API. Each module holds one part of the
// page; this one starts them.
import { loadAccount } from "./account.js";
import { loadAuthorities, showAuthority } from "./authority.js";
import { loadBriefLinks } from "./briefs.js";
import "./embed.js";
import { fillFormChoices } from "./form.js";
import "./layout.js";
import { fillLinkTypes } from "./link-form.js";
import { followTheView, loadTaxonomy, loadView } from "./map.js";
import "./moving.js";
import "./review.js";

async function loadChoices() {
  await loadTaxonomy();
  fillFormChoices();
  fillLinkTypes();
}

await loadAuthorities();
await Promise.all([showAuthority(), loadChoices(), loadAccount()]);
loadBriefLinks();
await loadView();
followTheView();
document.body.dataset.ready = "true";
