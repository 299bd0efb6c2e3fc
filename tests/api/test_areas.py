"""Partnerships read their neighbourhoods: real Trafford LSOAs with their population."""

from __future__ import annotations

import csv

from fastapi.testclient import TestClient
from shapely.geometry import shape
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import asset_feature, data_path, load_trafford_lsoas


def _population() -> dict[str, int]:
    with data_path("population2019_lsoa2011.csv").open() as file:
        return {row["lsoa"]: int(row["pop"]) for row in csv.DictReader(file)}


def test_list_areas_a_page_at_a_time(client: TestClient, session: Session) -> None:
    stored = load_trafford_lsoas(session)

    codes: list[str] = []
    url: str | None = "/areas?level=lsoa&limit=50"
    while url is not None:
        body = client.get(url).json()
        codes += [feature["properties"]["code"] for feature in body["features"]]
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)

    assert sorted(codes) == sorted(stored)
    assert len(codes) == 138
    assert client.get("/areas?level=ward").json()["features"] == []


def test_an_area_carries_its_published_population(client: TestClient, session: Session) -> None:
    load_trafford_lsoas(session, ["E01006108"])

    feature = client.get("/areas/E01006108").json()

    assert feature["id"] == "E01006108"
    assert feature["properties"]["level"] == "lsoa"
    assert feature["properties"]["population"] == _population()["E01006108"]
    assert shape(feature["geometry"]).is_valid


def test_areas_filtered_by_parent(client: TestClient, session: Session) -> None:
    load_trafford_lsoas(session, ["E01006108", "E01006109"])
    session.execute(
        text(
            "INSERT INTO area (code, name, level, geom) SELECT 'E05000820', 'Bucklow-St Martins',"
            " 'ward', ST_Multi(ST_Union(geom)) FROM area WHERE code = 'E01006108'"
        )
    )
    session.execute(text("UPDATE area SET parent_code = 'E05000820' WHERE code = 'E01006108'"))

    codes = [f["id"] for f in client.get("/areas?parent=E05000820").json()["features"]]

    assert codes == ["E01006108"]


def test_assets_of_an_area_are_those_inside_its_polygon(
    client: TestClient, session: Session
) -> None:
    stored = load_trafford_lsoas(session, ["E01006108", "E01006187"])
    inside_point = shape(stored["E01006108"]["geometry"]).representative_point()
    other_point = shape(stored["E01006187"]["geometry"]).representative_point()
    inside = client.post("/assets", json=asset_feature(inside_point.x, inside_point.y)).json()
    client.post("/assets", json=asset_feature(other_point.x, other_point.y))

    body = client.get("/areas/E01006108/assets").json()

    assert [feature["id"] for feature in body["features"]] == [inside["id"]]


def test_taxonomy_and_outcomes(client: TestClient) -> None:
    kinds = client.get("/taxonomy").json()["kinds"]

    assert [k["kind"] for k in kinds] == [
        "individual",
        "association",
        "institution",
        "physical",
        "economic",
        "cultural",
    ]
    institution = next(k for k in kinds if k["kind"] == "institution")
    health = next(c for c in institution["categories"] if c["slug"] == "health")
    assert "gp-practice" in [c["slug"] for c in health["children"]]
    every_slug = set()

    def walk(nodes: list[dict[str, object]]) -> None:
        for node in nodes:
            every_slug.add(node["slug"])
            walk(node["children"])  # type: ignore[arg-type]

    for kind in kinds:
        walk(kind["categories"])
    assert {
        "gp-practice",
        "library",
        "food-bank",
        "care-home",
        "childrens-centre",
        "place-of-worship",
        "post-office",
        "pharmacy",
        "school",
        "sports-club",
        "charity",
    } <= every_slug
    outcomes = [o["slug"] for o in client.get("/outcomes").json()]
    assert "health-wellbeing" in outcomes and "social-connection" in outcomes
