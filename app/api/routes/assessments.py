"""The partnership's self-assessment: how asset-based is our commissioning, against the six
characteristics, and where is our next area for development?"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from app.api.deps import BEARER, ReadSessionDep, SessionDep, SignedInDep
from app.api.openapi import answer, problems
from app.api.routes.rounds import InvitesIn
from app.api.say_answers import AssessmentOut, AssessmentSeries, InvitesOut, ResponseOut
from app.domain import access, assessments, say
from app.errors import Problem
from app.i18n import LanguageDep
from app.models import Assessment
from app.schemas import AreaCode, LongText, Name, ShortText

router = APIRouter(prefix="/assessments", tags=["equal say"])

AssessmentId = Annotated[
    int, Path(ge=1, le=2**63 - 1, description="The assessment's id", examples=[1])
]


class AssessmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    area: AreaCode = Field(examples=["E08000009"])
    title: Name = Field(examples=["Trafford's self-assessment, winter 2026"])
    constituencies: Annotated[list[Name], Field(max_length=10)] = list(say.DEFAULT_CONSTITUENCIES)


class Score(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: Annotated[int, Field(ge=1, le=5)]
    comment: ShortText | None = None


class ResponseIn(BaseModel):
    """A score and a comment for each of the six characteristics (GET
    /assessments/{id} lists them), and the two open questions."""

    model_config = ConfigDict(extra="forbid")

    scores: Annotated[dict[str, Score], Field(max_length=6)]
    value_answer: LongText | None = Field(
        None, description="What is the value of putting asset-based practice first?"
    )
    next_answer: LongText | None = Field(
        None, description="Where is our next area for development?"
    )


def _voter(
    assessment_id: AssessmentId,
    session: ReadSessionDep,
    bearer: Annotated[str | None, Depends(BEARER)],
    token: Annotated[str | None, Query(max_length=200, description="An invite's code")] = None,
) -> say.Voter:
    return say.voter(session, bearer or token, assessment_id=assessment_id)


Voter = Annotated[say.Voter, Depends(_voter)]


def _runner(assessment_id: AssessmentId, session: SessionDep, account: SignedInDep) -> Assessment:
    found = assessments.get(session, assessment_id)
    if not session.scalar(select(access.moderates_area(account, found.area_code))):
        raise Problem(403, "only a moderator of the assessment's area runs it")
    return found


Runner = Annotated[Assessment, Depends(_runner)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=AssessmentOut,
    summary="Start a self-assessment",
    responses=problems(403),
)
def create(body: AssessmentIn, session: SessionDep, account: SignedInDep) -> dict[str, Any]:
    """For a moderator of the area or an admin; then invites for each constituency."""
    made = assessments.create(session, account, body.area, body.title, list(body.constituencies))
    return assessments.results(session, made)


@router.get(
    "",
    response_model=AssessmentSeries,
    summary="An area's assessments over time",
    responses=answer(200, "Its page with a chart, with f=html", "text/html"),
)
def over_time(
    session: ReadSessionDep,
    area: Annotated[AreaCode, Query(description="The area", examples=["E08000009"])],
    language: LanguageDep,
    f: Annotated[Literal["json", "html"], Query(description="Output format")] = "json",
) -> Response:
    """Each assessment's combined scores and proposed next area, oldest first, and the
    change in each characteristic since the one before."""
    series = assessments.over_time(session, area)
    if f == "html":
        from app.web.say_pages import assessments_page

        return HTMLResponse(assessments_page(area, language))
    return JSONResponse(AssessmentSeries.model_validate(series).model_dump(mode="json"))


@router.get(
    "/{assessment_id}",
    response_model=AssessmentOut,
    summary="An assessment's results",
    responses=answer(200, "Its form and results page, with f=html", "text/html") | problems(404),
)
def read(
    assessment_id: AssessmentId,
    session: ReadSessionDep,
    language: LanguageDep,
    f: Annotated[Literal["json", "html"], Query(description="Output format")] = "json",
) -> Response:
    """Per constituency and combined with equal weight, the next area for development
    proposed (the lowest combined characteristic), and the open answers."""
    found = assessments.get(session, assessment_id)
    if f == "html":
        from app.web.say_pages import assessment_page

        return HTMLResponse(assessment_page(found, language))
    shaped = AssessmentOut.model_validate(assessments.results(session, found))
    return JSONResponse(shaped.model_dump(mode="json"))


@router.post(
    "/{assessment_id}/invites",
    status_code=status.HTTP_201_CREATED,
    response_model=InvitesOut,
    summary="A batch of invites for one constituency",
    responses=problems(403, 404),
)
def invites(
    body: InvitesIn, found: Runner, session: SessionDep, request: Request
) -> dict[str, Any]:
    group = say.named(say.constituencies(session, assessment_id=found.id), body.constituency)
    codes = say.invite(session, group, body.count)
    base = str(request.url_for("read", assessment_id=found.id))
    return {
        "constituency": group.name,
        "invites": [{"code": code, "link": f"{base}?f=html&code={code}"} for code in codes],
    }


def _respond(
    body: ResponseIn, voter: say.Voter, session: SessionDep, assessment_id: int, change: bool
) -> dict[str, Any]:
    scores = {slug: score.model_dump() for slug, score in body.scores.items()}
    return assessments.respond(
        session,
        assessments.get(session, assessment_id),
        voter,
        scores,
        body.value_answer,
        body.next_answer,
        change,
    )


@router.post(
    "/{assessment_id}/response",
    status_code=status.HTTP_201_CREATED,
    response_model=ResponseOut,
    summary="Give your constituency's scores",
    responses=problems(401, 403, 404, 409),
)
def respond(
    body: ResponseIn, voter: Voter, session: SessionDep, assessment_id: AssessmentId
) -> dict[str, Any]:
    return _respond(body, voter, session, assessment_id, False)


@router.put(
    "/{assessment_id}/response",
    response_model=ResponseOut,
    summary="Change your scores",
    responses=problems(401, 403, 404, 409),
)
def change(
    body: ResponseIn, voter: Voter, session: SessionDep, assessment_id: AssessmentId
) -> dict[str, Any]:
    return _respond(body, voter, session, assessment_id, True)


@router.get(
    "/{assessment_id}/response",
    response_model=ResponseOut,
    summary="Your scores, as given (`responded`: false before you do)",
    responses=problems(401, 403, 404),
)
def my_response(
    voter: Voter, session: ReadSessionDep, assessment_id: AssessmentId
) -> dict[str, Any]:
    return assessments.response_of(session, assessments.get(session, assessment_id), voter)


@router.post(
    "/{assessment_id}/close",
    response_model=AssessmentOut,
    summary="Close the assessment",
    responses=problems(403, 404, 409),
)
def close(found: Runner, session: SessionDep, account: SignedInDep) -> dict[str, Any]:
    assessments.close(session, account, found)
    return assessments.results(session, found)
