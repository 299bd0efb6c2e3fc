"""The people administration page (/people) and the page a reset link opens
(/people/reset), in the reader's language: templates whose scripts (static/people/) talk to
the API and say their words through the catalogue."""

from __future__ import annotations

from app import i18n
from app.web.page import translated_html

# the pages' scripts, whose strings the catalogue translates for t()
SCRIPTS = "app/web/static/people"


def people_page_html(language: str = i18n.ENGLISH) -> str:
    return translated_html("people.html", language, SCRIPTS)


def reset_page_html(language: str = i18n.ENGLISH) -> str:
    return translated_html("people_reset.html", language, SCRIPTS)
