"""Long SQL statements, one file each, loaded by name."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from sqlalchemy import TextClause, text

HERE = Path(__file__).parent


@cache
def statement(name: str) -> TextClause:
    """The statement in `app/sql/<name>.sql`, parameters written `:name`."""
    return text((HERE / f"{name}.sql").read_text())


@cache
def statements(name: str) -> tuple[TextClause, ...]:
    """The statements of `app/sql/<name>.sql`, in order (each ends with `;` at a line's end),
    for files that hold several steps."""
    steps, current = [], []
    for line in (HERE / f"{name}.sql").read_text().splitlines():
        current.append(line)
        if line.rstrip().endswith(";"):
            steps.append("\n".join(current).rstrip().rstrip(";"))
            current = []
    if "".join(current).strip():
        steps.append("\n".join(current))
    return tuple(text(step) for step in steps)
