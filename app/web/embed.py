"""The embeddable map (`/embed`): a page of its own for another site's <iframe>, showing the
published assets of an area (filtered by kind, category, outcome) with a legend and the
attribution, and nothing to edit. Its script (static/embed.js) reads the assets from the
area's GeoJSON export, as the locality maps do, so it shows exactly what the export shows."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import asset_export, asset_search
from app.domain.asset_search import AssetMatch
from app.models import Area
from app.settings import PROJECT_ROOT

TEMPLATE = PROJECT_ROOT / "app" / "web" / "templates" / "embed.html"


@dataclass(frozen=True)
class EmbedRequest:
    """Which assets the embedded map shows: inside the area `within` (all when None), and
    those `match` names."""

    within: str | None
    match: AssetMatch


@cache
def _template() -> str:
    return TEMPLATE.read_text(encoding="utf-8")


def embed_html(session: Session, wanted: EmbedRequest, basemap_url: str) -> str:
    """The page, told its filters and the basemap's tile URL (empty: no basemap); a 422
    naming `within`, `category` or `outcome` when no such area, category or outcome is held."""
    # what the export will refuse, refused now: the snippet's author sees it at once
    shown = asset_search.AssetFilter.matching(wanted.match, area_code=wanted.within)
    asset_export.export_query(session, shown, "features")
    name = None
    if wanted.within is not None:
        name = session.scalar(select(Area.name).where(Area.code == wanted.within))
    title = f"Community assets in {name}" if name else "Community assets"
    filters = {
        "within": wanted.within,
        "kind": wanted.match.kind,
        "category": wanted.match.category,
        "outcome": wanted.match.outcome,
    }
    config = {
        "basemap": basemap_url,
        "title": title,
        "filters": {key: value for key, value in filters.items() if value is not None},
    }
    return (
        _template()
        .replace("__TITLE__", html.escape(title))
        .replace("__CONFIG__", json.dumps(config).replace("</", "<\\/"))
    )
