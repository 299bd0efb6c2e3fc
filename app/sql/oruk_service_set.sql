-- The services of the Open Referral UK feed (written into oruk_services.sql and
-- oruk_organizations.sql): published assets of the public face (public_asset: only what
-- anyone may see; never a person: people are not services) of a service-like kind or
-- category (:service_kinds, the categories :service_categories and those below them),
-- each with the organisation that runs it: the first group or institution with a
-- published `runs` link to it, else itself.
service_category (id) AS (
    SELECT id FROM category WHERE slug = ANY (CAST(:service_categories AS text[]))
    UNION ALL
    SELECT c.id FROM category AS c JOIN service_category AS s ON c.parent_id = s.id
), service AS (
    SELECT a.*, coalesce(runner.id, a.id) AS organization_asset
      FROM public_asset AS a
      LEFT JOIN LATERAL (
          SELECT l.from_id AS id
            FROM public_link AS l
            JOIN public_asset AS o ON o.id = l.from_id
           WHERE l.to_id = a.id AND l.type = 'runs' AND o.kind <> 'individual'
           ORDER BY l.from_id
           LIMIT 1) AS runner ON true
     WHERE a.status = 'published'
       AND a.kind <> 'individual'
       AND (a.kind = ANY (CAST(:service_kinds AS text[]))
            OR a.category_id IN (SELECT id FROM service_category))
)
