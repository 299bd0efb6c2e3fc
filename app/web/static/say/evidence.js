// An option's evidence in plain words, as the analyses said when the round was made (the
// same words as the decision record's, templates/say_evidence.html): a gap's people out of
// reach, need and deprivation; a site's people newly in reach; who got an innovation going.
import { el, number } from "./common.js";

export const KINDS = {
  gap: "A gap to close",
  site: "A place for a new asset",
  innovation: "An innovation to spread",
  free: "An idea put forward",
};

const SOURCES = {
  gap: "From the gap analysis, when the round was made.",
  site: "From the siting analysis, when the round was made.",
  innovation: "As the innovation was recorded when the round was made.",
};

const metres = (value) => (value === null || value === undefined ? "none found" : `${number(value)} m`);

function gapFacts(evidence) {
  const about = (evidence.about && evidence.about.name) || "asset";
  const area = evidence.area || {};
  const within = metres(evidence.distance_m);
  return [
    ["Neighbourhood", `${area.name || ""} (${area.code || ""})`],
    [`People with no ${about} within ${within}`,
      `${number(evidence.people_uncovered)} of ${number(evidence.population)}`],
    ["Need (population weighted by deprivation)", number(evidence.need, 2)],
    ["Deprivation (IMD 2019 decile)", evidence.imd_decile
      ? `${evidence.imd_decile} of 10 (1 is the most deprived tenth of England)` : "not known"],
    [`Nearest ${about} now`, metres(evidence.nearest_m)],
    ["Priority", evidence.rank ? `${evidence.rank} of ${evidence.of_areas} neighbourhoods` : "not ranked"],
  ];
}

function siteFacts(evidence) {
  const about = (evidence.about && evidence.about.name) || "asset";
  const area = evidence.area;
  return [
    ["Where", area ? `${area.name} (${area.code})` : "outside the neighbourhoods"],
    [`People a new ${about} here would bring within ${metres(evidence.distance_m)}`,
      number(evidence.newly_covered_people)],
    ["Neighbourhoods newly in reach", number((evidence.newly_covered_areas || []).length)],
  ];
}

function innovationFacts(evidence) {
  const found = evidence.innovation || {};
  const leaders = [...(found.leaders || [])];
  if (found.leaders_not_shown) leaders.push(`${found.leaders_not_shown} not named`);
  return [
    ["Innovation", found.name || ""],
    ["Who got it going", leaders.join(", ") || "not recorded"],
    ["How", (found.levers || []).join(", ") || "not recorded"],
    ["Stage", found.status || "not recorded"],
    ["Where", (found.areas || []).map((area) => area.name).join(", ") || "not recorded"],
    ["Outcomes", (found.outcomes || []).join(", ") || "not recorded"],
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
    block.append(el("p", { class: "hint" }, "Put forward as an idea: no analysis goes with it."));
    return block;
  }
  const list = el("dl");
  for (const [term, value] of listed) list.append(el("dt", {}, term), el("dd", {}, value));
  block.append(list, el("p", { class: "hint" }, SOURCES[option.kind] || ""));
  return block;
}
