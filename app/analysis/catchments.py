"""Who is within reach of which asset, and the accessibility scores on it.

Two measures of reach:
- straight-line metres (the default): a demand point is within an asset's catchment when it
  is no further than the asset's `reach_m`, where set, else the question's `distance_m`.
  Enhanced 2SFCA and 3SFCA bands are put on each catchment as PySAL's are on 30 minutes:
  a pair's band cost is 30 x metres / the asset's catchment, so the bands end at a third, two
  thirds and all of it (and 3SFCA's last, selection-only band at twice it);
- an analyst's travel times (minutes, `costs`): a demand point is within an asset's
  catchment when the matrix gives a time at most `threshold_minutes`; the bands are PySAL's
  minutes as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from app.analysis import accessibility
from app.analysis.accessibility import Decay
from app.analysis.costs import TravelTimes
from app.analysis.coverage import links_within
from app.analysis.question import AccessMethod

Unit = Literal["metres", "minutes"]
# 3SFCA's last band ends at twice the span of the others: selection weights reach that far.
SELECTION_REACH = max(accessibility.THREE_STAGE_BANDS) / accessibility.BAND_SPAN


@dataclass(frozen=True)
class Pairs:
    """Pairs of a demand point (`origin`) and an asset (`destination`), by index, with the
    cost between them (metres or minutes) and that cost on PySAL's minute bands."""

    origin: NDArray[np.intp]
    destination: NDArray[np.intp]
    cost: NDArray[np.float64]
    band: NDArray[np.float64]

    def where(self, keep: NDArray[np.bool_]) -> Pairs:
        return Pairs(self.origin[keep], self.destination[keep], self.cost[keep], self.band[keep])


@dataclass(frozen=True)
class Catchment:
    """The pairs `within` each asset's catchment and, for 3SFCA, `selection`: every pair
    a demand point may choose among (inside the catchment or beyond it, as far as a band
    weight reaches)."""

    unit: Unit
    within: Pairs
    selection: Pairs | None


def asset_reach_m(reach_m: NDArray[np.float64], distance_m: float) -> NDArray[np.float64]:
    """Each asset's catchment in metres: its `reach_m` where set (and positive), else the
    question's `distance_m`."""
    return np.where(np.isfinite(reach_m) & (reach_m > 0), reach_m, distance_m)


def straight_line(
    points_xy: NDArray[np.float64],
    supply_xy: NDArray[np.float64],
    catchment_m: NDArray[np.float64],
    max_links: int,
    selection: bool,
) -> Catchment:
    """The pairs within each asset's catchment (`catchment_m`, one per asset), found per
    distinct catchment; with `selection`, also those up to SELECTION_REACH times it.
    Raises coverage.TooManyLinks past `max_links` pairs."""
    stretch = SELECTION_REACH if selection else 1.0
    parts: list[Pairs] = []
    held = 0
    for radius in np.unique(catchment_m):
        group = np.flatnonzero(catchment_m == radius)
        links = links_within(points_xy, supply_xy[group], radius * stretch, max_links - held)
        held += len(links.origin)
        band = links.distance_m * (accessibility.BAND_SPAN / radius)
        parts.append(Pairs(links.origin, group[links.destination], links.distance_m, band))
    every = _joined(parts)
    within = every.where(every.cost <= catchment_m[every.destination])
    return Catchment("metres", within, every if selection else None)


def travel_times(times: TravelTimes, threshold_minutes: float) -> Catchment:
    """The matrix's pairs at most `threshold_minutes` apart; all of them for selection."""
    every = Pairs(times.area, times.asset, times.minutes, times.minutes)
    return Catchment("minutes", every.where(times.minutes <= threshold_minutes), every)


def scores(
    catchment: Catchment,
    method: AccessMethod,
    people: NDArray[np.float64],
    capacity: NDArray[np.float64],
    decay: Decay,
) -> NDArray[np.float64]:
    """Each demand point's score by `method` (supply per person): 2SFCA weighted by `decay`
    of the cost, enhanced 2SFCA and 3SFCA by their bands (see `accessibility`)."""
    within = catchment.within
    if method == "2sfca":
        weight = decay(within.cost)
    elif method == "e2sfca":
        weight = accessibility.steps(accessibility.ENHANCED_BANDS)(within.band)
    else:
        chosen = catchment.selection
        if chosen is None:
            raise ValueError("3SFCA needs the catchment's selection pairs")
        bands = accessibility.steps(accessibility.THREE_STAGE_BANDS)
        own = bands(within.band)
        share = accessibility.selection_weights(
            within.origin, own, chosen.origin, bands(chosen.band), len(people)
        )
        weight = own * share
    return accessibility.weighted_fca(within.origin, within.destination, weight, people, capacity)


def _joined(parts: list[Pairs]) -> Pairs:
    if not parts:
        empty = np.empty(0, dtype=np.intp)
        return Pairs(empty, empty, np.empty(0), np.empty(0))
    return Pairs(
        np.concatenate([p.origin for p in parts]).astype(np.intp),
        np.concatenate([p.destination for p in parts]).astype(np.intp),
        np.concatenate([p.cost for p in parts]),
        np.concatenate([p.band for p in parts]),
    )
