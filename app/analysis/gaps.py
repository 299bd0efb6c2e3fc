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
from sqlalchemy.orm import Session

from app.analysis import accessibility, coverage, priority, siting
from app.analysis.inputs import (
    Areas,
    DemandPoints,
    Sites,
    Supply,
    candidate_sites,
    demand_points,
    load_areas,
    load_supply,
    to_lonlat,
)
from app.analysis.question import GapQuestion, Weight
from app.errors import invalid
from app.settings import AnalysisSettings

DEMAND_METHODS = {
    "centroid": "one demand point per area: its centroid, computed in the projected CRS",
    "postcodes": (
        "the postcode points inside each area, sharing its population equally (an area "
        "with no postcode falls back to its centroid). Per area, nearest_m is the farthest "
        "of its points from its nearest asset, so covered (nearest_m <= distance_m) means "
        "all its points are in reach, population_covered counts the shares of those that "
        "are, count_within counts assets in reach of any of its points, and access_2sfca "
        "is the mean of its points' scores"
    ),
}


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
class _Inputs:
    areas: Areas
    points: DemandPoints
    supply: Supply
    nearest_m: NDArray[np.float64]


def _read(session: Session, question: GapQuestion, settings: AnalysisSettings) -> _Inputs:
    question.check(settings)
    srid = settings.projected_srid
    areas = load_areas(session, question.within, question.level, srid)
    supply = load_supply(session, question.match, srid)
    points = demand_points(session, areas, question.demand, srid)
    return _Inputs(areas, points, supply, coverage.nearest_m(points.xy, supply.xy))


def analyse_gaps(session: Session, question: GapQuestion, settings: AnalysisSettings) -> GapReport:
    """Coverage, 2SFCA accessibility, need and priority for each analysed area."""
    read = _read(session, question, settings)
    areas, points, supply = read.areas, read.points, read.supply
    reach_m = question.distance_m
    links = _links(points.xy, supply.xy, reach_m, settings)
    decay = (
        accessibility.gaussian(question.decay_sigma_m)
        if question.decay == "gaussian"
        else accessibility.no_decay
    )
    point_access = accessibility.two_stage_fca(links, points.people, supply.capacity, decay)

    n = len(areas)
    point_covered = read.nearest_m <= reach_m
    points_in = np.bincount(points.area, minlength=n)
    people_covered = np.bincount(points.area, weights=points.people * point_covered, minlength=n)
    covered = np.bincount(points.area, weights=~point_covered, minlength=n) == 0
    # the farthest of an area's demand points from its nearest asset: everyone in the area
    # has one within nearest_m, so covered is nearest_m <= distance_m
    nearest = np.full(n, -np.inf)
    np.maximum.at(nearest, points.area, read.nearest_m)
    access = np.bincount(points.area, weights=point_access, minlength=n) / points_in
    # distinct assets within reach of any of an area's demand points
    pairs = np.unique(points.area[links.origin].astype(np.int64) * len(supply) + links.destination)
    count_within = np.bincount(pairs // max(len(supply), 1), minlength=n)
    # people_covered is a sum of shares: clip the rounding error of a fully covered area
    uncovered = np.clip(areas.population - people_covered, 0.0, None)
    uncovered[covered] = 0.0
    need = priority.need(areas.imd_decile)
    area_priority = need * uncovered
    ranks = priority.rank(covered, area_priority, access)
    reachable_supply = float(supply.capacity[np.unique(links.destination)].sum())

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
        "count_within": count_within[order].tolist(),
        "per_1000": _values(np.where(areas.population > 0, per_1000, np.nan)[order], 4),
        "covered": covered[order].tolist(),
        "population_covered": _values(np.where(known, people_covered, np.nan)[order], 2),
        "access_2sfca": _values(access[order]),
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
        _method(question, settings, read),
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
) -> dict[str, Any]:
    """The k sites (from the areas' demand points, or the lon/lat points given, which must
    lie inside `extent`) that would newly bring the most people (or need-weighted people)
    within reach of a matching asset, the existing ones counting as open."""
    if not 1 <= k <= settings.max_sites:
        raise invalid("k", f"must be between 1 and {settings.max_sites}")
    if candidates != "areas":
        _check_candidates(candidates, extent)
    read = _read(session, question, settings)
    areas, points = read.areas, read.points
    sites = (
        Sites(points.xy, points.area)
        if candidates == "areas"
        else candidate_sites(session, areas, candidates, settings.projected_srid)
    )
    if k > len(sites):
        raise invalid("k", f"must be at most the number of candidate sites ({len(sites)})")
    need = priority.need(areas.imd_decile)[points.area]
    people = points.people * (need if weight == "need" else 1)
    covered_before = read.nearest_m <= question.distance_m
    links = _links(sites.xy, points.xy, question.distance_m, settings)
    reach = sparse.csr_array(
        (np.ones(len(links.origin)), (links.origin, links.destination)),
        shape=(len(sites), len(points)),
    )
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
    method = _method(question, settings, read) | {
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
        raise invalid(
            "distance_m",
            f"{too_many.count:,} pairs of points lie within {reach_m:g} m, over the "
            f"{too_many.limit:,} one analysis may hold: ask for a shorter distance, fewer "
            "areas (within), or fewer candidates",
        ) from too_many


def _check_candidates(
    candidates: list[tuple[float, float]], extent: tuple[float, float, float, float] | None
) -> None:
    """A 422 naming the first candidate that is not a lon/lat inside `extent`."""
    minlon, minlat, maxlon, maxlat = extent or (-180.0, -90.0, 180.0, 90.0)
    for index, (lon, lat) in enumerate(candidates):
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise invalid(f"candidates.{index}", "must be finite numbers")
        if not (minlon <= lon <= maxlon and minlat <= lat <= maxlat):
            raise invalid(f"candidates.{index}", f"[{lon}, {lat}] lies outside the service extent")


def _method(question: GapQuestion, settings: AnalysisSettings, read: _Inputs) -> dict[str, Any]:
    match = question.match
    decay: dict[str, Any] = {"decay": question.decay}
    if question.decay == "gaussian":
        decay |= {
            "sigma_m": question.decay_sigma_m,
            "weight": "exp(-d^2 / (2 sigma^2)), as PySAL access.weights.gaussian",
        }
    return {
        "areas": {"within": question.within, "level": question.level, "count": len(read.areas)},
        "assets": {
            "kind": match.kind,
            "category": match.category,
            "outcome": match.outcome,
            "counted": "published, publicly visible assets at their public points",
            "count": len(read.supply),
        },
        "demand": question.demand,
        "demand_method": DEMAND_METHODS[question.demand],
        "demand_points": len(read.points),
        "distance": (
            f"straight line in EPSG:{settings.projected_srid}, in metres; covered means the "
            "nearest matching asset is at most distance_m away"
        ),
        "projected_crs": f"EPSG:{settings.projected_srid}",
        "distance_m": question.distance_m,
        "two_step_fca": {
            "supply": "1 per asset, or its capacity when set",
            "demand": "population",
            "catchment_m": question.distance_m,
            **decay,
            "score": "supply per person (Luo and Wang 2003), as PySAL access two_stage_fca",
        },
        "need": priority.NEED_METHOD,
        "priority": priority.PRIORITY_METHOD,
    }


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
