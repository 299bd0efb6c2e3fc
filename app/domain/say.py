"""What decision rounds and self-assessments share: their constituencies (the groups with an
equal say: at least residents and community members, and practitioners and commissioners)
and the invites that let one person take part for one constituency. An invite's token is
shown once, when the batch is made; only its digest is kept, and nothing about whom it went
to."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.errors import FieldProblem, Problem, invalid
from app.i18n import said
from app.models import Constituency, SayInvite

DEFAULT_CONSTITUENCIES = ("Residents and community members", "Practitioners and commissioners")
# An invite's token says so, so it is not looked for among accounts' or sessions' tokens.
INVITE_PREFIX = "inv_"
MOST_INVITES = 500


@dataclass(frozen=True)
class Voter:
    """Who holds an invite: its id and their constituency; nothing else is known."""

    invite_id: int
    constituency_id: int
    constituency: str


def digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def check_names(names: list[str], field: str = "constituencies") -> list[str]:
    """The constituencies' names, trimmed: at least two, none twice (a 422 naming
    `field`)."""
    trimmed = [name.strip() for name in names]
    if len(trimmed) < 2:
        raise invalid(field, "at least two constituencies, so no one group decides alone")
    seen: set[str] = set()
    for index, name in enumerate(trimmed):
        if not name:
            raise invalid(f"{field}[{index}]", "is empty")
        if name.lower() in seen:
            raise invalid(f"{field}[{index}]", said("{name} is listed twice", name=repr(name)))
        seen.add(name.lower())
    return trimmed


def add_constituencies(
    session: Session,
    names: list[str],
    *,
    round_id: int | None = None,
    assessment_id: int | None = None,
) -> list[Constituency]:
    """The constituencies of a round or an assessment, in the order given."""
    made = [
        Constituency(round_id=round_id, assessment_id=assessment_id, position=index, name=name)
        for index, name in enumerate(names)
    ]
    session.add_all(made)
    session.flush()
    return made


def constituencies(
    session: Session, *, round_id: int | None = None, assessment_id: int | None = None
) -> list[Constituency]:
    owner = (
        Constituency.round_id == round_id
        if round_id is not None
        else Constituency.assessment_id == assessment_id
    )
    return list(session.scalars(select(Constituency).where(owner).order_by(Constituency.position)))


def named(found: list[Constituency], name: str, field: str = "constituency") -> Constituency:
    """The constituency called `name` (any case) among `found`; a 422 naming `field`."""
    for constituency in found:
        if constituency.name.lower() == name.strip().lower():
            return constituency
    known = ", ".join(repr(c.name) for c in found)
    raise invalid(
        field,
        said("no constituency is called {name} (there are {known})", name=repr(name), known=known),
    )


def invite(session: Session, constituency: Constituency, count: int) -> list[str]:
    """A batch of `count` invites for `constituency`: their tokens, shown this once."""
    if not 1 <= count <= MOST_INVITES:
        raise invalid(
            "count", said("must be between 1 and {MOST_INVITES}", MOST_INVITES=MOST_INVITES)
        )
    tokens = [INVITE_PREFIX + secrets.token_urlsafe(18) for _ in range(count)]
    session.execute(
        insert(SayInvite),
        [{"constituency_id": constituency.id, "token_digest": digest(t)} for t in tokens],
    )
    return tokens


def invites_by_constituency(session: Session, ids: list[int]) -> dict[int, int]:
    """How many invites each constituency has been given."""
    rows = session.execute(
        select(SayInvite.constituency_id, func.count())
        .where(SayInvite.constituency_id.in_(ids))
        .group_by(SayInvite.constituency_id)
    )
    return {row[0]: int(row[1]) for row in rows}


def voter(
    session: Session,
    token: str | None,
    *,
    round_id: int | None = None,
    assessment_id: int | None = None,
) -> Voter:
    """Who holds `token`, an invite to this round or assessment: a 401 for none, a 403 for
    an unknown token or another's."""
    if not token:
        raise Problem(
            401, "take part with your invite's code", headers={"WWW-Authenticate": "Bearer"}
        )
    row = session.execute(
        select(SayInvite.id, Constituency)
        .join(Constituency, Constituency.id == SayInvite.constituency_id)
        .where(SayInvite.token_digest == digest(token.strip()))
    ).first()
    ours = row is not None and (
        (round_id is not None and row.Constituency.round_id == round_id)
        or (assessment_id is not None and row.Constituency.assessment_id == assessment_id)
    )
    if row is None or not ours:
        raise Problem(
            403, "that is not an invite to this", [FieldProblem("token", "unknown or another's")]
        )
    return Voter(row.id, row.Constituency.id, row.Constituency.name)
