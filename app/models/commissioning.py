"""The tables of the commissioning side: links and innovations, scanning sessions, decision
rounds and assessments, locality questions and snapshots."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


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
