-- Staged rows :first to :last into asset, upserted on (source, source_ref). An existing
-- asset is updated only when its content differs (never its status or verification), so a
-- re-sent file changes nothing. Returns one row per insert or real update.
INSERT INTO asset (name, description, kind, category_id, outcomes, geom, footprint,
                   public_geom, reach_m, capacity, address, postcode, contact, opening_hours,
                   audience, cost, accessibility, verified_at, source, source_ref, status)
SELECT name, description, CAST(:kind AS text), CAST(:category_id AS integer),
       coalesce(outcomes, '{}'), geom, footprint,
       -- an individual's public point is worked out by the insert trigger
       CASE WHEN CAST(:kind AS text) = 'individual' THEN NULL ELSE geom END,
       reach_m, capacity, address, postcode, contact, opening_hours, audience, cost,
       accessibility, verified_at, CAST(:source AS text), source_ref, 'published'
  FROM import_staging
 WHERE row_no BETWEEN :first AND :last AND reason IS NULL
 ORDER BY row_no
    ON CONFLICT (source, source_ref) DO UPDATE
   SET name = EXCLUDED.name, description = EXCLUDED.description, kind = EXCLUDED.kind,
       category_id = EXCLUDED.category_id, outcomes = EXCLUDED.outcomes, geom = EXCLUDED.geom,
       footprint = EXCLUDED.footprint, reach_m = EXCLUDED.reach_m,
       capacity = EXCLUDED.capacity, address = EXCLUDED.address,
       postcode = EXCLUDED.postcode, contact = EXCLUDED.contact,
       opening_hours = EXCLUDED.opening_hours, audience = EXCLUDED.audience,
       cost = EXCLUDED.cost, accessibility = EXCLUDED.accessibility,
       verified_at = coalesce(EXCLUDED.verified_at, asset.verified_at)
 WHERE (asset.name, asset.description, asset.kind, asset.category_id, asset.outcomes,
        asset.geom, asset.footprint, asset.reach_m, asset.capacity, asset.address,
        asset.postcode, asset.contact, asset.opening_hours, asset.audience, asset.cost,
        asset.accessibility, asset.verified_at)
       IS DISTINCT FROM
       (EXCLUDED.name, EXCLUDED.description, EXCLUDED.kind, EXCLUDED.category_id,
        EXCLUDED.outcomes, EXCLUDED.geom, EXCLUDED.footprint, EXCLUDED.reach_m,
        EXCLUDED.capacity, EXCLUDED.address, EXCLUDED.postcode, EXCLUDED.contact,
        EXCLUDED.opening_hours, EXCLUDED.audience, EXCLUDED.cost, EXCLUDED.accessibility,
        coalesce(EXCLUDED.verified_at, asset.verified_at))
RETURNING (xmax = 0) AS inserted
