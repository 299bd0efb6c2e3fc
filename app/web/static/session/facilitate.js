// Facilitating: what waits for a decision (approve, or turn it down with a reason), an
// asset confirmed today or flagged as a leader to celebrate (from its popup on the map), and
// closing the session. The service refuses these to anyone else (403), so the page offers
// them to the session's facilitators only.
import { t } from "../page/i18n.js";
import { inRoom, room } from "./room.js";
import { button, byId, named, status } from "./forms.js";
import { decided, describe, onChange } from "./feed.js";
import { ended } from "./events.js";
import { added, markConfirmed, popupParts, showMarker } from "./map.js";

async function decide(addition, approve, reason) {
  const options = { method: "POST" };
  if (!approve) options.body = JSON.stringify({ reason });
  const verdict = approve ? "approve" : "reject";
  const { response, body } = await inRoom(`/additions/${addition.id}/${verdict}`, options);
  if (!response.ok) { status((body && body.detail) || t("The decision could not be saved.")); return; }
  const card = byId(`waiting-${addition.id}`);
  const next = card && (card.nextElementSibling || card.previousElementSibling);
  decided(addition.id, body.decision);
  status(t("{what}: {decision}", { what: describe(addition), decision: approve ? t("published") : t("turned down") }));
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
  what.textContent = addition.by ? t("{what}, by {by}", { what: describe(addition), by: named(addition.by) }) : describe(addition);
  const reason = document.createElement("input");
  reason.className = "reason";
  reason.placeholder = t("Why not? (the room reads this)");
  reason.setAttribute("aria-label", t("Why {what} is turned down", { what: describe(addition) }));
  const marker = added.get(addition.id);
  item.append(what);
  if (marker) item.append(acting(t("Show"), addition, () => showMarker(marker)));
  item.append(
    acting(t("Approve"), addition, () => decide(addition, true)),
    reason,
    acting(t("Reject"), addition, () => {
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
  if (!response.ok) { status((body && body.detail) || t("It could not be confirmed.")); return; }
  markConfirmed(asset.id);
  control.textContent = t("Confirmed today");
  control.disabled = true;
  status(t("{name}: confirmed today", asset));
}

async function flagLeader(asset, note, control) {
  const body = JSON.stringify({ asset: asset.id, note: note.value.trim() || null });
  const { response, body: answer } = await inRoom("/leaders", { method: "POST", body });
  if (!response.ok) { status((answer && answer.detail) || t("The leader could not be flagged.")); return; }
  control.textContent = t("Flagged as a leader to celebrate");
  control.disabled = true;
  status(t("{name}: a leader to celebrate", asset));
}

function leaderControls(asset) {
  const label = document.createElement("label");
  label.textContent = t("Why celebrate them (optional)");
  const note = document.createElement("input");
  note.id = `leader-note-${asset.id}`;
  label.htmlFor = note.id;
  const flag = button(t("Flag as a leader to celebrate"), () => flagLeader(asset, note, flag));
  return [label, note, flag];
}

// Deciding goes on after the session closes (what was left for moderation); confirming and
// flagging leaders are of the day itself.
popupParts.push((asset, addition) => {
  if (!room.facilitator) return [];
  if (addition && addition.status === "pending") {
    return [acting(t("Approve"), addition, () => decide(addition, true))];
  }
  if (room.closed) return [];
  if (addition) return addition.status === "published" ? leaderControls(asset) : [];
  const words = asset.confirmed ? t("Confirmed today") : t("Confirmed today: it is still there");
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
  if (!response.ok) { status((body && body.detail) || t("The session could not be closed.")); return; }
  ended();
});
