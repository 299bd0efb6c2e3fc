"""Mapbox Vector Tiles of a collection in the WebMercatorQuad tile matrix set, built by
PostGIS (`ST_AsMVT`), and the TileJSON that describes them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.domain import categories
from app.domain.asset_fields import public_asset
from app.domain.asset_search import asset_category
from app.errors import FieldProblem, Problem
from app.i18n import said
from app.models import Area
from app.sql import statement

MAX_ZOOM = 22
MVT = "application/vnd.mapbox-vector-tile"

# What each collection's tiles hold: their layer, and each feature's fields.
TILE_FIELDS = {
    "assets": {
        "name": "String",
        "kind": "String",
        "category": "String",
        "outcomes": "String (comma-separated slugs)",
    },
    "areas": {
        "code": "String",
        "name": "String",
        "level": "String",
        "population": "Number",
        "imd_decile": "Number",
    },
}


@dataclass(frozen=True)
class Tile:
    """A tile's bytes (empty for a tile with nothing in it) and its ETag."""

    data: bytes

    @property
    def etag(self) -> str:
        return '"' + hashlib.blake2b(self.data, digest_size=16).hexdigest() + '"'


def check_tile(z: int, x: int, y: int) -> None:
    """A 404 naming the coordinate for a tile outside WebMercatorQuad."""
    if not 0 <= z <= MAX_ZOOM:
        raise Problem(
            404,
            said("no tile at zoom {z}", z=z),
            [FieldProblem("z", said("must be 0 to {MAX_ZOOM}", MAX_ZOOM=MAX_ZOOM))],
        )
    size = 2**z
    for name, value in (("x", x), ("y", y)):
        if not 0 <= value < size:
            message = f"must be 0 to {size - 1} at zoom {z}"
            raise Problem(
                404, said("no tile {z}/{x}/{y}", z=z, x=x, y=y), [FieldProblem(name, message)]
            )


def asset_tile(
    session: Session,
    z: int,
    x: int,
    y: int,
    max_features: int,
    kind: str | None = None,
    category: str | None = None,
    outcome: str | None = None,
    where: Any = None,
) -> Tile:
    """The public assets in tile z/x/y, optionally of one kind, category (and those below
    it) or outcome, and matching `where` (a filter's condition, app.domain.cql)."""
    check_tile(z, x, y)
    category_id = None
    if category is not None:
        category_id = categories.category_id(session, category, None, "category")
    if outcome is not None:
        categories.check_outcomes(session, [outcome], "outcome")
    params = asset_tile_params(z, x, y, max_features, kind, category_id, outcome)
    if where is not None:
        params["ids"] = _matching(session, matching_assets(z, x, y, where, max_features))
    data = session.execute(statement("asset_tile"), params).scalar_one()
    return Tile(bytes(data or b""))


def asset_tile_params(
    z: int,
    x: int,
    y: int,
    max_features: int,
    kind: str | None = None,
    category_id: int | None = None,
    outcome: str | None = None,
) -> dict[str, Any]:
    """The values of the `asset_tile` statement (app/sql/asset_tile.sql); `ids` None."""
    return {
        "z": z,
        "x": x,
        "y": y,
        "max_features": max_features,
        "kind": kind,
        "category_id": category_id,
        "outcome": outcome,
        "ids": None,
    }


def matching_assets(z: int, x: int, y: int, where: Any, max_features: int) -> Select[Any]:
    """The ids of the published assets in tile z/x/y (with its buffer) that a filter's
    condition `where` keeps, by id: at most as many as a tile holds."""
    shown = public_asset.c
    return (
        select(shown.id)
        .select_from(public_asset.outerjoin(asset_category, asset_category.id == shown.category_id))
        .where(shown.status == "published", shown.geom.op("&&")(_lonlat(z, x, y)), where)
        .order_by(shown.id)
        .limit(max_features)
    )


def area_tile(
    session: Session,
    z: int,
    x: int,
    y: int,
    max_features: int,
    level: str | None = None,
    where: Any = None,
) -> Tile:
    """The areas (of one level, if given, and matching `where`) in tile z/x/y."""
    check_tile(z, x, y)
    params: dict[str, Any] = {
        "z": z,
        "x": x,
        "y": y,
        "max_features": max_features,
        "level": level,
        "ids": None,
    }
    if where is not None:
        found = select(Area.id).where(Area.geom.op("&&")(_lonlat(z, x, y)), where)
        params["ids"] = _matching(session, found.order_by(Area.id).limit(max_features))
    data = session.execute(statement("area_tile"), params).scalar_one()
    return Tile(bytes(data or b""))


def _lonlat(z: int, x: int, y: int) -> Any:
    """Tile z/x/y's box in lon/lat, with the tiles' 64-pixel buffer."""
    return func.ST_Transform(func.ST_TileEnvelope(z, x, y, margin=64.0 / 4096), 4326)


def _matching(session: Session, query: Any) -> list[int]:
    """The ids a filter keeps in a tile."""
    return list(session.scalars(query))


def tilejson(
    collection_id: str, tiles_url: str, bounds: list[float] | None, query: str = ""
) -> dict[str, Any]:
    """TileJSON 3.0.0 for a collection's tiles; `tiles_url` ends in {z}/{x}/{y}."""
    document: dict[str, Any] = {
        "tilejson": "3.0.0",
        "name": collection_id,
        "tiles": [tiles_url + (f"?{query}" if query else "")],
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "vector_layers": [
            {"id": collection_id, "fields": TILE_FIELDS[collection_id], "minzoom": 0}
        ],
    }
    if bounds is not None:
        document["bounds"] = bounds
    return document
