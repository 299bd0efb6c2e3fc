// Facilitating: what waits for a decision (approve, or turn it down with a reason), an
// asset confirmed today or flagged as a leader to celebrate (from its popup on the map), and
// closing the session. The service refuses these to anyone else (403), so the page offers
// them to the session's facilitators only.
import { inRoom, room } from "./room.js";
import { button, byId, status } from "./forms.js";
import { decided, describe, onChange } from "./feed.js";
import { ended } from "./events.js";
import { added, markConfirmed, popupParts, showMarker } from "./map.js";

async function decide(addition, approve, reason) {
  const options = { method: "POST" };
  if (!approve) options.body = JSON.stringify({ reason });
  const verdict = approve ? "approve" : "reject";
  const { response, body } = await inRoom(`/additions/${addition.id}/${verdict}`, options);
  if (!response.ok) { status((body && body.detail) || "The decision could not be saved."); return; }
  const card = byId(`waiting-${addition.id}`);
  const next = card && (card.nextElementSibling || card.previousElementSibling);
  decided(addition.id, body.decision);
  status(`${describe(addition)}: ${approve ? "published" : "turned down"}`);
  // the card has gone: on to the next one
  (next ? next.querySelector("button") : byId("waiting-title")).focus();
}

// A button whose visible word is short, and whose name says what it acts on.
function acting(word, addition, onClick) {
  const control = button(word, onClick);
  control.setAttribute("aria-label", `${word} ${describe(addition)}`);
  return control;
}

function card(addition) {
  const item = document.createElement("li");
  item.id = `waiting-${addition.id}`;
  const what = document.createElement("div");
  what.textContent = `${describe(addition)}${addition.by ? `, by ${addition.by}` : ""}`;
  const reason = document.createElement("input");
  reason.className = "reason";
  reason.placeholder = "Why not? (the room reads this)";
  reason.setAttribute("aria-label", `Why ${describe(addition)} is turned down`);
  const marker = added.get(addition.id);
  item.append(what);
  if (marker) item.append(acting("Show", addition, () => showMarker(marker)));
  item.append(
    acting("Approve", addition, () => decide(addition, true)),
    reason,
    acting("Reject", addition, () => {
      if (!reason.value.trim()) { reason.setAttribute("aria-invalid", "true"); reason.focus(); return; }
      decide(addition, false, reason.value.trim());
    }),
  );
  return item;
}

// Keep the waiting list as the additions come and are decided.
onChange.addition = (addition) => {
  const shown = byId(`waiting-${addition.id}`);
  const fresh = addition.status === "pending" ? card(addition) : null;
  if (shown && fresh) shown.replaceWith(fresh);
  else if (shown) shown.remove();
  else if (fresh) byId("waiting").append(fresh);
  byId("waiting-none").hidden = byId("waiting").children.length > 0;
};

async function confirmToday(asset, control) {
  const { response, body } = await inRoom(`/confirm/${asset.id}`, { method: "POST" });
  if (!response.ok) { status((body && body.detail) || "It could not be confirmed."); return; }
  markConfirmed(asset.id);
  control.textContent = "Confirmed today";
  control.disabled = true;
  status(`${asset.name}: confirmed today`);
}

async function flagLeader(asset, note, control) {
  const body = JSON.stringify({ asset: asset.id, note: note.value.trim() || null });
  const { response, body: answer } = await inRoom("/leaders", { method: "POST", body });
  if (!response.ok) { status((answer && answer.detail) || "The leader could not be flagged."); return; }
  control.textContent = "Flagged as a leader to celebrate";
  control.disabled = true;
  status(`${asset.name}: a leader to celebrate`);
}

function leaderControls(asset) {
  const label = document.createElement("label");
  label.textContent = "Why celebrate them (optional)";
  const note = document.createElement("input");
  note.id = `leader-note-${asset.id}`;
  label.htmlFor = note.id;
  const flag = button("Flag as a leader to celebrate", () => flagLeader(asset, note, flag));
  return [label, note, flag];
}

// Deciding goes on after the session closes (what was left for moderation); confirming and
// flagging leaders are of the day itself.
popupParts.push((asset, addition) => {
  if (!room.facilitator) return [];
  if (addition && addition.status === "pending") {
    return [acting("Approve", addition, () => decide(addition, true))];
  }
  if (room.closed) return [];
  if (addition) return addition.status === "published" ? leaderControls(asset) : [];
  const words = asset.confirmed ? "Confirmed today" : "Confirmed today: it is still there";
  const confirm = button(words, () => confirmToday(asset, confirm));
  confirm.disabled = asset.confirmed;
  return [confirm, ...leaderControls(asset)];
});

byId("close-session").addEventListener("click", () => {
  byId("close-check").hidden = false;
  byId("close-confirm").focus();
});
byId("close-cancel").addEventListener("click", () => {
  byId("close-check").hidden = true;
  byId("close-session").focus();
});
byId("close-confirm").addEventListener("click", async () => {
  const { response, body } = await inRoom("/close", { method: "POST" });
  if (!response.ok) { status((body && body.detail) || "The session could not be closed."); return; }
  ended();
});
