-- The checks that need the database, for the rows of `import_chunk`: a point from the
-- postcode lookup for rows that have only a postcode, then the reasons to refuse a row.
-- The first three run only for a chunk holding such rows. Each answers the rows it refused.
UPDATE import_chunk AS c
   SET geom = p.geom, geocoded = true
  FROM postcode AS p
 WHERE c.reason IS NULL AND c.geom IS NULL AND p.postcode = c.postcode;

UPDATE import_chunk
   SET reason = 'unknown postcode ' || postcode
 WHERE reason IS NULL AND geom IS NULL
RETURNING row_no, reason;

UPDATE import_chunk
   SET reason = 'outside the service extent'
 WHERE reason IS NULL AND geocoded
   AND NOT geom @ ST_MakeEnvelope(:minlon, :minlat, :maxlon, :maxlat, 4326)
RETURNING row_no, reason;

-- A reference seen on an earlier row, in an earlier chunk or this one: the first row wins.
UPDATE import_chunk AS c
   SET reason = 'duplicate source_ref ' || quote_literal(c.source_ref) || ': row '
                || d.first_row || ' has it too'
  FROM (SELECT k.row_no, coalesce(s.row_no, k.first_row) AS first_row
          FROM (SELECT row_no, source_ref,
                       min(row_no) OVER (PARTITION BY source_ref) AS first_row
                  FROM import_chunk
                 WHERE reason IS NULL) AS k
          LEFT JOIN import_seen AS s ON s.source_ref = k.source_ref
         WHERE s.row_no IS NOT NULL OR k.first_row < k.row_no) AS d
 WHERE c.row_no = d.row_no
RETURNING c.row_no, c.reason;
