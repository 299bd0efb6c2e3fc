"""The brief's three gaps: the standard questions that leave the most people out of reach in
the most deprived neighbourhoods, and what makes two questions the same one."""

from __future__ import annotations

from typing import Any

from app.i18n import N_

# The three gaps: ranked by the people out of reach in these IMD deciles (the most
# deprived fifth of neighbourhoods in England).
MOST_DEPRIVED = ("1", "2")
GAPS = 3

GAPS_RULE = N_(
    "The three gaps are the standard questions, of those some asset on the map answers, "
    "that leave the most people out of reach in the most deprived fifth of "
    "neighbourhoods (IMD 2019 deciles 1 and 2); equal ones go to the question leaving more "
    "people out of reach in all, then to the question listed first."
)


def deprived_out_of_reach(question: dict[str, Any]) -> float:
    """The people a question leaves out of reach in IMD deciles 1 and 2 (the snapshot's
    figures for the two deciles, added)."""
    by_decile = question["summary"]["uncovered_by_imd_decile"]
    return float(sum(by_decile.get(decile, 0) for decile in MOST_DEPRIVED))


def hardest_gaps(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The three gaps that hurt most, by GAPS_RULE; each question's answer with
    `deprived_out_of_reach` and its first neighbourhood in need."""
    answered = [
        (index, q)
        for index, q in enumerate(questions)
        if "summary" in q
        and q["summary"]["assets"] > 0
        and q["summary"]["population_uncovered"] > 0
    ]
    ranked = sorted(
        answered,
        key=lambda item: (
            -deprived_out_of_reach(item[1]),
            -item[1]["summary"]["population_uncovered"],
            item[0],
        ),
    )
    return [
        q
        | {
            "deprived_out_of_reach": deprived_out_of_reach(q),
            "worst": q["most_in_need"][0] if q["most_in_need"] else None,
        }
        for _, q in ranked[:GAPS]
    ]


def question_key(question: dict[str, Any]) -> tuple[Any, ...]:
    """What a question asks (as the changes match them): its category, outcome, distance."""
    return (question["category"], question["outcome"], question["distance_m"])
