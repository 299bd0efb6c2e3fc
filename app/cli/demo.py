"""`assetmap demo`: the demo locality, Trafford, loaded by the importers."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy.orm import Session

from app.cli.common import run_import, sessions
from app.io.report import ImportReport
from app.settings import ApiSettings

if TYPE_CHECKING:
    from app.io.demo import Step


def demo(
    rejects: Annotated[Path | None, typer.Option(help="Folder for the reject reports")] = None,
) -> None:
    """Load the demo locality, Trafford: areas, IMD, population, postcodes and real assets.
    Safe to run again: a second run changes nothing."""
    from app.io.demo import steps as demo_steps

    extent = ApiSettings().service_extent
    factory = sessions()
    for step in demo_steps():
        target = None if rejects is None else rejects / f"{step.label}.rejects.csv"
        run_import(step.label, partial(_run_step, step, extent), target, False, factory)


def _run_step(
    step: Step, extent: tuple[float, float, float, float], session: Session
) -> ImportReport:
    return step.run(session, extent)
