// An option's evidence in plain words, as the analyses said when the round was made (the
// same words as the decision record's, templates/say_evidence.html): a gap's people out of
// reach, need and deprivation; a site's people newly in reach; who got an innovation going.
import { t } from "../page/i18n.js";
import { el, number } from "./common.js";

export const KINDS = {
  gap: t("A gap to close"),
  site: t("A place for a new asset"),
  innovation: t("An innovation to spread"),
  free: t("An idea put forward"),
};

// how an innovation got going, and its stage, as the API names them (schemas.Lever,
// schemas.InnovationStatus)
const LEVERS = {
  influencing: t("influencing"), mediating: t("mediating"), brokering: t("brokering"),
  funding: t("funding"), training: t("training"), equipment: t("equipment"),
  volunteering: t("volunteering"), space: t("space"), commissioning: t("commissioning"),
};
const STAGES = {
  idea: t("idea"), started: t("started"), spreading: t("spreading"), stopped: t("stopped"),
};

const SOURCES = {
  gap: t("From the gap analysis, when the round was made."),
  site: t("From the siting analysis, when the round was made."),
  innovation: t("As the innovation was recorded when the round was made."),
};

const metres = (value) => (value === null || value === undefined ? t("none found") : `${number(value)} m`);

function gapFacts(evidence) {
  const about = (evidence.about && evidence.about.name) || t("asset");
  const area = evidence.area || {};
  const within = metres(evidence.distance_m);
  return [
    [t("Neighbourhood"), `${area.name || ""} (${area.code || ""})`],
    [t("People with no {about} within {within}", { about, within }),
      t("{n} of {of}", { n: number(evidence.people_uncovered), of: number(evidence.population) })],
    [t("Need (population weighted by deprivation)"), number(evidence.need, 2)],
    [t("Deprivation (IMD 2019 decile)"), evidence.imd_decile
      ? t("{decile} of 10 (1 is the most deprived tenth of England)", { decile: evidence.imd_decile }) : t("not known")],
    [t("Nearest {about} now", { about }), metres(evidence.nearest_m)],
    [t("Priority"), evidence.rank
      ? t("{rank} of {of} neighbourhoods", { rank: evidence.rank, of: evidence.of_areas }) : t("not ranked")],
  ];
}

function siteFacts(evidence) {
  const about = (evidence.about && evidence.about.name) || t("asset");
  const area = evidence.area;
  return [
    [t("Where"), area ? `${area.name} (${area.code})` : t("outside the neighbourhoods")],
    [t("People a new {about} here would bring within {within}", { about, within: metres(evidence.distance_m) }),
      number(evidence.newly_covered_people)],
    [t("Neighbourhoods newly in reach"), number((evidence.newly_covered_areas || []).length)],
  ];
}

function innovationFacts(evidence) {
  const found = evidence.innovation || {};
  const leaders = [...(found.leaders || [])];
  if (found.leaders_not_shown) leaders.push(t("{n} not named", { n: found.leaders_not_shown }));
  return [
    [t("Innovation"), found.name || ""],
    [t("Who got it going"), leaders.join(", ") || t("not recorded")],
    [t("How"), (found.levers || []).map((lever) => LEVERS[lever] || lever).join(", ") || t("not recorded")],
    [t("Stage"), found.status ? STAGES[found.status] || found.status : t("not recorded")],
    [t("Where"), (found.areas || []).map((area) => area.name).join(", ") || t("not recorded")],
    [t("Outcomes"), (found.outcomes || []).join(", ") || t("not recorded")],
  ];
}

// The option's evidence as [what, value] pairs.
export function facts(option) {
  const evidence = option.evidence || {};
  if (option.kind === "gap") return gapFacts(evidence);
  if (option.kind === "site") return siteFacts(evidence);
  if (option.kind === "innovation") return innovationFacts(evidence);
  return [];
}

// The option's evidence as a description list, with where it came from.
export function evidenceBlock(option) {
  const listed = facts(option);
  const block = el("div", { class: "evidence" });
  if (!listed.length) {
    block.append(el("p", { class: "hint" }, t("Put forward as an idea: no analysis goes with it.")));
    return block;
  }
  const list = el("dl");
  for (const [term, value] of listed) list.append(el("dt", {}, term), el("dd", {}, value));
  block.append(list, el("p", { class: "hint" }, SOURCES[option.kind] || ""));
  return block;
}
