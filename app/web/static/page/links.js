// An asset's links in its panel, in plain words ("Run by: Stretford Knitters", "Meets at:
// Stretford Library"), each other end a way to it, and removing one for whoever may (the
// API decides: its refusal shows next to the button). Adding one is link-form.js.
import { moderates } from "./account.js";
import { api, state } from "./api.js";
import { button, byId, status } from "./dom.js";
import { t } from "./i18n.js";
import { selectAsset } from "./map.js";

// The asset whose links are shown; answers about any other are dropped.
let shown = null;

export async function showLinks(feature) {
  shown = feature;
  byId("links-list").replaceChildren();
  byId("links-none").hidden = true;
  byId("links-hidden").hidden = true;
  byId("links-error").textContent = "";
  await loadLinks();
}

// The shown asset's links, again (after one is added or removed).
export async function loadLinks() {
  const asset = shown;
  const { response, body } = await api(`/assets/${asset.id}/links`);
  if (asset !== shown) return;
  if (!response.ok) {
    byId("links-error").textContent = (body && body.detail) || t("Its links could not be loaded.");
    return;
  }
  const groups = grouped(body.links, asset.id);
  byId("links-list").replaceChildren(...[...groups].map(([phrase, ends]) => group(phrase, ends)));
  byId("links-none").hidden = groups.size > 0;
  byId("links-hidden").hidden = !body.hidden;
  byId("links-hidden").textContent = body.hidden === 1
    ? t("One more link is to an asset you may not see.")
    : t("{n} more links are to assets you may not see.", { n: body.hidden });
}

const capitalised = (words) => words.charAt(0).toUpperCase() + words.slice(1);

// How a link reads from the asset shown: "<label> <other end>" from it, "<inverse> <other
// end>" to it; grouped by those words, in the taxonomy's order of link types.
function grouped(links, assetId) {
  const readings = links.map((link) => {
    const at = state.linkTypes.findIndex((words) => words.type === link.type);
    const words = state.linkTypes[at] || { label: link.type, inverse: link.type };
    const outgoing = link.from.id === assetId;
    return {
      link, order: 2 * at + (outgoing ? 0 : 1),
      phrase: capitalised(outgoing ? words.label : words.inverse),
      other: outgoing ? link.to : link.from,
    };
  });
  readings.sort((a, b) => a.order - b.order || a.other.name.localeCompare(b.other.name));
  const groups = new Map();
  for (const reading of readings) {
    if (!groups.has(reading.phrase)) groups.set(reading.phrase, []);
    groups.get(reading.phrase).push(reading);
  }
  return groups;
}

function group(phrase, readings) {
  const item = document.createElement("li");
  const words = document.createElement("span");
  words.className = "link-phrase";
  words.textContent = `${phrase}:`;
  const ends = document.createElement("ul");
  ends.append(...readings.map(linkEnd));
  item.append(words, " ", ends);
  return item;
}

function linkEnd({ link, phrase, other }) {
  const item = document.createElement("li");
  const name = button(other.name, () => selectAsset(other.id));
  name.className = "link-end";
  item.append(name);
  if (link.status === "pending") {
    const note = document.createElement("span");
    note.className = "link-pending";
    note.textContent = t("waits for a moderator");
    item.append(" ", note);
  }
  if (mayRemove(link)) {
    const error = document.createElement("p");
    error.className = "error";
    error.id = `link-${link.id}-error`;
    const remove = button(t("Remove"), () => removeLink(link, other, remove, error));
    remove.setAttribute("aria-label", t("Remove the link: {link}", { link: `${phrase.toLowerCase()} ${other.name}` }));
    remove.setAttribute("aria-describedby", error.id);
    item.append(" ", remove, error);
  }
  return item;
}

// Moderators and admins may remove links (in their areas: the API says if not), and anyone
// the link they suggested while it waits. The API shows others only the waiting links they
// sent (and not always who sent them), so each of those is theirs.
function mayRemove(link) {
  if (!state.account) return false;
  return moderates(state.account) || link.status === "pending";
}

async function removeLink(link, other, control, error) {
  error.textContent = "";
  control.disabled = true;
  const { response, body } = await api(`/assets/${shown.id}/links/${link.id}`, { method: "DELETE" });
  control.disabled = false;
  if (!response.ok) {
    error.textContent = problemText(body, t("The link could not be removed."));
    control.focus();
    return;
  }
  status(t("Removed the link with {name}", { name: other.name }));
  await loadLinks();
  byId("links-title").focus();
}

function problemText(problem, otherwise) {
  const errors = (problem && problem.errors) || [];
  if (errors.length) return errors.map((error) => error.message).join(" ");
  return (problem && problem.detail) || otherwise;
}
