"""Subscriptions to the changes the public sees, and those changes themselves.

A change is a revision of an asset that the public saw: it was added to the public face
(or published again), changed there, archived, or taken from it (migration 0012 records
them in `asset_change` as revisions are written, and queues each for the webhooks it
matches). The Atom feed and the weekly digests read them here, joined to the public face
(`public_asset`) as it is now: only assets anyone may see, as anyone sees them.

A subscription is a signed-in user's: a webhook (a URL, and the secret its deliveries are
signed with, shown once) or a weekly email digest, of the changes inside an area, of a
kind, in a category (or one below it), for an outcome.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from urllib.parse import urlsplit

import psycopg
from geoalchemy2 import Geometry
from sqlalchemy import (
    ColumnElement,
    Select,
    Text,
    bindparam,
    column,
    func,
    select,
    table,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from app.auth.accounts import Account
from app.domain import areas, categories
from app.domain.asset_fields import public_asset
from app.domain.asset_search import AssetFilter, words_match
from app.domain.features import WGS84
from app.domain.visibility import PUBLIC_STATUSES
from app.errors import Problem, invalid, not_found
from app.i18n import said
from app.models import Area, AssetChange, Category, Subscription, SubscriptionDelivery, User
from app.settings import SubscriptionSettings

# The two parts of `asset_change`: the changes kept, and the creations read from their rows.
CHANGE_PARTS = tuple(
    table(
        name,
        column("revision_id"),
        column("asset_id"),
        column("version"),
        column("event"),
        column("fields"),
        column("changed_at"),
    )
    for name in ("asset_change_stored", "asset_creation_change")
)
# The changes the public face shows; `removed` ones name an asset no longer in it.
SHOWN_EVENTS = ("added", "changed", "archived")
# The public face's columns as a reader calls them.
FIELD_NAMES = {"category_id": "category", "geom": "location"}
DEFAULT_PORTS = {"http": 80, "https": 443}
LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


@dataclass(frozen=True)
class PublicChange:
    """One change to an asset as the public saw it, named as the public sees it now."""

    revision_id: int
    asset_id: int
    version: int
    event: str
    fields: list[str]
    changed_at: datetime
    name: str
    kind: str
    category: str | None

    @property
    def field_names(self) -> list[str]:
        """The fields changed, in the readers' words (`category`, `location`)."""
        return [FIELD_NAMES.get(field, field) for field in self.fields]


def public_changes(
    session: Session,
    wanted: AssetFilter,
    limit: int,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[PublicChange]:
    """The newest `limit` public changes (added, changed, archived) to assets anyone may see
    now that match `wanted`'s kind, category (or one below it), outcome, text (`q`) and
    area (`area_code`, at the point the public sees), newest first; only those after
    `since` and up to `until` when given. A 422 names an unknown category, outcome or area."""
    shown = public_asset
    matching = _matching(session, wanted)

    def newest(changes: Any) -> Any:
        query = (
            select(
                changes.c.revision_id,
                changes.c.asset_id,
                changes.c.version,
                changes.c.event,
                changes.c.fields,
                changes.c.changed_at,
                shown.c.name,
                shown.c.kind,
                Category.name.label("category"),
            )
            .join(shown, shown.c.id == changes.c.asset_id)
            .outerjoin(Category, Category.id == shown.c.category_id)
            .where(
                changes.c.event.in_(SHOWN_EVENTS),
                shown.c.status.in_(PUBLIC_STATUSES),
                *matching,
            )
            .order_by(changes.c.revision_id.desc())
            .limit(limit)
        )
        if since is not None:
            query = query.where(changes.c.changed_at > since)
        if until is not None:
            query = query.where(changes.c.changed_at <= until)
        return query.subquery()

    # The changes kept and the creations read from their rows (migration 0014), each part
    # newest first on its own, so each is read by its index as far as the limit.
    both = union_all(*(select(newest(part)) for part in CHANGE_PARTS)).subquery()
    query = select(both).order_by(both.c.revision_id.desc()).limit(limit)
    # Planned afresh each time, for the area asked: a plan kept for a neighbourhood (by
    # place) would read a whole borough's assets, and one kept for a borough (newest change
    # first) a neighbourhood's every change (psycopg prepares a statement run five times).
    raw = cast(psycopg.Connection[Any], session.connection().connection.dbapi_connection)
    threshold, raw.prepare_threshold = raw.prepare_threshold, None
    try:
        return [PublicChange(*row) for row in session.execute(query)]
    finally:
        raw.prepare_threshold = threshold


def _matching(session: Session, wanted: AssetFilter) -> list[ColumnElement[bool]]:
    """The conditions on the public face of `wanted`'s kind, category, outcome, q and area,
    as `GET /assets` reads them."""
    shown = public_asset
    conditions: list[ColumnElement[bool]] = []
    if wanted.kind is not None:
        conditions.append(shown.c.kind == wanted.kind)
    if wanted.category is not None:
        top = categories.category_id(session, wanted.category, None, "category")
        conditions.append(shown.c.category_id.in_(categories.subtree_ids(top)))
    if wanted.outcome is not None:
        categories.check_outcomes(session, [wanted.outcome], "outcome")
        serving = bindparam("outcomes", [wanted.outcome], type_=ARRAY(Text))
        conditions.append(shown.c.outcomes.op("@>")(serving))
    if wanted.q:
        # as a search reads it: words, and the words typed so far as prefixes
        prefixes = " & ".join(f"{word}:*" for word in re.findall(r"\w+", wanted.q))
        conditions.append(words_match(shown, wanted.q, prefixes or "''"))
    if wanted.area_code is not None:
        # the polygon itself, not a subquery of it, so the planner sees how much of the map
        # it covers: a whole borough is read newest change first, a neighbourhood by place
        polygon = session.scalar(select(Area.geom).where(Area.code == wanted.area_code))
        if polygon is None:
            areas.check_code(session, wanted.area_code, "within")
        inside = bindparam("within_polygon", polygon, type_=Geometry(srid=WGS84))
        conditions.append(func.ST_Intersects(inside, shown.c.geom))
    return conditions


@dataclass(frozen=True)
class Service:
    """Where this service is reached (the request's base URL) and where it listens (the
    server's own address), so a webhook never points back at it."""

    base_url: str
    listening: tuple[str, int] | None = None


def _is_loopback(host: str) -> bool:
    if host.lower().rstrip(".") in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def check_url(url: str, service: Service) -> str:
    """`url` if a webhook may be sent there: http or https, to a host, and not this service
    itself (its host at its port, as the request reached it or as it listens, or a
    loopback address at either port); else a 422 naming `url`."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as bad:
        raise invalid("url", "is not a URL") from bad
    if parts.scheme not in DEFAULT_PORTS:
        raise invalid("url", "must be an http:// or https:// address")
    host = (parts.hostname or "").lower()
    if not host:
        raise invalid("url", "must name a host")
    port = port or DEFAULT_PORTS[parts.scheme]
    own = urlsplit(service.base_url)
    own_hosts = {(own.hostname or "").lower()}
    own_ports = {own.port or DEFAULT_PORTS.get(own.scheme, 80)}
    if service.listening is not None:
        own_hosts.add(service.listening[0].lower())
        own_ports.add(service.listening[1])
    # on the machine the worker runs on, a loopback address at the service's port is the
    # service (or the proxy in front of it)
    if port in own_ports and (host in own_hosts or _is_loopback(host)):
        raise invalid("url", "must not point at this service itself")
    return url


@dataclass(frozen=True)
class NewSubscription:
    """What a subscription asks for: a webhook `url`, or an `email_digest`, of the changes
    inside area `within`, of `kind`, in `category`, for `outcome` (any when not given)."""

    within: str
    url: str | None = None
    email_digest: bool = False
    kind: str | None = None
    category: str | None = None
    outcome: str | None = None


def create(
    session: Session,
    account: Account,
    asked: NewSubscription,
    service: Service,
    settings: SubscriptionSettings,
) -> tuple[dict[str, Any], str | None]:
    """A new subscription of `account`, described, and its webhook's secret (None for a
    digest): shown this once. A 422 names what is wrong; a 429 when the account has as
    many as one may."""
    if (asked.url is None) == (not asked.email_digest):
        raise invalid("url", "give a webhook's url, or email_digest: true (not both)")
    url = None if asked.url is None else check_url(asked.url, service)
    areas.check_code(session, asked.within, "within")
    category_id = None
    if asked.category is not None:
        category_id = categories.category_id(session, asked.category, asked.kind, "category")
    if asked.outcome is not None:
        categories.check_outcomes(session, [asked.outcome], "outcome")
    # one at a time per account, so two sent at once cannot pass the limit together
    session.execute(select(User.id).where(User.id == account.id).with_for_update())
    held = session.scalar(
        select(func.count()).select_from(Subscription).where(Subscription.user_id == account.id)
    )
    if (held or 0) >= settings.max_per_user:
        raise Problem(
            429,
            said(
                "you have {held} subscriptions, as many as one may have: delete one first",
                held=held,
            ),
        )
    secret = secrets.token_urlsafe(32) if url is not None else None
    made = Subscription(
        user_id=account.id,
        url=url,
        secret=secret,
        email_digest=asked.email_digest,
        area_code=asked.within,
        kind=asked.kind,
        category_id=category_id,
        outcome=asked.outcome,
    )
    session.add(made)
    session.flush()
    return get(session, account, made.id), secret


def _described() -> Select[Any]:
    waiting = (
        select(func.count())
        .where(
            SubscriptionDelivery.subscription_id == Subscription.id,
            SubscriptionDelivery.state == "pending",
        )
        .scalar_subquery()
    )
    return (
        select(Subscription, Category.slug, waiting.label("waiting"))
        .outerjoin(Category, Category.id == Subscription.category_id)
        .order_by(Subscription.id)
    )


def _describe(subscription: Subscription, category: str | None, waiting: int) -> dict[str, Any]:
    return {
        "id": subscription.id,
        "url": subscription.url,
        "email_digest": subscription.email_digest,
        "within": subscription.area_code,
        "kind": subscription.kind,
        "category": category,
        "outcome": subscription.outcome,
        "created_at": subscription.created_at,
        "paused": subscription.paused_at is not None,
        "paused_at": subscription.paused_at,
        "paused_reason": subscription.paused_reason,
        "failures": subscription.failures,
        "last_sent_at": subscription.last_sent_at,
        "waiting": waiting,
    }


def mine(session: Session, account: Account) -> list[dict[str, Any]]:
    """The account's subscriptions, oldest first (never their secrets)."""
    rows = session.execute(_described().where(Subscription.user_id == account.id))
    return [_describe(*row) for row in rows]


def _own(session: Session, account: Account, subscription_id: int) -> Subscription:
    """The account's subscription; a 404 for one of someone else's, as for none."""
    found = session.get(Subscription, subscription_id)
    if found is None or found.user_id != account.id:
        raise not_found(f"subscription {subscription_id}")
    return found


def get(session: Session, account: Account, subscription_id: int) -> dict[str, Any]:
    """One of the account's subscriptions, described; a 404 for anyone else's."""
    row = session.execute(
        _described().where(Subscription.id == subscription_id, Subscription.user_id == account.id)
    ).first()
    if row is None:
        raise not_found(f"subscription {subscription_id}")
    return _describe(*row)


def delete(session: Session, account: Account, subscription_id: int) -> None:
    """End one of the account's subscriptions, and whatever it had yet to be sent."""
    session.delete(_own(session, account, subscription_id))


def resume(session: Session, account: Account, subscription_id: int) -> dict[str, Any]:
    """Start a paused subscription again: what waits is due at once, failures forgotten."""
    subscription = _own(session, account, subscription_id)
    subscription.paused_at = None
    subscription.paused_reason = None
    subscription.failures = 0
    session.execute(
        update(SubscriptionDelivery)
        .where(
            SubscriptionDelivery.subscription_id == subscription_id,
            SubscriptionDelivery.state == "pending",
        )
        .values(next_attempt_at=func.now())
    )
    session.flush()
    return get(session, account, subscription_id)


def deliveries(
    session: Session, account: Account, subscription_id: int, limit: int
) -> list[dict[str, Any]]:
    """The newest `limit` deliveries of one of the account's subscriptions: the change,
    when each was tried and how often, the receiver's status code or why there was none,
    and whether it was received or waits."""
    _own(session, account, subscription_id)
    rows = session.execute(
        select(SubscriptionDelivery, AssetChange)
        .join(AssetChange, AssetChange.revision_id == SubscriptionDelivery.revision_id)
        .where(SubscriptionDelivery.subscription_id == subscription_id)
        .order_by(SubscriptionDelivery.id.desc())
        .limit(limit)
    )
    return [
        {
            "id": delivery.id,
            "event": f"asset.{change.event}",
            "asset_id": change.asset_id,
            "revision": change.version,
            "changed_at": change.changed_at,
            "state": delivery.state,
            "attempts": delivery.attempts,
            "last_attempt_at": delivery.last_attempt_at,
            "status_code": delivery.last_status,
            "error": delivery.last_error,
            "sent_at": delivery.sent_at,
            "next_attempt_at": None if delivery.state == "sent" else delivery.next_attempt_at,
        }
        for delivery, change in rows
    ]
