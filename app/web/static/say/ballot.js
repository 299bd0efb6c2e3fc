// The ballot page: the round's options with their evidence and a map (GET /rounds/{id}),
// the ballot its method asks for, cast with the invite's code (POST /rounds/{id}/ballot; if
// the invite has cast one, it is loaded with GET and changed with PUT), and the comments.
import { t } from "../page/i18n.js";
import { drawOptions } from "./ballot-map.js";
import { commentsFor, refreshComments } from "./comments.js";
import { api, byId, clearErrors, el, invite, showProblem, status, when } from "./common.js";
import { evidenceBlock, KINDS } from "./evidence.js";
import { approvalBallot, pointsBallot } from "./marks.js";
import { rankingBallot } from "./rank.js";

const page = document.body.dataset;
const held = invite("round", page.round);
const form = byId("ballot-form");
const announce = (message) => { byId("announce").textContent = message; };
let widget = null;
let round = null;

function ballotFor(found) {
  if (found.method === "approval") return approvalBallot(found.options);
  if (found.method === "points") return pointsBallot(found.options, found.points_total, announce);
  return rankingBallot(found.options, announce);
}

function describeState(found) {
  const line = byId("round-state");
  if (found.state === "open") line.textContent = t("Open until {when}.", { when: when(found.closes_at) });
  else if (found.state === "upcoming") line.textContent = t("Opens {when}.", { when: when(found.opens_at) });
  else line.textContent = t("Closed {when}.", { when: when(found.closed_at || found.closes_at) });
  if (found.state === "open") return;
  byId("cast").disabled = true;
  refuse(found.state === "upcoming"
    ? t("This round takes ballots from {when}: come back then.", { when: when(found.opens_at) })
    : t("This round has closed: no more ballots. Its results are on the results page."));
  byId("results-link").hidden = found.state !== "closed";
}

function refuse(message) {
  const box = byId("refused");
  box.replaceChildren(el("p", {}, el("strong", {}, message)));
  box.hidden = false;
}

function card(option, context) {
  return el("li", { class: "option-card", id: `option-${option.id}` },
    el("h3", {}, el("span", { class: "number", "aria-hidden": "true" }, option.position + 1), " ", option.title),
    el("p", { class: "kind" }, KINDS[option.kind] || option.kind),
    option.description ? el("p", {}, option.description) : null,
    evidenceBlock(option),
    commentsFor(option, context));
}

function askForCode(message) {
  const codeForm = byId("code-form");
  codeForm.hidden = false;
  byId("code-error").textContent = message || "";
  byId("code").setAttribute("aria-invalid", String(Boolean(message)));
  if (message) byId("code").focus();
}

byId("code-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const value = byId("code").value.trim();
  if (!value) { askForCode(t("Type or paste the code from your invite.")); return; }
  held.keep(value);
  byId("code-form").hidden = true;
  status(t("Your code is kept for this tab: now make your choice and cast your ballot."));
  byId("ballot").querySelector("button, input")?.focus();
});

function castAs(constituency) {
  byId("voting-as").textContent = t("You take part as one of: {constituency}.", { constituency });
  byId("voting-as").hidden = false;
  byId("cast").textContent = t("Change my ballot");
}

function refusedCode(body) {
  held.forget();
  const why = (body && body.errors && body.errors[0] && body.errors[0].message) || (body && body.detail);
  askForCode(t("That code is not an invite to this round ({why}).", { why: why || t("refused") }));
}

// The invite's ballot as cast, into the ballot (a 404: none yet, so it is cast afresh).
async function loadBallot(code, message) {
  const { response, body } = await api(`/rounds/${page.round}/ballot`, { code });
  if (response.ok) {
    widget.fill(body);
    held.markSent(true);
    castAs(body.constituency);
    status(message);
  } else if (response.status === 404) {
    held.markSent(false);
  } else if (response.status === 401 || response.status === 403) {
    refusedCode(body);
  }
}

const used = (body) => Boolean(body && (body.errors || []).some((error) => error.field === "token" && error.message === "used"));

async function cast(again = false) {
  clearErrors(form);
  byId("refused").hidden = true;
  const code = held.code();
  if (!code) { askForCode(t("Give your invite's code first.")); return; }
  const sent = widget.read();
  const change = held.sent();
  const { response, body } = await api(`/rounds/${page.round}/ballot`, {
    method: change ? "PUT" : "POST", code, body: sent,
  });
  if (response.ok) {
    held.markSent(true);
    castAs(body.constituency);
    const until = { when: when(round.closes_at) };
    status(change
      ? t("Your ballot is changed. You may change it until the round closes, {when}.", until)
      : t("Your ballot is cast. You may change it until the round closes, {when}.", until));
  } else if (change && response.status === 404 && !again) {
    held.markSent(false);
    await cast(true);
  } else if (response.status === 403 && used(body)) {
    await loadBallot(code, t("This invite had cast its ballot already, perhaps on another device: here it is as it was cast. Change it if you wish and choose Change my ballot."));
  } else if (response.status === 401 || response.status === 403) {
    refusedCode(body);
  } else if (response.status === 409) {
    refuse(t("Your ballot was not taken: {why}.", { why: body ? body.detail : t("the round is not open") }));
    byId("refused").focus();
  } else {
    showProblem(form, body, (field) => widget.slotFor(field, sent), t("Your ballot could not be cast."));
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  cast();
});

async function start() {
  const { response, body } = await api(`/rounds/${page.round}`);
  if (!response.ok) {
    byId("round-state").textContent = t("This round could not be loaded.");
    return;
  }
  round = body;
  widget = ballotFor(round);
  byId("ballot").append(widget.element);
  const context = { round: round.id, open: round.state === "open", code: () => held.code(), announce };
  byId("options").append(...round.options.map((option) => card(option, context)));
  describeState(round);
  const code = held.code();
  if (round.state === "open" && !code) askForCode();
  await Promise.all([
    refreshComments(round.id),
    drawOptions(byId("map"), round, round.options, page.basemap),
    code && held.sent() ? loadBallot(code, t("Your ballot as you cast it: change it if you wish.")) : null,
  ]);
}

start().finally(() => { document.body.dataset.ready = "true"; });
