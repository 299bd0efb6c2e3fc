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
