"""The community builders' page: one Jinja2 template in the reader's language, its settings
and its scripts' words written in as JSON."""

from __future__ import annotations

import json
from functools import cache

from jinja2 import Environment, FileSystemLoader, select_autoescape

from app import i18n
from app.settings import PROJECT_ROOT, ApiSettings

TEMPLATES = PROJECT_ROOT / "app" / "web" / "templates"
# the page's scripts, whose strings the catalogue translates for t()
SCRIPTS = "app/web/static/page"


@cache
def templates() -> Environment:
    """The translated pages' templates (the page, the embedded map), every value escaped."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        keep_trailing_newline=True,
    )


def page_html(settings: ApiSettings, language: str = i18n.ENGLISH) -> str:
    """The page in `language`, told the basemap's tile URL (empty: no basemap)."""
    config = json.dumps({"basemap": settings.basemap_url}).replace("</", "<\\/")
    return (
        templates()
        .get_template("index.html")
        .render(
            **i18n.page_words(language),
            config=config,
            messages=i18n.script_json(language, SCRIPTS),
        )
    )


def translated_html(template: str, language: str, *scripts: str, **values: object) -> str:
    """The template `template` (app/web/templates) in `language`, given `values`, the words
    of the switch and the translations of the strings of `scripts` (folders or files, from the
    repository's root) as `messages`, for their t() (static/page/i18n.js)."""
    return (
        templates()
        .get_template(template)
        .render(
            **i18n.page_words(language),
            messages=i18n.script_json(language, *scripts),
            **values,
        )
    )
