"""`assetmap import ...`: areas, indicators, postcodes and assets from files."""

from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from app.cli.common import err, fail, out, run_import
from app.errors import Problem
from app.io.asset_import import import_assets
from app.io.asset_rows import AssetImport, parse_pairs
from app.io.sources import count_rows
from app.settings import ApiSettings

import_cli = typer.Typer(help="Import areas, indicators, postcodes and assets from files.")

# How long this process's one thread may keep the interpreter while another waits for it
# (Python's default is 5 ms). An asset import reads and checks the next chunk while its
# database thread writes the one before; that thread needs the interpreter for a moment
# each time the server answers, and with the default it waits a few milliseconds each time
# (a twentieth of the import, measured on bench/import_assets.py).
IMPORT_SWITCH_INTERVAL_S = 0.0005


@import_cli.callback()
def _importing(context: typer.Context) -> None:
    was = sys.getswitchinterval()
    sys.setswitchinterval(IMPORT_SWITCH_INTERVAL_S)
    context.call_on_close(lambda: sys.setswitchinterval(was))


def _rejects_path(given: Path | None, source: Path) -> Path:
    return given or Path.cwd() / f"{source.stem}.rejects.csv"


def _pairs(values: list[str], option: str) -> dict[str, str]:
    try:
        return parse_pairs(values, option)
    except Problem as problem:
        raise fail(problem.detail) from problem


FileArg = Annotated[Path, typer.Argument(help="The file to import", exists=False)]
RejectsOpt = Annotated[
    Path | None, typer.Option("--rejects", help="Where to write rejected rows (CSV)")
]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Exit 1 if any row is rejected")]


@import_cli.command("areas")
def import_areas_command(
    file: FileArg,
    level: Annotated[str, typer.Option(help="lsoa, ward, locality or local_authority")],
    code_field: Annotated[str | None, typer.Option(help="Column holding the area code")] = None,
    name_field: Annotated[str | None, typer.Option(help="Column holding the name")] = None,
    parent: Annotated[str | None, typer.Option(help="One parent code for every area")] = None,
    parent_lookup: Annotated[
        Path | None, typer.Option(help="CSV of child code -> parent code")
    ] = None,
    lookup_child: Annotated[str, typer.Option(help="Its child-code column")] = "code",
    lookup_parent: Annotated[str, typer.Option(help="Its parent-code column")] = "parent",
    parent_from: Annotated[
        str | None, typer.Option(help="Parent = the area at this level overlapping most")
    ] = None,
    rejects: RejectsOpt = None,
    strict: StrictOpt = False,
) -> None:
    """Neighbourhood polygons in any format and CRS GDAL reads; re-import updates by code."""
    from app.io.area_import import ParentLookup, import_areas

    lookup = (
        None if parent_lookup is None else ParentLookup(parent_lookup, lookup_child, lookup_parent)
    )
    run_import(
        file.name,
        lambda s: import_areas(s, file, level, code_field, name_field, parent, lookup, parent_from),
        _rejects_path(rejects, file),
        strict,
    )


@import_cli.command("indicators")
def import_indicators_command(
    file: FileArg,
    key: Annotated[str, typer.Option(help="Column holding the area code")],
    set_: Annotated[
        list[str], typer.Option("--set", help="name=COLUMN; `population` fills the population")
    ],
    year: Annotated[int | None, typer.Option(help="The year the figures describe")] = None,
    source: Annotated[str | None, typer.Option(help="Where the figures come from")] = None,
    rejects: RejectsOpt = None,
    strict: StrictOpt = False,
) -> None:
    """Join a CSV's columns onto areas by code (IMD score and decile, population, ...)."""
    from app.io.area_import import import_indicators

    columns = _pairs(set_, "--set")
    run_import(
        file.name,
        lambda s: import_indicators(s, file, key, columns, year, source),
        _rejects_path(rejects, file),
        strict,
    )


@import_cli.command("postcodes")
def import_postcodes_command(
    file: FileArg,
    postcode_field: Annotated[str, typer.Option(help="Postcode column")] = "postcode",
    lon_field: Annotated[str, typer.Option(help="Longitude column")] = "lon",
    lat_field: Annotated[str, typer.Option(help="Latitude column")] = "lat",
    lsoa_field: Annotated[str | None, typer.Option(help="LSOA code column")] = "lsoa_code",
    rejects: RejectsOpt = None,
    strict: StrictOpt = False,
) -> None:
    """The offline postcode lookup (postcode, lon, lat, optional LSOA)."""
    from app.io.area_import import import_postcodes

    extent = ApiSettings().service_extent
    run_import(
        file.name,
        lambda s: import_postcodes(
            s, file, extent, postcode_field, lon_field, lat_field, lsoa_field
        ),
        _rejects_path(rejects, file),
        strict,
    )


@import_cli.command("assets")
def import_assets_command(
    file: FileArg,
    kind: Annotated[str, typer.Option(help="The kind of every asset in the file")],
    source: Annotated[str, typer.Option(help="Name of the source, e.g. council-register")],
    category: Annotated[str | None, typer.Option(help="Category slug")] = None,
    ref_field: Annotated[
        list[str] | None,
        typer.Option(help="Column(s) identifying a row across re-imports (repeatable)"),
    ] = None,
    map_: Annotated[
        list[str] | None, typer.Option("--map", help="target=COLUMN, e.g. name=DISTNAME")
    ] = None,
    lon_field: Annotated[str | None, typer.Option(help="CSV: longitude column")] = None,
    lat_field: Annotated[str | None, typer.Option(help="CSV: latitude column")] = None,
    na: Annotated[list[str] | None, typer.Option(help="A value meaning empty, e.g. NA")] = None,
    atomic: Annotated[bool, typer.Option(help="Take every row or none")] = False,
    rejects: RejectsOpt = None,
    strict: StrictOpt = False,
) -> None:
    """Assets from GeoJSON, GeoPackage, Shapefile, or CSV with lon/lat or postcode columns.
    Upserts on (source, source_ref): a re-sent file changes nothing."""
    plan = AssetImport(
        kind=kind,
        source=source,
        category=category,
        ref_fields=list(ref_field or []),
        mapping=_pairs(list(map_ or []), "--map"),
        lon_field=lon_field,
        lat_field=lat_field,
        na_values=frozenset(na or []),
        atomic=atomic,
    )
    extent = ApiSettings().service_extent
    total = count_rows(file) if file.is_file() else None
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task(f"importing {file.name}", total=total)
        started = time.perf_counter()
        report = run_import(
            file.name,
            lambda s: import_assets(s, file, plan, extent, lambda n: progress.advance(task, n)),
            _rejects_path(rejects, file),
            strict,
        )
    seconds = time.perf_counter() - started
    if report.chunk_seconds:
        out.print(
            f"{report.rows} rows in {seconds:.2f} s; " + chunk_times(report.chunk_seconds),
            soft_wrap=True,
        )


def chunk_times(seconds: list[float]) -> str:
    """The database's time per chunk of an import, as one line: how many chunks, the
    fastest, median and slowest in seconds, and the median of the first and of the last
    tenth of the chunks (the same when the import keeps its pace to the end)."""
    tenth = max(1, len(seconds) // 10)
    return (
        f"{len(seconds)} chunks written, seconds per chunk: min {min(seconds):.3f}, "
        f"median {statistics.median(seconds):.3f}, max {max(seconds):.3f}; "
        f"first tenth {statistics.median(seconds[:tenth]):.3f}, "
        f"last tenth {statistics.median(seconds[-tenth:]):.3f}"
    )


@import_cli.command("oruk")
def import_oruk_command(
    location: Annotated[
        str, typer.Argument(help="A feed's base URL (https://.../oruk) or a JSON file")
    ],
    source: Annotated[
        str | None, typer.Option(help="Keep its assets under this source (default oruk:HOST)")
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option(help="CSV of term,category: its taxonomy terms -> our slugs")
    ] = None,
    default_kind: Annotated[
        str, typer.Option(help="The kind of a service no term places")
    ] = "institution",
    full: Annotated[
        bool, typer.Option("--full", help="Read every service, not only those changed since")
    ] = False,
    atomic: Annotated[bool, typer.Option(help="Take every service or none")] = False,
    rejects: RejectsOpt = None,
    strict: StrictOpt = False,
) -> None:
    """An Open Referral UK v3 feed, every page, or a JSON file of its services: services
    and their places, organisations, contacts, schedules and terms, as assets. Idempotent
    on the feed's service ids; a re-run asks only for what changed since the last."""
    from app.io.oruk_import import FeedPlan, import_feed
    from app.settings import FeedSettings

    plan = FeedPlan(location, source, mapping, default_kind, incremental=not full, atomic=atomic)
    extent = ApiSettings().service_extent
    label = Path(location).name if not location.lower().startswith("http") else location
    run_import(
        label,
        lambda s: import_feed(s, plan, extent, FeedSettings()),
        _rejects_path(rejects, Path(re.sub(r"[^\w-]+", "-", plan.source_name) + ".json")),
        strict,
    )
