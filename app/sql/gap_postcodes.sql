-- The postcode points inside the analysed areas (:area_ids; area_index is the position in
-- that array, from 0), in the projected CRS :srid (x, y in metres) and as lon/lat. A
-- postcode on a shared boundary belongs to the first area listed.
SELECT DISTINCT ON (p.postcode)
       analysed.position - 1 AS area_index,
       ST_X(projected.point) AS x,
       ST_Y(projected.point) AS y
  FROM unnest(CAST(:area_ids AS bigint[])) WITH ORDINALITY AS analysed (id, position)
  JOIN area AS a ON a.id = analysed.id
  JOIN postcode AS p ON ST_Covers(a.geom, p.geom)
 CROSS JOIN LATERAL (SELECT ST_Transform(p.geom, :srid) AS point) AS projected
 ORDER BY p.postcode, analysed.position
