-- The services of the Open Referral UK feed (oruk_service_set.sql), each with the local
-- authority it lies in.
-- Filters, each ignored when NULL, combine as AND: text (:search, :search_prefix), a
-- kind, a category (with those below it), an outcome, having any category or outcome
-- (:has_category, :has_outcome), an organisation (:organization_id, an asset id), changed
-- on or after :modified_after, within :proximity_m metres of (:lon, :lat), ids (:ids).
-- A page (:rows from :skip), by distance when a point is given, else by id, each row with
-- the number of matches in all (`total`).
WITH RECURSIVE ${service_set}, wanted_category (id) AS (
    SELECT id FROM category WHERE id = CAST(:category_id AS integer)
    UNION ALL
    SELECT c.id FROM category AS c JOIN wanted_category AS w ON c.parent_id = w.id
), here AS (
    SELECT ST_SetSRID(ST_MakePoint(CAST(:lon AS float8), CAST(:lat AS float8)), 4326) AS point
), matched AS (
    SELECT s.*,
           CASE WHEN CAST(:lon AS float8) IS NULL THEN NULL
                ELSE ST_Distance(geography(s.geom), geography(here.point)) END AS distance_m
      FROM service AS s, here
     WHERE (CAST(:search AS text) IS NULL
            OR s.search @@ websearch_to_tsquery('english', CAST(:search AS text))
            OR asset_words(s.name, s.description)
               @@ to_tsquery('simple', search_fold(CAST(:search_prefix AS text))))
       AND (CAST(:kind AS text) IS NULL OR s.kind = CAST(:kind AS text))
       AND (CAST(:category_id AS integer) IS NULL
            OR s.category_id IN (SELECT id FROM wanted_category))
       AND (CAST(:outcome AS text) IS NULL OR s.outcomes @> ARRAY[CAST(:outcome AS text)])
       AND (NOT CAST(:has_category AS boolean) OR s.category_id IS NOT NULL)
       AND (NOT CAST(:has_outcome AS boolean) OR cardinality(s.outcomes) > 0)
       AND (CAST(:organization_id AS bigint) IS NULL
            OR s.organization_asset = CAST(:organization_id AS bigint))
       AND (CAST(:modified_after AS timestamptz) IS NULL
            OR s.updated_at >= CAST(:modified_after AS timestamptz))
       AND (CAST(:proximity_m AS float8) IS NULL
            OR ST_DWithin(geography(s.geom), geography(here.point),
                          CAST(:proximity_m AS float8)))
       AND (CAST(:ids AS bigint[]) IS NULL OR s.id = ANY (CAST(:ids AS bigint[])))
), page AS (
    SELECT m.*, count(*) OVER () AS total
      FROM matched AS m
     ORDER BY m.distance_m NULLS FIRST, m.id
     LIMIT :rows OFFSET :skip
)
-- the local authority and the category of the page's services only
SELECT p.id, p.name, p.description, p.kind, c.slug AS category, p.outcomes,
       ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat, p.address, p.postcode, p.contact,
       p.opening_hours, p.schedule, p.cost, p.audience, p.accessibility, p.updated_at,
       p.organization_asset, p.distance_m, p.total,
       (SELECT ar.name FROM area AS ar
         WHERE ar.level = 'local_authority' AND ST_Intersects(ar.geom, p.geom)
         ORDER BY ar.code LIMIT 1) AS authority
  FROM page AS p
  LEFT JOIN category AS c ON c.id = p.category_id
 ORDER BY p.distance_m NULLS FIRST, p.id
