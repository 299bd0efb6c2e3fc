-- The checks that need the database, for staged rows :first to :last: a point from the
-- postcode lookup for rows that have only a postcode, then the reasons to refuse a row.
UPDATE import_staging AS s
   SET geom = p.geom, geocoded = true
  FROM postcode AS p
 WHERE s.row_no BETWEEN :first AND :last
   AND s.reason IS NULL AND s.geom IS NULL AND p.postcode = s.postcode;

UPDATE import_staging
   SET reason = 'unknown postcode ' || postcode
 WHERE row_no BETWEEN :first AND :last AND reason IS NULL AND geom IS NULL;

UPDATE import_staging
   SET reason = 'outside the service extent'
 WHERE row_no BETWEEN :first AND :last AND reason IS NULL AND geocoded
   AND NOT geom @ ST_MakeEnvelope(:minlon, :minlat, :maxlon, :maxlat, 4326);

-- A reference seen on an earlier row (of this chunk or any before it): the first row wins.
UPDATE import_staging AS s
   SET reason = 'duplicate source_ref ' || quote_literal(s.source_ref) || ': row '
                || (SELECT min(e.row_no) FROM import_staging AS e
                     WHERE e.source_ref = s.source_ref AND e.reason IS NULL)
                || ' has it too'
 WHERE s.row_no BETWEEN :first AND :last AND s.reason IS NULL
   AND EXISTS (SELECT 1 FROM import_staging AS e
                WHERE e.source_ref = s.source_ref AND e.row_no < s.row_no
                  AND e.reason IS NULL);
