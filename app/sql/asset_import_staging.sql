-- Rows of one import on their way in: the asset's columns, or the reason a row is refused,
-- and the row as the file had it, for the reject report.
CREATE TEMPORARY TABLE import_staging (
    row_no         integer PRIMARY KEY,
    reason         text,
    original       jsonb NOT NULL,
    source_ref     text,
    name           text,
    description    text,
    outcomes       text[],
    geom           geometry(Point, 4326),
    footprint      geometry(MultiPolygon, 4326),
    reach_m        double precision,
    capacity       double precision,
    address        text,
    postcode       text,
    contact        jsonb,
    opening_hours  text,
    audience       text,
    cost           text,
    accessibility  text,
    verified_at    timestamptz,
    geocoded       boolean NOT NULL DEFAULT false
) ON COMMIT DROP;
CREATE INDEX ON import_staging (source_ref, row_no);
