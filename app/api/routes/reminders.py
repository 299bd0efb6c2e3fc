"""Review reminders: `/reminders/periods` (how long each category's assets may go
unconfirmed) and `/reminders/answer` (where a reminder email's one-click links lead).

A link's GET only shows what it will do, with a button: the answer is recorded by POST, so
a mail scanner that fetches every link in an email records nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from app.api.answers import ReminderAnswerOut, ReminderLinkOut, ReviewPeriodOut, ReviewPeriodsOut
from app.api.deps import ReadSessionDep, ReminderSettingsDep, SessionDep, SignedInDep
from app.api.openapi import Responses, problems
from app.api.openapi import answer as described_answer
from app.api.responses import NO_STORE
from app.auth.accounts import Account
from app.domain import access, reminder_answers, reminders
from app.errors import invalid
from app.i18n import LanguageDep
from app.web import brief_words
from app.web.page import translated_html

router = APIRouter(prefix="/reminders", tags=["reminders"])

CategorySlug = Annotated[
    str,
    Path(
        max_length=64,
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
        description="A category's slug (GET /taxonomy)",
        examples=["food-bank"],
    ),
]
Token = Annotated[
    str,
    Query(min_length=1, max_length=100, description="The token of a reminder email's links"),
]
GONE: Responses = {
    410: {"description": "The link was used already, has expired, or is no longer needed"}
}


class ReviewPeriodIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    review_after: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)
    ]


class ReminderAnswerIn(BaseModel):
    """An answer to a reminder: its link's token, the answer, and what changed, if told."""

    model_config = ConfigDict(extra="forbid")

    token: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    answer: reminders.Answer
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None


@dataclass(frozen=True)
class PostedAnswer:
    """An answer as sent: from the link's page (a form: answered with a page) or as JSON."""

    body: ReminderAnswerIn
    from_form: bool


async def posted_answer(request: Request) -> PostedAnswer:
    """The answer, from a form (the page's button) or a JSON body; a 422 naming each field
    at fault."""
    content_type = request.headers.get("content-type", "")
    from_form = content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    )
    data: Any
    if from_form:
        form = await request.form()
        data = {key: value for key, value in form.items() if isinstance(value, str)}
    else:
        try:
            data = json.loads(await request.body())
        except ValueError as bad:
            raise invalid("body", "is not valid JSON") from bad
    try:
        body = ReminderAnswerIn.model_validate(data)
    except ValidationError as bad:
        raise RequestValidationError(
            [error | {"loc": ("body", *error["loc"])} for error in bad.errors()]
        ) from bad
    return PostedAnswer(body, from_form)


def _admin(account: Account) -> None:
    if not account.everywhere:
        raise access.forbidden("only admins of everything set review periods")


@router.get("/periods", response_model=ReviewPeriodsOut, summary="How long assets go unconfirmed")
def review_periods(session: ReadSessionDep, settings: ReminderSettingsDep) -> dict[str, Any]:
    """How long an asset may go unconfirmed (verified, or else added) before its review
    reminders start: the default, and each category's own (its sub-categories follow it
    unless they have their own); and the `interval` between reminders."""
    return reminders.periods(session, settings)


@router.put(
    "/periods/{category}",
    response_model=ReviewPeriodOut,
    summary="Set a category's review period",
    responses=problems(403),
)
def set_review_period(
    category: CategorySlug, period: ReviewPeriodIn, account: SignedInDep, session: SessionDep
) -> dict[str, Any]:
    """Admins: give a category (and the sub-categories without their own) a review period
    of its own, an ISO 8601 duration such as P3M: its assets are asked about once they have
    gone that long unconfirmed."""
    _admin(account)
    return reminders.set_period(session, category, period.review_after, account.email)


@router.delete(
    "/periods/{category}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Give a category the default review period again",
    responses=problems(403, 404),
)
def clear_review_period(
    category: CategorySlug, account: SignedInDep, session: SessionDep
) -> Response:
    """Admins: the category follows its parent's period again, or the default."""
    _admin(account)
    reminders.clear_period(session, category)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/answer",
    response_model=ReminderLinkOut,
    summary="Where a reminder's link leads",
    responses=described_answer(200, "The page to answer on, when a browser asks", "text/html")
    | problems(404)
    | GONE,
)
def reminder_link(
    token: Token,
    session: ReadSessionDep,
    language: LanguageDep,
    answer: Annotated[
        reminders.Answer | None, Query(description="The answer the link was for")
    ] = None,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    """What a reminder's link is about: a browser gets a page with the answer and a button
    that sends it (POST), anyone else this as JSON. Nothing is recorded: a mail scanner
    fetching the links answers nothing."""
    about = reminder_answers.describe(session, token, answer)
    if accept is not None and "text/html" in accept:
        page = _render("reminder_answer.html", language, about=about, token=token)
        return HTMLResponse(page, headers=NO_STORE)
    return JSONResponse(jsonable_encoder(about), headers=NO_STORE)


@router.post(
    "/answer",
    response_model=ReminderAnswerOut,
    summary="Answer a reminder",
    responses=described_answer(200, "Answered from the link's page: a page", "text/html")
    | problems(404, 409)
    | GONE,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                media_type: {"schema": ReminderAnswerIn.model_json_schema()}
                for media_type in ("application/json", "application/x-www-form-urlencoded")
            },
        }
    },
)
def answer_reminder(
    posted: Annotated[PostedAnswer, Depends(posted_answer)],
    session: SessionDep,
    language: LanguageDep,
) -> Response:
    """Record the answer to a reminder, once, as the person it was sent to: `still_there`
    confirms the asset (`verified_at` now, `verified_by` them); `changed` queues a change
    for its moderators with the `note`; `closed` archives it when they moderate its area,
    and otherwise proposes that to its moderators. A used or expired link is a 410."""
    body = posted.body
    done = reminder_answers.answer(session, body.token, body.answer, body.note or None)
    if posted.from_form:
        page = _render("reminder_answer.html", language, done=done)
        return HTMLResponse(page, headers=NO_STORE)
    return JSONResponse(jsonable_encoder(done), headers=NO_STORE)


def _render(template: str, language: str, **values: Any) -> str:
    """The answer's page in `language`: its answers named, its days written as people
    read them."""
    return translated_html(
        template,
        language,
        said=reminders.SAID,
        day=lambda moment: brief_words.day(moment, language),
        **values,
    )
