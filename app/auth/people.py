"""People administration: admins list and search users, change a role and a moderator's
areas, disable and enable accounts; an authority admin only among their authority's people.

Who an admin manages is one rule, the database's `user_within` (migration 0016): an admin
of everything manages everyone; an authority admin (an admin whose areas are local
authorities) manages the accounts tied to those authorities alone: a contributor or
analyst belonging to one, a moderator whose every area lies within them, another admin of
some of them. Every change is written to the audit (app.auth.audit) in the same
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, literal, or_, select, true, update
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.orm import Session
from sqlalchemy.types import Text

from app.auth import audit
from app.auth.accounts import Account, check_role, create_user, normalise_email
from app.domain.paging import decode_cursor, encode_cursor
from app.errors import FieldProblem, Problem, not_found
from app.i18n import said
from app.models import AuthToken, PasswordReset, User, UserArea


def forbidden(detail: str, field: str | None = None) -> Problem:
    return Problem(403, detail, [] if field is None else [FieldProblem(field, detail)])


def require_admin(account: Account) -> None:
    """A 403 unless `account` is an admin (of everything, or of an authority)."""
    if account.role != "admin":
        raise forbidden("only admins administer people")


def _authorities(account: Account) -> ColumnElement[Any]:
    return literal(list(account.areas), ARRAY(Text))


def manages(admin: Account, user_id: Any = User.id) -> ColumnElement[bool]:
    """Whether `admin` manages the user `user_id` (a column or a value)."""
    if admin.everywhere:
        return true()
    return func.coalesce(func.user_within(user_id, _authorities(admin)), False)


@dataclass(frozen=True)
class UserQuery:
    """Which users to list: `q` in their email, of a `role`, looking after (or belonging
    to) `area`, disabled or not (None: both)."""

    q: str | None = None
    role: str | None = None
    area: str | None = None
    disabled: bool | None = None


def _user_columns() -> list[Any]:
    areas = (
        select(
            func.coalesce(func.array_agg(UserArea.area_code.distinct()), literal([], ARRAY(Text)))
        )
        .where(UserArea.user_id == User.id)
        .scalar_subquery()
    )
    return [
        User.id,
        User.email,
        User.role,
        areas.label("areas"),
        User.authority_code.label("authority"),
        func.user_authorities(User.id).label("authorities"),
        User.created_at,
        User.disabled_at,
    ]


def _shown(row: Any) -> dict[str, Any]:
    found = dict(row._mapping)
    found["areas"] = sorted(found["areas"] or [])
    return found


def list_users(
    session: Session, admin: Account, wanted: UserQuery, limit: int, after: str | None
) -> dict[str, Any]:
    """The users `admin` manages that match `wanted`, by email, `limit` at a time after the
    cursor `after`; {"users": [...], "next": cursor or None}."""
    require_admin(admin)
    query = select(*_user_columns()).where(manages(admin)).order_by(User.email).limit(limit + 1)
    if wanted.q:
        escaped = wanted.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(User.email.ilike(f"%{escaped}%", escape="\\"))
    if wanted.role:
        query = query.where(User.role == wanted.role)
    if wanted.area:
        held = select(UserArea.user_id).where(UserArea.area_code == wanted.area)
        query = query.where(or_(User.id.in_(held), User.authority_code == wanted.area))
    if wanted.disabled is not None:
        query = query.where(
            User.disabled_at.is_not(None) if wanted.disabled else User.disabled_at.is_(None)
        )
    if after is not None:
        (last,) = decode_cursor(after, [str])
        query = query.where(User.email > last)
    rows = session.execute(query).all()
    shown = [_shown(row) for row in rows[:limit]]
    more = len(rows) > limit
    return {"users": shown, "next": encode_cursor((shown[-1]["email"],)) if more else None}


def get_user(session: Session, admin: Account, user_id: int) -> dict[str, Any]:
    """One user as `list_users` shows them; a 404 if there is none, a 403 saying why if
    `admin` does not manage them."""
    require_admin(admin)
    row = session.execute(
        select(*_user_columns(), manages(admin).label("managed")).where(User.id == user_id)
    ).first()
    if row is None:
        raise not_found(f"user {user_id}")
    if not row.managed:
        raise forbidden(_not_theirs(admin, list(row.authorities)))
    found = _shown(row)
    del found["managed"]
    return found


def user_by_email(session: Session, admin: Account, email: str) -> dict[str, Any]:
    """The user of `email`, as `get_user` finds them."""
    user_id = session.scalar(select(User.id).where(User.email == normalise_email(email)))
    if user_id is None:
        raise not_found(f"user {normalise_email(email)}")
    return get_user(session, admin, user_id)


def _not_theirs(admin: Account, authorities: list[str]) -> str:
    mine = ", ".join(admin.areas)
    if not authorities:
        return said(
            "you administer {mine}; this account belongs to no authority: "
            "an admin of everything manages it",
            mine=mine,
        )
    return said(
        "you administer {mine}; this account belongs to {theirs}, not yours alone",
        mine=mine,
        theirs=", ".join(authorities),
    )


def state(user: dict[str, Any]) -> dict[str, Any]:
    return {"role": user["role"], "areas": user["areas"], "authority": user["authority"]}


UNCHANGED: Any = object()


def change_role(
    session: Session,
    admin: Account,
    user_id: int,
    role: str | None = None,
    areas: list[str] | None = None,
    authority: str | None = UNCHANGED,
) -> dict[str, Any]:
    """Give a user a new role, areas (a moderator's, an authority admin's) or authority (a
    contributor's or analyst's); what is not sent stays, but areas go with a role that has
    none. A 422 naming `role`, `areas` or `authority` for a combination that cannot be; a
    403 when the user, or what they would become, is beyond `admin`'s authorities."""
    before = get_user(session, admin, user_id)
    if user_id == admin.id:
        raise forbidden("you cannot change your own role or areas: another admin can")
    new_role = role or before["role"]
    if areas is None:
        areas = before["areas"] if new_role in ("moderator", "admin") else []
    areas = list(dict.fromkeys(areas))
    if authority is UNCHANGED:
        authority = before["authority"] if new_role in ("contributor", "analyst") else None
    try:
        check_role(session, new_role, areas, authority)
    except Problem as problem:
        # the API's field is `areas`, the CLI's option `--area`: both name the areas
        if problem.errors and problem.errors[0].field == "area":
            raise Problem(
                422,
                problem.detail.replace("area:", "areas:", 1),
                [FieldProblem("areas", problem.errors[0].message)],
            ) from problem
        raise
    _check_within(session, admin, new_role, areas, authority)
    session.execute(
        update(User).where(User.id == user_id).values(role=new_role, authority_code=authority)
    )
    session.execute(delete(UserArea).where(UserArea.user_id == user_id))
    for code in areas:
        session.execute(insert(UserArea).values(user_id=user_id, area_code=code))
    after = _reread(session, user_id)
    action = "role" if after["role"] != before["role"] else "areas"
    audit.record(session, admin.email, action, before, state(before), state(after), after)
    return after


def _reread(session: Session, user_id: int) -> dict[str, Any]:
    row = session.execute(select(*_user_columns()).where(User.id == user_id)).one()
    return _shown(row)


def _check_within(
    session: Session, admin: Account, role: str, areas: list[str], authority: str | None
) -> None:
    """A 403 naming the field when an authority admin would give a role, area or authority
    beyond theirs."""
    if admin.everywhere:
        return
    mine = ", ".join(admin.areas)
    if role == "admin":
        if not areas:
            raise forbidden("only an admin of everything makes an admin of everything", "areas")
        beyond = [code for code in areas if code not in admin.areas]
        if beyond:
            raise forbidden(
                said("you administer {mine}, not {beyond}", mine=mine, beyond=", ".join(beyond)),
                "areas",
            )
    for code in areas:
        if not session.scalar(select(func.area_within(code, _authorities(admin)))):
            raise forbidden(
                said("you administer {mine}; {code} is not within them", mine=mine, code=code),
                "areas",
            )
    if role in ("contributor", "analyst") and authority not in admin.areas:
        raise forbidden(
            said("you administer {mine}: their people belong to one of them", mine=mine),
            "authority",
        )


def create(
    session: Session,
    admin: Account,
    email: str,
    role: str,
    areas: list[str],
    authority: str | None,
) -> dict[str, Any]:
    """A new account made by `admin` (within their authorities), with a random password no
    one is told: they choose their own through a reset link (app.auth.resets)."""
    require_admin(admin)
    check_role(session, role, areas, authority)
    _check_within(session, admin, role, areas, authority)
    user_id, _ = create_user(session, email, role, areas, authority=authority)
    made = _reread(session, user_id)
    audit.record(session, admin.email, "create", made, None, state(made), made)
    return made


def set_disabled(session: Session, admin: Account, user_id: int, disabled: bool) -> dict[str, Any]:
    """Disable a user (every token of theirs refused from its next use on, and revoked, so
    enabling them again does not bring old tokens back; their reset links void) or enable
    them again. A 403 for oneself, or someone `admin` does not manage."""
    before = get_user(session, admin, user_id)
    if user_id == admin.id:
        raise forbidden("you cannot disable or enable yourself: another admin can")
    if (before["disabled_at"] is not None) == disabled:
        return before
    now = datetime.now(UTC)
    session.execute(
        update(User).where(User.id == user_id).values(disabled_at=now if disabled else None)
    )
    revoked = 0
    if disabled:
        revoked = len(
            session.execute(
                update(AuthToken)
                .where(AuthToken.user_id == user_id, AuthToken.revoked_at.is_(None))
                .values(revoked_at=now)
                .returning(AuthToken.id)
            ).all()
        )
        session.execute(
            update(PasswordReset)
            .where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None))
            .values(expires_at=now)
        )
    after = _reread(session, user_id)
    audit.record(
        session,
        admin.email,
        "disable" if disabled else "enable",
        after,
        {"disabled_at": _iso(before["disabled_at"])},
        {"disabled_at": _iso(after["disabled_at"])}
        | ({"tokens_revoked": revoked} if disabled else {}),
        before,
    )
    return after


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
