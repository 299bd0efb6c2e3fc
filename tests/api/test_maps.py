"""The locality map's HTML shows what the public may see, and greys out what no one has
confirmed for a year."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import LineString, shape
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import asset_feature, load_trafford_lsoas

LSOA = "E01006108"


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

    assert "Hidden Harriet" not in page
    assert "Open Olu" in page
    assert "Larkspur" not in page and "07700 955123" not in page
    label = session.execute(
        text("SELECT ST_X(label_point), ST_Y(label_point) FROM area WHERE code = :code"),
        {"code": LSOA},
    ).one()
    markers = [
        (float(lon), float(lat))
        for lat, lon in re.findall(r"L\.marker\(\s*\[([-\d.]+), ([-\d.]+)\]", page)
    ]
    # one marker, at the neighbourhood's point, not at the home
    assert len(markers) == 1
    assert markers[0] == pytest.approx(tuple(label), abs=1e-6)
    assert markers[0] != pytest.approx((home.x, home.y), abs=1e-4)


def test_assets_not_confirmed_for_a_year_are_greyed_out(
    client: TestClient, session: Session
) -> None:
    area = shape(load_trafford_lsoas(session, [LSOA])[LSOA]["geometry"])
    point = area.representative_point()
    for name in ("Fresh food bank", "Forgotten food bank"):
        client.post("/assets", json=asset_feature(point.x, point.y, name=name)).raise_for_status()
    session.execute(
        text(
            "UPDATE asset SET created_at = now() - interval '2 years' "
            "WHERE name = 'Forgotten food bank'"
        )
    )

    page = client.anonymous.get(f"/maps/{LSOA}").text

    assert "Forgotten food bank (not confirmed for over a year)" in page
    assert "Fresh food bank (not confirmed" not in page
    assert page.count('class=\\"asset-dot stale\\"') + page.count('class="asset-dot stale"') == 1
