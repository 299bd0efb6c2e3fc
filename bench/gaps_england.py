"""A full `GET /gaps` at England's size, beside geopandas and PySAL `access` in the same run.

The case: 32,844 generated neighbourhoods, as many as England's LSOAs (bench.common's
generate_england: Voronoi cells of random seeds over a 360 x 360 km square of British National
Grid, about England's area, boundaries segmentised to 100 m so each has LSOA-like vertex
counts, in 324 generated local authorities) with population and IMD, and 100,000 generated assets.
Printed:

- the service: `GET /gaps` over HTTP (a real uvicorn), every area's nearest distance,
  count within reach, 2SFCA score and priority, as JSON;
- (a) geopandas: read the same areas and assets from PostGIS (`read_postgis`), project to
  EPSG:27700, take centroids, then nearest distances (`sjoin_nearest`) and counts within
  reach (`sjoin(..., predicate="dwithin")`): the same numbers, less the 2SFCA and priority;
- (b) PySAL `access` 2SFCA on a subset (a 200 x 200 km square), given the demand-supply costs
  within reach, against this service's 2SFCA (links found and scores computed) on the same
  points; the two answers are checked to agree.

- (c) one local authority of the 324 (`/gaps?within=L0170`), in-process: the whole
  analysis, and its read of the supply: the assets within reach of the authority's
  neighbourhoods (and the nearest beyond them), against reading every matching asset in
  England as analyses did before (the baseline, read in the same run).

Times are the median of several runs after one warm-up. Run with `python -m bench.gaps_england`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import httpx
import numpy as np
import pandas as pd
from access import Access
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.analysis import accessibility, coverage
from app.analysis.gaps import analyse_gaps
from app.analysis.inputs import demand_points, load_areas, load_supply
from app.analysis.question import GapQuestion
from app.db import make_engine
from app.domain.asset_search import AssetMatch
from app.settings import AnalysisSettings
from bench.common import (
    ENGLAND,
    LONLAT_BOX,
    bench_database,
    generate_england,
    running_service,
    timed,
)

ASSETS = 100_000
REACH_M = 1000.0
BNG = 27700
SUBSET = (250_000.0, 150_000.0, 450_000.0, 350_000.0)
SMALL_SUBSET = (300_000.0, 200_000.0, 360_000.0, 260_000.0)
RUNS = 3
PARENT = ENGLAND
# a local authority in the middle of the generated England
AUTHORITY = "L0170"


def main() -> None:
    url = bench_database("assetmap_bench_gaps", ASSETS, LONLAT_BOX)
    engine = make_engine(url, pool_size=2)
    generate_england(engine)
    query = f"/gaps?within={PARENT}&category=library&distance_m={REACH_M:g}"

    with running_service(url) as base, httpx.Client(base_url=base, timeout=600) as client:

        def service() -> dict[str, Any]:
            response = client.get(query)
            response.raise_for_status()
            body: dict[str, Any] = response.json()
            return body

        service_s, answer = _timed(service)
    geopandas_s, (baseline, compute_s) = _timed(lambda: _geopandas_baseline(engine))

    ours = pd.DataFrame(answer["areas"]).set_index("code").sort_index()
    theirs = baseline.sort_index()
    nearest_gap = float(np.abs(ours["nearest_m"] - theirs["nearest_m"]).max())
    counts_equal = bool((ours["count_within"] == theirs["count_within"]).all())

    print(f"England-sized case: {len(ours):,} areas, {ASSETS:,} assets, reach {REACH_M:g} m")
    print(f"  GET /gaps (HTTP, JSON, {answer['summary']['assets']:,} assets counted)")
    print(f"    service          {service_s:8.2f} s")
    print(f"    geopandas        {geopandas_s:8.2f} s  (of which {compute_s:.2f} s after reading)")
    print(f"    geopandas / service = {geopandas_s / service_s:.2f}x  (target >= 1)")
    print(f"    agreement: nearest within {nearest_gap:.3f} m; counts equal: {counts_equal}")

    with Session(engine) as session:
        _two_stage_fca_subset(session)
        _one_authority(session)
    engine.dispose()


def _one_authority(session: Session) -> None:
    """(c): one authority's analysis, and its supply read beside every matching asset's."""
    settings = AnalysisSettings()
    question = GapQuestion(
        within=AUTHORITY, match=AssetMatch(category="library"), distance_m=REACH_M
    )
    analysis_s, report = _timed(lambda: analyse_gaps(session, question, settings))
    areas = load_areas(session, AUTHORITY, "lsoa", BNG)
    points = demand_points(session, areas, "centroid", BNG)
    near_s, near = _timed(
        lambda: load_supply(session, question.match, BNG, around=(points.xy, REACH_M))
    )
    every_s, every = _timed(lambda: load_supply(session, question.match, BNG))
    print(f"(c) one authority ({AUTHORITY}: {len(areas):,} areas), reach {REACH_M:g} m")
    print(f"    the analysis     {analysis_s:8.3f} s  ({report.summary['assets']:,} assets count)")
    print(
        f"    supply read: within reach {near_s:.3f} s ({len(near):,} assets); every "
        f"matching asset {every_s:.3f} s ({len(every):,}): {every_s / near_s:.1f}x"
    )


def _timed(work: Callable[[], Any]) -> tuple[float, Any]:
    """The median time of RUNS runs after a warm-up, and the last result."""
    return timed(work, RUNS)


def _geopandas_baseline(engine: Any) -> tuple[pd.DataFrame, float]:
    """Nearest distance and count within reach per area, the geopandas way; returns them
    and the seconds spent after reading."""
    areas = gpd.read_postgis(
        text("SELECT code, geom FROM area WHERE level = 'lsoa'"),
        engine,
        geom_col="geom",
    )
    assets = gpd.read_postgis(
        text(
            "SELECT a.id, a.public_geom FROM asset a JOIN category c ON c.id = a.category_id "
            "WHERE c.slug = 'library' AND a.status = 'published'"
        ),
        engine,
        geom_col="public_geom",
    )
    start = time.perf_counter()
    centroids = gpd.GeoDataFrame(
        {"code": areas["code"]}, geometry=areas.to_crs(BNG).centroid, crs=BNG
    )
    points = assets.to_crs(BNG)
    nearest = centroids.sjoin_nearest(points, distance_col="nearest_m")
    nearest = nearest.drop_duplicates("code").set_index("code")["nearest_m"]
    within = centroids.sjoin(points, predicate="dwithin", distance=REACH_M)
    counts = within.groupby("code").size().reindex(nearest.index, fill_value=0)
    result = pd.DataFrame({"nearest_m": nearest, "count_within": counts})
    return result, time.perf_counter() - start


def _two_stage_fca_subset(session: Session) -> None:
    areas = load_areas(session, PARENT, "lsoa", BNG)
    points = demand_points(session, areas, "centroid", BNG)
    supply = load_supply(session, AssetMatch(category="library"), BNG)
    given = _subset(points.xy, points.people, supply.xy, supply.capacity, SUBSET)
    _compare_given_costs(*given)
    from_points = _subset(points.xy, points.people, supply.xy, supply.capacity, SMALL_SUBSET)
    _compare_from_points(*from_points)


Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _subset(
    demand_xy: np.ndarray,
    people: np.ndarray,
    supply_xy: np.ndarray,
    capacity: np.ndarray,
    square: tuple[float, float, float, float],
) -> Arrays:
    """The demand points inside `square` and the assets within reach of it."""
    x0, y0, x1, y1 = square

    def inside(xy: np.ndarray, pad: float) -> np.ndarray:
        x, y = xy[:, 0], xy[:, 1]
        return (x >= x0 - pad) & (x <= x1 + pad) & (y >= y0 - pad) & (y <= y1 + pad)

    keep_demand, keep_supply = inside(demand_xy, 0), inside(supply_xy, REACH_M)
    return (
        demand_xy[keep_demand],
        people[keep_demand],
        supply_xy[keep_supply],
        capacity[keep_supply],
    )


def _frames(
    demand_xy: np.ndarray, people: np.ndarray, supply_xy: np.ndarray, capacity: np.ndarray
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    demand = gpd.GeoDataFrame(
        {"people": people}, geometry=gpd.points_from_xy(*demand_xy.T), crs=BNG
    ).rename_axis("point")
    supply = gpd.GeoDataFrame(
        {"supply": capacity}, geometry=gpd.points_from_xy(*supply_xy.T), crs=BNG
    ).rename_axis("asset")
    return demand, supply


def _agree(ours: np.ndarray, theirs: pd.Series) -> bool:
    theirs_array = theirs.reindex(range(len(ours))).fillna(0.0).to_numpy()
    return bool(np.allclose(ours, theirs_array, rtol=1e-9, atol=0))


def _compare_given_costs(
    demand_xy: np.ndarray, people: np.ndarray, supply_xy: np.ndarray, capacity: np.ndarray
) -> None:
    """Both given the same demand-asset pairs within reach and their distances."""
    demand, supply = _frames(demand_xy, people, supply_xy, capacity)
    pairs = demand.sjoin(supply, predicate="dwithin", distance=REACH_M)
    costs = pd.DataFrame({"origin": pairs.index, "dest": pairs["asset"].to_numpy()})
    costs["cost"] = (
        demand.geometry.loc[costs["origin"]]
        .reset_index(drop=True)
        .distance(supply.geometry.loc[costs["dest"]].reset_index(drop=True))
        .to_numpy()
    )
    links = coverage.Links(
        costs["origin"].to_numpy(np.intp),
        costs["dest"].to_numpy(np.intp),
        costs["cost"].to_numpy(np.float64),
    )

    def pysal() -> pd.Series:
        model = Access(
            demand_df=demand,
            demand_value="people",
            supply_df=supply,
            supply_value="supply",
            cost_df=costs,
            cost_origin="origin",
            cost_dest="dest",
            cost_name="cost",
        )
        scores: pd.Series = model.two_stage_fca(max_cost=REACH_M).iloc[:, 0]
        return scores

    ours_s, ours = _timed(lambda: accessibility.two_stage_fca(links, people, capacity))
    pysal_s, theirs = _timed(pysal)
    print(
        f"  2SFCA given the costs, on a 200 x 200 km subset: {len(demand_xy):,} demand "
        f"points, {len(supply_xy):,} assets, {len(costs):,} pairs within reach"
    )
    print(f"    service (scores)           {ours_s * 1000:8.2f} ms")
    print(f"    PySAL access two_stage_fca {pysal_s * 1000:8.2f} ms")
    agree = _agree(ours, theirs)
    print(f"    PySAL / service = {pysal_s / ours_s:.1f}x  (target >= 10); agree: {agree}")
    links_s, _ = _timed(lambda: coverage.links_within(demand_xy, supply_xy, REACH_M))
    print(f"    (the service finds those pairs itself in {links_s * 1000:.1f} ms)")


def _compare_from_points(
    demand_xy: np.ndarray, people: np.ndarray, supply_xy: np.ndarray, capacity: np.ndarray
) -> None:
    """Both starting from the points: PySAL measures every pair (its Euclidean costs)."""
    demand, supply = _frames(demand_xy, people, supply_xy, capacity)

    def ours() -> np.ndarray:
        links = coverage.links_within(demand_xy, supply_xy, REACH_M)
        return accessibility.two_stage_fca(links, people, capacity)

    def pysal() -> pd.Series:
        model = Access(
            demand_df=demand, demand_value="people", supply_df=supply, supply_value="supply"
        )
        model.create_euclidean_distance(threshold=REACH_M * 1.001)
        scores: pd.Series = model.two_stage_fca(max_cost=REACH_M).iloc[:, 0]
        return scores

    ours_s, scores = _timed(ours)
    pysal_s, theirs = _timed(pysal)
    print(
        f"  2SFCA from the points, on a 60 x 60 km subset: {len(demand_xy):,} demand points, "
        f"{len(supply_xy):,} assets"
    )
    print(f"    service (pairs + scores)   {ours_s * 1000:8.2f} ms")
    print(f"    PySAL access (euclidean + two_stage_fca) {pysal_s * 1000:8.1f} ms")
    agree = _agree(scores, theirs)
    print(f"    PySAL / service = {pysal_s / ours_s:.0f}x  (target >= 10); agree: {agree}")


if __name__ == "__main__":
    main()
