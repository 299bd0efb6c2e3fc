"""What a gap analysis reads from the database, as arrays: the areas and the people in them
(demand), and the matching assets (supply). Coordinates are in a projected CRS, in metres.

Projection is done by PostGIS (`ST_Transform`) for areas, postcodes, assets and candidate
sites alike, so every distance compares points projected the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import shapely
from numpy.typing import NDArray
from sqlalchemy import BigInteger, LargeBinary, any_, bindparam, func, select, type_coerce
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.orm import Session

from app.domain import categories
from app.domain.asset_fields import public_asset
from app.domain.asset_search import AssetMatch
from app.errors import invalid
from app.i18n import said
from app.models import Area, Asset
from app.sql import statement

DemandMethod = Literal["centroid", "postcodes"]
# British National Grid: areas and assets keep their points projected to it (stored columns).
BNG = 27700


@dataclass(frozen=True)
class Areas:
    """The analysed areas, in code order. Unknown values: population 0 with
    `population_known` false, IMD score NaN, IMD decile 0 (also for a decile outside
    1-10)."""

    ids: NDArray[np.int64]
    codes: list[str]
    names: list[str]
    population: NDArray[np.float64]
    population_known: NDArray[np.bool_]
    imd_score: NDArray[np.float64]
    imd_decile: NDArray[np.int64]
    centroid_xy: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.codes)


@dataclass(frozen=True)
class DemandPoints:
    """Where people are: each point belongs to an area and carries an equal share of its
    population (`people`)."""

    method: DemandMethod
    xy: NDArray[np.float64]
    area: NDArray[np.intp]
    people: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.area)


@dataclass(frozen=True)
class Supply:
    """The matching assets: id, projected position, capacity (1 unless set) and `reach_m`
    (how far people come to it, metres; NaN unless set)."""

    ids: NDArray[np.int64]
    xy: NDArray[np.float64]
    capacity: NDArray[np.float64]
    reach_m: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.ids)

    def where(self, keep: NDArray[np.bool_]) -> Supply:
        return Supply(self.ids[keep], self.xy[keep], self.capacity[keep], self.reach_m[keep])


def load_areas(session: Session, within: str | None, level: str, srid: int) -> Areas:
    """The areas at `level` inside area `within` (or all at `level`), with centroids in
    EPSG:`srid`. A 422 naming `within` for an unknown code, or `level` when none match."""
    if within is not None and session.scalar(select(Area.id).where(Area.code == within)) is None:
        raise invalid("within", said("no area has the code {within}", within=repr(within)))
    rows = session.execute(
        statement("gap_areas"), {"within": within, "level": level, "srid": srid}
    ).all()
    if not rows:
        where = f"inside {within}" if within is not None else "stored"
        raise invalid("level", said("no {level} areas are {where}", level=level, where=where))
    ids, codes, names, population, imd_score, imd_decile, x, y = zip(*rows, strict=True)
    people = np.array(population, dtype=np.float64)  # None becomes NaN
    return Areas(
        ids=np.array(ids, dtype=np.int64),
        codes=list(codes),
        names=list(names),
        population=np.nan_to_num(people, nan=0.0),
        population_known=~np.isnan(people),
        imd_score=np.array(imd_score, dtype=np.float64),
        imd_decile=np.array(
            [decile if decile in range(1, 11) else 0 for decile in imd_decile], dtype=np.int64
        ),
        centroid_xy=np.column_stack([np.array(x, np.float64), np.array(y, np.float64)]),
    )


def demand_points(session: Session, areas: Areas, method: DemandMethod, srid: int) -> DemandPoints:
    """The demand points of `areas`: their centroids, or the postcode points inside each
    (an area with none falls back to its centroid)."""
    everyone = np.arange(len(areas), dtype=np.intp)
    if method == "centroid":
        return DemandPoints(method, areas.centroid_xy, everyone, areas.population.copy())
    rows = session.execute(
        statement("gap_postcodes"), {"area_ids": areas.ids.tolist(), "srid": srid}
    ).all()
    area = np.array([r.area_index for r in rows], dtype=np.intp)
    xy = np.array([(r.x, r.y) for r in rows], dtype=np.float64).reshape(-1, 2)
    without = np.setdiff1d(everyone, area)
    area = np.concatenate([area, without])
    xy = np.vstack([xy, areas.centroid_xy[without]])
    points_per_area = np.bincount(area, minlength=len(areas))
    people = areas.population[area] / points_per_area[area]
    return DemandPoints(method, xy, area, people)


# A margin around the demand points (metres) past which an analysis reads every matching
# asset: wider than any one country's projected grid.
EVERYWHERE_M = 1_000_000.0
# The box read around the demand points is this much wider than its margin, so that its
# edges, which curve a little in lon/lat, leave out no asset inside the margin.
BOX_SLACK_M = 1_000.0


def load_supply(
    session: Session,
    match: AssetMatch,
    srid: int,
    around: tuple[NDArray[np.float64], float] | None = None,
    ids: Sequence[int] | None = None,
) -> Supply:
    """The published assets of the public face matching `match`, at their public points
    projected to EPSG:`srid`: all of them; or, `around` (points in EPSG:`srid` and a margin
    in metres), those inside the points' box widened by the margin, read through the
    spatial index (every one within the margin of a point is among them); or those of
    `ids`. A 422 naming `category` or `outcome` if unknown."""
    shown = public_asset.c
    conditions = [shown.status == "published"]
    if match.kind is not None:
        conditions.append(shown.kind == match.kind)
    if match.category is not None:
        top = categories.category_id(session, match.category, None, "category")
        conditions.append(shown.category_id.in_(categories.subtree_ids(top)))
    if match.outcome is not None:
        categories.check_outcomes(session, [match.outcome], "outcome")
        conditions.append(shown.outcomes.contains([match.outcome]))
    if around is not None and around[1] < EVERYWHERE_M and len(around[0]):
        points, margin = around
        (minx, miny), (maxx, maxy) = points.min(axis=0), points.max(axis=0)
        wide = margin + BOX_SLACK_M
        box = func.ST_MakeEnvelope(minx - wide, miny - wide, maxx + wide, maxy + wide, srid)
        # the box as lon/lat, its edges in 32 steps: the bbox of the curved outline
        step = max(maxx - minx, maxy - miny, 2 * wide) / 32
        conditions.append(
            shown.geom.op("&&")(func.ST_Transform(func.ST_Segmentize(box, step), 4326))
        )
    if ids is not None:
        # one array, not a parameter per id (PostgreSQL takes at most 65,535)
        conditions.append(shown.id == any_(bindparam("ids", list(ids), type_=ARRAY(BigInteger))))
    # One row: the ids, the points as one WKB multipoint, the capacities, all in id order.
    # Reading 100,000 points this way takes a third of the time of 100,000 rows.
    point = shown.geom_bng if srid == BNG else func.ST_Transform(shown.geom, srid)
    query = select(
        func.array_agg(aggregate_order_by(shown.id, shown.id)),
        type_coerce(
            func.ST_AsBinary(func.ST_Collect(aggregate_order_by(point, shown.id))), LargeBinary
        ),
        func.array_agg(aggregate_order_by(func.coalesce(shown.capacity, 1.0), shown.id)),
        func.array_agg(aggregate_order_by(shown.reach_m, shown.id)),
    ).where(*conditions)
    found_ids, points_wkb, capacity, reach_m = session.execute(query).one()
    if found_ids is None:
        return Supply(np.empty(0, np.int64), np.empty((0, 2)), np.empty(0), np.empty(0))
    return Supply(
        ids=np.array(found_ids, dtype=np.int64),
        xy=shapely.get_coordinates(shapely.from_wkb(points_wkb)),
        capacity=np.array(capacity, dtype=np.float64),
        reach_m=np.array(reach_m, dtype=np.float64),  # None becomes NaN
    )


def widest_reach_m(session: Session) -> float:
    """The largest `reach_m` any asset has (0 when none has one): a bound, at once
    (migration 0017's index)."""
    widest = session.scalar(select(func.max(Asset.reach_m)).where(Asset.reach_m.is_not(None)))
    return float(widest or 0.0)


@dataclass(frozen=True)
class Sites:
    """Candidate sites for a new asset: projected position, and the analysed area each lies
    in (-1 when none)."""

    xy: NDArray[np.float64]
    area: NDArray[np.intp]

    def __len__(self) -> int:
        return len(self.area)


def candidate_sites(
    session: Session, areas: Areas, lonlat: list[tuple[float, float]], srid: int
) -> Sites:
    """Sites given as lon/lat (EPSG:4326), projected by PostGIS like everything else."""
    rows = session.execute(
        statement("gap_candidates"),
        {
            "lons": [lon for lon, _ in lonlat],
            "lats": [lat for _, lat in lonlat],
            "area_ids": areas.ids.tolist(),
            "srid": srid,
        },
    ).all()
    return Sites(
        xy=np.array([(r.x, r.y) for r in rows], dtype=np.float64).reshape(-1, 2),
        area=np.array([-1 if r.area_index is None else r.area_index for r in rows], np.intp),
    )


def to_lonlat(session: Session, xy: NDArray[np.float64], srid: int) -> NDArray[np.float64]:
    """Points in EPSG:`srid` (metres) as lon/lat (EPSG:4326), projected back by PostGIS."""
    rows = session.execute(
        statement("gap_lonlat"), {"xs": xy[:, 0].tolist(), "ys": xy[:, 1].tolist(), "srid": srid}
    ).all()
    return np.array([(r.lon, r.lat) for r in rows], dtype=np.float64).reshape(-1, 2)
