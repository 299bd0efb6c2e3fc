// A round's results (GET /rounds/{id}/results): each constituency's side by side, each with
// its chart and table, the combined result with an equal say beside a head count, whether
// their winners differ (in words), where the groups agree and disagree, the turnout, and how
// it was counted.
import { t } from "../page/i18n.js";
import { barChart, COLOURS, COMBINED, HEAD_COUNT } from "./chart.js";
import { api, byId, el, number, percent, status } from "./common.js";

const METHODS = {
  borda: t("Borda count, from a ranked ballot"),
  approval: t("Approval: each ballot approves any number of options"),
  points: t("Points shared among the options"),
};

// A sentence in the reader's language with an element where its "{name}" is.
function sentence(words, name, element) {
  const [before, after = ""] = words.split(`{${name}}`);
  return [before, element, after];
}

function table(rows, caption, withScore) {
  return el("table", {},
    el("caption", {}, caption),
    el("thead", {}, el("tr", {},
      el("th", { scope: "col", class: "number" }, t("Place")), el("th", { scope: "col" }, t("Option")),
      withScore ? el("th", { scope: "col", class: "number" }, t("Score")) : null,
      el("th", { scope: "col", class: "number" }, t("Share")))),
    el("tbody", {}, rows.map((row) => el("tr", {},
      el("td", { class: "number" }, row.rank),
      el("th", { scope: "row" }, row.title),
      withScore ? el("td", { class: "number" }, number(row.score, Number.isInteger(row.score) ? 0 : 2)) : null,
      el("td", { class: "number" }, percent(row.share))))));
}

function result(heading, rows, { colour, max, notes = [], withScore = true }) {
  const chart = barChart(
    rows.map((row) => ({ label: `${row.rank}. ${row.title}`, bars: [{ value: row.share, text: percent(row.share), color: colour }] })),
    { max, name: t("{heading}: each option's share, in order (the table below holds the same figures)", { heading }) },
  );
  return el("article", { class: "group", "aria-label": heading },
    el("h3", {}, heading),
    notes.map((note) => el("p", { class: "hint" }, note)),
    el("figure", {}, chart),
    table(rows, t("{heading}: in order", { heading }), withScore));
}

function verdict(results) {
  const title = new Map(results.combined.map((row) => [row.option, row.title]));
  const { equal_weight: first, head_count: head, differ } = results.winner;
  if (first === null) {
    byId("verdict").textContent = t("No ballot was cast, so nothing is decided.");
    return;
  }
  const [top, next] = results.combined;
  const tied = next && next.share === top.share
    ? " " + t("It ties with {title} on its combined share: the tie rule (below) puts it first.", next) : "";
  byId("verdict").replaceChildren(
    ...sentence(t("With an equal say for each constituency, {title} comes first."), "title", el("strong", {}, title.get(first))),
    tied);
  const words = byId("differ");
  words.className = differ ? "differ" : "";
  words.replaceChildren(...(differ
    ? sentence(t("A head count, every ballot counted alike whatever group it came from, would have put {title} first instead: giving each group an equal say changes the winner."),
      "title", el("strong", {}, title.get(head)))
    : [t("A head count would have put the same option first: here the winners do not differ.")]));
  byId("state").textContent = results.state === "closed"
    ? t("The round has closed: these are its final results.")
    : t("The round is still open: these are the results so far, shown only to those who run it.");
}

function agreement(results) {
  const groups = results.constituencies.filter((group) => group.counted).map((group) => group.constituency);
  byId("agreement").querySelector("thead").replaceChildren(el("tr", {},
    el("th", { scope: "col" }, t("Option")),
    groups.map((group) => el("th", { scope: "col", class: "number" }, group)),
    el("th", { scope: "col" }, t("Agree?"))));
  byId("agreement").querySelector("tbody").replaceChildren(...results.agreement.options.map((entry) => {
    const ranks = groups.map((group) => entry.ranks[group]);
    const words = entry.disagree
      ? t("They disagree: from place {from} to place {to}", { from: Math.min(...ranks), to: Math.max(...ranks) })
      : entry.spread === 0 ? t("They agree") : t("Close");
    return el("tr", { class: entry.disagree ? "disagree" : "" },
      el("th", { scope: "row" }, entry.title),
      ranks.map((rank) => el("td", { class: "number" }, rank)),
      el("td", {}, words));
  }));
  byId("pairs").replaceChildren(...results.agreement.pairs.map((pair) => {
    const tau = pair.kendall_tau;
    const said = tau === null ? t("too few differences to compare their orders")
      : tau >= 0.6 ? t("much the same order") : tau > 0.2 ? t("a similar order")
        : tau >= -0.2 ? t("little in common in their orders") : tau > -0.6 ? t("different orders") : t("opposite orders");
    return el("li", {}, t("{first} and {second}: {said}", { first: pair.between[0], second: pair.between.slice(1).join(", "), said }),
      tau === null ? "" : " " + t("(Kendall's tau {tau}, from −1 for opposite orders to 1 for the same).", { tau: tau.toFixed(2) }));
  }));
}

function draw(results) {
  const turnout = new Map(results.turnout.map((entry) => [entry.constituency, entry]));
  const every = [...results.constituencies.flatMap((group) => group.results), ...results.combined, ...results.head_count];
  const max = Math.max(0.01, ...every.map((row) => row.share));
  byId("groups").replaceChildren(...results.constituencies.map((group, index) => {
    const seen = turnout.get(group.constituency);
    const notes = [t("{ballots} of {invites} invited voted ({share}).", { ballots: number(seen.ballots), invites: number(seen.invites), share: percent(seen.share) })];
    if (!group.counted) notes.push(t("Cast no ballot, so not counted in the combined result."));
    return result(group.constituency, group.results, { colour: COLOURS[index % COLOURS.length], max, notes });
  }));
  byId("combined").replaceChildren(
    result(t("Combined, with an equal say"), results.combined, { colour: COMBINED, max, withScore: false }),
    result(t("A head count"), results.head_count, { colour: HEAD_COUNT, max }));
  byId("turnout").querySelector("tbody").replaceChildren(...results.turnout.map((entry) => el("tr", {},
    el("th", { scope: "row" }, entry.constituency),
    el("td", { class: "number" }, number(entry.invites)),
    el("td", { class: "number" }, number(entry.ballots)),
    el("td", { class: "number" }, percent(entry.share)))));
  const method = results.method;
  byId("method").replaceChildren(
    el("dt", {}, t("Method")), el("dd", {}, METHODS[method.name] || method.name),
    method.points_total ? [el("dt", {}, t("Points to share")), el("dd", {}, number(method.points_total))] : [],
    el("dt", {}, t("Formula")), el("dd", {}, method.formula),
    el("dt", {}, t("An equal say")), el("dd", {}, method.equal_weight),
    el("dt", {}, t("Ties")), el("dd", {}, method.ties));
  verdict(results);
  agreement(results);
  const closed = results.state === "closed";
  byId("record-link").hidden = !closed;
  byId("ballots-link").hidden = !closed;
  byId("results").hidden = false;
}

async function start() {
  const { response, body } = await api(`/rounds/${document.body.dataset.round}/results`);
  if (!response.ok) {
    status(response.status === 403
      ? t("The results are shown when the round closes, so no one votes to follow the crowd.")
      : (body && body.detail) || t("The results could not be loaded."));
    return;
  }
  status("");
  draw(body);
}

start().finally(() => { document.body.dataset.ready = "true"; });
