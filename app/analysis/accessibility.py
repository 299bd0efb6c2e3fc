"""Accessibility: the two-step floating catchment area (2SFCA) score.

Step 1: each asset's supply (1, or its capacity) is divided by the demand within its
catchment: the people at each demand point in reach, weighted by distance decay.
Step 2: each demand point sums the ratios of the assets in its reach, weighted the same way.
The score is supply per person; population x score summed over all demand points equals the
supply of every asset that has someone in reach. This is Luo and Wang's method as PySAL
`access` computes it (`Access.two_stage_fca`, catchment `max_cost`, `weights.gaussian`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from app.analysis.coverage import Links

Decay = Callable[[NDArray[np.float64]], NDArray[np.float64]]


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
    weight = decay(links.distance_m)
    demand_at_asset = np.bincount(
        links.destination, weights=weight * people[links.origin], minlength=len(capacity)
    )
    ratio = np.divide(
        capacity, demand_at_asset, out=np.zeros(len(capacity)), where=demand_at_asset > 0
    )
    score = np.bincount(
        links.origin, weights=weight * ratio[links.destination], minlength=len(people)
    )
    return score.astype(np.float64)
