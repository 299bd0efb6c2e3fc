-- One Mapbox Vector Tile (layer "areas") of the areas (optionally of one :level) in Web
-- Mercator tile :z/:x/:y, clipped to the tile with a 64-pixel buffer, with population and
-- IMD 2019 decile; at most :max_features per tile; with :ids, only those (a filter's
-- matches).
WITH tile AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS bounds,
           ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => 64.0 / 4096), 4326) AS lonlat
), features AS (
    SELECT a.id,
           a.code,
           a.name,
           a.level,
           a.population,
           CASE WHEN jsonb_typeof(a.indicators #> '{imd_decile,value}') = 'number'
                THEN (a.indicators #>> '{imd_decile,value}')::float8 END AS imd_decile,
           ST_AsMVTGeom(ST_Transform(a.geom, 3857), tile.bounds, 4096, 64, true) AS geom
      FROM area AS a
     CROSS JOIN tile
     WHERE a.geom && tile.lonlat
       AND (CAST(:level AS text) IS NULL OR a.level = CAST(:level AS text))
       AND (CAST(:ids AS bigint[]) IS NULL OR a.id = ANY (CAST(:ids AS bigint[])))
     ORDER BY a.id
     LIMIT :max_features
)
SELECT ST_AsMVT(features.*, 'areas', 4096, 'geom', 'id') FROM features WHERE geom IS NOT NULL
