-- Postcodes from :rows, a JSON array of {postcode (normalised), lon, lat, lsoa}.
-- Returns one row per insert or real change.
INSERT INTO postcode (postcode, geom, lsoa_code)
SELECT r.postcode, ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326), r.lsoa
  FROM jsonb_to_recordset(:rows) AS r (postcode text, lon float8, lat float8, lsoa text)
    ON CONFLICT (postcode) DO UPDATE
   SET geom = EXCLUDED.geom,
       lsoa_code = EXCLUDED.lsoa_code
 WHERE (postcode.geom, postcode.lsoa_code) IS DISTINCT FROM (EXCLUDED.geom, EXCLUDED.lsoa_code)
RETURNING (xmax = 0) AS inserted
