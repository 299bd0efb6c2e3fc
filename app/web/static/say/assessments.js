// An area's self-assessments over time (GET /assessments?area=): each characteristic's
// combined score per assessment as grouped bars (one colour per assessment, oldest first)
// and a table with the change since the one before; the proposed next area of each.
import { t } from "../page/i18n.js";
import { barChart, COLOURS } from "./chart.js";
import { api, byId, el, number, status, when } from "./common.js";

const { characteristics } = JSON.parse(byId("say-data").textContent);
const score = (value) => (value === undefined || value === null ? t("no score") : number(value, 2));
const change = (value) => (value === undefined || value === null ? "" : ` (${value > 0 ? "+" : value < 0 ? "−" : "±"}${number(Math.abs(value), 2)})`);

function draw(series) {
  const assessments = series.assessments;
  const colour = (index) => COLOURS[index % COLOURS.length];
  const heading = (entry) => `${entry.title}, ${when(entry.created_at)}`;
  byId("legend").replaceChildren(...assessments.map((entry, index) => el("li", {},
    el("span", { class: "swatch", style: `background: ${colour(index)}`, "aria-hidden": "true" }),
    el("a", { href: `/assessments/${entry.assessment}?f=html` }, heading(entry)))));
  byId("chart").replaceChildren(barChart(
    characteristics.map(({ slug, name }, index) => ({
      label: `${index + 1}. ${name}`,
      bars: assessments.map((entry, at) => ({
        value: entry.combined[slug] ?? null, text: score(entry.combined[slug]), color: colour(at),
      })),
    })),
    { max: 5, name: t("Each characteristic's combined score out of 5, one bar per assessment, oldest first (the table below holds the same figures)") },
  ));
  byId("table").querySelector("thead").replaceChildren(el("tr", {},
    el("th", { scope: "col" }, t("Characteristic")),
    assessments.map((entry) => el("th", { scope: "col", class: "number" }, heading(entry)))));
  byId("table").querySelector("tbody").replaceChildren(
    ...characteristics.map(({ slug, name }) => el("tr", {},
      el("th", { scope: "row" }, name),
      assessments.map((entry) => el("td", { class: "number" },
        score(entry.combined[slug]) + change(entry.change && entry.change[slug]))))),
    el("tr", {}, el("th", { scope: "row" }, t("Proposed next area for development")),
      assessments.map((entry) => el("td", {}, entry.next_area ? t(entry.next_area.name) : t("none yet")))));
  byId("series").hidden = false;
}

async function start() {
  const { response, body } = await api(`/assessments?area=${encodeURIComponent(document.body.dataset.area)}`);
  if (!response.ok) {
    status((body && body.detail) || t("The assessments could not be loaded."));
    return;
  }
  status(body.assessments.length ? "" : t("No assessment of this area yet."));
  if (body.assessments.length) draw(body);
}

start().finally(() => { document.body.dataset.ready = "true"; });
