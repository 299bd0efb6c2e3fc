"""Who may see and change an asset.

- Anyone reads published (and archived) assets in the public view: an individual only with
  current consent, at their neighbourhood's point, without contact details.
- An asset's *moderators* read it whole and change it directly: admins of everything,
  admins of the local authority containing it, and moderators of an area containing it (a
  ward or a locality holds everything inside it). Nothing unpublished in one authority is
  seen by another authority's admins or moderators.
- Its *contributor* (the account that added it) reads it whole too, and changes it directly
  until it is published; a change to a published asset waits for a moderator.
- Everyone else who is signed in reads what the public reads, and their changes wait for a
  moderator too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import NamedFromClause

from app.auth.accounts import Account
from app.domain.geometry import AssetLocation
from app.domain.visibility import ASSET, PUBLIC_STATUSES, shown
from app.errors import FieldProblem, Problem, not_found
from app.models import Area, Asset


def moderates(account: Account | None, table: NamedFromClause = ASSET) -> ColumnElement[bool]:
    """Whether `account` moderates the asset of the row (of `asset`, or an alias of it): an
    admin, or a moderator of an area containing its point."""
    return _moderates_at(account, table.c.geom)


def _moderates_at(account: Account | None, place: Any) -> ColumnElement[bool]:
    """Whether `account` moderates `place` (a point, EPSG:4326): an admin of everything, or
    a moderator (or authority admin) of an area containing it."""
    if account is None:
        return false()
    if account.everywhere:
        return true()
    # an authority admin moderates their authorities as a moderator does their areas
    if account.role not in ("moderator", "admin") or not account.areas:
        return false()
    return exists(
        select(Area.id).where(Area.code.in_(account.areas), func.ST_Intersects(Area.geom, place))
    )


def moderates_area(account: Account | None, area_code: Any) -> ColumnElement[bool]:
    """Whether `account` moderates the area with code `area_code` (an expression): an admin,
    or a moderator of an area holding a point inside it."""
    # an alias of its own: `area` is also the table of the moderator's areas
    moderated = Area.__table__.alias("moderated_area")
    inside = (
        select(func.ST_PointOnSurface(moderated.c.geom))
        .where(moderated.c.code == area_code)
        .correlate_except(moderated)
    )
    return _moderates_at(account, inside.scalar_subquery())


def contributed(account: Account | None, table: NamedFromClause = ASSET) -> ColumnElement[bool]:
    """Whether `account` added the asset of the row."""
    if account is None:
        return false()
    return table.c.created_by == account.email


def public(table: NamedFromClause = ASSET) -> ColumnElement[bool]:
    """Whether anyone may read the asset of the row."""
    return and_(table.c.status.in_(PUBLIC_STATUSES), shown(table))


def sees(account: Account | None, table: NamedFromClause = ASSET) -> ColumnElement[bool]:
    """Whether `account` may see the asset of the row at all: the public what is public,
    its stewards (moderators, contributor) all of it."""
    return or_(public(table), moderates(account, table), contributed(account, table))


@dataclass(frozen=True)
class AssetAccess:
    """What one account may do with one asset."""

    asset_id: int
    status: str
    kind: str
    version: int
    public: bool
    moderator: bool
    contributor: bool

    @property
    def whole(self) -> bool:
        """Whether the account reads the asset whole (its full view, personal fields too)."""
        return self.moderator or self.contributor

    @property
    def direct(self) -> bool:
        """Whether the account's changes apply at once, without moderation."""
        return self.moderator or (self.contributor and self.status not in PUBLIC_STATUSES)


def access(session: Session, account: Account | None, asset_id: int) -> AssetAccess:
    """What `account` (None: anonymous) may do with an asset; a 404 when there is no such
    asset or the account may not even see it."""
    row = session.execute(
        select(
            Asset.status,
            Asset.kind,
            Asset.version,
            public().label("public"),
            moderates(account).label("moderator"),
            contributed(account).label("contributor"),
        ).where(Asset.id == asset_id)
    ).first()
    if row is None or not (row.public or row.moderator or row.contributor):
        raise not_found(f"asset {asset_id}")
    return AssetAccess(
        asset_id,
        row.status,
        row.kind,
        row.version,
        bool(row.public),
        bool(row.moderator),
        bool(row.contributor),
    )


def moderates_point(session: Session, account: Account | None, point_wkt: str) -> bool:
    """Whether `account` moderates a new asset at `point_wkt` (EWKT, EPSG:4326)."""
    if account is None or account.role not in ("admin", "moderator"):
        return False
    return bool(session.scalar(select(_moderates_at(account, func.ST_GeomFromEWKT(point_wkt)))))


def for_change(
    session: Session,
    account: Account | None,
    allowed: AssetAccess,
    destination: AssetLocation | None,
) -> AssetAccess:
    """What `account` may do with a change that moves the asset to `destination` (None: it
    stays): both where it is and where it goes must be theirs to moderate, so a moderator
    of where it is who does not moderate where it goes changes it as anyone else would."""
    if destination is None or not allowed.moderator:
        return allowed
    if moderates_point(session, account, destination.point_wkt):
        return allowed
    return replace(allowed, moderator=False)


def moderates_geojson(account: Account | None, geometry: ColumnElement[Any]) -> ColumnElement[bool]:
    """Whether `account` moderates the place of a GeoJSON geometry (a jsonb expression; a
    polygon's place is a point on its surface), as `moderates` does an asset's point."""
    place = func.ST_PointOnSurface(func.ST_SetSRID(func.ST_GeomFromGeoJSON(geometry), 4326))
    return _moderates_at(account, place)


def forbidden(detail: str, field: str | None = None) -> Problem:
    """A 403, naming the field whose value the account may not send, if any."""
    return Problem(403, detail, [] if field is None else [FieldProblem(field, detail)])
