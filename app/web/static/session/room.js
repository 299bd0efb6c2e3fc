// The session this page is of, who is in it on this tab, and the HTTP API as the page
// calls it. Someone in the room acts with a participant token from joining, kept for this
// session and this tab; a facilitator with their account's token, kept as the asset page
// keeps it (so signing in there signs in here too).
import { token as accountToken } from "../page/api.js";

export const room = {
  id: Number(document.body.dataset.session),
  area: document.body.dataset.area,
  closed: false,
  participant: null, // who joined on this tab: {id, display_name, consent_to_network}
  account: null, // who signed in: {email, role} (GET /auth/me)
  facilitator: false, // whether they facilitate this session
  kinds: [], // GET /taxonomy's kinds, each with its category tree
  linkTypes: [], // how each type of link reads: {type, label, inverse}
};

const PARTICIPANT_KEY = `assetmap.session.${room.id}`;

export const participantToken = {
  get: () => JSON.parse(sessionStorage.getItem(PARTICIPANT_KEY) || "null"),
  keep: (joined) => sessionStorage.setItem(
    PARTICIPANT_KEY, JSON.stringify({ token: joined.token, participant: joined.participant }),
  ),
  forget: () => sessionStorage.removeItem(PARTICIPANT_KEY),
};

export { accountToken };

// The token the page acts with in the room: a facilitator's account's, else a participant's.
export function roomToken() {
  const joined = participantToken.get();
  return accountToken.get() || (joined && joined.token);
}

// JSON both ways; `bearer` signs the request in.
export async function api(path, options = {}, bearer = null) {
  const headers = { Accept: "application/json", "Content-Type": "application/json", ...options.headers };
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  const response = await fetch(path, { ...options, headers });
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  return { response, body };
}

// A request to this session's routes (`/additions`, `/assets`, ...), with the room's token.
export const inRoom = (path, options = {}) => api(`/sessions/${room.id}${path}`, options, roomToken());

// Whether someone on this tab may still add to the session.
export const mayAdd = () => !room.closed && Boolean(roomToken());

// When the service answered (ISO 8601, by its clock, to the second), for ordering what the
// room added alongside the events' times.
export function answeredAt(response) {
  const date = response.headers.get("Date");
  return new Date(date ? Date.parse(date) : Date.now()).toISOString();
}
