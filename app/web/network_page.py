"""The systems leadership network's page, in the reader's language: a template naming the
area; its script (static/network.js) reads `GET /network?within=<code>` and draws it with
Cytoscape.js, saying its words through the catalogue."""

from __future__ import annotations

from app import i18n
from app.web.page import translated_html

# its script, whose strings the catalogue translates for t()
SCRIPT = "app/web/static/network.js"


def network_page_html(code: str, name: str, language: str = i18n.ENGLISH) -> str:
    """The page of the network within the area `code` (a GSS code such as E08000009), titled
    with its `name`, in `language`; both are HTML-escaped."""
    return translated_html("network.html", language, SCRIPT, code=code, name=name)
