"""Coverage: how far each demand point is from the nearest asset, and which assets lie
within reach. Points are (n, 2) arrays in a projected CRS; distances are straight lines in
metres."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree


@dataclass(frozen=True)
class Links:
    """Every (demand point, supply point) pair within reach, with its distance in metres."""

    demand: NDArray[np.intp]
    supply: NDArray[np.intp]
    distance_m: NDArray[np.float64]


def nearest_m(
    demand_xy: NDArray[np.float64], supply_xy: NDArray[np.float64]
) -> NDArray[np.float64]:
    """The distance from each demand point to its nearest supply point (inf with none)."""
    if len(supply_xy) == 0:
        return np.full(len(demand_xy), np.inf)
    distance, _ = cKDTree(supply_xy).query(demand_xy, k=1)
    return np.asarray(distance, dtype=np.float64)


def links_within(
    demand_xy: NDArray[np.float64], supply_xy: NDArray[np.float64], reach_m: float
) -> Links:
    """The pairs no more than `reach_m` apart (the boundary counts as within), in no
    particular order."""
    if len(demand_xy) == 0 or len(supply_xy) == 0:
        empty = np.empty(0, dtype=np.intp)
        return Links(empty, empty, np.empty(0, dtype=np.float64))
    pairs = cKDTree(demand_xy).sparse_distance_matrix(
        cKDTree(supply_xy), reach_m, output_type="ndarray"
    )
    demand = pairs["i"].astype(np.intp)
    supply = pairs["j"].astype(np.intp)
    # The distance as GEOS and PySAL compute it, so a pair on the boundary is judged alike.
    delta = demand_xy[demand] - supply_xy[supply]
    distance = np.sqrt(delta[:, 0] * delta[:, 0] + delta[:, 1] * delta[:, 1])
    keep = distance <= reach_m
    return Links(demand[keep], supply[keep], distance[keep])
