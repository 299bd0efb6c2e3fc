"""What the API answers about equal say: decision rounds, their ballots, results and
records, and the partnership's self-assessments (see app.api.answers for how these models
are used)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class ConstituencyOut(BaseModel):
    id: int
    name: str
    invites: int = Field(description="How many invites it was given")
    ballots: int = Field(description="How many have cast a ballot")


class OptionOut(BaseModel):
    id: int
    position: int
    kind: Literal["gap", "site", "innovation", "free"]
    title: str
    description: str | None
    area: str | None
    innovation: int | None
    lon: float | None
    lat: float | None
    evidence: dict[str, Any] = Field(description="What the analyses said when it was made")


class RoundOut(BaseModel):
    """A decision round: its question, options with evidence, constituencies, method and
    times; `state` is upcoming, open or closed."""

    id: int
    area: str
    question: str
    description: str | None
    method: Literal["borda", "approval", "points"]
    points_total: int
    opens_at: datetime
    closes_at: datetime
    state: Literal["upcoming", "open", "closed"]
    created_by: str
    created_at: datetime
    closed_at: datetime | None
    constituencies: list[ConstituencyOut]
    options: list[OptionOut]


class RoundList(BaseModel):
    rounds: list[RoundOut]


class InviteOut(BaseModel):
    code: str = Field(description="Shown this once: only its digest is kept")
    link: str


class InvitesOut(BaseModel):
    constituency: str
    invites: list[InviteOut]


class BallotOut(BaseModel):
    """A ballot as its holder cast it."""

    constituency: str
    cast: bool = Field(description="Whether this invite has cast its ballot")
    changes: int = Field(description="How many times it was changed")
    ranking: list[int] | None = None
    approve: list[int] | None = None
    points: dict[str, int] | None = None


class CommentOut(BaseModel):
    id: int
    option: int
    constituency: str
    body: str


class CommentText(BaseModel):
    body: str
    at: datetime


class ConstituencyComments(BaseModel):
    constituency: str
    comments: list[CommentText]


class OptionComments(BaseModel):
    option: int
    by_constituency: list[ConstituencyComments]


class ResultRow(BaseModel):
    option: int
    title: str
    rank: int
    share: float = Field(description="Of the constituency's (or the combined) whole: 0 to 1")
    score: float | None = None


class MethodOut(BaseModel):
    name: str
    formula: str
    equal_weight: str
    ties: str
    points_total: int | None


class Turnout(BaseModel):
    constituency: str
    invites: int
    ballots: int
    share: float | None


class ConstituencyResult(BaseModel):
    constituency: str
    ballots: int
    counted: bool = Field(description="Whether it cast any ballot, and so counts")
    results: list[ResultRow]


class Winner(BaseModel):
    equal_weight: int | None
    head_count: int | None
    differ: bool


class OptionAgreement(BaseModel):
    option: int
    title: str
    ranks: dict[str, int]
    spread: int
    disagree: bool


class PairAgreement(BaseModel):
    between: list[str]
    kendall_tau: float | None


class Agreement(BaseModel):
    disagree_at: int
    options: list[OptionAgreement]
    pairs: list[PairAgreement]


class ResultsOut(BaseModel):
    """Each constituency's result side by side, the combined one with equal weight, and
    what a head count would have said."""

    round: int
    state: str
    method: MethodOut
    turnout: list[Turnout]
    constituencies: list[ConstituencyResult]
    combined: list[ResultRow]
    head_count: list[ResultRow]
    winner: Winner
    agreement: Agreement


class RecordOut(BaseModel):
    """A closed round's decision record: never changed once made."""

    id: int
    area: str
    question: str
    description: str | None
    options: list[OptionOut]
    constituencies: list[str]
    results: ResultsOut
    ran_by: str
    opened_at: datetime
    closed_at: datetime
    closed_by: str | None
    frozen_at: datetime


class Characteristic(BaseModel):
    slug: str
    name: str


class AssessmentConstituency(BaseModel):
    constituency: str
    responses: int
    invites: int
    scores: dict[str, float]
    comments: dict[str, list[str]]
    value_answers: list[str]
    next_answers: list[str]


class AssessmentOut(BaseModel):
    """An assessment's results: per constituency, combined with equal weight, and the
    proposed next area for development."""

    assessment: int
    area: str
    title: str
    created_at: datetime
    closed_at: datetime | None
    characteristics: list[Characteristic]
    method: str
    constituencies: list[AssessmentConstituency]
    combined: dict[str, float]
    next_area: Characteristic | None


class ResponseOut(BaseModel):
    constituency: str
    responded: bool
    scores: dict[str, dict[str, Any]]
    value_answer: str | None
    next_answer: str | None


class AssessmentPoint(BaseModel):
    assessment: int
    title: str
    created_at: datetime
    closed_at: datetime | None
    combined: dict[str, float]
    next_area: Characteristic | None
    change: dict[str, float] | None = Field(description="Since the one before")


class AssessmentSeries(BaseModel):
    area: str
    characteristics: list[Characteristic]
    assessments: list[AssessmentPoint]
