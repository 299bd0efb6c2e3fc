"""`POST /imports`: a council's file of assets, over HTTP, with the CLI's options."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile

from app.api.answers import ImportReportOut
from app.api.deps import SessionDep, SettingsDep, SignedInDep
from app.api.openapi import problems
from app.domain.access import forbidden
from app.errors import FieldProblem, Problem, invalid
from app.io.uploads import upload_folder
from app.schemas import Kind, Slug

router = APIRouter(tags=["imports"])

SUFFIXES = {".geojson", ".json", ".gpkg", ".csv", ".zip", ".shp", ".fgb", ".kml", ".gml"}


@router.post(
    "/imports",
    response_model=ImportReportOut,
    summary="Import a file of assets",
    responses=problems(403),
)
def import_file(
    session: SessionDep,
    account: SignedInDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="GeoJSON, GeoPackage, zipped Shapefile or CSV")],
    kind: Annotated[Kind, Form()],
    source: Annotated[str, Form(min_length=1, max_length=100)],
    category: Annotated[Slug | None, Form()] = None,
    ref_field: Annotated[list[str] | None, Form(description="Repeatable")] = None,
    map_: Annotated[
        list[str] | None, Form(alias="map", description="target=COLUMN, repeatable")
    ] = None,
    lon_field: Annotated[str | None, Form()] = None,
    lat_field: Annotated[str | None, Form()] = None,
    na: Annotated[list[str] | None, Form(description="Values meaning empty")] = None,
    atomic: Annotated[bool, Query(description="Take every row or none")] = False,
) -> dict[str, Any]:
    """Import assets as `assetmap import assets` does and answer with the same report:
    inserted / updated / unchanged / rejected counts and each rejected row with its reason.
    With `atomic=true`, one rejected row means nothing is written (422 with the report).
    For admins: imported assets are published without moderation."""
    if account.role != "admin":
        raise forbidden("only admins import files: their assets are published at once")
    # The readers (pyogrio, pyarrow, geopandas) are loaded on the first import, not with the
    # server, whose every worker would otherwise hold them.
    from app.io.asset_import import import_assets
    from app.io.asset_rows import AssetImport, parse_pairs
    from app.io.sources import SourceError

    suffix = Path(file.filename or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise invalid("file", f"a {suffix or 'nameless'} file is not one this service reads")
    plan = AssetImport(
        kind=kind,
        source=source,
        category=category,
        ref_fields=list(ref_field or []),
        mapping=parse_pairs(list(map_ or []), "map"),
        lon_field=lon_field,
        lat_field=lat_field,
        na_values=frozenset(na or []),
        atomic=atomic,
    )
    with upload_folder(settings.upload_dir) as folder:
        path = folder / f"upload{suffix}"
        with path.open("wb") as target:
            shutil.copyfileobj(file.file, target, length=1 << 20)
        if suffix == ".zip":
            path = Path(f"/vsizip/{path}")
        try:
            report = import_assets(
                session, path, plan, settings.service_extent, actor=account.email
            )
        except SourceError as unreadable:
            # named as the client named it, never by where the server keeps it
            sent = Path(file.filename or path.name).name
            raise invalid("file", str(unreadable).replace(path.name, sent)) from unreadable
    if not report.committed:  # raising rolls the session's transaction back
        raise Problem(
            422,
            f"{report.rejected} rows rejected, so nothing was written (atomic)",
            [FieldProblem(f"file.row[{r.row}]", r.reason) for r in report.rejects[:100]],
            extra={"report": report.as_dict()},
        )
    return report.as_dict()
