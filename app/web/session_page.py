"""A scanning session's live map page: one HTML file naming the session; its scripts
(static/session/) join the room, draw the area's assets and the room's additions, and keep
them live from `GET /sessions/{id}/events`."""

from __future__ import annotations

import html
import re
from functools import cache

from app.settings import PROJECT_ROOT

TEMPLATE = PROJECT_ROOT / "app" / "web" / "templates" / "session.html"
PLACEHOLDER = re.compile(r"__(ID|TITLE|AREA|BASEMAP)__")


@cache
def _template() -> str:
    return TEMPLATE.read_text(encoding="utf-8")


def session_page_html(session_id: int, title: str, area_code: str, basemap_url: str = "") -> str:
    """The page of session `session_id`, titled `title`, of the area `area_code` (a GSS code
    such as E08000009), over the basemap's tile URL `basemap_url` (empty: none); all are
    HTML-escaped."""
    values = {
        "ID": str(session_id),
        "TITLE": html.escape(title),
        "AREA": html.escape(area_code),
        "BASEMAP": html.escape(basemap_url),
    }
    # one pass, so a title that reads like a placeholder stays text
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], _template())
