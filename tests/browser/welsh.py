"""What a Welsh reader sees: the catalogue's English strings left on a page in Chromium."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.web.welsh_text import english_strings

# Every text node, placeholder and accessible name a person sees (or hears) on the page
# now, and the labels of the choices of the selects shown.
VISIBLE_TEXT = """() => {
  const seen = [];
  const shown = (element) => element && element.checkVisibility({ visibilityProperty: true });
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (parent.closest("script, style, option") || !shown(parent)) continue;
    if (node.textContent.trim()) seen.push(node.textContent.trim());
  }
  for (const element of document.querySelectorAll("[placeholder], [aria-label], [title]")) {
    if (!shown(element)) continue;
    for (const name of ["placeholder", "aria-label", "title"]) {
      if (element.getAttribute(name)) seen.push(element.getAttribute(name).trim());
    }
  }
  for (const select of document.querySelectorAll("select")) {
    if (shown(select)) for (const option of select.options) seen.push(option.textContent.trim());
  }
  return seen;
}"""


def english_left(page: Page) -> list[str]:
    patterns = english_strings()
    texts: list[str] = page.evaluate(VISIBLE_TEXT)
    return sorted({text for text in texts if any(p.match(text) for p in patterns)})
