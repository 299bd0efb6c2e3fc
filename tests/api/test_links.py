"""Who co-produces what: a knitting group meets at the library, a trust funds the food bank,
and a person runs the repair cafe; each link seen only by those who may see both its ends.

Two real Trafford LSOAs: the moderator looks after `INSIDE`, not `OUTSIDE`.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pyogrio
import pytest
from fastapi.testclient import TestClient
from shapely.geometry import shape
from sqlalchemy.orm import Session

from tests.conftest import asset_feature, bearer, load_trafford_lsoas

INSIDE, OUTSIDE = "E01006108", "E01006187"


@pytest.fixture
def place(session: Session) -> tuple[float, float]:
    stored = load_trafford_lsoas(session, [INSIDE, OUTSIDE])
    point = shape(stored[INSIDE]["geometry"]).representative_point()
    return point.x, point.y


@pytest.fixture
def people(session: Session) -> dict[str, dict[str, str]]:
    return {
        "moderator": bearer(session, "mo@example.org", "moderator", (INSIDE,)),
        "ann": bearer(session, "ann@example.org", "contributor"),
        "bob": bearer(session, "bob@example.org", "contributor"),
    }


def _add(client: TestClient, place: tuple[float, float], who: dict[str, str], **props: Any) -> int:
    lon, lat = place
    response = client.post("/assets", json=asset_feature(lon, lat, **props), headers=who)
    assert response.status_code == 201, response.text
    asset_id: int = response.json()["id"]
    return asset_id


def _link(client: TestClient, who: dict[str, str], start: int, kind: str, end: int) -> Any:
    return client.post(f"/assets/{start}/links", json={"type": kind, "to": end}, headers=who)


def test_a_moderator_links_a_group_to_where_it_meets_and_anyone_reads_it_both_ways(
    client: TestClient, place: tuple[float, float], people: dict[str, Any]
) -> None:
    knitters = _add(client, place, people["moderator"], name="Stretford Knitters")
    library = _add(client, place, people["moderator"], name="Stretford Library", kind="institution")

    made = _link(client, people["moderator"], knitters, "meets_at", library)

    assert made.status_code == 201, made.text
    assert made.json()["status"] == "published"
    from_group = client.anonymous.get(f"/assets/{knitters}/links").json()
    from_library = client.anonymous.get(f"/assets/{library}/links").json()
    assert [(link["type"], link["to"]["name"]) for link in from_group["links"]] == [
        ("meets_at", "Stretford Library")
    ]
    assert [link["from"]["name"] for link in from_library["links"]] == ["Stretford Knitters"]
    assert from_group["links"][0]["created_by"] is None  # the public is not told who
    words = {t["type"]: t for t in client.get("/taxonomy").json()["link_types"]}
    assert (words["meets_at"]["label"], words["meets_at"]["inverse"]) == ("meets at", "hosts")


def test_a_contributors_link_waits_for_a_moderator(
    client: TestClient, place: tuple[float, float], people: dict[str, Any]
) -> None:
    trust = _add(client, place, people["moderator"], name="Sale Community Trust")
    food_bank = _add(client, place, people["moderator"], name="Sale Food Bank")

    made = _link(client, people["ann"], trust, "funds", food_bank)
    before = client.anonymous.get(f"/assets/{trust}/links").json()
    queue = client.get("/moderation/queue", headers=people["moderator"]).json()
    link_id = made.json()["link"]["id"]
    approved = client.post(f"/moderation/links/{link_id}/approve", headers=people["moderator"])
    after = client.anonymous.get(f"/assets/{trust}/links").json()

    assert made.status_code == 202
    assert made.json()["link"]["status"] == "pending"
    assert (before["links"], before["hidden"]) == ([], 1)
    assert [link["id"] for link in queue["links"]] == [link_id]
    assert approved.status_code == 200 and approved.json()["status"] == "published"
    assert [link["id"] for link in after["links"]] == [link_id]


def test_a_person_without_consent_is_nobodys_end_for_the_public(
    client: TestClient, place: tuple[float, float], people: dict[str, Any]
) -> None:
    cafe = _add(client, place, people["moderator"], name="Repair cafe", kind="physical")
    person = {"kind": "individual", "category": "skill", "contact": {"phone": "07700 900555"}}
    hidden = _add(client, place, people["moderator"], name="Hidden Hal fixes radios", **person)
    shown = _add(
        client,
        place,
        people["moderator"],
        name="Open Olu fixes bikes",
        consent={"publish": True},
        address="1 Home Street",
        **person,
    )
    for who in (hidden, shown):
        assert _link(client, people["moderator"], who, "runs", cafe).status_code == 201

    public = client.anonymous.get(f"/assets/{cafe}/links").json()
    steward = client.get(f"/assets/{cafe}/links", headers=people["moderator"]).json()
    text = json.dumps(public)

    assert [link["from"]["name"] for link in public["links"]] == ["Open Olu fixes bikes"]
    assert public["hidden"] == 1
    assert "Hidden Hal" not in text and "07700 900555" not in text and "Home Street" not in text
    assert set(public["links"][0]["from"]) == {"id", "name", "kind", "category"}
    assert len(steward["links"]) == 2 and steward["hidden"] == 0
    assert client.anonymous.get(f"/assets/{hidden}/links").status_code == 404


def test_links_that_cannot_be_are_refused_naming_the_field(
    client: TestClient, place: tuple[float, float], people: dict[str, Any], session: Session
) -> None:
    group = _add(client, place, people["moderator"], name="Choir")
    hall = _add(client, place, people["moderator"], name="Hall", kind="physical")
    # ann's own draft, which bob may not see
    drafted = client.post(
        "/assets",
        json=asset_feature(*place, name="Ann's idea", status="draft"),
        headers=people["ann"],
    ).json()["id"]
    assert _link(client, people["moderator"], group, "meets_at", hall).status_code == 201

    for start, body, status, field in [
        (group, {"type": "meets_at", "to": group}, 422, "to"),
        (group, {"type": "likes", "to": hall}, 422, "type"),
        (group, {"type": "meets_at", "to": drafted}, 404, "to"),
        (group, {"type": "meets_at", "to": hall}, 409, "to"),
        (group, {"type": "meets_at"}, 422, "to"),
    ]:
        response = client.post(f"/assets/{start}/links", json=body, headers=people["bob"])
        assert response.status_code == status, (body, response.text)
        assert field in [e["field"] for e in response.json()["errors"]], response.text
    assert (
        client.anonymous.post(
            f"/assets/{group}/links", json={"type": "runs", "to": hall}
        ).status_code
        == 401
    )


def test_a_link_is_removed_by_a_moderator_and_stays_in_the_history(
    client: TestClient, place: tuple[float, float], people: dict[str, Any]
) -> None:
    group = _add(client, place, people["moderator"], name="Youth club")
    hall = _add(client, place, people["moderator"], name="Scout hut", kind="physical")
    link_id = _link(client, people["moderator"], group, "meets_at", hall).json()["id"]

    refused = client.delete(f"/assets/{group}/links/{link_id}", headers=people["bob"])
    removed = client.delete(f"/assets/{hall}/links/{link_id}", headers=people["moderator"])
    history = client.get(f"/assets/{group}/history", headers=people["moderator"]).json()

    assert refused.status_code == 403
    assert removed.status_code == 204
    assert client.anonymous.get(f"/assets/{group}/links").json()["links"] == []
    actions = [entry["action"] for entry in history]
    assert actions == ["create", "link", "link removed"]
    assert history[1]["after"]["link"] == {
        "id": link_id,
        "type": "meets_at",
        "from": group,
        "to": hall,
        "status": "published",
    }
    assert history[2]["changed_by"] == "mo@example.org"


def test_links_are_exported_beside_the_assets(
    client: TestClient, place: tuple[float, float], people: dict[str, Any], tmp_path: Any
) -> None:
    group = _add(client, place, people["moderator"], name="Allotment society")
    garden = _add(client, place, people["moderator"], name="Allotments", kind="physical")
    other = (place[0] + 0.001, place[1])
    shed = _add(client, other, people["moderator"], name="Tool shed", kind="physical")
    for end in (garden, shed):
        assert _link(client, people["moderator"], group, "runs", end).status_code == 201

    rows = list(csv.DictReader(io.StringIO(client.anonymous.get("/exports/links.csv").text)))
    lines = client.anonymous.get("/exports/links.geojson").json()["features"]
    gpkg = tmp_path / "assets.gpkg"
    gpkg.write_bytes(client.anonymous.get("/exports/assets.gpkg").content)
    in_gpkg = pyogrio.read_dataframe(gpkg, layer="links")

    assert [(r["from_name"], r["type"], r["to_name"]) for r in rows] == [
        ("Allotment society", "runs", "Allotments"),
        ("Allotment society", "runs", "Tool shed"),
    ]
    shed_line = next(line for line in lines if line["properties"]["to"]["name"] == "Tool shed")
    start, end = shed_line["geometry"]["coordinates"]
    assert (start, end) == (pytest.approx(list(place)), pytest.approx(list(other)))
    assert sorted(pyogrio.list_layers(gpkg)[:, 0]) == ["assets", "links"]
    assert sorted(in_gpkg["to_name"]) == ["Allotments", "Tool shed"]
