"""Opening hours as data (a `Schedule`): read from a file's day columns, from an
OpenStreetMap `opening_hours` tag or from another directory's HSDS / Open Referral UK
schedules; written as HSDS schedules and as a short text.

Times are Europe/London local clock times throughout ("HH:MM"); a span whose `closes` is
before its `opens` runs past midnight into the next day.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid5

import opening_hours
from pydantic import ValidationError

from app.schemas import WEEKDAYS, Closure, DatedHours, Schedule, Weekday, WeeklyHours

# A span of opening within one day, in minutes after its midnight: (opens, closes). `closes`
# is _DAY at the day's end, and below `opens` when the span runs past midnight.
_Span = tuple[int, int]
_DAY = 24 * 60

_DAY_NAMES: dict[Weekday, str] = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
# Spelled out here: strftime's %B and %b follow the process' locale.
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# ShortText's bound, which notes, reasons and describe()'s text must keep within.
_SHORT_TEXT = 500


def _clock(minutes: int) -> str:
    """Minutes after midnight (0..1440) -> "HH:MM" ("24:00" at the day's end)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _weekly(spans_of: Mapping[Weekday, Sequence[_Span]]) -> list[WeeklyHours]:
    """Each weekday's spans -> one WeeklyHours per distinct span, with every day it is open
    at those hours (in week order); entries ordered by their first day, then opening."""
    days_of: dict[_Span, list[Weekday]] = {}
    for day in WEEKDAYS:
        for span in sorted(spans_of.get(day, ())):
            days_of.setdefault(span, []).append(day)
    return [
        WeeklyHours(days=days, opens=_clock(opens), closes=_clock(closes))
        for (opens, closes), days in days_of.items()
    ]


# --- a file's day columns -------------------------------------------------------------

_ALL_DAY_CELL = re.compile(r"(?:open )?(?:24 ?(?:hours|hrs|h)|24/7|all day)", re.IGNORECASE)
_SPAN_SEPARATOR = re.compile(r"\s*(?:,|;|&|\band\b)\s*", re.IGNORECASE)
# between the times: a hyphen, an en or em dash, or "to"
_CELL_SPAN = re.compile(r"(?P<opens>.+?)\s*(?:-|\u2013|\u2014|\bto\b)\s*(?P<closes>.+)", re.I)
_TWELVE_HOUR = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?m\.?", re.IGNORECASE)
# "9:00", "09.00", "0900"; a bare "9" is refused: in "9-5" it is 09:00 or 21:00.
_TWENTY_FOUR_HOUR = re.compile(r"(\d{1,2})[:.](\d{2})|(\d{2})(\d{2})")


def _cell_time(text: str) -> int | None:
    """A time as people write it in a spreadsheet ("09:00", "9:00", "9.30", "0900", "9am",
    "5.30pm") -> minutes after midnight; None if it is none of those."""
    if match := _TWELVE_HOUR.fullmatch(text):
        hour, minute = int(match[1]), int(match[2] or 0)
        if not 1 <= hour <= 12 or minute > 59:
            return None
        return (hour % 12 + (12 if match[3].lower() == "p" else 0)) * 60 + minute
    if match := _TWENTY_FOUR_HOUR.fullmatch(text):
        hour, minute = int(match[1] or match[3]), int(match[2] or match[4])
        if minute > 59 or hour > 24 or (hour == 24 and minute > 0):
            return None
        return hour * 60 + minute
    return None


def _cell_spans(cell: str | None) -> tuple[_Span, ...] | None:
    """One day's cell -> its spans (none when closed); None if it cannot be read."""
    text = " ".join((cell or "").split())
    if not text or text.casefold() == "closed":
        return ()
    if _ALL_DAY_CELL.fullmatch(text):
        return ((0, _DAY),)
    spans: list[_Span] = []
    for part in _SPAN_SEPARATOR.split(text):
        match = _CELL_SPAN.fullmatch(part)
        if match is None:
            return None
        opens, closes = _cell_time(match["opens"]), _cell_time(match["closes"])
        if opens is None or closes is None or opens == _DAY:
            return None
        closes = closes or _DAY  # closing at 00:00 is closing at the day's end
        if opens == closes:
            return None
        spans.append((opens, closes))
    return tuple(sorted(spans))


def from_day_columns(
    cells: Mapping[Weekday, str | None], names: Mapping[Weekday, str] | None = None
) -> Schedule | None:
    """A file's opening hours given one column a day (`opening_hours_monday`, ...) -> the
    weekly schedule; None if it is closed every day.

    `cells` holds each day's cell (a day missing, empty or None is closed); `names` the
    column each day came from, which an error names (by default the day: "Monday").

    A cell holds one or more spans of a day, separated by ",", ";", "&" or "and": each
    "09:00-17:00", "9:00 - 17:30", "9.30 to 12.30", "0900-1730" or "9am-5pm" (a closing
    time before the opening one runs past midnight: "18:00-02:00"); or "CLOSED" (any case);
    or "24 hours" / "24/7" / "00:00-24:00" (all day). Days open at the same hours share one
    `WeeklyHours`, days in week order.

    Raises ValueError, naming the column and quoting the cell, for a cell it cannot read
    ("9 till late", or "9-5", whose 5 may be 05:00 or 17:00).
    """
    spans_of: dict[Weekday, tuple[_Span, ...]] = {}
    for day in WEEKDAYS:
        cell = cells.get(day)
        spans = _cell_spans(cell)
        if spans is None:
            name = (names or {}).get(day, _DAY_NAMES[day])
            raise ValueError(
                f"{name}: cannot read {cell!r} as hours (write 09:00-17:00, or CLOSED)"
            )
        spans_of[day] = spans
    weekly = _weekly(spans_of)
    return Schedule(weekly=weekly) if weekly else None


# --- an OpenStreetMap opening_hours tag -----------------------------------------------

# What the library cannot know here, so a rule using it stays free text: holidays (it has
# no holiday calendar for England without a country, and its "GB" one lacks New Year's Day,
# Easter Monday and the August bank holiday), the sun (without coordinates it takes sunrise
# and sunset as 07:00 and 19:00 all year) and an open end ("12:00+", which it reads as open
# until midnight).
_UNKNOWABLE = re.compile(r"\b(?:PH|SH|sunrise|sunset|dawn|dusk)\b|\d\+", re.IGNORECASE)
_WINDOW_DAYS = 52 * 7
# Closed for longer than a year on end, a rule has no more yearly openings: it is bounded.
_YEAR = timedelta(days=366)
_LONG_AGO = datetime(1900, 1, 1)
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class _OsmDays:
    """A rule evaluated day by day: each day's spans (a span past midnight kept on the day
    it opens), the comment on each day closed all day ("Christmas"), and the comments on its
    opening hours ("by appointment"), in order."""

    spans: dict[date, tuple[_Span, ...]]
    reasons: dict[date, str]
    comments: list[str]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time())


def _osm_days(rule: opening_hours.OpeningHours, first: date, last: date) -> _OsmDays | None:
    """Evaluate `rule` from `first` to `last` (both included); None if any of it is
    "unknown" ("Mo 10:00-12:00 unknown")."""
    # A day on either side, so a span past midnight is seen whole at both ends.
    begin, end = _midnight(first - _ONE_DAY), _midnight(last + 2 * _ONE_DAY)
    opened: list[tuple[datetime, datetime]] = []
    reasons: dict[date, str] = {}
    comments: list[str] = []
    for starts, ends, state, comment in rule.intervals(begin, end):
        if state == opening_hours.State.UNKNOWN:
            return None
        if state == opening_hours.State.OPEN:
            if comment and comment not in comments:
                comments.append(comment)
            # Hours with different comments come as intervals end to end: one span.
            if opened and opened[-1][1] == starts:
                opened[-1] = (opened[-1][0], ends)
            else:
                opened.append((starts, ends))
        elif comment:
            day = starts.date() if starts.time() == time() else starts.date() + _ONE_DAY
            while _midnight(day + _ONE_DAY) <= ends:
                reasons[day] = comment
                day += _ONE_DAY
    # The library gives a stretch of opening as one interval, across midnights: cut it
    # into days...
    pieces: dict[date, list[_Span]] = {}
    for starts, ends in opened:
        day = starts.date()
        while _midnight(day) < ends:
            midnight = _midnight(day)
            opens = max(starts, midnight) - midnight
            closes = min(ends, midnight + _ONE_DAY) - midnight
            pieces.setdefault(day, []).append(
                (opens // timedelta(minutes=1), closes // timedelta(minutes=1))
            )
            day += _ONE_DAY
    # ...then put back together a span that runs past midnight: the evening's piece up to
    # 24:00 and the next day's from 00:00, when the two make less than a day ("Fr
    # 18:00-02:00"). Whole days open stay whole days ("24/7", "Mo-Fr 00:00-24:00").
    for day in sorted(pieces):
        evening = next((span for span in pieces[day] if span[1] == _DAY and span[0] > 0), None)
        following = pieces.get(day + _ONE_DAY, [])
        if evening is None:
            continue
        morning = next((span for span in following if span[0] == 0 and span[1] < evening[0]), None)
        if morning is not None:
            pieces[day][pieces[day].index(evening)] = (evening[0], morning[1])
            following.remove(morning)
    spans = {
        first + timedelta(days=n): tuple(sorted(pieces.get(first + timedelta(days=n), [])))
        for n in range((last - first).days + 1)
    }
    return _OsmDays(spans, reasons, comments)


def _rule_starts(rule: opening_hours.OpeningHours) -> tuple[bool, date | None]:
    """Whether `rule` ever opens, and the day it first opens if the rule itself bounds it
    (a year range: "2027 Mo-Fr 09:00-17:00"), else None."""
    starts, ends, state, _ = next(iter(rule.intervals(_LONG_AGO)))
    if state != opening_hours.State.CLOSED:
        return True, None
    if ends is None:  # closed for ever ("off"), though the stub does not say it can be None
        return False, None
    return True, ends.date() if ends - starts > _YEAR else None


def _rule_ends_by(rule: opening_hours.OpeningHours, moment: datetime) -> bool:
    """Whether `rule` is closed for good from `moment` on (a year range's end)."""
    state, _ = rule.state(moment)
    return state == opening_hours.State.CLOSED and rule.next_change(moment) is None


def from_osm(text: str, today: date) -> Schedule | None:
    """An OpenStreetMap `opening_hours` value ("Mo-Fr 09:00-17:00; Sa 10:00-14:00; Su off",
    "Mo-Fr 08:00-18:00; Dec 25 off", "24/7", "Fr 18:00-02:00") -> a Schedule, read over the
    52 weeks from `today` (Europe/London dates and times).

    Each weekday's weekly hours are the hours it has most often in those weeks; a date
    open at other hours is an exception, and closed dates (on days it usually opens) are
    closures, consecutive ones merged (a Sunday it is closed anyway does not split one).
    A span past midnight is one span, `closes` before `opens`. `valid_from` / `valid_to` are
    set only when the rule itself bounds them (a year range); then they are the first and
    last days it opens. Comments on a closed day ("Dec 25 off \"Christmas\"") are the
    closure's reason; comments on opening hours ("by appointment") the schedule's notes.

    None if the text is not OSM syntax (free text such as "Thursday 10:30am - 12:30pm"), or
    it is OSM syntax a Schedule cannot hold faithfully: hours depending on holidays (PH, SH)
    or the sun (sunrise, sunset, dawn, dusk), an open end ("12:00+"), "unknown" hours,
    more exceptions or closures than a Schedule holds, or no opening in those 52 weeks.
    """
    if _UNKNOWABLE.search(text):
        return None
    try:
        rule = opening_hours.OpeningHours(text)
    except opening_hours.ParserError:  # type: ignore[attr-defined]  # missing from the stub
        return None
    ever_opens, valid_from = _rule_starts(rule)
    last_day = today + timedelta(days=_WINDOW_DAYS - 1)
    if not ever_opens or (valid_from is not None and valid_from > last_day):
        return None
    # A rule that ends within a year of the window is read to its end, for its valid_to.
    bounded = _rule_ends_by(rule, _midnight(last_day) + _YEAR)
    evaluated = _osm_days(rule, today, last_day + _YEAR if bounded else last_day)
    if evaluated is None:
        return None
    open_days = [day for day, spans in evaluated.spans.items() if spans]
    if not open_days:
        return None
    valid_to = open_days[-1] if bounded else None
    days = [
        day
        for day in (today + timedelta(days=n) for n in range(_WINDOW_DAYS))
        if (valid_from is None or day >= valid_from) and (valid_to is None or day <= valid_to)
    ]
    try:
        return _schedule_of_days(evaluated, days, valid_from, valid_to)
    except ValidationError:  # more exceptions or closures than a Schedule holds
        return None


def _schedule_of_days(
    evaluated: _OsmDays, days: list[date], valid_from: date | None, valid_to: date | None
) -> Schedule | None:
    """The weekly hours most frequent on each weekday over `days` (consecutive dates), and
    the dates that differ from them as exceptions and closures."""
    counts: dict[Weekday, Counter[tuple[_Span, ...]]] = {day: Counter() for day in WEEKDAYS}
    for day in days:
        counts[WEEKDAYS[day.weekday()]][evaluated.spans[day]] += 1
    usual: dict[Weekday, tuple[_Span, ...]] = {
        weekday: count.most_common(1)[0][0] if count else () for weekday, count in counts.items()
    }
    exceptions: list[DatedHours] = []
    closures: list[Closure] = []
    closed_run: list[date] = []

    def close_run() -> None:
        # A closure runs from the first to the last closed day it would usually open.
        differing = [day for day in closed_run if usual[WEEKDAYS[day.weekday()]]]
        if differing:
            starts, ends = differing[0], differing[-1]
            reason = next(
                (
                    evaluated.reasons[day]
                    for day in closed_run
                    if starts <= day <= ends and day in evaluated.reasons
                ),
                None,
            )
            closures.append(Closure(starts=starts, ends=ends, reason=reason))
        closed_run.clear()

    for day in days:
        spans = evaluated.spans[day]
        if not spans:
            closed_run.append(day)
            continue
        close_run()
        if spans != usual[WEEKDAYS[day.weekday()]]:
            exceptions.extend(
                DatedHours(date=day, opens=_clock(opens), closes=_clock(closes))
                for opens, closes in spans
            )
    close_run()
    weekly = _weekly(usual)
    if not (weekly or exceptions):
        return None
    notes = "; ".join(evaluated.comments) or None
    return Schedule(
        weekly=weekly,
        exceptions=exceptions,
        closures=closures,
        valid_from=valid_from,
        valid_to=valid_to,
        notes=notes,
    )


# --- HSDS / Open Referral UK schedules ------------------------------------------------


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
