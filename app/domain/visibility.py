"""Who sees what of an asset. The rule itself lives in the database (migration 0006:
`asset_shown()`, and the view `public_asset`, the public face); here it is only composed:
public reads select from `public_asset`, stewards' from `asset`.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import ColumnElement, Table, func
from sqlalchemy.sql.selectable import NamedFromClause

from app.domain.asset_fields import public_asset
from app.models import Asset

# The public face, or the whole asset (for its stewards: its moderators, its contributor,
# admins).
View = Literal["public", "full"]
# What the public may open one at a time; lists show only the published.
PUBLIC_STATUSES = ("published", "archived")

ASSET: Table = Asset.__table__  # type: ignore[assignment]


def source(view: View) -> Table:
    """Where an asset is read from in a view: `public_asset`, or `asset` itself."""
    return public_asset if view == "public" else ASSET


def shown(table: NamedFromClause = ASSET) -> ColumnElement[bool]:
    """Whether anyone may see the asset of a row of `asset` (or an alias of it) now: the
    database's asset_shown(), for the few queries on `asset` that ask it of one asset."""
    shown_now: ColumnElement[bool] = func.asset_shown(table.table_valued())
    return shown_now
