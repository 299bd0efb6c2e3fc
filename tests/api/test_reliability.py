"""What an anonymous visitor could break, each a finding of the reliability review (issue 20):
control characters in any input, 3-D coordinates, broken bodies, wrong `Allow`, leaked
server paths, a database that is down or was restarted, and the bounds on expensive work."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.db import make_engine
from app.domain.feed_ids import Entity, FeedIds
from app.main import create_app
from app.settings import ApiSettings, DatabaseSettings, FeedSettings
from tests.conftest import (
    alembic_config,
    asset_feature,
    count_assets,
    create_database,
    drop_database,
)

STRETFORD = (-2.3157, 53.4466)


def _field(response: Any) -> list[str]:
    return [problem["field"] for problem in response.json().get("errors", [])]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/assets?q=a%00b", "q"),
        ("/assets?q=bell%07", "q"),
        ("/ogc/collections/assets/items?q=a%00b", "q"),
        ("/areas?parent=a%00b", "parent"),
        ("/maps/a%00b", "area_code"),
        ("/gaps?within=a%00b", "within"),
        ("/exports/assets.geojson?q=a%00b", "q"),
        ("/exports/assets.csv?q=a%00b", "q"),
        ("/areas/E0%00", "code"),
        ("/assets?kind=park&a%00=1", "a\x00"),
    ],
)
def test_a_control_character_anywhere_in_the_address_is_a_422_naming_the_field(
    client: TestClient, path: str, field: str
) -> None:
    response = client.anonymous.get(path)

    assert response.status_code == 422, response.text
    assert _field(response) == [field]
    assert "control characters" in response.json()["detail"]


def test_a_control_character_in_a_form_or_a_json_body_is_a_422_naming_the_field(
    client: TestClient, session: Session
) -> None:
    signing_in = client.post("/auth/token", data={"username": "a\x00@b.org", "password": "x"})
    named = client.post("/assets", json=asset_feature(*STRETFORD, name="Lunch\x00club"))
    deep = client.post(
        "/assets",
        json=asset_feature(*STRETFORD, contact={"phone": "0161\x1b[31m"}, outcomes=["a"]),
    )

    backspace = client.post("/assets", json=asset_feature(*STRETFORD, name="Lunch\bclub"))
    form_feed = client.post("/assets", json=asset_feature(*STRETFORD, description="a\fb"))

    assert (signing_in.status_code, _field(signing_in)) == (422, ["username"])
    assert (named.status_code, _field(named)) == (422, ["properties.name"])
    assert (deep.status_code, _field(deep)) == (422, ["properties.contact.phone"])
    assert (backspace.status_code, _field(backspace)) == (422, ["properties.name"])
    assert (form_feed.status_code, _field(form_feed)) == (422, ["properties.description"])
    assert count_assets(session) == 0


def test_tabs_and_line_breaks_are_text_and_kept(client: TestClient) -> None:
    description = "Mondays\tand Thursdays.\r\nBring a flask."
    made = client.post("/assets", json=asset_feature(*STRETFORD, description=description))

    assert made.status_code == 201, made.text
    assert client.get(f"/assets/{made.json()['id']}").json()["properties"]["description"] == (
        description
    )


def test_an_import_refuses_a_row_with_a_nul_naming_it_and_takes_the_others(
    client: TestClient, session: Session
) -> None:
    rows = (
        "id,name,lon,lat\n"
        "1,Stretford lunch club,-2.3157,53.4466\n"
        "2,Sale \x00knitting circle,-2.3183,53.4250\n"
        "3,Urmston choir,-2.3540,53.4480\n"
    )
    form = {"kind": "association", "source": "upload", "ref_field": "id"} | {
        "lon_field": "lon",
        "lat_field": "lat",
    }

    response = client.post("/imports", data=form, files={"file": ("clubs.csv", rows)})

    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["inserted"], report["rejected"]) == (2, 1)
    assert report["rejects"][0]["row"] == 2
    assert "name: must not contain control characters" in report["rejects"][0]["reason"]
    assert count_assets(session) == 2


def test_heights_are_dropped_on_every_path_and_more_is_refused(client: TestClient) -> None:
    position = [-2.3157, 53.4466, 31.5]
    feature = asset_feature(*STRETFORD)
    feature["geometry"]["coordinates"] = position
    made = client.post("/assets", json=feature)
    feature["geometry"]["coordinates"] = [*position, 7.0]  # a measure: not GeoJSON
    measured = client.post("/assets", json=feature)
    assert made.status_code == 201, made.text
    moved = {"type": "Point", "coordinates": [-2.3160, 53.4470, 12.0]}
    changed = client.patch(f"/assets/{made.json()['id']}", json={"geometry": moved})
    footprint = asset_feature(*STRETFORD)
    footprint["geometry"] = {
        "type": "Polygon",
        "coordinates": [
            [[-2.316, 53.446, 5], [-2.315, 53.446, 5], [-2.315, 53.447, 5], [-2.316, 53.446, 5]]
        ],
    }
    building = client.post("/assets", json=footprint)

    assert made.json()["geometry"]["coordinates"] == position[:2]
    assert measured.status_code == 422
    assert set(_field(measured)) == {"geometry.coordinates"}
    assert changed.status_code == 200, changed.text
    assert changed.json()["geometry"]["coordinates"] == [-2.316, 53.447]
    assert building.status_code == 201, building.text
    outline = building.json()["properties"]["footprint"]["coordinates"][0][0]
    assert all(len(corner) == 2 for corner in outline)


def test_an_import_drops_heights_as_the_api_does(client: TestClient) -> None:
    corners = [[-2.316, 53.446, 5], [-2.315, 53.446, 5], [-2.315, 53.447, 5], [-2.316, 53.446, 5]]
    rows = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": 1, "name": "Community garden"},
                "geometry": {"type": "Polygon", "coordinates": [corners]},
            },
            {
                "type": "Feature",
                "properties": {"id": 2, "name": "Bench"},
                "geometry": {"type": "Point", "coordinates": [-2.3157, 53.4466, 31.5]},
            },
        ],
    }
    form = {"kind": "physical", "source": "upload", "ref_field": "id"}

    response = client.post(
        "/imports", data=form, files={"file": ("garden.geojson", json.dumps(rows))}
    )

    assert response.status_code == 200, response.text
    assert (response.json()["inserted"], response.json()["rejected"]) == (2, 0)
    stored = client.get("/assets?kind=physical").json()["features"]
    assert sorted(len(f["geometry"]["coordinates"]) for f in stored) == [2, 2]
    garden = next(f for f in stored if f["properties"]["name"] == "Community garden")
    assert all(
        len(corner) == 2 for corner in garden["properties"]["footprint"]["coordinates"][0][0]
    )


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 10_000 + b"]" * 10_000,
        b'{"type": "Feature", "name": "\xff\xfe"}',
        b"[" + b"9" * 5000 + b"]",
    ],
    ids=["nested 10,000 deep", "not UTF-8", "a 5,000-digit number"],
)
def test_a_body_that_cannot_be_read_names_the_body(client: TestClient, body: bytes) -> None:
    response = client.post("/assets", content=body, headers={"Content-Type": "application/json"})

    assert 400 <= response.status_code < 500, response.text
    assert _field(response) == ["body"]
    assert response.headers["content-type"] == "application/problem+json"


def test_a_chunked_body_over_the_limit_is_a_413_naming_the_body(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(300):
            yield b" " * 1000  # 300 kB, over the tests' limit of 200 kB, with no length

    response = client.post(
        "/assets", content=chunks(), headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 413
    assert _field(response) == ["body"]


def test_a_method_a_path_does_not_take_names_every_one_it_does(client: TestClient) -> None:
    options = client.options("/assets")
    put = client.anonymous.put("/assets/1", json={})

    assert options.status_code == put.status_code == 405
    assert set(options.headers["allow"].split(", ")) == {"GET", "POST"}
    assert set(put.headers["allow"].split(", ")) == {"GET", "PATCH", "DELETE"}


def test_an_unreadable_upload_is_named_as_sent_never_by_the_servers_path(
    client: TestClient, api_settings: ApiSettings
) -> None:
    response = client.post(
        "/imports",
        data={"kind": "association", "source": "upload"},
        files={"file": ("clubs.gpkg", b"this is no GeoPackage")},
    )

    assert response.status_code == 422
    assert "clubs.gpkg" in response.text
    for server_path in ("/tmp", "assetmap-import", "upload.gpkg"):
        assert server_path not in response.text


# Routes that answer without the database.
NO_DATABASE = {
    "/",
    "/ogc",
    "/ogc/conformance",
    "/docs",
    "/docs/oauth2-redirect",
    "/openapi.json",
    "/oruk/",
    "/oruk/openapi.json",
    # the embeddable map asked for no area, category or outcome: nothing to look up
    "/embed",
    "/ogc/api",
    "/ogc/collections/{collection_id}/queryables",
    # the people pages are static: their scripts ask the API
    "/people",
    "/people/reset",
}
SAMPLE_PATH_VALUES = {
    "asset_id": "1",
    "link_id": "1",
    "innovation_id": "1",
    "session_id": "1",
    "addition_id": "1",
    "fmt": "geojson",
    "round_id": "1",
    "option_id": "1",
    "assessment_id": "1",
    "snapshot_id": "1",
    "code": "E08000009",
    "area_code": "E08000009",
    "collection_id": "assets",
    "feature_id": "1",
    "format": "geojson",
    "revision": "1",
    "token_id": "1",
    "user_id": "1",
    "postcode": "M32 0JT",
    "subscription_id": "1",
    "category": "food-bank",
    "z": "0",
    "x": "0",
    "y": "0",
}


# The Open Referral UK feed's ids, of what each of its reads names.
_FEED_IDS = FeedIds(FeedSettings().directory)
SAMPLE_FEED_IDS = {
    f"/oruk/{name}/{{id}}": {"id": str(_FEED_IDS.make(entity, 1))}
    for name, entity in [
        ("services", Entity.SERVICE),
        ("service_at_locations", Entity.SERVICE_AT_LOCATION),
        ("organizations", Entity.ORGANIZATION),
        ("taxonomies", Entity.TAXONOMY),
        ("taxonomy_terms", Entity.CATEGORY_TERM),
    ]
}


# What routes that refuse a request without a body or a query (before they need the
# database) are sent.
SAMPLE_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/auth/token"): {"data": {"username": "ann@example.org", "password": "x"}},
    ("post", "/gaps/suggestions"): {"json": {"within": "E08000009", "k": 1}},
    ("post", "/gaps"): {
        "params": {"within": "E08000009", "threshold_minutes": 15},
        "files": {"costs": ("times.csv", b"origin,destination,minutes\nE01006074,1,5\n")},
    },
    ("get", "/network"): {"params": {"within": "E08000009"}},
    ("get", "/assessments"): {"params": {"area": "E08000009"}},
    ("post", "/sessions/{session_id}/join"): {
        "json": {"code": "K7QM4MZ2", "display_name": "Sam", "consent_to_network": True}
    },
    ("get", "/areas/{area_code}/changes"): {"params": {"since": "1"}},
    ("get", "/reminders/answer"): {"params": {"token": "x", "answer": "closed"}},
    ("post", "/reminders/answer"): {"json": {"token": "x", "answer": "still_there"}},
    ("put", "/reminders/periods/{category}"): {"json": {"review_after": "P3M"}},
    ("post", "/auth/reset"): {"json": {"token": "x", "password": "a long new password"}},
    ("post", "/auth/password"): {
        "json": {"current_password": "x", "new_password": "a long new password"}
    },
    ("post", "/people/users"): {"json": {"email": "a@b.org", "role": "contributor"}},
    ("post", "/authorities/{code}/categories"): {
        "json": {"slug": "seed-library", "name": "Seed library", "kind": "association"}
    },
}


def test_a_database_that_is_down_is_a_503_with_retry_after_on_every_route(
    base_url: str,
) -> None:
    nowhere = base_url.rsplit("@", 1)[0] + "@127.0.0.1:1/assetmap"
    app = create_app(DatabaseSettings(url=nowhere))
    asked = []

    with TestClient(app, raise_server_exceptions=False) as client:
        for path, operations in client.get("/openapi.json").json()["paths"].items():
            for method in operations:
                response = client.request(
                    method,
                    path.format(**SAMPLE_PATH_VALUES, **SAMPLE_FEED_IDS.get(path, {})),
                    headers={"Authorization": "Bearer x"},
                    **SAMPLE_BODIES.get((method, path), {}),
                )
                asked.append((method, path, response))

    assert len(asked) > 35
    for method, path, response in asked:
        if path in NO_DATABASE:
            assert response.status_code < 500, (method, path)
            continue
        assert response.status_code == 503, (method, path, response.text)
        assert int(response.headers["retry-after"]) >= 1
        if path != "/health":  # which answers in a shape of its own, for monitors
            assert response.headers["content-type"] == "application/problem+json"
        assert "Traceback" not in response.text


@pytest.fixture
def restartable_database(base_url: str) -> Iterator[str]:
    """A database of its own, whose connections this test may cut."""
    url = create_database(base_url, "assetmap_cut")
    command.upgrade(alembic_config(url), "head")
    yield url
    drop_database(url)


def test_a_connection_the_database_dropped_is_replaced_without_failing_a_request(
    restartable_database: str,
) -> None:
    with TestClient(create_app(DatabaseSettings(url=restartable_database))) as client:
        assert client.get("/assets").status_code == 200  # the pool now holds a connection
        admin = make_engine(restartable_database, pool_size=1)
        with admin.connect() as conn:
            cut = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
        admin.dispose()

        after = [client.get("/assets").status_code for _ in range(3)]

    assert cut >= 1
    assert after == [200, 200, 200]


def test_a_full_bound_is_a_fast_503_and_other_routes_carry_on(demo_client: TestClient) -> None:
    heavy = demo_client.app.state.heavy  # type: ignore[attr-defined]
    holding = [heavy.maps.slot() for _ in range(heavy.maps.limit)]
    for slot in holding:
        slot.__enter__()
    try:
        busy = demo_client.get("/maps/E08000009?layer=gaps&distance_m=1234")
        search = demo_client.get("/assets?limit=5")
    finally:
        for slot in holding:
            slot.__exit__(None, None, None)
    afterwards = demo_client.get("/maps/E08000009?layer=gaps&distance_m=1234")

    assert busy.status_code == 503
    assert busy.headers["content-type"] == "application/problem+json"
    assert int(busy.headers["retry-after"]) >= 1
    assert search.status_code == 200
    assert afterwards.status_code == 200


def test_an_export_is_built_once_per_version_of_the_data_and_then_not_modified(
    demo_client: TestClient,
) -> None:
    first = demo_client.get("/exports/assets.geojson?kind=institution")
    again = demo_client.get(
        "/exports/assets.geojson?kind=institution", headers={"If-None-Match": first.headers["etag"]}
    )
    demo_client.post(
        "/assets", json=asset_feature(*STRETFORD, name="New clinic", kind="institution")
    ).raise_for_status()
    changed = demo_client.get(
        "/exports/assets.geojson?kind=institution", headers={"If-None-Match": first.headers["etag"]}
    )

    assert first.status_code == 200
    assert again.status_code == 304
    assert changed.status_code == 200
    assert changed.headers["etag"] != first.headers["etag"]
    names = [f["properties"]["name"] for f in json.loads(changed.text)["features"]]
    assert "New clinic" in names
    assert len(names) == len(first.json()["features"]) + 1
