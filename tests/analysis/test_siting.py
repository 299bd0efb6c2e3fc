"""Where next: the sites chosen are spopt MCLP's optimum on the same instance, greedy only
beyond the exact solver's limits, and a hand-made case where greedy is not optimal."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pulp
import pytest
from scipy import sparse
from spopt.locate import MCLP
from sqlalchemy.orm import Session

from app.analysis.gaps import suggest_sites
from app.analysis.inputs import (
    AssetMatch,
    candidate_sites,
    demand_points,
    load_areas,
    load_supply,
)
from app.analysis.question import GapQuestion, Weight
from app.analysis.siting import ExactLimits, maximal_covering
from app.settings import AnalysisSettings
from tests.analysis import trafford

SETTINGS = AnalysisSettings()
BNG = SETTINGS.projected_srid
FOOD_BANKS = GapQuestion(within="E08000009", match=AssetMatch(category="food-bank"))


def _spopt_optimum(session: Session, question: GapQuestion, k: int, weight: Weight) -> float:
    """spopt's MCLP on the same demand points: the food banks as predefined facilities,
    every area's demand point as a candidate; returns the weight covered."""
    areas = load_areas(session, question.within, question.level, BNG)
    points = demand_points(session, areas, question.demand, BNG)
    supply = load_supply(session, question.match, BNG)
    # need, as the method documents it: (11 - IMD decile) / 5.5
    need = (11 - areas.imd_decile[points.area]) / 5.5
    people = points.people * (need if weight == "need" else 1)
    facilities = np.vstack([supply.xy, points.xy])
    cost = np.hypot(*(points.xy[:, None, :] - facilities[None, :, :]).transpose(2, 0, 1))
    predefined = np.r_[np.ones(len(supply)), np.zeros(len(points))].astype(int)
    model = MCLP.from_cost_matrix(
        cost, people, question.distance_m, len(supply) + k, predefined_facilities_arr=predefined
    )
    model.solve(pulp.PULP_CBC_CMD(msg=False))
    return float(pulp.value(model.problem.objective))


@pytest.mark.parametrize(("k", "weight"), [(1, "population"), (2, "population"), (3, "need")])
def test_suggestions_reach_spopts_optimum(demo_session: Session, k: int, weight: Weight) -> None:
    answer = suggest_sites(demo_session, FOOD_BANKS, k, "areas", weight, SETTINGS)

    assert answer["solver"] == "exact"
    assert answer["covered_after"] == pytest.approx(
        _spopt_optimum(demo_session, FOOD_BANKS, k, weight), abs=0.01
    )
    assert len(answer["sites"]) == k
    gains = sum(site["newly_covered"] for site in answer["sites"])
    assert answer["newly_covered"] == pytest.approx(gains, abs=0.01 * k)
    assert answer["covered_after"] == pytest.approx(
        answer["covered_before"] + answer["newly_covered"], abs=0.01
    )
    for site in answer["sites"]:
        assert site["area_code"] in site["areas"]
        assert set(site["newly_covered_areas"]) <= set(site["areas"])


def test_greedy_beyond_the_limits_and_never_better_than_exact(demo_session: Session) -> None:
    small = SETTINGS.model_copy(update={"exact_max_candidates": 10})
    greedy = suggest_sites(demo_session, FOOD_BANKS, 3, "areas", "population", small)
    exact = suggest_sites(demo_session, FOOD_BANKS, 3, "areas", "population", SETTINGS)

    assert greedy["solver"] == "greedy"
    assert "exceed" in greedy["method"]["solver"]
    assert greedy["covered_before"] == exact["covered_before"]
    assert greedy["covered_after"] <= exact["covered_after"]
    # greedy takes the best single site first
    best_single = suggest_sites(demo_session, FOOD_BANKS, 1, "areas", "population", SETTINGS)
    assert greedy["sites"][0]["newly_covered"] == best_single["newly_covered"]


@pytest.mark.fast
def test_exact_beats_greedy_where_greedy_is_short_sighted() -> None:
    # Candidate 0 reaches points a-d (1 person each); candidate 1 reaches a, b and e, and
    # candidate 2 reaches c, d and f (e and f 1.5 people each). Greedy takes 0 (4 people),
    # then 1 or 2 (+1.5) = 5.5; the best pair is 1 and 2: 7 people.
    reach = sparse.csr_array(
        np.array(
            [
                [1, 1, 1, 1, 0, 0],
                [1, 1, 0, 0, 1, 0],
                [0, 0, 1, 1, 0, 1],
            ]
        )
    )
    people = np.array([1, 1, 1, 1, 1.5, 1.5])
    nobody = np.zeros(6, dtype=bool)
    roomy = ExactLimits(max_candidates=10, max_links=100, time_limit_s=10)
    tight = ExactLimits(max_candidates=2, max_links=100, time_limit_s=10)

    exact = maximal_covering(reach, people, nobody, 2, roomy)
    greedy = maximal_covering(reach, people, nobody, 2, tight)

    assert (exact.solver, sorted(exact.sites), sum(exact.gains)) == ("exact", [1, 2], 7.0)
    assert (greedy.solver, greedy.sites, greedy.gains) == ("greedy", [0, 1], [4.0, 1.5])


@pytest.mark.fast
def test_people_already_in_reach_are_not_counted_again() -> None:
    reach = sparse.csr_array(np.array([[1, 1, 0], [0, 0, 1]]))
    people = np.array([5.0, 5.0, 1.0])
    covered_before = np.array([True, True, False])
    limits = ExactLimits(max_candidates=10, max_links=100, time_limit_s=10)

    chosen = maximal_covering(reach, people, covered_before, 1, limits)

    assert (chosen.sites, chosen.gains) == ([1], [1.0])


def test_given_candidate_points_are_placed_in_their_areas(demo_session: Session) -> None:
    water_park, stockport = (-2.3056, 53.4339), (-2.1571, 53.4084)
    lsoas = trafford.lsoas()
    point = gpd.GeoSeries(gpd.points_from_xy([water_park[0]], [water_park[1]]), crs=4326)
    containing = lsoas.index[lsoas.covers(point.to_crs(BNG).iloc[0])]

    answer = suggest_sites(
        demo_session, FOOD_BANKS, 2, [water_park, stockport], "population", SETTINGS
    )

    # Stockport is kilometres from any Trafford neighbourhood: it adds nobody, so it is left
    # out rather than padded in
    assert [(site["lon"], site["lat"]) for site in answer["sites"]] == [water_park]
    assert answer["sites"][0]["area_code"] == containing[0]
    assert "adds nobody" in answer["method"]["sites_order"]
    areas = load_areas(demo_session, "E08000009", "lsoa", BNG)
    placed = candidate_sites(demo_session, areas, [water_park, stockport], BNG)
    assert [areas.codes[i] if i >= 0 else None for i in placed.area] == [containing[0], None]
