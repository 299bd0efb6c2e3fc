"""A scanning session's live map page, in the reader's language: a template naming the
session; its scripts (static/session/) join the room, draw the area's assets and the room's
additions, keep them live from `GET /sessions/{id}/events`, and say their words through the
catalogue."""

from __future__ import annotations

from app import i18n
from app.web.page import translated_html

# its scripts, whose strings the catalogue translates for t(), and the API's word for one of
# the room who is not named (domain/sessions.UNNAMED)
SCRIPTS = ("app/web/static/session", "app/web/static/page/dom.js", "app/domain/sessions.py")


def session_page_html(
    session_id: int,
    title: str,
    area_code: str,
    basemap_url: str = "",
    language: str = i18n.ENGLISH,
) -> str:
    """The page of session `session_id`, titled `title`, of the area `area_code` (a GSS code
    such as E08000009), over the basemap's tile URL `basemap_url` (empty: none), in
    `language`; all are HTML-escaped."""
    return translated_html(
        "session.html",
        language,
        *SCRIPTS,
        id=session_id,
        title=title,
        area=area_code,
        basemap=basemap_url,
    )
