"""Travel-time gap analysis beside PySAL `access`, on one generated cost matrix, in one run.

The case: 4,000 generated origins (areas, with population) and 250 generated assets over a
60 x 60 km square; minutes are metres at 400 m a minute (24 km/h) times a noise of 0.8-1.4
per pair, pairs over 45 minutes left out (not reachable), about 500,000 rows. Printed:

- reading the matrix: `app.analysis.costs.read_matrix` (every value checked, row by row
  problems named) on the CSV and the Parquet bytes, beside pandas `read_csv` /
  `read_parquet` of the same bytes (no checks), the baseline;
- scores: 2SFCA, enhanced 2SFCA and 3SFCA within 30 minutes by `app.analysis.catchments`
  beside PySAL `access` (`two_stage_fca`, `enhanced_two_stage_fca`, `three_stage_fca`) on the
  same rows, the baseline; each pair of answers is checked to agree to rtol 1e-9.

Placing the rows on stored areas and assets (`costs.resolve`) needs the database and is
not timed here. Times are the median of RUNS runs after one warm-up, on a shared machine:
read the ratios, not the absolute times. Run with `python -m bench.gaps_travel`.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from access import Access

from app.analysis import catchments
from app.analysis.accessibility import no_decay
from app.analysis.costs import TravelTimes, read_matrix
from app.analysis.question import AccessMethod
from bench.common import timed

RUNS = 3
ORIGINS, ASSETS = 4_000, 250
THRESHOLD_MIN = 30.0
PYSAL_METHODS = {
    "2sfca": "two_stage_fca",
    "e2sfca": "enhanced_two_stage_fca",
    "3sfca": "three_stage_fca",
}


def _timed(work: Callable[[], Any]) -> tuple[float, Any]:
    return timed(work, RUNS)


def _matrix() -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(22)
    origins = rng.uniform(0, 60_000, (ORIGINS, 2))
    assets = rng.uniform(0, 60_000, (ASSETS, 2))
    metres = np.hypot(*(origins[:, None, :] - assets[None, :, :]).transpose(2, 0, 1))
    minutes = metres / 400.0 * rng.uniform(0.8, 1.4, metres.shape)
    origin, asset = np.nonzero(minutes <= 45.0)
    frame = pd.DataFrame(
        {
            "origin": [f"E0100{i:04d}" for i in origin],
            "destination": asset.astype(str),
            "minutes": minutes[origin, asset],
        }
    )
    people = rng.integers(1_000, 3_000, ORIGINS).astype(float)
    return frame, people


def _times(frame: pd.DataFrame) -> TravelTimes:
    """The rows as `costs.resolve` places them (origin E0100nnnn is area nnnn)."""
    return TravelTimes(
        area=frame["origin"].str[5:].astype(int).to_numpy(),
        asset=frame["destination"].astype(int).to_numpy(),
        minutes=frame["minutes"].to_numpy(),
        site_origin=np.empty(0, np.intp),
        site_area=np.empty(0, np.intp),
        site_minutes=np.empty(0),
    )


def _ours(times: TravelTimes, people: np.ndarray, method: AccessMethod) -> np.ndarray:
    catchment = catchments.travel_times(times, THRESHOLD_MIN)
    return catchments.scores(catchment, method, people, np.ones(ASSETS), no_decay)


def _pysal(frame: pd.DataFrame, people: np.ndarray, method: AccessMethod) -> np.ndarray:
    codes = [f"E0100{i:04d}" for i in range(ORIGINS)]
    demand = pd.DataFrame({"people": people}, index=pd.Index(codes, name="code"))
    supply = pd.DataFrame(
        {"supply": np.ones(ASSETS)}, index=pd.Index([str(i) for i in range(ASSETS)], name="id")
    )
    model = Access(
        demand_df=demand,
        demand_value="people",
        supply_df=supply,
        supply_value="supply",
        cost_df=frame.rename(columns={"minutes": "cost"}),
        cost_origin="origin",
        cost_dest="destination",
        cost_name="cost",
    )
    scores = getattr(model, PYSAL_METHODS[method])(max_cost=THRESHOLD_MIN)
    result: np.ndarray = scores.iloc[:, 0].reindex(codes).fillna(0.0).to_numpy()
    return result


def main() -> None:
    frame, people = _matrix()
    as_csv = frame.to_csv(index=False).encode()
    as_parquet = frame.to_parquet(index=False)
    print(
        f"{len(frame):,} rows: {len(as_csv) / 1e6:.1f} MB of CSV, "
        f"{len(as_parquet) / 1e6:.1f} MB of Parquet"
    )
    print(f"(median of {RUNS} runs after a warm-up; a shared, noisy machine: read the ratios)")
    limit = len(frame) + 1
    for name, data, baseline in (
        ("CSV", as_csv, lambda: pd.read_csv(io.BytesIO(as_csv))),
        ("Parquet", as_parquet, lambda: pd.read_parquet(io.BytesIO(as_parquet))),
    ):
        ours_s, read = _timed(lambda data=data: read_matrix(data, limit))
        base_s, _ = _timed(baseline)
        assert len(read) == len(frame)
        print(
            f"  read {name:8} ours (checked) {ours_s * 1000:8.1f} ms   "
            f"pandas {base_s * 1000:8.1f} ms   ratio {ours_s / base_s:5.2f}x"
        )
    times = _times(frame)
    for method in ("2sfca", "e2sfca", "3sfca"):
        ours_s, ours = _timed(lambda method=method: _ours(times, people, method))
        pysal_s, theirs = _timed(lambda method=method: _pysal(frame, people, method))
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=0)
        print(
            f"  {method:7} ours {ours_s * 1000:8.1f} ms   PySAL access {pysal_s * 1000:9.1f} ms"
            f"   PySAL / ours {pysal_s / ours_s:7.1f}x   (answers agree to rtol 1e-9)"
        )


if __name__ == "__main__":
    main()
