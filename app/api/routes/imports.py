"""`POST /imports`: a council's file of assets, over HTTP, with the CLI's options."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, UploadFile
from sqlalchemy.orm import Session

from app.api.answers import ImportReportOut
from app.api.deps import FeedSettingsDep, SessionDep, SettingsDep, SignedInDep
from app.api.openapi import problems
from app.domain.access import forbidden
from app.errors import FieldProblem, Problem, invalid
from app.i18n import said
from app.io.uploads import upload_folder
from app.schemas import Kind, Slug
from app.settings import ApiSettings, FeedSettings

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
    feed_settings: FeedSettingsDep,
    file: Annotated[
        UploadFile | None,
        File(description="GeoJSON, GeoPackage, zipped Shapefile or CSV; or ORUK services (JSON)"),
    ] = None,
    kind: Annotated[Kind | None, Form(description="Every asset's; an ORUK feed's default")] = None,
    source: Annotated[str | None, Form(min_length=1, max_length=100)] = None,
    format: Annotated[
        Literal["file", "oruk"],
        Form(description="`oruk`: an Open Referral UK feed, from `url` or a JSON `file`"),
    ] = "file",
    url: Annotated[
        str | None, Form(max_length=2000, description="With format=oruk: the feed's base URL")
    ] = None,
    mapping: Annotated[
        UploadFile | None,
        File(description="With format=oruk: CSV of term -> category (our slugs)"),
    ] = None,
    full: Annotated[
        bool, Form(description="With format=oruk: read the whole feed, not only what changed")
    ] = False,
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
    if not account.everywhere:
        raise forbidden("only admins of everything import: their assets are published at once")
    if format == "oruk":
        feed = FeedUpload(file, url, mapping, source, kind or "institution", full, atomic)
        return _import_feed(session, settings, feed_settings, feed, account.email)
    if file is None:
        raise invalid("file", "send the file to import")
    if kind is None:
        raise invalid("kind", "say the kind of every asset in the file")
    if source is None:
        raise invalid("source", "name the source, e.g. council-register")
    # The readers (pyogrio, pyarrow, geopandas) are loaded on the first import, not with the
    # server, whose every worker would otherwise hold them.
    from app.io.asset_import import import_assets
    from app.io.asset_rows import AssetImport, parse_pairs
    from app.io.sources import SourceError

    suffix = Path(file.filename or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise invalid(
            "file", said("a {value} file is not one this service reads", value=suffix or "nameless")
        )
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
            said(
                "{rejected} rows rejected, so nothing was written (atomic)",
                rejected=report.rejected,
            ),
            [FieldProblem(f"file.row[{r.row}]", r.reason) for r in report.rejects[:100]],
            extra={"report": report.as_dict()},
        )
    return report.as_dict()


@dataclass(frozen=True)
class FeedUpload:
    """What `format=oruk` sent: a JSON file of services or a feed's URL, and the plan."""

    file: UploadFile | None
    url: str | None
    mapping: UploadFile | None
    source: str | None
    default_kind: str
    full: bool
    atomic: bool


def _import_feed(
    session: Session,
    settings: ApiSettings,
    feed_settings: FeedSettings,
    sent: FeedUpload,
    actor: str,
) -> dict[str, Any]:
    from app.io.oruk_import import FeedPlan, import_feed
    from app.io.sources import SourceError

    if (sent.file is None) == (sent.url is None):
        raise invalid("url", "send either a feed's url or a JSON file of its services")
    if sent.url is not None and not re.match(r"^https?://", sent.url, re.IGNORECASE):
        raise invalid("url", "must be an http(s) URL")
    with upload_folder(settings.upload_dir) as folder:
        saved = folder / "services.json"
        if sent.file is not None:
            _save(sent.file, saved)
        location = str(saved) if sent.file is not None else str(sent.url)
        mapping = None
        if sent.mapping is not None:
            mapping = folder / "mapping.csv"
            _save(sent.mapping, mapping)
        plan = FeedPlan(
            location,
            sent.source or (None if sent.file is None else "oruk:upload"),
            mapping,
            sent.default_kind,
            incremental=not sent.full,
            atomic=sent.atomic,
        )
        try:
            report = import_feed(session, plan, settings.service_extent, feed_settings, actor=actor)
        except SourceError as unreadable:
            field = "url" if sent.url is not None else "file"
            message = str(unreadable).replace(str(folder) + "/", "")
            raise invalid(field, message) from unreadable
    if not report.committed:
        raise Problem(
            422,
            said(
                "{rejected} services rejected, so nothing was written (atomic)",
                rejected=report.rejected,
            ),
            [FieldProblem(f"services[{r.row}]", r.reason) for r in report.rejects[:100]],
            extra={"report": report.as_dict()},
        )
    return report.as_dict()


def _save(upload: UploadFile, path: Path) -> None:
    with path.open("wb") as target:
        shutil.copyfileobj(upload.file, target, length=1 << 20)
