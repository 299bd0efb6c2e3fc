"""Reading the files councils hold, a chunk of rows at a time, so memory stays flat.

GeoJSON, GeoPackage, Shapefile and anything else GDAL reads come through pyogrio's Arrow
stream and are reprojected to EPSG:4326; CSV comes through the csv module, with a point
from lon/lat columns when named.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ijson
import numpy as np
import shapely
from shapely.errors import GEOSException
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

# GDAL (pyogrio, which loads geopandas and pandas) and PROJ are loaded when a file needs them:
# GeoJSON FeatureCollections and CSV, the commonest files, need neither.
if TYPE_CHECKING:
    from pyproj import Transformer

CHUNK_ROWS = 5_000


class SourceError(ValueError):
    """The file as a whole cannot be read: the message says why, for a person."""


@dataclass
class SourceRow:
    """One row of a file: its 1-based number, its attributes, and its geometry in EPSG:4326
    (None when it has none, or a message saying why its coordinates are unusable)."""

    number: int
    attributes: dict[str, Any]
    geometry: BaseGeometry | None
    geometry_problem: str | None = None


def is_csv(path: Path) -> bool:
    return path.suffix.lower() in {".csv", ".txt", ".tsv"}


def read_rows(
    path: Path,
    lon_field: str | None = None,
    lat_field: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[list[SourceRow]]:
    """Chunks of rows of a spatial file or a CSV; raises SourceError for an unreadable file."""
    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    if is_csv(path):
        yield from _csv_rows(path, lon_field, lat_field, chunk_rows)
    elif _plain_feature_collection(path):
        yield from _geojson_rows(path, chunk_rows)
    else:
        yield from _spatial_rows(path, chunk_rows)


def count_rows(path: Path) -> int | None:
    """How many rows a file has, when that is cheap to know (None otherwise)."""
    if is_csv(path) or _plain_feature_collection(path):
        return None  # knowing would mean reading the whole file once more
    import pyogrio

    try:
        count = int(pyogrio.read_info(path)["features"])
    except Exception:  # GDAL errors carry no common base class worth naming here
        return None
    return count if count >= 0 else None


def _plain_feature_collection(path: Path) -> bool:
    """Whether `path` is a GeoJSON FeatureCollection in lon/lat (RFC 7946: no `crs` member
    naming another CRS), which is streamed here feature by feature: GDAL's GeoJSON reader
    keeps a little of every feature, so its memory grows with the file."""
    if path.suffix.lower() not in {".geojson", ".json"}:
        return False
    with path.open("rb") as file:
        head = file.read(1 << 16).decode("utf-8", errors="replace")
    if not re.search(r'"type"\s*:\s*"FeatureCollection"', head):
        return False
    crs = re.search(r'"crs"\s*:\s*\{.*?"name"\s*:\s*"([^"]+)"', head, re.DOTALL)
    return crs is None or crs.group(1).upper().endswith(("CRS84", "EPSG::4326", "EPSG:4326"))


def _geojson_rows(path: Path, chunk_rows: int) -> Iterator[list[SourceRow]]:
    number = 0
    features: list[dict[str, Any]] = []
    try:
        with path.open("rb") as file:
            for feature in ijson.items(file, "features.item", use_float=True):
                features.append(feature)
                if len(features) == chunk_rows:
                    yield _feature_rows(features, number)
                    number += len(features)
                    features = []
        if features:
            yield _feature_rows(features, number)
    except (ijson.JSONError, UnicodeDecodeError) as broken:
        raise SourceError(
            f"{path.name}: is not valid GeoJSON past feature {number + len(features)} "
            f"({str(broken).splitlines()[0]})"
        ) from None


def _feature_rows(features: list[dict[str, Any]], first: int) -> list[SourceRow]:
    geometries: list[BaseGeometry | None] = [None] * len(features)
    problems: list[str | None] = [None] * len(features)
    # Points, by far the commonest, are made all at once; other shapes one by one.
    point_rows, point_xy = [], []
    for index, feature in enumerate(features):
        raw = feature.get("geometry") if isinstance(feature, dict) else None
        if raw is None:
            continue
        coordinates = raw.get("coordinates") if isinstance(raw, dict) else None
        if (
            raw.get("type") == "Point"
            and isinstance(coordinates, list)
            and len(coordinates) in (2, 3)
            and all(isinstance(c, int | float) for c in coordinates)
        ):
            point_rows.append(index)
            point_xy.append(coordinates[:2])
            continue
        try:
            geometries[index] = shape(raw)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError, GEOSException):
            problems[index] = "the geometry is not valid GeoJSON"
    if point_rows:
        for index, point in zip(
            point_rows, shapely.points(np.array(point_xy, dtype=float)), strict=True
        ):
            geometries[index] = point
    return [
        SourceRow(
            first + index + 1,
            dict((feature.get("properties") if isinstance(feature, dict) else None) or {}),
            geometries[index],
            problems[index],
        )
        for index, feature in enumerate(features)
    ]


def _spatial_rows(path: Path, chunk_rows: int) -> Iterator[list[SourceRow]]:
    import pyogrio
    import pyogrio.errors

    number = 0
    try:
        with pyogrio.open_arrow(path, batch_size=chunk_rows, use_pyarrow=True) as (meta, reader):
            transform = _to_wgs84(meta.get("crs"))
            geometry_column = meta.get("geometry_name") or "wkb_geometry"
            for batch in reader:
                rows = _batch_rows(batch, geometry_column, transform, number)
                number += len(rows)
                yield rows
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as broken:
        where = "cannot be read" if number == 0 else f"cannot be read past row {number}"
        raise SourceError(f"{path.name}: {where} by GDAL ({_named(str(broken), path)})") from None


def _named(message: str, path: Path) -> str:
    """GDAL's message with the file's folders left out: errors name no server path."""
    folder = str(path.parent)
    for shown in (folder, folder.removeprefix("/vsizip")):
        message = message.replace(shown + "/", "")
    return message


def _batch_rows(
    batch: Any, geometry_column: str, transform: Transformer | None, first: int
) -> list[SourceRow]:
    names = [n for n in batch.schema.names if n != geometry_column]
    columns = {name: batch.column(name).to_pylist() for name in names}
    wkb = (
        batch.column(geometry_column).to_pylist()
        if geometry_column in batch.schema.names
        else [None] * batch.num_rows
    )
    geometries = shapely.from_wkb(wkb, on_invalid="ignore")
    if transform is not None:
        geometries = shapely.transform(geometries, lambda xy: _transform(transform, xy))
    return [
        SourceRow(
            first + index + 1,
            {name: values[index] for name, values in columns.items()},
            geometries[index],
        )
        for index in range(batch.num_rows)
    ]


def _to_wgs84(crs: str | None) -> Transformer | None:
    if not crs:
        return None  # GeoJSON and unlabelled files are taken as lon/lat already
    from pyproj import CRS, Transformer

    source = CRS.from_user_input(crs)
    if source.equals(CRS.from_epsg(4326), ignore_axis_order=True):
        return None
    return Transformer.from_crs(source, 4326, always_xy=True)


def _transform(transformer: Transformer, xy: Any) -> Any:
    x, y = transformer.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def _csv_rows(
    path: Path, lon_field: str | None, lat_field: str | None, chunk_rows: int
) -> Iterator[list[SourceRow]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            reader = csv.DictReader(file)
            if reader.fieldnames is None:
                raise SourceError(f"{path.name}: the CSV is empty")
            for field in (lon_field, lat_field):
                if field is not None and field not in reader.fieldnames:
                    raise SourceError(f"{path.name}: has no column {field!r}")
            records: list[dict[str, Any]] = []
            for number, record in enumerate(reader, start=1):
                if None in record:
                    raise SourceError(f"{path.name}: row {number} has more values than columns")
                records.append(record)
                if len(records) == chunk_rows:
                    yield _csv_chunk(records, number - len(records), lon_field, lat_field)
                    records = []
            if records:
                yield _csv_chunk(records, number - len(records), lon_field, lat_field)
    except UnicodeDecodeError:
        raise SourceError(f"{path.name}: is not UTF-8 text") from None
    except csv.Error as broken:
        raise SourceError(f"{path.name}: is not a readable CSV ({broken})") from None


def _csv_chunk(
    records: list[dict[str, Any]], first: int, lon_field: str | None, lat_field: str | None
) -> list[SourceRow]:
    """Rows numbered from `first` + 1, with their points made all at once."""
    rows = [SourceRow(first + index + 1, record, None) for index, record in enumerate(records)]
    if lon_field is None or lat_field is None:
        return rows
    point_rows, point_xy = [], []
    for index, row in enumerate(rows):
        xy, row.geometry_problem = _csv_lonlat(row.attributes[lon_field], row.attributes[lat_field])
        if xy is not None:
            point_rows.append(index)
            point_xy.append(xy)
    if point_rows:
        for index, point in zip(
            point_rows, shapely.points(np.array(point_xy, dtype=float)), strict=True
        ):
            rows[index].geometry = point
    return rows


def _csv_lonlat(lon: str | None, lat: str | None) -> tuple[tuple[float, float] | None, str | None]:
    """A row's point as (lon, lat), or None with the reason it has none usable (None when
    both cells are empty)."""
    if not (lon or "").strip() and not (lat or "").strip():
        return None, None
    try:
        x, y = float(lon or ""), float(lat or "")
    except ValueError:
        return None, f"lon/lat {lon!r}, {lat!r} are not numbers"
    if not (math.isfinite(x) and math.isfinite(y)):
        return None, "lon/lat must be finite numbers"
    return (x, y), None
