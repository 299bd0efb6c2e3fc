"""Exports: the assets or areas layer written to a file as GeoJSON, CSV or GeoPackage.

GeoJSON is written from Feature texts built by PostgreSQL and read through a server-side
cursor, and CSV from PostgreSQL's COPY, so memory stays flat at any size; a GeoPackage
file is written by pyogrio a chunk at a time. The service writes them into its spool
(app.io.spool) and serves the file; the CLI writes them where it is told.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.domain import areas, asset_export, asset_search, links
from app.domain.asset_fields import EXPORT_NAMES
from app.io.spool import check

ExportFormat = Literal["geojson", "csv", "gpkg"]
MEDIA_TYPES: dict[str, str] = {
    "geojson": "application/geo+json",
    "csv": "text/csv; charset=utf-8",
    "gpkg": "application/geopackage+sqlite3",
}
CHUNK_ROWS = 5_000
# a server-side cursor, for this statement only
STREAM = {"stream_results": True, "max_row_buffer": CHUNK_ROWS}


@dataclass(frozen=True)
class Layer:
    """One layer to export: its name, its Feature-text query, its table-row query (the
    `columns` then the geometry as WKB) and their parameters."""

    name: str
    features: Select[Any]
    rows: Select[Any]
    columns: tuple[str, ...]
    params: dict[str, Any]
    geometry_type: str
    # written beside it in a GeoPackage, as layers of their own (the assets' links)
    beside: tuple[Layer, ...] = ()


def asset_layer(session: Session, wanted: asset_search.AssetFilter) -> Layer:
    """The public assets matching `wanted` (a 422 for an unknown category or outcome)."""
    features, params = asset_export.export_query(session, wanted, "features")
    rows, _ = asset_export.export_query(session, wanted, "rows")
    exported = select(rows.subquery().c.id)
    beside = link_layer(exported, params)
    return Layer("assets", features, rows, EXPORT_NAMES, params, "Point", (beside,))


def link_layer(among: Any = None, params: dict[str, Any] | None = None) -> Layer:
    """The public links (between the assets `among` selects, if given, with its `params`)."""
    return Layer(
        "links",
        links.export_query("features", among),
        links.export_query("rows", among),
        links.EXPORT_COLUMNS,
        params or {},
        "LineString",
    )


def area_layer(wanted: areas.AreaFilter) -> Layer:
    return Layer(
        "areas",
        areas.export_query(wanted, "features"),
        areas.export_query(wanted, "rows"),
        areas.EXPORT_COLUMNS,
        {},
        "MultiPolygon",
    )


def geojson_chunks(session: Session, layer: Layer) -> Iterator[bytes]:
    """An RFC 7946 FeatureCollection, a few thousand Features at a time."""
    result = session.connection().execute(layer.features, layer.params, execution_options=STREAM)
    yield b'{"type":"FeatureCollection","features":['
    separator = ""
    for partition in result.partitions(CHUNK_ROWS):
        yield (separator + ",".join(row[0] for row in partition)).encode()
        separator = ","
    yield b"]}"


def csv_chunks(session: Session, layer: Layer) -> Iterator[bytes]:
    """A header of the layer's columns, then a row per feature, as COPY writes them."""
    named = [
        column.label(name)
        for column, name in zip(layer.rows.selected_columns, layer.columns, strict=False)
    ]
    table = layer.rows.with_only_columns(*named)
    connection = session.connection()
    compiled = table.compile(dialect=connection.dialect)
    params = compiled.construct_params(layer.params)
    driver = connection.connection.driver_connection
    assert driver is not None  # a live psycopg connection: this session holds it
    with (
        driver.cursor() as cursor,
        cursor.copy(f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv, HEADER)", params) as copy,
    ):
        for data in copy:
            yield bytes(data)


def write_gpkg(
    session: Session, layer: Layer, path: Path, cancel: threading.Event | None = None
) -> int:
    """Write the layer to a new GeoPackage at `path` (layer named as the layer, EPSG:4326);
    returns the number of features. Stops between chunks once `cancel` is set."""
    # geopandas and pyogrio double the server's memory: loaded for GeoPackages only
    import geopandas as gpd
    import pyogrio

    result = session.connection().execute(layer.rows, layer.params, execution_options=STREAM)
    written = 0
    for partition in result.partitions(CHUNK_ROWS):
        if cancel is not None:
            check(cancel)
        columns = list(zip(*partition, strict=True))
        frame = gpd.GeoDataFrame(
            dict(zip(layer.columns, columns[:-1], strict=True)),
            geometry=gpd.GeoSeries.from_wkb([bytes(wkb) for wkb in columns[-1]], crs=4326),
        )
        pyogrio.write_dataframe(
            frame,
            path,
            layer=layer.name,
            driver="GPKG",
            append=written > 0,
            geometry_type=layer.geometry_type,
        )
        written += len(partition)
    if written == 0:
        empty = gpd.GeoDataFrame(
            {name: [] for name in layer.columns}, geometry=gpd.GeoSeries([], crs=4326)
        )
        pyogrio.write_dataframe(
            empty, path, layer=layer.name, driver="GPKG", geometry_type=layer.geometry_type
        )
    return written


def write_file(
    session: Session,
    layer: Layer,
    path: Path,
    format: ExportFormat | None = None,
    cancel: threading.Event | None = None,
) -> None:
    """The layer written to `path`, in `format` or else the one its suffix names (.geojson,
    .csv, .gpkg); stops between chunks (app.io.spool.Cancelled) once `cancel` is set."""
    kind = format or export_format(path)
    if kind == "gpkg":
        path.unlink(missing_ok=True)
        for written in (layer, *layer.beside):
            write_gpkg(session, written, path, cancel)
        return
    chunks = geojson_chunks(session, layer) if kind == "geojson" else csv_chunks(session, layer)
    with path.open("wb") as out:
        for chunk in chunks:
            if cancel is not None:
                check(cancel)
            out.write(chunk)


def export_format(path: Path) -> ExportFormat:
    """The format a file's suffix names; ValueError for any other."""
    formats: dict[str, ExportFormat] = {
        ".geojson": "geojson",
        ".json": "geojson",
        ".csv": "csv",
        ".gpkg": "gpkg",
    }
    found = formats.get(path.suffix.lower())
    if found is None:
        raise ValueError(f"{path.name}: the file must end in .geojson, .csv or .gpkg")
    return found
