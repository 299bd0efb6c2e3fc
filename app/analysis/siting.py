"""Siting ("where next"): the k new sites that would bring the most people within reach.

This is the maximal covering location problem with the existing assets already open, as
PySAL `spopt` `MCLP` states it with predefined facilities: choose k candidates to maximise
the weight (people, or need-weighted people) of demand points with at least one open site
within reach. Points already in reach of an existing asset are covered whatever is chosen,
so only the others enter the problem.

Up to a size limit it is solved exactly as an integer program (HiGHS, through SciPy):
binary x_c per candidate, y_i in [0, 1] per uncovered point, maximise sum(w_i y_i) subject to
y_i <= sum of x_c over the candidates reaching i, and sum(x_c) = k. Beyond the limit, or if
the solver does not prove optimality in time, sites are chosen greedily (each time the one
adding most), which is within 1 - 1/e of the optimum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

Solver = Literal["exact", "greedy"]


@dataclass(frozen=True)
class ExactLimits:
    """The largest problem solved exactly, and for how long the solver may try."""

    max_candidates: int
    max_links: int
    time_limit_s: float


@dataclass(frozen=True)
class Siting:
    """The chosen candidates, in the order of what each adds to those before it."""

    solver: Solver
    sites: list[int]
    # weight newly covered by each site, given the existing assets and the sites before it
    gains: list[float]
    # the demand points each site newly covers
    newly_covered: list[NDArray[np.intp]]
    reason: str


def maximal_covering(
    reach: sparse.csr_array,
    weight: NDArray[np.float64],
    covered_before: NDArray[np.bool_],
    k: int,
    limits: ExactLimits,
) -> Siting:
    """Choose up to `k` of the candidates (rows of `reach`, a candidates x demand points 0/1
    matrix of who is within reach of whom) to cover the most `weight` not `covered_before`.
    Sites that would add nobody are left out, so fewer than k may come back."""
    remaining = np.where(covered_before, 0.0, weight)
    candidates, links = reach.shape[0], reach.nnz
    if candidates > limits.max_candidates or links > limits.max_links:
        reason = (
            f"greedy: {candidates} candidates and {links} candidate-person links exceed the "
            f"exact solver's limits ({limits.max_candidates} and {limits.max_links})"
        )
        return _greedy(reach, remaining, np.arange(candidates), k, "greedy", reason)
    chosen = _exact(reach, remaining, k, limits.time_limit_s)
    if chosen is None:
        reason = f"greedy: the exact solver found no proven optimum in {limits.time_limit_s} s"
        return _greedy(reach, remaining, np.arange(candidates), k, "greedy", reason)
    reason = "exact: integer program solved to optimality (HiGHS)"
    return _greedy(reach, remaining, chosen, len(chosen), "exact", reason)


def _exact(
    reach: sparse.csr_array, remaining: NDArray[np.float64], k: int, time_limit_s: float
) -> NDArray[np.intp] | None:
    """The optimal candidate set, or None if the solver could not prove one in time."""
    coverable = np.flatnonzero((remaining > 0) & (np.asarray(reach.sum(axis=0)).ravel() > 0))
    if len(coverable) == 0:
        return np.empty(0, dtype=np.intp)
    candidates = reach.shape[0]
    points = len(coverable)
    reach_points = sparse.csr_array(reach[:, coverable]).astype(np.float64)
    # y_i - sum_c reach[c, i] x_c <= 0 for each point; sum_c x_c = k
    cover = sparse.hstack([-reach_points.T, sparse.eye_array(points)], format="csr")
    count = np.concatenate([np.ones(candidates), np.zeros(points)])[np.newaxis, :]
    result = milp(
        c=np.concatenate([np.zeros(candidates), -remaining[coverable]]),
        integrality=np.concatenate([np.ones(candidates), np.zeros(points)]),
        bounds=Bounds(0, 1),
        constraints=[
            LinearConstraint(cover, -np.inf, 0),
            LinearConstraint(count, min(k, candidates), min(k, candidates)),
        ],
        options={"time_limit": time_limit_s, "mip_rel_gap": 0.0, "disp": False},
    )
    if result.status != 0 or result.x is None:
        return None
    return np.flatnonzero(result.x[:candidates] > 0.5)


def _greedy(
    reach: sparse.csr_array,
    remaining: NDArray[np.float64],
    pool: NDArray[np.intp],
    k: int,
    solver: Solver,
    reason: str,
) -> Siting:
    """Take from `pool`, k times, the candidate newly covering the most weight (the first
    in order on ties); stop early when none adds anyone."""
    remaining = remaining.copy()
    pool_reach = sparse.csr_array(reach[pool]).astype(np.float64)
    sites: list[int] = []
    gains: list[float] = []
    newly: list[NDArray[np.intp]] = []
    for _ in range(k):
        gain = pool_reach @ remaining
        best = int(np.argmax(gain)) if len(gain) else 0
        if len(gain) == 0 or gain[best] <= 0:
            break
        row = pool_reach[[best]]
        points = row.indices[remaining[row.indices] > 0]
        sites.append(int(pool[best]))
        gains.append(float(remaining[points].sum()))
        newly.append(points.astype(np.intp))
        remaining[points] = 0.0
    return Siting(solver, sites, gains, newly, reason)
