"""Trafford over time: the questions it tracks, a snapshot, a round of edits (a new GP
practice where one was missing, a change, a verification, an archive), a second snapshot,
and exactly those edits as the change between them; coverage at each moment as /gaps said
then; a snapshot that stays as it was."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import shape
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import asset_feature, bearer

TRAFFORD = "E08000009"


@pytest.fixture
def moderator(demo_session: Session) -> dict[str, str]:
    return bearer(demo_session, "sn@example.org", "moderator", (TRAFFORD,))


def _gp_coverage(demo_client: TestClient) -> dict[str, Any]:
    gaps = demo_client.get(f"/gaps?within={TRAFFORD}&category=gp-practice&distance_m=1000").json()
    return dict(gaps["summary"])


def _question(snapshot_or_change: list[dict[str, Any]]) -> dict[str, Any]:
    return next(q for q in snapshot_or_change if q["category"] == "gp-practice")


def test_the_questions_start_from_the_defaults_and_moderators_change_them(
    demo_client: TestClient, moderator: dict[str, str], demo_session: Session
) -> None:
    first = demo_client.get(f"/areas/{TRAFFORD}/questions").json()
    wanted = {
        "questions": [
            {"label": "Post office within 800 m", "category": "post-office", "distance_m": 800}
        ]
    }
    contributor = bearer(demo_session, "c@example.org", "contributor")
    refused = demo_client.put(f"/areas/{TRAFFORD}/questions", json=wanted, headers=contributor)
    changed = demo_client.put(f"/areas/{TRAFFORD}/questions", json=wanted, headers=moderator)
    unknown = demo_client.put(
        f"/areas/{TRAFFORD}/questions",
        json={"questions": [{"label": "x", "category": "nope", "distance_m": 500}]},
        headers=moderator,
    )

    assert first["default"] is True
    labels = [q["label"] for q in first["questions"]]
    assert labels[:3] == [
        "GP practice within 1 km",
        "Food bank within 2 km",
        "Library within 1.5 km",
    ]
    outcomes = demo_session.scalar(text("SELECT count(*) FROM outcome"))
    assert len(labels) == 3 + outcomes  # and each outcome within 1 km
    assert refused.status_code == 403
    assert changed.status_code == 200
    assert demo_client.get(f"/areas/{TRAFFORD}/questions").json() == {
        "area": TRAFFORD,
        "default": False,
        "questions": [
            {
                "label": "Post office within 800 m",
                "category": "post-office",
                "outcome": None,
                "distance_m": 800.0,
            }
        ],
    }
    assert (
        unknown.status_code == 422
        and unknown.json()["errors"][0]["field"] == "questions[0].category"
    )


def test_the_change_between_two_snapshots_is_exactly_the_edits_made(
    demo_client: TestClient, moderator: dict[str, str]
) -> None:
    coverage_then = _gp_coverage(demo_client)
    first = demo_client.post(f"/areas/{TRAFFORD}/snapshots", headers=moderator)
    assert first.status_code == 201, first.text
    # a new GP practice inside the neighbourhood the analysis puts first
    worst = demo_client.get(f"/gaps?within={TRAFFORD}&category=gp-practice").json()["areas"][0]
    inside = shape(
        demo_client.get(f"/areas/{worst['code']}").json()["geometry"]
    ).representative_point()
    new_gp = demo_client.post(
        "/assets",
        json=asset_feature(
            inside.x,
            inside.y,
            name="Partington Health Centre",
            kind="institution",
            category="gp-practice",
        ),
        headers=moderator,
    ).json()["id"]
    libraries = demo_client.get("/assets?category=library&limit=3").json()["features"]
    changed, verified, archived = (f["id"] for f in libraries)
    demo_client.patch(
        f"/assets/{changed}", json={"properties": {"cost": "Free"}}, headers=moderator
    ).raise_for_status()
    demo_client.post(f"/assets/{verified}/verify", headers=moderator).raise_for_status()
    demo_client.delete(f"/assets/{archived}", headers=moderator).raise_for_status()
    coverage_now = _gp_coverage(demo_client)
    second = demo_client.post(f"/areas/{TRAFFORD}/snapshots", headers=moderator).json()

    change = demo_client.get(
        f"/areas/{TRAFFORD}/changes?since={first.json()['id']}&until={second['id']}"
    ).json()

    assets = change["assets"]
    assert [a["id"] for a in assets["published"]] == [new_gp]
    assert [(a["id"], a["fields"]) for a in assets["changed"]] == [(changed, ["cost"])]
    assert [a["id"] for a in assets["verified"]] == [verified]
    assert [a["id"] for a in assets["archived"]] == [archived]
    gp = _question(change["questions"])
    assert gp["before"]["share_covered"] == coverage_then["share_covered"]
    assert gp["after"]["share_covered"] == coverage_now["share_covered"]
    assert gp["after"]["share_covered"] > gp["before"]["share_covered"]
    assert worst["code"] in gp["became_covered"]
    assert gp["change"]["population_uncovered"] == (
        coverage_now["population_uncovered"] - coverage_then["population_uncovered"]
    )
    decile = str(worst["imd_decile"])
    assert gp["change"]["uncovered_by_imd_decile"][decile] < 0
    # the snapshots themselves: the asset counts and versions as they were
    assert (
        second["figures"]["assets"]["total"] == first.json()["figures"]["assets"]["total"]
    )  # +1 -1
    versions = {a["id"]: a["version"] for a in second["assets"]}
    before = {a["id"]: a["version"] for a in first.json()["assets"]}
    assert new_gp in versions and new_gp not in before
    assert archived in before and archived not in versions
    assert versions[changed] == before[changed] + 1


def test_a_snapshot_stays_as_it_was(
    demo_client: TestClient, moderator: dict[str, str], demo_session: Session
) -> None:
    taken = demo_client.post(f"/areas/{TRAFFORD}/snapshots", headers=moderator).json()
    gp = demo_client.get("/assets?category=gp-practice&limit=1").json()["features"][0]["id"]
    demo_client.patch(
        f"/assets/{gp}", json={"properties": {"name": "Renamed surgery"}}, headers=moderator
    )
    demo_client.delete(f"/assets/{gp}", headers=moderator)

    again = demo_client.get(f"/areas/{TRAFFORD}/snapshots/{taken['id']}").json()
    listed = demo_client.get(f"/areas/{TRAFFORD}/snapshots").json()["snapshots"]

    assert again == taken
    assert next(s["id"] for s in listed) == taken["id"]
    with pytest.raises(Exception, match="frozen"), demo_session.begin_nested():
        demo_session.execute(text("UPDATE snapshot_asset SET name = 'x'"))


def test_changes_since_a_time_and_bad_ends(
    demo_client: TestClient, moderator: dict[str, str]
) -> None:
    taken = demo_client.post(f"/areas/{TRAFFORD}/snapshots", headers=moderator).json()
    gp = demo_client.get("/assets?category=gp-practice&limit=1").json()["features"][0]["id"]
    demo_client.patch(f"/assets/{gp}", json={"properties": {"cost": "Free"}}, headers=moderator)

    since_time = demo_client.get(f"/areas/{TRAFFORD}/changes?since={taken['taken_at']}").json()

    assert [a["id"] for a in since_time["assets"]["changed"]] == [gp]
    assert since_time["figures_from"] == {"before": f"snapshot {taken['id']}", "after": "now"}
    for query, field, code in (
        ("since=yesterday", "since", 422),
        ("since=2026-12-01T00:00:00Z&until=2026-01-01", "since", 422),
        ("since=999999", None, 404),
    ):
        answer = demo_client.get(f"/areas/{TRAFFORD}/changes?{query}")
        assert answer.status_code == code, (query, answer.text)
        if field:
            assert answer.json()["errors"][0]["field"] == field
    assert demo_client.get("/areas/E99999999/snapshots").status_code == 404


def test_a_place_with_no_people_or_assets_still_has_a_snapshot(
    demo_client: TestClient, moderator: dict[str, str], demo_session: Session
) -> None:
    demo_session.execute(
        text(
            "INSERT INTO area (code, name, level, parent_code, geom) VALUES "
            "('E99000001', 'A field', 'lsoa', 'E08000009', "
            "ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(-2.47, 53.46), 4326), 0.0005)))"
        )
    )
    admin = bearer(demo_session, "ad@example.org", "admin")

    taken = demo_client.post("/areas/E99000001/snapshots", headers=admin)

    assert taken.status_code == 201, taken.text
    notes = taken.json()["figures"]["notes"]
    assert any("no published assets" in note for note in notes)
    assert any("no population figures" in note for note in notes)
