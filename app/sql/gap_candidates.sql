-- Candidate sites given as lon/lat (:lons, :lats, EPSG:4326), projected to :srid (x, y in
-- metres), each with the position (from 0) in :area_ids of the first analysed area that
-- contains it, or null when it lies in none of them.
SELECT ST_X(projected.point) AS x,
       ST_Y(projected.point) AS y,
       (SELECT array_position(CAST(:area_ids AS bigint[]), a.id) - 1 AS area_index
          FROM area AS a
         WHERE ST_Covers(a.geom, site.point)
           AND a.id = ANY(CAST(:area_ids AS bigint[]))
         ORDER BY area_index
         LIMIT 1) AS area_index
  FROM unnest(CAST(:lons AS float8[]), CAST(:lats AS float8[])) WITH ORDINALITY
       AS given (lon, lat, position)
 CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(given.lon, given.lat), 4326) AS point)
       AS site
 CROSS JOIN LATERAL (SELECT ST_Transform(site.point, :srid) AS point) AS projected
 ORDER BY given.position
