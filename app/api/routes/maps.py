"""Locality maps: `GET /maps/{area_code}`, a folium page of an area's neighbourhoods and
assets, built once per version of the data (and per question) and served from the spool."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from app.api.deps import AnalysisSettingsDep, HeavyDep, SessionsDep, SettingsDep
from app.api.filters import MatchDep
from app.api.openapi import not_modified, problems
from app.api.spooled import Spooled, spooled_response
from app.domain import areas, asset_export, asset_search
from app.i18n import LanguageDep
from app.io.spool import check
from app.schemas import MapLayer

router = APIRouter(prefix="/maps", tags=["maps"])


@router.get(
    "/{area_code}",
    response_class=HTMLResponse,
    summary="A locality's map",
    responses=not_modified() | problems(404),
)
async def area_map(
    request: Request,
    area_code: Annotated[
        str, PathParam(max_length=20, description="e.g. E08000009", examples=["E08000009"])
    ],
    sessions: SessionsDep,
    heavy: HeavyDep,
    settings: SettingsDep,
    analysis: AnalysisSettingsDep,
    match: MatchDep,
    language: LanguageDep,
    layer: Annotated[
        MapLayer, Query(description="Shade neighbourhoods by IMD decile, or by gap priority")
    ] = "imd",
    distance_m: Annotated[
        float | None, Query(description="With layer=gaps: the reach in metres (default 1000)")
    ] = None,
) -> Response:
    """The area's neighbourhoods as a choropleth, its published assets (filtered by kind,
    category and outcome) as clustered markers coloured by kind, with popups, a legend and
    a layer control; Leaflet comes from this service, and the page reads the assets from
    the area's GeoJSON export."""
    # folium is loaded on the first map, not with the server
    from app.web.maps import MapRequest, locality_map

    wanted = MapRequest(
        code=area_code,
        layer=layer,
        match=match,
        distance_m=distance_m if distance_m is not None else analysis.distance_default_m,
        language=language,
    )

    def check_question(session: Session) -> None:
        areas.require_area(session, area_code)
        if layer == "gaps":
            wanted.question.check(analysis)
        # unknown categories and outcomes, as the assets' export will find them
        asset_export.export_query(
            session,
            asset_search.AssetFilter.matching(match),
            "features",
        )

    def build(session: Session, path: Path, cancel: threading.Event) -> None:
        page = locality_map(session, wanted, settings.basemap_url, analysis)
        check(cancel)
        path.write_text(page, encoding="utf-8")

    answer = Spooled(
        what="maps",
        params={"map": wanted, "basemap": settings.basemap_url},
        suffix=".html",
        media_type="text/html; charset=utf-8",
        build=build,
        check=check_question,
    )
    return await spooled_response(request, sessions, heavy.spool, heavy.maps, answer)
