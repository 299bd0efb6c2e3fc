"""An asset's creation read from its row, not written as a revision: imports at the
database's pace.

Measured on 100,000 rows (bench/import_assets.py): the revision written per created row
(AFTER INSERT over a transition table), the `asset_change` row its trigger then wrote per
public creation, and the capture of the transition table itself cost more than the insert.
The row as first written is the asset's first state and keeps what its creation's entry
needs (`created_at`, `created_by`, and now `created_revision`, the entry's number from the
revisions' own sequence, so entries keep one order and the Atom feed's ids stay as they
were). So:

- `asset_revision` becomes a view: the revisions written (`asset_revision_stored`: every
  change after the creation) and each asset's creation, derived by `asset_creation(a)`;
- `asset_change` becomes a view the same way: the public changes written
  (`asset_change_stored`) and, for an asset still at version 1, what the public saw of its
  creation, worked out from the row itself (`asset_created_event`: asset_public_change's
  rule for a creation, with the one rule of who sees what, `asset_shown`);
- an asset's first change keeps what the public saw of its creation (from the old row,
  its first state) before its own revision is written, and a creation to tell a webhook is
  kept at once (a delivery needs a change to point at): only when a webhook exists, found
  through `created_revision` past a mark taken before the statement, so an insert captures
  no transition table.

Every reader (the history API, the briefs' what-changed, the Atom feed, digests, webhooks,
erasure) reads the views as it read the tables. The downgrade writes every derived
creation and public creation back as rows and restores the triggers.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What counts as an asset's content (versions, revisions, restores) leaves out bookkeeping.
CONTENT = """
CREATE OR REPLACE FUNCTION asset_content(a asset) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT to_jsonb(a) - ARRAY['id', 'version', 'created_at', 'created_by', 'updated_at',
                                 'updated_by', 'public_geom', 'search', 'public_bng'{extra}]
$$;
"""

# A change's revisions, once per statement over its transition tables (migration 0005's);
# an erasure's records only who erased and when.
REVISIONS = """
    INSERT INTO {revisions}
        (asset_id, version, action, changed_at, changed_by, before, after)
    SELECT n.id, n.version,
           coalesce(action, CASE WHEN n.status = 'archived' AND o.status <> 'archived'
                                 THEN 'archive' ELSE 'update' END),
           n.updated_at, n.updated_by,
           CASE WHEN action = 'erase' THEN NULL ELSE diff.before END,
           CASE WHEN action = 'erase' THEN NULL ELSE diff.after END
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
"""

AFTER_UPDATE = """
CREATE OR REPLACE FUNCTION asset_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    action text := nullif(current_setting('assetmap.action', true), '');
BEGIN
{keep_creations}{revisions}
    RETURN NULL;
END
$$;
"""

# An asset's first change: what the public saw of its creation, from the old row (its first
# state), kept before the change's own revision (an erasure reads the last change kept).
KEEP_CREATIONS = """
    INSERT INTO asset_change_stored (revision_id, asset_id, version, event, fields, changed_at)
    SELECT o.created_revision, o.id, 1, asset_created_event(o), '{}', o.created_at
      FROM old_rows AS o
      JOIN new_rows AS n ON n.id = o.id
     WHERE o.version = 1 AND n.version <> 1 AND asset_created_event(o) IS NOT NULL
    ON CONFLICT (revision_id) DO NOTHING;
"""

# Migration 0012's: revision by revision, its public change and the webhooks to tell.
PUBLIC_CHANGES = """
CREATE OR REPLACE FUNCTION asset_revision_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    shown text[] := ARRAY(SELECT attname::text FROM pg_attribute
                           WHERE attrelid = 'public_asset'::regclass AND attnum > 0
                             AND NOT attisdropped);
BEGIN
    WITH changed AS (
        INSERT INTO {changes} (revision_id, asset_id, version, event, fields, changed_at)
        SELECT r.id, r.asset_id, r.version, c.event, c.fields, r.changed_at
          FROM new_revisions AS r
         CROSS JOIN LATERAL (SELECT a FROM asset AS a WHERE a.id = r.asset_id OFFSET 0) AS now
         CROSS JOIN LATERAL asset_public_change(r, now.a, shown) AS c
         WHERE c.event IS NOT NULL
        RETURNING revision_id, asset_id
    )
{tell}
    RETURN NULL;
END
$$;
"""

# The webhooks whose area holds each changed asset (at its public point) and whose filters
# match it; OFFSET 0 keeps each lookup an index probe whatever the planner guesses.
TELL = """
    INSERT INTO subscription_delivery (subscription_id, revision_id)
    SELECT heard.id, changed.revision_id
      FROM changed
     CROSS JOIN LATERAL (
        SELECT s.id
          FROM asset AS a
          JOIN area ON ST_Intersects(area.geom, a.public_geom)
          JOIN subscription AS s ON s.area_code = area.code AND s.url IS NOT NULL
         WHERE a.id = changed.asset_id AND subscription_matches(s, a)
        OFFSET 0
     ) AS heard
     WHERE EXISTS (SELECT 1 FROM subscription WHERE url IS NOT NULL){conflict};
"""

UPGRADE = (
    """
ALTER TABLE asset_change DROP CONSTRAINT asset_change_revision_id_fkey;
ALTER TABLE asset_change RENAME TO asset_change_stored;
-- a change kept goes with its asset (a creation's has no revision row to go with)
ALTER TABLE asset_change_stored
    ADD CONSTRAINT asset_change_asset_id_fkey
    FOREIGN KEY (asset_id) REFERENCES asset (id) ON DELETE CASCADE;
ALTER TABLE asset_revision RENAME TO asset_revision_stored;
"""
    + CONTENT.format(extra=", 'created_revision'")
    + """
-- The creation's number, from the revisions' sequence; an existing asset keeps the number
-- of the creation revision it has.
ALTER TABLE asset ADD COLUMN created_revision bigint;
ALTER TABLE asset DISABLE TRIGGER USER;
UPDATE asset AS a
   SET created_revision = first.id
  FROM (SELECT DISTINCT ON (asset_id) asset_id, id
          FROM asset_revision_stored
         ORDER BY asset_id, version, id) AS first
 WHERE first.asset_id = a.id;
UPDATE asset SET created_revision = nextval('asset_revision_id_seq')
 WHERE created_revision IS NULL;
ALTER TABLE asset ENABLE TRIGGER USER;
ALTER TABLE asset
    ALTER COLUMN created_revision SET DEFAULT nextval('asset_revision_id_seq'),
    ALTER COLUMN created_revision SET NOT NULL;
CREATE UNIQUE INDEX asset_created_revision_idx ON asset (created_revision);

-- An asset's creation as a revision: its first version, by whom and when it was written.
-- (Since migration 0002 a creation's revision keeps no copy of the row.)
CREATE FUNCTION asset_creation(a asset) RETURNS asset_revision_stored
LANGUAGE sql IMMUTABLE AS $$
    SELECT a.created_revision, a.id, 1, 'create'::text, a.created_at, a.created_by,
           NULL::jsonb, NULL::jsonb
$$;

-- What the public saw of an asset's creation, from its first state `a`: the rule of
-- asset_public_change for a creation (nothing seen before it), as SQL the planner inlines
-- where the feed reads every creation: added when published where the public may see it,
-- archived when it came in archived, else nothing.
CREATE FUNCTION asset_created_event(a asset) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN a.status IN ('published', 'archived') AND asset_shown(a)
                THEN CASE a.status WHEN 'published' THEN 'added' ELSE 'archived' END END
$$;

-- Creation revisions the row now says are no longer kept twice (any still holding a copy
-- of the row, from before migration 0002, stay, and the view reads them instead).
DELETE FROM asset_revision_stored AS r
 USING asset AS a
 WHERE r.id = a.created_revision AND r.before IS NULL AND r.after IS NULL;

CREATE VIEW asset_revision AS
SELECT r.id, r.asset_id, r.version, r.action, r.changed_at, r.changed_by, r.before, r.after
  FROM asset_revision_stored AS r
UNION ALL
SELECT (asset_creation(a)).*
  FROM asset AS a
 WHERE NOT EXISTS (SELECT 1 FROM asset_revision_stored AS r WHERE r.id = a.created_revision);

-- What the public saw of a creation is kept once the asset first changes (or a webhook
-- is to be told of it); until then it is read from the row, as the one rule says. (The
-- feed reads the two parts newest first each on its own: PostgreSQL 15 sorts a whole
-- part of a union rather than read it by an index for a LIMIT.)
CREATE VIEW asset_creation_change AS
SELECT a.created_revision AS revision_id, a.id AS asset_id, 1 AS version,
       asset_created_event(a) AS event, '{}'::text[] AS fields, a.created_at AS changed_at
  FROM asset AS a
 WHERE a.version = 1 AND asset_created_event(a) IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM asset_change_stored AS c
                    WHERE c.revision_id = a.created_revision);

CREATE VIEW asset_change AS
SELECT c.revision_id, c.asset_id, c.version, c.event, c.fields, c.changed_at
  FROM asset_change_stored AS c
UNION ALL
SELECT * FROM asset_creation_change;

DROP TRIGGER asset_after_insert ON asset;
DROP FUNCTION asset_after_insert();
"""
    + AFTER_UPDATE.format(
        keep_creations=KEEP_CREATIONS, revisions=REVISIONS.format(revisions="asset_revision_stored")
    )
    + PUBLIC_CHANGES.format(changes="asset_change_stored", tell=TELL.format(conflict=""))
    + """
-- Creations to tell webhooks of, only when one exists: a mark in the revisions' sequence
-- before the statement, and after it the statement's assets past the mark (through
-- asset_created_revision_idx). Another transaction's past the mark that is already
-- committed is told once: its change and deliveries are kept already, and conflict.
CREATE FUNCTION asset_creations_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('assetmap.created_after',
                       CASE WHEN EXISTS (SELECT 1 FROM subscription WHERE url IS NOT NULL)
                            THEN nextval('asset_revision_id_seq')::text ELSE '' END,
                       true);
    RETURN NULL;
END
$$;

CREATE FUNCTION asset_creations_told() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    mark bigint := nullif(current_setting('assetmap.created_after', true), '')::bigint;
BEGIN
    IF mark IS NULL THEN
        RETURN NULL;
    END IF;
    WITH changed AS (
        INSERT INTO asset_change_stored (revision_id, asset_id, version, event, fields,
                                         changed_at)
        SELECT a.created_revision, a.id, 1, asset_created_event(a), '{}', a.created_at
          FROM asset AS a
         WHERE a.created_revision > mark AND a.version = 1
           AND asset_created_event(a) IS NOT NULL
        ON CONFLICT (revision_id) DO NOTHING
        RETURNING revision_id, asset_id
    )
"""
    + TELL.format(conflict="\n    ON CONFLICT (subscription_id, revision_id) DO NOTHING")
    + """
    RETURN NULL;
END
$$;

CREATE TRIGGER asset_creations_mark BEFORE INSERT ON asset
    FOR EACH STATEMENT EXECUTE FUNCTION asset_creations_mark();
CREATE TRIGGER asset_creations_told AFTER INSERT ON asset
    FOR EACH STATEMENT EXECUTE FUNCTION asset_creations_told();
"""
)

DOWNGRADE = (
    """
DROP TRIGGER asset_creations_mark ON asset;
DROP TRIGGER asset_creations_told ON asset;
DROP FUNCTION asset_creations_mark();
DROP FUNCTION asset_creations_told();
DROP VIEW asset_change;
DROP VIEW asset_creation_change;
DROP VIEW asset_revision;

-- Every creation and every public creation as a row again (no trigger works them out: a
-- creation's public change is the first state's, kept already for a changed asset).
ALTER TABLE asset_revision_stored DISABLE TRIGGER asset_revision_after_insert;
INSERT INTO asset_revision_stored (id, asset_id, version, action, changed_at, changed_by,
                                   before, after)
SELECT (asset_creation(a)).*
  FROM asset AS a
 WHERE NOT EXISTS (SELECT 1 FROM asset_revision_stored AS r WHERE r.id = a.created_revision);
ALTER TABLE asset_revision_stored ENABLE TRIGGER asset_revision_after_insert;
INSERT INTO asset_change_stored (revision_id, asset_id, version, event, fields, changed_at)
SELECT a.created_revision, a.id, 1, asset_created_event(a), '{}', a.created_at
  FROM asset AS a
 WHERE a.version = 1 AND asset_created_event(a) IS NOT NULL
ON CONFLICT (revision_id) DO NOTHING;

ALTER TABLE asset_change_stored DROP CONSTRAINT asset_change_asset_id_fkey;
ALTER TABLE asset_change_stored
    ADD CONSTRAINT asset_change_revision_id_fkey
    FOREIGN KEY (revision_id) REFERENCES asset_revision_stored (id) ON DELETE CASCADE;
ALTER TABLE asset_change_stored RENAME TO asset_change;
ALTER TABLE asset_revision_stored RENAME TO asset_revision;
DROP FUNCTION asset_creation(asset);
DROP FUNCTION asset_created_event(asset);
ALTER TABLE asset DROP COLUMN created_revision;
"""
    + CONTENT.format(extra="")
    + AFTER_UPDATE.format(keep_creations="", revisions=REVISIONS.format(revisions="asset_revision"))
    + PUBLIC_CHANGES.format(changes="asset_change", tell=TELL.format(conflict=""))
    + """
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
CREATE TRIGGER asset_after_insert AFTER INSERT ON asset
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION asset_after_insert();
"""
)


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
