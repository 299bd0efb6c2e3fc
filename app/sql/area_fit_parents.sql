-- Each area in :codes gets as parent the area at :level its polygon overlaps most.
UPDATE area AS child
   SET parent_code = best.code
  FROM (SELECT DISTINCT ON (c.code) c.code AS child, p.code
          FROM area AS c
          JOIN area AS p ON p.level = :level AND p.geom && c.geom
                        AND ST_Intersects(p.geom, c.geom)
         WHERE c.code = ANY(:codes)
         ORDER BY c.code, ST_Area(ST_Intersection(p.geom, c.geom)) DESC) AS best
 WHERE child.code = best.child
   AND child.parent_code IS DISTINCT FROM best.code
