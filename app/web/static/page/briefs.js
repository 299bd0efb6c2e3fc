// Links to each local authority's commissioning brief (its latest snapshot, built to print),
// in the header: the page shows every neighbourhood, so it links every authority it holds.
import { api } from "./api.js";
import { byId } from "./dom.js";

export async function loadBriefLinks() {
  const { body } = await api("/areas?level=local_authority&limit=50");
  if (!body || !body.features || !body.features.length) return;
  const nav = byId("briefs");
  for (const area of body.features) {
    const link = document.createElement("a");
    link.href = `/areas/${encodeURIComponent(area.properties.code)}/brief`;
    link.textContent = `Brief: ${area.properties.name}`;
    nav.append(link, " ");
  }
  nav.hidden = false;
}
