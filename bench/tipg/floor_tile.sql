-- The floor for a vector tile: the published assets in WebMercatorQuad tile z/x/y, found
-- through the tile's lon/lat box widened by a 64-pixel buffer (as the service does), with
-- name, kind, category and outcomes, at most 10,000 by id, as one Mapbox Vector Tile built
-- in PostgreSQL.
WITH tile_features AS (
    SELECT a.id,
           a.name,
           a.kind,
           c.slug AS category,
           array_to_string(a.outcomes, ',') AS outcomes,
           ST_AsMVTGeom(ST_Transform(a.geom, 3857),
                        ST_TileEnvelope(%(z)s::int, %(x)s::int, %(y)s::int),
                        4096, 64, true) AS geom
    FROM public_asset AS a
    LEFT JOIN category AS c ON c.id = a.category_id
    WHERE a.geom && ST_Transform(
              ST_TileEnvelope(%(z)s::int, %(x)s::int, %(y)s::int, margin => 64.0 / 4096), 4326)
      AND a.status = 'published'
    ORDER BY a.id
    LIMIT 10000
)
SELECT ST_AsMVT(tile_features, 'assets', 4096, 'geom', 'id') FROM tile_features
