"""Cost matrices built by the tests, as an analyst's r5py run would give them: minutes from
Trafford's real LSOAs (their centroids, by geopandas) to its real assets (their points in
the database), from straight-line distance at a walking pace with noise per pair."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.analysis import trafford

# 80 metres a minute (4.8 km/h), each pair 0.8 to 1.4 times slower or quicker than that
PACE_M_PER_MIN = 80.0
# farther than this, the "router" gives no time at all (not reachable)
LONGEST_MIN = 45.0

ASSETS_IN = text(
    "SELECT a.id, ST_X(a.geom_bng) AS x, ST_Y(a.geom_bng) AS y FROM public_asset a "
    "JOIN category c ON c.id = a.category_id WHERE c.slug = :category "
    "AND a.status = 'published' ORDER BY a.id"
)


def assets(session: Session, category: str) -> pd.DataFrame:
    """The published assets of a category: id, and x, y in British National Grid."""
    return pd.DataFrame(session.execute(ASSETS_IN, {"category": category}).mappings().all())


def _minutes(
    origins: gpd.GeoSeries, destinations: gpd.GeoSeries, rng: np.random.Generator
) -> np.ndarray:
    metres = np.array([origins.distance(point).to_numpy() for point in destinations]).T
    return 2.0 + metres / PACE_M_PER_MIN * rng.uniform(0.8, 1.4, metres.shape)


def matrix(
    session: Session,
    category: str,
    seed: int = 22,
    candidates: bool = False,
    unreachable_rows: int = 0,
) -> pd.DataFrame:
    """Rows origin (LSOA code), destination (asset id), minutes for every pair within
    LONGEST_MIN; with `candidates`, also to every LSOA (its code); with
    `unreachable_rows`, that many more rows with NaN minutes (r5py's "no route")."""
    rng = np.random.default_rng(seed)
    lsoas = trafford.lsoas()
    centroids = lsoas.geometry.centroid
    found = assets(session, category)
    points = gpd.GeoSeries(gpd.points_from_xy(found["x"], found["y"]), crs=trafford.BNG)
    minutes = _minutes(centroids, points, rng)
    rows = [
        pd.DataFrame(
            {
                "origin": np.repeat(lsoas.index.to_numpy(), len(found)),
                "destination": np.tile(found["id"].astype(str).to_numpy(), len(lsoas)),
                "minutes": minutes.ravel(),
            }
        )
    ]
    if candidates:
        between = _minutes(centroids, centroids, rng)
        rows.append(
            pd.DataFrame(
                {
                    "origin": np.repeat(lsoas.index.to_numpy(), len(lsoas)),
                    "destination": np.tile(lsoas.index.to_numpy(), len(lsoas)),
                    "minutes": between.ravel(),
                }
            )
        )
    frame = pd.concat(rows, ignore_index=True)
    frame = frame[frame["minutes"] <= LONGEST_MIN]
    if unreachable_rows:
        given = set(zip(frame["origin"], frame["destination"], strict=True))
        missing = [
            (origin, str(asset))
            for origin in lsoas.index
            for asset in found["id"]
            if (origin, str(asset)) not in given
        ][:unreachable_rows]
        extra = pd.DataFrame(missing, columns=["origin", "destination"]).assign(minutes=np.nan)
        frame = pd.concat([frame, extra], ignore_index=True)
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def as_csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def as_parquet(frame: pd.DataFrame) -> bytes:
    return frame.to_parquet(index=False)
