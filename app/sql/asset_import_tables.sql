-- One import's working tables. `import_chunk` holds the chunk of rows on its way in: the
-- rows Python found good, with the asset's columns; the postcode checks may still refuse
-- some (`reason`). Being small, the planner probes indexes for it rather than scanning
-- `asset`. `import_seen` keeps, for the whole file, the
-- reference of each row taken and its number, to find duplicates across chunks. Rows
-- refused are reported from Python, which still holds them as the file had them.
CREATE TEMPORARY TABLE import_chunk (
    row_no         integer PRIMARY KEY,
    source_ref     text NOT NULL,
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
    reason         text,
    geocoded       boolean NOT NULL DEFAULT false
) ON COMMIT DROP;

CREATE TEMPORARY TABLE import_seen (
    source_ref  text PRIMARY KEY,
    row_no      integer NOT NULL
) ON COMMIT DROP;
