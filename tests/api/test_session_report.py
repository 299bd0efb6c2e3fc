"""What a scanning day in Partington leaves behind: its report (a page and JSON), everything
it added as GeoJSON and CSV, its part of the leaders' network, and `assetmap sessions`;
Priya, who did not agree to be named, is named in none of them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import asset_feature


def _as(person: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": person["Authorization"]}


@pytest.fixture
def day(demo_client: TestClient, room: dict[str, Any], demo_session: Session) -> dict[str, Any]:
    """The day's work: Sam and Priya each add an asset and an innovation they got going;
    the facilitator approves Sam's asset and both innovations, confirms the library is still
    there, flags the food bank as a leader to celebrate, and leaves Priya's asset waiting."""
    sam, priya = room["people"]["Sam"], room["people"]["Priya"]
    base = f"/sessions/{room['id']}"
    lon, lat = room["here"]
    knit = demo_client.post(
        f"{base}/assets", json=asset_feature(lon, lat, name="Knit and natter"), headers=_as(sam)
    ).json()
    shed = demo_client.post(
        f"{base}/assets",
        json=asset_feature(lon + 0.01, lat, name="Partington Men's Shed", kind="association"),
        headers=_as(priya),
    ).json()
    ideas = {}
    for who, name in ((sam, "Seed swaps"), (priya, "Tool library")):
        made = demo_client.post(
            f"{base}/innovations",
            json={
                "name": name,
                "areas": ["E01006108"],
                "levers": ["funding"],
                "leaders": [{"participant": who["id"]}],
            },
            headers=_as(who),
        )
        assert made.status_code == 202, made.text
        ideas[name] = made.json()
    for addition in (knit["addition"], *(idea["addition"] for idea in ideas.values())):
        demo_client.post(
            f"{base}/additions/{addition}/approve", headers=room["facilitator"]
        ).raise_for_status()
    library = demo_client.get("/assets?category=library&limit=1").json()["features"][0]
    food_bank = demo_client.get("/assets?category=food-bank&limit=1").json()["features"][0]
    demo_client.post(f"{base}/confirm/{library['id']}", headers=room["facilitator"])
    demo_client.post(
        f"{base}/leaders",
        json={"asset": food_bank["id"], "note": "fed 300 families this winter"},
        headers=room["facilitator"],
    ).raise_for_status()
    point = demo_session.execute(
        text("SELECT ST_X(public_geom), ST_Y(public_geom) FROM asset WHERE id = :id"),
        {"id": knit["asset_id"]},
    ).one()
    return {
        "base": base,
        "knit": knit,
        "knit_point": tuple(point),
        "shed": shed,
        "library": library["properties"]["name"],
        "food_bank": food_bank["properties"]["name"],
    }


def test_the_report_tells_anyone_what_the_day_found_and_counts_what_waits(
    demo_client: TestClient, room: dict[str, Any], day: dict[str, Any]
) -> None:
    report = demo_client.anonymous.get(f"{day['base']}/report?f=json").json()

    new = {asset["name"]: asset for asset in report["found"]["new"]}
    assert list(new) == ["Knit and natter"]  # Priya's shed waits: counted, not shown
    assert new["Knit and natter"]["added_by"] == "Sam"
    assert (new["Knit and natter"]["lon"], new["Knit and natter"]["lat"]) == pytest.approx(
        day["knit_point"]
    )
    assert [asset["name"] for asset in report["found"]["confirmed"]] == [day["library"]]
    assert report["found"]["by_kind"] == {"association": 1, "institution": 1}
    innovations = {i["name"]: i for i in report["innovations"]}
    assert [leader["participant"] for leader in innovations["Seed swaps"]["leaders"]] == [
        {"id": room["people"]["Sam"]["id"], "display_name": "Sam"}
    ]
    assert innovations["Tool library"]["leaders"] == []
    assert innovations["Tool library"]["leaders_not_shown"] == 1
    assert report["leaders"][0]["name"] == day["food_bank"]
    assert report["leaders"][0]["note"] == "fed 300 families this winter"
    assert report["waiting"] == {"count": 1, "by_type": {"asset": 1}, "items": []}
    assert report["network"]["named"] == ["Sam"]
    assert report["network"]["people_not_shown"] == 1
    assert "Priya" not in json.dumps(report)


def test_the_room_and_its_facilitators_see_what_waits_too(
    demo_client: TestClient, room: dict[str, Any], day: dict[str, Any]
) -> None:
    for reader in (room["facilitator"], _as(room["people"]["Sam"])):
        report = demo_client.get(f"{day['base']}/report?f=json", headers=reader).json()

        waiting = report["waiting"]["items"]
        assert [(item["name"], item["added_by"]) for item in waiting] == [
            ("Partington Men's Shed", "someone in the room")
        ]
        assert "Priya" not in json.dumps(report)


def test_the_report_page_is_one_to_print_with_its_downloads(
    demo_client: TestClient, day: dict[str, Any]
) -> None:
    page = demo_client.anonymous.get(f"{day['base']}/report")

    assert page.headers["content-type"].startswith("text/html")
    body = page.text
    for shown in ("Partington scanning day", "Knit and natter", "Seed swaps", day["library"]):
        assert shown in body
    assert "fed 300 families this winter" in body
    assert f'href="{day["base"]}/additions.geojson"' in body
    assert "1 more person is in it without being named" in body
    assert "Priya" not in body and "Men&#39;s Shed" not in body
    assert "<script>" not in body  # its script comes from the app: the policy allows no other


def test_a_title_is_text_on_the_page(demo_client: TestClient, room: dict[str, Any]) -> None:
    opened = demo_client.post(
        "/sessions",
        json={
            "area": "E08000009",
            "title": "<img src=x onerror=alert(1)>",
            "held_on": "2026-12-05",
        },
        headers=room["facilitator"],
    ).json()

    body = demo_client.anonymous.get(f"/sessions/{opened['id']}/report").text

    assert "<img src=x" not in body and "&lt;img src=x onerror=alert(1)&gt;" in body


def test_everything_added_downloads_as_geojson_and_csv(
    demo_client: TestClient, room: dict[str, Any], day: dict[str, Any], tmp_path: Path
) -> None:
    public = demo_client.anonymous.get(f"{day['base']}/additions.geojson")
    (tmp_path / "added.geojson").write_bytes(public.content)
    read = gpd.read_file(tmp_path / "added.geojson")  # GDAL reads it
    rows = list(
        csv.DictReader(
            io.StringIO(
                demo_client.get(f"{day['base']}/additions.csv", headers=room["facilitator"]).text
            )
        )
    )

    assert public.headers["content-type"] == "application/geo+json"
    assert "attachment" in public.headers["content-disposition"]
    assert len(read) == 4  # two assets, two innovations
    placed = read[read.geometry.notna()]
    assert list(placed["name"]) == ["Knit and natter"]
    assert (placed.geometry.x.iloc[0], placed.geometry.y.iloc[0]) == pytest.approx(
        day["knit_point"]
    )
    assert "Men's Shed" not in public.text and "Priya" not in public.text
    assert [(row["type"], row["name"], row["status"]) for row in rows] == [
        ("asset", "Knit and natter", "published"),
        ("asset", "Partington Men's Shed", "pending"),
        ("innovation", "Seed swaps", "published"),
        ("innovation", "Tool library", "published"),
    ]
    assert {row["added_by"] for row in rows} == {"Sam", "someone in the room"}


def test_the_network_shows_one_sessions_part(
    demo_client: TestClient, room: dict[str, Any], day: dict[str, Any]
) -> None:
    part = demo_client.get(f"/network?session={room['id']}").json()
    whole = demo_client.get("/network?within=E08000009").json()

    labels = {node["id"]: node["label"] for node in part["nodes"]}
    edges = {(labels[e["source"]], e["type"], labels[e["target"]]) for e in part["edges"]}
    assert part["session"] == room["id"] and part["within"] == "E08000009"
    assert ("Sam", "got_going", "Seed swaps") in edges
    assert ("Sam", "added", "Knit and natter") in edges
    assert "Tool library" in labels.values()  # Priya's, with her counted, not named
    assert "Priya" not in json.dumps(part) and part["people_not_shown"] >= 1
    assert set(labels) <= {node["id"] for node in whole["nodes"]}
    assert demo_client.get("/network?session=999999").status_code == 404
    missing = demo_client.get("/network")
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "within"
