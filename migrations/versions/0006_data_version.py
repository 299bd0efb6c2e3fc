"""The data's version: a number that changes with every committed change to what the
public outputs show (assets, areas, categories, outcomes, postcodes), so answers built once
(exports, maps, gap analyses) can be kept and served again until it changes.

Each writing transaction adds one row to `data_change` (a statement trigger, once per
transaction); the version is the sum of the weights a snapshot sees. Rows are only added
(and now and then many folded into one of the same total weight), so a later snapshot sees
a larger sum whenever it sees more changes: unlike a sequence's last value, the version is
exactly as visible as the changes it counts, and concurrent writers never wait on each other.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("asset", "area", "category", "outcome", "postcode")
# After this many changes, the older rows are folded into one.
FOLD_EVERY = 1000

UPGRADE = f"""
CREATE TABLE data_change (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    weight      bigint NOT NULL DEFAULT 1 CHECK (weight > 0),
    changed_at  timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION note_data_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    added bigint;
BEGIN
    -- once per transaction; the setting is undone with the savepoint or transaction that
    -- made it, as the row is
    IF current_setting('assetmap.data_changed', true) IS DISTINCT FROM 'on' THEN
        INSERT INTO data_change DEFAULT VALUES RETURNING id INTO added;
        PERFORM set_config('assetmap.data_changed', 'on', true);
        IF added % {FOLD_EVERY} = 0 THEN
            -- fold the older rows into one of the same weight: every snapshot sees the same
            -- sum before and after
            WITH folded AS (
                DELETE FROM data_change WHERE id < added - 100 RETURNING weight
            )
            INSERT INTO data_change (weight)
            SELECT sum(weight) FROM folded HAVING count(*) > 0;
        END IF;
    END IF;
    RETURN NULL;
END
$$;

-- The version of the data this statement's snapshot sees, and when time alone changes what
-- the public sees next (the first consent to publish a person that will expire), as text.
CREATE FUNCTION data_version() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT (SELECT coalesce(sum(weight), 0) FROM data_change)::text || '-' ||
           coalesce((SELECT floor(extract(epoch FROM min(consent_expires_at)))::bigint
                       FROM asset
                      WHERE kind = 'individual' AND consent_publish
                        AND consent_expires_at > now())::text, '')
$$;
CREATE INDEX asset_consent_expiry_idx ON asset (consent_expires_at)
    WHERE kind = 'individual' AND consent_publish;
""" + "".join(
    f"""
CREATE TRIGGER {table}_data_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION note_data_change();
"""
    for table in TABLES
)

DOWNGRADE = (
    "".join(f"DROP TRIGGER {table}_data_change ON {table};\n" for table in TABLES)
    + """
DROP INDEX asset_consent_expiry_idx;
DROP FUNCTION data_version();
DROP FUNCTION note_data_change();
DROP TABLE data_change;
"""
)


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
