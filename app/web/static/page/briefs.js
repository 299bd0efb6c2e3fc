// Links to each local authority's commissioning brief (its latest snapshot, built to print),
// in the header: the page shows every neighbourhood, so it links every authority it holds.
// The authorities are kept in `state.localities`, for the embedded map's snippet.
import { api, state } from "./api.js";
import { byId } from "./dom.js";
import { t } from "./i18n.js";

export async function loadBriefLinks() {
  const { body } = await api("/areas?level=local_authority&limit=50");
  if (!body || !body.features || !body.features.length) return;
  state.localities = body.features.map((area) => ({ code: area.properties.code, name: area.properties.name }));
  const nav = byId("briefs");
  for (const { code, name } of state.localities) {
    const link = document.createElement("a");
    link.href = `/areas/${encodeURIComponent(code)}/brief`;
    link.textContent = t("Brief: {name}", { name });
    nav.append(link, " ");
  }
  nav.hidden = false;
}
