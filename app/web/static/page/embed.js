// "Embed this map": the <iframe> snippet another site's page pastes in to show the map
// (/embed) with the filters chosen now. Which sites may show it is the service's setting.
import { state } from "./api.js";
import { byId, option } from "./dom.js";
import { t } from "./i18n.js";
import { chosenFilters } from "./map.js";

const dialog = byId("embed-dialog");

// (no regular expressions here: the catalogue's extractor reads this file as well)
const ESCAPED = [["&", "&amp;"], ['"', "&quot;"], ["<", "&lt;"], [">", "&gt;"]];
const attribute = (text) => ESCAPED.reduce((done, [from, to]) => done.split(from).join(to), text);

// The embedded map's address and the snippet, for the area chosen in the dialog.
export function embedSnippet() {
  const code = byId("embed-within").value;
  const area = state.localities.find((locality) => locality.code === code);
  const query = new URLSearchParams({ ...(code ? { within: code } : {}), ...chosenFilters() });
  const address = `${location.origin}/embed?${query}`;
  const title = area ? t("Community assets in {area}", { area: area.name }) : t("Community assets");
  const snippet = `<iframe src="${attribute(address)}" title="${attribute(title)}" width="100%" `
    + `height="480" style="border:0" loading="lazy"></iframe>`;
  return { address, snippet };
}

function refresh() {
  const { address, snippet } = embedSnippet();
  byId("embed-snippet").value = snippet;
  byId("embed-preview").href = address;
  byId("embed-copied").textContent = "";
}

let opener = null;

byId("embed-open").addEventListener("click", (event) => {
  opener = event.currentTarget;
  const within = byId("embed-within");
  if (!within.options.length) {
    for (const { code, name } of state.localities) within.append(option(code, name));
    within.append(option("", t("Every area the service holds")));
    if (state.within) within.value = state.within.code;
  }
  refresh();
  dialog.showModal();
  byId("embed-snippet").focus();
  byId("embed-snippet").select();
});
byId("embed-within").addEventListener("change", refresh);
byId("embed-copy").addEventListener("click", async () => {
  const said = byId("embed-copied");
  try {
    await navigator.clipboard.writeText(byId("embed-snippet").value);
    said.textContent = t("Copied: paste it into your site's page.");
  } catch {
    byId("embed-snippet").select();
    said.textContent = t("Copying was not allowed: the snippet is selected, copy it with Ctrl+C.");
  }
});
byId("embed-close").addEventListener("click", () => dialog.close());
// back to the button that opened it; on a phone it folded away with the tools: their toggle
dialog.addEventListener("close", () => {
  const back = opener && opener.getClientRects().length ? opener : byId("tools-toggle");
  back.focus();
});
