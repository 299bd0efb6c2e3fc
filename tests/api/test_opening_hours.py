"""Opening hours as data: a library's week, kept as a schedule, answers "is it open then?"
(`GET /assets?open_at=`, `open_now=true`, `GET /assets/{id}/opening`) as a resident reading
the library's notice board would, Christmas closures and clock changes included."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from typing import Any

import pyogrio
import pytest
from fastapi.testclient import TestClient

from tests.conftest import asset_feature

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR"]
# Stretford Library's week, as its notice would say it: weekdays 9 to 5, a late Friday
# youth night from 7pm to 1am, Saturday mornings; Christmas Eve mornings only; closed on
# Christmas Day and Boxing Day.
LIBRARY_SCHEDULE: dict[str, Any] = {
    "weekly": [
        {"days": WEEKDAYS, "opens": "09:00", "closes": "17:00"},
        {"days": ["FR"], "opens": "19:00", "closes": "01:00"},
        {"days": ["SA"], "opens": "10:00", "closes": "13:00"},
    ],
    "exceptions": [{"date": "2026-12-24", "opens": "09:00", "closes": "12:00"}],
    "closures": [{"starts": "2026-12-25", "ends": "2026-12-26", "reason": "Christmas"}],
}

# (when, open?): local times are Europe/London's; those with Z are UTC.
WEEK = [
    ("2026-12-07T10:00", True),  # a Monday morning
    ("2026-12-07T08:59", False),
    ("2026-12-07T17:00", False),  # it closes at 5
    ("2026-12-11T23:30", True),  # Friday's youth night
    ("2026-12-12T00:30", True),  # ... past midnight
    ("2026-12-12T01:00", False),
    ("2026-12-12T12:00", True),  # Saturday morning
    ("2026-12-13T12:00", False),  # Sunday
    ("2026-12-24T11:00", True),  # Christmas Eve: mornings only
    ("2026-12-24T13:00", False),
    ("2026-12-24T19:30", False),  # a Thursday: no youth night anyway
    ("2026-12-25T10:00", False),  # Christmas Day, a Friday: closed
    ("2026-12-25T23:30", False),  # ... and no youth night
    ("2026-12-26T00:30", False),
    ("2026-12-26T11:00", False),  # Boxing Day, a Saturday: closed
    ("2026-12-28T10:00", True),
    # The clocks go back on Sunday 25 October 2026: 08:30 UTC is 09:30 in summer time on
    # the Friday before, but 08:30 on the Monday after.
    ("2026-10-23T08:30Z", True),
    ("2026-10-23T16:30Z", False),  # 17:30 BST
    ("2026-10-26T08:30Z", False),  # 08:30 GMT
    ("2026-10-26T09:30Z", True),
    ("2026-10-26T16:30Z", True),  # 16:30 GMT
    ("2026-10-23T08:30+01:00", False),  # 08:30 BST, said with its offset
]


def _add(client: TestClient, name: str, **properties: Any) -> int:
    created = client.post(
        "/assets", json=asset_feature(-2.3180, 53.4470, name=name, kind="institution", **properties)
    )
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


@pytest.fixture
def stretford(client: TestClient) -> dict[str, int]:
    return {
        "library": _add(client, "Stretford Library", category="library", schedule=LIBRARY_SCHEDULE),
        "unscheduled": _add(client, "Stretford Advice Centre", opening_hours="Ring first"),
        "always": _add(
            client,
            "Stretford Police Station",
            schedule={
                "weekly": [{"days": [*WEEKDAYS, "SA", "SU"], "opens": "00:00", "closes": "24:00"}]
            },
        ),
    }


def _open_ids(client: TestClient, **query: str) -> set[int]:
    found = client.get("/assets", params={"q": "Stretford", **query})
    assert found.status_code == 200, found.text
    return {feature["id"] for feature in found.json()["features"]}


@pytest.mark.parametrize(("when", "expected"), WEEK)
def test_a_resident_asks_whether_the_library_is_open(
    client: TestClient, stretford: dict[str, int], when: str, expected: bool
) -> None:
    open_then = _open_ids(client, open_at=when)

    assert (stretford["library"] in open_then) is expected
    # open round the clock; never said of an asset without a schedule
    assert stretford["always"] in open_then
    assert stretford["unscheduled"] not in open_then


def test_the_schedule_is_kept_and_read_back_beside_the_free_text(
    client: TestClient, stretford: dict[str, int]
) -> None:
    library = client.get(f"/assets/{stretford['library']}").json()["properties"]

    assert library["schedule"]["weekly"] == LIBRARY_SCHEDULE["weekly"]
    assert library["schedule"]["closures"] == LIBRARY_SCHEDULE["closures"]
    advice = client.get(f"/assets/{stretford['unscheduled']}").json()["properties"]
    assert advice["schedule"] is None
    assert advice["opening_hours"] == "Ring first"


def test_the_page_asks_whether_it_is_open_and_today_s_hours(
    client: TestClient, stretford: dict[str, int]
) -> None:
    eve = client.get(f"/assets/{stretford['library']}/opening", params={"at": "2026-12-24T11:00"})
    friday = client.get(
        f"/assets/{stretford['library']}/opening", params={"at": "2026-12-11T20:00"}
    )
    christmas = client.get(
        f"/assets/{stretford['library']}/opening", params={"at": "2026-12-25T10:00"}
    )
    unscheduled = client.get(f"/assets/{stretford['unscheduled']}/opening")

    assert eve.status_code == 200
    assert eve.json()["open"] is True
    assert eve.json()["day"] == "2026-12-24"
    assert eve.json()["hours"] == [{"opens": "09:00", "closes": "12:00"}]
    assert friday.json()["hours"] == [
        {"opens": "09:00", "closes": "17:00"},
        {"opens": "19:00", "closes": "01:00"},
    ]
    assert christmas.json()["open"] is False
    assert christmas.json()["hours"] == []
    assert unscheduled.json()["open"] is None
    assert unscheduled.json()["scheduled"] is False
    assert client.get("/assets/999999999/opening").status_code == 404


def test_open_now_finds_what_is_open_round_the_clock(
    client: TestClient, stretford: dict[str, int]
) -> None:
    open_now = _open_ids(client, open_now="true")

    assert stretford["always"] in open_now
    assert stretford["unscheduled"] not in open_now


def test_a_changed_schedule_is_a_new_version_with_its_history(
    client: TestClient, stretford: dict[str, int]
) -> None:
    saturdays = {"weekly": [{"days": ["SA"], "opens": "10:00", "closes": "16:00"}]}
    changed = client.patch(
        f"/assets/{stretford['library']}", json={"properties": {"schedule": saturdays}}
    )

    assert changed.status_code == 200, changed.text
    assert changed.json()["properties"]["version"] == 2
    assert changed.json()["properties"]["schedule"]["weekly"] == saturdays["weekly"]
    assert stretford["library"] not in _open_ids(client, open_at="2026-12-07T10:00")
    assert stretford["library"] in _open_ids(client, open_at="2026-12-12T15:00")
    cleared = client.patch(
        f"/assets/{stretford['library']}", json={"properties": {"schedule": None}}
    )
    assert cleared.json()["properties"]["schedule"] is None


@pytest.mark.parametrize(
    ("schedule", "field"),
    [
        ({"weekly": [{"days": ["MO"], "opens": "09:00", "closes": "09:00"}]}, "weekly.0"),
        (
            {"weekly": [{"days": ["Monday"], "opens": "09:00", "closes": "17:00"}]},
            "weekly.0.days.0",
        ),
        ({"weekly": [{"days": ["MO"], "opens": "9am", "closes": "17:00"}]}, "weekly.0.opens"),
        ({"closures": [{"starts": "2026-12-26", "ends": "2026-12-25"}]}, "closures.0"),
        ({"weekly": [], "sometimes": True}, "sometimes"),
    ],
)
def test_a_schedule_that_cannot_be_read_is_refused_naming_its_field(
    client: TestClient, schedule: dict[str, Any], field: str
) -> None:
    refused = client.post(
        "/assets",
        json=asset_feature(-2.318, 53.447, name="Hall", kind="physical", schedule=schedule),
    )

    assert refused.status_code == 422
    fields = [problem["field"] for problem in refused.json()["errors"]]
    assert f"properties.schedule.{field}" in fields, refused.json()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"open_at": "next tuesday"}, "open_at"),
        ({"open_at": "2026-12-07T10:00", "open_now": "true"}, "open_now"),
    ],
)
def test_a_bad_moment_is_refused_naming_it(
    client: TestClient, query: dict[str, str], field: str
) -> None:
    refused = client.get("/assets", params=query)

    assert refused.status_code == 422
    assert field in refused.text


@pytest.mark.parametrize(
    ("when", "postcodes"),
    [
        # the food banks' own notices: "Thursday 10:30am - 12:30pm" (Partington) ...
        ("2026-12-10T11:00", {"M31 4BU"}),
        # "Tues 11am - 2pm, Fri 11.30am -1.30pm" (Stretford), "Friday 10am - 12noon" (Hale)
        ("2026-12-11T11:00", {"WA15 7UG"}),
        ("2026-12-11T12:00", {"M32 9AF"}),
        # "Friday 2 - 4.30pm" (the Old Trafford pantry)
        ("2026-12-11T16:00", {"M16 7QB"}),
        ("2026-12-13T11:00", set()),
    ],
)
def test_a_resident_finds_the_food_banks_open_on_a_morning(
    demo_client: TestClient, when: str, postcodes: set[str]
) -> None:
    found = demo_client.get("/assets", params={"category": "food-bank", "open_at": when})

    assert found.status_code == 200
    assert {f["properties"]["postcode"] for f in found.json()["features"]} == postcodes


def test_every_export_carries_the_schedule(client: TestClient, stretford: dict[str, int]) -> None:
    geojson = client.get("/exports/assets.geojson", params={"q": "Stretford Library"}).json()
    table = client.get("/exports/assets.csv", params={"q": "Stretford Library"}).text
    package = client.get("/exports/assets.gpkg", params={"q": "Stretford Library"}).content
    with tempfile.NamedTemporaryFile(suffix=".gpkg") as file:
        file.write(package)
        file.flush()
        layer = pyogrio.read_dataframe(file.name, layer="assets")

    (feature,) = geojson["features"]
    assert feature["properties"]["schedule"]["closures"] == LIBRARY_SCHEDULE["closures"]
    (row,) = list(csv.DictReader(io.StringIO(table)))
    assert json.loads(row["schedule"])["weekly"] == LIBRARY_SCHEDULE["weekly"]
    assert json.loads(layer["schedule"][0])["exceptions"] == LIBRARY_SCHEDULE["exceptions"]
