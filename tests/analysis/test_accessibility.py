"""2SFCA scores equal PySAL `access` on the same demand points, supply and Euclidean costs,
binary and with gaussian decay, and they share out exactly the supply within reach."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from access import Access, weights
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.analysis.accessibility import gaussian, no_decay, two_stage_fca
from app.analysis.coverage import links_within
from app.analysis.gaps import analyse_gaps
from app.analysis.inputs import DemandMethod, demand_points, load_areas, load_supply
from app.analysis.question import GapQuestion
from app.domain.asset_search import AssetMatch
from app.settings import AnalysisSettings

SETTINGS = AnalysisSettings()
BNG = SETTINGS.projected_srid


def _pysal_2sfca(
    demand_xy: np.ndarray,
    people: np.ndarray,
    supply_xy: np.ndarray,
    capacity: np.ndarray,
    distance_m: float,
    sigma_m: float | None,
) -> np.ndarray:
    """PySAL's 2SFCA score at each demand point (0 with nothing in reach), on the Euclidean
    cost of every pair as geopandas (GEOS) measures it; points in metres (BNG)."""
    demand_frame = gpd.GeoDataFrame(
        {"people": people},
        geometry=gpd.points_from_xy(demand_xy[:, 0], demand_xy[:, 1]),
        crs=BNG,
    )
    supply_frame = gpd.GeoDataFrame(
        {"supply": capacity},
        geometry=gpd.points_from_xy(supply_xy[:, 0], supply_xy[:, 1]),
        crs=BNG,
    )
    demand_frame.index.name = "point"
    supply_frame.index.name = "asset"
    # Euclidean costs of every pair, measured by geopandas (GEOS)
    pairs = demand_frame.index.to_frame(name="origin").merge(
        supply_frame.index.to_frame(name="dest"), how="cross"
    )
    origins = demand_frame.geometry.loc[pairs["origin"]].reset_index(drop=True)
    destinations = supply_frame.geometry.loc[pairs["dest"]].reset_index(drop=True)
    pairs["cost"] = origins.distance(destinations).to_numpy()
    model = Access(
        demand_df=demand_frame,
        demand_value="people",
        supply_df=supply_frame,
        supply_value="supply",
        cost_df=pairs,
        cost_origin="origin",
        cost_dest="dest",
        cost_name="cost",
    )
    decay = weights.gaussian(sigma_m) if sigma_m is not None else None
    scores = model.two_stage_fca(max_cost=distance_m, weight_fn=decay)
    per_point: np.ndarray = scores.iloc[:, 0].reindex(range(len(demand_xy))).fillna(0.0).to_numpy()
    return per_point


def _pysal_scores(session: Session, question: GapQuestion, sigma_m: float | None) -> pd.Series:
    """PySAL's 2SFCA per area: computed on the service's demand and supply points, then
    averaged over each area's points (they carry equal shares of its people)."""
    areas = load_areas(session, question.within, question.level, BNG)
    points = demand_points(session, areas, question.demand, BNG)
    supply = load_supply(session, question.match, BNG)
    per_point = _pysal_2sfca(
        points.xy, points.people, supply.xy, supply.capacity, question.distance_m, sigma_m
    )
    codes = np.array(areas.codes)[points.area]
    return pd.Series(per_point).groupby(codes).mean()


@pytest.mark.fast
@pytest.mark.parametrize("sigma_m", [None, 300.0])
def test_2sfca_on_points_equals_pysal_access(sigma_m: float | None) -> None:
    # Households and assets scattered over 5 km of Stretford (British National Grid, metres).
    rng = np.random.default_rng(19)
    corner = np.array([377_000.0, 394_000.0])
    demand_xy = corner + rng.uniform(0, 5000, (80, 2))
    people = rng.integers(50, 2000, 80).astype(float)
    supply_xy = corner + rng.uniform(0, 5000, (10, 2))
    capacity = rng.integers(1, 4, 10).astype(float)
    reach_m = 800.0

    links = links_within(demand_xy, supply_xy, reach_m)
    ours = two_stage_fca(links, people, capacity, gaussian(sigma_m) if sigma_m else no_decay)

    theirs = _pysal_2sfca(demand_xy, people, supply_xy, capacity, reach_m, sigma_m)
    assert 10 < (ours > 0).sum() < len(ours)  # some in reach of an asset, some of none
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=0)
    # everyone's share adds up to the supply of the assets anyone can reach
    in_reach = np.unique(links.destination)
    assert len(in_reach) < len(capacity)
    assert (people * ours).sum() == pytest.approx(capacity[in_reach].sum(), rel=1e-12)


@pytest.mark.parametrize(
    ("category", "distance_m", "demand", "sigma_m"),
    [
        ("gp-practice", 1000.0, "centroid", None),
        ("gp-practice", 1500.0, "centroid", 600.0),
        ("food-bank", 2000.0, "postcodes", None),
        ("library", 1200.0, "postcodes", 500.0),
    ],
)
def test_2sfca_equals_pysal_access(
    demo_session: Session,
    category: str,
    distance_m: float,
    demand: DemandMethod,
    sigma_m: float | None,
) -> None:
    question = GapQuestion(
        within="E08000009",
        match=AssetMatch(category=category),
        distance_m=distance_m,
        demand=demand,
        decay="gaussian" if sigma_m is not None else "none",
        sigma_m=sigma_m,
    )
    report = analyse_gaps(demo_session, question, SETTINGS)

    ours = pd.Series({row["code"]: row["access_2sfca"] for row in report.areas}).sort_index()
    theirs = _pysal_scores(demo_session, question, sigma_m).sort_index()
    assert (ours > 0).sum() > 10  # a test with scores to compare
    np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), rtol=1e-9, atol=0)


def test_people_times_scores_add_up_to_the_supply_in_reach(demo_session: Session) -> None:
    # one practice is a large one: its capacity counts as three
    demo_session.execute(
        text(
            "UPDATE asset SET capacity = 3 WHERE id = (SELECT min(a.id) FROM asset a "
            "JOIN category c ON c.id = a.category_id WHERE c.slug = 'gp-practice')"
        )
    )
    question = GapQuestion(within="E08000009", match=AssetMatch(category="gp-practice"))
    report = analyse_gaps(demo_session, question, SETTINGS)

    areas = load_areas(demo_session, "E08000009", "lsoa", BNG)
    supply = load_supply(demo_session, question.match, BNG)
    gaps = np.hypot(*(areas.centroid_xy[:, None, :] - supply.xy[None, :, :]).transpose(2, 0, 1))
    in_reach = (gaps <= 1000).any(axis=0)
    assert supply.capacity.max() == 3
    expected = supply.capacity[in_reach].sum()
    total = sum(row["population"] * row["access_2sfca"] for row in report.areas)
    assert total == pytest.approx(expected, rel=1e-12)
    assert report.summary["reachable_supply"] == expected
