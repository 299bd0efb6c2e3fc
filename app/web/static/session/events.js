// Following the room: what the session added so far (GET /sessions/{id}/additions), then its
// events as they happen (GET /sessions/{id}/events, server-sent). EventSource sends no
// headers, so the token goes in the query; it reconnects by itself with the id of the last
// event it had (Last-Event-ID), and the service then sends each event after it, once.
import { t } from "../page/i18n.js";
import { inRoom, participantToken, room, roomToken } from "./room.js";
import { byId, named, status } from "./forms.js";
import { announce, decided, describe, note, upsertAddition } from "./feed.js";
import { markConfirmed } from "./map.js";
import { showRoom } from "./view.js";

let stream = null;
let people = 0;
// Events from before the page opened come first; only those after are news to announce.
let newsSince = Infinity;

// An addition as an event tells of it (a link's or innovation's event has no status: the
// page that added it learns it from the answer, the others from /additions or a decision).
function addition(type, data, at) {
  return { id: data.addition, type, status: data[type].status, at, by: data.by, [type]: data[type] };
}

// What each event does to the page; each answers what to announce of it.
const HANDLERS = {
  joined: (data) => {
    people += 1;
    byId("people").textContent = t("{n} joined", { n: people });
    return t("{name} joined", { name: data.participant });
  },
  asset_added: (data, at) => {
    upsertAddition(addition("asset", data, at));
    return t("{by} added {name}", { by: named(data.by), name: data.asset.name });
  },
  link_added: (data, at) => {
    const added = addition("link", data, at);
    upsertAddition(added);
    return t("{by} linked {link}", { by: named(data.by), link: describe(added) });
  },
  innovation_added: (data, at) => {
    upsertAddition(addition("innovation", data, at));
    return t("{by} added the innovation {name}", { by: named(data.by), name: data.innovation.name });
  },
  decided: (data) => {
    const settled = decided(data.addition, data.decision);
    return settled && t("{what}: {decision}", { what: describe(settled), decision: data.decision === "approved" ? t("published") : t("turned down") });
  },
  confirmed: (data, at, id) => {
    markConfirmed(data.asset.id);
    const text = t("{name}: confirmed today by {by}", { name: data.asset.name, by: named(data.by) });
    note(id, at, text);
    return text;
  },
  leader_flagged: (data, at, id) => {
    const text = data.note
      ? t("A leader to celebrate: {name}, {note}", { name: data.asset.name, note: data.note })
      : t("A leader to celebrate: {name}", { name: data.asset.name });
    note(id, at, text);
    return text;
  },
  closed: () => {
    ended();
    return t("The session has closed");
  },
};

// The session has closed: no more adding (its tokens ended with it). The stream ends once
// it has told of it, and is not opened again.
export function ended() {
  participantToken.forget();
  room.closed = true;
  showRoom();
  byId("closed").focus();
}

// Stop following the room (someone signed out, or the stream is to start again).
export function stop() {
  if (stream) stream.close();
  stream = null;
  byId("live").textContent = t("Not connected");
}

function listen() {
  const query = new URLSearchParams({ token: roomToken() });
  const source = new EventSource(`/sessions/${room.id}/events?${query}`);
  source.addEventListener("open", () => { byId("live").textContent = t("Live"); });
  source.addEventListener("error", () => {
    if (room.closed) { stop(); return; } // the service ended the stream: it has no more
    byId("live").textContent = source.readyState === EventSource.CLOSED
      ? t("Live updates stopped: reload the page") : t("Reconnecting…");
  });
  people = 0;
  for (const [kind, handle] of Object.entries(HANDLERS)) {
    source.addEventListener(kind, (message) => {
      const event = JSON.parse(message.data);
      const news = handle(event.data, event.at, Number(message.lastEventId));
      if (news && Date.parse(event.at) >= newsSince) announce(news);
    });
  }
  stream = source;
}

// Follow the room from now on (someone on this tab is in it): `since` is the service's time
// when the page opened (ms), so what happened before is not announced as news.
export async function follow(since) {
  newsSince = since;
  stop();
  const { response, body } = await inRoom("/additions");
  if (!response.ok) {
    status((body && body.detail) || t("What the room added could not be read."));
    return response;
  }
  for (const entry of body) upsertAddition({ ...entry, at: entry.added_at }, true);
  if (!room.closed) listen();
  return response;
}
