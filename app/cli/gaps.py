"""`assetmap gaps`: the gap analysis (and "where next") printed as tables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.table import Table

from app.cli.common import fail, out, sessions
from app.errors import Problem
from app.schemas import AreaLevel, Kind
from app.settings import AnalysisSettings


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
    method: Annotated[
        Literal["2sfca", "e2sfca", "3sfca"],
        typer.Option(help="The accessibility score that ranks covered areas (PySAL's)"),
    ] = "2sfca",
    costs: Annotated[
        Path | None,
        typer.Option(
            help="Travel times instead of straight lines: a CSV or Parquet cost matrix "
            "(origin, destination, minutes)"
        ),
    ] = None,
    threshold_minutes: Annotated[
        float | None, typer.Option(help="With --costs: the most minutes within reach")
    ] = None,
) -> None:
    """Which neighbourhoods lack a matching asset within reach, how many people live there,
    how deprived they are; ranked by priority. The same analysis as GET /gaps, or with
    --costs as POST /gaps."""
    from app.analysis.costs import read_matrix
    from app.analysis.gaps import TravelAsked, analyse_gaps, suggest_sites
    from app.analysis.question import GapQuestion
    from app.domain.asset_search import AssetMatch
    from app.io.gap_writers import gaps_csv, gaps_geojson

    if output is not None and output.suffix.lower() not in {".geojson", ".json", ".csv"}:
        raise fail("--output must end in .geojson or .csv")
    if (costs is None) != (threshold_minutes is None):
        raise fail("--costs and --threshold-minutes go together")
    settings = AnalysisSettings()
    question = GapQuestion.asked(
        settings,
        within=within,
        level=level,
        match=AssetMatch(kind, category, outcome),
        distance_m=distance_m,
        demand=demand,
        decay=decay,
        sigma_m=sigma_m,
        method=method,
    )
    with sessions()() as session:
        try:
            travel = None
            if costs is not None and threshold_minutes is not None:
                matrix = _read_file(costs, settings.costs_max_bytes)
                travel = TravelAsked(
                    read_matrix(matrix, settings.costs_max_rows), threshold_minutes
                )
            report = analyse_gaps(session, question, settings, travel)
            suggestion = (
                None
                if suggest is None
                else suggest_sites(
                    session, question, suggest, "areas", weight, settings, None, travel
                )
            )
            written = None
            if output is not None:
                written = (
                    gaps_csv(report)
                    if output.suffix.lower() == ".csv"
                    else gaps_geojson(session, report)
                )
        except Problem as problem:
            raise fail(problem.detail) from problem
    _print_gaps(report.as_json(), top)
    if suggestion is not None:
        _print_suggestions(suggestion)
    if output is not None and written is not None:
        output.write_text(written, encoding="utf-8")
        out.print(f"written to {output}")


def _read_file(path: Path, max_bytes: int) -> bytes:
    """The cost matrix file's bytes; a CLI failure if it is missing or over the limit."""
    if not path.is_file():
        raise fail(f"--costs: no file {path}")
    if path.stat().st_size > max_bytes:
        raise fail(f"--costs: {path} is over the {max_bytes:,} bytes one analysis may read")
    return path.read_bytes()


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
        "access": "access",
        "priority": "priority",
    }
    if "threshold_minutes" in report["method"]:
        columns["nearest_minutes"] = "nearest min"
    for heading in columns.values():
        table.add_column(heading, justify="left" if heading in {"area", "name"} else "right")
    rows = report["areas"][:top] if top > 0 else report["areas"]
    for row in rows:
        cells = []
        for key in columns:
            value = row[key]
            if key in {"access_2sfca", "access"}:
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
