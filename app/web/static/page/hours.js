// Opening hours on the page: an asset's week and whether it is open now (the service says:
// GET /assets/{id}/opening), and the form's week of opening and closing times.
import { api } from "./api.js";
import { byId } from "./dom.js";
import { t } from "./i18n.js";

export const DAYS = [
  ["MO", t("Monday")], ["TU", t("Tuesday")], ["WE", t("Wednesday")], ["TH", t("Thursday")],
  ["FR", t("Friday")], ["SA", t("Saturday")], ["SU", t("Sunday")],
];
const SHORT = {
  MO: t("Mon"), TU: t("Tue"), WE: t("Wed"), TH: t("Thu"), FR: t("Fri"), SA: t("Sat"), SU: t("Sun"),
};

// "Mon, Tue 09:00-17:00; Sat 10:00-13:00; closed 25 Dec to 28 Dec (Christmas)"
export function describeWeek(schedule) {
  const parts = (schedule.weekly || []).map(
    (hours) => `${hours.days.map((day) => SHORT[day]).join(", ")} ${hours.opens}-${hours.closes}`,
  );
  const today = new Date().toISOString().slice(0, 10);
  for (const closure of schedule.closures || []) {
    if (closure.ends < today) continue;
    const reason = closure.reason ? ` (${closure.reason})` : "";
    parts.push(t("closed {starts} to {ends}", { starts: closure.starts, ends: closure.ends }) + reason);
  }
  return parts.join("; ");
}

// "Open now (until 17:00)" or "Closed now (today 09:00-12:00)", from the service.
export async function openNow(feature) {
  const { response, body } = await api(`/assets/${feature.id}/opening`);
  if (!response.ok || !body || !body.scheduled) return null;
  const today = body.hours.map((hours) => `${hours.opens}-${hours.closes}`).join(", ");
  if (body.open) return today ? t("Open now (today {hours})", { hours: today }) : t("Open now");
  return today ? t("Closed now (today {hours})", { hours: today }) : t("Closed now (not open today)");
}

// The form's week: each day's first span, and whether the schedule holds more than the
// form shows (split days, dated exceptions), which saving keeps but for the week.
let original = null;
let touched = false;

export function fillHours(schedule) {
  original = schedule || null;
  touched = false;
  const first = {};
  let more = Boolean(schedule && (schedule.exceptions || []).length);
  for (const hours of (schedule && schedule.weekly) || []) {
    for (const day of hours.days) {
      if (first[day]) more = true;
      else first[day] = hours;
    }
  }
  for (const [code] of DAYS) {
    byId(`f-opens-${code}`).value = first[code] ? first[code].opens : "";
    // a time field cannot hold 24:00: midnight is 00:00 there
    byId(`f-closes-${code}`).value = first[code] ? first[code].closes.replace("24:00", "00:00") : "";
  }
  for (const id of ["f-closed-from", "f-closed-to", "f-closed-reason"]) byId(id).value = "";
  byId("f-hours-more").hidden = !more;
}

// The schedule to send: undefined when the form's hours were not changed (the stored
// schedule stays), null when every day was emptied and nothing else is kept.
export function readHours() {
  if (!touched) return undefined;
  const byHours = new Map();
  for (const [code] of DAYS) {
    const opens = byId(`f-opens-${code}`).value;
    const given = byId(`f-closes-${code}`).value;
    if (!opens || !given) continue;
    const closes = given === "00:00" ? "24:00" : given;
    const key = `${opens}-${closes}`;
    if (!byHours.has(key)) byHours.set(key, { days: [], opens, closes });
    byHours.get(key).days.push(code);
  }
  const kept = original || {};
  const closures = [...(kept.closures || [])];
  const from = byId("f-closed-from").value;
  if (from) {
    const reason = byId("f-closed-reason").value.trim();
    closures.push({ starts: from, ends: byId("f-closed-to").value || from, ...(reason ? { reason } : {}) });
  }
  const schedule = { ...kept, weekly: [...byHours.values()], closures };
  const empty = !schedule.weekly.length && !closures.length && !(kept.exceptions || []).length;
  return empty ? null : schedule;
}

export function buildHoursFields() {
  const grid = byId("f-hours-days");
  for (const [code, name] of DAYS) {
    const row = document.createElement("div");
    row.className = "hours-day";
    const label = document.createElement("span");
    label.textContent = name;
    label.id = `f-day-${code}`;
    const opens = timeInput(`f-opens-${code}`, t("{day} opens", { day: name }));
    const to = document.createElement("span");
    to.textContent = t("to");
    const closes = timeInput(`f-closes-${code}`, t("{day} closes", { day: name }));
    row.append(label, opens, to, closes);
    grid.append(row);
  }
  byId("f-hours").addEventListener("input", () => { touched = true; });
}

function timeInput(id, label) {
  const input = document.createElement("input");
  input.type = "time";
  input.id = id;
  input.setAttribute("aria-label", label);
  return input;
}
