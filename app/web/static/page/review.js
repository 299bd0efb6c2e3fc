// The review queue for moderators (approve, reject with a reason, confirm stale assets are
// still there), and for everyone signed in, "your suggestions" and what became of them.
import { moderates } from "./account.js";
import { api, state } from "./api.js";
import { button, byId, status } from "./dom.js";
import { t } from "./i18n.js";
import { goTo, loadAssets } from "./map.js";
import { show } from "./panel.js";

// What became of a suggestion, in words.
const DECISIONS = { pending: t("pending"), approved: t("approved"), rejected: t("rejected") };

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
  const cleared = t("(cleared)");
  const fields = Object.entries((changes && changes.properties) || {})
    .map(([name, value]) => `${name}: ${value === null ? cleared : JSON.stringify(value)}`);
  if (changes && changes.geometry) fields.push(t("moved on the map"));
  return fields.join("; ");
}

async function decide(request, verdict, reason) {
  const options = { method: "POST" };
  if (verdict === "reject") options.body = JSON.stringify({ reason });
  const { response, body } = await api(`/moderation/${request.asset_id}/${verdict}`, options);
  const named = { name: request.asset.properties.name };
  status(response.ok
    ? (verdict === "approve" ? t("Approved: {name}", named) : t("Rejected: {name}", named))
    : (body && body.detail) || t("The decision could not be saved."));
  await Promise.all([loadQueue(), loadAssets()]);
}

function requestCard(request) {
  const p = request.asset.properties;
  const reason = document.createElement("input");
  reason.className = "reason";
  reason.placeholder = t("Why not? (the contributor reads this)");
  reason.setAttribute("aria-label", t("Reason for turning down {name}", { name: p.name }));
  const visitor = t("a visitor");
  const lines = [
    [request.action === "create" ? t("New: {name}", { name: p.name }) : t("Change to {name}", { name: p.name })],
    [t("From {who}, {day}", { who: request.submitted_by || visitor, day: request.submitted_at.slice(0, 10) })],
  ];
  if (request.action === "edit") lines.push([describeChange(request.changes)]);
  return card(lines, [
    button(t("Show"), () => goTo(request.asset)),
    button(t("Approve"), () => decide(request, "approve")),
    reason,
    button(t("Reject"), () => {
      if (!reason.value.trim()) { reason.setAttribute("aria-invalid", "true"); reason.focus(); return; }
      decide(request, "reject", reason.value.trim());
    }),
  ]);
}

function staleCard(feature) {
  const p = feature.properties;
  return card(
    [[p.name], [t("Last confirmed {day}", { day: (p.verified_at || p.created_at).slice(0, 10) })]],
    [
      button(t("Show"), () => goTo(feature)),
      button(t("Still there"), async () => {
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
    const asked = { name: request.asset_name, day: request.submitted_at.slice(0, 10) };
    const lines = [
      [request.action === "create" ? t("New: {name}, {day}", asked) : t("Change to: {name}, {day}", asked)],
      [DECISIONS[request.decision] || request.decision, `decision-${request.decision}`],
    ];
    if (request.reason) lines.push([t("Reason: {reason}", { reason: request.reason })]);
    list.append(card(lines));
  }
  if (!list.children.length) list.append(card([[t("Nothing yet.")]]));
}

byId("queue-open").addEventListener("click", async () => {
  byId("queue-title").textContent = byId("queue-open").textContent;
  show("queue");
  await loadQueue();
});
