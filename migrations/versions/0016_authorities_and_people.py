"""Authorities as tenants, and people administration.

- An area of level `local_authority` is a tenant. An admin with areas (user_area) is an
  *authority admin*: those areas must be local authorities, and they administer only
  them; an admin without areas administers everything, as before. So that an authority
  admin never becomes an admin of everything by their areas going, an area that is an
  admin's is not deleted (the trigger `area_keeps_its_admins`).
- `app_user.authority_code`: the authority whose people a contributor or analyst is (a
  moderator's and an authority admin's follow from their areas); none for the service's
  own people, whom only admins of everything manage.
- `category.authority_code`: a category an authority added under one of the six kinds,
  beside the shared taxonomy (NULL). An asset may take it only inside that authority: the
  trigger `asset_category_authority` refuses any other, however the asset is written.
- `password_reset`: one-time links to choose a new password, kept only as the SHA-256
  digest of their token, good once and until they expire.
- `account_audit`: every change to someone's account (who, when, what, before and after),
  with the authorities it concerns, so an authority admin reads only theirs.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = r"""
ALTER TABLE app_user
    ADD COLUMN authority_code text REFERENCES area (code) ON UPDATE CASCADE ON DELETE SET NULL;

ALTER TABLE category
    ADD COLUMN authority_code text REFERENCES area (code) ON UPDATE CASCADE,
    ADD COLUMN added_by text,
    ADD COLUMN added_at timestamptz;
CREATE INDEX category_authority_idx ON category (authority_code)
    WHERE authority_code IS NOT NULL;

-- An authority's own category is for assets inside that authority alone.
CREATE FUNCTION asset_category_authority() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    owner text;
BEGIN
    IF NEW.category_id IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT c.authority_code INTO owner FROM category AS c WHERE c.id = NEW.category_id;
    IF owner IS NULL OR EXISTS (
        SELECT 1 FROM area AS a WHERE a.code = owner AND ST_Intersects(a.geom, NEW.geom)
    ) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION USING
        ERRCODE = 'check_violation',
        CONSTRAINT = 'asset_category_authority',
        MESSAGE = format('the category is one of %s''s own, and the asset is outside it', owner);
END
$$;
CREATE TRIGGER asset_category_authority
    BEFORE INSERT OR UPDATE OF category_id, geom ON asset
    FOR EACH ROW EXECUTE FUNCTION asset_category_authority();

-- An authority admin's areas going would leave an admin of everything: an authority with
-- admins of its own is not removed until their areas change.
CREATE FUNCTION area_keeps_its_admins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM user_area AS ua JOIN app_user AS u ON u.id = ua.user_id
         WHERE ua.area_code = OLD.code AND u.role = 'admin'
    ) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'area_keeps_its_admins',
            MESSAGE = format('%s has admins of its own: change their areas first', OLD.code);
    END IF;
    RETURN OLD;
END
$$;
CREATE TRIGGER area_keeps_its_admins BEFORE DELETE ON area
    FOR EACH ROW EXECUTE FUNCTION area_keeps_its_admins();

-- Whether area `code` lies within one of `authorities` (local authority codes): it is one
-- of them, or an area below that level whose point on its surface is inside one.
CREATE FUNCTION area_within(code text, authorities text[]) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce(bool_or(
               a.code = ANY (authorities)
               OR (a.level <> 'local_authority' AND EXISTS (
                   SELECT 1 FROM area AS la
                    WHERE la.code = ANY (authorities) AND la.level = 'local_authority'
                      AND ST_Intersects(la.geom, a.label_point)))), false)
      FROM area AS a WHERE a.code = area_within.code
$$;

-- The local authorities whose people user `who` is: their own (a contributor's or
-- analyst's), and those holding their areas.
CREATE FUNCTION user_authorities(who integer) RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT la.code ORDER BY la.code), '{}')
      FROM area AS la
     WHERE la.level = 'local_authority'
       AND (la.code = (SELECT u.authority_code FROM app_user AS u WHERE u.id = who)
            OR EXISTS (
                SELECT 1 FROM user_area AS ua JOIN area AS a ON a.code = ua.area_code
                 WHERE ua.user_id = who
                   AND (a.code = la.code OR (a.level <> 'local_authority'
                                             AND ST_Intersects(la.geom, a.label_point)))))
$$;

-- Whether the admins of `authorities` manage user `who`: someone of theirs (with an
-- authority, or areas) and of no one else's (every area within theirs); never an admin of
-- everything.
CREATE FUNCTION user_within(who integer, authorities text[]) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT (u.authority_code IS NULL OR u.authority_code = ANY (authorities))
       AND (u.authority_code IS NOT NULL OR EXISTS (
               SELECT 1 FROM user_area AS ua WHERE ua.user_id = who))
       AND NOT EXISTS (
               SELECT 1 FROM user_area AS ua
                WHERE ua.user_id = who AND NOT area_within(ua.area_code, authorities))
      FROM app_user AS u WHERE u.id = who
$$;

CREATE TABLE password_reset (
    id          integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    user_id     integer NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    digest      bytea NOT NULL UNIQUE,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX password_reset_user_idx ON password_reset (user_id);

CREATE TABLE account_audit (
    id           bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor        text NOT NULL,
    action       text NOT NULL CHECK (action IN (
                     'create', 'role', 'areas', 'disable', 'enable', 'reset_link',
                     'reset_password', 'change_password')),
    user_id      integer REFERENCES app_user (id) ON DELETE SET NULL,
    email        text NOT NULL,
    before       jsonb,
    after        jsonb,
    -- the authorities the account belonged to before and after the change
    authorities  text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX account_audit_user_idx ON account_audit (user_id);
CREATE INDEX account_audit_authorities_idx ON account_audit USING gin (authorities);
"""

DOWNGRADE = """
DROP TABLE account_audit, password_reset;
DROP FUNCTION user_within(integer, text[]);
DROP FUNCTION user_authorities(integer);
DROP FUNCTION area_within(text, text[]);
DROP TRIGGER area_keeps_its_admins ON area;
DROP FUNCTION area_keeps_its_admins();
DROP TRIGGER asset_category_authority ON asset;
DROP FUNCTION asset_category_authority();
UPDATE asset SET category_id = NULL
 WHERE category_id IN (SELECT id FROM category WHERE authority_code IS NOT NULL);
DELETE FROM category WHERE authority_code IS NOT NULL;
ALTER TABLE category DROP COLUMN authority_code, DROP COLUMN added_by, DROP COLUMN added_at;
ALTER TABLE app_user DROP COLUMN authority_code;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
