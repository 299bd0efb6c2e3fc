"""Postcode lookup; revisions written per statement, so bulk imports stay fast.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = """
CREATE TABLE postcode (
    postcode   text PRIMARY KEY CHECK (postcode ~ '^[A-Z0-9]{2,4} [0-9][A-Z]{2}$'),
    geom       geometry(Point, 4326) NOT NULL CHECK (ST_SRID(geom) = 4326),
    lsoa_code  text
);
CREATE INDEX postcode_geom_idx ON postcode USING gist (geom);

-- The public point is the asset's own but for an individual: skip the area lookup otherwise.
CREATE OR REPLACE FUNCTION asset_before_write() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    actor text := nullif(current_setting('assetmap.actor', true), '');
BEGIN
    IF NEW.kind = 'individual' THEN
        NEW.public_geom := asset_public_point(NEW.geom, NEW.kind);
    ELSE
        NEW.public_geom := NEW.geom;
    END IF;
    IF TG_OP = 'INSERT' THEN
        NEW.version := 1;
        NEW.created_by := coalesce(NEW.created_by, actor);
        NEW.updated_by := NEW.created_by;
        NEW.updated_at := NEW.created_at;
    ELSIF asset_content(NEW) IS DISTINCT FROM asset_content(OLD) THEN
        NEW.version := OLD.version + 1;
        NEW.updated_at := clock_timestamp();
        NEW.updated_by := coalesce(actor, NEW.updated_by);
    ELSE
        -- nothing a reader could see changed: no new version, no revision
        NEW.version := OLD.version;
        NEW.updated_at := OLD.updated_at;
        NEW.updated_by := OLD.updated_by;
    END IF;
    RETURN NEW;
END
$$;

DROP TRIGGER asset_after_write ON asset;
DROP FUNCTION asset_after_write();

-- One INSERT ... SELECT per statement, over its transition tables, instead of one per row.
CREATE FUNCTION asset_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO asset_revision
        (asset_id, version, action, changed_at, changed_by, before, after)
    SELECT n.id, n.version,
           coalesce(nullif(current_setting('assetmap.action', true), ''), 'create'),
           n.created_at, n.created_by, NULL, asset_content(n)
      FROM new_rows AS n;
    RETURN NULL;
END
$$;

CREATE FUNCTION asset_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO asset_revision
        (asset_id, version, action, changed_at, changed_by, before, after)
    SELECT n.id, n.version,
           coalesce(nullif(current_setting('assetmap.action', true), ''),
                    CASE WHEN n.status = 'archived' AND o.status <> 'archived'
                         THEN 'archive' ELSE 'update' END),
           n.updated_at, n.updated_by, diff.before, diff.after
      FROM new_rows AS n
      JOIN old_rows AS o ON o.id = n.id
     CROSS JOIN LATERAL (
        SELECT jsonb_object_agg(key, old_content -> key) AS before,
               jsonb_object_agg(key, new_content -> key) AS after
          FROM (SELECT asset_content(n) AS new_content, asset_content(o) AS old_content) AS c,
               jsonb_object_keys(new_content || old_content) AS key
         WHERE new_content -> key IS DISTINCT FROM old_content -> key
     ) AS diff
     WHERE n.version <> o.version;
    RETURN NULL;
END
$$;

CREATE TRIGGER asset_after_insert AFTER INSERT ON asset
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION asset_after_insert();
CREATE TRIGGER asset_after_update AFTER UPDATE ON asset
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION asset_after_update();
"""

DOWNGRADE = """
DROP TRIGGER asset_after_insert ON asset;
DROP TRIGGER asset_after_update ON asset;
DROP FUNCTION asset_after_insert();
DROP FUNCTION asset_after_update();

CREATE FUNCTION asset_after_write() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    new_content jsonb := asset_content(NEW);
    old_content jsonb;
    action text := nullif(current_setting('assetmap.action', true), '');
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO asset_revision
            (asset_id, version, action, changed_at, changed_by, before, after)
        VALUES (NEW.id, NEW.version, coalesce(action, 'create'), NEW.created_at, NEW.created_by,
                NULL, new_content);
        RETURN NULL;
    END IF;
    IF NEW.version = OLD.version THEN
        RETURN NULL;
    END IF;
    old_content := asset_content(OLD);
    INSERT INTO asset_revision
        (asset_id, version, action, changed_at, changed_by, before, after)
    SELECT NEW.id, NEW.version,
           coalesce(action, CASE WHEN NEW.status = 'archived' AND OLD.status <> 'archived'
                                 THEN 'archive' ELSE 'update' END),
           NEW.updated_at, NEW.updated_by,
           jsonb_object_agg(key, old_content -> key),
           jsonb_object_agg(key, new_content -> key)
      FROM jsonb_object_keys(new_content || old_content) AS key
     WHERE new_content -> key IS DISTINCT FROM old_content -> key;
    RETURN NULL;
END
$$;
CREATE TRIGGER asset_after_write AFTER INSERT OR UPDATE ON asset
    FOR EACH ROW EXECUTE FUNCTION asset_after_write();

DROP TABLE postcode;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
