-- The areas a gap analysis looks at: every area at :level inside :within (itself included
-- when it is at that level), or every area at :level when :within is null. Each comes with
-- its population, IMD 2019 score and decile (null when not imported), and its centroid
-- computed in the projected CRS :srid (x, y in metres; stored for British National Grid,
-- computed here for any other CRS).
WITH RECURSIVE inside (code) AS (
    SELECT code FROM area WHERE code = CAST(:within AS text)
    UNION
    SELECT child.code FROM area AS child JOIN inside ON child.parent_code = inside.code
), analysed AS MATERIALIZED (
    SELECT a.id,
           a.code,
           a.name,
           a.population,
           a.indicators #> '{imd_score,value}' AS imd_score,
           a.indicators #> '{imd_decile,value}' AS imd_decile,
           CASE WHEN :srid = 27700 THEN a.centroid_bng
                ELSE ST_Centroid(ST_Transform(a.geom, :srid)) END AS centroid
      FROM area AS a
     WHERE a.level = :level
       AND (CAST(:within AS text) IS NULL OR a.code IN (SELECT code FROM inside))
)
SELECT id,
       code,
       name,
       population,
       CASE WHEN jsonb_typeof(imd_score) = 'number' THEN imd_score::float8 END AS imd_score,
       CASE WHEN jsonb_typeof(imd_decile) = 'number' THEN round(imd_decile::float8)::integer
       END AS imd_decile,
       ST_X(centroid) AS x,
       ST_Y(centroid) AS y
  FROM analysed
 ORDER BY code COLLATE "C"
