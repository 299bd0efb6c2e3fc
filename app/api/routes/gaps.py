"""Gap analysis: `GET /gaps` (per area coverage, accessibility and priority, by straight
line), `POST /gaps` (the same by an analyst's travel times) and `POST /gaps/suggestions`
(where k more assets would reach the most people)."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from app.analysis.question import GapQuestion
from app.api import gap_costs
from app.api.answers import GapCollection, GapReportOut, SuggestionsOut
from app.api.deps import AnalysisSettingsDep as AnalysisDep
from app.api.deps import HeavyDep, SessionsDep, SettingsDep, SnapshotSessionDep
from app.api.filters import QuestionDep
from app.api.openapi import answer, not_modified
from app.api.responses import GEOJSON
from app.api.spooled import Spooled, spooled_response
from app.domain.asset_search import AssetMatch
from app.errors import invalid
from app.io.spool import check
from app.schemas import GapCostsRequest, SuggestionRequest
from app.settings import AnalysisSettings

if TYPE_CHECKING:
    from app.analysis.gaps import GapReport, TravelAsked

router = APIRouter(prefix="/gaps", tags=["gap analysis"])


GapFormat = Literal["json", "geojson", "csv"]
MEDIA_TYPES: dict[GapFormat, str] = {
    "json": "application/json",
    "geojson": GEOJSON,
    "csv": "text/csv; charset=utf-8",
}
ANALYSIS = answer(
    200,
    "The analysis, in the format asked for",
    MEDIA_TYPES["csv"],
    shapes={MEDIA_TYPES["json"]: GapReportOut, MEDIA_TYPES["geojson"]: GapCollection},
)


@router.get(
    "",
    summary="Gap analysis of a locality's neighbourhoods",
    response_class=Response,
    responses=ANALYSIS | not_modified(),
)
async def gaps(
    request: Request,
    sessions: SessionsDep,
    heavy: HeavyDep,
    settings: AnalysisDep,
    question: QuestionDep,
    f: Annotated[GapFormat, Query(description="Output format")] = "json",
) -> Response:
    """Per area: population, IMD, nearest matching asset (metres), assets within
    `distance_m`, assets per 1,000 people, covered, 2SFCA score, priority and rank; with a
    summary of covered and uncovered people by IMD decile, and the method used. Computed
    once per version of the data and question, and kept."""
    question.check(settings)

    def build(session: Session, path: Path, cancel: threading.Event) -> None:
        # The analysis (SciPy and the rest) is loaded on the first ask, not with the server.
        from app.analysis.gaps import analyse_gaps

        report = analyse_gaps(session, question, settings)
        check(cancel)
        path.write_text(_written(session, report, f), encoding="utf-8")

    answer = Spooled(
        what="gaps",
        params={"question": question, "format": f},
        suffix=f".{f}",
        media_type=MEDIA_TYPES[f],
        build=build,
        filename="gaps.csv" if f == "csv" else None,
    )
    return await spooled_response(request, sessions, heavy.spool, heavy.analyses, answer)


@router.post(
    "",
    summary="Gap analysis by an analyst's travel times",
    response_class=Response,
    responses=ANALYSIS,
    openapi_extra={
        # CostRow is in the components already: POST /gaps/suggestions' body refers to it
        "requestBody": gap_costs.request_body(
            GapCostsRequest.model_json_schema(ref_template="#/components/schemas/{model}")
        ),
    },
)
async def gaps_by_travel_time(
    request: Request,
    sessions: SessionsDep,
    heavy: HeavyDep,
    settings: AnalysisDep,
    question: QuestionDep,
    threshold_minutes: Annotated[
        float, Query(description="The most minutes of travel that count as within reach")
    ],
    f: Annotated[GapFormat, Query(description="Output format")] = "json",
) -> Response:
    """`GET /gaps`'s analysis (coverage, 2SFCA and the `method` asked, priority) with
    travel times from a cost matrix instead of straight lines: an area is covered when the
    matrix gives a matching asset at most `threshold_minutes` away. The matrix is the body:
    a multipart form's file `costs`, the CSV or Parquet file itself, or JSON rows. Bad rows
    are a 422 naming each (`costs.<row>.<column>`, rows from 0 after the header); an asset
    the public may not see is unknown, as one that does not exist."""
    question.check(settings)
    sent = await gap_costs.costs_in(request)

    def run() -> Response:
        from app.analysis.gaps import TravelAsked, analyse_gaps

        with heavy.analyses.slot():
            travel = TravelAsked(gap_costs.matrix(sent, settings.costs_max_rows), threshold_minutes)
            with sessions.snapshot() as session:
                report = analyse_gaps(session, question, settings, travel)
                return Response(_written(session, report, f), media_type=MEDIA_TYPES[f])

    return await run_in_threadpool(run)


def _written(session: Session, report: GapReport, f: GapFormat) -> str:
    from app.io.gap_writers import gaps_csv, gaps_geojson

    if f == "geojson":
        return gaps_geojson(session, report)
    if f == "csv":
        return gaps_csv(report)
    return json.dumps(report.as_json())


@router.post(
    "/suggestions",
    response_model=SuggestionsOut,
    summary="Where k more assets would reach the most people",
)
def suggestions(
    body: SuggestionRequest,
    session: SnapshotSessionDep,
    settings: AnalysisDep,
    api: SettingsDep,
    heavy: HeavyDep,
) -> dict[str, Any]:
    """The k sites (from the areas' demand points or the points given) that would newly
    bring the most people, or need-weighted people, within `distance_m` of a matching asset;
    existing matching assets count as open. Solved exactly up to a size, greedily beyond.
    With `costs` (travel times) and `threshold_minutes`: within that many minutes, the
    candidates being the analysed areas the matrix gives as destinations."""
    from app.analysis.gaps import suggest_sites  # loaded on the first ask, as above

    question = GapQuestion.asked(
        settings,
        within=body.within,
        level=body.level,
        match=AssetMatch(body.kind, body.category, body.outcome),
        distance_m=body.distance_m,
        demand=body.demand,
    )
    with heavy.analyses.slot():
        return suggest_sites(
            session,
            question,
            body.k,
            body.candidates,
            body.weight,
            settings,
            api.service_extent,
            _travel(body, settings),
        )


def _travel(body: SuggestionRequest, settings: AnalysisSettings) -> TravelAsked | None:
    """The travel times of a suggestions request, or None for straight lines."""
    from app.analysis.gaps import TravelAsked

    if body.costs is None:
        if body.threshold_minutes is not None:
            raise invalid("threshold_minutes", "applies only with costs")
        return None
    if body.threshold_minutes is None:
        raise invalid("threshold_minutes", "give it with costs: the most minutes within reach")
    return TravelAsked(
        gap_costs.matrix(body.costs, settings.costs_max_rows), body.threshold_minutes
    )
