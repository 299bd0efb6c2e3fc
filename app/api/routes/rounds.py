"""Decision rounds: residents and practitioners decide the priorities together, each
constituency with an equal say whatever its turnout."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.api.deps import (
    BEARER,
    AccountDep,
    AnalysisSettingsDep,
    ReadSessionDep,
    SessionDep,
    SettingsDep,
    SignedInDep,
)
from app.api.openapi import answer, problems
from app.api.say_answers import (
    BallotOut,
    CommentOut,
    InvitesOut,
    OptionComments,
    RecordOut,
    ResultsOut,
    RoundList,
    RoundOut,
)
from app.domain import round_results, rounds, say
from app.domain.round_options import OptionAsked
from app.errors import Problem
from app.i18n import LanguageDep, said
from app.models import DecisionRound
from app.schemas import AreaCode, LongText, Name, ShortText, Slug

router = APIRouter(prefix="/rounds", tags=["equal say"])

RoundId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The round's id", examples=[1])]
CSV = "text/csv; charset=utf-8"


class OptionIn(BaseModel):
    """An option: a gap (`area` and `category` or `outcome`), a candidate site (`lon`,
    `lat` and `category` or `outcome`), an innovation to spread (`innovation`), or a free
    one (`title`)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["gap", "site", "innovation", "free"]
    title: Name | None = None
    description: LongText | None = None
    area: AreaCode | None = None
    category: Slug | None = None
    outcome: Slug | None = None
    distance_m: Annotated[float, Field(gt=0, le=100_000)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    innovation: Annotated[int, Field(ge=1, le=2**63 - 1)] | None = None


class RoundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    area: AreaCode = Field(examples=["E08000009"])
    question: Name = Field(examples=["Which gaps do we act on first this year?"])
    description: LongText | None = None
    method: Literal["borda", "approval", "points"] = "borda"
    points_total: Annotated[int, Field(ge=1, le=1000)] = 100
    opens_at: datetime
    closes_at: datetime
    constituencies: Annotated[list[Name], Field(max_length=10)] = list(say.DEFAULT_CONSTITUENCIES)
    options: Annotated[list[OptionIn], Field(max_length=rounds.MOST_OPTIONS)]


class InvitesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    constituency: Name
    count: Annotated[int, Field(ge=1, le=say.MOST_INVITES)]


class BallotIn(BaseModel):
    """One of: `ranking` (option ids, best first: Borda), `approve` (option ids:
    approval), `points` (option id -> points, at most the round's total)."""

    model_config = ConfigDict(extra="forbid")

    ranking: Annotated[list[int], Field(max_length=rounds.MOST_OPTIONS)] | None = None
    approve: Annotated[list[int], Field(max_length=rounds.MOST_OPTIONS)] | None = None
    points: (
        Annotated[dict[str, Annotated[int, Field(le=1000)]], Field(max_length=rounds.MOST_OPTIONS)]
        | None
    ) = None

    @model_validator(mode="after")
    def _ids(self) -> BallotIn:
        for key in self.points or {}:
            if not key.isdigit():
                raise ValueError(f"points: {key!r} is not an option's id")
        return self


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Annotated[ShortText, Field(min_length=1)]


def _round(round_id: RoundId, session: ReadSessionDep) -> DecisionRound:
    return rounds.get(session, round_id)


def _voter(
    round_id: RoundId,
    session: ReadSessionDep,
    bearer: Annotated[str | None, Depends(BEARER)],
    token: Annotated[
        str | None, Query(max_length=200, description="An invite's code, for a link")
    ] = None,
) -> say.Voter:
    """Who holds the invite sent (Authorization: Bearer, or `token`)."""
    return say.voter(session, bearer or token, round_id=round_id)


Voter = Annotated[say.Voter, Depends(_voter)]


def _runner(round_id: RoundId, session: SessionDep, account: SignedInDep) -> DecisionRound:
    """The round, for one who runs it (a moderator of its area, or an admin)."""
    found = rounds.get(session, round_id)
    if not rounds.runs(session, account, found):
        raise Problem(403, "only a moderator of the round's area runs it")
    return found


Runner = Annotated[DecisionRound, Depends(_runner)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=RoundOut,
    summary="Make a decision round",
    responses=problems(403),
)
def create(
    body: RoundIn, session: SessionDep, account: SignedInDep, settings: AnalysisSettingsDep
) -> dict[str, Any]:
    """For a moderator of the area or an admin: a question, its options (each with its
    evidence, from the gap and siting analyses or the innovation, as it is now), at least
    two constituencies (residents and community members, practitioners and
    commissioners, by default), a method, and when it opens and closes."""
    asked = rounds.RoundAsked(
        area=body.area,
        question=body.question,
        description=body.description,
        method=body.method,
        points_total=body.points_total,
        opens_at=body.opens_at,
        closes_at=body.closes_at,
        constituencies=list(body.constituencies),
        options=[OptionAsked(**option.model_dump()) for option in body.options],
    )
    return rounds.describe(session, rounds.create(session, account, asked, settings))


@router.get("", response_model=RoundList, summary="Decision rounds")
def list_rounds(
    session: ReadSessionDep,
    area: Annotated[AreaCode | None, Query(description="Of this area")] = None,
) -> dict[str, Any]:
    from sqlalchemy import select

    query = select(DecisionRound).order_by(DecisionRound.id.desc()).limit(200)
    if area is not None:
        query = query.where(DecisionRound.area_code == area)
    return {"rounds": [rounds.describe(session, found) for found in session.scalars(query)]}


@router.get(
    "/{round_id}",
    response_model=RoundOut,
    summary="A round: its question, options and evidence",
    responses=problems(404),
)
def read(
    found: Annotated[DecisionRound, Depends(_round)], session: ReadSessionDep
) -> dict[str, Any]:
    """Its ballot page, for a browser, is /rounds/{id}/vote."""
    return rounds.describe(session, found)


@router.post(
    "/{round_id}/invites",
    status_code=status.HTTP_201_CREATED,
    response_model=InvitesOut,
    summary="A batch of invites for one constituency",
    responses=answer(201, "The codes and links, as CSV to print with f=csv", CSV)
    | problems(403, 404),
)
def invites(
    body: InvitesIn,
    found: Runner,
    session: SessionDep,
    request: Request,
    f: Annotated[Literal["json", "csv"], Query(description="Output format")] = "json",
) -> Response:
    """`count` invites for the constituency: each a code (shown this once; only its
    digest is kept, and nothing about whom it goes to) and a link to the ballot page."""
    group = say.named(say.constituencies(session, round_id=found.id), body.constituency)
    codes = say.invite(session, group, body.count)
    base = str(request.url_for("round_page", round_id=found.id))
    made = [{"code": code, "link": f"{base}?code={code}"} for code in codes]
    if f == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=["constituency", "code", "link"])
        writer.writeheader()
        writer.writerows({"constituency": group.name} | row for row in made)
        return Response(out.getvalue(), status_code=201, media_type=CSV)
    shaped = InvitesOut.model_validate({"constituency": group.name, "invites": made})
    return JSONResponse(shaped.model_dump(mode="json"), status_code=201)


@router.post(
    "/{round_id}/ballot",
    status_code=status.HTTP_201_CREATED,
    response_model=BallotOut,
    summary="Cast your ballot",
    responses=problems(401, 403, 404, 409),
)
def cast(body: BallotIn, voter: Voter, session: SessionDep, round_id: RoundId) -> dict[str, Any]:
    """With your invite: one ballot (a 403 once it has cast one: change it with PUT),
    while the round is open (a 409 before or after)."""
    return rounds.cast(session, rounds.get(session, round_id), voter, body.model_dump(), False)


@router.put(
    "/{round_id}/ballot",
    response_model=BallotOut,
    summary="Change your ballot",
    responses=problems(401, 403, 404, 409),
)
def change(body: BallotIn, voter: Voter, session: SessionDep, round_id: RoundId) -> dict[str, Any]:
    return rounds.cast(session, rounds.get(session, round_id), voter, body.model_dump(), True)


@router.get(
    "/{round_id}/ballot",
    response_model=BallotOut,
    summary="Your ballot, as cast (`cast`: false before you vote)",
    responses=problems(401, 403, 404),
)
def my_ballot(voter: Voter, session: ReadSessionDep, round_id: RoundId) -> dict[str, Any]:
    return rounds.ballot_of(session, rounds.get(session, round_id), voter)


@router.post(
    "/{round_id}/options/{option_id}/comments",
    status_code=status.HTTP_201_CREATED,
    response_model=CommentOut,
    summary="Comment on an option",
    responses=problems(401, 403, 404, 409),
)
def comment(
    option_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    body: CommentIn,
    voter: Voter,
    session: SessionDep,
    round_id: RoundId,
) -> dict[str, Any]:
    """Shown under your constituency, with nothing else about you."""
    return rounds.comment(session, rounds.get(session, round_id), voter, option_id, body.body)


@router.get(
    "/{round_id}/comments",
    response_model=list[OptionComments],
    summary="What each constituency said of each option",
    responses=problems(404),
)
def comments(
    found: Annotated[DecisionRound, Depends(_round)], session: ReadSessionDep
) -> list[dict[str, Any]]:
    return rounds.comments(session, found)


@router.post(
    "/{round_id}/close",
    response_model=RecordOut,
    summary="Close the round: its record is frozen",
    responses=problems(403, 404, 409),
)
def close(found: Runner, session: SessionDep, account: SignedInDep) -> dict[str, Any]:
    rounds.close(session, account, found)
    return round_results.record(session, found)


@router.get(
    "/{round_id}/results",
    response_model=ResultsOut,
    summary="The results: each constituency's, combined with equal weight, and a head count",
    responses=answer(200, "The results page, with f=html", "text/html") | problems(403, 404),
)
def results(
    found: Annotated[DecisionRound, Depends(_round)],
    session: ReadSessionDep,
    account: AccountDep,
    language: LanguageDep,
    f: Annotated[Literal["json", "html"], Query(description="Output format")] = "json",
) -> Response:
    """Shown to everyone once the round has closed; while it is open, to those who run it
    only (so no one votes to follow the crowd)."""
    if rounds.state(found) != "closed" and not rounds.runs(session, account, found):
        raise Problem(403, "the results are shown when the round closes")
    if f == "html":
        from app.web.say_pages import results_page

        return HTMLResponse(results_page(found, language))
    shaped = ResultsOut.model_validate(round_results.results(session, found))
    return JSONResponse(shaped.model_dump(mode="json"))


@router.get(
    "/{round_id}/record",
    response_model=RecordOut,
    summary="The decision record: frozen when the round closed",
    responses=answer(200, "As a page, with f=html", "text/html") | problems(404, 409),
)
def record(
    round_id: RoundId,
    session: SessionDep,
    f: Annotated[Literal["json", "html"], Query(description="Output format")] = "json",
) -> Response:
    """What was asked, the options with their evidence as it was, the results, the
    turnout, the method, who ran it and when; citable by its id, never changed. A 409
    while the round is open."""
    kept = round_results.record(session, rounds.get(session, round_id))
    if f == "html":
        from app.web.say_pages import record_page

        return HTMLResponse(record_page(kept))
    return JSONResponse(RecordOut.model_validate(kept).model_dump(mode="json"))


@router.get(
    "/{round_id}/ballots.csv",
    response_class=Response,
    summary="The anonymised ballots, for audit",
    responses=answer(200, "One row per ballot", CSV) | problems(404, 409),
)
def audit(found: Annotated[DecisionRound, Depends(_round)], session: ReadSessionDep) -> Response:
    """A random reference, the constituency and the mark on each option (its rank, 1 for
    approved, or its points) per ballot; nothing that says who cast it or when. Once the
    round has closed."""
    if rounds.state(found) != "closed":
        raise Problem(409, said("round {id} has not closed", id=found.id))
    columns, rows = round_results.audit_rows(session, found)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    name = f'attachment; filename="round-{found.id}-ballots.csv"'
    return Response(out.getvalue(), media_type=CSV, headers={"Content-Disposition": name})


@router.get(
    "/{round_id}/vote",
    response_class=HTMLResponse,
    name="round_page",
    summary="The ballot page (an invite's link: ?code=...)",
    responses=problems(404),
)
def round_page(
    found: Annotated[DecisionRound, Depends(_round)], settings: SettingsDep, language: LanguageDep
) -> HTMLResponse:
    """Rank by dragging or by keyboard (or approve, or share points), on a phone or a
    laptop; comment on the options."""
    from app.web.say_pages import ballot_page

    return HTMLResponse(ballot_page(found, settings.basemap_url, language))
