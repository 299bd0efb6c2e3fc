"""Opening hours as data (a `Schedule`): read from a file's day columns or from an
OpenStreetMap `opening_hours` tag. Exchanged as HSDS schedules and told as text in
app.domain.schedule_exchange.

Times are Europe/London local clock times throughout ("HH:MM"); a span whose `closes` is
before its `opens` runs past midnight into the next day.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

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
