"""A partnership asks which Trafford neighbourhoods lack a GP practice within 1 km: the
answer checked against geopandas on the source files, not against our own arithmetic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import cdist
from sqlalchemy.orm import Session

from app.analysis.coverage import TooManyLinks, links_within, nearest_m
from app.analysis.gaps import analyse_gaps
from app.analysis.question import GapQuestion
from app.domain.asset_search import AssetMatch
from app.settings import AnalysisSettings
from tests.analysis import trafford

SETTINGS = AnalysisSettings()
GP_1KM = GapQuestion(within="E08000009", match=AssetMatch(category="gp-practice"))


def _distances(points: pd.Series, gps: pd.Series) -> np.ndarray:
    """Metres from each point to each GP practice (rows: points)."""
    return np.array([gps.distance(point).to_numpy() for point in points])


def test_nearest_gp_distances_counts_and_coverage_agree_with_geopandas(
    demo_session: Session,
) -> None:
    lsoas = trafford.lsoas()
    distances = _distances(lsoas.centroid, trafford.assets("gp_practices"))
    nearest = distances.min(axis=1)
    covered = nearest <= 1000

    report = analyse_gaps(demo_session, GP_1KM, SETTINGS)

    rows = pd.DataFrame(report.areas).set_index("code").sort_index()
    assert list(rows.index) == list(lsoas.index)
    assert np.abs(rows["nearest_m"].to_numpy() - nearest).max() < 1.0
    assert list(rows["count_within"]) == list((distances <= 1000).sum(axis=1))
    assert list(rows["covered"]) == list(covered)
    assert list(rows["population"]) == list(lsoas["population"])
    per_1000 = (distances <= 1000).sum(axis=1) / lsoas["population"].to_numpy() * 1000
    assert np.abs(rows["per_1000"].to_numpy() - per_1000).max() < 5e-5
    assert list(rows["imd_decile"]) == list(lsoas["imd_decile"])

    summary = report.summary
    uncovered = lsoas["population"][~covered]
    assert summary["population_total"] == 237_354  # ONS mid-2019, Trafford's 138 LSOAs
    assert summary["population_covered"] == 237_354 - uncovered.sum()
    by_decile = uncovered.groupby(lsoas["imd_decile"][~covered]).sum()
    assert summary["uncovered_by_imd_decile"] == {
        str(decile): int(by_decile.get(decile, 0)) for decile in range(1, 11)
    }
    assert summary["assets"] == 26


def test_postcode_demand_shares_each_areas_people_among_its_postcodes(
    demo_session: Session,
) -> None:
    lsoas = trafford.lsoas()
    postcodes = trafford.postcodes()
    inside = postcodes.sjoin(lsoas[["geometry"]], predicate="covered_by")
    # a postcode on a shared boundary belongs to the first area by code, as the service says
    inside = inside.sort_values("area_code").drop_duplicates("postcode")
    gps = trafford.assets("gp_practices")
    inside["covered"] = _distances(inside.geometry, gps).min(axis=1) <= 1000
    share = lsoas["population"] / inside.groupby("area_code").size()
    inside["people"] = inside["area_code"].map(share)
    people_covered = inside[inside["covered"]].groupby("area_code")["people"].sum()
    no_postcode = lsoas.index.difference(inside["area_code"])

    question = GapQuestion(
        within="E08000009", match=AssetMatch(category="gp-practice"), demand="postcodes"
    )
    report = analyse_gaps(demo_session, question, SETTINGS)

    rows = pd.DataFrame(report.areas).set_index("code")
    with_postcodes = rows.drop(no_postcode)
    expected = people_covered.reindex(with_postcodes.index, fill_value=0)
    assert np.abs(with_postcodes["population_covered"] - expected).max() < 0.01
    counts = inside.groupby("area_code").size()
    assert (with_postcodes["demand_points"] == counts.reindex(with_postcodes.index)).all()
    assert (rows.loc[no_postcode, "demand_points"] == 1).all()
    fully = with_postcodes["covered"]
    assert (
        with_postcodes.loc[fully, "population_covered"] == with_postcodes.loc[fully, "population"]
    ).all()
    assert report.method["demand"] == "postcodes"


def test_another_projected_crs_is_a_setting(demo_session: Session) -> None:
    utm = AnalysisSettings(projected_srid=32630)  # UTM zone 30N, for use outside Great Britain
    in_bng = analyse_gaps(demo_session, GP_1KM, SETTINGS)
    in_utm = analyse_gaps(demo_session, GP_1KM, utm)

    assert in_utm.method["projected_crs"] == "EPSG:32630"
    bng = {row["code"]: row["nearest_m"] for row in in_bng.areas}
    for row in in_utm.areas:
        # both are conformal projections with scale factors within 0.1% of 1 here
        assert row["nearest_m"] == pytest.approx(bng[row["code"]], rel=2e-3)


@pytest.mark.fast
def test_pairs_within_reach_and_nearest_distances_agree_with_every_pair_measured() -> None:
    # Whole metres, so a pair exactly at the reach is exactly at it.
    rng = np.random.default_rng(20)
    people = rng.integers(0, 3000, (300, 2)).astype(float)
    assets = rng.integers(0, 3000, (12, 2)).astype(float)
    assets[0] = people[0] + (300, 400)  # 500 m away
    every = cdist(people, assets)

    links = links_within(people, assets, 500.0)

    pairs = set(zip(links.origin.tolist(), links.destination.tolist(), strict=True))
    assert pairs == set(zip(*np.nonzero(every <= 500.0), strict=True))
    assert (0, 0) in pairs  # the boundary counts as within
    np.testing.assert_allclose(links.distance_m, every[links.origin, links.destination])
    np.testing.assert_allclose(nearest_m(people, assets), every.min(axis=1))


@pytest.mark.fast
def test_too_many_pairs_are_refused_before_they_are_built() -> None:
    rng = np.random.default_rng(21)
    people, assets = rng.uniform(0, 2000, (200, 2)), rng.uniform(0, 2000, (20, 2))
    count = int((cdist(people, assets) <= 400.0).sum())

    with pytest.raises(TooManyLinks) as refused:
        links_within(people, assets, 400.0, max_links=count - 1)

    assert (refused.value.count, refused.value.limit) == (count, count - 1)
    assert len(links_within(people, assets, 400.0, max_links=count).origin) == count


@pytest.mark.fast
def test_with_no_assets_no_one_is_in_reach() -> None:
    people, nothing = np.array([[0.0, 0.0], [10.0, 10.0]]), np.empty((0, 2))

    assert nearest_m(people, nothing).tolist() == [np.inf, np.inf]
    assert len(links_within(people, nothing, 1000.0).origin) == 0
