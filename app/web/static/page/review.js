// The review queue for moderators (approve, reject with a reason, confirm stale assets are
// still there), and for everyone signed in, "your suggestions" and what became of them.
import { moderates } from "./account.js";
import { api, state } from "./api.js";
import { button, byId, status } from "./dom.js";
import { goTo, loadAssets } from "./map.js";
import { show } from "./panel.js";

function card(lines, buttons = []) {
  const item = document.createElement("li");
  for (const [text, className] of lines) {
    const line = document.createElement("div");
    line.textContent = text;
    if (className) line.className = className;
    item.append(line);
  }
  for (const element of buttons) item.append(element);
  return item;
}

function describeChange(changes) {
  const fields = Object.entries((changes && changes.properties) || {})
    .map(([name, value]) => `${name}: ${value === null ? "(cleared)" : JSON.stringify(value)}`);
  if (changes && changes.geometry) fields.push("moved on the map");
  return fields.join("; ");
}

async function decide(request, verdict, reason) {
  const options = { method: "POST" };
  if (verdict === "reject") options.body = JSON.stringify({ reason });
  const { response, body } = await api(`/moderation/${request.asset_id}/${verdict}`, options);
  status(response.ok
    ? `${verdict === "approve" ? "Approved" : "Rejected"}: ${request.asset.properties.name}`
    : (body && body.detail) || "The decision could not be saved.");
  await Promise.all([loadQueue(), loadAssets()]);
}

function requestCard(request) {
  const p = request.asset.properties;
  const reason = document.createElement("input");
  reason.className = "reason";
  reason.placeholder = "Why not? (the contributor reads this)";
  reason.setAttribute("aria-label", `Reason for turning down ${p.name}`);
  const lines = [
    [request.action === "create" ? `New: ${p.name}` : `Change to ${p.name}`],
    [`From ${request.submitted_by || "a visitor"}, ${request.submitted_at.slice(0, 10)}`],
  ];
  if (request.action === "edit") lines.push([describeChange(request.changes)]);
  return card(lines, [
    button("Show", () => goTo(request.asset)),
    button("Approve", () => decide(request, "approve")),
    reason,
    button("Reject", () => {
      if (!reason.value.trim()) { reason.setAttribute("aria-invalid", "true"); reason.focus(); return; }
      decide(request, "reject", reason.value.trim());
    }),
  ]);
}

function staleCard(feature) {
  const p = feature.properties;
  return card(
    [[p.name], [`Last confirmed ${(p.verified_at || p.created_at).slice(0, 10)}`]],
    [
      button("Show", () => goTo(feature)),
      button("Still there", async () => {
        await api(`/assets/${feature.id}/verify`, { method: "POST" });
        await Promise.all([loadQueue(), loadAssets()]);
      }),
    ],
  );
}

async function loadQueue() {
  const moderating = moderates(state.account);
  byId("queue-moderation").hidden = !moderating;
  if (moderating) {
    const { body } = await api("/moderation/queue");
    const requests = byId("queue-requests");
    requests.replaceChildren(...((body && body.requests) || []).map(requestCard));
    byId("queue-empty").hidden = requests.children.length > 0;
    byId("queue-stale").replaceChildren(...((body && body.stale) || []).map(staleCard));
  }
  const { body: mine } = await api("/moderation/mine");
  const list = byId("mine");
  list.replaceChildren();
  for (const request of mine || []) {
    const lines = [
      [`${request.action === "create" ? "New" : "Change to"}: ${request.asset_name}, ${request.submitted_at.slice(0, 10)}`],
      [request.decision, `decision-${request.decision}`],
    ];
    if (request.reason) lines.push([`Reason: ${request.reason}`]);
    list.append(card(lines));
  }
  if (!list.children.length) list.append(card([["Nothing yet."]]));
}

byId("queue-open").addEventListener("click", async () => {
  byId("queue-title").textContent = byId("queue-open").textContent;
  show("queue");
  await loadQueue();
});
