-- Points given in the projected CRS :srid (:xs, :ys, metres) as lon/lat (EPSG:4326), in
-- the order given.
SELECT ST_X(point) AS lon, ST_Y(point) AS lat
  FROM unnest(CAST(:xs AS float8[]), CAST(:ys AS float8[])) WITH ORDINALITY
       AS given (x, y, position)
 CROSS JOIN LATERAL (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(given.x, given.y), :srid),
                                         4326) AS point) AS projected
 ORDER BY given.position
