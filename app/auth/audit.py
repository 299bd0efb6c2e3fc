"""The audit of changes to accounts: who made each, when, what, the values before and
after, and the authorities the account belonged to, so an authority admin reads the
entries about their own people alone."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Text, and_, literal, select, true
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.orm import Session

from app.auth.accounts import Account
from app.domain.paging import decode_cursor, encode_cursor
from app.models import AccountAudit


def record(
    session: Session,
    actor: str,
    action: str,
    user: dict[str, Any],
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    also: dict[str, Any] | None = None,
) -> None:
    """Write one entry: `actor` (an email, or `cli:<login>` at the command line) did
    `action` to `user` (as app.auth.people shows users), whose authorities were `user`'s
    and `also`'s (the account as it was, or became)."""
    authorities = sorted({*user["authorities"], *((also or {}).get("authorities") or [])})
    session.execute(
        insert(AccountAudit).values(
            actor=actor,
            action=action,
            user_id=user["id"],
            email=user["email"],
            before=before,
            after=after,
            authorities=authorities,
        )
    )


def _readable(reader: Account) -> ColumnElement[bool]:
    if reader.everywhere:
        return true()
    mine = literal(list(reader.areas), ARRAY(Text))
    return and_(AccountAudit.authorities.contained_by(mine), AccountAudit.authorities != [])


def entries(
    session: Session,
    reader: Account,
    email: str | None,
    limit: int,
    after: str | None,
) -> dict[str, Any]:
    """The entries `reader` (an admin) may read, newest first, about `email` if given;
    {"entries": [...], "next": cursor or None}. An authority admin reads those about
    accounts of their authorities alone."""
    query = (
        select(
            AccountAudit.id,
            AccountAudit.at,
            AccountAudit.actor,
            AccountAudit.action,
            AccountAudit.user_id,
            AccountAudit.email,
            AccountAudit.before,
            AccountAudit.after,
            AccountAudit.authorities,
        )
        .where(_readable(reader))
        .order_by(AccountAudit.id.desc())
        .limit(limit + 1)
    )
    if email is not None:
        query = query.where(AccountAudit.email == email.strip().lower())
    if after is not None:
        (last,) = decode_cursor(after, [int])
        query = query.where(AccountAudit.id < last)
    rows = [dict(row._mapping) for row in session.execute(query)]
    shown = rows[:limit]
    more = len(rows) > limit
    return {"entries": shown, "next": encode_cursor((shown[-1]["id"],)) if more else None}
