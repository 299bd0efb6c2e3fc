-- Areas by code from :rows, a JSON array of {code, name, parent, wkb (hex, EPSG:4326)}.
-- A row without a parent keeps the stored one. Returns one row per insert or real change.
INSERT INTO area (code, name, level, parent_code, geom)
SELECT r.code, r.name, :level, r.parent,
       ST_SetSRID(ST_GeomFromWKB(decode(r.wkb, 'hex')), 4326)
  FROM jsonb_to_recordset(:rows) AS r (code text, name text, parent text, wkb text)
    ON CONFLICT (code) DO UPDATE
   SET name = EXCLUDED.name,
       level = EXCLUDED.level,
       parent_code = coalesce(EXCLUDED.parent_code, area.parent_code),
       geom = EXCLUDED.geom,
       updated_at = now()
 WHERE (area.name, area.level, area.geom, area.parent_code)
       IS DISTINCT FROM
       (EXCLUDED.name, EXCLUDED.level, EXCLUDED.geom,
        coalesce(EXCLUDED.parent_code, area.parent_code))
RETURNING (xmax = 0) AS inserted
