SELECT a.id, a.name, a.description, a.kind, c.slug AS category, a.outcomes,
       a.address, a.postcode, a.contact,
       a.opening_hours, a.audience, a.cost, a.accessibility, a.reach_m, a.capacity,
       a.source, a.source_ref, a.status, a.verified_at, a.created_at, a.updated_at, a.version,
       a.geom
FROM public_asset AS a
LEFT JOIN category AS c ON c.id = a.category_id
WHERE a.status = 'published'
