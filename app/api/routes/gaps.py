"""Gap analysis: `GET /gaps` (per area coverage, 2SFCA and priority) and
`POST /gaps/suggestions` (where k more assets would reach the most people)."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from app.analysis.question import GapQuestion
from app.api.answers import GapCollection, GapReportOut, SuggestionsOut
from app.api.deps import AnalysisSettingsDep as AnalysisDep
from app.api.deps import HeavyDep, SessionsDep, SettingsDep, SnapshotSessionDep
from app.api.filters import QuestionDep
from app.api.openapi import answer, not_modified
from app.api.responses import GEOJSON
from app.api.spooled import Spooled, spooled_response
from app.domain.asset_search import AssetMatch
from app.io.spool import check
from app.schemas import SuggestionRequest

router = APIRouter(prefix="/gaps", tags=["gap analysis"])


GapFormat = Literal["json", "geojson", "csv"]
MEDIA_TYPES: dict[GapFormat, str] = {
    "json": "application/json",
    "geojson": GEOJSON,
    "csv": "text/csv; charset=utf-8",
}


@router.get(
    "",
    summary="Gap analysis of a locality's neighbourhoods",
    response_class=Response,
    responses=answer(
        200,
        "The analysis, in the format asked for",
        MEDIA_TYPES["csv"],
        shapes={MEDIA_TYPES["json"]: GapReportOut, MEDIA_TYPES["geojson"]: GapCollection},
    )
    | not_modified(),
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
        from app.io.gap_writers import gaps_csv, gaps_geojson

        report = analyse_gaps(session, question, settings)
        check(cancel)
        if f == "geojson":
            path.write_text(gaps_geojson(session, report), encoding="utf-8")
        elif f == "csv":
            path.write_text(gaps_csv(report), encoding="utf-8")
        else:
            path.write_text(json.dumps(report.as_json()), encoding="utf-8")

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
    existing matching assets count as open. Solved exactly up to a size, greedily beyond."""
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
            session, question, body.k, body.candidates, body.weight, settings, api.service_extent
        )
