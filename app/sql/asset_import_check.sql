-- The checks that need the database, for the rows of `import_chunk`: a point from the
-- postcode lookup for rows that have only a postcode, then the reasons to refuse a row.
UPDATE import_chunk AS c
   SET geom = p.geom, geocoded = true
  FROM postcode AS p
 WHERE c.reason IS NULL AND c.geom IS NULL AND p.postcode = c.postcode;

UPDATE import_chunk
   SET reason = 'unknown postcode ' || postcode
 WHERE reason IS NULL AND geom IS NULL;

UPDATE import_chunk
   SET reason = 'outside the service extent'
 WHERE reason IS NULL AND geocoded
   AND NOT geom @ ST_MakeEnvelope(:minlon, :minlat, :maxlon, :maxlat, 4326);

-- A reference seen on an earlier row, in an earlier chunk or this one: the first row wins.
UPDATE import_chunk AS c
   SET reason = 'duplicate source_ref ' || quote_literal(c.source_ref) || ': row '
                || coalesce((SELECT min(s.row_no) FROM import_seen AS s
                              WHERE s.source_ref = c.source_ref AND s.reason IS NULL),
                            (SELECT min(e.row_no) FROM import_chunk AS e
                              WHERE e.source_ref = c.source_ref AND e.reason IS NULL))
                || ' has it too'
 WHERE c.reason IS NULL
   AND (EXISTS (SELECT 1 FROM import_seen AS s
                 WHERE s.source_ref = c.source_ref AND s.reason IS NULL)
        OR EXISTS (SELECT 1 FROM import_chunk AS e
                    WHERE e.source_ref = c.source_ref AND e.row_no < c.row_no
                      AND e.reason IS NULL));
