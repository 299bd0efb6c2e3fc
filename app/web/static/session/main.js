// A scanning day's live map: join the room (or sign in to facilitate), see the area's assets
// and everything the room adds as it is added, add assets and innovations, and (facilitators)
// decide on them. Everything goes through the HTTP API; each module holds one part of the
// page, and this one starts them.
import { api, room } from "./room.js";
import { fillKinds } from "./add-asset.js";
import "./facilitate.js";
import "./innovation.js";
import { enter, focusJoin } from "./join.js";
import { fillLinkTypes } from "./link.js";
import { loadArea, loadAssets } from "./map.js";

async function loadTaxonomy() {
  const { body } = await api("/taxonomy");
  room.kinds = body.kinds;
  room.linkTypes = body.link_types;
  fillKinds();
  fillLinkTypes();
}

await Promise.all([loadArea(), loadTaxonomy()]);
await Promise.all([loadAssets(), enter()]);
focusJoin();
document.body.dataset.ready = "true";
