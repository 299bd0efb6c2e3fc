"""Review reminders: an asset no one has confirmed (verified, or else added) for its
category's review period is asked about by email.

1. its contributor (the account that added it; its area's moderators when there is none);
2. one interval later, if still unanswered, its area's moderators (moderators whose areas
   hold its point; the admins when no one looks after the place);
3. one interval later again, both, a last time;
4. one interval after that, unanswered still, it is shown as not confirmed: the public reads
   `not_confirmed`, and searches rank it after the confirmed assets.

Each email's three links ("still there", "changed", "closed") carry one token, kept only as
its SHA-256 digest, good once and until it expires. Following a link (GET) shows what it
will do, with a button; the answer is recorded by POST, so a mail scanner that fetches every
link records nothing. "Still there" verifies the asset, as `POST /assets/{id}/verify` does;
"changed" queues a note for its moderators; "closed" archives it when the person moderates
it, and otherwise proposes the archiving to its moderators. Any answer ends the reminders
about that confirmation; a new confirmation, however made, starts afresh.

Periods are ISO 8601 durations; times are timezone-aware.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, get_args

import isodate
from sqlalchemy import ColumnElement, Select, and_, cast, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import INTERVAL, insert
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.selectable import CTE

from app.domain import categories
from app.errors import Problem, invalid
from app.i18n import N_, said
from app.io.mail import MailError, send_mail
from app.models import (
    Area,
    Asset,
    Category,
    CategoryReview,
    ReviewCycle,
    ReviewReminder,
    User,
    UserArea,
)
from app.settings import WHOLE_DURATION, MailSettings, ReminderSettings

Answer = Literal["still_there", "changed", "closed"]
ANSWERS: tuple[Answer, ...] = get_args(Answer)
# How each answer reads, on the page and in the email.
SAID = {
    "still_there": N_("It is still there"),
    "changed": N_("It has changed"),
    "closed": N_("It has closed"),
}
# The step after the third reminder: shown as not confirmed.
MARK = 4
LAST_REMINDER = 3


def review_period(duration: str, field: str = "review_after") -> str:
    """A review period as stored: a positive ISO 8601 duration of whole numbers (P3M,
    P1Y6M, P90D), upper case; a 422 naming `field` otherwise."""
    written = duration.strip().upper()
    if not WHOLE_DURATION.fullmatch(written):
        raise invalid(field, "must be an ISO 8601 duration of whole numbers, such as P3M")
    numbers = re.findall(r"\d+", written)
    if not any(int(number) for number in numbers):
        raise invalid(field, "must be a positive duration")
    if any(len(number) > 4 for number in numbers):
        raise invalid(field, "must be shorter: each number at most 4 digits")
    return written


def periods(session: Session, settings: ReminderSettings) -> dict[str, Any]:
    """The review periods: the default, the interval between reminders, and each category's
    own (its sub-categories follow it unless they have their own), by slug."""
    rows = session.execute(
        select(Category.slug, CategoryReview.review_after, CategoryReview.set_at)
        .join(CategoryReview, CategoryReview.category_id == Category.id)
        .order_by(Category.slug)
    ).all()
    return {
        "default": settings.review_after,
        "interval": settings.interval,
        "categories": [
            {"category": row.slug, "review_after": row.review_after, "set_at": row.set_at}
            for row in rows
        ],
    }


def set_period(session: Session, slug: str, duration: str, who: str) -> dict[str, Any]:
    """Give category `slug` its own review period (422 naming `category` for an unknown
    one, `review_after` for a duration that is not a positive ISO 8601 one)."""
    category_id = categories.category_id(session, slug, None, "category")
    period = review_period(duration)
    row = session.execute(
        insert(CategoryReview)
        .values(category_id=category_id, review_after=period, set_by=who)
        .on_conflict_do_update(
            index_elements=[CategoryReview.category_id],
            set_={"review_after": period, "set_by": who, "set_at": func.now()},
        )
        .returning(CategoryReview.review_after, CategoryReview.set_at)
    ).one()
    return {"category": slug, "review_after": row.review_after, "set_at": row.set_at}


def clear_period(session: Session, slug: str) -> None:
    """Let category `slug` follow its parent's period, or the default, again; a 404 if it
    has none of its own."""
    category_id = categories.category_id(session, slug, None, "category")
    gone = session.execute(
        delete(CategoryReview)
        .where(CategoryReview.category_id == category_id)
        .returning(CategoryReview.category_id)
    ).first()
    if gone is None:
        raise Problem(404, said("category {slug} has no review period of its own", slug=repr(slug)))


def _effective_periods() -> CTE:
    """Each category's review period: its own, else its nearest ancestor's (NULL: none)."""
    roots = (
        select(Category.id.label("id"), CategoryReview.review_after.label("review_after"))
        .outerjoin(CategoryReview, CategoryReview.category_id == Category.id)
        .where(Category.parent_id.is_(None))
        .cte("period", recursive=True)
    )
    child = aliased(Category)
    own = aliased(CategoryReview)
    return roots.union_all(
        select(child.id, func.coalesce(own.review_after, roots.c.review_after))
        .join(roots, child.parent_id == roots.c.id)
        .outerjoin(own, own.category_id == child.id)
    )


def _confirmed() -> ColumnElement[datetime]:
    """When the asset was last confirmed: verified, or else added."""
    return func.coalesce(Asset.verified_at, Asset.created_at)


def _due(settings: ReminderSettings, now: datetime) -> Select[Any]:
    """The published assets whose next step is due at `now`: not confirmed within their
    period and never asked about that confirmation, or asked and left unanswered for the
    interval (and not yet shown as not confirmed)."""
    period_of = _effective_periods()
    period = func.coalesce(period_of.c.review_after, settings.review_after)
    interval = cast(settings.interval, INTERVAL)
    cycle = ReviewCycle
    return (
        select(
            Asset.id,
            Asset.name,
            Asset.created_by,
            Asset.address,
            Asset.postcode,
            Category.name.label("category"),
            _confirmed().label("confirmed_at"),
            cycle.id.label("cycle_id"),
            cycle.reminders,
        )
        .outerjoin(period_of, period_of.c.id == Asset.category_id)
        .outerjoin(Category, Category.id == Asset.category_id)
        .outerjoin(cycle, and_(cycle.asset_id == Asset.id, cycle.confirmed_at == _confirmed()))
        .where(
            Asset.status == "published",
            _confirmed() + cast(period, INTERVAL) <= now,
            or_(
                cycle.id.is_(None),
                and_(
                    cycle.answered_at.is_(None),
                    cycle.not_confirmed_at.is_(None),
                    cycle.last_sent_at + interval <= now,
                ),
            ),
        )
        .order_by(Asset.id)
    )


@dataclass(frozen=True)
class Recipient:
    """Who a reminder goes to, and why them (the email says)."""

    user_id: int
    email: str
    why: str


@dataclass(frozen=True)
class Reminded:
    """What one run did about one asset: its reminder `step` (1 to 3) sent to `recipients`
    (none: no one to ask), or step 4, shown as not confirmed. With `error`, sending failed
    and nothing about it was recorded: the next run tries again."""

    asset_id: int
    asset_name: str
    step: int
    recipients: tuple[str, ...]
    error: str | None = None

    @property
    def marked(self) -> bool:
        return self.step == MARK


def send_due_reminders(
    session: Session,
    settings: ReminderSettings,
    mail_settings: MailSettings,
    now: datetime,
    dry_run: bool = False,
) -> list[Reminded]:
    """Take every step due at `now`: send the reminders due (through `mail_settings`'
    SMTP server) and mark as not confirmed the assets whose last went unanswered. Each is
    recorded with its email, so a second run sends nothing again, and two runs at once
    never send one twice. With `dry_run`, say what is due, and send and record nothing.

    A MailError, recording nothing, when no SMTP server is configured (and not `dry_run`);
    a message the server refuses is reported on its asset and tried again next time."""
    if not dry_run and not mail_settings.configured:
        raise MailError("no SMTP server is configured (ASSETMAP_SMTP_HOST): nothing was sent")
    done: list[Reminded] = []
    for due in session.execute(_due(settings, now)).all():
        step = (due.reminders or 0) + 1
        recipients = () if step == MARK else _recipients(session, due, step)
        emails = tuple(recipient.email for recipient in recipients)
        if dry_run:
            done.append(Reminded(due.id, due.name, step, emails))
            continue
        try:
            with session.begin_nested():
                cycle_id = _claim(session, due, step, now)
                if cycle_id is None:
                    continue  # another run took this step meanwhile
                for recipient in recipients:
                    _send(session, settings, mail_settings, due, cycle_id, step, recipient, now)
        except MailError as failed:
            done.append(Reminded(due.id, due.name, step, emails, str(failed)))
            continue
        done.append(Reminded(due.id, due.name, step, emails))
    return done


def _claim(session: Session, due: Any, step: int, now: datetime) -> int | None:
    """Record step `step` about `due`'s confirmation, if no one else has meanwhile: its
    cycle's id, or None. A concurrent run waits on the row, then finds the step taken."""
    if due.cycle_id is None:
        return session.execute(
            insert(ReviewCycle)
            .values(asset_id=due.id, confirmed_at=due.confirmed_at, reminders=1, last_sent_at=now)
            .on_conflict_do_nothing(index_elements=[ReviewCycle.asset_id, ReviewCycle.confirmed_at])
            .returning(ReviewCycle.id)
        ).scalar_one_or_none()
    step_taken = (
        {"not_confirmed_at": now} if step == MARK else {"reminders": step, "last_sent_at": now}
    )
    return session.execute(
        update(ReviewCycle)
        .where(
            ReviewCycle.id == due.cycle_id,
            ReviewCycle.reminders == due.reminders,
            ReviewCycle.not_confirmed_at.is_(None),
            ReviewCycle.answered_at.is_(None),
        )
        .values(**step_taken)
        .returning(ReviewCycle.id)
    ).scalar_one_or_none()


def _admin_of(point: Any) -> ColumnElement[bool]:
    """Whether the admin of the row administers `point`: everything (no areas), or a local
    authority holding it (migration 0016), not another authority."""
    areas = select(UserArea.area_code).where(UserArea.user_id == User.id)
    holding = areas.join(Area, Area.code == UserArea.area_code).where(
        func.ST_Intersects(Area.geom, point)
    )
    return or_(~areas.exists(), holding.exists())


def _recipients(session: Session, due: Any, step: int) -> tuple[Recipient, ...]:
    """Who reminder `step` about `due` goes to: its contributor first, its area's
    moderators next (the admins when no one looks after the place), both the last time."""
    contributor = tuple(
        Recipient(row.id, row.email, "you added it to the map")
        for row in session.execute(
            select(User.id, User.email).where(
                User.email == due.created_by, User.disabled_at.is_(None)
            )
        )
    )
    if step == 1 and contributor:
        return contributor
    point = select(Asset.geom).where(Asset.id == due.id).scalar_subquery()
    moderators = tuple(
        Recipient(row.id, row.email, "you look after the area it is in")
        for row in session.execute(
            select(User.id, User.email)
            .join(UserArea, UserArea.user_id == User.id)
            .join(Area, Area.code == UserArea.area_code)
            .where(
                User.role == "moderator",
                User.disabled_at.is_(None),
                func.ST_Intersects(Area.geom, point),
            )
            .distinct()
            .order_by(User.email)
        )
    )
    if not moderators:
        moderators = tuple(
            Recipient(row.id, row.email, "no moderator looks after its area, and you are an admin")
            for row in session.execute(
                select(User.id, User.email)
                .where(User.role == "admin", User.disabled_at.is_(None), _admin_of(point))
                .order_by(User.email)
            )
        )
    if step < LAST_REMINDER:
        return moderators
    others = tuple(m for m in moderators if m.user_id not in {c.user_id for c in contributor})
    return contributor + others


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def _send(
    session: Session,
    settings: ReminderSettings,
    mail_settings: MailSettings,
    due: Any,
    cycle_id: int,
    step: int,
    recipient: Recipient,
    now: datetime,
) -> None:
    """Record reminder `step` to `recipient` with a new token, and email it (MailError if
    the server refuses it)."""
    token = secrets.token_urlsafe(32)
    expires_at = now + isodate.parse_duration(settings.link_valid)
    session.execute(
        insert(ReviewReminder).values(
            cycle_id=cycle_id,
            round=step,
            user_id=recipient.user_id,
            digest=_digest(token),
            sent_at=now,
            expires_at=expires_at,
        )
    )
    subject, body = reminder_email(settings, due, step, recipient.why, token, now, expires_at)
    send_mail(mail_settings, recipient.email, subject, body)


def _day(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%-d %B %Y}"


def answer_link(settings: ReminderSettings, token: str, answer: Answer) -> str:
    """The one-click link of `answer` in a reminder with `token`."""
    return f"{settings.base_url.rstrip('/')}/reminders/answer?token={token}&answer={answer}"


def reminder_email(
    settings: ReminderSettings,
    due: Any,
    step: int,
    why: str,
    token: str,
    now: datetime,
    expires_at: datetime,
) -> tuple[str, str]:
    """The subject and plain-text body of reminder `step` about the asset `due`."""
    place = ", ".join(part for part in (due.category, due.address, due.postcode) if part)
    named = f"{due.name} ({place})" if place else due.name
    links = "\n".join(
        f"  {SAID[answer] + ':':<19} {answer_link(settings, token, answer)}" for answer in ANSWERS
    )
    last = ""
    if step == LAST_REMINDER:
        deadline = now + isodate.parse_duration(settings.interval)
        last = (
            "\nThis is the last reminder: if no one answers by "
            f"{_day(deadline)}, the map will show it as not confirmed.\n"
        )
    # a header is one line, whatever the name holds
    one_line = " ".join(due.name.split())
    subject = f"{'Last reminder: is' if step == LAST_REMINDER else 'Is'} {one_line} still there?"
    body = (
        "Hello,\n\n"
        f"{named} is on the Community Asset Map, and no one has confirmed it is still there "
        f"since {_day(due.confirmed_at)}. Is it? One click tells us:\n\n"
        f"{links}\n\n"
        "Each link opens a page where a button sends your answer. One answer is taken, "
        f"up to {_day(expires_at)}.\n"
        f"{last}\n"
        f"You get this email because {why}.\n"
    )
    return subject, body
