// Which parts of the panel show, for who is on this tab (not in the room yet, in it, a
// facilitator) and whether the session is still open.
import { t } from "../page/i18n.js";
import { room, roomToken } from "./room.js";
import { byId } from "./forms.js";

export function showRoom() {
  const inside = Boolean(roomToken());
  const me = room.account ? room.account.email : room.participant && room.participant.display_name;
  byId("who").textContent = !me ? "" : room.facilitator ? t("You: {me} (facilitating)", { me }) : t("You: {me}", { me });
  byId("sign-in-open").hidden = Boolean(room.account) || room.closed;
  byId("sign-out").hidden = !room.account;
  byId("join-form").hidden = inside || room.closed;
  byId("adding").hidden = !inside || room.closed;
  byId("facilitation").hidden = !room.facilitator;
  byId("close-session").hidden = room.closed;
  byId("closed").hidden = !room.closed;
  if (room.closed) {
    for (const form of ["asset-form", "innovation-form", "link-form"]) byId(form).hidden = true;
    byId("close-check").hidden = true;
  }
  // which kinds someone may add: only a signed-in person records a person's skill
  const person = byId("a-kind").querySelector('option[value="individual"]');
  if (person) {
    person.hidden = !room.account;
    person.disabled = !room.account;
  }
  byId("i-mine-label").hidden = !room.participant || Boolean(room.account);
}
