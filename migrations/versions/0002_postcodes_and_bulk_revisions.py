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

-- Bulk imports write thousands of rows a second, so per-row work is kept off the insert
-- path: defaults fill the bookkeeping columns, a row trigger fires only when the public point
-- must be worked out (an individual, or no public point given), and revisions are written
-- per statement from its transition table.
ALTER TABLE asset
    ALTER COLUMN created_at SET DEFAULT statement_timestamp(),
    ALTER COLUMN updated_at SET DEFAULT statement_timestamp(),
    ALTER COLUMN created_by SET DEFAULT nullif(current_setting('assetmap.actor', true), ''),
    ALTER COLUMN updated_by SET DEFAULT nullif(current_setting('assetmap.actor', true), '');

DROP TRIGGER asset_before_write ON asset;
DROP FUNCTION asset_before_write();

CREATE FUNCTION asset_public_point_fill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.public_geom := asset_public_point(NEW.geom, NEW.kind);
    NEW.version := 1;
    RETURN NEW;
END
$$;
CREATE TRIGGER asset_before_insert BEFORE INSERT ON asset
    FOR EACH ROW
    WHEN (NEW.kind = 'individual' OR NEW.public_geom IS NULL
          OR NEW.public_geom IS DISTINCT FROM NEW.geom OR NEW.version <> 1)
    EXECUTE FUNCTION asset_public_point_fill();

CREATE FUNCTION asset_before_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    actor text := nullif(current_setting('assetmap.actor', true), '');
BEGIN
    NEW.public_geom := CASE WHEN NEW.kind = 'individual'
                            THEN asset_public_point(NEW.geom, NEW.kind) ELSE NEW.geom END;
    IF asset_content(NEW) IS DISTINCT FROM asset_content(OLD) THEN
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
CREATE TRIGGER asset_before_update BEFORE UPDATE ON asset
    FOR EACH ROW EXECUTE FUNCTION asset_before_update();

DROP TRIGGER asset_after_write ON asset;
DROP FUNCTION asset_after_write();

-- One INSERT ... SELECT per statement, over its transition tables, instead of one per row.
-- A creation records who and when; the content of any version is the current row with the
-- `before` of each later revision applied, newest first, so it is not copied here.
CREATE FUNCTION asset_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO asset_revision
        (asset_id, version, action, changed_at, changed_by, before, after)
    SELECT n.id, n.version,
           coalesce(nullif(current_setting('assetmap.action', true), ''), 'create'),
           n.created_at, n.created_by, NULL, NULL
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
DROP TRIGGER asset_before_insert ON asset;
DROP TRIGGER asset_before_update ON asset;
DROP FUNCTION asset_public_point_fill();
DROP FUNCTION asset_before_update();
ALTER TABLE asset
    ALTER COLUMN created_at SET DEFAULT clock_timestamp(),
    ALTER COLUMN updated_at SET DEFAULT clock_timestamp(),
    ALTER COLUMN created_by DROP DEFAULT,
    ALTER COLUMN updated_by DROP DEFAULT;

CREATE FUNCTION asset_before_write() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    actor text := nullif(current_setting('assetmap.actor', true), '');
BEGIN
    NEW.public_geom := asset_public_point(NEW.geom, NEW.kind);
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
        NEW.version := OLD.version;
        NEW.updated_at := OLD.updated_at;
        NEW.updated_by := OLD.updated_by;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER asset_before_write BEFORE INSERT OR UPDATE ON asset
    FOR EACH ROW EXECUTE FUNCTION asset_before_write();

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
