-- The floor for a page of items: the published assets whose public point lies in a bbox
-- (lon/lat), the first `limit` by id, as one GeoJSON FeatureCollection built in PostgreSQL
-- with the properties of the service's public view.
SELECT json_build_object(
           'type', 'FeatureCollection',
           'features', coalesce(json_agg(page.feature ORDER BY page.id), '[]'::json),
           'numberReturned', count(*)
       )::text
FROM (
    SELECT a.id,
           json_build_object(
               'type', 'Feature',
               'id', a.id,
               'geometry', ST_AsGeoJSON(a.geom, 7)::json,
               'properties', json_build_object(
                   'name', a.name,
                   'description', a.description,
                   'kind', a.kind,
                   'category', c.slug,
                   'outcomes', a.outcomes,
                   'address', a.address,
                   'postcode', a.postcode,
                   'contact', a.contact,
                   'opening_hours', a.opening_hours,
                   'audience', a.audience,
                   'cost', a.cost,
                   'accessibility', a.accessibility,
                   'reach_m', a.reach_m,
                   'capacity', a.capacity,
                   'source', a.source,
                   'source_ref', a.source_ref,
                   'status', a.status,
                   'verified_at', a.verified_at,
                   'created_at', a.created_at,
                   'updated_at', a.updated_at,
                   'version', a.version,
                   'footprint', ST_AsGeoJSON(ST_ForcePolygonCCW(a.footprint), 7)::json
               )
           ) AS feature
    FROM public_asset AS a
    LEFT JOIN category AS c ON c.id = a.category_id
    WHERE a.geom && ST_MakeEnvelope(%(minlon)s, %(minlat)s, %(maxlon)s, %(maxlat)s, 4326)
      AND a.status = 'published'
    ORDER BY a.id
    LIMIT %(limit)s
) AS page
