-- The checks that need the database, for the rows of `import_chunk`: a point from the
-- postcode lookup for rows that have only a postcode, then the reasons to refuse a row.
-- They run only for a chunk holding such rows; each check answers the rows it refused.
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
