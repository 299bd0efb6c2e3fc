"""Locality maps: `GET /maps/{area_code}`, a folium page of an area's neighbourhoods and
assets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse

from app.api.deps import AnalysisSettingsDep, SettingsDep, SnapshotSessionDep
from app.schemas import Kind, MapLayer, Slug

router = APIRouter(prefix="/maps", tags=["maps"])


@router.get("/{area_code}", response_class=HTMLResponse, summary="A locality's map")
def area_map(
    area_code: Annotated[str, Path(max_length=20, description="e.g. E08000009")],
    session: SnapshotSessionDep,
    settings: SettingsDep,
    analysis: AnalysisSettingsDep,
    layer: Annotated[
        MapLayer, Query(description="Shade neighbourhoods by IMD decile, or by gap priority")
    ] = "imd",
    kind: Kind | None = None,
    category: Slug | None = None,
    outcome: Slug | None = None,
    distance_m: Annotated[
        float | None, Query(description="With layer=gaps: the reach in metres (default 1000)")
    ] = None,
) -> HTMLResponse:
    """The area's neighbourhoods as a choropleth, its published assets (filtered by kind,
    category and outcome) as clustered markers coloured by kind, with popups, a legend and
    a layer control; Leaflet comes from this service."""
    # folium is loaded on the first map, not with the server
    from app.web.maps import MapRequest, locality_map

    wanted = MapRequest(
        code=area_code,
        layer=layer,
        kind=kind,
        category=category,
        outcome=outcome,
        distance_m=distance_m if distance_m is not None else analysis.distance_default_m,
    )
    return HTMLResponse(locality_map(session, wanted, settings.basemap_url, analysis))
