"""Passwords: one-time reset links an admin sends (printed by the CLI, emailed when an SMTP
server is configured), and users changing their own.

A link's token is random, shown once and kept only as its SHA-256 digest; it works once,
until it expires (ASSETMAP_AUTH_RESET_LINK_MINUTES), and a newer link voids the older
ones. A new password signs the user out everywhere: their tokens are revoked.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.auth import audit, people
from app.auth.accounts import Account, hash_password, password_matches
from app.errors import FieldProblem, Problem, invalid
from app.i18n import said
from app.io.mail import send_mail
from app.models import AuthToken, PasswordReset, SignInFailure, User
from app.settings import AuthSettings, MailSettings

MIN_PASSWORD = 10
MAX_PASSWORD = 1000


@dataclass(frozen=True)
class ResetLink:
    """A reset link as the admin (or the CLI) sees it, once; `emailed_to` when it went by
    email."""

    email: str
    link: str
    expires_at: datetime
    emailed_to: str | None = None


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def check_password(password: str, field: str) -> None:
    """A 422 naming `field` for a password too short or too long."""
    if len(password) < MIN_PASSWORD:
        raise invalid(field, said("must be at least {n} characters", n=MIN_PASSWORD))
    if len(password) > MAX_PASSWORD:
        raise invalid(field, said("must be at most {n} characters", n=MAX_PASSWORD))


def reset_link(base_url: str, token: str) -> str:
    """The page where the holder of `token` chooses a new password; the token rides in the
    fragment, so it is never sent to a server with the page's request."""
    return f"{base_url.rstrip('/')}/people/reset#token={token}"


def create_link(
    session: Session,
    admin: Account,
    user_id: int,
    settings: AuthSettings,
    base_url: str,
    actor: str | None = None,
) -> ResetLink:
    """A new reset link for a user `admin` manages (people.get_user's 403 and 404 else),
    voiding their older ones; audited as `actor` (default: the admin's email)."""
    user = people.get_user(session, admin, user_id)
    if user["disabled_at"] is not None:
        raise Problem(409, said("{email} is disabled: enable them first", email=user["email"]))
    now = datetime.now(UTC)
    expires_at = now + timedelta(minutes=settings.reset_link_minutes)
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None))
        .where(PasswordReset.expires_at > now)
        .values(expires_at=now)
    )
    token = secrets.token_urlsafe(32)
    session.execute(
        insert(PasswordReset).values(
            user_id=user_id,
            digest=_digest(token),
            created_by=actor or admin.email,
            expires_at=expires_at,
        )
    )
    audit.record(
        session,
        actor or admin.email,
        "reset_link",
        user,
        None,
        {"expires_at": expires_at.isoformat()},
    )
    return ResetLink(user["email"], reset_link(base_url, token), expires_at)


def email_link(mail: MailSettings, link: ResetLink) -> ResetLink:
    """Send `link` to its user (app.io.mail.MailError if the server refuses it)."""
    body = (
        "Hello,\n\n"
        "An administrator of the Community Asset Map has sent you a link to choose a new "
        "password for your account:\n\n"
        f"  {link.link}\n\n"
        f"It works once, until {link.expires_at:%-d %B %Y %H:%M} UTC. If you did not expect "
        "it, you can ignore this email: your password stays as it is.\n"
    )
    send_mail(mail, link.email, "Choose a new password for the Community Asset Map", body)
    return ResetLink(link.email, link.link, link.expires_at, link.email)


def use_link(session: Session, token: str, password: str) -> str:
    """Set the password of the link's user, once; returns their email. A 410 for a link
    used already, expired, voided or unknown."""
    check_password(password, "password")
    now = datetime.now(UTC)
    row = session.execute(
        select(PasswordReset.id, User.id.label("user_id"), User.email)
        .join(User, User.id == PasswordReset.user_id)
        .where(
            PasswordReset.digest == _digest(token),
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now,
            User.disabled_at.is_(None),
        )
        .with_for_update(of=PasswordReset)
    ).first()
    if row is None:
        raise Problem(
            410,
            "this link was used already or has expired: ask an admin for a new one",
            [FieldProblem("token", "used already or expired")],
        )
    session.execute(update(PasswordReset).where(PasswordReset.id == row.id).values(used_at=now))
    _set_password(session, row.user_id, password, now)
    session.execute(delete(SignInFailure).where(SignInFailure.email == row.email))
    authorities = _authorities_of(session, row.user_id)
    user = {"id": row.user_id, "email": row.email, "authorities": authorities}
    audit.record(session, row.email, "reset_password", user, None, {"tokens_revoked": True})
    return str(row.email)


def change_own(session: Session, account: Account, current: str, new: str) -> None:
    """`account` changes their own password: a 422 naming `current_password` when it is
    wrong, or `new_password` when the new one will not do. Their other tokens stay."""
    check_password(new, "new_password")
    stored = session.scalar(select(User.password_hash).where(User.id == account.id))
    if stored is None or not password_matches(current, stored):
        raise invalid("current_password", "is not your password")
    session.execute(
        update(User).where(User.id == account.id).values(password_hash=hash_password(new))
    )
    authorities = _authorities_of(session, account.id)
    user = {"id": account.id, "email": account.email, "authorities": authorities}
    audit.record(session, account.email, "change_password", user, None, None)


def _set_password(session: Session, user_id: int, password: str, now: datetime) -> None:
    session.execute(
        update(User).where(User.id == user_id).values(password_hash=hash_password(password))
    )
    session.execute(
        update(AuthToken)
        .where(AuthToken.user_id == user_id, AuthToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def _authorities_of(session: Session, user_id: int) -> list[str]:
    return list(session.scalar(select(func.user_authorities(user_id))) or [])
