SELECT a.id, a.name, a.description, a.kind, c.slug AS category, a.outcomes,
       CASE WHEN a.kind <> 'individual' THEN a.address END AS address,
       CASE WHEN a.kind <> 'individual' THEN a.postcode END AS postcode,
       CASE WHEN a.kind <> 'individual' THEN a.contact END AS contact,
       a.opening_hours, a.audience, a.cost, a.accessibility, a.reach_m, a.capacity,
       a.source, a.source_ref, a.status, a.verified_at, a.created_at, a.updated_at, a.version,
       a.public_geom
FROM asset AS a
LEFT JOIN category AS c ON c.id = a.category_id
WHERE a.status = 'published'
  AND (a.kind <> 'individual'
       OR (a.consent_publish AND (a.consent_expires_at IS NULL OR a.consent_expires_at > now())))
