-- Population and indicators by area code from :rows, a JSON array of
-- {code, population (or null), indicators ({name: {value, year, source}})}.
-- Returns the code of each area that really changed.
UPDATE area
   SET population = coalesce(r.population::integer, area.population),
       indicators = area.indicators || r.indicators,
       updated_at = now()
  FROM jsonb_to_recordset(:rows) AS r (code text, population float8, indicators jsonb)
 WHERE area.code = r.code
   AND (area.population, area.indicators)
       IS DISTINCT FROM
       (coalesce(r.population::integer, area.population), area.indicators || r.indicators)
RETURNING area.code
