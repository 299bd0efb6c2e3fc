"""How a gap analysis was computed, in words and figures: the `method` of its answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from app.analysis import accessibility, priority
from app.analysis.costs import TravelTimes
from app.analysis.inputs import Areas, DemandPoints, Supply
from app.analysis.question import GapQuestion
from app.settings import AnalysisSettings

if TYPE_CHECKING:
    from app.analysis.gaps import TravelAsked

DEMAND_METHODS = {
    "centroid": "one demand point per area: its centroid, computed in the projected CRS",
    "postcodes": (
        "the postcode points inside each area, sharing its population equally (an area "
        "with no postcode falls back to its centroid). Per area, nearest_m is the farthest "
        "of its points from its nearest asset, covered means all its points are in reach, "
        "population_covered counts the shares of those that are, count_within counts "
        "assets in reach of any of its points, and access_2sfca and access are the means "
        "of its points' scores"
    ),
}
ACCESS_METHODS = {
    "2sfca": "two-step floating catchment (Luo and Wang 2003), as PySAL access two_stage_fca",
    "e2sfca": (
        "enhanced 2SFCA (Luo and Qi 2009), as PySAL access enhanced_two_stage_fca with its "
        "default weights"
    ),
    "3sfca": (
        "three-step floating catchment (Wan, Zou and Sternberg 2012), as PySAL access "
        "three_stage_fca with its default weights: each area's people are shared among the "
        "assets it could choose, by selection weight G = W / (sum of W over every matching "
        "asset it has a cost to)"
    ),
}


def described(
    question: GapQuestion,
    settings: AnalysisSettings,
    areas: Areas,
    points: DemandPoints,
    supply: Supply,
    times: TravelTimes | None,
    travel: TravelAsked | None,
) -> dict[str, Any]:
    """The `method` member of a gap analysis' answer."""
    match = question.match
    decay: dict[str, Any] = {"decay": question.decay}
    if question.decay == "gaussian":
        decay |= {
            "sigma_m": question.decay_sigma_m,
            "weight": "exp(-d^2 / (2 sigma^2)), as PySAL access.weights.gaussian",
        }
    own_reach = int((np.isfinite(supply.reach_m) & (supply.reach_m > 0)).sum())
    if travel is None or times is None:
        reach: dict[str, Any] = {
            "distance": (
                f"straight line in EPSG:{settings.projected_srid}, in metres; an asset's "
                "catchment is its reach_m where set, else distance_m; covered means within "
                "some matching asset's catchment"
            ),
            "distance_m": question.distance_m,
            "assets_with_own_reach_m": own_reach,
        }
        bands = (
            "metres on PySAL's minute bands: 30 x metres / the asset's catchment, so the "
            "bands end at a third, two thirds and all of it (3SFCA's last at twice it)"
        )
        catchment: dict[str, Any] = {"catchment_m": question.distance_m}
    else:
        reach = {
            "distance": (
                "travel times from the cost matrix given, in minutes; a pair it does not give "
                "is not reachable; covered means some matching asset is at most "
                "threshold_minutes away (reach_m does not apply)"
            ),
            "threshold_minutes": travel.threshold_minutes,
            "travel_times": {"format": travel.rows.format, **times.counts},
        }
        bands = "minutes, PySAL's bands as they are"
        catchment = {"catchment_minutes": travel.threshold_minutes}
    chosen: dict[str, Any] = {
        "method": question.method,
        "score": ACCESS_METHODS[question.method],
        "field": "access (access_2sfca is 2SFCA's, whatever the method)",
    }
    if question.method == "e2sfca":
        chosen |= {"bands": _bands(accessibility.ENHANCED_BANDS), "band_cost": bands}
    elif question.method == "3sfca":
        chosen |= {"bands": _bands(accessibility.THREE_STAGE_BANDS), "band_cost": bands}
    return {
        "areas": {"within": question.within, "level": question.level, "count": len(areas)},
        "assets": {
            "kind": match.kind,
            "category": match.category,
            "outcome": match.outcome,
            "counted": (
                "published, publicly visible assets at their public points that can serve "
                "the analysed areas: by straight line, those whose catchment reaches one of "
                "their demand points; by travel times, those the matrix gives times to. "
                "nearest_m is to the nearest matching asset wherever it lies"
            ),
            "count": len(supply),
        },
        "demand": question.demand,
        "demand_method": DEMAND_METHODS[question.demand],
        "demand_points": len(points),
        **reach,
        "projected_crs": f"EPSG:{settings.projected_srid}",
        "two_step_fca": {
            "supply": "1 per asset, or its capacity when set",
            "demand": "population",
            **catchment,
            **decay,
            "score": "supply per person (Luo and Wang 2003), as PySAL access two_stage_fca",
        },
        "accessibility": chosen,
        "need": priority.NEED_METHOD,
        "priority": priority.PRIORITY_METHOD,
    }


def _bands(bands: Mapping[float, float]) -> list[dict[str, float]]:
    """Bands as [{"up_to": 10, "weight": 1}, ...]: weight 0 beyond the last."""
    return [{"up_to": edge, "weight": bands[edge]} for edge in sorted(bands)]
