"""The widest reach any asset has, at once: a gap analysis reads only the assets within
reach of the areas it analyses, and an asset's own `reach_m` (up to 100 km) may carry it
further than the question's distance_m. `max(reach_m)` read through this partial index
takes a fraction of a millisecond where a scan of `asset` takes 0.2 s at 1,000,000 assets.
Assets without a reach of their own (most; every one imported without it) are not in it,
so it costs their inserts nothing.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE INDEX asset_reach_idx ON asset (reach_m) WHERE reach_m IS NOT NULL")


def downgrade() -> None:
    op.execute("DROP INDEX asset_reach_idx")
