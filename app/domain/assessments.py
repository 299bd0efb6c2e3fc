"""The partnership's self-assessment: how asset-based is its commissioning? Each
constituency scores it against the six characteristics of asset-based commissioning (1 to
5, with a comment) and answers the two open questions (the value of putting asset-based
practice first; where next). Results per constituency and combined with equal weight; the
lowest combined characteristic is proposed as the next area for development; repeated
assessments of an area show the change."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.auth.accounts import Account
from app.domain import access, say
from app.errors import FieldProblem, Problem, invalid, not_found
from app.i18n import N_, said
from app.models import Area, Assessment, AssessmentResponse

# The six characteristics, in their order: slug -> what it means.
CHARACTERISTICS: dict[str, str] = {
    "whole_life_outcomes": N_(
        "Whole-life outcomes, and the use of all assets, not just organisational ones"
    ),
    "co_produced_outcomes": N_("Outcomes co-produced by people, communities and organisations"),
    "equal_say": N_("People and communities with an equal say in every decision"),
    "shared_expertise": N_(
        "Relationships that make best use of everyone's expertise (equal co-commissioners, "
        "alliance contracting)"
    ),
    "devolved_processes": N_("Supportive, fast and devolved processes"),
    "reshaping_assets": N_("Continual stimulating and reshaping of everyone's assets"),
}
METHOD = (
    "each constituency's score for a characteristic is the mean of its responses' scores "
    "(1 to 5); the combined score is the mean of the constituencies' scores, over those that "
    "responded, so each weighs the same whatever its turnout. The next area for development "
    "is the characteristic with the lowest combined score (equal ones: the first in the "
    "list's order)"
)
DECIMALS = 4


def create(
    session: Session, account: Account, area: str, title: str, constituencies: list[str]
) -> Assessment:
    """A new assessment of `area`, for a moderator of it or an admin."""
    if session.scalar(select(Area.id).where(Area.code == area)) is None:
        raise invalid("area", said("no area has the code {area}", area=repr(area)))
    if not session.scalar(select(access.moderates_area(account, area))):
        raise access.forbidden("only a moderator of the area runs its assessment", "area")
    names = say.check_names(constituencies)
    made = Assessment(area_code=area, title=title, created_by=account.email)
    session.add(made)
    session.flush()
    say.add_constituencies(session, names, assessment_id=made.id)
    return made


def get(session: Session, assessment_id: int) -> Assessment:
    found = session.get(Assessment, assessment_id)
    if found is None:
        raise not_found(f"assessment {assessment_id}")
    return found


def respond(
    session: Session,
    found: Assessment,
    voter: say.Voter,
    scores: dict[str, dict[str, Any]],
    value_answer: str | None,
    next_answer: str | None,
    change: bool,
) -> dict[str, Any]:
    """The voter's response (a 403 if their invite has responded: change it with PUT; a
    404 to change one not made). Every characteristic needs a score; a 409 once closed."""
    if found.closed_at is not None:
        raise Problem(409, said("assessment {id} has closed", id=found.id))
    for slug in CHARACTERISTICS:
        if slug not in scores:
            raise invalid(f"scores.{slug}", "score every characteristic, 1 to 5")
    for slug in scores:
        if slug not in CHARACTERISTICS:
            raise invalid(f"scores.{slug}", "is not one of the six characteristics")
    mine = session.scalar(
        select(AssessmentResponse).where(AssessmentResponse.invite_id == voter.invite_id)
    )
    if mine is not None and not change:
        raise Problem(
            403, "this invite has responded: change it with PUT", [FieldProblem("token", "used")]
        )
    if mine is None and change:
        raise not_found("your response (make it first)")
    values = {"scores": scores, "value_answer": value_answer, "next_answer": next_answer}
    if mine is None:
        session.add(
            AssessmentResponse(
                assessment_id=found.id,
                constituency_id=voter.constituency_id,
                invite_id=voter.invite_id,
                **values,
            )
        )
    else:
        session.execute(
            update(AssessmentResponse).where(AssessmentResponse.id == mine.id).values(**values)
        )
    session.flush()
    return {"constituency": voter.constituency, "responded": True} | values


def response_of(session: Session, found: Assessment, voter: say.Voter) -> dict[str, Any]:
    """The voter's response as given (`responded`: false, with their constituency, before
    they respond)."""
    mine = session.scalar(
        select(AssessmentResponse).where(AssessmentResponse.invite_id == voter.invite_id)
    )
    if mine is None:
        return {
            "constituency": voter.constituency,
            "responded": False,
            "scores": {},
            "value_answer": None,
            "next_answer": None,
        }
    return {
        "constituency": voter.constituency,
        "responded": True,
        "scores": mine.scores,
        "value_answer": mine.value_answer,
        "next_answer": mine.next_answer,
    }


def close(session: Session, account: Account, found: Assessment) -> None:
    if found.closed_at is not None:
        raise Problem(409, said("assessment {id} has closed", id=found.id))
    session.execute(
        update(Assessment)
        .where(Assessment.id == found.id)
        .values(closed_at=func.clock_timestamp(), closed_by=account.email)
    )
    session.refresh(found)


def results(session: Session, found: Assessment) -> dict[str, Any]:
    """Each constituency's mean score per characteristic, the combined score with equal
    weight, the proposed next area for development, and the open answers by constituency
    (their comments with them)."""
    groups = say.constituencies(session, assessment_id=found.id)
    invites = say.invites_by_constituency(session, [c.id for c in groups])
    responses = session.scalars(
        select(AssessmentResponse)
        .where(AssessmentResponse.assessment_id == found.id)
        .order_by(AssessmentResponse.id)
    ).all()
    per: list[dict[str, Any]] = []
    means: dict[int, dict[str, Fraction]] = {}
    for group in groups:
        theirs = [r for r in responses if r.constituency_id == group.id]
        if theirs:
            means[group.id] = {
                slug: Fraction(sum(int(r.scores[slug]["score"]) for r in theirs), len(theirs))
                for slug in CHARACTERISTICS
            }
        per.append(
            {
                "constituency": group.name,
                "responses": len(theirs),
                "invites": invites.get(group.id, 0),
                "scores": {
                    s: round(float(v), DECIMALS) for s, v in means.get(group.id, {}).items()
                },
                "comments": {
                    slug: [
                        r.scores[slug]["comment"] for r in theirs if r.scores[slug].get("comment")
                    ]
                    for slug in CHARACTERISTICS
                },
                "value_answers": [r.value_answer for r in theirs if r.value_answer],
                "next_answers": [r.next_answer for r in theirs if r.next_answer],
            }
        )
    combined = _combined(list(means.values()))
    lowest = (
        min(combined, key=lambda slug: (combined[slug], list(CHARACTERISTICS).index(slug)))
        if combined
        else None
    )
    return {
        "assessment": found.id,
        "area": found.area_code,
        "title": found.title,
        "created_at": found.created_at,
        "closed_at": found.closed_at,
        "characteristics": [{"slug": s, "name": n} for s, n in CHARACTERISTICS.items()],
        "method": METHOD,
        "constituencies": per,
        "combined": {s: round(float(v), DECIMALS) for s, v in combined.items()},
        "next_area": None if lowest is None else {"slug": lowest, "name": CHARACTERISTICS[lowest]},
    }


def _combined(means: list[dict[str, Fraction]]) -> dict[str, Fraction]:
    if not means:
        return {}
    return {
        slug: sum((m[slug] for m in means), Fraction(0)) / len(means) for slug in CHARACTERISTICS
    }


def over_time(session: Session, area: str) -> dict[str, Any]:
    """The area's assessments, oldest first, each with its combined scores and next area,
    and the change in each characteristic from one to the next."""
    if session.scalar(select(Area.id).where(Area.code == area)) is None:
        raise invalid("area", said("no area has the code {area}", area=repr(area)))
    found = session.scalars(
        select(Assessment)
        .where(Assessment.area_code == area)
        .order_by(Assessment.created_at, Assessment.id)
    ).all()
    series = []
    before: dict[str, float] | None = None
    for assessment in found:
        read = results(session, assessment)
        change = (
            {s: round(read["combined"][s] - before[s], DECIMALS) for s in read["combined"]}
            if before and read["combined"]
            else None
        )
        series.append(
            {
                "assessment": assessment.id,
                "title": assessment.title,
                "created_at": assessment.created_at,
                "closed_at": assessment.closed_at,
                "combined": read["combined"],
                "next_area": read["next_area"],
                "change": change,
            }
        )
        before = read["combined"] or before
    return {
        "area": area,
        "characteristics": [{"slug": s, "name": n} for s, n in CHARACTERISTICS.items()],
        "assessments": series,
    }
