"""Decision rounds: a question for an area, decided by its constituencies with an equal
say. A moderator of the area (or an admin) makes one with its options (and their evidence,
app.domain.round_options), constituencies, method and times; invites go out a batch per
constituency; each holder casts one ballot (a ranking, approvals or points) and may change
it until the round closes; anyone may comment on an option, shown by constituency. Once
closed, its decision record is frozen (app.domain.round_record)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from geoalchemy2.shape import to_shape
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.auth.accounts import Account
from app.domain import access, say
from app.domain.round_options import OptionAsked, make_options
from app.errors import FieldProblem, Problem, invalid, not_found
from app.i18n import N_, said
from app.models import Area, Ballot, BallotMark, DecisionRound, RoundComment, RoundOption
from app.settings import AnalysisSettings

MOST_OPTIONS = 20
# How many comments a round keeps, so no one invite holder can flood it.
MOST_COMMENTS = 2000


@dataclass(frozen=True)
class RoundAsked:
    """A round as its maker gives it."""

    area: str
    question: str
    description: str | None
    method: str
    points_total: int
    opens_at: datetime
    closes_at: datetime
    constituencies: list[str]
    options: list[OptionAsked]


# what a ballot of each method must send, when it sends nothing
REQUIRED = {
    "borda": N_("required for a borda ballot"),
    "approval": N_("required for an approval ballot"),
    "points": N_("required for a points ballot"),
}


def create(
    session: Session, account: Account, asked: RoundAsked, settings: AnalysisSettings
) -> DecisionRound:
    """A new round of `asked.area`, for a moderator of it or an admin (else a 403); a 422
    naming the field for fewer than two constituencies or options, or times out of order."""
    if session.scalar(select(Area.id).where(Area.code == asked.area)) is None:
        raise invalid("area", said("no area has the code {area}", area=repr(asked.area)))
    if not session.scalar(select(access.moderates_area(account, asked.area))):
        raise access.forbidden("only a moderator of the area runs a round of it", "area")
    if asked.closes_at <= asked.opens_at:
        raise invalid("closes_at", "must be after opens_at")
    if len(asked.options) > MOST_OPTIONS:
        raise invalid("options", said("at most {MOST_OPTIONS}", MOST_OPTIONS=MOST_OPTIONS))
    names = say.check_names(asked.constituencies)
    options = make_options(session, asked.area, asked.options, settings)
    made = DecisionRound(
        area_code=asked.area,
        question=asked.question,
        description=asked.description,
        method=asked.method,
        points_total=asked.points_total,
        opens_at=asked.opens_at,
        closes_at=asked.closes_at,
        created_by=account.email,
    )
    session.add(made)
    session.flush()
    say.add_constituencies(session, names, round_id=made.id)
    for position, option in enumerate(options):
        point = option.point
        session.add(
            RoundOption(
                round_id=made.id,
                position=position,
                kind=option.kind,
                title=option.title,
                description=option.description,
                area_code=option.area_code,
                innovation_id=option.innovation_id,
                geom=None if point is None else func.ST_SetSRID(func.ST_MakePoint(*point), 4326),
                evidence=option.evidence,
            )
        )
    session.flush()
    return made


def get(session: Session, round_id: int) -> DecisionRound:
    found = session.get(DecisionRound, round_id)
    if found is None:
        raise not_found(f"round {round_id}")
    return found


def state(found: DecisionRound, now: datetime | None = None) -> str:
    """`upcoming`, `open` or `closed`."""
    now = now or datetime.now(UTC)
    if found.closed_at is not None or now >= found.closes_at:
        return "closed"
    return "open" if now >= found.opens_at else "upcoming"


def runs(session: Session, account: Account | None, found: DecisionRound) -> bool:
    """Whether `account` runs the round: a moderator of its area, or an admin."""
    return account is not None and bool(
        session.scalar(select(access.moderates_area(account, found.area_code)))
    )


def options(session: Session, round_id: int) -> list[dict[str, Any]]:
    """The round's options in their order, each with its evidence and place (lon/lat)."""
    rows = session.scalars(
        select(RoundOption).where(RoundOption.round_id == round_id).order_by(RoundOption.position)
    )
    found = []
    for row in rows:
        point = None if row.geom is None else to_shape(row.geom)
        found.append(
            {
                "id": row.id,
                "position": row.position,
                "kind": row.kind,
                "title": row.title,
                "description": row.description,
                "area": row.area_code,
                "innovation": row.innovation_id,
                "lon": None if point is None else round(point.x, 7),
                "lat": None if point is None else round(point.y, 7),
                "evidence": row.evidence,
            }
        )
    return found


def describe(session: Session, found: DecisionRound) -> dict[str, Any]:
    """The round as anyone reads it: the question, options with evidence, constituencies
    with their invites and ballots so far, the method and the times."""
    groups = say.constituencies(session, round_id=found.id)
    invites = say.invites_by_constituency(session, [c.id for c in groups])
    cast: dict[int, int] = {
        row[0]: int(row[1])
        for row in session.execute(
            select(Ballot.constituency_id, func.count())
            .where(Ballot.round_id == found.id)
            .group_by(Ballot.constituency_id)
        )
    }
    return {
        "id": found.id,
        "area": found.area_code,
        "question": found.question,
        "description": found.description,
        "method": found.method,
        "points_total": found.points_total,
        "opens_at": found.opens_at,
        "closes_at": found.closes_at,
        "state": state(found),
        "created_by": found.created_by,
        "created_at": found.created_at,
        "closed_at": found.closed_at,
        "constituencies": [
            {
                "id": c.id,
                "name": c.name,
                "invites": invites.get(c.id, 0),
                "ballots": int(cast.get(c.id, 0)),
            }
            for c in groups
        ],
        "options": options(session, found.id),
    }


def check_open(found: DecisionRound) -> None:
    """A 409 unless the round is taking ballots now."""
    now = state(found)
    if now == "upcoming":
        raise Problem(
            409, said("round {id} opens at {value}", id=found.id, value=found.opens_at.isoformat())
        )
    if now == "closed":
        raise Problem(409, said("round {id} has closed", id=found.id))


def marks(found: DecisionRound, option_ids: list[int], ballot: dict[str, Any]) -> dict[int, int]:
    """A ballot's marks, checked against the round's method and options: a ranking
    (`ranking`: option ids, best first), approvals (`approve`: ids) or points (`points`:
    id -> points, at most the round's total). A 422 naming the field."""
    known = set(option_ids)
    wanted = {"borda": "ranking", "approval": "approve", "points": "points"}[found.method]
    for name in ("ranking", "approve", "points"):
        if name != wanted and ballot.get(name) is not None:
            raise invalid(
                name,
                said(
                    "this round is decided by {method}: send {wanted}",
                    method=found.method,
                    wanted=wanted,
                ),
            )
    given = ballot.get(wanted)
    if not given:
        raise invalid(wanted, REQUIRED[found.method])
    if found.method == "points":
        return _points(found, known, given)
    chosen: dict[int, int] = {}
    for index, option in enumerate(given):
        if option not in known:
            raise invalid(
                f"{wanted}[{index}]",
                said("option {option} is not one of this round's", option=option),
            )
        if option in chosen:
            raise invalid(f"{wanted}[{index}]", said("lists option {option} twice", option=option))
        chosen[option] = index + 1 if found.method == "borda" else 1
    return chosen


def _points(found: DecisionRound, known: set[int], given: dict[Any, int]) -> dict[int, int]:
    chosen: dict[int, int] = {}
    for key, points in given.items():
        option = int(key)
        if option not in known:
            raise invalid(f"points.{key}", said("option {key} is not one of this round's", key=key))
        if points < 0:
            raise invalid(f"points.{key}", "points are not negative")
        if points:
            chosen[option] = points
    spent = sum(chosen.values())
    if spent > found.points_total:
        raise invalid(
            "points",
            said(
                "gives {spent} points: at most {points_total} to share",
                spent=spent,
                points_total=found.points_total,
            ),
        )
    if not spent:
        raise invalid("points", "give at least one point")
    return chosen


def cast(
    session: Session, found: DecisionRound, voter: say.Voter, ballot: dict[str, Any], change: bool
) -> dict[str, Any]:
    """Cast the voter's ballot (a 403 if their invite has cast one: change it instead), or
    change it (`change`: a 404 if there is none yet). Only while the round is open."""
    check_open(found)
    chosen = marks(found, [o["id"] for o in options(session, found.id)], ballot)
    mine = session.scalar(select(Ballot).where(Ballot.invite_id == voter.invite_id))
    if mine is not None and not change:
        raise Problem(
            403,
            "this invite has cast its ballot: change it with PUT",
            [FieldProblem("token", "used")],
        )
    if mine is None and change:
        raise not_found("your ballot (cast it first)")
    if mine is None:
        mine = Ballot(
            round_id=found.id, constituency_id=voter.constituency_id, invite_id=voter.invite_id
        )
        session.add(mine)
        session.flush()
    else:
        session.execute(
            update(Ballot).where(Ballot.id == mine.id).values(changes=Ballot.changes + 1)
        )
        session.execute(delete(BallotMark).where(BallotMark.ballot_id == mine.id))
    column = "rank" if found.method == "borda" else "points"
    session.execute(
        insert(BallotMark),
        [{"ballot_id": mine.id, "option_id": o, column: mark} for o, mark in chosen.items()],
    )
    return ballot_of(session, found, voter)


def ballot_of(session: Session, found: DecisionRound, voter: say.Voter) -> dict[str, Any]:
    """The voter's ballot as cast (`cast`: false, with their constituency, before they
    vote)."""
    mine = session.scalar(select(Ballot).where(Ballot.invite_id == voter.invite_id))
    if mine is None:
        return {"constituency": voter.constituency, "cast": False, "changes": 0}
    rows = session.execute(
        select(BallotMark.option_id, BallotMark.rank, BallotMark.points)
        .where(BallotMark.ballot_id == mine.id)
        .order_by(BallotMark.rank, BallotMark.option_id)
    ).all()
    answer: dict[str, Any] = {
        "constituency": voter.constituency,
        "cast": True,
        "changes": mine.changes,
    }
    if found.method == "borda":
        answer["ranking"] = [row.option_id for row in rows]
    elif found.method == "approval":
        answer["approve"] = [row.option_id for row in rows]
    else:
        answer["points"] = {str(row.option_id): row.points for row in rows}
    return answer


def comment(
    session: Session, found: DecisionRound, voter: say.Voter, option_id: int, body: str
) -> dict[str, Any]:
    """A comment on an option, shown under the voter's constituency (while it is open)."""
    check_open(found)
    if (
        session.scalar(
            select(RoundOption.id).where(
                RoundOption.id == option_id, RoundOption.round_id == found.id
            )
        )
        is None
    ):
        raise not_found(f"option {option_id} of round {found.id}")
    kept = session.scalar(
        select(func.count()).select_from(RoundComment).where(RoundComment.round_id == found.id)
    )
    if (kept or 0) >= MOST_COMMENTS:
        raise Problem(
            409,
            said(
                "round {id} has as many comments as it keeps ({MOST_COMMENTS})",
                id=found.id,
                MOST_COMMENTS=MOST_COMMENTS,
            ),
        )
    made = RoundComment(
        round_id=found.id, option_id=option_id, constituency_id=voter.constituency_id, body=body
    )
    session.add(made)
    session.flush()
    return {"id": made.id, "option": option_id, "constituency": voter.constituency, "body": body}


def comments(session: Session, found: DecisionRound) -> list[dict[str, Any]]:
    """Each option's comments, grouped by constituency (in the constituencies' order)."""
    groups = say.constituencies(session, round_id=found.id)
    rows = session.execute(
        select(RoundComment)
        .where(RoundComment.round_id == found.id)
        .order_by(RoundComment.option_id, RoundComment.id)
    ).scalars()
    by_option: dict[int, dict[int, list[dict[str, Any]]]] = {}
    for row in rows:
        by_option.setdefault(row.option_id, {}).setdefault(row.constituency_id, []).append(
            {"body": row.body, "at": row.created_at}
        )
    return [
        {
            "option": option["id"],
            "by_constituency": [
                {"constituency": c.name, "comments": by_option.get(option["id"], {}).get(c.id, [])}
                for c in groups
            ],
        }
        for option in options(session, found.id)
    ]


def close(session: Session, account: Account, found: DecisionRound) -> None:
    """Close the round now (a 409 if it has closed already)."""
    if state(found) == "closed":
        raise Problem(409, said("round {id} has closed", id=found.id))
    session.execute(
        update(DecisionRound)
        .where(DecisionRound.id == found.id)
        .values(closed_at=func.clock_timestamp(), closed_by=account.email)
    )
    session.refresh(found)
