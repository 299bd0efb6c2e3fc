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

from app.analysis.gaps import analyse_gaps
from app.analysis.inputs import AssetMatch, DemandMethod, demand_points, load_areas, load_supply
from app.analysis.question import GapQuestion
from app.settings import AnalysisSettings

SETTINGS = AnalysisSettings()
BNG = SETTINGS.projected_srid


def _pysal_scores(session: Session, question: GapQuestion, sigma_m: float | None) -> pd.Series:
    """PySAL's 2SFCA per area: computed on the service's demand and supply points, then
    averaged over each area's points (they carry equal shares of its people)."""
    areas = load_areas(session, question.within, question.level, BNG)
    points = demand_points(session, areas, question.demand, BNG)
    supply = load_supply(session, question.match, BNG)
    demand_frame = gpd.GeoDataFrame(
        {"people": points.people},
        geometry=gpd.points_from_xy(points.xy[:, 0], points.xy[:, 1]),
        crs=BNG,
    )
    supply_frame = gpd.GeoDataFrame(
        {"supply": supply.capacity},
        geometry=gpd.points_from_xy(supply.xy[:, 0], supply.xy[:, 1]),
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
    scores = model.two_stage_fca(max_cost=question.distance_m, weight_fn=decay)
    per_point = scores.iloc[:, 0].reindex(range(len(points))).fillna(0.0).to_numpy()
    codes = np.array(areas.codes)[points.area]
    return pd.Series(per_point).groupby(codes).mean()


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
