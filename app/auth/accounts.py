"""Users, passwords and bearer tokens.

Passwords are hashed with Argon2id (pwdlib's recommended hash). Tokens are random 32-byte
strings shown once and stored only as their SHA-256 digest: an `access` token from
signing in expires after a while; an `api` token for scripts lasts until revoked. Repeated
failed sign-ins for one email must wait longer and longer before the next try.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pwdlib import PasswordHash
from sqlalchemy import delete, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.errors import FieldProblem, Problem, invalid
from app.i18n import said
from app.models import Area, AuthToken, SignInFailure, User, UserArea
from app.settings import AuthSettings

Role = Literal["contributor", "moderator", "analyst", "admin"]
ROLES: tuple[Role, ...] = ("contributor", "moderator", "analyst", "admin")
TokenKind = Literal["access", "api"]

_hasher = PasswordHash.recommended()
# A hash to check against when the email is unknown, so both answers take as long.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class Account:
    """A signed-in user: id, email, role, the areas they look after (a moderator's; an
    authority admin's local authorities) and, for a contributor or analyst, the authority
    whose people they are."""

    id: int
    email: str
    role: Role
    areas: tuple[str, ...]
    authority: str | None = None

    @property
    def everywhere(self) -> bool:
        """Whether this is an admin of everything (an admin without areas), not one
        authority's admin."""
        return self.role == "admin" and not self.areas


@dataclass(frozen=True)
class IssuedToken:
    """A token as its holder sees it, once."""

    token: str
    kind: TokenKind
    expires_at: datetime | None


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    session: Session,
    email: str,
    role: str,
    areas: list[str],
    password: str | None = None,
    authority: str | None = None,
) -> tuple[int, str]:
    """A new user; returns their id and password (a random one-time password unless one is
    given). A 422 naming `email`, `role`, `area` or `authority` when the user cannot be
    made (check_role)."""
    email = normalise_email(email)
    if "@" not in email.strip("@"):
        raise invalid("email", "is not an email address")
    check_role(session, role, areas, authority)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Problem(409, said("email: {email} already has an account", email=email))
    password = password or secrets.token_urlsafe(12)
    user_id = session.execute(
        insert(User)
        .values(
            email=email,
            password_hash=hash_password(password),
            role=role,
            authority_code=authority,
        )
        .returning(User.id)
    ).scalar_one()
    for code in dict.fromkeys(areas):
        session.execute(insert(UserArea).values(user_id=user_id, area_code=code))
    return user_id, password


def check_role(session: Session, role: str, areas: list[str], authority: str | None) -> None:
    """A 422 naming `role`, `area` or `authority` unless the three fit: a moderator looks
    after at least one area; an admin's areas, if any, are local authorities (an authority
    admin; none: an admin of everything); contributors and analysts look after none, and
    may belong to one local authority."""
    if role not in ROLES:
        raise invalid("role", said("must be one of {roles}", roles=", ".join(ROLES)))
    if role == "moderator" and not areas:
        raise invalid("area", "a moderator looks after at least one area")
    if role not in ("moderator", "admin") and areas:
        raise invalid("area", "only moderators and authority admins look after areas")
    if authority is not None and role not in ("contributor", "analyst"):
        raise invalid("authority", "only contributors and analysts belong to an authority")
    asked = [*areas, *([] if authority is None else [authority])]
    rows = session.execute(select(Area.code, Area.level).where(Area.code.in_(asked)))
    levels = {row.code: row.level for row in rows}
    for code in areas:
        if code not in levels:
            raise invalid("area", said("no area has the code {code}", code=repr(code)))
        if role == "admin" and levels[code] != "local_authority":
            raise invalid(
                "area",
                said("an authority admin's areas are local authorities: {code}", code=repr(code)),
            )
    if authority is not None and levels.get(authority) != "local_authority":
        raise invalid(
            "authority", said("no local authority has the code {code}", code=repr(authority))
        )


def hash_password(password: str) -> str:
    """The Argon2id hash of `password`, as stored."""
    return _hasher.hash(password)


def password_matches(password: str, stored_hash: str) -> bool:
    return _hasher.verify(password, stored_hash)


def issue_token(
    session: Session,
    user_id: int,
    kind: TokenKind,
    settings: AuthSettings,
    name: str | None = None,
) -> IssuedToken:
    """A new bearer token for the user; only its digest is kept."""
    token = secrets.token_urlsafe(32)
    expires_at = (
        datetime.now(UTC) + timedelta(minutes=settings.access_token_minutes)
        if kind == "access"
        else None
    )
    session.execute(
        insert(AuthToken).values(
            user_id=user_id, kind=kind, digest=_digest(token), name=name, expires_at=expires_at
        )
    )
    return IssuedToken(token, kind, expires_at)


# Count one more attempt for an email, unless its failures must wait: one statement, so
# concurrent guesses are counted one at a time. Nothing comes back while they must wait.
_CLAIM = text(
    """
    INSERT INTO sign_in_failure AS f (email, failures, last_failed_at)
    VALUES (:email, 1, clock_timestamp())
    ON CONFLICT (email) DO UPDATE
       SET failures = f.failures + 1, last_failed_at = clock_timestamp()
     WHERE f.failures < :free
        OR clock_timestamp() >= f.last_failed_at + make_interval(
               secs => least(:base * power(2, f.failures - :free), :most))
    RETURNING failures
    """
)
_WAIT = text(
    """
    SELECT extract(epoch FROM f.last_failed_at + make_interval(
               secs => least(:base * power(2, f.failures - :free), :most)) - clock_timestamp())
      FROM sign_in_failure AS f WHERE email = :email
    """
)


def claim_attempt(session: Session, email: str, settings: AuthSettings) -> None:
    """Count a sign-in attempt for `email` as a failure before its password is checked (a
    right one forgets it: forget_failures); a 429 with Retry-After while this email's
    failures must wait. Run it on a session that commits at once, so the count holds
    whatever becomes of the request."""
    limits = {
        "email": normalise_email(email),
        "free": settings.free_failures,
        "base": settings.lockout_base_s,
        "most": settings.lockout_max_s,
    }
    if session.execute(_CLAIM, limits).first() is not None:
        return
    wait = session.scalar(_WAIT, limits) or 0
    seconds = max(1, math.ceil(float(wait)))
    raise Problem(
        429,
        said("too many failed sign-ins for this email: try again in {seconds} s", seconds=seconds),
        [FieldProblem("username", "too many failed sign-ins")],
        headers={"Retry-After": str(seconds)},
    )


def sign_in(session: Session, email: str, password: str, settings: AuthSettings) -> IssuedToken:
    """An access token for the right email and password, once claim_attempt has counted
    the attempt. A 401 otherwise (the same answer for an unknown email)."""
    email = normalise_email(email)
    user = session.scalars(
        select(User).where(User.email == email, User.disabled_at.is_(None))
    ).first()
    if user is None or not _hasher.verify(password, user.password_hash):
        if user is None:
            _hasher.verify(password, _DUMMY_HASH)
        raise Problem(
            401,
            "the email or password is wrong",
            [FieldProblem("password", "the email or password is wrong")],
            headers={"WWW-Authenticate": "Bearer"},
        )
    session.execute(delete(SignInFailure).where(SignInFailure.email == email))
    return issue_token(session, user.id, "access", settings)


def account_for(session: Session, token: str) -> Account | None:
    """The account a bearer token belongs to; None if unknown, expired, revoked or the user
    is disabled."""
    row = session.execute(
        select(User.id, User.email, User.role, User.authority_code)
        .join(AuthToken, AuthToken.user_id == User.id)
        .where(
            AuthToken.digest == _digest(token),
            AuthToken.revoked_at.is_(None),
            (AuthToken.expires_at.is_(None)) | (AuthToken.expires_at > datetime.now(UTC)),
            User.disabled_at.is_(None),
        )
    ).first()
    return None if row is None else _account(session, row)


def account_by_email(session: Session, email: str) -> Account | None:
    """The account of `email`, for commands run by the service's operator; None if there
    is none, or it is disabled."""
    row = session.execute(
        select(User.id, User.email, User.role, User.authority_code).where(
            User.email == normalise_email(email), User.disabled_at.is_(None)
        )
    ).first()
    return None if row is None else _account(session, row)


def _account(session: Session, row: Any) -> Account:
    areas = tuple(
        session.scalars(
            select(UserArea.area_code)
            .where(UserArea.user_id == row.id)
            .order_by(UserArea.area_code)
        )
    )
    return Account(row.id, row.email, row.role, areas, row.authority_code)


def revoke_token(session: Session, user_id: int, token_id: int) -> None:
    """Revoke one of the user's tokens; a 404 if they have no such token."""
    done = session.execute(
        update(AuthToken)
        .where(AuthToken.id == token_id, AuthToken.user_id == user_id)
        .values(revoked_at=datetime.now(UTC))
        .returning(AuthToken.id)
    ).first()
    if done is None:
        raise Problem(404, said("token {token_id} not found", token_id=token_id))


def list_tokens(session: Session, user_id: int) -> list[dict[str, object]]:
    rows = session.execute(
        select(
            AuthToken.id,
            AuthToken.kind,
            AuthToken.name,
            AuthToken.created_at,
            AuthToken.expires_at,
            AuthToken.revoked_at,
        )
        .where(AuthToken.user_id == user_id)
        .order_by(AuthToken.id)
    ).all()
    return [dict(row._mapping) for row in rows]
