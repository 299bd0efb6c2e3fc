"""The tables of reach: feeds read, the change feed and subscriptions, review reminders."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


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
    again), changed there (`fields`, public ones only), archived, or removed from it.
    A view (migration 0014): the changes kept, and what the public saw of a creation."""

    __tablename__ = "asset_change"
    __table_args__ = ({"info": {"view": True}},)

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
