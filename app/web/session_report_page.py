"""The scanning day's report as a page to print or share: the template
templates/session_report.html (Jinja2, every value escaped), its map drawn by
static/session-report.js from the report's JSON written into the page as data."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.settings import PROJECT_ROOT, ApiSettings

TEMPLATES = PROJECT_ROOT / "app" / "web" / "templates"
# the words for what the report counts
TYPES = {"asset": "assets", "link": "links", "innovation": "innovations"}
NODES = {"asset": "assets", "innovation": "innovations", "participant": "people of the day"}


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def report_html(report: dict[str, Any], settings: ApiSettings, links: dict[str, str]) -> str:
    """The page of `report` (session_report.report's answer), with the map's basemap and
    the `links` to its downloads and network."""
    data = json.dumps(
        {
            "basemap": settings.basemap_url,
            "new": report["found"]["new"],
            "confirmed": report["found"]["confirmed"],
        },
        default=str,
    ).replace("<", "\\u003c")
    template = _environment().get_template("session_report.html")
    return template.render(report=report, data=data, links=links, types=TYPES, nodes=NODES)
