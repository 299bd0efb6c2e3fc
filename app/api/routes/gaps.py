"""Gap analysis: `GET /gaps` (per area coverage, 2SFCA and priority) and
`POST /gaps/suggestions` (where k more assets would reach the most people)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse

from app.analysis.inputs import AssetMatch
from app.analysis.question import GapQuestion
from app.api.deps import AnalysisSettingsDep as AnalysisDep
from app.api.deps import SettingsDep, SnapshotSessionDep
from app.api.responses import GeoJSONResponse
from app.schemas import AreaLevel, Kind, Slug, SuggestionRequest

router = APIRouter(prefix="/gaps", tags=["gap analysis"])


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
    return GapQuestion(
        within=within,
        level=level,
        match=AssetMatch(kind, category, outcome),
        distance_m=settings.distance_default_m if distance_m is None else distance_m,
        demand=demand,
        decay=decay,
        sigma_m=sigma_m,
    )


@router.get("", summary="Gap analysis of a locality's neighbourhoods")
def gaps(
    session: SnapshotSessionDep,
    settings: AnalysisDep,
    question: Annotated[GapQuestion, Depends(gap_question)],
    f: Annotated[Literal["json", "geojson", "csv"], Query(description="Output format")] = "json",
) -> Response:
    """Per area: population, IMD, nearest matching asset (metres), assets within
    `distance_m`, assets per 1,000 people, covered, 2SFCA score, priority and rank; with a
    summary of covered and uncovered people by IMD decile, and the method used."""
    # The analysis (SciPy and the rest) is loaded on the first ask, not with the server.
    from app.analysis.gaps import analyse_gaps
    from app.io.gap_writers import gaps_csv, gaps_geojson

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
    session: SnapshotSessionDep,
    settings: AnalysisDep,
    api: SettingsDep,
) -> dict[str, Any]:
    """The k sites (from the areas' demand points or the points given) that would newly
    bring the most people, or need-weighted people, within `distance_m` of a matching asset;
    existing matching assets count as open. Solved exactly up to a size, greedily beyond."""
    from app.analysis.gaps import suggest_sites  # loaded on the first ask, as above

    question = GapQuestion(
        within=body.within,
        level=body.level,
        match=AssetMatch(body.kind, body.category, body.outcome),
        distance_m=settings.distance_default_m if body.distance_m is None else body.distance_m,
        demand=body.demand,
    )
    return suggest_sites(
        session, question, body.k, body.candidates, body.weight, settings, api.service_extent
    )
