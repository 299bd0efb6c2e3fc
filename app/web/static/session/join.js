// Coming into the room: joining with the session's code and a name of one's choosing (no
// account), or a facilitator signing in (POST /auth/token, as the asset page does); and who
// this tab is in the room, from the tokens it keeps, so a reload stays in.
import { t } from "../page/i18n.js";
import { accountToken, api, participantToken, room, roomToken } from "./room.js";
import { byId, closeForm, openForm, showProblem, status } from "./forms.js";
import { follow, stop } from "./events.js";
import { showRoom } from "./view.js";

// Who this tab is in the room (the session as they may see it says whether they facilitate
// it), and from then on, if they are in it, what the room adds.
export async function enter() {
  const joined = participantToken.get();
  room.participant = joined && joined.participant;
  room.account = null;
  if (accountToken.get()) {
    const { response, body } = await api("/auth/me", {}, accountToken.get());
    if (response.ok) room.account = body;
    else accountToken.forget();
  }
  // a participant never facilitates: the session is asked with an account's token alone
  const { response, body } = await api(`/sessions/${room.id}`, {}, accountToken.get());
  room.closed = Boolean(body.closed_at);
  room.facilitator = Array.isArray(body.facilitators);
  byId("people").textContent = t("{n} joined", { n: body.participants });
  if (room.closed && !room.account) { // their token ended with the session
    participantToken.forget();
    room.participant = null;
  }
  showRoom();
  if (!roomToken()) { stop(); return; }
  const since = Date.parse(response.headers.get("Date")) || Date.now();
  const followed = await follow(since);
  if (followed.status === 403 && !room.account) {
    participantToken.forget(); // another session's, or ended
    room.participant = null;
    showRoom();
  }
}

const joinForm = byId("join-form");
const given = new URLSearchParams(window.location.search).get("code");
if (given) joinForm.elements.code.value = given;

// Where someone coming in starts: the code, unless the join link gave it.
export function focusJoin() {
  if (!joinForm.hidden) byId(given ? "j-name" : "j-code").focus();
}

joinForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const { response, body } = await api(`/sessions/${room.id}/join`, {
    method: "POST",
    body: JSON.stringify({
      code: joinForm.elements.code.value.trim(),
      display_name: joinForm.elements.display_name.value.trim(),
      consent_to_network: joinForm.elements.consent_to_network.checked,
    }),
  });
  if (!response.ok) { showProblem(joinForm, body, t("Joining failed: try again.")); return; }
  participantToken.keep(body);
  await enter();
  status(t("Welcome, {name}: click or tap the map to add what you know.", { name: body.participant.display_name }));
  byId("add-here").focus();
});

const signIn = byId("sign-in");
byId("sign-in-open").addEventListener("click", () => openForm("sign-in", "s-email"));
signIn.querySelector(".cancel").addEventListener("click", () => { closeForm("sign-in"); showRoom(); });
signIn.addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await fetch("/auth/token", {
    method: "POST",
    body: new URLSearchParams({
      username: signIn.elements.username.value, password: signIn.elements.password.value,
    }),
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) { showProblem(signIn, body, t("Signing in failed.")); return; }
  accountToken.keep(body.access_token);
  signIn.reset();
  closeForm("sign-in");
  await enter();
  status(room.facilitator
    ? t("Signed in as {email}: you facilitate this session", room.account)
    : t("Signed in as {email}, who does not facilitate this session", room.account));
  byId(room.facilitator ? "facilitation-title" : "sign-out").focus();
});

byId("sign-out").addEventListener("click", async () => {
  accountToken.forget();
  await enter();
  status(t("Signed out"));
  focusJoin();
});
