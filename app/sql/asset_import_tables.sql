-- One import's working tables. `import_chunk` holds the chunk of rows on its way in: the
-- rows Python found good, with the asset's columns a file fills (written in from the
-- assets' declaration, app.domain.asset_fields); the postcode checks may still refuse some
-- (`reason`). Each row has its kind and category: the plan's, or its own (a feed's).
-- Being small, the planner probes indexes for it rather than scanning `asset`. It has no
-- index of its own (no statement looks a row up by its number): COPY fills it the faster.
-- `import_seen` keeps, for the whole file, the reference of each row taken and its number,
-- to find duplicates across chunks. Rows refused are reported from Python, which still
-- holds them as the file had them.
CREATE TEMPORARY TABLE import_chunk (
    row_no         integer NOT NULL,
    source_ref     text NOT NULL,
    kind           text NOT NULL,
    category_id    integer,
    ${content},
    reason         text,
    geocoded       boolean NOT NULL DEFAULT false
) ON COMMIT DROP;

CREATE TEMPORARY TABLE import_seen (
    source_ref  text PRIMARY KEY,
    row_no      integer NOT NULL
) ON COMMIT DROP;
