"""`GET /`: the community builders' page (a map of the locality to add and edit assets on);
`GET /embed`: the map for other sites' pages to show in an <iframe>."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from app.api.deps import ReadSessionDep, SettingsDep
from app.api.filters import MatchDep
from app.api.security import embed_policy
from app.i18n import LanguageDep
from app.web.embed import EmbedRequest, embed_html
from app.web.page import page_html

router = APIRouter(tags=["page"])


@router.get("/", response_class=HTMLResponse, summary="The community builders' page")
def community_page(settings: SettingsDep, language: LanguageDep) -> HTMLResponse:
    """In English or Welsh: `lang=cy` (the page's switch, kept as a cookie) or
    Accept-Language chooses; any other language is answered in English."""
    return HTMLResponse(page_html(settings, language))


@router.get("/embed", response_class=HTMLResponse, summary="The map, for another site's page")
def embedded_map(
    settings: SettingsDep,
    session: ReadSessionDep,
    match: MatchDep,
    language: LanguageDep,
    within: Annotated[
        str | None,
        Query(max_length=20, description="Only assets inside this area, e.g. E08000009"),
    ] = None,
) -> HTMLResponse:
    """A page for an <iframe>: the published assets (inside `within`, of a `kind`,
    `category`, `outcome`) clustered and coloured by kind, with a legend and the
    attribution, and nothing to edit. The sites of ASSETMAP_EMBED_ORIGINS may frame it
    (Content-Security-Policy frame-ancestors); other sites' frames are refused."""
    page = embed_html(session, EmbedRequest(within, match), settings.basemap_url, language)
    policy = embed_policy(settings.basemap_url, settings.embed_origins)
    return HTMLResponse(page, headers={"Content-Security-Policy": policy})
