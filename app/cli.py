"""The `assetmap` command: the local database, migrations and the server."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app import localdb
from app.db import database_url, make_engine, make_sessionmaker
from app.errors import Problem
from app.io.asset_import import AssetImport, import_assets, parse_pairs
from app.io.report import ImportReport, write_rejects
from app.io.sources import SourceError, count_rows
from app.schemas import AreaLevel, Kind
from app.settings import (
    PROJECT_ROOT,
    AnalysisSettings,
    ApiSettings,
    AuthSettings,
    DatabaseSettings,
    ServerSettings,
)

# Each command imports the analyses, importers and exporters it runs when it runs: loading
# them all would add two seconds to every command (an import of 100,000 rows takes five).
if TYPE_CHECKING:
    from app.io import exports
    from app.io.demo import Step

cli = typer.Typer(
    pretty_exceptions_enable=False,
    help="Community Asset Map: assets, areas and gap analyses on PostGIS.",
)
db_cli = typer.Typer(help="The database: the project-local cluster, or DATABASE_URL's server.")
cli.add_typer(db_cli, name="db")
import_cli = typer.Typer(help="Import areas, indicators, postcodes and assets from files.")
cli.add_typer(import_cli, name="import")
export_cli = typer.Typer(help="Export assets or areas as GeoJSON, CSV or GeoPackage.")
cli.add_typer(export_cli, name="export")
users_cli = typer.Typer(help="Accounts: contributors, moderators, analysts, admins.")
cli.add_typer(users_cli, name="users")

out = Console()
err = Console(stderr=True)


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code=1)


def _local_cluster(settings: DatabaseSettings) -> localdb.Cluster:
    try:
        return localdb.cluster_for(settings)
    except localdb.LocalDatabaseError as problem:
        raise _fail(str(problem)) from problem


@db_cli.command("up")
def db_up() -> None:
    """Create (first time) and start the project-local cluster; with DATABASE_URL, check it."""
    settings = DatabaseSettings()
    try:
        if settings.url:
            maintenance = settings.url.rsplit("/", 1)[0] + "/postgres"
            if localdb.ensure_database(settings.url, maintenance):
                out.print("created the database named in DATABASE_URL, with PostGIS")
            out.print("using DATABASE_URL's server")
            return
        cluster = _local_cluster(settings)
        for line in localdb.up(cluster) or ["the local database is already running"]:
            out.print(line)
    except (localdb.LocalDatabaseError, OSError) as problem:
        raise _fail(str(problem)) from problem
    except Exception as problem:  # a driver error: say it plainly, without a traceback
        raise _fail(f"cannot reach the database: {problem}") from problem


@db_cli.command("down")
def db_down() -> None:
    """Stop the project-local cluster (its data is kept)."""
    settings = DatabaseSettings()
    if settings.url:
        raise _fail("DATABASE_URL is set: that server is not ours to stop")
    stopped = localdb.down(_local_cluster(settings))
    out.print("stopped the local database" if stopped else "the local database was not running")


@db_cli.command("status")
def db_status() -> None:
    """Say which database is in use and whether it is running; exit 1 when it is not."""
    settings = DatabaseSettings()
    if settings.url:
        out.print("using DATABASE_URL")
        return
    cluster = _local_cluster(settings)
    running = localdb.is_running(cluster)
    out.print(
        f"local cluster in {cluster.base}, port {cluster.port}: "
        + ("running" if running else "not running")
    )
    if not running:
        raise typer.Exit(code=1)


@db_cli.command("url")
def db_url() -> None:
    """Print the SQLAlchemy URL of the database in use."""
    try:
        print(database_url(DatabaseSettings()))
    except localdb.LocalDatabaseError as problem:
        raise _fail(str(problem)) from problem


@cli.command()
def migrate(
    revision: Annotated[str, typer.Argument(help="Target revision")] = "head",
    down: Annotated[bool, typer.Option("--down", help="Downgrade to the revision")] = False,
) -> None:
    """Bring the schema to a revision with Alembic (default: the newest)."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    try:
        config.attributes["url"] = database_url(DatabaseSettings())
    except localdb.LocalDatabaseError as problem:
        raise _fail(str(problem)) from problem
    if down:
        command.downgrade(config, revision)
    else:
        command.upgrade(config, revision)


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes")] = None,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs)."""
    server = ServerSettings()
    # uvicorn replaces this process, so the server holds only what the app imports, not the
    # importers and analyses this command line loads (150 MB less per server).
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "app.main:create_app",
        "--factory",
        "--host",
        host or server.host,
        "--port",
        str(port or server.port),
        "--workers",
        str(workers or server.workers),
        "--proxy-headers",
    ]
    os.execv(sys.executable, command)  # noqa: S606 (fixed arguments, no shell)


def _sessions() -> sessionmaker[Session]:
    try:
        url = database_url(DatabaseSettings())
    except localdb.LocalDatabaseError as problem:
        raise _fail(str(problem)) from problem
    return make_sessionmaker(make_engine(url, pool_size=1))


def _import(
    label: str,
    work: Callable[[Session], ImportReport],
    rejects: Path | None,
    strict: bool,
    factory: sessionmaker[Session] | None = None,
) -> ImportReport:
    """Run one import in its own transaction and print its report; exit non-zero on a
    broken file or plan, or on rejects with --strict."""
    factory = factory or _sessions()
    with factory() as session:
        session.begin()
        try:
            report = work(session)
            if report.committed:
                session.commit()
            else:
                session.rollback()
        except Problem as problem:
            session.rollback()
            raise _fail(problem.detail) from problem
        except SourceError as problem:
            session.rollback()
            raise _fail(str(problem)) from problem
        except SQLAlchemyError as problem:
            session.rollback()
            cause = getattr(problem, "orig", None) or problem
            raise _fail(f"the database refused the import: {cause}") from None
    _print_report(label, report, rejects)
    if strict and report.rejected:
        raise typer.Exit(code=1)
    return report


def _print_report(label: str, report: ImportReport, rejects: Path | None) -> None:
    out.print(
        f"[bold]{label}[/]: {report.inserted} inserted, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.rejected} rejected"
        + ("" if report.committed else " [red](nothing written)[/]")
    )
    for note in report.notes:
        out.print(f"  note: {note}")
    if report.rejects:
        for reject in report.rejects[:5]:
            out.print(f"  row {reject.row}: {reject.reason}")
        if rejects is not None:
            write_rejects(report.rejects, rejects)
            out.print(f"  every rejected row, with its reason, is in {rejects}")


def _rejects_path(given: Path | None, source: Path) -> Path:
    return given or Path.cwd() / f"{source.stem}.rejects.csv"


def _pairs(values: list[str], option: str) -> dict[str, str]:
    try:
        return parse_pairs(values, option)
    except Problem as problem:
        raise _fail(problem.detail) from problem


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
    _import(
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
    _import(
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
    _import(
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
        _import(
            file.name,
            lambda s: import_assets(s, file, plan, extent, lambda n: progress.advance(task, n)),
            _rejects_path(rejects, file),
            strict,
        )


@cli.command()
def demo(
    rejects: Annotated[Path | None, typer.Option(help="Folder for the reject reports")] = None,
) -> None:
    """Load the demo locality, Trafford: areas, IMD, population, postcodes and real assets.
    Safe to run again: a second run changes nothing."""
    from app.io.demo import steps as demo_steps

    extent = ApiSettings().service_extent
    factory = _sessions()
    for step in demo_steps():
        target = None if rejects is None else rejects / f"{step.label}.rejects.csv"
        _import(step.label, partial(_run_step, step, extent), target, False, factory)


def _run_step(
    step: Step, extent: tuple[float, float, float, float], session: Session
) -> ImportReport:
    return step.run(session, extent)


@users_cli.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="Their email: what they sign in with")],
    role: Annotated[str, typer.Option(help="contributor, moderator, analyst or admin")],
    area: Annotated[
        list[str] | None, typer.Option(help="For a moderator: an area they look after")
    ] = None,
    token: Annotated[
        bool, typer.Option("--token", help="Print an API token (alone, last line) instead")
    ] = False,
) -> None:
    """Create an account. Prints a one-time password to pass on, or with --token an API token
    for scripts (shown this once; only its digest is kept)."""
    from app.auth import accounts

    with _sessions()() as session, session.begin():
        try:
            user_id, password = accounts.create_user(session, email, role, list(area or []))
            issued = (
                accounts.issue_token(session, user_id, "api", AuthSettings(), "created with CLI")
                if token
                else None
            )
        except Problem as problem:
            raise _fail(problem.detail) from problem
    out.print(f"created {accounts.normalise_email(email)} ({role})")
    if issued is not None:
        print(issued.token)
    else:
        out.print("one-time password (pass it on; they can sign in with it):")
        print(password)


ExportFile = Annotated[Path, typer.Argument(help="The file to write: .geojson, .csv or .gpkg")]


def _export(file: Path, layer: Callable[[Session], exports.Layer]) -> None:
    from app.io import exports

    try:
        exports.export_format(file)
    except ValueError as problem:
        raise _fail(str(problem)) from problem
    with _sessions()() as session, session.begin():
        try:
            exports.write_file(session, layer(session), file)
        except Problem as problem:
            file.unlink(missing_ok=True)
            raise _fail(problem.detail) from problem
    out.print(f"written to {file}")


@export_cli.command("assets")
def export_assets_command(
    file: ExportFile,
    kind: Annotated[Kind | None, typer.Option(help="Only assets of this kind")] = None,
    category: Annotated[
        str | None, typer.Option(help="Only this category (slug) and those below it")
    ] = None,
    outcome: Annotated[str | None, typer.Option(help="Only assets serving this outcome")] = None,
    q: Annotated[str | None, typer.Option(help="Only assets whose text matches")] = None,
) -> None:
    """The published assets (people's skills only with consent, at their neighbourhood's
    point), as GET /exports/assets.{geojson,csv,gpkg} gives them."""
    from app.domain.assets import AssetFilter
    from app.io import exports

    wanted = AssetFilter(kind=kind, category=category, outcome=outcome, q=q)
    _export(file, lambda session: exports.asset_layer(session, wanted))


@export_cli.command("areas")
def export_areas_command(
    file: ExportFile,
    level: Annotated[AreaLevel | None, typer.Option(help="Only areas at this level")] = None,
    parent: Annotated[str | None, typer.Option(help="Only areas with this parent code")] = None,
) -> None:
    """The areas with population and indicators, as GET /exports/areas.{...} gives them."""
    from app.domain.areas import AreaFilter
    from app.io import exports

    wanted = AreaFilter(level=level, parent=parent)
    _export(file, lambda _: exports.area_layer(wanted))


@cli.command()
def gaps(
    within: Annotated[
        str | None, typer.Option(help="Analyse the areas inside this one, e.g. E08000009")
    ] = None,
    level: Annotated[AreaLevel, typer.Option(help="Which areas inside --within")] = "lsoa",
    kind: Annotated[Kind | None, typer.Option(help="Count assets of this kind")] = None,
    category: Annotated[
        str | None, typer.Option(help="Count assets in this category (slug) or below it")
    ] = None,
    outcome: Annotated[str | None, typer.Option(help="Count assets serving this outcome")] = None,
    distance_m: Annotated[
        float | None, typer.Option(help="Reach in metres, straight line (default 1000)")
    ] = None,
    demand: Annotated[
        Literal["centroid", "postcodes"], typer.Option(help="Where people are placed")
    ] = "centroid",
    decay: Annotated[Literal["none", "gaussian"], typer.Option(help="2SFCA decay")] = "none",
    sigma_m: Annotated[
        float | None, typer.Option(help="Gaussian width, metres (default distance / 2)")
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Also write the areas to this .geojson or .csv file")
    ] = None,
    top: Annotated[int, typer.Option(help="Print only the first N areas (0: all)")] = 0,
    suggest: Annotated[
        int | None, typer.Option(help="Also suggest where N more assets would help most")
    ] = None,
    weight: Annotated[
        Literal["population", "need"], typer.Option(help="What --suggest maximises")
    ] = "population",
) -> None:
    """Which neighbourhoods lack a matching asset within reach, how many people live there,
    how deprived they are; ranked by priority. The same analysis as GET /gaps."""
    from app.analysis.gaps import analyse_gaps, suggest_sites
    from app.analysis.inputs import AssetMatch
    from app.analysis.question import GapQuestion
    from app.io.gap_writers import gaps_csv, gaps_geojson

    if output is not None and output.suffix.lower() not in {".geojson", ".json", ".csv"}:
        raise _fail("--output must end in .geojson or .csv")
    settings = AnalysisSettings()
    question = GapQuestion(
        within=within,
        level=level,
        match=AssetMatch(kind, category, outcome),
        distance_m=settings.distance_default_m if distance_m is None else distance_m,
        demand=demand,
        decay=decay,
        sigma_m=sigma_m,
    )
    with _sessions()() as session:
        try:
            report = analyse_gaps(session, question, settings)
            suggestion = (
                None
                if suggest is None
                else suggest_sites(session, question, suggest, "areas", weight, settings)
            )
            written = None
            if output is not None:
                written = (
                    gaps_csv(report)
                    if output.suffix.lower() == ".csv"
                    else gaps_geojson(session, report)
                )
        except Problem as problem:
            raise _fail(problem.detail) from problem
    _print_gaps(report.as_json(), top)
    if suggestion is not None:
        _print_suggestions(suggestion)
    if output is not None and written is not None:
        output.write_text(written, encoding="utf-8")
        out.print(f"written to {output}")


def _print_gaps(report: dict[str, Any], top: int) -> None:
    table = Table(title="Gap analysis, most urgent first")
    columns = {
        "rank": "rank",
        "code": "area",
        "name": "name",
        "population": "people",
        "imd_decile": "IMD decile",
        "nearest_m": "nearest m",
        "count_within": "within reach",
        "per_1000": "per 1,000",
        "covered": "covered",
        "access_2sfca": "2SFCA",
        "priority": "priority",
    }
    for heading in columns.values():
        table.add_column(heading, justify="left" if heading in {"area", "name"} else "right")
    rows = report["areas"][:top] if top > 0 else report["areas"]
    for row in rows:
        cells = []
        for key in columns:
            value = row[key]
            if key == "access_2sfca":
                cells.append(f"{value:.3g}")
            elif key == "covered":
                cells.append("yes" if value else "[red]no[/]")
            else:
                cells.append("" if value is None else str(value))
        table.add_row(*cells)
    out.print(table)
    summary = report["summary"]
    share = summary["share_covered"]
    out.print(
        f"{summary['population_covered']} of {summary['population_total']} people covered"
        + ("" if share is None else f" ({share:.1%})")
        + f"; {summary['areas_covered']} of {summary['areas']} areas fully covered; "
        f"{summary['assets']} matching assets"
    )
    by_decile = ", ".join(f"{d}: {n}" for d, n in summary["uncovered_by_imd_decile"].items())
    out.print(f"uncovered people by IMD decile (1 = most deprived): {by_decile}")


def _print_suggestions(suggestion: dict[str, Any]) -> None:
    unit = "people" if suggestion["method"]["weight"] == "population" else "need-weighted people"
    out.print(
        f"where next ({suggestion['solver']}): {suggestion['newly_covered']} more {unit} "
        f"covered, {suggestion['covered_before']} -> {suggestion['covered_after']}"
    )
    for number, site in enumerate(suggestion["sites"], start=1):
        out.print(
            f"  {number}. {site['lat']:.5f}, {site['lon']:.5f} in {site['area_code']}: "
            f"+{site['newly_covered']} ({', '.join(site['newly_covered_areas'])})"
        )


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
