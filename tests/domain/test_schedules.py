"""Opening hours become data: a council's file with a column a day, an OpenStreetMap tag,
another directory's Open Referral UK schedules; our schedules go out as valid ORUK schedules
and come back the same (pure: no database, no HTTP)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

import jsonschema
import pytest

from app.domain.schedule_exchange import describe, from_hsds, to_hsds
from app.domain.schedules import from_day_columns, from_osm
from app.schemas import Closure, DatedHours, Schedule, Weekday, WeeklyHours
from app.settings import PROJECT_ROOT

pytestmark = pytest.mark.fast

ORUK = PROJECT_ROOT / "tests" / "standards" / "openreferral-uk-v3"
FOOD_BANK = UUID("ac148810-d857-441c-9679-408f346de14b")
WEEKDAYS_MO_FR: list[Weekday] = ["MO", "TU", "WE", "TH", "FR"]


def hsds_schedule_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((ORUK / "schema" / "schedule.json").read_text())
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


# --- a file's day columns -------------------------------------------------------------


def test_a_councils_file_gives_a_column_a_day_in_several_spellings() -> None:
    schedule = from_day_columns(
        {
            "MO": "09:00-17:00",
            "TU": "9:00 - 17:00",
            "WE": "0900-1700",
            "TH": "9am-5pm",
            "FR": "9.00 to 17.00",
            "SA": "10:00-13:00",
            "SU": "CLOSED",
        }
    )
    assert schedule == Schedule(
        weekly=[
            WeeklyHours(days=WEEKDAYS_MO_FR, opens="09:00", closes="17:00"),
            WeeklyHours(days=["SA"], opens="10:00", closes="13:00"),
        ]
    )


@pytest.mark.parametrize(
    "cell", ["09:00-12:00, 13:00-17:00", "09:00-12:00; 13:00-17:00", "9am-12pm and 1pm-5pm"]
)
def test_a_library_closed_for_lunch_has_two_spans_a_day(cell: str) -> None:
    schedule = from_day_columns({"MO": cell, "TU": cell, "WE": "closed", "TH": "", "FR": None})
    assert schedule == Schedule(
        weekly=[
            WeeklyHours(days=["MO", "TU"], opens="09:00", closes="12:00"),
            WeeklyHours(days=["MO", "TU"], opens="13:00", closes="17:00"),
        ]
    )


def test_a_night_shelter_opens_all_day_at_weekends_and_overnight_in_the_week() -> None:
    schedule = from_day_columns(
        {
            "MO": "18:00-02:00",
            "TU": "18:00-02:00",
            "WE": "6pm-2am",
            "FR": "18:00-00:00",
            "SA": "24 hours",
            "SU": "00:00-24:00",
        }
    )
    assert schedule == Schedule(
        weekly=[
            WeeklyHours(days=["MO", "TU", "WE"], opens="18:00", closes="02:00"),
            WeeklyHours(days=["FR"], opens="18:00", closes="24:00"),
            WeeklyHours(days=["SA", "SU"], opens="00:00", closes="24:00"),
        ]
    )


def test_a_file_whose_days_are_all_closed_or_empty_gives_no_schedule() -> None:
    assert from_day_columns({"MO": "Closed", "TU": "", "WE": None, "TH": "  "}) is None


def test_a_cell_it_cannot_read_is_refused_naming_its_column_and_text() -> None:
    with pytest.raises(ValueError) as refused:
        from_day_columns(
            {"MO": "9 till late", "TU": "09:00-17:00"},
            names={"MO": "opening_hours_monday", "TU": "opening_hours_tuesday"},
        )
    assert str(refused.value) == (
        "opening_hours_monday: cannot read '9 till late' as hours (write 09:00-17:00, or CLOSED)"
    )


def test_hours_that_could_be_morning_or_evening_are_refused_naming_the_day() -> None:
    with pytest.raises(ValueError) as refused:
        from_day_columns({"TU": "9-5"})
    assert str(refused.value) == (
        "Tuesday: cannot read '9-5' as hours (write 09:00-17:00, or CLOSED)"
    )


# --- an OpenStreetMap tag -------------------------------------------------------------

# A Tuesday; the 52 weeks from it end on Monday 29 November 2027.
DECEMBER_1 = date(2026, 12, 1)


def test_an_osm_tag_with_weekday_and_saturday_hours() -> None:
    assert from_osm("Mo-Fr 09:00-17:00; Sa 10:00-14:00; Su off", DECEMBER_1) == Schedule(
        weekly=[
            WeeklyHours(days=WEEKDAYS_MO_FR, opens="09:00", closes="17:00"),
            WeeklyHours(days=["SA"], opens="10:00", closes="14:00"),
        ]
    )


def test_an_osm_tag_with_a_christmas_closure() -> None:
    assert from_osm("Mo-Fr 08:00-18:00; Dec 25 off", DECEMBER_1) == Schedule(
        weekly=[WeeklyHours(days=WEEKDAYS_MO_FR, opens="08:00", closes="18:00")],
        closures=[Closure(starts=date(2026, 12, 25), ends=date(2026, 12, 25))],
    )


def test_a_christmas_fortnight_is_one_closure_across_the_sunday_it_is_shut_anyway() -> None:
    # 24 December 2026 is a Thursday, 1 January 2027 a Friday; Sunday 27th is closed anyway.
    schedule = from_osm('Mo-Sa 09:00-17:00; Dec 24-Jan 01 off "Christmas"', DECEMBER_1)
    assert schedule == Schedule(
        weekly=[
            WeeklyHours(days=["MO", "TU", "WE", "TH", "FR", "SA"], opens="09:00", closes="17:00")
        ],
        closures=[Closure(starts=date(2026, 12, 24), ends=date(2027, 1, 1), reason="Christmas")],
    )


def test_an_osm_tag_with_short_hours_on_christmas_eve_and_a_comment() -> None:
    schedule = from_osm('Mo-Fr 09:00-17:00 "by appointment"; Dec 24 09:00-12:00', DECEMBER_1)
    assert schedule == Schedule(
        weekly=[WeeklyHours(days=WEEKDAYS_MO_FR, opens="09:00", closes="17:00")],
        exceptions=[DatedHours(date=date(2026, 12, 24), opens="09:00", closes="12:00")],
        notes="by appointment",
    )


# From a Tuesday, a Friday (whose night is in the window) and a Saturday (whose first hours,
# 00:00-02:00, are the Friday before's).
@pytest.mark.parametrize("today", [DECEMBER_1, date(2026, 12, 4), date(2026, 12, 5)])
def test_a_friday_night_club_is_one_span_past_midnight(today: date) -> None:
    assert from_osm("Fr 18:00-02:00", today) == Schedule(
        weekly=[WeeklyHours(days=["FR"], opens="18:00", closes="02:00")]
    )


def test_a_helpline_open_24_7_is_open_all_day_every_day() -> None:
    assert from_osm("24/7", DECEMBER_1) == Schedule(
        weekly=[
            WeeklyHours(
                days=["MO", "TU", "WE", "TH", "FR", "SA", "SU"], opens="00:00", closes="24:00"
            )
        ]
    )


def test_an_osm_tag_for_one_year_gives_the_schedule_its_valid_span() -> None:
    # 1 January 2027 is a Friday, and so is 31 December 2027.
    assert from_osm("2027 Mo-Fr 09:00-17:00", DECEMBER_1) == Schedule(
        weekly=[WeeklyHours(days=WEEKDAYS_MO_FR, opens="09:00", closes="17:00")],
        valid_from=date(2027, 1, 1),
        valid_to=date(2027, 12, 31),
    )


@pytest.mark.parametrize(
    "text",
    [
        "Thursday 10:30am - 12:30pm",  # free text
        "Open most days, ring first",
        "",
        "Mo-Fr 09:00-17:00; PH off",  # the library has no English bank holidays
        "sunrise-sunset",  # nor the sun's times without coordinates
        "Mo-Fr 12:00+",  # an open end it would read as open until midnight
        "off",  # never open
        "2020 Mo-Fr 09:00-17:00",  # over before today
    ],
)
def test_an_opening_hours_text_that_is_not_a_schedule_we_can_hold_stays_free_text(
    text: str,
) -> None:
    assert from_osm(text, DECEMBER_1) is None


# --- HSDS / Open Referral UK schedules --------------------------------------------------

COMMUNITY_CENTRE = Schedule(
    weekly=[
        WeeklyHours(days=WEEKDAYS_MO_FR, opens="09:00", closes="17:00"),
        WeeklyHours(days=["FR"], opens="18:00", closes="02:00"),
        WeeklyHours(days=["SA"], opens="10:00", closes="24:00"),
        WeeklyHours(days=["SU"], opens="00:00", closes="24:00"),
    ],
    exceptions=[DatedHours(date=date(2026, 12, 24), opens="10:00", closes="12:00")],
    closures=[
        Closure(starts=date(2026, 12, 25), ends=date(2027, 1, 1), reason="Christmas"),
        Closure(starts=date(2027, 4, 2), ends=date(2027, 4, 2)),
    ],
    valid_from=date(2026, 9, 1),
    valid_to=date(2027, 8, 31),
    notes="Ring the bell at the side door",
)


def without_ids(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: value for key, value in entry.items() if key != "id"} for entry in entries]


def test_a_community_centres_schedule_goes_out_as_oruk_schedules() -> None:
    service = str(FOOD_BANK)
    weekly = {
        "service_id": service,
        "freq": "WEEKLY",
        "interval": 1,
        "valid_from": "2026-09-01",
        "valid_to": "2027-08-31",
    }
    assert without_ids(to_hsds(COMMUNITY_CENTRE, FOOD_BANK)) == [
        {
            **weekly,
            "byday": "MO,TU,WE,TH,FR",
            "opens_at": "09:00:00",
            "closes_at": "17:00:00",
            "description": "Monday to Friday 09:00-17:00",
            "notes": "Ring the bell at the side door",
        },
        {
            **weekly,
            "byday": "FR",
            "opens_at": "18:00:00",
            "closes_at": "02:00:00",
            "description": "Friday 18:00-02:00 (past midnight)",
        },
        # midnight as a time every parser reads; all day as HSDS advises
        {
            **weekly,
            "byday": "SA",
            "opens_at": "10:00:00",
            "closes_at": "00:00:00",
            "description": "Saturday 10:00-24:00",
        },
        {
            **weekly,
            "byday": "SU",
            "opens_at": "00:00:00",
            "closes_at": "23:59:00",
            "description": "Sunday 24 hours",
        },
        {
            "service_id": service,
            "dtstart": "2026-12-24",
            "valid_from": "2026-12-24",
            "valid_to": "2026-12-24",
            "opens_at": "10:00:00",
            "closes_at": "12:00:00",
            "description": "Open 10:00-12:00 on 24 December 2026",
        },
        {
            "service_id": service,
            "valid_from": "2026-12-25",
            "valid_to": "2027-01-01",
            "description": "Closed from 25 December 2026 to 1 January 2027: Christmas",
        },
        {
            "service_id": service,
            "valid_from": "2027-04-02",
            "valid_to": "2027-04-02",
            "description": "Closed on 2 April 2027",
        },
    ]


def test_every_schedule_sent_out_is_valid_against_the_oruk_schema() -> None:
    validator = hsds_schedule_validator()
    for entry in to_hsds(COMMUNITY_CENTRE, FOOD_BANK):
        validator.validate(entry)


def test_a_schedule_sent_twice_keeps_its_ids_and_each_entry_has_its_own() -> None:
    first, again = to_hsds(COMMUNITY_CENTRE, FOOD_BANK), to_hsds(COMMUNITY_CENTRE, FOOD_BANK)
    ids = [entry["id"] for entry in first]
    assert ids == [entry["id"] for entry in again]
    assert len(set(ids)) == len(ids) == 7
    assert all(str(UUID(id_)) == id_ for id_ in ids)
    other_service = UUID("e94c9f38-1e8f-4564-91d4-d53501ab1765")
    assert not set(ids) & {entry["id"] for entry in to_hsds(COMMUNITY_CENTRE, other_service)}


@pytest.mark.parametrize(
    "schedule",
    [
        COMMUNITY_CENTRE,
        Schedule(weekly=[WeeklyHours(days=["TU", "MO"], opens="09:30", closes="12:30")]),
        Schedule(
            weekly=[WeeklyHours(days=["SA", "SU"], opens="22:00", closes="06:00")],
            valid_from=date(2027, 1, 1),
        ),
        Schedule(
            weekly=[WeeklyHours(days=["WE"], opens="13:00", closes="15:00")],
            valid_to=date(2027, 3, 31),
            notes="Term time only",
        ),
        Schedule(
            exceptions=[
                DatedHours(date=date(2026, 12, 20), opens="10:00", closes="12:00"),
                DatedHours(date=date(2026, 12, 20), opens="14:00", closes="16:00"),
                DatedHours(date=date(2026, 12, 31), opens="20:00", closes="01:00"),
            ],
            notes="Carol services",
        ),
        Schedule(
            weekly=[WeeklyHours(days=["TH"], opens="00:00", closes="24:00")],
            closures=[Closure(starts=date(2027, 2, 1), ends=date(2027, 2, 28), reason="Works")],
        ),
    ],
)
def test_a_schedule_sent_out_comes_back_the_same(schedule: Schedule) -> None:
    assert from_hsds(to_hsds(schedule, FOOD_BANK)) == (schedule, [])


def test_another_directorys_feed_is_read_and_what_cannot_be_held_is_said() -> None:
    schedule, notes = from_hsds(
        [
            {
                "id": "1",
                "freq": "WEEKLY",
                "interval": 1,
                "byday": "MO,WE",
                "opens_at": "09:30",
                "closes_at": "12:30",
                "description": "Monday and Wednesday mornings",
            },
            {
                "id": "2",
                "freq": "WEEKLY",
                "byday": "TH",
                "opens_at": "13:00:00",
                "closes_at": "16:00:00",
            },
            {
                "id": "3",
                "freq": "MONTHLY",
                "byday": "1MO",
                "opens_at": "10:00",
                "closes_at": "12:00",
                "description": "first Monday of the month",
            },
            {"id": "4", "dtstart": "2026-12-23", "opens_at": "10:00", "closes_at": "14:00"},
            {
                "id": "5",
                "valid_from": "2026-12-24",
                "valid_to": "2027-01-02",
                "description": "Closed: building works",
            },
            {"id": "6", "valid_from": "2027-04-02", "description": "Closed"},
            {"id": "7", "description": "Call ahead in the school holidays"},
            {
                "id": "8",
                "freq": "WEEKLY",
                "interval": 2,
                "byday": "FR",
                "opens_at": "10:00",
                "closes_at": "11:00",
                "description": "Every other Friday",
            },
            {"id": "9", "freq": "WEEKLY", "byday": "SA", "opens_at": "9am", "closes_at": "1pm"},
        ]
    )
    assert schedule == Schedule(
        weekly=[
            WeeklyHours(days=["MO", "WE"], opens="09:30", closes="12:30"),
            WeeklyHours(days=["TH"], opens="13:00", closes="16:00"),
        ],
        exceptions=[DatedHours(date=date(2026, 12, 23), opens="10:00", closes="14:00")],
        closures=[
            Closure(starts=date(2026, 12, 24), ends=date(2027, 1, 2), reason="building works"),
            Closure(starts=date(2027, 4, 2), ends=date(2027, 4, 2)),
        ],
    )
    assert notes == [
        "schedule 3 (MONTHLY) is kept as text only: first Monday of the month",
        "schedule 7 (no times or dates) is kept as text only: Call ahead in the school holidays",
        "schedule 8 (WEEKLY every 2 weeks) is kept as text only: Every other Friday",
        "schedule 9 (unreadable opens_at '9am') is kept as text only: no description",
    ]


def test_a_feed_writing_24_hours_as_hsds_advises_and_times_in_utc() -> None:
    schedule, notes = from_hsds(
        [
            {"id": "1", "freq": "WEEKLY", "byday": "SU", "opens_at": "00:00", "closes_at": "23:59"},
            {
                "id": "2",
                "freq": "WEEKLY",
                "byday": "MO",
                "opens_at": "09:00:00Z",
                "closes_at": "12:00:00Z",
            },
        ]
    )
    assert schedule == Schedule(
        weekly=[
            WeeklyHours(days=["SU"], opens="00:00", closes="24:00"),
            WeeklyHours(days=["MO"], opens="09:00", closes="12:00"),
        ]
    )
    assert notes == [
        "schedule 2: its times carry a UTC offset (09:00:00Z, 12:00:00Z); "
        "they are read as UK clock times"
    ]


def test_winter_hours_valid_over_another_span_are_kept_as_text() -> None:
    regular = {"freq": "WEEKLY", "opens_at": "09:00", "closes_at": "17:00"}
    schedule, notes = from_hsds(
        [
            {**regular, "id": "1", "byday": "MO,TU", "valid_from": "2026-04-01"},
            {**regular, "id": "2", "byday": "WE", "valid_from": "2026-04-01"},
            {
                **regular,
                "id": "3",
                "byday": "TH",
                "valid_from": "2026-11-01",
                "valid_to": "2027-02-28",
                "description": "Winter Thursdays",
            },
        ]
    )
    assert schedule == Schedule(
        weekly=[
            WeeklyHours(days=["MO", "TU"], opens="09:00", closes="17:00"),
            WeeklyHours(days=["WE"], opens="09:00", closes="17:00"),
        ],
        valid_from=date(2026, 4, 1),
    )
    assert notes == [
        "schedule 3 (WEEKLY, valid 2026-11-01 to 2027-02-28) is kept as text only: Winter Thursdays"
    ]


def test_the_oruk_examples_schedule_is_kept_as_text() -> None:
    # It is a WEEKLY rule on Thursdays and Fridays but also by days of the month (2, 3, 4),
    # which RFC 5545 does not allow with WEEKLY, valid on 1 January 2005 only, and
    # described as "weekdays": no schedule can hold that faithfully.
    service = json.loads((ORUK / "examples" / "service_full.json").read_text())
    assert from_hsds(service["schedules"]) == (
        None,
        [
            "schedule 1 (WEEKLY by day of the month) is kept as text only: The service is "
            "available from 10 am to 6pm weekdays. The service is not available on public "
            "holidays."
        ],
    )


# --- a short text -----------------------------------------------------------------------


def test_an_imported_schedule_without_free_text_is_described_briefly() -> None:
    schedule = Schedule(
        weekly=[
            WeeklyHours(days=["SA"], opens="10:00", closes="14:00"),
            WeeklyHours(days=WEEKDAYS_MO_FR, opens="09:00", closes="12:00"),
            WeeklyHours(days=WEEKDAYS_MO_FR, opens="13:00", closes="17:00"),
        ],
        closures=[Closure(starts=date(2026, 12, 25), ends=date(2027, 1, 1))],
    )
    assert describe(schedule) == (
        "Mon-Fri 09:00-12:00, 13:00-17:00; Sat 10:00-14:00; closed 25 Dec 2026-1 Jan 2027"
    )


def test_a_community_centre_is_described_with_its_dates_and_valid_span() -> None:
    assert describe(COMMUNITY_CENTRE) == (
        "Mon-Fri 09:00-17:00; Fri 18:00-02:00; Sat 10:00-24:00; Sun 24 hours; "
        "24 Dec 2026 10:00-12:00; closed 25 Dec 2026-1 Jan 2027; closed 2 Apr 2027; "
        "from 1 Sep 2026 to 31 Aug 2027"
    )


def test_days_apart_are_listed_and_every_day_is_daily() -> None:
    schedule = Schedule(
        weekly=[
            WeeklyHours(days=["MO", "WE", "FR"], opens="10:00", closes="12:00"),
            WeeklyHours(
                days=["MO", "TU", "WE", "TH", "FR", "SA", "SU"], opens="18:00", closes="20:00"
            ),
        ]
    )
    assert describe(schedule) == "Mon, Wed, Fri 10:00-12:00; Daily 18:00-20:00"
