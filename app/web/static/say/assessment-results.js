// A self-assessment's results (GET /assessments/{id}): each characteristic's mean score per
// constituency and combined with an equal say, as a chart and a table; the proposed next
// area for development; the turnout; and what each constituency said.
import { t } from "../page/i18n.js";
import { barChart, COLOURS, COMBINED } from "./chart.js";
import { byId, el, number } from "./common.js";

const score = (value) => (value === undefined || value === null ? t("no score") : number(value, 2));

function legend(series) {
  byId("results-legend").replaceChildren(...series.map((entry) => el("li", {},
    el("span", { class: "swatch", style: `background: ${entry.colour}`, "aria-hidden": "true" }), entry.name)));
}

function answers(group, characteristics) {
  const comments = characteristics.filter(({ slug }) => (group.comments[slug] || []).length);
  const listed = (items) => el("ul", {}, items.map((item) => el("li", {}, item)));
  return el("article", { class: "group" },
    el("h4", {}, group.constituency),
    el("p", { class: "hint" }, t("{responses} of {invites} invited responded.", group)),
    group.value_answers.length ? [el("h5", {}, t("The value of putting asset-based practice first")), listed(group.value_answers)] : null,
    group.next_answers.length ? [el("h5", {}, t("Where next")), listed(group.next_answers)] : null,
    comments.map(({ slug, name }) => [el("h5", {}, t(name)), listed(group.comments[slug])]),
    !group.value_answers.length && !group.next_answers.length && !comments.length
      ? el("p", { class: "hint" }, t("Nothing said yet.")) : null);
}

export function drawResults(results) {
  const { characteristics, constituencies, combined } = results;
  const series = [
    ...constituencies.map((group, index) => ({ name: group.constituency, colour: COLOURS[index % COLOURS.length], scores: group.scores })),
    { name: t("Combined"), colour: COMBINED, scores: combined },
  ];
  legend(series);
  byId("results-chart").replaceChildren(barChart(
    characteristics.map(({ name }, index) => ({
      label: `${index + 1}. ` + t(name),
      bars: series.map((entry) => {
        const value = entry.scores[characteristics[index].slug];
        return { value: value === undefined ? null : value, text: score(value), color: entry.colour };
      }),
    })),
    { max: 5, name: t("Each characteristic's mean score out of 5, per constituency and combined (the table below holds the same figures)") },
  ));
  const table = byId("results-table");
  table.querySelector("thead").replaceChildren(el("tr", {},
    el("th", { scope: "col" }, t("Characteristic")),
    series.map((entry) => el("th", { scope: "col", class: "number" }, entry.name))));
  table.querySelector("tbody").replaceChildren(...characteristics.map(({ slug, name }) => el("tr", {},
    el("th", { scope: "row" }, t(name)),
    series.map((entry) => el("td", { class: "number" }, score(entry.scores[slug]))))));
  const next = results.next_area;
  byId("next-area").replaceChildren(...(next
    ? [t("Proposed next area for development:") + " ", el("strong", {}, t(next.name)),
      " " + t("(the lowest combined score, {score} of 5).", { score: score(combined[next.slug]) })]
    : [t("No scores yet: the next area for development is proposed once a constituency responds.")]));
  byId("turnout").textContent = constituencies
    .map((group) => t("{constituency}: {responses} of {invites} invited responded", group)).join("; ") + ".";
  byId("answers").replaceChildren(...constituencies.map((group) => answers(group, characteristics)));
  byId("method").textContent = results.method;
  byId("results").hidden = false;
}
