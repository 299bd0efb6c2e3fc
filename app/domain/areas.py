"""Areas (neighbourhood polygons) and their indicators, read as GeoJSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, Text, cast, func, select
from sqlalchemy.orm import Session

from app.domain.features import WGS84, feature, in_crs
from app.domain.paging import Page, cut_page, decode_cursor
from app.errors import invalid, not_found
from app.i18n import said
from app.models import Area


@cache
def area_feature(srid: int = WGS84) -> ColumnElement[Any]:
    """An area row as a GeoJSON Feature, its id the area code, its polygon in EPSG:`srid`
    (lon/lat by default)."""
    return feature(
        Area.code,
        in_crs(Area.geom, srid),
        [
            ("code", Area.code),
            ("name", Area.name),
            ("level", Area.level),
            ("parent_code", Area.parent_code),
            ("population", Area.population),
            ("indicators", Area.indicators),
            ("updated_at", Area.updated_at),
        ],
        polygons=True,
        srid=srid,
    )


@dataclass(frozen=True)
class AreaFilter:
    """What a list of areas may ask for: coordinates of `bbox` in EPSG:`bbox_srid`, of the
    answer in EPSG:`srid` (4326 is lon/lat)."""

    level: str | None = None
    parent: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    updated_since: datetime | None = None
    updated_before: datetime | None = None
    srid: int = WGS84
    bbox_srid: int = WGS84
    # a condition on the area's columns with its values bound (a CQL2 filter)
    where: Any = field(default=None, compare=False, hash=False)


def list_areas(session: Session, wanted: AreaFilter, limit: int, after: str | None) -> Page:
    """One page of area Features, in order of storage (id)."""
    query = (
        select(cast(area_feature(wanted.srid), Text), Area.id)
        .where(*_conditions(wanted, after))
        .order_by(Area.id)
        .limit(limit + 1)
    )
    return cut_page(session.execute(query).all(), limit)


def _conditions(wanted: AreaFilter, after: str | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if wanted.level is not None:
        conditions.append(Area.level == wanted.level)
    if wanted.parent is not None:
        conditions.append(Area.parent_code == wanted.parent)
    if wanted.bbox is not None:
        envelope = func.ST_MakeEnvelope(*wanted.bbox, wanted.bbox_srid)
        if wanted.bbox_srid != WGS84:
            # the box's lon/lat outline, its edges segmentised as they curve
            envelope = func.ST_Transform(func.ST_Segmentize(envelope, 100.0), WGS84)
        conditions.append(Area.geom.op("&&")(envelope))
        conditions.append(func.ST_Intersects(Area.geom, envelope))
    if wanted.updated_since is not None:
        conditions.append(Area.updated_at >= wanted.updated_since)
    if wanted.updated_before is not None:
        conditions.append(Area.updated_at <= wanted.updated_before)
    if wanted.where is not None:
        conditions.append(wanted.where)
    if after is not None:
        (after_id,) = decode_cursor(after, (int,))
        conditions.append(Area.id > after_id)
    return conditions


def get_area(session: Session, code: str, srid: int = WGS84) -> str:
    """An area's Feature as GeoJSON text, its polygon in EPSG:`srid`; 404 if no area has
    that code."""
    text = session.scalar(select(cast(area_feature(srid), Text)).where(Area.code == code))
    if text is None:
        raise not_found(f"area {code}")
    return text


def check_code(session: Session, code: str | None, field: str = "parent") -> None:
    """A 422 naming `field` when no area has that code: a filter on a code that exists
    nowhere is a mistake, not a question whose answer is "none"."""
    if code is not None and session.scalar(select(Area.id).where(Area.code == code)) is None:
        raise invalid(field, said("no area has the code {code}", code=repr(code)))


def require_area(session: Session, code: str) -> None:
    if session.scalar(select(Area.id).where(Area.code == code)) is None:
        raise not_found(f"area {code}")


# The columns of an area in a table (CSV, GeoPackage).
EXPORT_COLUMNS = (
    "code",
    "name",
    "level",
    "parent_code",
    "population",
    "indicators",
    "updated_at",
    "geometry_wkt",
)


def export_query(wanted: AreaFilter, kind: Literal["features", "rows"]) -> Select[Any]:
    """Every area matching `wanted`, by id, unpaged: as Feature texts (`features`), or as
    rows of EXPORT_COLUMNS then the polygon as WKB (`rows`)."""
    if kind == "features":
        columns: list[Any] = [cast(area_feature(wanted.srid), Text)]
    else:
        polygon = func.ST_ForcePolygonCCW(Area.geom)
        columns = [
            Area.code,
            Area.name,
            Area.level,
            Area.parent_code,
            Area.population,
            cast(Area.indicators, Text),
            Area.updated_at,
            func.ST_AsText(polygon, 7),
            func.ST_AsBinary(polygon),
        ]
    return select(*columns).where(*_conditions(wanted, None)).order_by(Area.id)
