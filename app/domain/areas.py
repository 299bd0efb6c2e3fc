"""Areas (neighbourhood polygons) and their indicators, read as GeoJSON."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Text, cast, func, select
from sqlalchemy.orm import Session

from app.domain.features import feature
from app.domain.paging import Page, cut_page, decode_cursor
from app.errors import not_found
from app.models import Area


def area_feature() -> ColumnElement[Any]:
    """An area row as a GeoJSON Feature, its id the area code."""
    return feature(
        Area.code,
        Area.geom,
        [
            ("code", Area.code),
            ("name", Area.name),
            ("level", Area.level),
            ("parent_code", Area.parent_code),
            ("population", Area.population),
            ("indicators", Area.indicators),
        ],
        polygons=True,
    )


def list_areas(
    session: Session,
    level: str | None,
    parent: str | None,
    bbox: tuple[float, float, float, float] | None,
    limit: int,
    after: str | None,
) -> Page:
    """One page of area Features, by code order of storage (id)."""
    conditions: list[ColumnElement[bool]] = []
    if level is not None:
        conditions.append(Area.level == level)
    if parent is not None:
        conditions.append(Area.parent_code == parent)
    if bbox is not None:
        conditions.append(Area.geom.op("&&")(func.ST_MakeEnvelope(*bbox, 4326)))
    if after is not None:
        (after_id,) = decode_cursor(after, (int,))
        conditions.append(Area.id > after_id)
    query = (
        select(cast(area_feature(), Text), Area.id)
        .where(*conditions)
        .order_by(Area.id)
        .limit(limit + 1)
    )
    return cut_page(session.execute(query).all(), limit)


def get_area(session: Session, code: str) -> str:
    """An area's Feature as GeoJSON text; 404 if no area has that code."""
    text = session.scalar(select(cast(area_feature(), Text)).where(Area.code == code))
    if text is None:
        raise not_found(f"area {code}")
    return text


def require_area(session: Session, code: str) -> None:
    if session.scalar(select(Area.id).where(Area.code == code)) is None:
        raise not_found(f"area {code}")
