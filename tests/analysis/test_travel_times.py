"""An analyst brings travel times: coverage, 2SFCA, enhanced 2SFCA and 3SFCA equal PySAL
`access` on the same cost matrix, where next equals spopt's optimum on it, CSV and Parquet
say the same, and an asset's own reach_m counts in straight-line analyses."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pulp
import pytest
from access import Access
from spopt.locate import MCLP
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.analysis.costs import read_matrix
from app.analysis.gaps import TravelAsked, analyse_gaps, suggest_sites
from app.analysis.inputs import load_areas, load_supply
from app.analysis.question import AccessMethod, GapQuestion
from app.domain.asset_search import AssetMatch
from app.errors import Problem
from app.settings import AnalysisSettings
from tests.analysis import trafford, travel

SETTINGS = AnalysisSettings()
BNG = SETTINGS.projected_srid
GPS = AssetMatch(category="gp-practice")


def _question(method: AccessMethod = "2sfca", **asked: Any) -> GapQuestion:
    return GapQuestion(within="E08000009", match=GPS, method=method, **asked)


def _travel(frame: pd.DataFrame, threshold: float, as_parquet: bool = False) -> TravelAsked:
    data = travel.as_parquet(frame) if as_parquet else travel.as_csv(frame)
    return TravelAsked(read_matrix(data, SETTINGS.costs_max_rows), threshold)


def _pysal(
    frame: pd.DataFrame, supply: pd.Series, method: AccessMethod, threshold: float | None
) -> pd.Series:
    """PySAL access's score per LSOA on the cost matrix `frame` (0 where it gives none)."""
    lsoas = trafford.lsoas()
    demand = pd.DataFrame({"people": lsoas["population"].astype(float)}, index=lsoas.index)
    demand.index.name = "code"
    supply_frame = pd.DataFrame({"supply": supply})
    supply_frame.index.name = "asset"
    costs = frame.rename(columns={"minutes": "cost"}).copy()
    model = Access(
        demand_df=demand,
        demand_value="people",
        supply_df=supply_frame,
        supply_value="supply",
        cost_df=costs,
        cost_origin="origin",
        cost_dest="destination",
        cost_name="cost",
    )
    if method == "2sfca":
        scores = model.two_stage_fca(max_cost=threshold)
    elif method == "e2sfca":
        scores = model.enhanced_two_stage_fca(max_cost=threshold)
    else:
        scores = model.three_stage_fca(max_cost=threshold)
    return scores.iloc[:, 0].reindex(lsoas.index).fillna(0.0)


def _capacities(session: Session) -> pd.Series:
    """The GP practices' supply as the test sets it: 1 each, 3 for the first."""
    ids = travel.assets(session, "gp-practice")["id"]
    session.execute(text("UPDATE asset SET capacity = 3 WHERE id = :id"), {"id": int(ids[0])})
    supply = pd.Series(1.0, index=ids.astype(str))
    supply.iloc[0] = 3.0
    return supply


@pytest.mark.parametrize(
    ("method", "threshold"),
    [
        ("2sfca", 20.0),
        ("2sfca", 35.0),
        ("e2sfca", 25.0),
        ("e2sfca", 40.0),
        ("3sfca", 20.0),
        ("3sfca", 40.0),
    ],
)
def test_travel_time_scores_equal_pysal_access(
    demo_session: Session, method: AccessMethod, threshold: float
) -> None:
    supply = _capacities(demo_session)
    frame = travel.matrix(demo_session, "gp-practice", unreachable_rows=30)
    report = analyse_gaps(demo_session, _question(method), SETTINGS, _travel(frame, threshold))

    ours = pd.Series({row["code"]: row["access"] for row in report.areas}).sort_index()
    theirs = _pysal(frame, supply, method, threshold).sort_index()
    assert (ours > 0).sum() > 20  # a test with scores to compare
    np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), rtol=1e-9, atol=0)
    assert report.method["accessibility"]["method"] == method
    assert report.method["travel_times"]["not_reachable"] == 30


def test_coverage_by_travel_time_is_what_the_matrix_says(demo_session: Session) -> None:
    frame = travel.matrix(demo_session, "gp-practice", seed=5)
    threshold = 12.0
    report = analyse_gaps(demo_session, _question(), SETTINGS, _travel(frame, threshold))

    quickest = frame.groupby("origin")["minutes"].min()
    covered = set(quickest.index[quickest <= threshold])
    rows = {row["code"]: row for row in report.areas}
    assert 10 < len(covered) < len(rows)
    assert {code for code, row in rows.items() if row["covered"]} == covered
    for code, row in rows.items():
        assert row["nearest_minutes"] == (
            round(quickest[code], 2) if code in quickest.index else None
        )
        within = frame[(frame["origin"] == code) & (frame["minutes"] <= threshold)]
        assert row["count_within"] == len(within)
    people = trafford.lsoas()["population"]
    assert report.summary["population_covered"] == int(people[sorted(covered)].sum())
    # uncovered areas come first, by need x people
    ranked = [row["code"] for row in sorted(report.areas, key=lambda r: r["rank"])]
    assert set(ranked[: len(rows) - len(covered)]) == set(rows) - covered


def test_csv_and_parquet_give_the_same_analysis(demo_session: Session) -> None:
    frame = travel.matrix(demo_session, "gp-practice", seed=9, unreachable_rows=10)
    by_csv = analyse_gaps(demo_session, _question("3sfca"), SETTINGS, _travel(frame, 25.0))
    by_parquet = analyse_gaps(
        demo_session, _question("3sfca"), SETTINGS, _travel(frame, 25.0, as_parquet=True)
    )

    assert by_csv.areas == by_parquet.areas and by_csv.summary == by_parquet.summary
    assert by_csv.method["travel_times"]["format"] == "csv"
    assert by_parquet.method["travel_times"]["format"] == "parquet"


def test_postcodes_count_as_their_lsoa(demo_session: Session) -> None:
    frame = travel.matrix(demo_session, "gp-practice", seed=3)
    postcodes = pd.read_csv(trafford.data_path("postcodes.csv"))
    analysed = set(trafford.lsoas().index)
    one_per_lsoa = postcodes[postcodes["lsoa_code"].isin(analysed)].drop_duplicates("lsoa_code")
    postcode_of = dict(zip(one_per_lsoa["lsoa_code"], one_per_lsoa["postcode"], strict=True))
    by_postcode = frame.assign(
        # as people type them: lower case, no space
        origin=[
            postcode_of[code].lower().replace(" ", "") if code in postcode_of else code
            for code in frame["origin"]
        ]
    )
    assert (by_postcode["origin"] != frame["origin"]).mean() > 0.5

    by_code = analyse_gaps(demo_session, _question(), SETTINGS, _travel(frame, 15.0))
    by_place = analyse_gaps(demo_session, _question(), SETTINGS, _travel(by_postcode, 15.0))

    assert by_place.areas == by_code.areas


def _suggest(session: Session, frame: pd.DataFrame, threshold: float, k: int) -> dict[str, Any]:
    """Where next for GP practices, by the travel times of `frame`."""
    travel_times = _travel(frame, threshold)
    return suggest_sites(
        session, _question(), k, "areas", "population", SETTINGS, None, travel_times
    )


def test_where_next_by_travel_time_reaches_spopts_optimum(demo_session: Session) -> None:
    frame = travel.matrix(demo_session, "gp-practice", seed=11, candidates=True)
    threshold, k = 10.0, 3
    answer = _suggest(demo_session, frame, threshold, k)

    lsoas = trafford.lsoas()
    ids = travel.assets(demo_session, "gp-practice")["id"].astype(str).tolist()
    facilities = ids + lsoas.index.tolist()
    cost = (
        frame.pivot(index="origin", columns="destination", values="minutes")
        .reindex(index=lsoas.index, columns=facilities)
        .fillna(1e9)
        .to_numpy()
    )
    predefined = np.r_[np.ones(len(ids)), np.zeros(len(lsoas))].astype(int)
    model = MCLP.from_cost_matrix(
        cost,
        lsoas["population"].to_numpy(dtype=float),
        threshold,
        len(ids) + k,
        predefined_facilities_arr=predefined,
    )
    model.solve(pulp.PULP_CBC_CMD(msg=False))
    optimum = float(pulp.value(model.problem.objective))

    assert answer["solver"] == "exact"
    assert answer["covered_after"] == pytest.approx(optimum, abs=0.01)
    assert answer["newly_covered"] > 0 and len(answer["sites"]) == k
    before = frame[frame["destination"].isin(ids) & (frame["minutes"] <= threshold)]
    assert answer["covered_before"] == int(lsoas["population"][before["origin"].unique()].sum())
    for site in answer["sites"]:
        reached = frame[
            (frame["destination"] == site["area_code"]) & (frame["minutes"] <= threshold)
        ]
        assert set(site["areas"]) == set(reached["origin"])


def test_where_next_by_travel_time_needs_candidate_areas(demo_session: Session) -> None:
    frame = travel.matrix(demo_session, "gp-practice", seed=11)
    with pytest.raises(Problem) as refused:
        _suggest(demo_session, frame, 10.0, 1)
    assert refused.value.errors[0].field == "costs"
    assert "candidate sites" in refused.value.detail


def _catchments(session: Session, distance_m: float) -> tuple[pd.DataFrame, pd.Series]:
    """Every pair of an LSOA's centroid (as the service places it) and a GP practice, the
    metres between them (geopandas), and each practice's catchment: its reach_m or
    distance_m."""
    areas = load_areas(session, "E08000009", "lsoa", BNG)
    supply = load_supply(session, GPS, BNG)
    centroids = gpd.GeoSeries(gpd.points_from_xy(*areas.centroid_xy.T), crs=BNG)
    points = gpd.GeoSeries(gpd.points_from_xy(*supply.xy.T), crs=BNG)
    metres = np.array([centroids.distance(point).to_numpy() for point in points]).T
    reach = session.execute(
        text("SELECT id, reach_m FROM asset WHERE id = ANY(:ids)"), {"ids": supply.ids.tolist()}
    ).all()
    own = {asset_id: value for asset_id, value in reach}
    catchment = pd.Series(
        [own[i] if own[i] is not None else distance_m for i in supply.ids], index=supply.ids
    )
    pairs = pd.DataFrame(
        {
            "origin": np.repeat(areas.codes, len(supply)),
            "destination": np.tile(supply.ids, len(areas)),
            "metres": metres.ravel(),
        }
    )
    return pairs, catchment


@pytest.mark.parametrize("method", ["2sfca", "e2sfca", "3sfca"])
def test_an_assets_own_reach_m_counts_in_straight_lines(
    demo_session: Session, method: AccessMethod
) -> None:
    # five practices say people come from 2.5 km away; the question asks 800 m
    demo_session.execute(
        text(
            "UPDATE asset SET reach_m = 2500 WHERE id IN (SELECT a.id FROM asset a JOIN "
            "category c ON c.id = a.category_id WHERE c.slug = 'gp-practice' "
            "ORDER BY a.id LIMIT 5)"
        )
    )
    report = analyse_gaps(demo_session, _question(method, distance_m=800.0), SETTINGS)

    pairs, catchment = _catchments(demo_session, 800.0)
    in_reach = pairs[pairs["metres"] <= pairs["destination"].map(catchment)]
    rows = {row["code"]: row for row in report.areas}
    covered = set(in_reach["origin"])
    assert {code for code, row in rows.items() if row["covered"]} == covered
    only_by_own_reach = covered - set(pairs[pairs["metres"] <= 800.0]["origin"])
    assert len(only_by_own_reach) > 5
    assert report.method["assets_with_own_reach_m"] == 5
    # PySAL on the same pairs: catchments as costs on its 30-minute bands
    bands = pairs.assign(minutes=30.0 * pairs["metres"] / pairs["destination"].map(catchment))
    if method == "2sfca":
        bands = bands[bands["minutes"] <= 30.0]
    supply = pd.Series(1.0, index=catchment.index)
    theirs = _pysal(bands[["origin", "destination", "minutes"]], supply, method, 30.0)
    ours = pd.Series({code: row["access"] for code, row in rows.items()})
    np.testing.assert_allclose(
        ours.sort_index().to_numpy(), theirs.sort_index().to_numpy(), rtol=1e-9, atol=0
    )


def test_where_next_counts_an_assets_own_reach_m_as_spopt_does(demo_session: Session) -> None:
    # three food banks say people come from 3 km away; the question asks 1 km
    demo_session.execute(
        text(
            "UPDATE asset SET reach_m = 3000 WHERE id IN (SELECT a.id FROM asset a JOIN "
            "category c ON c.id = a.category_id WHERE c.slug = 'food-bank' "
            "ORDER BY a.id LIMIT 3)"
        )
    )
    question = GapQuestion(within="E08000009", match=AssetMatch(category="food-bank"))
    answer = suggest_sites(demo_session, question, 2, "areas", "population", SETTINGS)

    areas = load_areas(demo_session, "E08000009", "lsoa", BNG)
    supply = load_supply(demo_session, question.match, BNG)
    own = {
        asset_id: reach
        for asset_id, reach in demo_session.execute(
            text("SELECT id, reach_m FROM asset WHERE id = ANY(:ids)"),
            {"ids": supply.ids.tolist()},
        )
    }
    catchment = np.array([own[i] or 1000.0 for i in supply.ids])
    centroids = gpd.GeoSeries(gpd.points_from_xy(*areas.centroid_xy.T), crs=BNG)
    to_assets = np.array(
        [centroids.distance(p).to_numpy() for p in gpd.points_from_xy(*supply.xy.T)]
    ).T
    to_sites = np.array([centroids.distance(p).to_numpy() for p in centroids]).T
    # an existing asset is within reach when its metres, put on the 1 km radius, are
    cost = np.hstack([to_assets * 1000.0 / catchment, to_sites])
    predefined = np.r_[np.ones(len(supply)), np.zeros(len(areas))].astype(int)
    model = MCLP.from_cost_matrix(
        cost, areas.population, 1000.0, len(supply) + 2, predefined_facilities_arr=predefined
    )
    model.solve(pulp.PULP_CBC_CMD(msg=False))

    assert (catchment > 1000).sum() == 3
    assert answer["solver"] == "exact"
    assert answer["covered_after"] == pytest.approx(pulp.value(model.problem.objective), abs=0.01)
    in_own_reach = (to_assets <= catchment).any(axis=1)
    assert answer["covered_before"] == int(areas.population[in_own_reach].sum())
    assert in_own_reach.sum() > (to_assets <= 1000.0).any(axis=1).sum()
