"""Another directory (a council's family hub directory, a social prescribing platform) reads
the Trafford feed as the Open Referral UK validator does: `/oruk/` and its version, every
list's first, middle and last page, each item read back by its id, every answer checked
against the published ORUK v3 schemas (JSON Schema 2020-12, tests/standards)."""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator, FormatChecker
from pyproj import Geod
from referencing import Registry, Resource
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.main import create_app
from app.settings import DatabaseSettings
from tests.conftest import asset_feature, data_path

STANDARD = Path(__file__).resolve().parents[1] / "standards" / "openreferral-uk-v3"
PUBLISHED = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"
PER_PAGE = 50

# What each endpoint's items are checked against.
LISTS = {
    "/oruk/services": ("compiled/service_list.json", "compiled/service.json"),
    "/oruk/service_at_locations": (
        "compiled/service_at_location_list.json",
        "compiled/service_at_location.json",
    ),
    "/oruk/organizations": ("compiled/organization_list.json", "compiled/organization.json"),
    "/oruk/taxonomies": ("taxonomy.json", "taxonomy.json"),
    "/oruk/taxonomy_terms": ("taxonomy_term.json", "taxonomy_term.json"),
}


@cache
def _registry() -> Registry:
    resources = []
    for path in (STANDARD / "schema").rglob("*.json"):
        if path.name == "openapi.json":
            continue
        url = PUBLISHED + path.relative_to(STANDARD / "schema").as_posix()
        schema = {**json.loads(path.read_text()), "$id": url}
        resources.append((url, Resource.from_contents(schema, default_specification=_draft())))
    return Registry().with_resources(resources)


def _draft() -> Any:
    from referencing.jsonschema import DRAFT202012

    return DRAFT202012


def validator(name: str) -> Draft202012Validator:
    schema = _registry().contents(PUBLISHED + name)
    return Draft202012Validator(schema, registry=_registry(), format_checker=FormatChecker())


def page_validator() -> Draft202012Validator:
    openapi = json.loads((STANDARD / "schema" / "openapi.json").read_text())
    return Draft202012Validator(openapi["components"]["schemas"]["Page"])


def conforms(document: Any, name: str) -> None:
    problems = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator(name).iter_errors(document)
    ]
    assert not problems, f"{name}: {problems[:5]}"


def read_page(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    answer = client.get(path, params={"per_page": PER_PAGE, **params})
    assert answer.status_code == 200, answer.text
    assert answer.headers["access-control-allow-origin"] == "*"
    body = answer.json()
    assert not list(page_validator().iter_errors(body))
    assert body["size"] == len(body["contents"])
    return dict(body)


def test_the_validator_reads_the_feed_s_version_and_its_openapi(demo_client: TestClient) -> None:
    about = demo_client.get("/oruk/")

    assert about.status_code == 200
    assert about.headers["access-control-allow-origin"] == "*"
    assert about.json()["version"] == "3.0"
    assert about.json()["profile"].startswith("https://")
    described = demo_client.get(about.json()["openapi_url"])
    assert described.status_code == 200
    published = json.loads((STANDARD / "schema" / "openapi.json").read_text())
    assert described.json() == published


@pytest.mark.parametrize("path", list(LISTS))
def test_every_page_and_every_item_conforms(demo_client: TestClient, path: str) -> None:
    item_schema, full_schema = LISTS[path]
    first = read_page(demo_client, path)
    pages = first["total_pages"]
    assert pages == math.ceil(first["total_items"] / PER_PAGE)
    seen = []
    for number in sorted({1, (pages + 1) // 2, pages}):
        page = read_page(demo_client, path, page=number)
        assert page["page_number"] == number
        assert page["first_page"] is (number == 1)
        assert page["last_page"] is (number == pages)
        assert page["empty"] is False
        expected = PER_PAGE if number < pages else first["total_items"] - PER_PAGE * (pages - 1)
        assert page["size"] == expected
        for item in page["contents"]:
            conforms(item, item_schema)
        seen += [item["id"] for item in page["contents"]]
    assert len(seen) == len(set(seen))
    for item_id in seen[:PER_PAGE]:
        one = demo_client.get(f"{path}/{item_id}")
        assert one.status_code == 200, one.text
        assert one.json()["id"] == item_id
        conforms(one.json(), full_schema)


@pytest.mark.parametrize(
    "path", ["/oruk/services", "/oruk/service_at_locations", "/oruk/organizations"]
)
def test_full_pages_conform_to_the_nested_schemas(demo_client: TestClient, path: str) -> None:
    _, full_schema = LISTS[path]
    page = read_page(demo_client, path, full="true", per_page=20)

    assert page["size"] == 20
    for item in page["contents"]:
        conforms(item, full_schema)


def test_the_feed_holds_the_published_services_with_the_same_ids_after_a_restart(
    demo_client: TestClient, demo_url: str
) -> None:
    services = read_page(demo_client, "/oruk/services", per_page=200, minimal="true")
    assets = demo_client.get("/assets", params={"limit": 1000}).json()["features"]
    restarted = create_app(DatabaseSettings(url=demo_url))
    with TestClient(restarted) as fresh:
        again = fresh.get("/oruk/services", params={"per_page": 200, "minimal": "true"}).json()

    # every published Trafford asset is a service-like one (GP practices ... charities)
    assert services["total_items"] == len(assets) == 527
    assert [item["id"] for item in again["contents"]] == [
        item["id"] for item in services["contents"]
    ]
    for item in services["contents"]:
        conforms(item, "compiled/service_list.json")
        assert set(item) == {"id", "name", "status", "last_modified"}


def test_a_service_carries_its_place_category_and_contact(demo_client: TestClient) -> None:
    found = read_page(demo_client, "/oruk/services", search="Altrincham Library", full="true")
    library = next(item for item in found["contents"] if item["name"] == "Altrincham Library")
    asset = next(
        feature
        for feature in demo_client.get("/assets", params={"q": "Altrincham Library"}).json()[
            "features"
        ]
        if feature["properties"]["name"] == "Altrincham Library"
    )

    (at,) = library["service_at_locations"]
    assert at["location"]["longitude"] == pytest.approx(asset["geometry"]["coordinates"][0])
    assert at["location"]["latitude"] == pytest.approx(asset["geometry"]["coordinates"][1])
    (address,) = at["location"]["addresses"]
    # the library's file: "2 Pott Street, Altrincham", WA14 1AH
    assert address["address_1"] == "2 Pott Street"
    assert address["city"] == "Altrincham"
    assert address["postal_code"] == "WA14 1AH"
    assert address["state_province"] == "Trafford"
    assert library["email"] == "altrincham.library@trafford.gov.uk"
    terms = {attribute["taxonomy_term"]["term"] for attribute in library["attributes"]}
    assert {"institution", "library"} <= terms


def test_filters_combine_and_match_what_the_map_shows(demo_client: TestClient) -> None:
    terms = read_page(demo_client, "/oruk/taxonomy_terms", search="Food bank")["contents"]
    food_bank = next(term for term in terms if term["term"] == "food-bank")
    on_map = demo_client.get("/assets", params={"category": "food-bank"}).json()["features"]

    food_banks = read_page(demo_client, "/oruk/services", taxonomy_term_id=food_bank["id"])
    assert {item["name"] for item in food_banks["contents"]} == {
        feature["properties"]["name"] for feature in on_map
    }
    assert food_banks["total_items"] == 7
    # "Trussell" is in the names of some food banks only, and of no other service here
    trussell = {
        feature["properties"]["name"]
        for feature in on_map
        if "trussell" in feature["properties"]["name"].lower()
    }
    searched = read_page(
        demo_client, "/oruk/services", taxonomy_term_id=food_bank["id"], search="Trussell"
    )
    assert 0 < len(trussell) < 7
    assert {item["name"] for item in searched["contents"]} == trussell
    outcomes = read_page(demo_client, "/oruk/taxonomies")["contents"]
    by_name = {taxonomy["name"]: taxonomy["id"] for taxonomy in outcomes}
    categorised = read_page(demo_client, "/oruk/services", taxonomy_id=by_name["Asset categories"])
    assert categorised["total_items"] == 527
    organisation = food_banks["contents"][0]["organization_id"]
    theirs = read_page(demo_client, "/oruk/services", organization_id=organisation)
    assert [item["organization_id"] for item in theirs["contents"]] == [organisation]
    later = read_page(demo_client, "/oruk/services", modified_after="2999-01-01T00:00:00Z")
    assert later["total_items"] == 0
    assert later["empty"] is True


def test_services_near_a_postcode_are_nearest_first_within_the_proximity(
    demo_client: TestClient,
) -> None:
    # M32 0JT (Stretford), from the offline lookup the demo loads
    lookup = {
        line.split(",")[0]: line.split(",")
        for line in data_path("postcodes.csv").read_text().splitlines()[1:]
    }
    header = data_path("postcodes.csv").read_text().splitlines()[0].split(",")
    row = dict(zip(header, lookup["M32 0JT"], strict=True))
    here = float(row["lon"]), float(row["lat"])

    near = read_page(
        demo_client, "/oruk/service_at_locations", postcode="m32 0jt", proximity=1000, full="true"
    )

    geod = Geod(ellps="WGS84")
    distances = [
        geod.inv(here[0], here[1], item["location"]["longitude"], item["location"]["latitude"])[2]
        for item in near["contents"]
    ]
    assert near["total_items"] > 0
    assert all(distance <= 1000.5 for distance in distances)
    assert distances == sorted(distances)
    everything = read_page(demo_client, "/oruk/service_at_locations", postcode="M32 0JT")
    assert everything["total_items"] == 527
    for item in near["contents"]:
        conforms(item, "compiled/service_at_location.json")


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/oruk/services", {"modified_after": "last tuesday"}, "modified_after"),
        ("/oruk/services", {"taxonomy_term_id": "food-bank"}, "taxonomy_term_id"),
        ("/oruk/services", {"organization_id": "42"}, "organization_id"),
        ("/oruk/service_at_locations", {"postcode": "NOT A CODE"}, "postcode"),
        ("/oruk/service_at_locations", {"postcode": "ZZ1 1ZZ"}, "postcode"),
        ("/oruk/service_at_locations", {"proximity": "500"}, "proximity"),
        ("/oruk/services", {"page": "0"}, "page"),
        ("/oruk/services", {"per_page": "-3"}, "per_page"),
    ],
)
def test_bad_input_is_refused_naming_it(
    demo_client: TestClient, path: str, params: dict[str, str], field: str
) -> None:
    refused = demo_client.get(path, params=params)

    assert refused.status_code in {400, 422}
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert field in {problem["field"].split(".")[-1] for problem in refused.json()["errors"]}


@pytest.mark.parametrize("path", list(LISTS))
def test_unknown_ids_are_404s_in_the_problem_shape(demo_client: TestClient, path: str) -> None:
    known = read_page(demo_client, path)["contents"][0]["id"]
    # a well-formed id of this feed naming nothing, another directory's, and not an id
    for unknown in [known[:-6] + "ffffff", "00000000-0000-4000-8000-000000000000", "not-a-uuid"]:
        missing = demo_client.get(f"{path}/{unknown}")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")
        assert missing.headers["access-control-allow-origin"] == "*"


def test_a_page_past_the_last_is_empty_and_a_huge_page_is_clamped(
    demo_client: TestClient,
) -> None:
    past = read_page(demo_client, "/oruk/services", page=999)
    huge = read_page(demo_client, "/oruk/services", per_page=100_000)

    assert past["empty"] is True
    assert past["contents"] == []
    assert past["total_items"] == 527
    assert past["last_page"] is True
    assert huge["size"] == 200
    assert huge["total_pages"] == math.ceil(527 / 200)


def test_people_and_unpublished_assets_never_appear(
    demo_client: TestClient, demo_session: Session
) -> None:
    person = asset_feature(
        -2.3180,
        53.4470,
        name="Zebedee Quillfeather",
        kind="individual",
        category="skill",
        description="Teaches knitting at the library",
        consent={"publish": True},
    )
    added = demo_client.post("/assets", json=person)
    assert added.status_code == 201, added.text
    draft = asset_feature(
        -2.3180, 53.4470, name="Secret Draft Club", kind="association", status="draft"
    )
    assert demo_client.post("/assets", json=draft).status_code == 201
    hidden = demo_session.execute(
        text(
            "SELECT count(*) FROM asset WHERE name IN ('Zebedee Quillfeather', 'Secret Draft Club')"
        )
    ).scalar_one()
    assert hidden == 2

    for path in ["/oruk/services", "/oruk/service_at_locations", "/oruk/organizations"]:
        everything = read_page(demo_client, path, per_page=200, full="true")
        pages = [everything] + [
            read_page(demo_client, path, per_page=200, full="true", page=number)
            for number in range(2, everything["total_pages"] + 1)
        ]
        text_of_feed = json.dumps(pages)
        assert "Quillfeather" not in text_of_feed
        assert "Secret Draft Club" not in text_of_feed
    assert read_page(demo_client, "/oruk/services", search="Quillfeather")["total_items"] == 0
    # the person's skill is not a service either
    person_id = added.json()["id"]
    assert demo_client.get(f"/assets/{person_id}").status_code == 200
