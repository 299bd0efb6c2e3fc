"""A round's results (each constituency's side by side, the combined one with equal weight,
the head count, agreement and turnout), its frozen decision record, and its anonymised
ballots for audit."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.analysis import equal_weight
from app.domain import rounds, say
from app.errors import Problem
from app.i18n import said
from app.models import Ballot, BallotMark, DecisionRound, RoundRecord

DECIMALS = 6


def _casts(session: Session, found: DecisionRound) -> list[equal_weight.Cast]:
    column = BallotMark.rank if found.method == "borda" else BallotMark.points
    rows = session.execute(
        select(Ballot.id, Ballot.constituency_id, BallotMark.option_id, column.label("mark"))
        .join(BallotMark, BallotMark.ballot_id == Ballot.id)
        .where(Ballot.round_id == found.id)
        .order_by(Ballot.id)
    ).all()
    by_ballot: dict[int, tuple[int, dict[int, int]]] = {}
    for row in rows:
        by_ballot.setdefault(row.id, (row.constituency_id, {}))[1][row.option_id] = row.mark
    return [equal_weight.Cast(c, marks) for c, marks in by_ballot.values()]


def _number(value: Fraction) -> float:
    return round(float(value), DECIMALS)


def results(session: Session, found: DecisionRound) -> dict[str, Any]:
    """The results as they stand (final once the round has closed)."""
    listed = rounds.options(session, found.id)
    option_ids = [o["id"] for o in listed]
    title = {o["id"]: o["title"] for o in listed}
    groups = say.constituencies(session, round_id=found.id)
    name = {c.id: c.name for c in groups}
    invites = say.invites_by_constituency(session, list(name))
    method = found.method
    counted = equal_weight.results(method, option_ids, list(name), _casts(session, found))  # type: ignore[arg-type]

    def table(
        shares: dict[int, Fraction], order: list[int], scores: dict[int, Fraction] | None
    ) -> list[dict[str, Any]]:
        return [
            {
                "option": option,
                "title": title[option],
                "rank": place,
                "share": _number(shares[option]),
            }
            | ({"score": _number(scores[option])} if scores is not None else {})
            for place, option in enumerate(order, start=1)
        ]

    own = counted["constituencies"]
    head = counted["head_count"]
    winner = counted["order"][0] if counted["voted"] else None
    head_winner = head["order"][0] if counted["voted"] else None
    return {
        "round": found.id,
        "state": rounds.state(found),
        "method": {
            "name": method,
            "formula": equal_weight.FORMULAS[method],
            "equal_weight": equal_weight.EQUAL_WEIGHT,
            "ties": equal_weight.TIES,
            "points_total": found.points_total if method == "points" else None,
        },
        "turnout": [
            {
                "constituency": name[c],
                "invites": invites.get(c, 0),
                "ballots": own[c]["ballots"],
                "share": round(own[c]["ballots"] / invites[c], 4) if invites.get(c) else None,
            }
            for c in name
        ],
        "constituencies": [
            {
                "constituency": name[c],
                "ballots": own[c]["ballots"],
                "counted": c in counted["voted"],
                "results": table(own[c]["shares"], own[c]["order"], own[c]["scores"]),
            }
            for c in name
        ],
        "combined": table(counted["combined"], counted["order"], None),
        "head_count": table(head["shares"], head["order"], head["scores"]),
        "winner": {
            "equal_weight": winner,
            "head_count": head_winner,
            "differ": winner != head_winner,
        },
        "agreement": {
            "disagree_at": equal_weight.DISAGREE_AT,
            "options": [
                {
                    "option": entry["option"],
                    "title": title[entry["option"]],
                    "ranks": {name[c]: rank for c, rank in entry["ranks"].items()},
                    "spread": entry["spread"],
                    "disagree": entry["disagree"],
                }
                for entry in counted["agreement"]["options"]
            ],
            "pairs": [
                {
                    "between": [name[c] for c in pair["between"]],
                    "kendall_tau": None
                    if pair["kendall_tau"] is None
                    else round(pair["kendall_tau"], 4),
                }
                for pair in counted["agreement"]["pairs"]
            ],
        },
    }


def record(session: Session, found: DecisionRound) -> dict[str, Any]:
    """The round's decision record: frozen the first time it is asked for once the round
    has closed, and the same ever after (a 409 while it is open)."""
    if rounds.state(found) != "closed":
        raise Problem(
            409, said("round {id} has not closed: its record is made when it does", id=found.id)
        )
    kept = session.get(RoundRecord, found.id)
    if kept is None:
        described = rounds.describe(session, found)
        made = {
            "id": found.id,
            "area": found.area_code,
            "question": found.question,
            "description": found.description,
            "options": described["options"],
            "constituencies": [c["name"] for c in described["constituencies"]],
            "results": results(session, found),
            "ran_by": found.created_by,
            "opened_at": found.opens_at.isoformat(),
            "closed_at": (found.closed_at or found.closes_at).isoformat(),
            "closed_by": found.closed_by,
            "frozen_at": datetime.now(UTC).isoformat(),
        }
        session.execute(
            insert(RoundRecord)
            .values(round_id=found.id, record=_jsonable(made))
            .on_conflict_do_nothing()
        )
        kept = session.get(RoundRecord, found.id)
        assert kept is not None
    return kept.record


def _jsonable(value: Any) -> Any:
    import json

    return json.loads(json.dumps(value, default=str))


def audit_rows(session: Session, found: DecisionRound) -> tuple[list[str], list[dict[str, Any]]]:
    """The ballots as rows for audit: a random reference, the constituency, and the mark on
    each option (its rank, 1 for approved, or its points); nothing that says who or when.
    In the order of their references, so the order says nothing either."""
    listed = rounds.options(session, found.id)
    columns = ["ballot", "constituency", *(f"option_{o['id']}" for o in listed)]
    name = {c.id: c.name for c in say.constituencies(session, round_id=found.id)}
    column = BallotMark.rank if found.method == "borda" else BallotMark.points
    marks: dict[Any, dict[str, Any]] = {}
    for row in session.execute(
        select(Ballot.ref, Ballot.constituency_id, BallotMark.option_id, column.label("mark"))
        .join(BallotMark, BallotMark.ballot_id == Ballot.id)
        .where(Ballot.round_id == found.id)
    ):
        entry = marks.setdefault(
            row.ref, {"ballot": str(row.ref), "constituency": name[row.constituency_id]}
        )
        entry[f"option_{row.option_id}"] = row.mark
    return columns, [marks[ref] for ref in sorted(marks, key=str)]
