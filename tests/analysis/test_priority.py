"""Which neighbourhoods' gaps hurt most, worked by hand: need from the IMD decile, and the
order a partnership reads the areas in."""

from __future__ import annotations

import numpy as np
import pytest

from app.analysis.priority import need, rank

pytestmark = pytest.mark.fast


def test_need_counts_people_in_the_most_deprived_tenth_most() -> None:
    # deciles 1 (most deprived), 10 and 5, and 0 for an area whose decile is unknown: the
    # figures the method states
    assert need(np.array([1, 10, 5, 0])) == pytest.approx([1.82, 0.18, 1.09, 1], abs=0.005)
    assert need(np.arange(1, 11)).mean() == pytest.approx(1.0)  # a person, on average


def test_areas_with_people_out_of_reach_come_first_then_covered_areas_by_score() -> None:
    # Five areas in code order, A to E.
    covered = np.array([True, False, True, False, False])
    priority = np.array([0.0, 50.0, 0.0, 120.0, 50.0])
    access = np.array([0.002, 0.0, 0.001, 0.0, 0.0])

    ranks = rank(covered, priority, access)

    # D (priority 120); B and E tie at 50, in code order; then C (the lower score), then A
    assert ranks.tolist() == [5, 2, 4, 1, 3]


def test_an_uncovered_area_of_unknown_population_still_ranks_above_covered_ones() -> None:
    covered = np.array([True, False])
    priority = np.array([0.0, 0.0])  # no population known: no one counted out of reach
    access = np.array([0.0, 0.0])

    assert rank(covered, priority, access).tolist() == [2, 1]
