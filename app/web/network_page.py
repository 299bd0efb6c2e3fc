"""The systems leadership network's page: one HTML file naming the area; its script
(static/network.js) reads `GET /network?within=<code>` and draws it with Cytoscape.js."""

from __future__ import annotations

import html
import re
from functools import cache

from app.settings import PROJECT_ROOT

TEMPLATE = PROJECT_ROOT / "app" / "web" / "templates" / "network.html"
PLACEHOLDER = re.compile(r"__(CODE|NAME)__")


@cache
def _template() -> str:
    return TEMPLATE.read_text(encoding="utf-8")


def network_page_html(code: str, name: str) -> str:
    """The page of the network within the area `code` (a GSS code such as E08000009), titled
    with its `name`; both are HTML-escaped."""
    values = {"CODE": html.escape(code), "NAME": html.escape(name)}
    # one pass, so a name that reads like a placeholder stays text
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], _template())
