"""The community builders' page: one HTML file, its settings written in as JSON."""

from __future__ import annotations

import json
from functools import cache

from app.settings import PROJECT_ROOT, ApiSettings

TEMPLATE = PROJECT_ROOT / "app" / "web" / "templates" / "index.html"


@cache
def _template() -> str:
    return TEMPLATE.read_text(encoding="utf-8")


def page_html(settings: ApiSettings) -> str:
    """The page, told the basemap's tile URL (empty: no basemap)."""
    config = json.dumps({"basemap": settings.basemap_url}).replace("</", "<\\/")
    return _template().replace("__CONFIG__", config)
