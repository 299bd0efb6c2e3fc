"""GeoJSON built in PostgreSQL: one way to make a Feature, one way to make a collection.

Features are assembled by `json_build_object` + `ST_AsGeoJSON` in the database and travel
as text; Python only joins the texts of a page into a FeatureCollection.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import ColumnElement, cast, func, literal_column
from sqlalchemy.dialects.postgresql import JSON

# RFC 7946 recommends no more than 6-7 decimals: 7 is about a centimetre.
GEOJSON_DECIMALS = 7
# In a projected CRS, coordinates are metres: 3 decimals is a millimetre.
PROJECTED_DECIMALS = 3
WGS84 = 4326
BNG = 27700


def in_crs(geometry: Any, srid: int, stored: dict[int, Any] | None = None) -> Any:
    """A lon/lat (EPSG:4326) geometry column in EPSG:`srid`: a column already stored in that
    CRS when `stored` has one, else projected by PostGIS."""
    if srid == WGS84:
        return geometry
    if stored and srid in stored:
        return stored[srid]
    return func.ST_Transform(geometry, srid)


def geojson(geometry: Any, polygons: bool = False, srid: int = WGS84) -> ColumnElement[Any]:
    """A geometry column as a GeoJSON object: at most 7 decimals in lon/lat (EPSG:4326), 3 in
    a projected CRS (`srid`: the geometry must already be in it). With `polygons`, rings are
    wound as RFC 7946 asks: exteriors counter-clockwise, holes clockwise."""
    if polygons:
        geometry = func.ST_ForcePolygonCCW(geometry)
    decimals = GEOJSON_DECIMALS if srid == WGS84 else PROJECTED_DECIMALS
    # options 0: no `crs` member (RFC 7946 has none; OGC API says the CRS in a header)
    return cast(func.ST_AsGeoJSON(geometry, decimals, 0), JSON)


def feature(
    feature_id: Any,
    geometry: Any,
    properties: Sequence[tuple[str, Any]],
    polygons: bool = False,
    srid: int = WGS84,
) -> ColumnElement[Any]:
    """A GeoJSON Feature as a json value; `properties` are (name, SQL expression) pairs;
    `polygons` and `srid` as for geojson()."""
    flat: list[Any] = []
    for name, value in properties:
        flat.extend((_key(name), value))
    return func.json_build_object(
        _key("type"),
        _key("Feature"),
        _key("id"),
        feature_id,
        _key("geometry"),
        geojson(geometry, polygons, srid),
        _key("properties"),
        func.json_build_object(*flat),
    )


def _key(name: str) -> ColumnElement[str]:
    """A constant member name, written into the SQL rather than sent as a parameter."""
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a member name: {name!r}")
    return literal_column(f"'{name}'")


def feature_text(feature_id: str | int, geometry: str, properties: dict[str, Any]) -> str:
    """A Feature's text from its geometry's GeoJSON text (made by geojson() in the database)
    and properties computed outside it, such as an analysis' results."""
    return (
        f'{{"type":"Feature","id":{json.dumps(feature_id)},"geometry":{geometry},'
        f'"properties":{json.dumps(properties)}}}'
    )


def feature_collection(features: Sequence[str], **members: Any) -> str:
    """Join features' GeoJSON texts into a FeatureCollection, with extra top-level members
    (`links`, `numberReturned`, ...) serialised after them."""
    head = '{"type":"FeatureCollection","features":['
    tail = "".join(f",{_json(key)}:{_json(value)}" for key, value in members.items())
    return head + ",".join(features) + "]" + tail + "}"


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()
