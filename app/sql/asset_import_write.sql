-- The good rows of `import_chunk` into asset, matched on (source, source_ref): an existing
-- asset is updated only when its content differs (never its status), so a re-sent file
-- changes nothing; the rest are inserted. Plain statements rather than one
-- INSERT ... ON CONFLICT, whose speculative insertion costs more per row; the import holds
-- an advisory lock on its source, so no other import can slip a row in between.
-- Each row finds its asset once, through a LATERAL lookup on (source, source_ref): a unique
-- index probe whatever the planner believes of `asset` (its statistics lag during a large
-- import, and a plan trusting them compared every chunk row with every asset of the source).
-- Only rows that found one are written.
UPDATE import_chunk AS c
   SET asset_id = m.id
  FROM (SELECT s.row_no, found.id
          FROM import_chunk AS s
         CROSS JOIN LATERAL (SELECT a.id FROM asset AS a
                              WHERE a.source = CAST(:source AS text)
                                AND a.source_ref = s.source_ref
                              LIMIT 1) AS found
         WHERE s.reason IS NULL) AS m
 WHERE c.row_no = m.row_no;

-- Run only when some row found its asset.
UPDATE asset
   SET name = s.name, description = s.description, kind = CAST(:kind AS text),
       category_id = CAST(:category_id AS integer), outcomes = coalesce(s.outcomes, '{}'),
       geom = s.geom, footprint = s.footprint, reach_m = s.reach_m, capacity = s.capacity,
       address = s.address, postcode = s.postcode, contact = s.contact,
       opening_hours = s.opening_hours, audience = s.audience, cost = s.cost,
       accessibility = s.accessibility,
       verified_at = coalesce(s.verified_at, asset.verified_at)
  FROM import_chunk AS s
 WHERE s.reason IS NULL
   AND asset.id = s.asset_id
   AND (asset.name, asset.description, asset.kind, asset.category_id, asset.outcomes,
        asset.geom, asset.footprint, asset.reach_m, asset.capacity, asset.address,
        asset.postcode, asset.contact, asset.opening_hours, asset.audience, asset.cost,
        asset.accessibility, asset.verified_at)
       IS DISTINCT FROM
       (s.name, s.description, CAST(:kind AS text), CAST(:category_id AS integer),
        coalesce(s.outcomes, '{}'), s.geom, s.footprint, s.reach_m, s.capacity, s.address,
        s.postcode, s.contact, s.opening_hours, s.audience, s.cost, s.accessibility,
        coalesce(s.verified_at, asset.verified_at));

INSERT INTO asset (name, description, kind, category_id, outcomes, geom, footprint,
                   public_geom, reach_m, capacity, address, postcode, contact, opening_hours,
                   audience, cost, accessibility, verified_at, source, source_ref, status)
SELECT s.name, s.description, CAST(:kind AS text), CAST(:category_id AS integer),
       coalesce(s.outcomes, '{}'), s.geom, s.footprint,
       -- an individual's public point is worked out by the insert trigger
       CASE WHEN CAST(:kind AS text) = 'individual' THEN NULL ELSE s.geom END,
       s.reach_m, s.capacity, s.address, s.postcode, s.contact, s.opening_hours, s.audience,
       s.cost, s.accessibility, s.verified_at, CAST(:source AS text), s.source_ref, 'published'
  FROM import_chunk AS s
 WHERE s.reason IS NULL AND s.asset_id IS NULL
 ORDER BY s.row_no;

-- What the rest of the file is checked against.
INSERT INTO import_seen (source_ref, row_no)
SELECT source_ref, row_no FROM import_chunk WHERE reason IS NULL;

TRUNCATE import_chunk;
