"""Coverage: how far each demand point is from the nearest asset, and which pairs of points
lie within reach. Points are (n, 2) arrays in a projected CRS; distances are straight lines
in metres."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree


@dataclass(frozen=True)
class Links:
    """Every (origin, destination) pair of points within reach, by index, with its distance
    in metres: people to assets for accessibility, candidate sites to people for siting."""

    origin: NDArray[np.intp]
    destination: NDArray[np.intp]
    distance_m: NDArray[np.float64]


class TooManyLinks(Exception):
    """More pairs lie within reach than an analysis may hold in memory."""

    def __init__(self, count: int, limit: int) -> None:
        super().__init__(f"{count:,} pairs within reach, over the limit of {limit:,}")
        self.count = count
        self.limit = limit


def nearest_m(
    demand_xy: NDArray[np.float64], supply_xy: NDArray[np.float64]
) -> NDArray[np.float64]:
    """The distance from each demand point to its nearest supply point (inf with none)."""
    if len(supply_xy) == 0:
        return np.full(len(demand_xy), np.inf)
    distance, _ = cKDTree(supply_xy).query(demand_xy, k=1)
    return np.asarray(distance, dtype=np.float64)


def links_within(
    origin_xy: NDArray[np.float64],
    destination_xy: NDArray[np.float64],
    reach_m: float,
    max_links: int | None = None,
) -> Links:
    """The pairs no more than `reach_m` apart (the boundary counts as within), in no
    particular order. Raises TooManyLinks, before building them, if more than `max_links`
    pairs would come back."""
    if len(origin_xy) == 0 or len(destination_xy) == 0:
        empty = np.empty(0, dtype=np.intp)
        return Links(empty, empty, np.empty(0, dtype=np.float64))
    origins, destinations = cKDTree(origin_xy), cKDTree(destination_xy)
    if max_links is not None:
        # counted by the trees, without making the pairs
        count = int(origins.count_neighbors(destinations, reach_m))
        if count > max_links:
            raise TooManyLinks(count, max_links)
    pairs = origins.sparse_distance_matrix(destinations, reach_m, output_type="ndarray")
    origin = pairs["i"].astype(np.intp)
    destination = pairs["j"].astype(np.intp)
    # The distance as GEOS and PySAL compute it, so a pair on the boundary is judged alike.
    delta = origin_xy[origin] - destination_xy[destination]
    distance = np.sqrt(delta[:, 0] * delta[:, 0] + delta[:, 1] * delta[:, 1])
    keep = distance <= reach_m
    return Links(origin[keep], destination[keep], distance[keep])
