-- Candidate sites given as lon/lat (:lons, :lats, EPSG:4326), projected to :srid (x, y in
-- metres), each with the position (from 0) in :area_ids of the first analysed area that
-- contains it, or null when it lies in none of them.
WITH analysed (id, position) AS (
    SELECT id, position
      FROM unnest(CAST(:area_ids AS bigint[])) WITH ORDINALITY AS analysed (id, position)
), given AS (
    SELECT position, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS point
      FROM unnest(CAST(:lons AS float8[]), CAST(:lats AS float8[])) WITH ORDINALITY
           AS given (lon, lat, position)
), placed AS (
    -- the areas holding each site, found through the spatial index
    SELECT DISTINCT ON (given.position) given.position, analysed.position - 1 AS area_index
      FROM given
      JOIN area AS a ON ST_Covers(a.geom, given.point)
      JOIN analysed ON analysed.id = a.id
     ORDER BY given.position, analysed.position
)
SELECT ST_X(projected.point) AS x,
       ST_Y(projected.point) AS y,
       placed.area_index
  FROM given
  LEFT JOIN placed ON placed.position = given.position
 CROSS JOIN LATERAL (SELECT ST_Transform(given.point, :srid) AS point) AS projected
 ORDER BY given.position
