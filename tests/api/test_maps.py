"""The locality map's page holds the neighbourhoods, not the assets: it reads them from the
area's export, which shows what the public may see. (That the page puts every one of them
on the map, and greys out the stale ones, is tests/browser/test_locality_map.py's.)"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import LineString, shape
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import asset_feature, load_trafford_lsoas

LSOA = "E01006108"


def assets_url(page: str) -> str:
    """The URL the map's script reads its assets from."""
    found = re.search(r'assetmapLoadAssets\(\w+, ("[^"]*")', page)
    assert found is not None, "the page loads no assets"
    url: str = json.loads(found.group(1))
    return url


def test_the_locality_map_keeps_people_private(client: TestClient, session: Session) -> None:
    area = shape(load_trafford_lsoas(session, [LSOA])[LSOA]["geometry"])
    # a home inside the neighbourhood, away from its representative point
    inner = area.geoms[0] if hasattr(area, "geoms") else area
    towards_edge = LineString([area.representative_point(), inner.exterior.coords[0]])
    home = towards_edge.interpolate(0.5, normalized=True)
    assert area.contains(home)
    person = {
        "kind": "individual",
        "category": "skill",
        "address": "4 Larkspur Terrace",
        "contact": {"phone": "07700 955123"},
    }
    client.post(
        "/assets", json=asset_feature(home.x, home.y, name="Hidden Harriet's harp", **person)
    ).raise_for_status()
    client.post(
        "/assets",
        json=asset_feature(
            home.x, home.y, name="Open Olu's oud", consent={"publish": True}, **person
        ),
    ).raise_for_status()

    page = client.anonymous.get(f"/maps/{LSOA}").text
    shown = client.anonymous.get(assets_url(page)).json()["features"]

    for hidden in ("Hidden Harriet", "Open Olu", "Larkspur", "07700 955123"):
        assert hidden not in page
    assert [found["properties"]["name"] for found in shown] == ["Open Olu's oud"]
    assert shown[0]["properties"]["address"] is None
    assert shown[0]["properties"]["contact"] is None
    label = session.execute(
        text("SELECT ST_X(label_point), ST_Y(label_point) FROM area WHERE code = :code"),
        {"code": LSOA},
    ).one()
    # at the neighbourhood's point, not at the home
    assert shown[0]["geometry"]["coordinates"] == pytest.approx(tuple(label), abs=1e-6)
    assert shown[0]["geometry"]["coordinates"] != pytest.approx((home.x, home.y), abs=1e-4)


def test_the_map_reads_the_assets_its_filters_ask_for(demo_client: TestClient) -> None:
    page = demo_client.get("/maps/E08000009?category=gp-practice").text
    url = assets_url(page)

    assert urlsplit(url).path == "/exports/assets.geojson"
    assert parse_qs(urlsplit(url).query) == {"within": ["E08000009"], "category": ["gp-practice"]}
    gps = demo_client.get(url).json()["features"]
    inside = demo_client.get(
        "/areas/E08000009/assets", params={"category": "gp-practice", "limit": 1000}
    ).json()["features"]
    assert sorted(g["id"] for g in gps) == sorted(g["id"] for g in inside)
    assert len(gps) > 20


def test_a_map_page_stays_small_however_many_assets_there_are(
    demo_client: TestClient, demo_session: Session
) -> None:
    before = len(demo_client.get("/maps/E08000009").content)
    demo_session.execute(
        text(
            "INSERT INTO asset (name, kind, geom) SELECT 'Street library ' || n, 'physical', "
            "ST_SetSRID(ST_MakePoint(-2.35 + n * 1e-5, 53.43), 4326) "
            "FROM generate_series(1, 5000) AS n"
        )
    )

    after = demo_client.get("/maps/E08000009")

    assert after.status_code == 200
    assert "Street library" not in after.text
    assert abs(len(after.content) - before) < 2_000
