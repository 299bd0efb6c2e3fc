"""Scanning sessions (the rapid scanning day): a moderator opens a session of an area with
its facilitators; people in the room join with its code and a name of their choosing, no
account, and get a token for that session alone, which ends when the session closes; what
they do is announced to everyone in the room as a session event.

Nothing is kept about a participant but the name they show, whether they agree to be named
in the leaders' network, their token's digest, and how many writes they made this minute.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.auth.accounts import Account
from app.domain import access
from app.errors import FieldProblem, Problem, invalid, not_found
from app.i18n import N_, said
from app.models import Area, ScanSession, SessionEvent, SessionParticipant, User

# Join codes: letters and digits no one misreads (no 0/O, 1/I); 8 of them, 32^8 > 10^12.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# A participant's token says so, so it is not looked for among accounts' tokens.
PARTICIPANT_PREFIX = "sp_"


# how anyone reads of someone in the room who did not agree to be named
UNNAMED = N_("someone in the room")


def shown_name(display_name: str, consent_to_network: bool) -> str:
    """A participant's name as others read it: theirs with their consent, else UNNAMED."""
    return display_name if consent_to_network else UNNAMED


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def normalise_code(code: str) -> str:
    """A join code as typed (`k7qm-4mz2`) as it was made (`K7QM4MZ2`)."""
    return "".join(character for character in code.upper() if character.isalnum())


@dataclass(frozen=True)
class Participant:
    """Someone in the room: the name they show, and whether they may be named in the
    leaders' network."""

    id: int
    session_id: int
    display_name: str
    consent_to_network: bool


@dataclass(frozen=True)
class Actor:
    """Who acts in a session: someone in the room (a participant), or a signed-in account
    (a facilitator, a moderator, a contributor)."""

    account: Account | None = None
    participant: Participant | None = None

    @property
    def name(self) -> str:
        """How the room sees who did it: a participant by their name only if they agreed
        to be named."""
        if self.participant is not None:
            return shown_name(self.participant.display_name, self.participant.consent_to_network)
        return self.account.email if self.account else "someone"

    @property
    def email(self) -> str | None:
        return None if self.account is None else self.account.email


def create(
    session: Session,
    account: Account,
    area_code: str,
    title: str,
    held_on: date,
    facilitators: list[str],
) -> tuple[ScanSession, str]:
    """Open a session of `area_code`, facilitated by the accounts `facilitators` (and by
    `account`, who opens it: a moderator of the area or an admin); returns it and its join
    code, shown this once. A 422 naming `area` or `facilitators[i]`, a 403 for others."""
    if session.scalar(select(Area.id).where(Area.code == area_code)) is None:
        raise invalid("area", said("no area has the code {area_code}", area_code=repr(area_code)))
    if not session.scalar(select(access.moderates_area(account, area_code))):
        raise access.forbidden("only a moderator of the area opens a session of it", "area")
    emails = list(
        dict.fromkeys([account.email, *(email.strip().lower() for email in facilitators)])
    )
    for index, email in enumerate(emails[1:]):
        if session.scalar(select(User.id).where(User.email == email)) is None:
            raise invalid(
                f"facilitators[{index}]", said("no account has the email {email}", email=email)
            )
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    made = ScanSession(
        area_code=area_code,
        title=title,
        held_on=held_on,
        facilitators=emails,
        code_digest=_digest(code),
        created_by=account.email,
    )
    session.add(made)
    session.flush()
    return made, code


def get(session: Session, session_id: int) -> ScanSession:
    found = session.get(ScanSession, session_id)
    if found is None:
        raise not_found(f"session {session_id}")
    return found


def facilitates(session: Session, account: Account | None, scan: ScanSession) -> bool:
    """Whether `account` runs the session: one of its facilitators, a moderator of its
    area, or an admin."""
    if account is None:
        return False
    if account.email in scan.facilitators:
        return True
    return bool(session.scalar(select(access.moderates_area(account, scan.area_code))))


def join(
    session: Session, session_id: int, code: str, display_name: str, consent_to_network: bool
) -> tuple[Participant, str]:
    """Someone joins with the session's code: their participant and token (shown once). A
    403 for a wrong code, a 409 for a closed session."""
    scan = get(session, session_id)
    if scan.closed_at is not None:
        raise Problem(
            409,
            said("session {session_id} has closed", session_id=session_id),
            [FieldProblem("code", "closed")],
        )
    if not secrets.compare_digest(_digest(normalise_code(code)), scan.code_digest):
        raise Problem(403, "that is not this session's code", [FieldProblem("code", "is wrong")])
    token = PARTICIPANT_PREFIX + secrets.token_urlsafe(32)
    participant_id = session.execute(
        insert(SessionParticipant)
        .values(
            session_id=session_id,
            display_name=display_name,
            consent_to_network=consent_to_network,
            token_digest=_digest(token),
        )
        .returning(SessionParticipant.id)
    ).scalar_one()
    emit(
        session,
        session_id,
        "joined",
        {"participant": shown_name(display_name, consent_to_network)},
    )
    return Participant(participant_id, session_id, display_name, consent_to_network), token


def participant_for(session: Session, session_id: int, token: str) -> Participant | None:
    """The participant a token belongs to, within `session_id`: None if the token is not a
    participant's; a 403 if it is another session's, or its session has closed."""
    if not token.startswith(PARTICIPANT_PREFIX):
        return None
    row = session.execute(
        select(SessionParticipant, ScanSession.closed_at)
        .join(ScanSession, ScanSession.id == SessionParticipant.session_id)
        .where(SessionParticipant.token_digest == _digest(token))
    ).first()
    if row is None or row.SessionParticipant.session_id != session_id:
        raise Problem(403, "this token is for another session", [FieldProblem("token", "other")])
    if row.closed_at is not None:
        raise Problem(
            403, "the session has closed: its tokens have ended", [FieldProblem("token", "expired")]
        )
    found = row.SessionParticipant
    return Participant(found.id, found.session_id, found.display_name, found.consent_to_network)


def count_write(session: Session, participant: Participant, per_minute: int) -> None:
    """Count one more write of a participant's; a 429 past `per_minute` in a minute (by the
    token: nothing about the visitor is kept). Counted atomically."""
    writes = session.execute(
        text(
            "UPDATE session_participant SET "
            "writes = CASE WHEN writes_since < clock_timestamp() - interval '1 minute' "
            "THEN 1 ELSE writes + 1 END, "
            "writes_since = CASE WHEN writes_since < clock_timestamp() - interval '1 minute' "
            "THEN clock_timestamp() ELSE writes_since END "
            "WHERE id = :id RETURNING writes"
        ),
        {"id": participant.id},
    ).scalar_one()
    if writes > per_minute:
        raise Problem(
            429,
            said(
                "more than {per_minute} additions a minute: slow down a little",
                per_minute=per_minute,
            ),
            headers={"Retry-After": "60"},
        )


def check_open(scan: ScanSession) -> None:
    if scan.closed_at is not None:
        raise Problem(409, said("session {id} has closed", id=scan.id))


def close(session: Session, account: Account, scan: ScanSession) -> None:
    """End the session: its participants' tokens end with it (a 409 if already closed)."""
    check_open(scan)
    session.execute(
        update(ScanSession)
        .where(ScanSession.id == scan.id)
        .values(closed_at=func.clock_timestamp(), closed_by=account.email)
    )
    emit(session, scan.id, "closed", {"by": account.email})


def emit(session: Session, session_id: int, kind: str, data: dict[str, Any]) -> int:
    """Announce an event to the session's room (stored, and notified as it commits). Writers
    of one session take its lock first, so its events commit in the order of their ids."""
    session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('assetmap-session'), CAST(:id AS integer))"),
        {"id": session_id % 2_000_000_000},
    )
    return int(
        session.execute(
            insert(SessionEvent)
            .values(session_id=session_id, kind=kind, data=data)
            .returning(SessionEvent.id)
        ).scalar_one()
    )


def events_after(session: Session, session_id: int, after: int) -> list[dict[str, Any]]:
    """The session's events after event `after`, in order, as the stream sends them."""
    rows = session.scalars(
        select(SessionEvent)
        .where(SessionEvent.session_id == session_id, SessionEvent.id > after)
        .order_by(SessionEvent.id)
    )
    return [
        {"id": row.id, "kind": row.kind, "data": row.data, "at": row.at.isoformat()} for row in rows
    ]


def describe(session: Session, scan: ScanSession, facilitator: bool) -> dict[str, Any]:
    """A session as the room sees it (its facilitators' emails only for them)."""
    people = session.scalar(select(func.count()).where(SessionParticipant.session_id == scan.id))
    return {
        "id": scan.id,
        "area": scan.area_code,
        "title": scan.title,
        "held_on": scan.held_on,
        "facilitators": scan.facilitators if facilitator else None,
        "participants": int(people or 0),
        "closed_at": scan.closed_at,
        "created_at": scan.created_at,
    }
