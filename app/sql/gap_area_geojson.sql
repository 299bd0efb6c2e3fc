-- The polygons of areas :area_ids as RFC 7946 GeoJSON geometry texts: lon/lat, exterior
-- rings counter-clockwise, at most 7 decimals.
SELECT a.id, ST_AsGeoJSON(ST_ForcePolygonCCW(a.geom), 7) AS geometry
  FROM area AS a
 WHERE a.id = ANY(CAST(:area_ids AS bigint[]))
