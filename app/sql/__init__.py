"""Long SQL statements, one file each, loaded by name."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from string import Template

from sqlalchemy import TextClause, text

HERE = Path(__file__).parent


@cache
def statement(name: str) -> TextClause:
    """The statement in `app/sql/<name>.sql`, parameters written `:name`."""
    return text((HERE / f"{name}.sql").read_text())


@cache
def statements(name: str, **parts: str) -> tuple[TextClause, ...]:
    """The statements of `app/sql/<name>.sql`, in order (each ends with `;` at a line's end),
    for files that hold several steps. A file may be a template: each `${part}` in it is
    replaced by `parts[part]`, SQL the code writes from declarations, never from input."""
    steps, current = [], []
    source = Template((HERE / f"{name}.sql").read_text()).substitute(parts)
    for line in source.splitlines():
        current.append(line)
        if line.rstrip().endswith(";"):
            steps.append("\n".join(current).rstrip().rstrip(";"))
            current = []
    if "".join(current).strip():
        steps.append("\n".join(current))
    return tuple(text(step) for step in steps)
