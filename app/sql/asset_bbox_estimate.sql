-- About how many assets lie in the lon/lat box of the values minlon, minlat, maxlon and
-- maxlat: PostGIS's estimate from the statistics of the public point's column (the one PostgreSQL's planner
-- makes of `public_geom && box` when it sees the box's values), or NULL before the table
-- has statistics. No row is read: it only chooses how a page of a search is planned.
SELECT CASE
           WHEN c.reltuples > 0 AND EXISTS (
               SELECT FROM pg_stats AS s
                WHERE s.schemaname = current_schema() AND s.tablename = 'asset'
                  AND s.attname = 'public_geom' AND s.null_frac < 1
           )
           THEN _postgis_selectivity(
                    c.oid, 'public_geom',
                    ST_MakeEnvelope(:minlon, :minlat, :maxlon, :maxlat, 4326)
                ) * c.reltuples
       END AS assets
  FROM pg_class AS c
 WHERE c.oid = 'asset'::regclass
