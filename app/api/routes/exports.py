"""Exports: `GET /exports/assets.{format}` and `GET /exports/areas.{format}`, with the
filters of `GET /assets` and `GET /areas`.

Each export is written once per version of the data into the spool, at the database's pace,
and sent from there with an ETag: a slow or stalled client holds a file, never a pooled
connection, and a crowd asking for the same export costs one build.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as PathParam
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.api.answers import AreaExport, AssetExport
from app.api.coproduction_answers import LinkExport
from app.api.deps import BBox, HeavyDep, SessionsDep
from app.api.filters import FilterDep
from app.api.openapi import Responses, answer, not_modified
from app.api.spooled import Spooled, spooled_response
from app.domain import areas
from app.domain.asset_search import AssetFilter
from app.io import exports
from app.io.exports import ExportFormat
from app.schemas import AreaLevel

router = APIRouter(prefix="/exports", tags=["exports"])

FormatPath = Annotated[ExportFormat, PathParam(description="geojson, csv or gpkg")]


def _files(shape: type[BaseModel]) -> Responses:
    """What each format is sent as; GeoJSON in `shape`."""
    others = [media for format, media in exports.MEDIA_TYPES.items() if format != "geojson"]
    return answer(200, "The file", *others, shapes={exports.MEDIA_TYPES["geojson"]: shape})


def _checks(wanted: AssetFilter) -> Callable[[Session], None]:
    """The check of an asset filter before anything is built (its 422s)."""

    def check(session: Session) -> None:
        exports.asset_layer(session, wanted)

    return check


@router.get(
    "/assets.{format}",
    summary="Download assets",
    response_class=Response,
    responses=_files(AssetExport) | not_modified(),
)
async def export_assets(
    request: Request,
    format: FormatPath,
    sessions: SessionsDep,
    heavy: HeavyDep,
    wanted: FilterDep,
) -> Response:
    """Every published asset matching the filters of `GET /assets`: GeoJSON (RFC 7946),
    CSV (lon/lat columns, footprints as WKT) or GeoPackage (layer `assets`, EPSG:4326)."""

    def build(session: Session, path: Path, cancel: threading.Event) -> None:
        exports.write_file(session, exports.asset_layer(session, wanted), path, format, cancel)

    answer = Spooled(
        what="exports/assets",
        params={"format": format, "filter": wanted},
        suffix=f".{format}",
        media_type=exports.MEDIA_TYPES[format],
        build=build,
        check=_checks(wanted),
        filename=f"assets.{format}",
    )
    return await spooled_response(request, sessions, heavy.spool, heavy.exports, answer)


@router.get(
    "/areas.{format}",
    summary="Download areas",
    response_class=Response,
    responses=_files(AreaExport) | not_modified(),
)
async def export_areas(
    request: Request,
    format: FormatPath,
    sessions: SessionsDep,
    heavy: HeavyDep,
    bbox: BBox,
    level: AreaLevel | None = None,
    parent: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """Every area matching the filters of `GET /areas`, with population and indicators:
    GeoJSON (RFC 7946), CSV (polygons as WKT) or GeoPackage (layer `areas`, EPSG:4326)."""
    wanted = areas.AreaFilter(level=level, parent=parent, bbox=bbox)

    def build(session: Session, path: Path, cancel: threading.Event) -> None:
        exports.write_file(session, exports.area_layer(wanted), path, format, cancel)

    answer = Spooled(
        what="exports/areas",
        params={"format": format, "filter": wanted},
        suffix=f".{format}",
        media_type=exports.MEDIA_TYPES[format],
        build=build,
        check=lambda session: areas.check_code(session, parent),
        filename=f"areas.{format}",
    )
    return await spooled_response(request, sessions, heavy.spool, heavy.exports, answer)


@router.get(
    "/links.{format}",
    summary="Download the links between assets",
    response_class=Response,
    responses=_files(LinkExport) | not_modified(),
)
async def export_links(
    request: Request,
    format: FormatPath,
    sessions: SessionsDep,
    heavy: HeavyDep,
    wanted: FilterDep,
) -> Response:
    """Every public link between two assets that both match the filters of `GET /assets`:
    GeoJSON (a line from one end's point to the other's), CSV or GeoPackage (layer
    `links`); the GeoPackage of the assets holds them too."""

    def layer(session: Session) -> exports.Layer:
        return exports.asset_layer(session, wanted).beside[0]

    def build(session: Session, path: Path, cancel: threading.Event) -> None:
        exports.write_file(session, layer(session), path, format, cancel)

    answer = Spooled(
        what="exports/links",
        params={"format": format, "filter": wanted},
        suffix=f".{format}",
        media_type=exports.MEDIA_TYPES[format],
        build=build,
        check=_checks(wanted),
        filename=f"links.{format}",
    )
    return await spooled_response(request, sessions, heavy.spool, heavy.exports, answer)
