"""A directory imports another directory's Open Referral UK feed: every page read before
anything is written, a broken feed refused whole, and each service placed in our taxonomy
(no database: a small ORUK API on 127.0.0.1 stands in for the other directory)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from shapely.geometry import Point

from app.io.oruk_feed import FeedError, read_feed
from app.io.oruk_rows import Vocabulary, load_mapping, service_rows
from app.io.sources import SourceError
from app.settings import PROJECT_ROOT
from tests.oruk_directory import Answer, Directory, page

pytestmark = pytest.mark.fast

EXAMPLES = PROJECT_ROOT / "tests" / "standards" / "openreferral-uk-v3" / "examples"


def listed(service_id: str, name: str) -> dict[str, Any]:
    """A service as a `full=true` page lists it: nested, here with nothing to nest."""
    return {
        "id": service_id,
        "name": name,
        "status": "active",
        "service_at_locations": [],
        "schedules": [],
        "attributes": [],
    }


FIVE = [
    listed("s1", "Stretford Food Bank"),
    listed("s2", "Old Trafford Lunch Club"),
    listed("s3", "Sale Debt Advice"),
    listed("s4", "Urmston Library"),
    listed("s5", "Partington Youth Club"),
]


def test_a_feed_of_five_services_is_read_across_its_three_pages_each_page_once(
    directory: Directory,
) -> None:
    directory.publish(FIVE, per_page=2)

    services = read_feed(directory.url, per_page=2)

    assert [s["name"] for s in services] == [
        "Stretford Food Bank",
        "Old Trafford Lunch Club",
        "Sale Debt Advice",
        "Urmston Library",
        "Partington Youth Club",
    ]
    assert directory.requests == [
        ("/oruk/services", {"page": "1", "per_page": "2", "full": "true"}),
        ("/oruk/services", {"page": "2", "per_page": "2", "full": "true"}),
        ("/oruk/services", {"page": "3", "per_page": "2", "full": "true"}),
    ]


def test_the_url_of_the_services_list_itself_reads_the_same_feed(directory: Directory) -> None:
    directory.publish(FIVE, per_page=2)

    services = read_feed(directory.url + "/services/", per_page=2)

    assert [s["id"] for s in services] == ["s1", "s2", "s3", "s4", "s5"]
    assert directory.pages_asked() == ["1", "2", "3"]


def test_only_services_changed_since_the_last_import_are_asked_for(directory: Directory) -> None:
    directory.publish(FIVE[:1], per_page=100)

    read_feed(directory.url, modified_after=datetime(2024, 3, 1, 9, 30, tzinfo=UTC))

    assert directory.requests[0][1]["modified_after"] == "2024-03-01T09:30:00+00:00"


def test_a_feed_that_ends_without_last_page_stops_at_its_total_pages(
    directory: Directory,
) -> None:
    directory.publish(FIVE, per_page=2)
    for answer in directory.pages.values():
        del answer.body["last_page"]

    assert len(read_feed(directory.url, per_page=2)) == 5
    assert directory.pages_asked() == ["1", "2", "3"]


def test_a_page_that_fails_refuses_the_whole_feed_naming_the_page_and_status(
    directory: Directory,
) -> None:
    directory.publish(FIVE, per_page=2)
    directory.pages[2] = Answer({"detail": "database is down"}, status=500)

    with pytest.raises(FeedError) as refused:
        read_feed(directory.url, per_page=2)

    assert str(refused.value) == (
        f"page 2 of {directory.url}/services answered HTTP 500 Internal Server Error"
    )
    assert isinstance(refused.value, SourceError)  # so the import commands report it
    assert directory.pages_asked() == ["1", "2"]


def test_a_page_claiming_to_be_page_one_again_is_a_loop(directory: Directory) -> None:
    directory.publish(FIVE, per_page=2)
    directory.pages[2].body["page_number"] = 1

    with pytest.raises(FeedError, match=r"page 2 of .* says it is page 1 again: the feed loops"):
        read_feed(directory.url, per_page=2)


def test_a_page_repeating_the_services_of_page_one_is_a_loop(directory: Directory) -> None:
    directory.publish(FIVE, per_page=2)
    directory.pages[2].body["contents"] = FIVE[:2]

    with pytest.raises(FeedError, match=r"page 2 of .* lists only services read already"):
        read_feed(directory.url, per_page=2)


def test_a_feed_longer_than_the_most_pages_read_is_refused(directory: Directory) -> None:
    directory.publish(FIVE, per_page=2)
    for answer in directory.pages.values():
        del answer.body["last_page"], answer.body["total_pages"]

    with pytest.raises(FeedError, match=r"has more than 2 pages: stopped reading"):
        read_feed(directory.url, per_page=2, max_pages=2)


def test_a_page_cut_off_half_way_is_refused(directory: Directory) -> None:
    directory.publish(FIVE, per_page=2)
    whole = json.dumps(directory.pages[2].body).encode()
    directory.pages[2] = Answer(whole[: len(whole) // 2])

    with pytest.raises(FeedError, match=r"page 2 of .* is not JSON, or was cut off half-way"):
        read_feed(directory.url, per_page=2)


def test_a_connection_dropped_half_way_through_a_page_is_refused(directory: Directory) -> None:
    directory.publish(FIVE, per_page=2)
    directory.pages[3].short_by = 40

    with pytest.raises(FeedError, match=r"page 3 of .* could not be read \(RemoteProtocolError"):
        read_feed(directory.url, per_page=2)


def test_a_directory_that_does_not_answer_in_time_is_refused(directory: Directory) -> None:
    directory.publish(FIVE, per_page=2)
    directory.pages[1].delay_s = 1.0

    with (
        httpx.Client(timeout=0.2) as impatient,
        pytest.raises(FeedError, match=r"page 1 of .* did not answer within 0.2 s \(ReadTimeout\)"),
    ):
        read_feed(directory.url, client=impatient)


def test_a_directory_nobody_listens_at_is_refused() -> None:
    with ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler) as closed:
        port = closed.server_address[1]
    with pytest.raises(FeedError, match=r"could not be read \(ConnectError"):
        read_feed(f"http://127.0.0.1:{port}/oruk")


def test_a_page_without_contents_is_refused(directory: Directory) -> None:
    directory.pages[1] = Answer({"total_pages": 1, "page_number": 1, "services": FIVE})

    with pytest.raises(FeedError, match=r"page 1 of .* is not a page of services: it has no"):
        read_feed(directory.url)


def test_a_listed_service_without_an_id_is_refused(directory: Directory) -> None:
    directory.publish([FIVE[0], {"name": "Nameless Drop-in", "status": "active"}], per_page=2)

    with pytest.raises(
        FeedError, match=r"service 2 on page 1 of .* \('Nameless Drop-in'\) has no `id`"
    ):
        read_feed(directory.url)


def test_services_listed_in_short_form_are_fetched_whole_one_by_one(
    directory: Directory,
) -> None:
    short = [{"id": s["id"], "name": s["name"], "status": "active"} for s in FIVE[:3]]
    directory.publish(short, per_page=2)
    for service in FIVE[:3]:
        whole = {**service, "attributes": [{"id": "a-" + service["id"]}]}
        directory.services[service["id"]] = Answer(whole)

    services = read_feed(directory.url, per_page=2)

    assert [s["attributes"] for s in services] == [
        [{"id": "a-s1"}],
        [{"id": "a-s2"}],
        [{"id": "a-s3"}],
    ]
    assert [path for path, _ in directory.requests] == [
        "/oruk/services",
        "/oruk/services",
        "/oruk/services/s1",
        "/oruk/services/s2",
        "/oruk/services/s3",
    ]


def test_a_short_service_its_directory_cannot_give_whole_refuses_the_feed(
    directory: Directory,
) -> None:
    directory.publish([{"id": "s9", "name": "Gone", "status": "active"}], per_page=2)

    with pytest.raises(
        FeedError, match=r"service s9 \(http.*/oruk/services/s9\) answered HTTP 404"
    ):
        read_feed(directory.url)


def test_a_file_of_services_is_read_as_the_feed(tmp_path: Path) -> None:
    file = tmp_path / "services.json"
    file.write_text(json.dumps(FIVE[:2]))
    envelope = tmp_path / "page.json"
    envelope.write_text(json.dumps(page(1, 1, FIVE[2:], 3)))

    assert [s["id"] for s in read_feed(str(file))] == ["s1", "s2"]
    assert [s["id"] for s in read_feed(str(envelope))] == ["s3", "s4", "s5"]


def test_the_standards_example_of_one_full_service_is_read_from_its_file() -> None:
    services = read_feed(str(EXAMPLES / "service_full.json"))

    assert [(s["id"], s["name"]) for s in services] == [
        ("ac148810-d857-441c-9679-408f346de14b", "Community Counselling")
    ]


def test_a_missing_or_broken_file_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "feed.json"
    broken.write_text('[{"id": "s1", "name": "Stretford')

    with pytest.raises(FeedError, match=r"^nowhere.json: no such file$"):
        read_feed(str(tmp_path / "nowhere.json"))
    with pytest.raises(FeedError, match=r"^feed.json: is not valid JSON"):
        read_feed(str(broken))
    broken.write_text('{"services": []}')
    with pytest.raises(FeedError, match=r"^feed.json: holds no services"):
        read_feed(str(broken))


KINDS = {"individual", "association", "institution", "physical", "economic", "cultural"}
# Part of our taxonomy, as the caller reads it from the database.
VOCABULARY = Vocabulary(
    categories={
        "food-bank": ("Food bank", "institution"),
        "advice-service": ("Advice service", "institution"),
        "lunch-club": ("Lunch club", "association"),
        "community-centre": ("Community centre", "physical"),
    },
    outcomes={"health-wellbeing", "social-connection", "money-work"},
    kinds=KINDS,
)


def term(taxonomy: str, code: str, name: str) -> dict[str, Any]:
    """A taxonomy term attached to a service, as our own feed attaches it."""
    term_id = f"{taxonomy.lower().replace(' ', '-')}:{code}"
    return {
        "id": f"attribute-{term_id}",
        "taxonomy_term_id": term_id,
        "taxonomy_term": {"id": term_id, "term": code, "name": name, "description": name},
    }


def location(
    location_id: str,
    address_1: str,
    postcode: str,
    latitude: float | None = None,
    longitude: float | None = None,
) -> dict[str, Any]:
    """A service at a physical location, with one address."""
    place: dict[str, Any] = {
        "id": location_id,
        "location_type": "physical",
        "addresses": [
            {
                "id": f"{location_id}-address",
                "address_1": address_1,
                "city": "Stretford",
                "state_province": "Greater Manchester",
                "postal_code": postcode,
                "country": "GB",
                "address_type": "physical",
            }
        ],
    }
    if latitude is not None and longitude is not None:
        place.update(latitude=latitude, longitude=longitude)
    return {"id": f"sal-{location_id}", "location": place}


def weekly(schedule_id: str, day: str, opens: str, closes: str) -> dict[str, Any]:
    """A weekly HSDS schedule entry."""
    return {
        "id": schedule_id,
        "freq": "WEEKLY",
        "interval": 1,
        "byday": day,
        "opens_at": opens,
        "closes_at": closes,
    }


fridays = weekly("fridays", "FR", "12:00", "14:00")
tuesdays = weekly("tuesdays", "TU", "12:00", "14:00")


def service(service_id: str, name: str, *attributes: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        "id": service_id,
        "name": name,
        "status": "active",
        "attributes": list(attributes),
        **more,
    }


def test_a_food_bank_from_our_own_feed_comes_back_as_it_was_published() -> None:
    food_bank = service(
        "17",
        "Stretford Food Bank",
        term("Asset categories", "food-bank", "Food bank"),
        term("Outcomes", "health-wellbeing", "Health and wellbeing"),
        term("Asset kinds", "institution", "Institution"),
        description="Emergency food parcels, no referral needed.",
        url="https://stretford.foodbank.org.uk/",
        email="info@stretford.foodbank.org.uk",
        fees="Free",
        phones=[{"id": "17-phone", "number": "0161 865 0000"}],
        service_at_locations=[
            {
                "id": "sal-17",
                "location": {
                    "id": "location-17",
                    "location_type": "physical",
                    "latitude": 53.4466,
                    "longitude": -2.3157,
                    "addresses": [
                        {
                            "id": "address-17",
                            "address_1": "Kingsway Park Church, 1 Kingsway",
                            "city": "Stretford",
                            "state_province": "Greater Manchester",
                            "postal_code": "M32 9BQ",
                            "country": "GB",
                            "address_type": "physical",
                        }
                    ],
                    "accessibility": [
                        {"id": "access-1", "description": "Step-free entrance."},
                        {"id": "access-2", "description": "Accessible toilet"},
                    ],
                },
            }
        ],
        schedules=[
            {
                "id": "schedule-1",
                "service_id": "17",
                "freq": "WEEKLY",
                "interval": 1,
                "byday": "MO,WE",
                "opens_at": "10:00:00",
                "closes_at": "14:00:00",
                "description": "Monday and Wednesday 10:00-14:00",
            },
            {
                "id": "schedule-2",
                "service_id": "17",
                "valid_from": "2025-12-24",
                "valid_to": "2026-01-02",
                "description": "Closed from 24 December 2025 to 2 January 2026: Christmas",
            },
        ],
    )

    rows, notes = service_rows([food_bank], VOCABULARY)

    assert [row.number for row in rows] == [1]
    assert rows[0].attributes == {
        "oruk_ref": "17",
        "name": "Stretford Food Bank",
        "description": "Emergency food parcels, no referral needed.",
        "phone": "0161 865 0000",
        "email": "info@stretford.foodbank.org.uk",
        "website": "https://stretford.foodbank.org.uk/",
        "cost": "Free",
        "kind": "institution",
        "category": "food-bank",
        "outcomes": ["health-wellbeing"],
        "address": "Kingsway Park Church, 1 Kingsway, Stretford",
        "postcode": "M32 9BQ",
        "accessibility": "Step-free entrance. Accessible toilet",
        "schedule": {
            "weekly": [{"days": ["MO", "WE"], "opens": "10:00", "closes": "14:00"}],
            "closures": [{"starts": "2025-12-24", "ends": "2026-01-02", "reason": "Christmas"}],
        },
        "opening_hours": "Mon, Wed 10:00-14:00; closed 24 Dec 2025-2 Jan 2026",
    }
    assert rows[0].geometry == Point(-2.3157, 53.4466)
    assert notes == []


def test_a_service_at_two_places_becomes_two_assets_told_apart_by_location() -> None:
    club = service(
        "lunch",
        "Friday Lunch Club",
        term("Asset categories", "lunch-club", "Lunch club"),
        service_at_locations=[
            {
                **location("hall", "St Matthew's Hall, Chester Road", "M32 8RJ", 53.4541, -2.3090),
                "schedules": [tuesdays],
            },
            location("centre", "Stretford Community Centre", "M32 0DZ", 53.4457, -2.3175),
        ],
        schedules=[fridays],
    )

    rows, notes = service_rows([club], VOCABULARY)

    assert [
        (row.number, row.attributes["oruk_ref"], row.attributes["postcode"], row.geometry)
        for row in rows
    ] == [
        (1, "lunch/hall", "M32 8RJ", Point(-2.3090, 53.4541)),
        (2, "lunch/centre", "M32 0DZ", Point(-2.3175, 53.4457)),
    ]
    assert {row.attributes["kind"] for row in rows} == {"association"}
    assert [row.attributes["schedule"] for row in rows] == [
        {
            "weekly": [
                {"days": ["FR"], "opens": "12:00", "closes": "14:00"},
                {"days": ["TU"], "opens": "12:00", "closes": "14:00"},
            ]
        },
        {"weekly": [{"days": ["FR"], "opens": "12:00", "closes": "14:00"}]},
    ]
    assert [row.attributes["opening_hours"] for row in rows] == [
        "Tue 12:00-14:00; Fri 12:00-14:00",  # in week order
        "Fri 12:00-14:00",
    ]
    assert notes == []


def test_hours_a_schedule_cannot_hold_stay_as_text_and_say_so() -> None:
    coffee = {
        "id": "schedule-2",
        "freq": "MONTHLY",
        "byday": "1MO",
        "opens_at": "10:00",
        "closes_at": "12:00",
        "description": "Coffee morning on the first Monday of the month, 10am to noon",
    }
    club = service(
        "lunch",
        "Friday Lunch Club",
        term("Asset categories", "lunch-club", "Lunch club"),
        service_at_locations=[location("hall", "St Matthew's Hall", "M32 8RJ", 53.4541, -2.309)],
        schedules=[fridays, coffee],
    )

    rows, notes = service_rows([club], VOCABULARY)

    assert rows[0].attributes["schedule"] == {
        "weekly": [{"days": ["FR"], "opens": "12:00", "closes": "14:00"}]
    }
    assert rows[0].attributes["opening_hours"] == (
        "Coffee morning on the first Monday of the month, 10am to noon"
    )
    assert notes == [
        "Friday Lunch Club: schedule 2 (MONTHLY) is kept as text only: Coffee morning on the "
        "first Monday of the month, 10am to noon"
    ]


def test_a_term_only_the_users_mapping_file_names_places_the_service(tmp_path: Path) -> None:
    mapping_file = tmp_path / "mapping.csv"
    mapping_file.write_text("term,category\nDEBT ADVICE,advice-service\nlaps-77,food-bank\n")
    debt = {"id": "t-9", "term": "D1", "name": "Debt advice"}
    pantry = {"id": "LAPS-77", "term": "P2", "name": "Pantry"}
    services = [
        service("s1", "Sale Debt Advice", {"id": "a1", "taxonomy_term": debt}),
        service("s2", "Sale Pantry", {"id": "a2", "taxonomy_term": pantry}),
    ]
    vocabulary = Vocabulary(
        VOCABULARY.categories, VOCABULARY.outcomes, KINDS, mapping=load_mapping(mapping_file)
    )

    rows, notes = service_rows(services, vocabulary)

    assert [(r.attributes["category"], r.attributes["kind"]) for r in rows] == [
        ("advice-service", "institution"),
        ("food-bank", "institution"),
    ]
    assert notes == []


def test_a_category_named_in_the_feeds_own_words_is_found_by_its_name() -> None:
    club = service("s1", "Wednesday Club", {"id": "a1", "taxonomy_term": {"name": "LUNCH CLUB"}})

    rows, _ = service_rows([club], VOCABULARY)

    assert (rows[0].attributes["category"], rows[0].attributes["kind"]) == (
        "lunch-club",
        "association",
    )


def test_terms_matching_nothing_of_ours_leave_the_default_kind_and_say_so() -> None:
    yoga = {"id": "y", "term": "YOGA", "name": "Yoga"}
    debt = {"id": "d", "term": "DEBT", "name": "Debt advice"}
    services = [
        service("s1", "Chair Yoga", {"id": "a1", "taxonomy_term": yoga}),
        service("s2", "Money Matters", {"id": "a2", "taxonomy_term": debt}),
        service("s3", "Debt Drop-in", {"id": "a3", "taxonomy_term": debt}),
        service("s4", "Knit and Natter"),
    ]

    rows, notes = service_rows(services, VOCABULARY)

    assert [(r.attributes["kind"], r.attributes.get("category")) for r in rows] == [
        ("institution", None),
    ] * 4
    assert notes == [
        "3 services had taxonomy terms matching no category: 'Debt advice' (2), 'Yoga' (1); "
        "a mapping file (columns term, category) can place them",
        "1 service had no taxonomy term naming a category",
        "4 services had neither a category nor a kind term, so came as kind 'institution'",
    ]


def test_a_kind_term_at_odds_with_the_category_gives_way_to_the_category() -> None:
    hall = service(
        "s1",
        "Stretford Public Hall",
        term("Asset kinds", "cultural", "Cultural"),
        term("Asset categories", "community-centre", "Community centre"),
    )
    choir = service("s2", "Stretford Choir", term("Asset kinds", "cultural", "Cultural"))

    rows, notes = service_rows([hall, choir], VOCABULARY)

    assert [(r.attributes["kind"], r.attributes.get("category")) for r in rows] == [
        ("physical", "community-centre"),
        ("cultural", None),
    ]
    assert notes == [
        "1 service had no taxonomy term naming a category",
        "1 service had a kind term other than their category's kind, and the category's was "
        "taken: 'Stretford Public Hall' (physical, not cultural)",
    ]


def test_a_place_without_coordinates_keeps_its_postcode_for_the_importer_to_place() -> None:
    advice = service(
        "s1",
        "Citizens Advice Trafford",
        term("Asset categories", "advice-service", "Advice service"),
        service_at_locations=[location("library", "Stretford Library, Kingsway", "m32 8ax")],
        schedules=[],
    )

    rows, notes = service_rows([advice], VOCABULARY)

    assert rows[0].geometry is None
    assert (rows[0].attributes["postcode"], rows[0].attributes["address"]) == (
        "m32 8ax",
        "Stretford Library, Kingsway, Stretford",
    )
    assert notes == [
        "1 row had no usable latitude and longitude: its postcode places it, if it has one"
    ]


def test_a_service_with_no_place_still_becomes_one_row() -> None:
    helpline = service(
        "s1",
        "Trafford Carers Helpline",
        contacts=[
            {"id": "c1", "name": "Duty line", "phones": [{"id": "p1", "number": "0161 912 3000"}]}
        ],
        cost_options=[
            {"id": "o1", "amount": 0, "option": "Carers"},
            {"id": "o2", "amount": 12.5, "amount_description": "per session", "option": "Others"},
        ],
        minimum_age=5,
        maximum_age=11,
    )

    rows, _ = service_rows([helpline], VOCABULARY)

    assert [(r.number, r.geometry) for r in rows] == [(1, None)]
    assert rows[0].attributes == {
        "oruk_ref": "s1",
        "name": "Trafford Carers Helpline",
        "phone": "0161 912 3000",
        "cost": "Free (Carers); £12.50 per session (Others)",
        "audience": "Ages 5 to 11",
        "kind": "institution",
    }


def test_opening_hours_our_feed_only_had_as_text_come_back_as_that_text() -> None:
    library = service(
        "s1",
        "Stretford Library",
        schedules=[{"id": "h1", "description": "Mon-Fri 9am-5pm, late night Thursday"}],
    )

    rows, notes = service_rows([library], VOCABULARY)

    assert rows[0].attributes["opening_hours"] == "Mon-Fri 9am-5pm, late night Thursday"
    assert "schedule" not in rows[0].attributes
    assert notes[-1] == (
        "1 service gave opening hours as text only, without days and times as data: the text "
        "came as it is"
    )


def test_what_a_feed_gives_that_we_cannot_use_as_it_is_is_said(tmp_path: Path) -> None:
    online = {"id": "sal-web", "location": {"id": "web", "location_type": "virtual"}}
    services = [
        service(
            "s1",
            "Trafford Carers Centre",
            term("Asset categories", "advice-service", "Advice service"),
            term("Asset categories", "community-centre", "Community centre"),
            service_at_locations=[
                location("hub", "Stretford Hub", "M32 0DZ", 53.4457, -2.3175),
                online,
            ],
        ),
        service(
            "s2",
            "Sale Toy Library",
            term("Asset categories", "community-centre", "Community centre"),
            status="defunct",
        ),
    ]

    rows, notes = service_rows(services, VOCABULARY)

    assert [(r.attributes["oruk_ref"], r.attributes["category"]) for r in rows] == [
        ("s1", "advice-service"),
        ("s2", "community-centre"),
    ]
    assert notes == [
        "1 service matched more than one category, and the first was taken: "
        "'Trafford Carers Centre' (advice-service, not community-centre)",
        "1 service the feed marks inactive or defunct came all the same: "
        "'Sale Toy Library' (defunct)",
        "1 service offered online (a virtual location) as well as at places came at their "
        "places only",
    ]


def test_the_standards_example_service_maps_with_its_impossible_latitude_left_out() -> None:
    example = read_feed(str(EXAMPLES / "service_full.json"))

    rows, notes = service_rows(example, VOCABULARY)

    assert len(rows) == 1
    assert rows[0].geometry is None  # it gives latitude 100
    attributes = rows[0].attributes
    assert (attributes["oruk_ref"], attributes["name"]) == (
        "ac148810-d857-441c-9679-408f346de14b",
        "Community Counselling",
    )
    assert (attributes["address"], attributes["postcode"]) == (
        "1-30 Main Street, MyCity",
        "ABC 1234",
    )
    assert (attributes["cost"], attributes["audience"]) == ("fees_description", "Ages 12 to 100")
    # WEEKLY on given days of the month is no weekly rule: its description is kept.
    assert "schedule" not in attributes
    assert attributes["opening_hours"] == (
        "The service is available from 10 am to 6pm weekdays. "
        "The service is not available on public holidays."
    )
    assert notes == [
        # its one term is {"term": "name", "name": "name"}
        "1 service had taxonomy terms matching no category: 'name' (1); a mapping file "
        "(columns term, category) can place them",
        "1 service had neither a category nor a kind term, so came as kind 'institution'",
        "1 row had no usable latitude and longitude: its postcode places it, if it has one",
        "Community Counselling: schedule 1 (WEEKLY by day of the month) is kept as text only: "
        "The service is available from 10 am to 6pm weekdays. The service is not available "
        "on public holidays.",
    ]


def test_a_mapping_file_with_a_bad_line_is_refused_naming_the_line(tmp_path: Path) -> None:
    mapping_file = tmp_path / "mapping.csv"
    mapping_file.write_text("term,category\nDebt advice,advice-service\nYoga,Exercise Class\n")

    with pytest.raises(FeedError, match=r"^mapping.csv: line 3: 'Exercise Class' is not a"):
        load_mapping(mapping_file)
    mapping_file.write_text("term,category\nYoga,exercise-class\n")
    with pytest.raises(FeedError, match=r"^mapping.csv: line 2: there is no category"):
        load_mapping(mapping_file, categories=VOCABULARY.categories)
    with pytest.raises(FeedError, match=r"the mapping names categories we do not have: exercise"):
        service_rows([], Vocabulary({}, set(), KINDS, mapping=load_mapping(mapping_file)))
