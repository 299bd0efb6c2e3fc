"""The public face of an asset, defined once, and the data's version.

`asset_shown(a)` says whether anyone may see an asset now, and the view `public_asset` is
what they see of it: only assets shown, each at its public point (a person at their
neighbourhood's), with a person's address, postcode, contact and footprint left out, and
nothing of who wrote it or of consent. Every public read (search, one asset, exports, OGC
items, tiles, maps, gap analyses, and whatever output comes next) reads `public_asset`;
nothing else states the rule.

The data's version is a number that changes with every committed change to what the public
outputs show (assets, areas, categories, outcomes, postcodes), so answers built once
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
-- Whether anyone may see an asset now: anything but a person; a person only with their
-- current consent to publish.
CREATE FUNCTION asset_shown(a asset) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT a.kind <> 'individual'
        OR (coalesce(a.consent_publish, false)
            AND (a.consent_expires_at IS NULL OR a.consent_expires_at > now()))
$$;

CREATE VIEW public_asset AS
SELECT a.id, a.name, a.description, a.kind, a.category_id, a.outcomes,
       a.public_geom AS geom,
       a.public_bng AS geom_bng,
       CASE WHEN a.kind = 'individual' THEN NULL ELSE a.footprint END AS footprint,
       CASE WHEN a.kind = 'individual' THEN NULL ELSE a.address END AS address,
       CASE WHEN a.kind = 'individual' THEN NULL ELSE a.postcode END AS postcode,
       CASE WHEN a.kind = 'individual' THEN NULL ELSE a.contact END AS contact,
       a.opening_hours, a.audience, a.cost, a.accessibility, a.reach_m, a.capacity,
       a.source, a.source_ref, a.status, a.verified_at, a.created_at, a.updated_at,
       a.version, a.search
  FROM asset AS a
 WHERE asset_shown(a);

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

-- The version of the data this statement's snapshot sees, and the next moment time alone
-- changes what the public sees (the first consent to run out), as text.
CREATE FUNCTION data_version() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT (SELECT coalesce(sum(weight), 0) FROM data_change)::text || '-' ||
           coalesce((SELECT floor(extract(epoch FROM min(a.consent_expires_at)))::bigint
                       FROM asset AS a
                      WHERE a.consent_expires_at > now() AND asset_shown(a))::text, '')
$$;
CREATE INDEX asset_consent_expiry_idx ON asset (consent_expires_at)
    WHERE consent_expires_at IS NOT NULL;
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
DROP VIEW public_asset;
DROP FUNCTION asset_shown(asset);
"""
)


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
