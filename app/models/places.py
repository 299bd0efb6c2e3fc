"""The tables of assets and areas: neighbourhoods, the taxonomy, assets and their history,
postcodes, accounts and moderation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    Computed,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class Area(Base):
    """A neighbourhood polygon at a level, with its population and need indicators."""

    __tablename__ = "area"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(Text)
    parent_code: Mapped[str | None] = mapped_column(
        Text, ForeignKey("area.code", onupdate="CASCADE", ondelete="SET NULL")
    )
    population: Mapped[int | None] = mapped_column(Integer)
    # key -> {"value": number, "year": int | None, "source": str | None}
    indicators: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    geom: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=False))
    # A point inside the polygon: where a generalised individual asset is shown.
    label_point: Mapped[Any] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=False),
        Computed("ST_PointOnSurface(geom)", persisted=True),
    )
    # The centroid computed in British National Grid (EPSG:27700): gap analyses' demand point.
    centroid_bng: Mapped[Any] = mapped_column(
        Geometry("POINT", srid=27700, spatial_index=False),
        Computed("ST_Centroid(ST_Transform(geom, 27700))", persisted=True),
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Category(Base):
    """A term of the hierarchical category taxonomy; each sits under one kind."""

    __tablename__ = "category"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("category.id", ondelete="RESTRICT"))
    # An authority's own category (migration 0016); NULL: the shared taxonomy.
    authority_code: Mapped[str | None] = mapped_column(
        Text, ForeignKey("area.code", onupdate="CASCADE")
    )
    added_by: Mapped[str | None] = mapped_column(Text)
    added_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Outcome(Base):
    """A whole-life outcome domain that assets contribute to."""

    __tablename__ = "outcome"

    slug: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text)


class Asset(Base):
    """Anything a neighbourhood can build on, at a point (and optionally a footprint)."""

    __tablename__ = "asset"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    outcomes: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    geom: Mapped[Any] = mapped_column(Geometry("POINT", srid=4326, spatial_index=False))
    footprint: Mapped[Any | None] = mapped_column(
        Geometry("MULTIPOLYGON", srid=4326, spatial_index=False)
    )
    # Where the public sees it: `geom`, except for an individual (see the migration's trigger).
    public_geom: Mapped[Any] = mapped_column(Geometry("POINT", srid=4326, spatial_index=False))
    # The public point in British National Grid (EPSG:27700), for gap analyses.
    public_bng: Mapped[Any] = mapped_column(
        Geometry("POINT", srid=27700, spatial_index=False),
        Computed("ST_Transform(public_geom, 27700)", persisted=True),
    )
    reach_m: Mapped[float | None] = mapped_column(Float)
    capacity: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    opening_hours: Mapped[str | None] = mapped_column(Text)
    # app.schemas.Schedule as JSON: when it is open, as data
    schedule: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    audience: Mapped[str | None] = mapped_column(Text)
    cost: Mapped[str | None] = mapped_column(Text)
    accessibility: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text, server_default="api")
    source_ref: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, server_default="published")
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verified_by: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[str | None] = mapped_column(Text)
    # its creation's number among the revisions: the history reads its creation from the row
    created_revision: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_by: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    consent_publish: Mapped[bool | None] = mapped_column(Boolean)
    consent_given_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    consent_given_by: Mapped[str | None] = mapped_column(Text)
    consent_scope: Mapped[str | None] = mapped_column(Text)
    consent_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    search: Mapped[Any] = mapped_column(
        TSVECTOR,
        Computed(
            "to_tsvector('english'::regconfig, name || ' ' || coalesce(description, ''))",
            persisted=True,
        ),
    )


class AssetRevision(Base):
    """One change to an asset: who, when, what, and the changed fields before and after.
    A view (migration 0014): the revisions written, and each asset's creation from its row."""

    __tablename__ = "asset_revision"
    __table_args__ = ({"info": {"view": True}},)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    changed_by: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class Postcode(Base):
    """An offline postcode lookup: a postcode's point and, where known, its LSOA."""

    __tablename__ = "postcode"

    postcode: Mapped[str] = mapped_column(Text, primary_key=True)
    geom: Mapped[Any] = mapped_column(Geometry("POINT", srid=4326, spatial_index=False))
    lsoa_code: Mapped[str | None] = mapped_column(Text)


class User(Base):
    """Someone who signs in: a contributor, moderator (of `areas`), analyst or admin."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(Text, unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The authority whose people a contributor or analyst is (migration 0016).
    authority_code: Mapped[str | None] = mapped_column(
        Text, ForeignKey("area.code", onupdate="CASCADE", ondelete="SET NULL")
    )


class UserArea(Base):
    __tablename__ = "user_area"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    area_code: Mapped[str] = mapped_column(
        Text, ForeignKey("area.code", onupdate="CASCADE", ondelete="CASCADE"), primary_key=True
    )


class AuthToken(Base):
    """A bearer token, kept only as its SHA-256 digest."""

    __tablename__ = "auth_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(Text)
    digest: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    name: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SignInFailure(Base):
    __tablename__ = "sign_in_failure"

    email: Mapped[str] = mapped_column(Text, primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ModerationRequest(Base):
    """A new asset or a change to a published one, waiting for (or decided by) a moderator."""

    __tablename__ = "moderation_request"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(Text)
    # for an edit: {"properties": {...}, "geometry": {...} | null}, as the client sent them
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    base_version: Mapped[int] = mapped_column(Integer)
    submitted_by: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    decision: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(Text)
