"""A gap analysis' question, as the API, the CLI and the maps ask it: light to import, so
the server loads the analysis itself (SciPy and the rest) only when one is asked for."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from app.analysis.inputs import DemandMethod
from app.domain.asset_search import AssetMatch
from app.errors import invalid
from app.i18n import said
from app.settings import AnalysisSettings

DecayName = Literal["none", "gaussian"]
# The accessibility score that ranks covered areas: 2SFCA, enhanced 2SFCA or 3SFCA.
AccessMethod = Literal["2sfca", "e2sfca", "3sfca"]
Weight = Literal["population", "need"]


@dataclass(frozen=True)
class GapQuestion:
    """What to analyse: the areas (`level` inside `within`), which assets count, how far
    people go (metres, straight line, unless an asset's `reach_m` says otherwise), how
    demand is placed, the accessibility method and 2SFCA's decay."""

    within: str | None = None
    level: str = "lsoa"
    match: AssetMatch = field(default_factory=AssetMatch)
    distance_m: float = 1_000.0
    demand: DemandMethod = "centroid"
    decay: DecayName = "none"
    sigma_m: float | None = None
    method: AccessMethod = "2sfca"

    @classmethod
    def asked(
        cls,
        settings: AnalysisSettings,
        *,
        within: str | None = None,
        level: str = "lsoa",
        match: AssetMatch | None = None,
        distance_m: float | None = None,
        demand: DemandMethod = "centroid",
        decay: DecayName = "none",
        sigma_m: float | None = None,
        method: AccessMethod = "2sfca",
    ) -> GapQuestion:
        """The question as the API, the CLI and the maps ask it: the reach, when not
        given, is the settings' default."""
        return cls(
            within=within,
            level=level,
            match=match or AssetMatch(),
            distance_m=settings.distance_default_m if distance_m is None else distance_m,
            demand=demand,
            decay=decay,
            sigma_m=sigma_m,
            method=method,
        )

    def check(self, settings: AnalysisSettings) -> None:
        """A 422 naming the parameter that no analysis could honour."""
        if not math.isfinite(self.distance_m) or self.distance_m <= 0:
            raise invalid("distance_m", "must be a positive number of metres")
        if self.distance_m > settings.distance_max_m:
            raise invalid(
                "distance_m",
                said(
                    "must be at most {distance_max_m} metres",
                    distance_max_m=f"{settings.distance_max_m:g}",
                ),
            )
        if self.decay != "none" and self.method != "2sfca":
            raise invalid(
                "decay",
                said("applies to 2sfca; {method} weighs by its own bands", method=self.method),
            )
        if self.sigma_m is not None:
            if self.decay != "gaussian":
                raise invalid("sigma_m", "applies only with decay=gaussian")
            low, high = settings.sigma_min_m, settings.distance_max_m
            if not (math.isfinite(self.sigma_m) and low <= self.sigma_m <= high):
                raise invalid(
                    "sigma_m",
                    said(
                        "must be between {low} and {high} metres", low=f"{low:g}", high=f"{high:g}"
                    ),
                )

    @property
    def decay_sigma_m(self) -> float:
        """The gaussian's width: as asked, or half the catchment."""
        return self.sigma_m if self.sigma_m is not None else self.distance_m / 2
