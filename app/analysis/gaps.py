"""The gap analysis and "where next", as the API and the CLI ask for them.

`analyse_gaps` answers "which of these neighbourhoods lack a matching asset within reach,
how many people live there and how deprived are they"; `suggest_sites` answers "where would
k more help most". Both read their inputs once (`inputs`) and compute with arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.spatial import cKDTree
from sqlalchemy.orm import Session

from app.analysis import accessibility, catchments, costs, coverage, priority, siting
from app.analysis.catchments import Catchment
from app.analysis.costs import CostRows, TravelTimes
from app.analysis.gap_method import described
from app.analysis.inputs import (
    EVERYWHERE_M,
    Areas,
    DemandPoints,
    Sites,
    Supply,
    candidate_sites,
    demand_points,
    load_areas,
    load_supply,
    to_lonlat,
    widest_reach_m,
)
from app.analysis.question import GapQuestion, Weight
from app.errors import invalid
from app.i18n import said
from app.settings import AnalysisSettings


@dataclass(frozen=True)
class GapReport:
    """The answer: `method` (how it was computed), `summary`, and `areas` in rank order.
    `area_ids` maps each area code to its row id, for writers that fetch polygons."""

    method: dict[str, Any]
    summary: dict[str, Any]
    areas: list[dict[str, Any]]
    area_ids: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        return {"method": self.method, "summary": self.summary, "areas": self.areas}


@dataclass(frozen=True)
class TravelAsked:
    """An analyst's travel times (`costs`): the cost matrix's rows and the catchment in
    minutes, for every asset alike."""

    rows: CostRows
    threshold_minutes: float

    def check(self, question: GapQuestion, settings: AnalysisSettings) -> None:
        """A 422 naming what travel times cannot be asked with."""
        high = settings.threshold_max_minutes
        if not (math.isfinite(self.threshold_minutes) and 0 < self.threshold_minutes <= high):
            raise invalid(
                "threshold_minutes",
                said("must be more than 0 and at most {high}", high=f"{high:g}"),
            )
        if question.demand != "centroid":
            raise invalid(
                "demand", "travel times are from areas (the matrix's origins): ask centroid"
            )
        if question.decay != "none":
            raise invalid("decay", "travel times have no 2SFCA decay: ask method=e2sfca")


@dataclass(frozen=True)
class _Inputs:
    areas: Areas
    points: DemandPoints
    supply: Supply
    nearest_m: NDArray[np.float64]
    catchment: Catchment
    times: TravelTimes | None


def _read(
    session: Session,
    question: GapQuestion,
    settings: AnalysisSettings,
    travel: TravelAsked | None,
) -> _Inputs:
    question.check(settings)
    if travel is not None:
        travel.check(question, settings)
    srid = settings.projected_srid
    areas = load_areas(session, question.within, question.level, srid)
    points = demand_points(session, areas, question.demand, srid)
    if travel is not None:
        named = costs.named(session, travel.rows, areas)
        supply = load_supply(session, question.match, srid, ids=named.assets())
        margin = question.distance_m
        near = load_supply(session, question.match, srid, around=(points.xy, margin))
        nearest = _nearest_m(session, question, srid, points.xy, near, margin)
        times = costs.resolve(session, travel.rows, areas, supply, named)
        catchment = catchments.travel_times(times, travel.threshold_minutes)
        return _Inputs(areas, points, supply, nearest, catchment, times)
    stretch = catchments.SELECTION_REACH if question.method == "3sfca" else 1.0
    margin = stretch * max(question.distance_m, widest_reach_m(session))
    near = load_supply(session, question.match, srid, around=(points.xy, margin))
    nearest = _nearest_m(session, question, srid, points.xy, near, margin)
    supply = _reaching(near, points.xy, question.distance_m, stretch)
    reach = catchments.asset_reach_m(supply.reach_m, question.distance_m)
    try:
        catchment = catchments.straight_line(
            points.xy, supply.xy, reach, settings.max_links, question.method == "3sfca"
        )
    except coverage.TooManyLinks as too_many:
        raise _too_many(too_many, question.distance_m) from too_many
    return _Inputs(areas, points, supply, nearest, catchment, None)


def _reaching(
    near: Supply, points_xy: NDArray[np.float64], distance_m: float, stretch: float
) -> Supply:
    """The assets of `near` whose catchment (times `stretch`, 3SFCA's selection reach)
    reaches a demand point: all an analysis by straight lines counts. A hair over the
    catchment is kept, so one on its edge is judged by the catchment's own test."""
    if len(near) == 0:
        return near
    closest, _ = cKDTree(points_xy).query(near.xy, k=1)
    catchment = catchments.asset_reach_m(near.reach_m, distance_m) * stretch
    return near.where(closest <= catchment * (1 + 1e-9) + 1e-6)


def _nearest_m(
    session: Session,
    question: GapQuestion,
    srid: int,
    points_xy: NDArray[np.float64],
    near: Supply,
    margin: float,
) -> NDArray[np.float64]:
    """Each demand point's distance to its nearest matching asset, wherever that lies.
    `near` holds every matching asset within `margin` (positive) of each point, so a
    distance no more than the margin is exact; for points whose nearest is further off,
    the assets are read again with a margin eight times wider, to every one at last."""
    nearest = coverage.nearest_m(points_xy, near.xy)
    while margin < EVERYWHERE_M and bool((nearest > margin).any()):
        margin *= 8
        wider = load_supply(session, question.match, srid, around=(points_xy, margin))
        nearest = coverage.nearest_m(points_xy, wider.xy)
    return nearest


def analyse_gaps(
    session: Session,
    question: GapQuestion,
    settings: AnalysisSettings,
    travel: TravelAsked | None = None,
) -> GapReport:
    """Coverage, accessibility (2SFCA, and the score of `question.method`), need and
    priority for each analysed area; by straight-line metres, or by `travel` times."""
    read = _read(session, question, settings, travel)
    areas, points, supply, within = read.areas, read.points, read.supply, read.catchment.within
    decay = (
        accessibility.gaussian(question.decay_sigma_m)
        if question.decay == "gaussian"
        else accessibility.no_decay
    )
    point_2sfca = catchments.scores(read.catchment, "2sfca", points.people, supply.capacity, decay)
    point_access = (
        point_2sfca
        if question.method == "2sfca"
        else catchments.scores(
            read.catchment, question.method, points.people, supply.capacity, decay
        )
    )

    n = len(areas)
    point_covered = np.bincount(within.origin, minlength=len(points)) > 0
    points_in = np.bincount(points.area, minlength=n)
    people_covered = np.bincount(points.area, weights=points.people * point_covered, minlength=n)
    covered = np.bincount(points.area, weights=~point_covered, minlength=n) == 0
    # the farthest of an area's demand points from its nearest asset: everyone in the area
    # has one within nearest_m
    nearest = np.full(n, -np.inf)
    np.maximum.at(nearest, points.area, read.nearest_m)
    nearest_minutes = np.full(n, np.nan)
    if read.times is not None:
        # demand points are the areas themselves: the quickest matching asset of each
        quickest = np.full(len(points), np.inf)
        np.minimum.at(quickest, read.times.area, read.times.minutes)
        nearest_minutes = np.where(np.isfinite(quickest), quickest, np.nan)
    access_2sfca = np.bincount(points.area, weights=point_2sfca, minlength=n) / points_in
    access = np.bincount(points.area, weights=point_access, minlength=n) / points_in
    # distinct assets within reach of any of an area's demand points
    pairs = np.unique(
        points.area[within.origin].astype(np.int64) * len(supply) + within.destination
    )
    count_within = np.bincount(pairs // max(len(supply), 1), minlength=n)
    # people_covered is a sum of shares: clip the rounding error of a fully covered area
    uncovered = np.clip(areas.population - people_covered, 0.0, None)
    uncovered[covered] = 0.0
    need = priority.need(areas.imd_decile)
    area_priority = need * uncovered
    ranks = priority.rank(covered, area_priority, access)
    reachable_supply = float(supply.capacity[np.unique(within.destination)].sum())

    known = areas.population_known
    with np.errstate(divide="ignore", invalid="ignore"):
        per_1000 = count_within / areas.population * 1000
    order = np.argsort(ranks)
    columns: dict[str, list[Any]] = {
        "code": [areas.codes[i] for i in order],
        "name": [areas.names[i] for i in order],
        "population": _values(np.where(known, areas.population, np.nan)[order], 0),
        "imd_score": _values(areas.imd_score[order]),
        "imd_decile": _values(np.where(areas.imd_decile > 0, areas.imd_decile, np.nan)[order], 0),
        "nearest_m": _values(nearest[order], 2),
        "nearest_minutes": _values(nearest_minutes[order], 2),
        "count_within": count_within[order].tolist(),
        "per_1000": _values(np.where(areas.population > 0, per_1000, np.nan)[order], 4),
        "covered": covered[order].tolist(),
        "population_covered": _values(np.where(known, people_covered, np.nan)[order], 2),
        "access_2sfca": _values(access_2sfca[order]),
        "access": _values(access[order]),
        "need": _values(need[order], 4),
        "priority": _values(area_priority[order], 2),
        "rank": ranks[order].tolist(),
        "demand_points": points_in[order].tolist(),
    }
    rows = [
        dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)
    ]
    total = float(areas.population.sum())
    by_decile = {
        str(decile): _people(uncovered[areas.imd_decile == decile].sum()) for decile in range(1, 11)
    }
    summary = {
        "areas": n,
        "areas_covered": int(covered.sum()),
        "population_total": _people(total),
        "population_covered": _people(people_covered.sum()),
        "population_uncovered": _people(uncovered.sum()),
        "share_covered": round(float(people_covered.sum()) / total, 6) if total else None,
        "uncovered_by_imd_decile": by_decile,
        "uncovered_without_imd_decile": _people(uncovered[areas.imd_decile == 0].sum()),
        "assets": len(supply),
        "reachable_supply": reachable_supply,
    }
    return GapReport(
        described(question, settings, read.areas, read.points, read.supply, read.times, travel),
        summary,
        rows,
        dict(zip(areas.codes, areas.ids.tolist(), strict=True)),
    )


def suggest_sites(
    session: Session,
    question: GapQuestion,
    k: int,
    candidates: Literal["areas"] | list[tuple[float, float]],
    weight: Weight,
    settings: AnalysisSettings,
    extent: tuple[float, float, float, float] | None = None,
    travel: TravelAsked | None = None,
) -> dict[str, Any]:
    """The k sites (from the areas' demand points, or the lon/lat points given, which must
    lie inside `extent`) that would newly bring the most people (or need-weighted people)
    within reach of a matching asset, the existing ones counting as open. With `travel`,
    the candidates are the analysed areas the matrix gives times to (as destinations), and
    reach is those times within the threshold."""
    if not 1 <= k <= settings.max_sites:
        raise invalid("k", said("must be between 1 and {max_sites}", max_sites=settings.max_sites))
    if candidates != "areas":
        if travel is not None:
            raise invalid(
                "candidates", "with travel times, candidates are the areas the matrix gives"
            )
        _check_candidates(candidates, extent)
    read = _read(session, question, settings, travel)
    areas, points = read.areas, read.points
    if travel is not None and read.times is not None:
        sites, reach = _travel_sites(read.times, areas, travel.threshold_minutes)
    else:
        sites = (
            Sites(points.xy, points.area)
            if candidates == "areas"
            else candidate_sites(session, areas, candidates, settings.projected_srid)
        )
        links = _links(sites.xy, points.xy, question.distance_m, settings)
        reach = sparse.csr_array(
            (np.ones(len(links.origin)), (links.origin, links.destination)),
            shape=(len(sites), len(points)),
        )
    if k > len(sites):
        raise invalid(
            "k", said("must be at most the number of candidate sites ({n})", n=len(sites))
        )
    need = priority.need(areas.imd_decile)[points.area]
    people = points.people * (need if weight == "need" else 1)
    covered_before = np.bincount(read.catchment.within.origin, minlength=len(points)) > 0
    limits = siting.ExactLimits(
        settings.exact_max_candidates, settings.exact_max_links, settings.exact_time_limit_s
    )
    chosen = siting.maximal_covering(reach, people, covered_before, k, limits)

    def codes(point_indices: NDArray[np.intp]) -> list[str]:
        return [areas.codes[i] for i in np.unique(points.area[point_indices])]

    lonlat = (
        to_lonlat(session, sites.xy[chosen.sites], settings.projected_srid)
        if candidates == "areas"
        else np.array(candidates, dtype=np.float64)[chosen.sites]
    )
    found = []
    for number, (site, gain, newly) in enumerate(
        zip(chosen.sites, chosen.gains, chosen.newly_covered, strict=True)
    ):
        found.append(
            {
                "lon": round(float(lonlat[number, 0]), 7),
                "lat": round(float(lonlat[number, 1]), 7),
                "area_code": areas.codes[sites.area[site]] if sites.area[site] >= 0 else None,
                "newly_covered": _people(gain),
                "newly_covered_people": _people(points.people[newly].sum()),
                "areas": codes(reach[[site]].indices.astype(np.intp)),
                "newly_covered_areas": codes(newly),
            }
        )
    before = float(people[covered_before].sum())
    newly_total = float(sum(chosen.gains))
    people_before = float(points.people[covered_before].sum())
    people_newly = float(sum(points.people[newly].sum() for newly in chosen.newly_covered))
    method = described(
        question, settings, read.areas, read.points, read.supply, read.times, travel
    ) | {
        "k": k,
        "candidates": "areas' demand points" if candidates == "areas" else "given points",
        "candidate_count": len(sites),
        "weight": weight,
        "weight_method": (
            "newly_covered, covered_before and covered_after count people"
            if weight == "population"
            else "newly_covered, covered_before and covered_after count need-weighted people "
            "(" + priority.NEED_METHOD + "); the people fields count heads"
        ),
        "solver": chosen.reason,
        "sites_order": (
            "sites are listed by what each adds: newly_covered counts people not already in "
            "reach of an existing asset or of a site listed before it; a site that adds "
            "nobody is left out, so fewer than k may be listed"
        ),
    }
    return {
        "solver": chosen.solver,
        "sites": found,
        "newly_covered": _people(newly_total),
        "covered_before": _people(before),
        "covered_after": _people(before + newly_total),
        "total": _people(float(people.sum())),
        "people": {
            "newly_covered": _people(people_newly),
            "covered_before": _people(people_before),
            "covered_after": _people(people_before + people_newly),
            "total": _people(float(points.people.sum())),
        },
        "method": method,
    }


def _travel_sites(
    times: TravelTimes, areas: Areas, threshold_minutes: float
) -> tuple[Sites, sparse.csr_array]:
    """The candidate areas the matrix gives times to (at their centroids), and which areas
    each reaches within the threshold; a 422 naming `costs` when it gives none."""
    site_areas = np.unique(times.site_area)
    if len(site_areas) == 0:
        raise invalid(
            "costs",
            "where next with travel times needs candidate sites: rows whose destination is "
            "an analysed area's code",
        )
    within = times.site_minutes <= threshold_minutes
    site = np.searchsorted(site_areas, times.site_area[within])
    reach = sparse.csr_array(
        (np.ones(len(site)), (site, times.site_origin[within])),
        shape=(len(site_areas), len(areas)),
    )
    return Sites(areas.centroid_xy[site_areas], site_areas.astype(np.intp)), reach


def _links(
    origin_xy: NDArray[np.float64],
    destination_xy: NDArray[np.float64],
    reach_m: float,
    settings: AnalysisSettings,
) -> coverage.Links:
    """The pairs within reach, or a 422 naming distance_m when there are too many to hold."""
    try:
        return coverage.links_within(origin_xy, destination_xy, reach_m, settings.max_links)
    except coverage.TooManyLinks as too_many:
        raise _too_many(too_many, reach_m) from too_many


def _too_many(too_many: coverage.TooManyLinks, reach_m: float) -> Exception:
    return invalid(
        "distance_m",
        f"{too_many.count:,} pairs of points lie within reach ({reach_m:g} m, or assets' "
        f"reach_m), over the {too_many.limit:,} one analysis may hold: ask for a shorter "
        "distance, fewer areas (within), or fewer candidates",
    )


def _check_candidates(
    candidates: list[tuple[float, float]], extent: tuple[float, float, float, float] | None
) -> None:
    """A 422 naming the first candidate that is not a lon/lat inside `extent`."""
    minlon, minlat, maxlon, maxlat = extent or (-180.0, -90.0, 180.0, 90.0)
    for index, (lon, lat) in enumerate(candidates):
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise invalid(f"candidates.{index}", "must be finite numbers")
        if not (minlon <= lon <= maxlon and minlat <= lat <= maxlat):
            raise invalid(
                f"candidates.{index}",
                said("[{lon}, {lat}] lies outside the service extent", lon=lon, lat=lat),
            )


def _values(values: NDArray[Any], decimals: int | None = None) -> list[float | int | None]:
    """An array as JSON values: rounded to `decimals` (whole numbers as ints), NaN and
    infinity as None."""
    if decimals is not None:
        values = np.round(values, decimals)
    return [
        None if not math.isfinite(v) else int(v) if decimals is not None and v.is_integer() else v
        for v in values.astype(np.float64).tolist()
    ]


def _people(value: float) -> float | int:
    """A head count: whole when it is whole, else to 2 decimals (shares of an area)."""
    rounded = round(float(value), 2)
    return int(rounded) if rounded.is_integer() else rounded
