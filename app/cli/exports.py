"""`assetmap export ...`: assets or areas to a file, as GET /exports/... gives them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy.orm import Session

from app.cli.common import fail, out, sessions
from app.errors import Problem
from app.schemas import AreaLevel, Kind

if TYPE_CHECKING:
    from app.io import exports

export_cli = typer.Typer(help="Export assets or areas as GeoJSON, CSV or GeoPackage.")

ExportFile = Annotated[Path, typer.Argument(help="The file to write: .geojson, .csv or .gpkg")]


def _export(file: Path, layer: Callable[[Session], exports.Layer]) -> None:
    from app.io import exports

    try:
        exports.export_format(file)
    except ValueError as problem:
        raise fail(str(problem)) from problem
    with sessions()() as session, session.begin():
        try:
            exports.write_file(session, layer(session), file)
        except Problem as problem:
            file.unlink(missing_ok=True)
            raise fail(problem.detail) from problem
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
    from app.domain.asset_search import AssetFilter
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
