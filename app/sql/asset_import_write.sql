-- The rows of `import_chunk` the postcode checks left good, into asset, in one statement
-- (the lists of the columns a file fills are written in from the assets' declaration):
-- a row whose reference an earlier row had (in an earlier chunk, `import_seen`, or this one)
-- is refused, the first row wins (`duplicate_of`: the earlier row's number, from
-- `import_seen` and, unless Python saw the chunk's references all differ, this chunk's own
-- rows, which that sorts by reference); the rest are matched on (source, source_ref): an existing
-- asset is updated only when its content differs (never its status), so a re-sent file
-- changes nothing, and the others are inserted. Answers how many rows were updated and
-- inserted, and the rows refused with the reason.
-- Plain statements rather than INSERT ... ON CONFLICT, whose speculative insertion costs
-- more per row; the import holds an advisory lock on its source, so no other import can
-- slip a row in between. Each row finds its asset once, through a LATERAL lookup on
-- (source, source_ref): a unique index probe whatever the planner believes of `asset` (its
-- statistics lag during a large import, and a plan trusting them compared every chunk row
-- with every asset of the source). A source that had no asset when its import began
-- (`probe` false) has none but the rows this import wrote, whose references
-- `import_seen` holds: its rows are not looked up at all (a fifth of a chunk's time).
WITH chunk AS MATERIALIZED (
    SELECT c.*, found.id AS asset_id,
           ${duplicate_of} AS duplicate_of
      FROM import_chunk AS c
      LEFT JOIN import_seen AS s ON s.source_ref = c.source_ref
      LEFT JOIN LATERAL (SELECT a.id FROM asset AS a
                          WHERE CAST(:probe AS boolean)
                            AND a.source = CAST(:source AS text) AND a.source_ref = c.source_ref
                          LIMIT 1) AS found ON true
     WHERE c.reason IS NULL
),
updated AS (
    UPDATE asset
       SET kind = s.kind, category_id = s.category_id,
           ${assignments}
      FROM chunk AS s
     WHERE s.duplicate_of IS NULL AND s.asset_id IS NOT NULL
       AND asset.id = s.asset_id
       AND (asset.kind, asset.category_id, ${stored})
           IS DISTINCT FROM
           (s.kind, s.category_id, ${incoming})
    RETURNING 1
),
inserted AS (
    INSERT INTO asset (kind, category_id, source, source_ref, status, public_geom, ${columns})
    SELECT s.kind, s.category_id, CAST(:source AS text),
           s.source_ref, 'published',
           -- an individual's public point is worked out by the insert trigger
           CASE WHEN s.kind = 'individual' THEN NULL ELSE s.geom END,
           ${inserted}
      FROM chunk AS s
     WHERE s.duplicate_of IS NULL AND s.asset_id IS NULL
     ORDER BY s.row_no
    RETURNING 1
),
-- What the rest of the file is checked against.
seen AS (
    INSERT INTO import_seen (source_ref, row_no)
    SELECT source_ref, row_no FROM chunk WHERE duplicate_of IS NULL
)
SELECT (SELECT count(*) FROM updated) AS updated,
       (SELECT count(*) FROM inserted) AS inserted,
       refused.rows, refused.reasons
  FROM (SELECT coalesce(array_agg(row_no ORDER BY row_no), '{}') AS rows,
               coalesce(array_agg('duplicate source_ref ' || quote_literal(source_ref)
                                  || ': row ' || duplicate_of || ' has it too'
                                  ORDER BY row_no), '{}') AS reasons
          FROM chunk
         WHERE duplicate_of IS NOT NULL) AS refused;

TRUNCATE import_chunk;
