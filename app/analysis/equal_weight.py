"""Equal say, as arithmetic: each constituency's ballots are counted on their own and
normalised to shares that sum to 1, and the combined result is the mean of those shares, so
every constituency that voted weighs the same whatever its turnout (30 residents and 5
practitioners weigh the same). A head count, every ballot pooled, is worked out beside it,
so the difference equal weight makes is there to see.

Counted exactly (fractions), so ties are ties; rounded only for the answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from typing import Any, Literal

Method = Literal["borda", "approval", "points"]

FORMULAS: dict[str, str] = {
    "borda": (
        "Borda count: with n options, an option ranked r-th on a ballot scores n - r (the "
        "first n - 1, the last 0); options a ballot leaves unranked score 0"
    ),
    "approval": "approval: an option scores 1 on each ballot that approves it",
    "points": "points: an option scores the points each ballot gives it",
}
EQUAL_WEIGHT = (
    "each constituency's scores are divided by their total (its shares, summing to 1); the "
    "combined share of an option is the mean of its shares over the constituencies that "
    "cast a ballot, so each weighs the same whatever its turnout. The head count pools "
    "every ballot as if there were one constituency"
)
TIES = (
    "equal combined shares are ordered by the head count's share (more first), then by the "
    "option's place in the list (earlier first); within a constituency, by the place in the "
    "list"
)
# Two constituencies are said to disagree on an option when their ranks of it are this far
# apart or more.
DISAGREE_AT = 2


@dataclass(frozen=True)
class Cast:
    """One ballot: its constituency, and its mark on each option it marks (a rank, 1 for
    approved, or points)."""

    constituency: int
    marks: Mapping[int, int]


def scores(method: Method, options: Sequence[int], ballots: Sequence[Cast]) -> dict[int, Fraction]:
    """Each option's score from `ballots`, by `method`."""
    total = {option: Fraction(0) for option in options}
    n = len(options)
    for ballot in ballots:
        for option, mark in ballot.marks.items():
            total[option] += n - mark if method == "borda" else mark
    return total


def shares(counted: Mapping[int, Fraction]) -> dict[int, Fraction]:
    """Scores as shares of their total (all 0 when nothing scored)."""
    whole = sum(counted.values(), Fraction(0))
    return {option: (score / whole if whole else Fraction(0)) for option, score in counted.items()}


def ranked(
    value: Mapping[int, Fraction], options: Sequence[int], *then: Mapping[int, Fraction]
) -> list[int]:
    """The options best first: by `value`, then by each of `then`, then by list place."""
    place = {option: index for index, option in enumerate(options)}
    return sorted(
        options,
        key=lambda option: (
            -value[option],
            *(-other[option] for other in then),
            place[option],
        ),
    )


def results(
    method: Method,
    options: Sequence[int],
    constituencies: Sequence[int],
    ballots: Sequence[Cast],
) -> dict[str, Any]:
    """Each constituency's result on its own, the combined one with equal weight, the head
    count, and where the constituencies agree and disagree (options and constituencies by
    id, in their listed order)."""
    own: dict[int, dict[str, Any]] = {}
    for constituency in constituencies:
        theirs = [ballot for ballot in ballots if ballot.constituency == constituency]
        counted = scores(method, options, theirs)
        share = shares(counted)
        own[constituency] = {
            "ballots": len(theirs),
            "scores": counted,
            "shares": share,
            "order": ranked(share, options),
        }
    voted = [c for c in constituencies if own[c]["ballots"]]
    combined = {
        option: (
            sum((own[c]["shares"][option] for c in voted), Fraction(0)) / len(voted)
            if voted
            else Fraction(0)
        )
        for option in options
    }
    pooled_scores = scores(method, options, ballots)
    pooled = shares(pooled_scores)
    order = ranked(combined, options, pooled)
    head_order = ranked(pooled, options, combined)
    return {
        "constituencies": own,
        "voted": voted,
        "combined": combined,
        "order": order,
        "head_count": {"scores": pooled_scores, "shares": pooled, "order": head_order},
        "agreement": _agreement(options, voted, own),
    }


def _agreement(
    options: Sequence[int], voted: Sequence[int], own: Mapping[int, Mapping[str, Any]]
) -> dict[str, Any]:
    """Per option, its rank in each constituency that voted and how far apart those are;
    per pair of constituencies, Kendall's tau between their shares (1: the same order, -1:
    the reverse)."""
    from scipy.stats import kendalltau

    places = {c: {option: i + 1 for i, option in enumerate(own[c]["order"])} for c in voted}
    per_option = []
    for option in options:
        ranks = {c: places[c][option] for c in voted}
        spread = max(ranks.values()) - min(ranks.values()) if ranks else 0
        per_option.append(
            {"option": option, "ranks": ranks, "spread": spread, "disagree": spread >= DISAGREE_AT}
        )
    pairs = []
    for first, second in combinations(voted, 2):
        tau = kendalltau(
            [float(own[first]["shares"][o]) for o in options],
            [float(own[second]["shares"][o]) for o in options],
        ).statistic
        pairs.append({"between": [first, second], "kendall_tau": None if tau != tau else tau})
    return {"options": per_option, "pairs": pairs}
