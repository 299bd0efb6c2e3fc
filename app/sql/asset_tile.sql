-- One Mapbox Vector Tile (layer "assets") of the published assets of the public face
-- (public_asset: only those anyone may see, at their public points) in Web Mercator tile
-- :z/:x/:y, optionally of one :kind, category :category_id (with the categories below it)
-- or outcome :outcome. The GiST index on the public point finds them through the tile's
-- lon/lat box, widened by the 64-pixel buffer; at most :max_features per tile, the oldest
-- first; with :ids, only those (a filter's matches).
WITH RECURSIVE wanted_category (id) AS (
    SELECT id FROM category WHERE id = CAST(:category_id AS integer)
    UNION ALL
    SELECT c.id FROM category AS c JOIN wanted_category AS w ON c.parent_id = w.id
), tile AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS bounds,
           ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => 64.0 / 4096), 4326) AS lonlat
), features AS (
    SELECT a.id,
           a.name,
           a.kind,
           c.slug AS category,
           array_to_string(a.outcomes, ',') AS outcomes,
           ST_AsMVTGeom(ST_Transform(a.geom, 3857), tile.bounds, 4096, 64, true) AS geom
      FROM public_asset AS a
      LEFT JOIN category AS c ON c.id = a.category_id
     CROSS JOIN tile
     WHERE a.geom && tile.lonlat
       AND a.status = 'published'
       AND (CAST(:kind AS text) IS NULL OR a.kind = CAST(:kind AS text))
       AND (CAST(:category_id AS integer) IS NULL
            OR a.category_id IN (SELECT id FROM wanted_category))
       AND (CAST(:outcome AS text) IS NULL OR a.outcomes @> ARRAY[CAST(:outcome AS text)])
       AND (CAST(:ids AS bigint[]) IS NULL OR a.id = ANY (CAST(:ids AS bigint[])))
     ORDER BY a.id
     LIMIT :max_features
)
SELECT ST_AsMVT(features.*, 'assets', 4096, 'geom', 'id') FROM features
