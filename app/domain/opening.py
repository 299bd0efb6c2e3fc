"""Whether assets are open: the database's one rule (migration 0011's
`schedule_open_at` and `schedule_hours_on`) read by the search filters and by the page's
"open now". Times are Europe/London's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, DateTime, bindparam, func, text
from sqlalchemy.orm import Session

from app.domain.visibility import PUBLIC_STATUSES
from app.errors import not_found

LONDON = ZoneInfo("Europe/London")


def local_moment(at: datetime) -> datetime:
    """A moment, a time without an offset read as Europe/London's (the earlier of the two
    on the night the clocks go back)."""
    return at if at.tzinfo is not None else at.replace(tzinfo=LONDON)


def open_at(schedule: ColumnElement[Any], parameter: str) -> ColumnElement[bool]:
    """Whether `schedule` (a column) is open at the moment bound as `parameter`."""
    moment = bindparam(parameter, type_=DateTime(timezone=True))
    return func.schedule_open_at(schedule, moment)


@dataclass(frozen=True)
class Opening:
    """An asset's opening at a moment: whether it is open, and that local day's hours."""

    asset_id: int
    at: datetime
    open: bool
    day: date
    hours: list[dict[str, str]]
    scheduled: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "asset": self.asset_id,
            "at": self.at.isoformat(),
            "open": self.open if self.scheduled else None,
            "day": self.day.isoformat(),
            "hours": self.hours,
            "scheduled": self.scheduled,
        }


# An asset's opening at a moment: whether it has a schedule, whether it is open, and the
# hours of that local day.
OPENING = text("""
SELECT a.schedule IS NOT NULL AS scheduled,
       schedule_open_at(a.schedule, :at) AS open,
       (SELECT coalesce(json_agg(json_build_object('opens', to_char(h.opens, 'HH24:MI'),
                                                   'closes', to_char(h.closes, 'HH24:MI'))
                                 ORDER BY h.opens), '[]')
          FROM schedule_hours_on(a.schedule, :day) AS h) AS hours
  FROM public_asset AS a
 WHERE a.id = :id AND a.status IN :statuses
""").bindparams(bindparam("statuses", expanding=True))


def opening(session: Session, asset_id: int, at: datetime) -> Opening:
    """Whether a public asset is open at `at`, and its hours that local day (404 if no one
    may see it). An asset without a schedule says neither open nor closed."""
    moment = local_moment(at)
    day = moment.astimezone(LONDON).date()
    row = session.execute(
        OPENING,
        {"id": asset_id, "at": moment, "day": day, "statuses": list(PUBLIC_STATUSES)},
    ).first()
    if row is None:
        raise not_found(f"asset {asset_id}")
    return Opening(asset_id, moment, bool(row.open), day, row.hours, row.scheduled)
