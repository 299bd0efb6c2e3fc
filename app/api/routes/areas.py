"""Areas: `/areas`, `/areas/{code}` and the assets inside an area."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from app.api.answers import AreaFeature, AreaPage, AssetPage
from app.api.deps import After, BBox, Limit, ReadSessionDep
from app.api.filters import MatchDep
from app.api.openapi import problems
from app.api.responses import GeoJSONResponse, page_response
from app.domain import areas, asset_search
from app.schemas import AreaLevel

router = APIRouter(prefix="/areas", tags=["areas"])

AreaCode = Annotated[
    str, Path(max_length=20, description="e.g. E01006108 or E08000009", examples=["E08000009"])
]


@router.get("", response_class=GeoJSONResponse, response_model=AreaPage, summary="List areas")
def list_areas(
    request: Request,
    session: ReadSessionDep,
    bbox: BBox,
    limit: Limit,
    after: After = None,
    level: AreaLevel | None = None,
    parent: Annotated[str | None, Query(max_length=20, description="Parent area code")] = None,
) -> Response:
    """Neighbourhood polygons with population and indicators, a page at a time."""
    areas.check_code(session, parent)
    wanted = areas.AreaFilter(level=level, parent=parent, bbox=bbox)
    return page_response(request, areas.list_areas(session, wanted, limit, after))


@router.get(
    "/{code}",
    response_class=GeoJSONResponse,
    response_model=AreaFeature,
    summary="Read an area",
    responses=problems(404),
)
def read_area(code: AreaCode, session: ReadSessionDep) -> Response:
    """One area as a Feature, with its population and need indicators."""
    return GeoJSONResponse(areas.get_area(session, code))


@router.get(
    "/{code}/assets",
    response_class=GeoJSONResponse,
    response_model=AssetPage,
    summary="Assets in an area",
    responses=problems(404),
)
def area_assets(
    request: Request,
    code: AreaCode,
    session: ReadSessionDep,
    limit: Limit,
    match: MatchDep,
    after: After = None,
) -> Response:
    """Published assets inside the area's polygon, a page at a time."""
    areas.require_area(session, code)
    wanted = asset_search.AssetFilter.matching(match, area_code=code)
    return page_response(request, asset_search.list_assets(session, wanted, limit, after))
