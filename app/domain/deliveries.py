"""Telling subscribers: webhooks sent by the service's own worker, and weekly email digests.

Every public change that matches a webhook is queued as it is written (migration 0012,
`subscription_delivery`). Each API worker process runs one DeliveryWorker, which claims the
deliveries due (`FOR UPDATE SKIP LOCKED`, moving each one's next attempt on by a lease, so
no other worker takes it), commits, POSTs each with no database connection held while the
receiver answers, then records what came back: received, or due again after a backoff
that doubles. So deliveries outlive a restart (they are rows), any number of workers share
the queue without sending one twice, and a receiver that keeps failing pauses its
subscription, with the reason.

A webhook's body is JSON: `{"event": "asset.changed", "asset": <the public Feature, or
null when it is no longer public>, "asset_id", "revision", "fields", "at", "delivery",
"subscription"}`, signed in `X-Signature: sha256=<hex HMAC-SHA256 of the body with the
subscription's secret>`; `X-Delivery-Id` is the same on every attempt of one delivery.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Text, case, cast, func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.domain.asset_fields import public_asset
from app.domain.asset_search import AssetFilter, asset_category, asset_feature
from app.domain.subscriptions import PublicChange, public_changes
from app.domain.visibility import PUBLIC_STATUSES
from app.io.mail import MailError, send_mail
from app.models import Area, AssetChange, Category, Subscription, SubscriptionDelivery, User
from app.settings import MailSettings, SubscriptionSettings

log = logging.getLogger("assetmap.deliveries")
USER_AGENT = "community-asset-map-webhooks/1"
# The most of an error's text kept in the delivery log.
ERROR_CHARS = 300
# The most changes a digest reads, and the most of each kind it lists (the rest counted).
DIGEST_CHANGES = 5000
DIGEST_MOST = 100


@dataclass(frozen=True)
class Claimed:
    """A delivery this worker holds until it records the answer, with its signed body."""

    id: int
    subscription_id: int
    attempt: int
    url: str
    event: str
    body: bytes
    signature: str


@dataclass(frozen=True)
class Answer:
    """What the receiver said to one attempt: its status code, or why there was none."""

    delivery: Claimed
    status: int | None
    error: str | None

    @property
    def received(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def sign(secret: str, body: bytes) -> str:
    """The `X-Signature` of `body`: `sha256=` and the hex HMAC-SHA256 with `secret`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def claim(session: Session, settings: SubscriptionSettings) -> list[Claimed]:
    """Take up to `settings.batch` deliveries due, of subscriptions not paused (of accounts
    not disabled), that no other worker holds; each is held for a lease longer than any
    attempt takes. Their bodies are built now, from the public face. Commit before sending
    them."""
    lease = timedelta(seconds=settings.timeout_s * 2 + 30)
    due = (
        select(SubscriptionDelivery.id)
        .join(Subscription, Subscription.id == SubscriptionDelivery.subscription_id)
        .join(User, User.id == Subscription.user_id)
        .where(
            SubscriptionDelivery.state == "pending",
            SubscriptionDelivery.next_attempt_at <= func.now(),
            Subscription.paused_at.is_(None),
            Subscription.url.is_not(None),
            User.disabled_at.is_(None),
        )
        .order_by(SubscriptionDelivery.next_attempt_at, SubscriptionDelivery.id)
        .limit(settings.batch)
        .with_for_update(of=SubscriptionDelivery, skip_locked=True)
    )
    taken = session.execute(
        update(SubscriptionDelivery)
        .where(SubscriptionDelivery.id.in_(due.scalar_subquery()))
        .values(
            attempts=SubscriptionDelivery.attempts + 1,
            last_attempt_at=func.now(),
            next_attempt_at=func.now() + lease,
        )
        .returning(
            SubscriptionDelivery.id,
            SubscriptionDelivery.subscription_id,
            SubscriptionDelivery.revision_id,
            SubscriptionDelivery.attempts,
        )
    ).all()
    if not taken:
        return []
    hooks = {
        row.id: (row.url, row.secret)
        for row in session.execute(
            select(Subscription.id, Subscription.url, Subscription.secret).where(
                Subscription.id.in_({row.subscription_id for row in taken})
            )
        )
    }
    changes = {
        change.revision_id: change
        for change in session.scalars(
            select(AssetChange).where(
                AssetChange.revision_id.in_({row.revision_id for row in taken})
            )
        )
    }
    features = _public_features(session, {change.asset_id for change in changes.values()})
    claimed = []
    for row in taken:
        url, secret = hooks[row.subscription_id]
        change = changes[row.revision_id]
        feature = None if change.event == "removed" else features.get(change.asset_id)
        body = json.dumps(
            {
                "event": f"asset.{change.event}",
                "asset": feature,
                "asset_id": change.asset_id,
                "revision": change.version,
                "fields": change.fields,
                "at": change.changed_at.isoformat(),
                "delivery": row.id,
                "subscription": row.subscription_id,
            },
            separators=(",", ":"),
        ).encode()
        claimed.append(
            Claimed(
                id=row.id,
                subscription_id=row.subscription_id,
                attempt=row.attempts,
                url=str(url),
                event=f"asset.{change.event}",
                body=body,
                signature=sign(str(secret), body),
            )
        )
    return claimed


def _public_features(session: Session, asset_ids: set[int]) -> dict[int, Any]:
    """The public Features of those of these assets anyone may open now, by id."""
    rows = session.execute(
        select(public_asset.c.id, cast(asset_feature("public"), Text))
        .select_from(public_asset)
        .outerjoin(asset_category, asset_category.id == public_asset.c.category_id)
        .where(public_asset.c.id.in_(asset_ids), public_asset.c.status.in_(PUBLIC_STATUSES))
    )
    return {asset_id: json.loads(text) for asset_id, text in rows}


async def send(client: httpx.AsyncClient, delivery: Claimed) -> Answer:
    """POST one delivery; its answer, or why there was none (a timeout, a refused
    connection). Redirects are not followed: the receiver is the URL given."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Signature": delivery.signature,
        "X-Delivery-Id": str(delivery.id),
        "X-Event": delivery.event,
    }
    try:
        response = await client.post(delivery.url, content=delivery.body, headers=headers)
    except httpx.HTTPError as failed:
        reason = f"{type(failed).__name__}: {failed}".strip().rstrip(":")
        return Answer(delivery, None, reason[:ERROR_CHARS])
    error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
    return Answer(delivery, response.status_code, error)


def backoff_s(attempt: int, settings: SubscriptionSettings) -> float:
    """How long after its `attempt`-th failure (from 1) a delivery is tried again."""
    return float(min(settings.retry_max_s, settings.retry_base_s * 2 ** (attempt - 1)))


def record(session: Session, answers: list[Answer], settings: SubscriptionSettings) -> None:
    """Keep what the receivers said: a received delivery is done and its subscription's
    failures forgotten; a failed one is due again after its backoff, and a subscription
    with `settings.pause_after` failures in a row is paused, saying why. Only deliveries
    still held by this attempt are changed."""
    for answer in answers:
        delivery = answer.delivery
        held = (
            SubscriptionDelivery.id == delivery.id,
            SubscriptionDelivery.attempts == delivery.attempt,
            SubscriptionDelivery.state == "pending",
        )
        if answer.received:
            done = session.execute(
                update(SubscriptionDelivery)
                .where(*held)
                .values(
                    state="sent", sent_at=func.now(), last_status=answer.status, last_error=None
                )
            )
            if not done.rowcount:  # type: ignore[attr-defined]
                continue  # its lease ran out and another attempt holds it now
            session.execute(
                update(Subscription)
                .where(Subscription.id == delivery.subscription_id)
                .values(failures=0, last_sent_at=func.now())
            )
            continue
        wait = timedelta(seconds=backoff_s(delivery.attempt, settings))
        failed = session.execute(
            update(SubscriptionDelivery)
            .where(*held)
            .values(
                next_attempt_at=func.now() + wait,
                last_status=answer.status,
                last_error=answer.error,
            )
        )
        if not failed.rowcount:  # type: ignore[attr-defined]
            continue
        failures = Subscription.failures + 1
        pausing = (failures >= settings.pause_after) & Subscription.paused_at.is_(None)
        reason = (
            f"paused after {settings.pause_after} failed deliveries in a row; "
            f"the last: {answer.error}"
        )
        session.execute(
            update(Subscription)
            .where(Subscription.id == delivery.subscription_id)
            .values(
                failures=failures,
                paused_at=case((pausing, func.now()), else_=Subscription.paused_at),
                paused_reason=case((pausing, reason), else_=Subscription.paused_reason),
            )
        )


@dataclass
class DeliveryWorker:
    """This process's sender of webhooks: claims what is due every `settings.poll_s`
    seconds (at once again while batches come full), sends a batch at once, records the
    answers. The database going away only delays it."""

    sessions: sessionmaker[Session]
    settings: SubscriptionSettings
    _task: asyncio.Task[None] | None = None
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop after the batch being sent, if any, is recorded (what is cut off waits
        for its lease to end, and is sent again)."""
        if self._task is None:
            return
        self._stopping.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), self.settings.timeout_s + 1)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _run(self) -> None:
        wait = self.settings.poll_s
        timeout = httpx.Timeout(self.settings.timeout_s)
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
            await self._pause(wait)
            while not self._stopping.is_set():
                try:
                    full = await self._once(client)
                    wait = self.settings.poll_s
                except SQLAlchemyError as lost:
                    wait = min(max(wait * 2, self.settings.poll_s), 30.0)
                    log.warning("webhooks: the database failed (%s); again in %.1f s", lost, wait)
                    full = False
                except Exception:
                    # a fault of ours: said in full, and the worker carries on after a pause
                    wait = min(max(wait * 2, self.settings.poll_s), 30.0)
                    log.exception("webhooks: a batch failed; again in %.1f s", wait)
                    full = False
                if not full:
                    await self._pause(wait)

    async def _once(self, client: httpx.AsyncClient) -> bool:
        """Claim, send and record one batch; whether it came full (more may be due)."""
        claimed = await asyncio.to_thread(self._claim)
        if not claimed:
            return False
        answers = await asyncio.gather(*(send(client, delivery) for delivery in claimed))
        await asyncio.to_thread(self._record, list(answers))
        return len(claimed) >= self.settings.batch

    def _claim(self) -> list[Claimed]:
        with self.sessions() as session, session.begin():
            return claim(session, self.settings)

    def _record(self, answers: list[Answer]) -> None:
        with self.sessions() as session, session.begin():
            record(session, answers, self.settings)


@dataclass(frozen=True)
class DigestRun:
    """What one run of the digests did: emails sent, digests with nothing new (not sent),
    and those the mail server refused (tried again on the next run)."""

    sent: int = 0
    quiet: int = 0
    failed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DueDigest:
    subscription_id: int
    email: str
    area_code: str
    area_name: str
    since: datetime
    wanted: AssetFilter


def due_digests(session: Session, settings: SubscriptionSettings, now: datetime) -> list[DueDigest]:
    """The email digests whose week (`settings.digest_days`) has passed since the last was
    sent (or since they began), of accounts not disabled."""
    period = timedelta(days=settings.digest_days)
    began = func.coalesce(Subscription.last_sent_at, Subscription.created_at)
    rows = session.execute(
        select(Subscription, User.email, Area.name, Category.slug, began.label("since"))
        .join(User, User.id == Subscription.user_id)
        .join(Area, Area.code == Subscription.area_code)
        .outerjoin(Category, Category.id == Subscription.category_id)
        .where(
            Subscription.email_digest,
            Subscription.paused_at.is_(None),
            User.disabled_at.is_(None),
            began <= now - period,
        )
        .order_by(Subscription.id)
    )
    return [
        DueDigest(
            subscription_id=row.Subscription.id,
            email=row.email,
            area_code=row.Subscription.area_code,
            area_name=row.name,
            since=row.since,
            wanted=AssetFilter(
                kind=row.Subscription.kind,
                category=row.slug,
                outcome=row.Subscription.outcome,
                area_code=row.Subscription.area_code,
            ),
        )
        for row in rows
    ]


def digest_text(
    digest: DueDigest, changes: list[PublicChange], until: datetime, base_url: str
) -> str:
    """A digest's plain text: the assets added, changed (with the fields) and archived in
    its area over its week, one line each with a link, newest first; empty sections left
    out."""
    latest: dict[int, PublicChange] = {}
    fields: dict[int, set[str]] = defaultdict(set)
    added: set[int] = set()
    for change in changes:  # newest first: the first seen of an asset is its latest
        latest.setdefault(change.asset_id, change)
        fields[change.asset_id] |= set(change.field_names)
        if change.event == "added":
            added.add(change.asset_id)
    sections: dict[str, list[str]] = {"Added": [], "Changed": [], "Archived": []}
    for asset_id, change in latest.items():
        link = f"{base_url.rstrip('/')}/assets/{asset_id}"
        what = change.category or change.kind
        if change.event == "archived":
            sections["Archived"].append(f"- {change.name} ({what}): {link}")
        elif asset_id in added:
            sections["Added"].append(f"- {change.name} ({what}): {link}")
        else:
            named = ", ".join(sorted(fields[asset_id])) or "details"
            sections["Changed"].append(f"- {change.name} ({what}): {named}. {link}")
    lines = [
        f"Changes to the assets in {digest.area_name} ({digest.area_code}) "
        f"from {digest.since:%d %B %Y} to {until:%d %B %Y}.",
        "",
    ]
    for title, entries in sections.items():
        if not entries:
            continue
        lines.append(f"{title} ({len(entries)})")
        lines += entries[:DIGEST_MOST]
        if len(entries) > DIGEST_MOST:
            lines.append(f"... and {len(entries) - DIGEST_MOST} more")
        lines.append("")
    lines.append(
        "You are sent this each week because you subscribed to these changes "
        f"(subscription {digest.subscription_id}); DELETE "
        f"{base_url.rstrip('/')}/subscriptions/{digest.subscription_id} to stop it."
    )
    return "\n".join(lines) + "\n"


def send_digests(
    sessions: sessionmaker[Session],
    settings: SubscriptionSettings,
    mail: MailSettings,
    base_url: str,
    now: datetime | None = None,
) -> DigestRun:
    """Email every digest that is due the week's public changes in its area, and note it
    sent; a week with nothing new sends nothing (and is noted too). Each digest is sent
    with no transaction open; one the mail server refuses is tried on the next run. A
    MailError when no SMTP server is configured."""
    if not mail.configured:
        raise MailError("no SMTP server is configured (ASSETMAP_SMTP_HOST)")
    until = now or datetime.now(UTC)
    with sessions() as session:
        due = due_digests(session, settings, until)
    sent, quiet, failed = 0, 0, []
    for digest in due:
        with sessions() as session:
            changes = public_changes(
                session, digest.wanted, DIGEST_CHANGES, since=digest.since, until=until
            )
        if changes:
            subject = f"This week's changes to assets in {digest.area_name}"
            body = digest_text(digest, changes, until, base_url)
            try:
                send_mail(mail, digest.email, subject, body)
            except MailError as refused:
                failed.append(f"subscription {digest.subscription_id}: {refused}")
                continue
            sent += 1
        else:
            quiet += 1
        with sessions() as session, session.begin():
            session.execute(
                update(Subscription)
                .where(Subscription.id == digest.subscription_id)
                .values(last_sent_at=until)
            )
    return DigestRun(sent=sent, quiet=quiet, failed=failed)
