"""Schedules exchanged and told: as HSDS / Open Referral UK schedule objects (`to_hsds`, and
`from_hsds` for another directory's), and as a short text for a person (`describe`).
Times are Europe/London local clock times ("HH:MM"), as app.domain.schedules keeps them.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID, uuid5

from pydantic import ValidationError

# A span of opening within one day, in minutes after its midnight: (opens, closes). `closes`
# is _DAY at the day's end, and below `opens` when the span runs past midnight.
from app.domain.schedules import (
    _DAY,
    _DAY_NAMES,
    _MONTHS,
    _SHORT_TEXT,
    _clock,
)
from app.schemas import WEEKDAYS, Closure, DatedHours, Schedule, Weekday, WeeklyHours


def _long_date(day: date) -> str:
    """2026-12-24 -> "24 December 2026"."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _short_date(day: date) -> str:
    """2026-12-24 -> "24 Dec 2026"."""
    return f"{day.day} {_MONTHS[day.month - 1][:3]} {day.year}"


def _days_text(days: Sequence[Weekday], *, short: bool) -> str:
    """["MO", "TU", "WE", "TH", "FR"] -> "Monday to Friday" (short: "Mon-Fri");
    ["MO", "WE", "FR"] -> "Monday, Wednesday and Friday" ("Mon, Wed, Fri"); all seven ->
    "Every day" ("Daily"). Runs of three days or more are ranges; days in week order."""
    indices = sorted({WEEKDAYS.index(day) for day in days})
    if len(indices) == len(WEEKDAYS):
        return "Daily" if short else "Every day"
    runs: list[list[int]] = []
    for index in indices:
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])

    def name(index: int) -> str:
        full = _DAY_NAMES[WEEKDAYS[index]]
        return full[:3] if short else full

    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{name(run[0])}{'-' if short else ' to '}{name(run[-1])}")
        else:
            parts.extend(name(index) for index in run)
    if short or len(parts) == 1:
        return ", ".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def _hours_text(opens: str, closes: str) -> str:
    """Opening hours as people read them: "09:00-17:00"; all day, "24 hours"."""
    return "24 hours" if (opens, closes) == ("00:00", "24:00") else f"{opens}-{closes}"


def _hsds_times(opens: str, closes: str) -> dict[str, str]:
    """Our opening hours -> HSDS `opens_at` / `closes_at`, "HH:MM:SS" as the ORUK examples
    write them. No UTC offset: Europe/London's changes in the year, and a weekly rule has
    no date to take it from. Midnight at the day's end is "00:00:00" (not "24:00:00", which
    most time parsers refuse), and all day is "00:00:00"-"23:59:00", as HSDS advises."""
    if (opens, closes) == ("00:00", "24:00"):
        closes = "23:59"
    elif closes == "24:00":
        closes = "00:00"
    return {"opens_at": f"{opens}:00", "closes_at": f"{closes}:00"}


def to_hsds(schedule: Schedule, service_id: UUID) -> list[dict[str, Any]]:
    """`schedule` -> the HSDS / Open Referral UK v3 `schedule` objects of the service
    `service_id`: one WEEKLY rule per WeeklyHours (with the schedule's valid_from /
    valid_to), one single-date entry per exception, one entry without times per closure
    (its description starts "Closed"); the schedule's notes on the first entry.

    Each entry's `id` is a UUID 5 of `service_id` and the entry's place and content, so the
    same schedule gets the same ids on every request; times as `_hsds_times` writes them.
    """
    valid_span: dict[str, str] = {}
    if schedule.valid_from:
        valid_span["valid_from"] = schedule.valid_from.isoformat()
    if schedule.valid_to:
        valid_span["valid_to"] = schedule.valid_to.isoformat()
    entries: list[dict[str, Any]] = []
    for weekly in schedule.weekly:
        past_midnight = " (past midnight)" if weekly.closes < weekly.opens else ""
        entries.append(
            {
                "freq": "WEEKLY",
                "interval": 1,
                "byday": ",".join(weekly.days),
                **_hsds_times(weekly.opens, weekly.closes),
                **valid_span,
                "description": f"{_days_text(weekly.days, short=False)} "
                f"{_hours_text(weekly.opens, weekly.closes)}{past_midnight}",
            }
        )
    for dated in schedule.exceptions:
        day = dated.date.isoformat()
        entries.append(
            {
                "dtstart": day,
                "valid_from": day,
                "valid_to": day,
                **_hsds_times(dated.opens, dated.closes),
                "description": f"Open {_hours_text(dated.opens, dated.closes)} on "
                f"{_long_date(dated.date)}",
            }
        )
    for closure in schedule.closures:
        when = (
            f"on {_long_date(closure.starts)}"
            if closure.starts == closure.ends
            else f"from {_long_date(closure.starts)} to {_long_date(closure.ends)}"
        )
        entries.append(
            {
                "valid_from": closure.starts.isoformat(),
                "valid_to": closure.ends.isoformat(),
                "description": f"Closed {when}" + (f": {closure.reason}" if closure.reason else ""),
            }
        )
    if schedule.notes and entries:
        entries[0]["notes"] = schedule.notes
    return [
        {
            "id": str(uuid5(service_id, f"{place}:{json.dumps(entry, sort_keys=True)}")),
            "service_id": str(service_id),
            **entry,
        }
        for place, entry in enumerate(entries)
    ]


class _KeptAsText(Exception):
    """An HSDS schedule entry a Schedule cannot hold; `what` says which kind, briefly."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


_HSDS_TIME = re.compile(
    r"(?P<hour>[01]\d|2[0-4]):(?P<minute>[0-5]\d)(?::00(?:\.0+)?)?(?P<zone>Z|[+-]\d\d:?\d\d)?"
)
_WEEKDAY: dict[str, Weekday] = {day: day for day in WEEKDAYS}
_LONG_DATE = r"\d{1,2} [A-Za-z]+ \d{4}"
# "Closed from 25 December 2026 to 1 January 2027: works", "Closed: works", "Closed"
_CLOSED = re.compile(
    rf"closed\b(?: (?:from {_LONG_DATE} to {_LONG_DATE}|on {_LONG_DATE}))?\s*:?\s*(?P<reason>.*)",
    re.IGNORECASE | re.DOTALL,
)


def _field(item: Mapping[str, Any], key: str) -> str | None:
    """An entry's field as stripped text; None if absent or empty."""
    value = item.get(key)
    text = "" if value is None else str(value).strip()
    return text or None


def _hsds_date(item: Mapping[str, Any], key: str) -> date | None:
    """An entry's date field (YYYY-MM-DD); None if absent; _KeptAsText if unreadable."""
    text = _field(item, key)
    if text is None:
        return None
    try:
        if len(text) == len("2026-12-24"):  # fromisoformat would also take "20261224"
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise _KeptAsText(f"unreadable {key} {text!r}")


def _hsds_hours(item: Mapping[str, Any], zoned: list[str]) -> tuple[str, str]:
    """An entry's `opens_at` / `closes_at` -> our opens and closes (the inverse of
    `_hsds_times`); a time given with a UTC offset is appended to `zoned` and read as a
    UK clock time."""
    minutes: list[int] = []
    for key in ("opens_at", "closes_at"):
        text = _field(item, key)
        match = _HSDS_TIME.fullmatch(text or "")
        if text is None or match is None:
            raise _KeptAsText(f"unreadable {key} {text!r}" if text else f"no {key}")
        if match["zone"]:
            zoned.append(text)
        hour, minute = int(match["hour"]), int(match["minute"])
        if hour == 24 and minute > 0:
            raise _KeptAsText(f"unreadable {key} {text!r}")
        minutes.append(hour * 60 + minute)
    opens, closes = minutes
    if opens == 0 and closes in (0, _DAY - 1):
        closes = _DAY  # all day: 00:00-00:00, or HSDS's 00:00-23:59
    elif closes == 0:
        closes = _DAY  # closing at midnight, at the day's end
    if opens == _DAY:
        raise _KeptAsText("opens at 24:00")
    return _clock(opens), _clock(closes)


_Read = tuple[WeeklyHours, tuple[date | None, date | None]] | DatedHours | Closure


def _hsds_entry(item: Mapping[str, Any], zoned: list[str]) -> _Read:
    """One HSDS schedule entry -> a weekly rule (with its valid span), an exception or a
    closure; raises _KeptAsText for anything else."""
    freq = _field(item, "freq")
    valid_from, valid_to = _hsds_date(item, "valid_from"), _hsds_date(item, "valid_to")
    dtstart = _hsds_date(item, "dtstart")
    has_times = _field(item, "opens_at") is not None or _field(item, "closes_at") is not None
    if freq is not None:
        if freq.upper() != "WEEKLY":
            raise _KeptAsText(freq.upper())
        if _field(item, "bymonthday"):
            raise _KeptAsText("WEEKLY by day of the month")
        interval = _field(item, "interval")
        if interval not in (None, "1", "1.0"):
            raise _KeptAsText(f"WEEKLY every {interval} weeks")
        byday = _field(item, "byday")
        if byday is None:
            raise _KeptAsText("WEEKLY without days")
        try:
            days = [_WEEKDAY[day.strip().upper()] for day in byday.split(",")]
        except KeyError:
            raise _KeptAsText(f"WEEKLY on {byday}") from None
        opens, closes = _hsds_hours(item, zoned)
        span = (valid_from or dtstart, valid_to)
        if span[0] and span[1] and span[1] < span[0]:
            raise _KeptAsText("valid_to before valid_from")
        return WeeklyHours(days=days, opens=opens, closes=closes), span
    if has_times:
        on = dtstart or (valid_from if valid_from == valid_to else None)
        if on is None or any(bound not in (None, on) for bound in (valid_from, valid_to)):
            raise _KeptAsText("hours without a repeat or a single date")
        opens, closes = _hsds_hours(item, zoned)
        return DatedHours(date=on, opens=opens, closes=closes)
    if valid_from is not None:
        description = _field(item, "description")
        reason = description
        if description and (closed := _CLOSED.fullmatch(description)):
            reason = closed["reason"].strip() or None
        return Closure(starts=valid_from, ends=valid_to or valid_from, reason=reason)
    raise _KeptAsText("no times or dates")


def _cut(text: str) -> str:
    return text if len(text) <= _SHORT_TEXT else text[: _SHORT_TEXT - 1] + "…"


def from_hsds(items: Sequence[Mapping[str, Any]]) -> tuple[Schedule | None, list[str]]:
    """Another directory's HSDS / Open Referral UK schedule entries (one service's) -> our
    Schedule (None if no entry can be held), and notes, one human sentence for each thing
    not carried over, for the caller to show beside the entries' descriptions it keeps as
    free text.

    Read: a WEEKLY rule (interval 1) with `byday` and `opens_at` / `closes_at` ("09:00" or
    "09:00:00"; "00:00" closing is midnight, "00:00"-"23:59" all day) is weekly hours; an
    entry with times, no `freq` and a single date (`dtstart`, or `valid_from` = `valid_to`)
    an exception; an entry with no times and a `valid_from` (to `valid_to`, or that day) a
    closure, its reason the description after "Closed ...:" (or all of it). The weekly
    rules' valid span is the schedule's; weekly rules valid over another span than most
    are kept as text. Everything else (MONTHLY, fortnightly, free text only, unreadable
    times or dates) is kept as text, with a note ("schedule 3 (MONTHLY) is kept as text
    only: first Monday of the month"); entries are numbered from 1. A time with a UTC
    offset ("09:00:00Z") is read as a UK clock time, with a note.

    `from_hsds(to_hsds(schedule, service_id)) == (schedule, [])` for every schedule with at
    least one entry, if it writes a closing at midnight "24:00" (not "00:00") and all day
    "00:00-24:00" (not "00:00-23:59"), as from_day_columns and from_osm do.
    """
    notes: list[str] = []
    weekly: list[tuple[int, WeeklyHours, tuple[date | None, date | None]]] = []
    exceptions: list[DatedHours] = []
    closures: list[Closure] = []
    schedule_notes: list[str] = []

    def kept(number: int, what: str, item: Mapping[str, Any]) -> None:
        described = _field(item, "description") or "no description"
        notes.append(f"schedule {number} ({what}) is kept as text only: {described}")

    for number, item in enumerate(items, start=1):
        zoned: list[str] = []
        try:
            read = _hsds_entry(item, zoned)
        except _KeptAsText as unreadable:
            kept(number, unreadable.what, item)
            continue
        except ValidationError as invalid:
            kept(number, str(invalid.errors()[0]["msg"]).removeprefix("Value error, "), item)
            continue
        if zoned:
            notes.append(
                f"schedule {number}: its times carry a UTC offset ({', '.join(zoned)}); "
                "they are read as UK clock times"
            )
        if isinstance(read, DatedHours):
            exceptions.append(read)
        elif isinstance(read, Closure):
            closures.append(read)
        else:
            weekly.append((number, *read))
        entry_notes = _field(item, "notes")
        if entry_notes and entry_notes not in schedule_notes:
            schedule_notes.append(entry_notes)
    # A Schedule has one valid span for all its weekly hours: the one most of them share.
    spans = Counter(span for _, _, span in weekly)
    valid_from, valid_to = spans.most_common(1)[0][0] if spans else (None, None)
    for number, _, span in weekly:
        if span != (valid_from, valid_to):
            kept(number, f"WEEKLY, valid {span[0] or '…'} to {span[1] or '…'}", items[number - 1])
    joined_notes = "; ".join(schedule_notes)
    if len(joined_notes) > _SHORT_TEXT:
        notes.append(f"the schedules' notes are cut to {_SHORT_TEXT} characters")
    try:
        reasons_cut = [
            closure.model_copy(update={"reason": _cut(closure.reason)})
            if closure.reason and len(closure.reason) > _SHORT_TEXT
            else closure
            for closure in closures
        ]
        schedule = Schedule(
            weekly=[hours for _, hours, span in weekly if span == (valid_from, valid_to)],
            exceptions=exceptions,
            closures=reasons_cut,
            valid_from=valid_from,
            valid_to=valid_to,
            notes=_cut(joined_notes) or None,
        )
    except ValidationError as invalid:
        notes.append(f"the schedules cannot be held as one: {invalid.errors()[0]['msg']}")
        return None, notes
    if not (schedule.weekly or schedule.exceptions or schedule.closures):
        return None, notes
    return schedule, notes


# --- a short text ---------------------------------------------------------------------


def describe(schedule: Schedule) -> str:
    """`schedule` as a short text for people, within 500 characters (the free text
    `opening_hours` holds): "Mon-Fri 09:00-17:00; Sat 10:00-14:00; 24 Dec 2026
    10:00-12:00; closed 25 Dec 2026-1 Jan 2027; from 1 Jan 2026 to 31 Dec 2027". The
    weekly hours of the same days are one part, in week order; dated parts in date order,
    those that do not fit counted at the end ("and 12 more dates"). "" for an empty schedule."""
    by_days: dict[tuple[Weekday, ...], list[str]] = {}
    for weekly in schedule.weekly:
        days = tuple(sorted(set(weekly.days), key=WEEKDAYS.index))
        by_days.setdefault(days, []).append(_hours_text(weekly.opens, weekly.closes))
    # in week order, by each part's first day
    weekly_parts = sorted(by_days.items(), key=lambda part: WEEKDAYS.index(part[0][0]))
    parts = [f"{_days_text(days, short=True)} {', '.join(hours)}" for days, hours in weekly_parts]
    by_date: dict[date, list[str]] = {}
    for dated in schedule.exceptions:
        by_date.setdefault(dated.date, []).append(_hours_text(dated.opens, dated.closes))
    dated_parts = [
        (day, f"{_short_date(day)} {', '.join(hours)}") for day, hours in by_date.items()
    ]
    for closure in schedule.closures:
        ends = "" if closure.ends == closure.starts else f"-{_short_date(closure.ends)}"
        dated_parts.append((closure.starts, f"closed {_short_date(closure.starts)}{ends}"))
    dated_parts.sort(key=lambda part: part[0])
    span = ""
    if schedule.valid_from and schedule.valid_to:
        span = f"from {_short_date(schedule.valid_from)} to {_short_date(schedule.valid_to)}"
    elif schedule.valid_from:
        span = f"from {_short_date(schedule.valid_from)}"
    elif schedule.valid_to:
        span = f"until {_short_date(schedule.valid_to)}"
    shown = [text for _, text in dated_parts]
    left_out = 0
    while True:
        tail = [f"and {left_out} more dates"] if left_out else []
        text = "; ".join(parts + shown + tail + ([span] if span else []))
        if len(text) <= _SHORT_TEXT or not shown:
            return text
        shown.pop()
        left_out += 1
