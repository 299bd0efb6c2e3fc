"""Accessibility: floating catchment area scores, as PySAL `access` defines them.

2SFCA (Luo and Wang 2003; `Access.two_stage_fca`): step 1 divides each asset's supply (1, or
its capacity) by the demand in its catchment, the people at each demand point in reach
weighted by distance decay; step 2 sums, at each demand point, the ratios of the assets in
its reach, weighted the same way. The score is supply per person; population x score summed
over all demand points equals the supply of every asset that has someone in reach.

Enhanced 2SFCA (Luo and Qi 2009; `Access.enhanced_two_stage_fca`) is 2SFCA with stepped
weights by travel band: PySAL's default `weights.step_fn({10: 1, 20: 0.68, 30: 0.22})`.

3SFCA (Wan, Zou and Sternberg 2012; `Access.three_stage_fca`) adds selection weights: each
demand point's people are shared among the assets it could choose, G = W / (sum of W over
every asset the costs give it, inside or beyond the catchment), with W PySAL's default
`weights.step_fn({10: 0.962, 20: 0.704, 30: 0.377, 60: 0.042})`; both steps weight by
W x G.

Band costs are minutes, as PySAL's; `catchments` says how straight-line metres are put on
them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from numpy.typing import NDArray

from app.analysis.coverage import Links

Decay = Callable[[NDArray[np.float64]], NDArray[np.float64]]

# Upper band edge (minutes, inclusive) -> weight; 0 beyond the last, as PySAL's step_fn.
ENHANCED_BANDS: Mapping[float, float] = {10.0: 1.0, 20.0: 0.68, 30.0: 0.22}
THREE_STAGE_BANDS: Mapping[float, float] = {10.0: 0.962, 20.0: 0.704, 30.0: 0.377, 60.0: 0.042}
# Where the bands end: a 3SFCA's selection weights need the pairs up to it.
BAND_SPAN = 30.0


def no_decay(distance_m: NDArray[np.float64]) -> NDArray[np.float64]:
    """Everyone within the catchment counts fully (the classic binary 2SFCA)."""
    return np.ones_like(distance_m)


def gaussian(sigma_m: float) -> Decay:
    """exp(-d^2 / (2 sigma^2)): 1 at the asset's door, 0.61 at sigma metres, as PySAL's
    `access.weights.gaussian` (unnormalised)."""
    if not sigma_m > 0:
        raise ValueError("sigma_m must be positive")

    def weight(distance_m: NDArray[np.float64]) -> NDArray[np.float64]:
        scaled = distance_m / sigma_m
        return np.exp(-0.5 * scaled * scaled)

    return weight


def steps(bands: Mapping[float, float]) -> Decay:
    """PySAL's `weights.step_fn`: the weight of the first band whose upper edge is at or
    above the cost, 0 beyond the last."""
    edges = np.array(sorted(bands), dtype=np.float64)
    values = np.append(np.array([bands[edge] for edge in edges], dtype=np.float64), 0.0)

    def weight(cost: NDArray[np.float64]) -> NDArray[np.float64]:
        result: NDArray[np.float64] = values[np.searchsorted(edges, cost, side="left")]
        return result

    return weight


def two_stage_fca(
    links: Links,
    people: NDArray[np.float64],
    capacity: NDArray[np.float64],
    decay: Decay = no_decay,
) -> NDArray[np.float64]:
    """The 2SFCA score of each demand point (supply per person; 0 with nothing in reach).

    `links` are the pairs within the catchment, from demand points (origins) to assets
    (destinations); `people` is the population at each demand point, `capacity` the supply
    of each asset."""
    return weighted_fca(links.origin, links.destination, decay(links.distance_m), people, capacity)


def weighted_fca(
    origin: NDArray[np.intp],
    destination: NDArray[np.intp],
    weight: NDArray[np.float64],
    people: NDArray[np.float64],
    capacity: NDArray[np.float64],
) -> NDArray[np.float64]:
    """The two steps on pairs within the catchment (demand point `origin`, asset
    `destination`), each pair weighted by `weight`: supply per person at each demand point,
    0 where no asset with weight is in reach."""
    demand_at_asset = np.bincount(
        destination, weights=weight * people[origin], minlength=len(capacity)
    )
    ratio = np.divide(
        capacity, demand_at_asset, out=np.zeros(len(capacity)), where=demand_at_asset > 0
    )
    score = np.bincount(origin, weights=weight * ratio[destination], minlength=len(people))
    return score.astype(np.float64)


def selection_weights(
    origin: NDArray[np.intp],
    weight: NDArray[np.float64],
    every_origin: NDArray[np.intp],
    every_weight: NDArray[np.float64],
    points: int,
) -> NDArray[np.float64]:
    """3SFCA's G of each pair (`origin`, `weight`): its weight over the sum of the weights
    of every pair its demand point has (`every_origin`, `every_weight`, inside the catchment
    or beyond it); 0 for a point whose every weight is 0."""
    total = np.bincount(every_origin, weights=every_weight, minlength=points)
    per_pair = total[origin]
    return np.divide(weight, per_pair, out=np.zeros(len(weight)), where=per_pair > 0)
