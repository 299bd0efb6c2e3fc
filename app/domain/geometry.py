"""Checking and shaping asset geometries before they reach the database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shapely import force_2d
from shapely.geometry import MultiPolygon, Point, Polygon, shape
from shapely.validation import explain_validity

from app.errors import invalid
from app.i18n import said

Extent = tuple[float, float, float, float]


@dataclass(frozen=True)
class AssetLocation:
    """Where an asset is: a point, and for a building or park its footprint (EPSG:4326)."""

    point: Point
    footprint: MultiPolygon | None

    @property
    def point_wkt(self) -> str:
        return f"SRID=4326;{self.point.wkt}"

    @property
    def footprint_wkt(self) -> str | None:
        return None if self.footprint is None else f"SRID=4326;{self.footprint.wkt}"


def asset_location(
    geometry: dict[str, Any], extent: Extent, field: str = "geometry"
) -> AssetLocation:
    """Check a GeoJSON Point/Polygon/MultiPolygon (lon/lat) and return the asset's location.

    A polygon is kept as the footprint, with a point guaranteed to lie inside it. Heights
    (a third coordinate) and measures (a fourth) are dropped, as imports drop them. Raises
    a 422 `Problem` naming `field` for coordinates out of range, outside the service
    `extent` (minlon, minlat, maxlon, maxlat), or a self-intersecting polygon.
    """
    shaped = force_2d(shape(geometry))
    if shaped.is_empty:
        raise invalid(f"{field}.coordinates", "must not be empty")
    minlon, minlat, maxlon, maxlat = shaped.bounds
    if not (minlon >= -180 and maxlon <= 180):
        raise invalid(f"{field}.coordinates", "longitude must lie between -180 and 180")
    if not (minlat >= -90 and maxlat <= 90):
        raise invalid(f"{field}.coordinates", "latitude must lie between -90 and 90")
    ext_minlon, ext_minlat, ext_maxlon, ext_maxlat = extent
    if not (
        ext_minlon <= minlon
        and maxlon <= ext_maxlon
        and ext_minlat <= minlat
        and maxlat <= ext_maxlat
    ):
        raise invalid(
            f"{field}.coordinates",
            said(
                "lies outside the service extent {value} (lon, lat order: are they swapped?)",
                value=list(extent),
            ),
        )
    if isinstance(shaped, Point):
        return AssetLocation(shaped, None)
    if not shaped.is_valid:
        raise invalid(
            f"{field}.coordinates",
            said("is not a valid polygon: {value}", value=explain_validity(shaped)),
        )
    footprint = MultiPolygon([shaped]) if isinstance(shaped, Polygon) else shaped
    return AssetLocation(footprint.point_on_surface(), footprint)
