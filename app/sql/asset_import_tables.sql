-- One import's working tables. `import_chunk` holds the chunk of rows on its way in (the
-- asset's columns, or the reason a row is refused); being small, the planner probes indexes
-- for it rather than scanning `asset`. `import_seen` keeps, for the whole file, each row's
-- reference (to find duplicates across chunks) and, for refused rows, the reason and the
-- row as the file had it (the reject report).
CREATE TEMPORARY TABLE import_chunk (
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
CREATE INDEX ON import_chunk (source_ref, row_no);

CREATE TEMPORARY TABLE import_seen (
    row_no      integer PRIMARY KEY,
    source_ref  text,
    reason      text,
    original    jsonb
) ON COMMIT DROP;
CREATE INDEX ON import_seen (source_ref) WHERE reason IS NULL;
