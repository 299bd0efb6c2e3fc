"""Exports: `GET /exports/assets.{format}` and `GET /exports/areas.{format}`, with the
filters of `GET /assets` and `GET /areas`; GeoJSON and CSV stream, a GeoPackage is a file."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, StreamingResponse
from starlette.background import BackgroundTask

from app.api.deps import BBox, Near, StreamSessionDep, WithinM
from app.domain import areas, assets
from app.io import exports
from app.io.exports import ExportFormat, Layer
from app.schemas import AreaLevel, Kind, Slug

router = APIRouter(prefix="/exports", tags=["exports"])

FormatPath = Annotated[ExportFormat, PathParam(description="geojson, csv or gpkg")]


def _send(session: StreamSessionDep, layer: Layer, format: ExportFormat) -> Response:
    filename = f"{layer.name}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    media_type = exports.MEDIA_TYPES[format]
    if format == "gpkg":
        folder = Path(tempfile.mkdtemp(prefix="assetmap-export-"))
        path = folder / filename
        exports.write_gpkg(session, layer, path)
        cleanup = BackgroundTask(_remove, folder)
        return FileResponse(path, media_type=media_type, headers=headers, background=cleanup)
    chunks = (
        exports.geojson_chunks(session, layer)
        if format == "geojson"
        else exports.csv_chunks(session, layer)
    )
    return StreamingResponse(chunks, media_type=media_type, headers=headers)


def _remove(folder: Path) -> None:
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()


@router.get("/assets.{format}", summary="Download assets")
def export_assets(
    format: FormatPath,
    session: StreamSessionDep,
    bbox: BBox,
    near: Near,
    within_m: WithinM,
    kind: Kind | None = None,
    category: Slug | None = None,
    outcome: Slug | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    updated_since: datetime | None = None,
) -> Response:
    """Every published asset matching the filters of `GET /assets`: GeoJSON (RFC 7946),
    CSV (lon/lat columns, footprints as WKT) or GeoPackage (layer `assets`, EPSG:4326)."""
    wanted = assets.AssetFilter(
        bbox=bbox,
        near=near,
        within_m=within_m,
        kind=kind,
        category=category,
        outcome=outcome,
        q=q,
        updated_since=updated_since,
    )
    return _send(session, exports.asset_layer(session, wanted), format)


@router.get("/areas.{format}", summary="Download areas")
def export_areas(
    format: FormatPath,
    session: StreamSessionDep,
    bbox: BBox,
    level: AreaLevel | None = None,
    parent: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """Every area matching the filters of `GET /areas`, with population and indicators:
    GeoJSON (RFC 7946), CSV (polygons as WKT) or GeoPackage (layer `areas`, EPSG:4326)."""
    areas.check_parent(session, parent)
    wanted = areas.AreaFilter(level=level, parent=parent, bbox=bbox)
    return _send(session, exports.area_layer(wanted), format)
