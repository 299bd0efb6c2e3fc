"""Finding assets: by box, near a point, by kind, category, outcome, text and date; paging."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from pyproj import Geod
from sqlalchemy import Connection, text

from app.settings import ApiSettings
from tests.conftest import asset_feature

GEOD = Geod(ellps="WGS84")
# Sale town centre.
SALE = (-2.3180, 53.4240)


def _add(client: TestClient, lon: float, lat: float, **props: object) -> int:
    response = client.post("/assets", json=asset_feature(lon, lat, **props))
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _ids(client: TestClient, url: str) -> list[int]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return [feature["id"] for feature in response.json()["features"]]


def test_search_by_bounding_box(client: TestClient) -> None:
    inside = _add(client, -2.30, 53.45)
    _add(client, -2.20, 53.45)

    assert _ids(client, "/assets?bbox=-2.35,53.40,-2.25,53.50") == [inside]


def test_search_by_kind_category_and_outcome(client: TestClient) -> None:
    gp = _add(
        client, *SALE, kind="institution", category="gp-practice", outcomes=["health-wellbeing"]
    )
    pharmacy = _add(
        client, *SALE, kind="institution", category="pharmacy", outcomes=["health-wellbeing"]
    )
    library = _add(
        client, *SALE, kind="institution", category="library", outcomes=["learning-skills"]
    )
    club = _add(client, *SALE, kind="association", category="sports-club")

    assert _ids(client, "/assets?kind=association") == [club]
    assert _ids(client, "/assets?category=gp-practice") == [gp]
    # a category includes everything under it
    assert _ids(client, "/assets?category=health") == [gp, pharmacy]
    assert _ids(client, "/assets?outcome=learning-skills") == [library]
    assert _ids(client, "/assets?kind=institution&outcome=health-wellbeing") == [gp, pharmacy]


def test_text_search_on_name_and_description(client: TestClient) -> None:
    choir = _add(client, *SALE, name="Sale Community Choir", description="Singing on Thursdays")
    knit = _add(client, *SALE, name="Knit and natter", description="Bring your own wool")

    assert _ids(client, "/assets?q=choir") == [choir]
    assert _ids(client, "/assets?q=sing") == [choir]  # words are stemmed: singing -> sing
    assert _ids(client, "/assets?q=swimming") == []
    assert _ids(client, "/assets?q=singing") == [choir]
    assert _ids(client, "/assets?q=wool") == [knit]
    assert _ids(client, "/assets?q=natt") == [knit]  # part of a name
    assert _ids(client, "/assets?q=100%25") == []  # wildcards are literal


def test_updated_since(client: TestClient, connection: Connection) -> None:
    _add(client, *SALE, name="Untouched entry")
    old = _add(client, *SALE, name="Old entry")
    # The database's clock, which stamps `updated_at`, read between the writes.
    since = connection.scalar(text("SELECT clock_timestamp()"))
    renamed = client.patch(f"/assets/{old}", json={"properties": {"name": "Old entry, renamed"}})
    assert renamed.status_code == 200, renamed.text
    fresh = _add(client, *SALE, name="New entry")

    ids = _ids(client, "/assets?" + urlencode({"updated_since": since.isoformat()}))

    assert ids == [old, fresh]


def test_near_orders_by_true_distance_in_metres(client: TestClient) -> None:
    # Assets on a rough spiral around Sale at known bearings and distances.
    placed = {}
    for distance, bearing in [
        (900, 10),
        (150, 200),
        (2400, 95),
        (600, 300),
        (1500, 45),
        (3100, 260),
        (4900, 135),
    ]:
        lon, lat, _ = GEOD.fwd(*SALE, bearing, distance)
        placed[_add(client, lon, lat, name=f"{distance} m away")] = distance
    _add(client, *GEOD.fwd(*SALE, 0, 7000)[:2], name="too far")

    response = client.get(f"/assets?near={SALE[0]},{SALE[1]}&within_m=5000")

    features = response.json()["features"]
    expected = sorted(placed, key=placed.__getitem__)
    assert [feature["id"] for feature in features] == expected
    for feature in features:
        lon, lat = feature["geometry"]["coordinates"]
        true_distance = GEOD.inv(*SALE, lon, lat)[2]
        assert abs(feature["properties"]["distance_m"] - true_distance) < 0.01


def test_keyset_paging_visits_every_asset_once(client: TestClient) -> None:
    created = [_add(client, -2.30 + i * 0.001, 53.45, name=f"Asset {i}") for i in range(23)]

    seen: list[int] = []
    url: str | None = "/assets?limit=10"
    pages = 0
    while url is not None:
        body = client.get(url).json()
        seen += [feature["id"] for feature in body["features"]]
        assert body["numberReturned"] == len(body["features"])
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
        pages += 1

    assert pages == 3
    assert seen == created


def test_paging_near_a_point_keeps_the_distance_order(client: TestClient) -> None:
    for i in range(12):
        _add(client, *GEOD.fwd(*SALE, 30 * i, 100 + 50 * i)[:2], name=f"Ring {i}")

    distances: list[float] = []
    url: str | None = f"/assets?near={SALE[0]},{SALE[1]}&within_m=2000&limit=5"
    while url is not None:
        body = client.get(url).json()
        distances += [feature["properties"]["distance_m"] for feature in body["features"]]
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)

    assert len(distances) == 12
    assert distances == sorted(distances)


# the app of `client` with these settings, in place of the `api_settings` fixture's
@pytest.mark.parametrize("api_settings", [ApiSettings(page_max=5)], ids=["page_max=5"])
def test_a_limit_over_the_maximum_is_clamped(client: TestClient) -> None:
    created = [_add(client, -2.30 + i * 0.001, 53.45, name=f"Asset {i}") for i in range(7)]

    response = client.get("/assets?limit=1000000")

    assert response.status_code == 200
    body = response.json()
    assert body["numberReturned"] == 5
    assert [feature["id"] for feature in body["features"]] == created[:5]
    rest = next(link["href"] for link in body["links"] if link["rel"] == "next")
    assert _ids(client, rest) == created[5:]
