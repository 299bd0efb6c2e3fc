-- The organisations of the Open Referral UK feed: those running its services
-- (oruk_service_set.sql), each once, with how many services it runs; optionally only
-- those matching :search or with the asset ids :ids. A page (:rows from :skip) by id, each
-- row with the number of matches in all (`total`).
WITH RECURSIVE ${service_set}, runner AS (
    SELECT organization_asset AS id, count(*) AS services
      FROM service
     GROUP BY organization_asset
), page AS (
    SELECT o.id, o.name, o.description, o.contact, o.updated_at, r.services,
           count(*) OVER () AS total
      FROM runner AS r
      JOIN public_asset AS o ON o.id = r.id
     WHERE (CAST(:search AS text) IS NULL
            OR o.search @@ websearch_to_tsquery('english', CAST(:search AS text))
            OR asset_words(o.name, o.description)
               @@ to_tsquery('simple', search_fold(CAST(:search_prefix AS text))))
       AND (CAST(:ids AS bigint[]) IS NULL OR o.id = ANY (CAST(:ids AS bigint[])))
     ORDER BY o.id
     LIMIT :rows OFFSET :skip
)
SELECT * FROM page ORDER BY id
