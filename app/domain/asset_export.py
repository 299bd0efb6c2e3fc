"""Every public asset a search matches, unpaged, for exports and the pages built from them:
as Feature texts or as table rows, by id (app.io.exports streams them)."""

from __future__ import annotations

from functools import cache
from typing import Any, Literal

from sqlalchemy import Numeric, Select, Text, cast, func, select
from sqlalchemy.orm import Session

from app.domain.asset_fields import EXPORT_COLUMNS, ExportColumn
from app.domain.asset_search import (
    PUBLIC_ASSET,
    AssetFilter,
    _conditions,
    _near_conditions,
    _QueryShape,
    _search,
    _value,
    asset_category,
    asset_feature,
)
from app.domain.features import WGS84

ExportKind = Literal["features", "rows"]


def export_query(
    session: Session, wanted: AssetFilter, kind: ExportKind
) -> tuple[Select[Any], dict[str, Any]]:
    """Every public asset matching `wanted`, by id, unpaged: as Feature texts
    (`features`), or as rows of asset_fields.EXPORT_NAMES then the point as WKB (`rows`).
    Returns the statement and its parameters, for a server-side cursor or COPY to stream."""
    shape, params = _search(session, wanted, None)
    return _export_query(shape, kind), params


def _export_value(column: ExportColumn) -> Any:
    """An export column's value for the asset of a row of the public face."""
    table = PUBLIC_ASSET
    if column.part is not None:
        return table.c[column.prop.column][column.part.name].astext
    if column.prop.name == "outcomes":
        return func.array_to_string(table.c.outcomes, ";")
    if column.prop.stored.whole:
        return cast(table.c[column.prop.column], Text)  # its JSON
    return _value(column.prop, table, WGS84)


@cache
def _export_query(shape: _QueryShape, kind: ExportKind) -> Select[Any]:
    """All the public assets of one query shape, by id (never by distance)."""
    table = PUBLIC_ASSET
    conditions = _conditions(shape)
    if shape.near:
        conditions += _near_conditions()
    if kind == "features":
        columns: list[Any] = [cast(asset_feature("public", srid=shape.srid), Text)]
    else:
        columns = [
            table.c.id,
            *(_export_value(column) for column in EXPORT_COLUMNS),
            func.round(cast(func.ST_X(table.c.geom), Numeric), 7),
            func.round(cast(func.ST_Y(table.c.geom), Numeric), 7),
            func.ST_AsText(table.c.footprint, 7),
            func.ST_AsBinary(table.c.geom),
        ]
    return (
        select(*columns)
        .select_from(table)
        .outerjoin(asset_category, asset_category.id == table.c.category_id)
        .where(*conditions)
        .order_by(table.c.id)
    )
