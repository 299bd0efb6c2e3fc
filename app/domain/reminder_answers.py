"""Answering a review reminder: what its link shows, and the answer it records ("still
there" verifies the asset, "changed" puts it before the moderators, "closed" archives it or
proposes that), once, by a token kept as its digest (app.domain.reminders sends them)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import cast, func, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from app.auth.accounts import Account, account_by_email
from app.domain import access, asset_writes, moderation
from app.domain.asset_search import get_asset
from app.domain.reminders import (
    ANSWERS,
    SAID,
    Answer,
    _confirmed,
    _day,
    _digest,
)
from app.domain.visibility import View
from app.errors import FieldProblem, Problem
from app.i18n import said
from app.models import (
    Asset,
    ModerationRequest,
    ReviewCycle,
    ReviewReminder,
    User,
)
from app.schemas import AssetFields, AssetPatch


@dataclass(frozen=True)
class FoundReminder:
    """A reminder found by its token, with its asset and who it was sent to."""

    reminder: ReviewReminder
    cycle: ReviewCycle
    asset_id: int
    asset_name: str
    email: str


def _found(session: Session, token: str, lock: bool = False) -> FoundReminder:
    """The reminder a link's token belongs to, if it may still be answered: a 404 naming
    `token` for an unknown one, a 410 for one used, expired, or no longer needed."""
    query = (
        select(
            ReviewReminder,
            ReviewCycle,
            Asset.name,
            Asset.status,
            _confirmed().label("confirmed_now"),
            User.email,
            User.disabled_at,
        )
        .join(ReviewCycle, ReviewCycle.id == ReviewReminder.cycle_id)
        .join(Asset, Asset.id == ReviewCycle.asset_id)
        .join(User, User.id == ReviewReminder.user_id)
        .where(ReviewReminder.digest == _digest(token))
    )
    if lock:
        query = query.with_for_update(of=(ReviewReminder, ReviewCycle))
    row = session.execute(query).first()
    if row is None:
        raise Problem(404, "token: this reminder link is not known", [_token_problem("unknown")])
    reminder, cycle = row.ReviewReminder, row.ReviewCycle
    gone = None
    if reminder.used_at is not None:
        gone = f"this link was used on {_day(reminder.used_at)}: it works once"
    elif reminder.expires_at <= datetime.now(UTC):
        gone = f"this link expired on {_day(reminder.expires_at)}"
    elif cycle.answer is not None:
        gone = f"someone already answered this reminder: {SAID[cycle.answer].lower()}"
    elif row.status != "published":
        gone = f"{row.name} is {row.status} now: no answer is needed"
    elif row.confirmed_now != cycle.confirmed_at:
        gone = f"someone confirmed {row.name} on {_day(row.confirmed_now)}: no answer is needed"
    elif row.disabled_at is not None:
        gone = "the account this link was sent to is disabled"
    if gone is not None:
        raise Problem(410, said("token: {gone}", gone=gone), [_token_problem(gone)])
    return FoundReminder(reminder, cycle, cycle.asset_id, row.name, row.email)


def _token_problem(message: str) -> FieldProblem:
    return FieldProblem("token", message)


def describe(session: Session, token: str, chosen: Answer | None) -> dict[str, Any]:
    """What a reminder's link is about, for its page: the asset, the answers it takes
    (`chosen`: the one the link named), when it was sent and until when it works."""
    found = _found(session, token)
    return {
        "asset_id": found.asset_id,
        "asset_name": found.asset_name,
        "reminder": found.reminder.round,
        "sent_at": found.reminder.sent_at,
        "expires_at": found.reminder.expires_at,
        "answers": list(ANSWERS),
        "answer": chosen,
    }


Outcome = Literal["verified", "archived", "queued"]


def answer(session: Session, token: str, given: Answer, note: str | None) -> dict[str, Any]:
    """Record the answer to a reminder, as the person it was sent to, and act on it:
    "still_there" verifies the asset; "changed" queues `note` for its moderators; "closed"
    archives it (its moderator) or proposes that to its moderators. The token is spent, and
    the reminders about this confirmation end. 404/410 as for its link; a 409 when the
    answer would queue something while another change to the asset waits."""
    found = _found(session, token, lock=True)
    account = account_by_email(session, found.email)
    if account is None:
        raise Problem(410, "token: the account this link was sent to is disabled")
    asset_id = found.asset_id
    allowed = access.access(session, account, asset_id)
    request: dict[str, Any] | None = None
    outcome: Outcome
    if given == "still_there":
        asset_writes.verify_asset(session, asset_id, account.email)
        outcome, detail = (
            "verified",
            said("{name} is confirmed as still there", name=found.asset_name),
        )
    elif given == "closed" and allowed.moderator:
        asset_writes.archive_asset(session, asset_id, None, account.email)
        moderation.withdraw(session, asset_id, account.email, f"archived by {account.email}")
        outcome, detail = "archived", said("{name} is archived", name=found.asset_name)
    else:
        change = AssetFields(status="archived") if given == "closed" else AssetFields()
        request = _propose(session, allowed, account, change, given, note)
        outcome = "queued"
        detail = said("A moderator of the area will look at {name}", name=found.asset_name)
    answered_at = session.scalar(select(func.now()))
    session.execute(
        update(ReviewReminder)
        .where(ReviewReminder.id == found.reminder.id)
        .values(used_at=answered_at)
    )
    session.execute(
        update(ReviewCycle)
        .where(ReviewCycle.id == found.cycle.id)
        .values(answer=given, answered_by=account.email, answered_at=answered_at)
    )
    view: View = "full" if access.access(session, account, asset_id).whole else "public"
    return {
        "asset_id": asset_id,
        "answer": given,
        "outcome": outcome,
        "detail": detail,
        "answered_by": account.email,
        "answered_at": answered_at,
        "asset": json.loads(get_asset(session, asset_id, view).feature),
        "moderation": request,
    }


def _propose(
    session: Session,
    allowed: access.AssetAccess,
    account: Account,
    change: AssetFields,
    given: Answer,
    note: str | None,
) -> dict[str, Any]:
    """Queue `change` (none, for "changed") for the asset's moderators, with a note saying
    it answers a review reminder (and what the person wrote)."""
    request = moderation.propose_edit(
        session, allowed, AssetPatch(properties=change), lambda _: None, account
    )
    said = f"{SAID[given]} (an answer to a review reminder)"
    written = f"{said}: {note}" if note else said
    session.execute(
        update(ModerationRequest)
        .where(ModerationRequest.id == request["id"])
        .values(changes=ModerationRequest.changes.op("||")(cast({"note": written}, JSONB)))
    )
    return moderation.open_request(session, allowed.asset_id)
