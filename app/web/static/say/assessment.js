// The self-assessment page: the form (a score of 1 to 5 and a comment for each of the six
// characteristics, and the two open questions), sent with the invite's code (POST
// /assessments/{id}/response; once sent, changed with PUT), and the results beside it.
import { t } from "../page/i18n.js";
import { drawResults } from "./assessment-results.js";
import { api, byId, clearErrors, invite, showProblem, status } from "./common.js";

const page = document.body.dataset;
const held = invite("assessment", page.assessment);
const form = byId("response-form");
let characteristics = [];

function askForCode(message) {
  byId("code-form").hidden = false;
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
  status(t("Your code is kept for this tab: now give your scores."));
  form?.querySelector("input")?.focus();
});

function response() {
  const scores = {};
  for (const { slug } of characteristics) {
    const chosen = form.querySelector(`input[name="score-${CSS.escape(slug)}"]:checked`);
    const comment = form.elements[`comment-${slug}`].value.trim() || null;
    if (chosen) scores[slug] = { score: Number(chosen.value), comment };
  }
  const answer = (name) => form.elements[name].value.trim() || null;
  return { scores, value_answer: answer("value_answer"), next_answer: answer("next_answer") };
}

// "scores.equal_say.score" is shown by its characteristic; the rest where they are named.
function slotFor(field) {
  const at = /^scores\.([a-z_]+)(\.score)?$/.exec(field);
  return at ? byId(`error-${at[1]}`) : null;
}

const used = (body) => Boolean(body && (body.errors || []).some((error) => error.field === "token" && error.message === "used"));

async function send(change) {
  clearErrors(form);
  byId("replace").hidden = true;
  byId("refused").hidden = true;
  const code = held.code();
  if (!code) { askForCode(t("Give your invite's code first.")); return; }
  const { response: answer, body } = await api(`/assessments/${page.assessment}/response`, {
    method: change ? "PUT" : "POST", code, body: response(),
  });
  if (answer.ok) {
    held.markSent(true);
    byId("responding-as").textContent = t("You take part as one of: {constituency}.", body);
    byId("responding-as").hidden = false;
    byId("send").textContent = t("Change my scores");
    status(change
      ? t("Your scores are changed, as one of {constituency}. You may change them until the assessment closes.", body)
      : t("Your scores are sent, as one of {constituency}. You may change them until the assessment closes.", body));
    await refresh();
  } else if (answer.status === 404 && change) {
    held.markSent(false);
    await send(false);
  } else if (answer.status === 403 && used(body)) {
    byId("replace").hidden = false;
    byId("replace").focus();
  } else if (answer.status === 401 || answer.status === 403) {
    held.forget();
    askForCode(t("That code is not an invite to this assessment."));
  } else if (answer.status === 409) {
    byId("refused").textContent = t("Your scores were not taken: {why}.", { why: body ? body.detail : t("the assessment has closed") });
    byId("refused").hidden = false;
    byId("refused").focus();
  } else {
    showProblem(form, body, slotFor, t("Your scores could not be sent."));
  }
}

if (form) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(held.sent());
  });
  byId("replace-confirm").addEventListener("click", () => send(true));
}

async function refresh() {
  const { response: answer, body } = await api(`/assessments/${page.assessment}`);
  if (!answer.ok) {
    status((body && body.detail) || t("The results could not be loaded."));
    return;
  }
  characteristics = body.characteristics;
  drawResults(body);
}

async function start() {
  await refresh();
  if (form && !held.code()) askForCode();
  if (form && held.sent()) byId("send").textContent = t("Change my scores");
}

start().finally(() => { document.body.dataset.ready = "true"; });
