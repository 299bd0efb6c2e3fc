"""GeoJSON built in PostgreSQL: one way to make a Feature, one way to make a collection.

Features are assembled by `json_build_object` + `ST_AsGeoJSON` in the database and travel
as text; Python only joins the texts of a page into a FeatureCollection.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, cast, func, literal_column
from sqlalchemy.dialects.postgresql import JSON

# RFC 7946 recommends no more than 6-7 decimals: 7 is about a centimetre.
GEOJSON_DECIMALS = 7


def geojson(geometry: Any) -> ColumnElement[Any]:
    """A geometry column as a GeoJSON object (lon/lat, at most 7 decimals)."""
    return cast(func.ST_AsGeoJSON(geometry, GEOJSON_DECIMALS), JSON)


def feature(
    feature_id: Any, geometry: Any, properties: Sequence[tuple[str, Any]]
) -> ColumnElement[Any]:
    """A GeoJSON Feature as a json value; `properties` are (name, SQL expression) pairs."""
    flat: list[Any] = []
    for name, value in properties:
        flat.extend((_key(name), value))
    return func.json_build_object(
        _key("type"),
        _key("Feature"),
        _key("id"),
        feature_id,
        _key("geometry"),
        geojson(geometry),
        _key("properties"),
        func.json_build_object(*flat),
    )


def _key(name: str) -> ColumnElement[str]:
    """A constant member name, written into the SQL rather than sent as a parameter."""
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a member name: {name!r}")
    return literal_column(f"'{name}'")


def feature_collection(features: Sequence[str], **members: Any) -> str:
    """Join features' GeoJSON texts into a FeatureCollection, with extra top-level members
    (`links`, `numberReturned`, ...) serialised after them."""
    head = '{"type":"FeatureCollection","features":['
    tail = "".join(f",{json.dumps(key)}:{json.dumps(value)}" for key, value in members.items())
    return head + ",".join(features) + "]" + tail + "}"
