// Links to local authorities' commissioning briefs (the latest snapshot, built to print), in
// the header: the brief of the authority the page is on, or else of every one it holds
// (`state.localities`, from authority.js).
import { state } from "./api.js";
import { byId } from "./dom.js";
import { t } from "./i18n.js";

export function loadBriefLinks() {
  const shown = state.within ? [state.within] : state.localities;
  if (!shown.length) return;
  const nav = byId("briefs");
  for (const { code, name } of shown) {
    const link = document.createElement("a");
    link.href = `/areas/${encodeURIComponent(code)}/brief`;
    link.textContent = t("Brief: {name}", { name });
    nav.append(link, " ");
  }
  nav.hidden = false;
}
