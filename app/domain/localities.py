"""The standard questions a locality tracks, meeting after meeting: gap questions the
product already answers (a category, or a whole-life outcome, within a distance). Each
locality starts from the defaults (GP practice within 1 km, food bank within 2 km, library
within 1.5 km, and each outcome within 1 km), seeded the first time it is snapshotted or its
moderators change them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.domain.categories import outcomes
from app.errors import invalid
from app.i18n import said
from app.models import Category, LocalityQuestion

# category slug, distance in metres, label
DEFAULT_CATEGORIES = (
    ("gp-practice", 1000.0, "GP practice within 1 km"),
    ("food-bank", 2000.0, "Food bank within 2 km"),
    ("library", 1500.0, "Library within 1.5 km"),
)
OUTCOME_DISTANCE_M = 1000.0
MOST_QUESTIONS = 30


@dataclass(frozen=True)
class Question:
    label: str
    distance_m: float
    category: str | None = None
    outcome: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "category": self.category,
            "outcome": self.outcome,
            "distance_m": self.distance_m,
        }


def defaults(session: Session) -> list[Question]:
    """The default questions, of the categories the taxonomy has and every outcome."""
    known = set(session.scalars(select(Category.slug)))
    found = [
        Question(label, distance, category=slug)
        for slug, distance, label in DEFAULT_CATEGORIES
        if slug in known
    ]
    found += [
        Question(f"{outcome['name']} within 1 km", OUTCOME_DISTANCE_M, outcome=outcome["slug"])
        for outcome in outcomes(session)
    ]
    return found


def stored(session: Session, area: str) -> list[Question] | None:
    rows = session.scalars(
        select(LocalityQuestion)
        .where(LocalityQuestion.area_code == area)
        .order_by(LocalityQuestion.position)
    ).all()
    if not rows:
        return None
    return [Question(r.label, r.distance_m, r.category, r.outcome) for r in rows]


def questions(session: Session, area: str) -> tuple[list[Question], bool]:
    """The area's questions, and whether they are the defaults (not yet seeded)."""
    found = stored(session, area)
    return (defaults(session), True) if found is None else (found, False)


def seed(session: Session, area: str) -> list[Question]:
    """The area's questions, storing the defaults if it has none yet."""
    found = stored(session, area)
    if found is not None:
        return found
    return replace(session, area, defaults(session))


def check(session: Session, wanted: list[Question]) -> None:
    """A 422 naming `questions[i].<field>` for an unknown category or outcome."""
    if not 1 <= len(wanted) <= MOST_QUESTIONS:
        raise invalid(
            "questions",
            said("between 1 and {MOST_QUESTIONS} questions", MOST_QUESTIONS=MOST_QUESTIONS),
        )
    categories = set(session.scalars(select(Category.slug)))
    known_outcomes = {o["slug"] for o in outcomes(session)}
    for index, question in enumerate(wanted):
        if (question.category is None) == (question.outcome is None):
            raise invalid(f"questions[{index}]", "ask of a category or an outcome (one)")
        if question.category is not None and question.category not in categories:
            raise invalid(
                f"questions[{index}].category",
                said("no category is {category}", category=repr(question.category)),
            )
        if question.outcome is not None and question.outcome not in known_outcomes:
            raise invalid(
                f"questions[{index}].outcome",
                said("no outcome is {outcome}", outcome=repr(question.outcome)),
            )


def replace(session: Session, area: str, wanted: list[Question]) -> list[Question]:
    """Store `wanted` as the area's questions, in their order."""
    check(session, wanted)
    session.execute(delete(LocalityQuestion).where(LocalityQuestion.area_code == area))
    session.add_all(
        LocalityQuestion(
            area_code=area,
            position=index,
            label=q.label,
            category=q.category,
            outcome=q.outcome,
            distance_m=q.distance_m,
        )
        for index, q in enumerate(wanted)
    )
    session.flush()
    return wanted
