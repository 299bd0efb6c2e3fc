-- The areas a gap analysis looks at: every area at :level inside :within (itself included
-- when it is at that level), or every area at :level when :within is null. Each comes with
-- its population, IMD 2019 score and decile (null when not imported), and its centroid
-- computed in the projected CRS :srid (x, y in metres) and given back as lon/lat too.
WITH RECURSIVE inside (code) AS (
    SELECT code FROM area WHERE code = CAST(:within AS text)
    UNION
    SELECT child.code FROM area AS child JOIN inside ON child.parent_code = inside.code
)
SELECT a.id,
       a.code,
       a.name,
       a.population,
       CASE WHEN jsonb_typeof(a.indicators -> 'imd_score' -> 'value') = 'number'
            THEN (a.indicators -> 'imd_score' ->> 'value')::float8 END AS imd_score,
       CASE WHEN jsonb_typeof(a.indicators -> 'imd_decile' -> 'value') = 'number'
            THEN round((a.indicators -> 'imd_decile' ->> 'value')::numeric)::integer
       END AS imd_decile,
       ST_X(c.centroid) AS x,
       ST_Y(c.centroid) AS y,
       ST_X(ST_Transform(c.centroid, 4326)) AS lon,
       ST_Y(ST_Transform(c.centroid, 4326)) AS lat
  FROM area AS a
 CROSS JOIN LATERAL (SELECT ST_Centroid(ST_Transform(a.geom, :srid)) AS centroid) AS c
 WHERE a.level = :level
   AND (CAST(:within AS text) IS NULL OR a.code IN (SELECT code FROM inside))
 ORDER BY a.code
