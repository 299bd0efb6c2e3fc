"""What every command shares: the consoles, the error exit, the session factory, and running
one import with its printed report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app import localdb
from app.db import database_url, make_engine, make_sessionmaker
from app.errors import Problem
from app.io.report import ImportReport, write_rejects
from app.io.sources import SourceError
from app.settings import DatabaseSettings

out = Console()
err = Console(stderr=True)


def fail(message: str) -> typer.Exit:
    """Print `message` as an error on stderr; return the exit (code 1) for the caller to raise."""
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code=1)


def sessions() -> sessionmaker[Session]:
    """Sessions on the database in use (DATABASE_URL or the local cluster), one connection."""
    try:
        url = database_url(DatabaseSettings())
    except localdb.LocalDatabaseError as problem:
        raise fail(str(problem)) from problem
    return make_sessionmaker(make_engine(url, pool_size=1))


def run_import(
    label: str,
    work: Callable[[Session], ImportReport],
    rejects: Path | None,
    strict: bool,
    factory: sessionmaker[Session] | None = None,
) -> ImportReport:
    """Run one import in its own transaction and print its report; exit non-zero on a
    broken file or plan, or on rejects with --strict."""
    factory = factory or sessions()
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
            raise fail(problem.detail) from problem
        except SourceError as problem:
            session.rollback()
            raise fail(str(problem)) from problem
        except SQLAlchemyError as problem:
            session.rollback()
            cause = getattr(problem, "orig", None) or problem
            raise fail(f"the database refused the import: {cause}") from None
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
