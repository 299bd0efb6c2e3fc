"""OGC API - Features as an analyst's client reads it: the landing page, the collections in
British National Grid as well as CRS84, paging by key, time and property filters."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from pyproj import Transformer

from app.settings import ApiSettings
from tests.conftest import asset_feature

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
BNG = "http://www.opengis.net/def/crs/EPSG/0/27700"
ITEMS = "/ogc/collections/{}/items"


def _json(client: TestClient, url: str, **params: Any) -> dict[str, Any]:
    response = client.get(url, params=params) if params else client.get(url)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_landing_page_leads_to_the_api_conformance_and_data(demo_client: TestClient) -> None:
    landing = _json(demo_client, "/ogc")
    rels = {link["rel"]: link for link in landing["links"]}

    assert {"self", "service-desc", "service-doc", "conformance", "data"} <= set(rels)
    assert all("type" in link for link in landing["links"])
    conformance = _json(demo_client, "/ogc/conformance")["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conformance
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conformance
    assert demo_client.get(rels["service-desc"]["href"]).status_code == 200


def test_collections_say_their_crs_extent_and_links(demo_client: TestClient) -> None:
    listed = _json(demo_client, "/ogc/collections")["collections"]

    assert [c["id"] for c in listed] == ["assets", "areas"]
    for described in listed:
        assert "." not in described["id"]
        assert described["crs"] == [CRS84, BNG] and described["storageCrs"] == CRS84
        minx, miny, maxx, maxy = described["extent"]["spatial"]["bbox"][0]
        assert -2.6 < minx < maxx < -2.1 and 53.3 < miny < maxy < 53.5  # Trafford
        assert all("type" in link for link in described["links"])
        assert _json(demo_client, f"/ogc/collections/{described['id']}") == described


def test_items_in_british_national_grid_match_pyproj_to_a_centimetre(
    demo_client: TestClient,
) -> None:
    lonlat = demo_client.get(ITEMS.format("assets") + "?limit=50")
    grid = demo_client.get(ITEMS.format("assets") + f"?limit=50&crs={BNG}")

    assert lonlat.headers["content-crs"] == f"<{CRS84}>"
    assert grid.headers["content-crs"] == f"<{BNG}>"
    to_bng = Transformer.from_crs(4326, 27700, always_xy=True)
    pairs = zip(lonlat.json()["features"], grid.json()["features"], strict=True)
    for degrees, metres in pairs:
        assert degrees["id"] == metres["id"]
        assert "crs" not in metres["geometry"]
        x, y = to_bng.transform(*degrees["geometry"]["coordinates"])
        assert metres["geometry"]["coordinates"] == pytest.approx([x, y], abs=0.01)


def test_an_area_in_british_national_grid(demo_client: TestClient) -> None:
    area = _json(demo_client, ITEMS.format("areas") + f"/E01006145?crs={BNG}")
    x, y = area["geometry"]["coordinates"][0][0][0]
    assert 370_000 < x < 385_000 and 385_000 < y < 400_000  # Trafford in metres


def test_a_bbox_in_british_national_grid_finds_what_the_lonlat_one_does(
    demo_client: TestClient,
) -> None:
    to_bng = Transformer.from_crs(4326, 27700, always_xy=True)
    # a box drawn in BNG, and the lon/lat points inside it, checked with pyproj
    box = (376_000.0, 394_000.0, 380_000.0, 397_000.0)
    every = _json(demo_client, ITEMS.format("assets") + "?limit=10000")["features"]
    expected = {
        f["id"]
        for f in every
        if box[0] <= to_bng.transform(*f["geometry"]["coordinates"])[0] <= box[2]
        and box[1] <= to_bng.transform(*f["geometry"]["coordinates"])[1] <= box[3]
    }

    found = _json(
        demo_client,
        ITEMS.format("assets") + f"?limit=10000&bbox={','.join(map(str, box))}&bbox-crs={BNG}",
    )["features"]

    assert expected and {f["id"] for f in found} == expected


def test_pages_follow_by_key_and_count_only_when_free(demo_client: TestClient) -> None:
    first = _json(demo_client, ITEMS.format("assets") + "?limit=100")
    assert first["numberReturned"] == 100 and "numberMatched" not in first
    ids = [f["id"] for f in first["features"]]
    url = next(link["href"] for link in first["links"] if link["rel"] == "next")
    while url:
        page = _json(demo_client, url)
        ids += [f["id"] for f in page["features"]]
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), "")
    assert ids == sorted(set(ids))

    whole = _json(demo_client, ITEMS.format("assets") + "?limit=10000")
    assert whole["numberMatched"] == whole["numberReturned"] == len(ids)


# the app of `demo_client` with these settings, in place of the `api_settings` fixture's
@pytest.mark.parametrize("api_settings", [ApiSettings(page_max=50)], ids=["page_max=50"])
@pytest.mark.parametrize("collection_id", ["assets", "areas"])
def test_a_limit_over_the_maximum_is_clamped(demo_client: TestClient, collection_id: str) -> None:
    # the demo holds more of each: 527 published assets, 160 areas
    first = _json(demo_client, ITEMS.format(collection_id) + "?limit=99999999")

    assert first["numberReturned"] == len(first["features"]) == 50
    assert "numberMatched" not in first
    following = next(link["href"] for link in first["links"] if link["rel"] == "next")
    second = _json(demo_client, following)
    assert second["numberReturned"] == 50
    assert len({f["id"] for f in first["features"] + second["features"]}) == 100


def test_property_and_time_filters(demo_client: TestClient) -> None:
    gps = _json(demo_client, ITEMS.format("assets") + "?category=gp-practice&limit=1000")
    assert len(gps["features"]) == 26
    assert {f["properties"]["category"] for f in gps["features"]} == {"gp-practice"}

    created = demo_client.post("/assets", json=asset_feature(-2.3, 53.45, name="New club"))
    assert created.status_code == 201
    since = created.json()["properties"]["updated_at"]
    recent = _json(demo_client, ITEMS.format("assets"), datetime=f"{since}/..")
    assert [f["properties"]["name"] for f in recent["features"]] == ["New club"]
    before = _json(demo_client, ITEMS.format("assets"), datetime=f"../{since}", limit=10000)
    assert len(before["features"]) == 527 + 1  # the demo's published assets, and the club

    wards = _json(demo_client, ITEMS.format("areas") + "?level=ward&limit=100")
    assert len(wards["features"]) == 21


@pytest.mark.parametrize(
    ("url", "status", "field"),
    [
        ("/ogc/collections/asset", 404, None),
        ("/ogc/collections/public.asset/items", 404, None),
        (ITEMS.format("assets") + "?crs=EPSG:4326", 400, "crs"),
        (ITEMS.format("assets") + "?crs=http://www.opengis.net/def/crs/EPSG/0/3857", 400, "crs"),
        (ITEMS.format("assets") + "?bbox=1,2,3", 400, "bbox"),
        (ITEMS.format("assets") + "?bbox=-2,54,-3,53", 400, "bbox"),
        (ITEMS.format("assets") + "?bbox=0,0,1,1&bbox-crs=EPSG:9999", 400, "bbox-crs"),
        (ITEMS.format("assets") + "?datetime=yesterday", 400, "datetime"),
        (ITEMS.format("assets") + "?datetime=2030-01-01/2020-01-01", 400, "datetime"),
        (ITEMS.format("assets") + "?level=lsoa", 400, "level"),
        (ITEMS.format("areas") + "?kind=institution", 400, "kind"),
        (ITEMS.format("assets") + "?after=not-a-cursor", 422, "after"),
        (ITEMS.format("assets") + "/999999999", 404, None),
        (ITEMS.format("assets") + "/abc", 404, None),
        (ITEMS.format("areas") + "/E00000000", 404, None),
    ],
)
def test_bad_requests_say_what_is_wrong(
    demo_client: TestClient, url: str, status: int, field: str | None
) -> None:
    response = demo_client.get(url)

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if field is not None:
        assert field in [error["field"] for error in response.json()["errors"]]
