"""The tables, as SQLAlchemy + GeoAlchemy2 models. The schema itself is made by Alembic."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    Computed,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

KIND_VALUES = ("individual", "association", "institution", "physical", "economic", "cultural")
STATUS_VALUES = ("draft", "pending", "published", "archived")
AREA_LEVELS = ("lsoa", "ward", "locality", "local_authority")


class Base(DeclarativeBase):
    pass


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
    """One change to an asset: who, when, what, and the changed fields before and after."""

    __tablename__ = "asset_revision"

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


class AssetLink(Base):
    """A typed, directed link between two assets: who runs, meets at, is part of, partners
    with, supports or funds what."""

    __tablename__ = "asset_link"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    from_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"))
    to_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, server_default="published")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    removed_by: Mapped[str | None] = mapped_column(Text)


class Innovation(Base):
    """An asset-based practice or commissioning change: where it happens, what it serves,
    how it was got going, and where it stands."""

    __tablename__ = "innovation"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    outcomes: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    levers: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    status: Mapped[str] = mapped_column(Text, server_default="started")
    started_on: Mapped[date | None] = mapped_column(Date)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    review: Mapped[str] = mapped_column(Text, server_default="published")
    reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_by: Mapped[str | None] = mapped_column(Text)


class InnovationArea(Base):
    __tablename__ = "innovation_area"

    innovation_id: Mapped[int] = mapped_column(
        ForeignKey("innovation.id", ondelete="CASCADE"), primary_key=True
    )
    area_code: Mapped[str] = mapped_column(
        Text, ForeignKey("area.code", onupdate="CASCADE", ondelete="CASCADE"), primary_key=True
    )


class InnovationAsset(Base):
    """An asset an innovation involves, or (`leader`) one of those who got it going."""

    __tablename__ = "innovation_asset"

    innovation_id: Mapped[int] = mapped_column(
        ForeignKey("innovation.id", ondelete="CASCADE"), primary_key=True
    )
    asset_id: Mapped[int] = mapped_column(
        ForeignKey("asset.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(Text, primary_key=True)


class InnovationRevision(Base):
    __tablename__ = "innovation_revision"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    innovation_id: Mapped[int] = mapped_column(ForeignKey("innovation.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    changed_by: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class ScanSession(Base):
    """A rapid scanning day: an area, its facilitators, and a join code (a digest)."""

    __tablename__ = "scan_session"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    area_code: Mapped[str] = mapped_column(Text, ForeignKey("area.code", onupdate="CASCADE"))
    title: Mapped[str] = mapped_column(Text)
    held_on: Mapped[date] = mapped_column(Date)
    facilitators: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    code_digest: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(Text)


class SessionParticipant(Base):
    """Someone in the room: the name they show, whether they agree to be named in the
    leaders' network, and their token's digest; nothing else."""

    __tablename__ = "session_participant"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("scan_session.id", ondelete="CASCADE"))
    display_name: Mapped[str] = mapped_column(Text)
    consent_to_network: Mapped[bool] = mapped_column(Boolean)
    token_digest: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    writes: Mapped[int] = mapped_column(Integer, server_default="0")
    writes_since: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class SessionAddition(Base):
    """An asset, link or innovation a session added, and who in the room added it."""

    __tablename__ = "session_addition"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("scan_session.id", ondelete="CASCADE"))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("session_participant.id", ondelete="SET NULL")
    )
    added_by: Mapped[str | None] = mapped_column(Text)
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("asset_link.id", ondelete="CASCADE"))
    innovation_id: Mapped[int | None] = mapped_column(
        ForeignKey("innovation.id", ondelete="CASCADE")
    )
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SessionConfirmation(Base):
    __tablename__ = "session_confirmation"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("scan_session.id", ondelete="CASCADE"), primary_key=True
    )
    asset_id: Mapped[int] = mapped_column(
        ForeignKey("asset.id", ondelete="CASCADE"), primary_key=True
    )
    confirmed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    confirmed_by: Mapped[str | None] = mapped_column(Text)


class SessionLeader(Base):
    __tablename__ = "session_leader"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("scan_session.id", ondelete="CASCADE"), primary_key=True
    )
    asset_id: Mapped[int] = mapped_column(
        ForeignKey("asset.id", ondelete="CASCADE"), primary_key=True
    )
    note: Mapped[str | None] = mapped_column(Text)
    flagged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    flagged_by: Mapped[str | None] = mapped_column(Text)


class InnovationParticipant(Base):
    __tablename__ = "innovation_participant"

    innovation_id: Mapped[int] = mapped_column(
        ForeignKey("innovation.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("session_participant.id", ondelete="CASCADE"), primary_key=True
    )


class SessionEvent(Base):
    """Something that happened in a session, announced to everyone in the room."""

    __tablename__ = "session_event"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("scan_session.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class DecisionRound(Base):
    """A question for an area, decided by its constituencies with an equal say."""

    __tablename__ = "decision_round"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    area_code: Mapped[str] = mapped_column(Text, ForeignKey("area.code", onupdate="CASCADE"))
    question: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str] = mapped_column(Text)
    points_total: Mapped[int] = mapped_column(Integer, server_default="100")
    opens_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(Text)


class RoundOption(Base):
    """An option of a round, with its evidence as it was when the round was made."""

    __tablename__ = "round_option"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("decision_round.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    area_code: Mapped[str | None] = mapped_column(Text)
    innovation_id: Mapped[int | None] = mapped_column(
        ForeignKey("innovation.id", ondelete="SET NULL")
    )
    geom: Mapped[Any | None] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=False), nullable=True
    )
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")


class Assessment(Base):
    """A partnership's self-assessment against the six characteristics."""

    __tablename__ = "assessment"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    area_code: Mapped[str] = mapped_column(Text, ForeignKey("area.code", onupdate="CASCADE"))
    title: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(Text)


class Constituency(Base):
    """A group with an equal say in a round or an assessment."""

    __tablename__ = "constituency"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("decision_round.id", ondelete="CASCADE")
    )
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)


class SayInvite(Base):
    """An invitation to take part for one constituency (its token's digest only)."""

    __tablename__ = "say_invite"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    constituency_id: Mapped[int] = mapped_column(ForeignKey("constituency.id", ondelete="CASCADE"))
    token_digest: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Ballot(Base):
    __tablename__ = "ballot"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("decision_round.id", ondelete="CASCADE"))
    constituency_id: Mapped[int] = mapped_column(ForeignKey("constituency.id", ondelete="CASCADE"))
    invite_id: Mapped[int] = mapped_column(
        ForeignKey("say_invite.id", ondelete="CASCADE"), unique=True
    )
    ref: Mapped[Any] = mapped_column(UUID, unique=True, server_default=func.gen_random_uuid())
    changes: Mapped[int] = mapped_column(Integer, server_default="0")


class BallotMark(Base):
    __tablename__ = "ballot_mark"

    ballot_id: Mapped[int] = mapped_column(
        ForeignKey("ballot.id", ondelete="CASCADE"), primary_key=True
    )
    option_id: Mapped[int] = mapped_column(
        ForeignKey("round_option.id", ondelete="CASCADE"), primary_key=True
    )
    rank: Mapped[int | None] = mapped_column(Integer)
    points: Mapped[int | None] = mapped_column(Integer)


class RoundComment(Base):
    __tablename__ = "round_comment"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("decision_round.id", ondelete="CASCADE"))
    option_id: Mapped[int] = mapped_column(ForeignKey("round_option.id", ondelete="CASCADE"))
    constituency_id: Mapped[int] = mapped_column(ForeignKey("constituency.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AssessmentResponse(Base):
    __tablename__ = "assessment_response"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    constituency_id: Mapped[int] = mapped_column(ForeignKey("constituency.id", ondelete="CASCADE"))
    invite_id: Mapped[int] = mapped_column(
        ForeignKey("say_invite.id", ondelete="CASCADE"), unique=True
    )
    scores: Mapped[dict[str, Any]] = mapped_column(JSONB)
    value_answer: Mapped[str | None] = mapped_column(Text)
    next_answer: Mapped[str | None] = mapped_column(Text)


class RoundRecord(Base):
    """A closed round's decision record, frozen (the database refuses to change it)."""

    __tablename__ = "round_record"

    round_id: Mapped[int] = mapped_column(ForeignKey("decision_round.id"), primary_key=True)
    record: Mapped[dict[str, Any]] = mapped_column(JSONB)
    frozen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LocalityQuestion(Base):
    """A gap question a locality tracks: a category or an outcome within a distance."""

    __tablename__ = "locality_question"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    area_code: Mapped[str] = mapped_column(
        Text, ForeignKey("area.code", onupdate="CASCADE", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)
    distance_m: Mapped[float] = mapped_column(Float)


class AreaSnapshot(Base):
    """A locality frozen at one moment: its figures (the database never changes them)."""

    __tablename__ = "area_snapshot"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    area_code: Mapped[str] = mapped_column(Text, ForeignKey("area.code", onupdate="CASCADE"))
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    taken_by: Mapped[str | None] = mapped_column(Text)
    figures: Mapped[dict[str, Any]] = mapped_column(JSONB)


class SnapshotAsset(Base):
    """A published asset inside a snapshot's area then, as it was."""

    __tablename__ = "snapshot_asset"

    snapshot_id: Mapped[int] = mapped_column(ForeignKey("area_snapshot.id"), primary_key=True)
    asset_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(Text)
    outcomes: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    stale: Mapped[bool] = mapped_column(Boolean)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)


class FeedImport(Base):
    """When an import of an Open Referral UK feed last started, per source: the next asks
    the feed only for services modified after it."""

    __tablename__ = "feed_import"

    source: Mapped[str] = mapped_column(Text, primary_key=True)
    location: Mapped[str] = mapped_column(Text)
    last_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    services: Mapped[int] = mapped_column(Integer)


class AssetChange(Base):
    """A revision of an asset the public saw: it was added to the public face (or published
    again), changed there (`fields`, public ones only), archived, or removed from it."""

    __tablename__ = "asset_change"

    revision_id: Mapped[int] = mapped_column(
        ForeignKey("asset_revision.id", ondelete="CASCADE"), primary_key=True
    )
    # the revision's asset (it goes with its revision)
    asset_id: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(Text)
    fields: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Subscription(Base):
    """Someone told of the changes to the assets of an area (and a kind, category, outcome):
    by a signed webhook to `url`, or by a weekly email digest."""

    __tablename__ = "subscription"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    url: Mapped[str | None] = mapped_column(Text)
    # signs each webhook's body (HMAC-SHA256); shown to its owner once
    secret: Mapped[str | None] = mapped_column(Text)
    email_digest: Mapped[bool] = mapped_column(Boolean, server_default="false")
    area_code: Mapped[str] = mapped_column(
        Text, ForeignKey("area.code", onupdate="CASCADE", ondelete="CASCADE")
    )
    kind: Mapped[str | None] = mapped_column(Text)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id", ondelete="CASCADE"))
    outcome: Mapped[str | None] = mapped_column(
        Text, ForeignKey("outcome.slug", onupdate="CASCADE", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # deliveries that failed in a row; SubscriptionSettings.pause_after of them pause it
    failures: Mapped[int] = mapped_column(Integer, server_default="0")
    paused_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paused_reason: Mapped[str | None] = mapped_column(Text)
    # the last delivery received, or the last digest sent
    last_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SubscriptionDelivery(Base):
    """One public change to send to one webhook, until it is received."""

    __tablename__ = "subscription_delivery"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscription.id", ondelete="CASCADE"))
    revision_id: Mapped[int] = mapped_column(
        ForeignKey("asset_change.revision_id", ondelete="CASCADE")
    )
    state: Mapped[str] = mapped_column(Text, server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CategoryReview(Base):
    """A category's own review period: how long its assets may go unconfirmed before they
    are asked about (an ISO 8601 duration); its sub-categories follow it unless they have
    their own."""

    __tablename__ = "category_review"

    category_id: Mapped[int] = mapped_column(
        ForeignKey("category.id", ondelete="CASCADE"), primary_key=True
    )
    review_after: Mapped[str] = mapped_column(Text)
    set_by: Mapped[str | None] = mapped_column(Text)
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ReviewCycle(Base):
    """The reminders about one confirmation of an asset (its verified_at, else created_at):
    how many went, the answer, or when the third went unanswered (not confirmed)."""

    __tablename__ = "review_cycle"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"))
    confirmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reminders: Mapped[int] = mapped_column(Integer)
    last_sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    not_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ReviewReminder(Base):
    """One reminder email to one person, its one-click links' token kept as its digest."""

    __tablename__ = "review_reminder"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    digest: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
