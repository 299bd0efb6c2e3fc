"""`assetmap snapshots ...`: freeze a locality now (so a scheduler can, say, every month),
and list its snapshots."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from app.cli.common import fail, out, sessions
from app.errors import Problem

snapshots_cli = typer.Typer(help="Snapshots: a locality's figures frozen at one moment.")


@snapshots_cli.command("take")
def snapshots_take(
    area: Annotated[str, typer.Argument(help="The area's code, e.g. E08000009")],
    by: Annotated[str | None, typer.Option(help="Who takes it (recorded with it)")] = None,
) -> None:
    """Take a snapshot of the area now, in one consistent transaction; prints its id
    (alone, last line) and its headline figures."""
    from app.analysis import snapshots
    from app.settings import AnalysisSettings

    with sessions()() as session, session.begin():
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        try:
            made = snapshots.take(
                session, area, by or "assetmap snapshots take", AnalysisSettings()
            )
        except Problem as problem:
            raise fail(problem.detail) from problem
        made_id, figures = made.id, made.figures
    out.print(
        f"snapshot of {figures['area']['name']} at {figures['taken_at']}: "
        f"{figures['assets']['total']} assets"
    )
    for question in figures["questions"]:
        summary = question.get("summary")
        if summary and summary["share_covered"] is not None:
            out.print(f"  {question['label']}: {summary['share_covered']:.1%} of people in reach")
    for note in figures["notes"]:
        out.print(f"  note: {note}")
    print(made_id)


@snapshots_cli.command("list")
def snapshots_list(
    area: Annotated[str, typer.Argument(help="The area's code")],
) -> None:
    """The area's snapshots, newest first."""
    from sqlalchemy import select

    from app.models import AreaSnapshot

    table = Table("id", "taken at", "by", "assets")
    with sessions()() as session:
        for found in session.scalars(
            select(AreaSnapshot)
            .where(AreaSnapshot.area_code == area)
            .order_by(AreaSnapshot.taken_at.desc())
        ):
            table.add_row(
                str(found.id),
                found.taken_at.isoformat(timespec="seconds"),
                found.taken_by or "",
                str(found.figures["assets"]["total"]),
            )
    out.print(table)
