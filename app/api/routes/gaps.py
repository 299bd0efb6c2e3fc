"""Gap analysis: `GET /gaps` (per area coverage, 2SFCA and priority) and
`POST /gaps/suggestions` (where k more assets would reach the most people)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from app.analysis.gaps import GapQuestion, analyse_gaps, suggest_sites
from app.analysis.inputs import AssetMatch
from app.api.deps import ReadSessionDep, SettingsDep
from app.api.responses import GeoJSONResponse
from app.errors import invalid
from app.io.gap_writers import gaps_csv, gaps_geojson
from app.schemas import AreaLevel, Kind, Slug, SuggestionRequest
from app.settings import AnalysisSettings

router = APIRouter(prefix="/gaps", tags=["gap analysis"])


async def analysis_settings(request: Request) -> AnalysisSettings:
    settings: AnalysisSettings = request.app.state.analysis_settings
    return settings


AnalysisDep = Annotated[AnalysisSettings, Depends(analysis_settings)]


async def gap_question(
    settings: AnalysisDep,
    within: Annotated[
        str | None,
        Query(max_length=20, description="Analyse the areas inside this one, e.g. E08000009"),
    ] = None,
    level: Annotated[AreaLevel, Query(description="Which areas inside `within`")] = "lsoa",
    kind: Kind | None = None,
    category: Annotated[
        Slug | None, Query(description="Category slug; its sub-categories count too")
    ] = None,
    outcome: Slug | None = None,
    distance_m: Annotated[
        float | None, Query(description="Reach in metres (straight line); default 1000")
    ] = None,
    demand: Annotated[
        Literal["centroid", "postcodes"], Query(description="Where people are placed")
    ] = "centroid",
    decay: Annotated[
        Literal["none", "gaussian"], Query(description="2SFCA distance decay")
    ] = "none",
    sigma_m: Annotated[
        float | None, Query(description="Gaussian width in metres; default distance_m / 2")
    ] = None,
) -> GapQuestion:
    if sigma_m is not None and decay != "gaussian":
        raise invalid("sigma_m", "applies only with decay=gaussian")
    question = GapQuestion(
        within=within,
        level=level,
        match=AssetMatch(kind, category, outcome),
        distance_m=settings.distance_default_m if distance_m is None else distance_m,
        demand=demand,
        decay=decay,
        sigma_m=sigma_m,
    )
    question.check(settings)
    return question


@router.get("", summary="Gap analysis of a locality's neighbourhoods")
def gaps(
    session: ReadSessionDep,
    settings: AnalysisDep,
    question: Annotated[GapQuestion, Depends(gap_question)],
    f: Annotated[Literal["json", "geojson", "csv"], Query(description="Output format")] = "json",
) -> Response:
    """Per area: population, IMD, nearest matching asset (metres), assets within
    `distance_m`, assets per 1,000 people, covered, 2SFCA score, priority and rank; with a
    summary of covered and uncovered people by IMD decile, and the method used."""
    report = analyse_gaps(session, question, settings)
    if f == "geojson":
        return GeoJSONResponse(gaps_geojson(session, report))
    if f == "csv":
        return Response(
            gaps_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="gaps.csv"'},
        )
    return JSONResponse(report.as_json())


@router.post("/suggestions", summary="Where k more assets would reach the most people")
def suggestions(
    body: SuggestionRequest,
    session: ReadSessionDep,
    settings: AnalysisDep,
    api: SettingsDep,
) -> dict[str, Any]:
    """The k sites (from the areas' demand points or the points given) that would newly
    bring the most people, or need-weighted people, within `distance_m` of a matching asset;
    existing matching assets count as open. Solved exactly up to a size, greedily beyond."""
    minlon, minlat, maxlon, maxlat = api.service_extent
    if body.candidates != "areas":
        for index, (lon, lat) in enumerate(body.candidates):
            if not (minlon <= lon <= maxlon and minlat <= lat <= maxlat):
                raise invalid(
                    f"candidates.{index}", f"[{lon}, {lat}] is outside the service extent"
                )
    question = GapQuestion(
        within=body.within,
        level=body.level,
        match=AssetMatch(body.kind, body.category, body.outcome),
        distance_m=settings.distance_default_m if body.distance_m is None else body.distance_m,
        demand=body.demand,
    )
    return suggest_sites(session, question, body.k, body.candidates, body.weight, settings)
