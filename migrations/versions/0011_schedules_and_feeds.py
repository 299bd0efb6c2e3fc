"""Opening hours as data, and the Open Referral UK feeds read.

`asset.schedule` keeps an asset's schedule (app.schemas.Schedule: weekly hours, dated
exceptions, closures, the span it is valid for) beside the free text of `opening_hours`;
the public face shows it. `schedule_hours_on(schedule, day)` says which hours apply on a
local day, and `schedule_open_at(schedule, at)` whether it is open at a moment: the one rule
the filters `open_at` and `open_now`, and the page's "open now", read. Times are
Europe/London's, so the clock changes are PostgreSQL's time zone data's to handle.

`feed_import` remembers, per source, when an import of an Open Referral UK feed last
started, so the next asks the feed only for what was modified after it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = """
ALTER TABLE asset ADD COLUMN schedule jsonb
    CHECK (schedule IS NULL OR jsonb_typeof(schedule) = 'object');

CREATE OR REPLACE VIEW public_asset AS
SELECT a.id, a.name, a.description, a.kind, a.category_id, a.outcomes,
       a.public_geom AS geom,
       a.public_bng AS geom_bng,
       CASE WHEN a.kind = 'individual' THEN NULL ELSE a.footprint END AS footprint,
       CASE WHEN a.kind = 'individual' THEN NULL ELSE a.address END AS address,
       CASE WHEN a.kind = 'individual' THEN NULL ELSE a.postcode END AS postcode,
       CASE WHEN a.kind = 'individual' THEN NULL ELSE a.contact END AS contact,
       a.opening_hours, a.audience, a.cost, a.accessibility, a.reach_m, a.capacity,
       a.source, a.source_ref, a.status, a.verified_at, a.created_at, a.updated_at,
       a.version, a.search, a.schedule
  FROM asset AS a
 WHERE asset_shown(a);

-- The hours a schedule opens on a local day: its exceptions for that date if it has any,
-- else its weekly hours for that day of the week; none on a day it is closed or outside
-- the span it is valid for. `closes` before `opens` runs past midnight.
CREATE FUNCTION schedule_hours_on(schedule jsonb, day date)
RETURNS TABLE (opens time, closes time) LANGUAGE sql IMMUTABLE AS $$
    WITH open_that_day AS (
        SELECT schedule IS NOT NULL
           AND (schedule ->> 'valid_from' IS NULL OR (schedule ->> 'valid_from')::date <= day)
           AND (schedule ->> 'valid_to' IS NULL OR (schedule ->> 'valid_to')::date >= day)
           AND NOT EXISTS (
               SELECT 1 FROM jsonb_array_elements(coalesce(schedule -> 'closures', '[]')) AS c
                WHERE (c ->> 'starts')::date <= day AND (c ->> 'ends')::date >= day) AS open
    ),
    dated AS (
        SELECT e FROM jsonb_array_elements(coalesce(schedule -> 'exceptions', '[]')) AS e
         WHERE (e ->> 'date')::date = day
    ),
    spans AS (
        SELECT e FROM dated
        UNION ALL
        SELECT w FROM jsonb_array_elements(coalesce(schedule -> 'weekly', '[]')) AS w
         WHERE NOT EXISTS (SELECT 1 FROM dated)
           AND w -> 'days' ? (ARRAY['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'])
                             [extract(dow FROM day)::int + 1]
    )
    SELECT (e ->> 'opens')::time, (e ->> 'closes')::time
      FROM spans, open_that_day
     WHERE open_that_day.open
$$;

-- Whether a schedule is open at a moment: within hours of that local day, or within the
-- part past midnight of the day before's.
CREATE FUNCTION schedule_open_at(schedule jsonb, at timestamptz)
RETURNS boolean LANGUAGE sql STABLE AS $$
    WITH here AS (SELECT (at AT TIME ZONE 'Europe/London') AS local)
    SELECT EXISTS (
        SELECT 1 FROM here, schedule_hours_on(schedule, here.local::date) AS h
         WHERE h.opens <= here.local::time
           AND (h.closes > here.local::time OR h.closes <= h.opens)
        UNION ALL
        SELECT 1 FROM here, schedule_hours_on(schedule, here.local::date - 1) AS h
         WHERE h.closes <= h.opens AND here.local::time < h.closes
    )
$$;

CREATE INDEX asset_scheduled_idx ON asset (id) WHERE schedule IS NOT NULL;

CREATE TABLE feed_import (
    source           text PRIMARY KEY,
    location         text NOT NULL,
    last_started_at  timestamptz NOT NULL,
    services         integer NOT NULL
);
"""

# The public face as it was before (0006 and 0007): a view cannot lose a column in place.
PUBLIC_FACE_BEFORE = """
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

CREATE VIEW public_link AS
SELECT l.id, l.from_id, l.to_id, l.type, l.created_at
  FROM asset_link AS l
  JOIN public_asset AS f ON f.id = l.from_id AND f.status = 'published'
  JOIN public_asset AS t ON t.id = l.to_id AND t.status = 'published'
 WHERE l.status = 'published';
"""

DOWNGRADE = (
    """
DROP TABLE feed_import;
DROP INDEX asset_scheduled_idx;
DROP FUNCTION schedule_open_at(jsonb, timestamptz);
DROP FUNCTION schedule_hours_on(jsonb, date);
DROP VIEW public_link;
DROP VIEW public_asset;
ALTER TABLE asset DROP COLUMN schedule;
"""
    + PUBLIC_FACE_BEFORE
)


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
