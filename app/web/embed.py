"""The embeddable map (`/embed`): a page of its own for another site's <iframe>, showing the
published assets of an area (filtered by kind, category, outcome) with a legend and the
attribution, and nothing to edit. Its script (static/embed.js) reads the assets from the
area's GeoJSON export, as the locality maps do, so it shows exactly what the export shows."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import i18n
from app.domain import asset_export, asset_search
from app.domain.asset_search import AssetMatch
from app.models import Area
from app.web.page import templates

# its script, and the page's markers it draws with, whose strings the catalogue translates
SCRIPTS = ("app/web/static/embed.js", "app/web/static/page/markers.js")


@dataclass(frozen=True)
class EmbedRequest:
    """Which assets the embedded map shows: inside the area `within` (all when None), and
    those `match` names."""

    within: str | None
    match: AssetMatch


def embed_html(
    session: Session, wanted: EmbedRequest, basemap_url: str, language: str = i18n.ENGLISH
) -> str:
    """The page in `language`, told its filters and the basemap's tile URL (empty: no
    basemap); a 422 naming `within`, `category` or `outcome` when no such area, category or
    outcome is held."""
    # what the export will refuse, refused now: the snippet's author sees it at once
    shown = asset_search.AssetFilter.matching(wanted.match, area_code=wanted.within)
    asset_export.export_query(session, shown, "features")
    name = None
    if wanted.within is not None:
        name = session.scalar(select(Area.name).where(Area.code == wanted.within))
    _ = i18n.translator(language)
    title = _("Community assets in {area}").format(area=name) if name else _("Community assets")
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
        templates()
        .get_template("embed.html")
        .render(
            **i18n.page_words(language),
            title=title,
            config=json.dumps(config).replace("</", "<\\/"),
            messages=i18n.script_json(language, *SCRIPTS),
        )
    )
