"""Areas' centroids and assets' public points in British National Grid, stored.

Gap analyses read them for every area and every matching asset at once; projecting costs
more than reading (a polygon far more), so each is projected once, when written.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# What counts as an asset's content (for versions and revisions) leaves out the derived
# columns; public_bng follows public_geom.
CONTENT = """
CREATE OR REPLACE FUNCTION asset_content(a asset) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT to_jsonb(a) - ARRAY['id', 'version', 'created_at', 'created_by', 'updated_at',
                                 'updated_by', 'public_geom', 'search'{extra}]
$$
"""


def upgrade() -> None:
    op.execute(
        "ALTER TABLE area ADD COLUMN centroid_bng geometry(Point, 27700) "
        "GENERATED ALWAYS AS (ST_Centroid(ST_Transform(geom, 27700))) STORED"
    )
    # Generated columns are computed after BEFORE triggers, so this follows the public
    # point the asset trigger works out for an individual.
    op.execute(
        "ALTER TABLE asset ADD COLUMN public_bng geometry(Point, 27700) "
        "GENERATED ALWAYS AS (ST_Transform(public_geom, 27700)) STORED"
    )
    op.execute(CONTENT.format(extra=", 'public_bng'"))


def downgrade() -> None:
    op.execute(CONTENT.format(extra=""))
    op.execute("ALTER TABLE asset DROP COLUMN public_bng")
    op.execute("ALTER TABLE area DROP COLUMN centroid_bng")
