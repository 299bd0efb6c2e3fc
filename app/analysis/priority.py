"""Need and priority: which areas' gaps hurt most.

Need weights people by deprivation with the IMD 2019 decile (1 = most deprived tenth of
England's neighbourhoods): need = (11 - decile) / 5.5. Across all deciles it averages 1, so a
need-weighted person is comparable to a person: the most deprived tenth counts 1.82, the
least deprived 0.18. An area without a decile counts 1.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

NEED_METHOD = (
    "need = (11 - IMD decile) / 5.5, so decile 1 (most deprived) counts 1.82 per person, "
    "decile 10 counts 0.18, and an area with no decile counts 1"
)
PRIORITY_METHOD = (
    "priority = need x people not within reach (0 for an area whose population is "
    "unknown). Areas are ranked: areas where anyone is out of reach first, by priority "
    "(highest first); then fully covered areas, by 2SFCA score (lowest first); ties by "
    "area code"
)


def need(imd_decile: NDArray[np.int64]) -> NDArray[np.float64]:
    """The need factor of each area (see the module docstring); decile 0 means unknown."""
    known = (imd_decile >= 1) & (imd_decile <= 10)
    return np.where(known, (11 - imd_decile) / 5.5, 1.0)


def rank(
    covered: NDArray[np.bool_], priority: NDArray[np.float64], access: NDArray[np.float64]
) -> NDArray[np.int64]:
    """The rank of each area, 1 for the most urgent, as PRIORITY_METHOD says. Areas are
    expected in code order, so position breaks the last ties."""
    position = np.arange(len(covered))
    order = np.lexsort((position, access, -priority, covered))
    ranks = np.empty(len(covered), dtype=np.int64)
    ranks[order] = np.arange(1, len(covered) + 1)
    return ranks
