// Linking two published assets (who runs, meets at, supports what): "Link from here" in one
// asset's popup, "Link to this one" in another's, then how they are linked.
import { t } from "../page/i18n.js";
import { answeredAt, inRoom, mayAdd, room } from "./room.js";
import { button, byId, closeForm, openForm, option, showProblem, slowDown, status } from "./forms.js";
import { describe, upsertAddition } from "./feed.js";
import { map, popupParts } from "./map.js";
import { showRoom } from "./view.js";

const form = byId("link-form");
const ends = { from: null, to: null }; // each {id, name}

// The types of link the form offers, once `room.linkTypes` is read.
export function fillLinkTypes() {
  for (const linkType of room.linkTypes) byId("l-type").append(option(linkType.type, linkType.label));
}

function showEnds() {
  byId("l-from").textContent = ends.from.name;
  byId("l-to").textContent = ends.to ? ends.to.name : "(choose it on the map, then “Link to this one”)";
  form.elements.add.disabled = !ends.to;
}

function close() {
  ends.from = null;
  closeForm("link-form");
  showRoom();
}

// Only published assets may be linked: the room cannot see another's waiting one.
popupParts.push((asset, addition) => {
  if (!mayAdd() || (addition && addition.status !== "published")) return [];
  const end = { id: asset.id, name: asset.name };
  if (!form.hidden && ends.from.id !== end.id) {
    return [button(t("Link to this one"), () => {
      ends.to = end;
      map.closePopup();
      showEnds();
      byId("l-type").focus();
    })];
  }
  return [button(t("Link from here"), () => {
    ends.from = end;
    ends.to = null;
    map.closePopup();
    openForm("link-form", "link-form-title");
    showEnds();
  })];
});

form.querySelector(".cancel").addEventListener("click", close);
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const link = { from: ends.from.id, type: form.elements.type.value, to: ends.to.id };
  const { response, body } = await inRoom("/links", { method: "POST", body: JSON.stringify(link) });
  if (response.status === 429) { slowDown(form, body); return; }
  if (!response.ok) { showProblem(form, body, t("The link could not be added: try again.")); return; }
  const added = { id: body.addition, type: "link", status: body.status, at: answeredAt(response) };
  upsertAddition({ ...added, link: { ...link, id: body.link_id } }, true);
  status(t("Added the link: {link}", { link: describe({ type: "link", link }) }));
  close();
});
