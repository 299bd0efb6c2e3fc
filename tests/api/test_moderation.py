"""What the public sees has been checked by someone responsible for that neighbourhood.

Two real Trafford LSOAs: the moderator looks after `INSIDE` and not `OUTSIDE`.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import shape
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import asset_feature, bearer, load_trafford_lsoas

INSIDE, OUTSIDE = "E01006108", "E01006187"


@pytest.fixture
def places(session: Session) -> dict[str, tuple[float, float]]:
    """A point in each of the two LSOAs."""
    stored = load_trafford_lsoas(session, [INSIDE, OUTSIDE])
    points = {code: shape(item["geometry"]).representative_point() for code, item in stored.items()}
    return {code: (point.x, point.y) for code, point in points.items()}


@pytest.fixture
def people(session: Session) -> dict[str, dict[str, str]]:
    return {
        "ann": bearer(session, "ann@example.org", "contributor"),
        "moderator": bearer(session, "mo@example.org", "moderator", (INSIDE,)),
        "elsewhere": bearer(session, "el@example.org", "moderator", (OUTSIDE,)),
    }


def _public_names(client: TestClient) -> set[str]:
    anonymous = client.anonymous
    listed = anonymous.get("/assets?limit=1000").json()["features"]
    exported = anonymous.get("/exports/assets.geojson").json()["features"]
    ogc = anonymous.get("/ogc/collections/assets/items?limit=1000").json()["features"]
    return {f["properties"]["name"] for f in listed + exported + ogc}


def test_a_contributors_asset_is_hidden_until_a_moderator_approves_it(
    client: TestClient, places: dict[str, Any], people: dict[str, Any]
) -> None:
    added = client.post(
        "/assets",
        json=asset_feature(*places[INSIDE], name="Knit and natter"),
        headers=people["ann"],
    )
    asset_id = added.json()["id"]

    assert added.status_code == 201
    assert added.json()["properties"]["status"] == "pending"
    assert added.json()["properties"]["created_by"] == "ann@example.org"
    assert client.anonymous.get(f"/assets/{asset_id}").status_code == 404
    assert "Knit and natter" not in _public_names(client)
    # its contributor still reads it, and the moderator finds it in the queue
    assert client.get(f"/assets/{asset_id}", headers=people["ann"]).status_code == 200
    queue = client.get("/moderation/queue", headers=people["moderator"]).json()
    assert [(r["asset_id"], r["action"]) for r in queue["requests"]] == [(asset_id, "create")]
    assert queue["requests"][0]["asset"]["properties"]["name"] == "Knit and natter"

    approved = client.post(f"/moderation/{asset_id}/approve", headers=people["moderator"])

    assert approved.status_code == 200
    assert approved.json()["decision"] == "approved"
    assert approved.json()["decided_by"] == "mo@example.org"
    public = client.anonymous.get(f"/assets/{asset_id}")
    assert public.status_code == 200 and public.json()["properties"]["status"] == "published"
    assert "Knit and natter" in _public_names(client)
    assert client.get("/moderation/queue", headers=people["moderator"]).json()["requests"] == []


def test_a_rejection_reaches_the_contributor_with_its_reason(
    client: TestClient, places: dict[str, Any], people: dict[str, Any]
) -> None:
    asset_id = client.post(
        "/assets", json=asset_feature(*places[INSIDE], name="Old youth club"), headers=people["ann"]
    ).json()["id"]

    rejected = client.post(
        f"/moderation/{asset_id}/reject",
        json={"reason": "It closed in 2024: the building is flats now"},
        headers=people["moderator"],
    )
    mine = client.get("/moderation/mine", headers=people["ann"]).json()

    assert rejected.status_code == 200
    assert [(m["asset_id"], m["asset_name"], m["decision"], m["reason"]) for m in mine] == [
        (asset_id, "Old youth club", "rejected", "It closed in 2024: the building is flats now")
    ]
    assert (
        client.get(f"/assets/{asset_id}", headers=people["ann"]).json()["properties"]["status"]
        == "draft"
    )
    assert client.anonymous.get(f"/assets/{asset_id}").status_code == 404
    assert client.get("/moderation/queue", headers=people["moderator"]).json()["requests"] == []


def test_a_rejection_needs_a_reason(
    client: TestClient, places: dict[str, Any], people: dict[str, Any]
) -> None:
    asset_id = client.post(
        "/assets", json=asset_feature(*places[INSIDE]), headers=people["ann"]
    ).json()["id"]

    for body in ({}, {"reason": "   "}):
        refused = client.post(
            f"/moderation/{asset_id}/reject", json=body, headers=people["moderator"]
        )
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "reason"


def test_a_change_to_a_published_asset_waits_while_the_public_sees_the_old_one(
    client: TestClient, places: dict[str, Any], people: dict[str, Any], session: Session
) -> None:
    asset_id = client.post(
        "/assets", json=asset_feature(*places[INSIDE], name="Lunch club")
    ).json()["id"]

    proposed = client.patch(
        f"/assets/{asset_id}",
        json={"properties": {"name": "Friday lunch club", "cost": "£2"}},
        headers=people["ann"],
    )
    second = client.patch(
        f"/assets/{asset_id}", json={"properties": {"cost": "£3"}}, headers=people["ann"]
    )
    public_meanwhile = client.anonymous.get(f"/assets/{asset_id}").json()
    queue = client.get("/moderation/queue", headers=people["moderator"]).json()
    approved = client.post(f"/moderation/{asset_id}/approve", headers=people["moderator"])
    public_after = client.anonymous.get(f"/assets/{asset_id}").json()
    history = client.get(f"/assets/{asset_id}/history", headers=people["ann"]).json()

    assert proposed.status_code == 202
    assert proposed.json()["moderation"]["changes"]["properties"] == {
        "name": "Friday lunch club",
        "cost": "£2",
    }
    assert second.status_code == 409
    assert public_meanwhile["properties"]["name"] == "Lunch club"
    assert [(r["asset_id"], r["action"]) for r in queue["requests"]] == [(asset_id, "edit")]
    assert approved.status_code == 200
    assert public_after["properties"]["name"] == "Friday lunch club"
    assert public_after["properties"]["cost"] == "£2"
    assert (history[-1]["action"], history[-1]["changed_by"]) == ("approve", "mo@example.org")
    assert history[-1]["after"]["name"] == "Friday lunch club"


def test_a_change_that_could_never_apply_is_refused_when_proposed(
    client: TestClient, places: dict[str, Any], people: dict[str, Any], session: Session
) -> None:
    asset_id = client.post("/assets", json=asset_feature(*places[INSIDE])).json()["id"]

    refused = client.patch(
        f"/assets/{asset_id}",
        json={"properties": {"category": "spaceport"}},
        headers=people["ann"],
    )

    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "properties.category"
    waiting = session.execute(text("SELECT count(*) FROM moderation_request")).scalar_one()
    assert waiting == 0


def test_an_anonymous_visitor_suggests_an_asset_and_nothing_is_kept_about_them(
    client: TestClient, places: dict[str, Any], people: dict[str, Any], session: Session
) -> None:
    suggested = client.anonymous.post(
        "/assets", json=asset_feature(*places[INSIDE], name="Community fridge")
    )
    person = client.anonymous.post(
        "/assets", json=asset_feature(*places[INSIDE], name="Jo's skills", kind="individual")
    )

    assert suggested.status_code == 202
    assert suggested.json()["status"] == "pending"
    asset_id = suggested.json()["id"]
    created_by, submitted_by = session.execute(
        text(
            "SELECT a.created_by, m.submitted_by FROM asset a "
            "JOIN moderation_request m ON m.asset_id = a.id WHERE a.id = :id"
        ),
        {"id": asset_id},
    ).one()
    assert (created_by, submitted_by) == (None, None)
    assert client.anonymous.get(f"/assets/{asset_id}").status_code == 404
    queue = client.get("/moderation/queue", headers=people["moderator"]).json()
    assert [r["asset_id"] for r in queue["requests"]] == [asset_id]
    assert person.status_code == 401
    assert person.json()["errors"][0]["field"] == "properties.kind"


def test_moderators_publish_directly_only_in_their_own_areas(
    client: TestClient, places: dict[str, Any], people: dict[str, Any]
) -> None:
    own = client.post("/assets", json=asset_feature(*places[INSIDE]), headers=people["moderator"])
    other = client.post(
        "/assets", json=asset_feature(*places[OUTSIDE]), headers=people["moderator"]
    )

    assert own.status_code == 201 and own.json()["properties"]["status"] == "published"
    assert other.status_code == 201 and other.json()["properties"]["status"] == "pending"
    # the moderator of the other area decides on it; the first may not
    assert (
        client.post(f"/moderation/{other.json()['id']}/approve", headers=people["moderator"])
    ).status_code == 403
    assert (
        client.post(f"/moderation/{other.json()['id']}/approve", headers=people["elsewhere"])
    ).status_code == 200


def test_a_contributor_cannot_publish_or_verify_by_writing_the_fields(
    client: TestClient, places: dict[str, Any], people: dict[str, Any]
) -> None:
    published = client.post(
        "/assets", json=asset_feature(*places[INSIDE], status="published"), headers=people["ann"]
    )
    verified = client.post(
        "/assets", json=asset_feature(*places[INSIDE], verified_by="me"), headers=people["ann"]
    )

    assert published.status_code == 403
    assert published.json()["errors"][0]["field"] == "properties.status"
    assert verified.status_code == 403
    assert verified.json()["errors"][0]["field"] == "properties.verified_by"


def test_a_contributor_changes_their_own_pending_asset_directly(
    client: TestClient, places: dict[str, Any], people: dict[str, Any]
) -> None:
    asset_id = client.post(
        "/assets", json=asset_feature(*places[INSIDE], name="Repair cafe"), headers=people["ann"]
    ).json()["id"]

    changed = client.patch(
        f"/assets/{asset_id}", json={"properties": {"cost": "Free"}}, headers=people["ann"]
    )
    queue = client.get("/moderation/queue", headers=people["moderator"]).json()

    assert changed.status_code == 200
    assert changed.json()["properties"]["cost"] == "Free"
    assert changed.json()["properties"]["status"] == "pending"
    assert [r["asset"]["properties"]["cost"] for r in queue["requests"]] == ["Free"]


def test_a_rejected_asset_improved_and_sent_again_returns_to_the_queue(
    client: TestClient, places: dict[str, Any], people: dict[str, Any]
) -> None:
    asset_id = client.post(
        "/assets", json=asset_feature(*places[INSIDE], name="Choir"), headers=people["ann"]
    ).json()["id"]
    client.post(
        f"/moderation/{asset_id}/reject",
        json={"reason": "Which choir?"},
        headers=people["moderator"],
    ).raise_for_status()

    resent = client.patch(
        f"/assets/{asset_id}",
        json={"properties": {"name": "St Matthew's community choir", "status": "pending"}},
        headers=people["ann"],
    )
    queue = client.get("/moderation/queue", headers=people["moderator"]).json()

    assert resent.status_code == 200
    assert [r["asset"]["properties"]["name"] for r in queue["requests"]] == [
        "St Matthew's community choir"
    ]


def test_the_queue_shows_the_stale_assets_of_the_moderators_areas(
    client: TestClient, places: dict[str, Any], people: dict[str, Any], session: Session
) -> None:
    ids = {
        name: client.post("/assets", json=asset_feature(*places[code], name=name)).json()["id"]
        for name, code in (("Old", INSIDE), ("Fresh", INSIDE), ("Far", OUTSIDE))
    }
    session.execute(
        text("UPDATE asset SET created_at = now() - interval '2 years' WHERE id <> :fresh"),
        {"fresh": ids["Fresh"]},
    )

    stale = client.get("/moderation/queue?stale_after=P12M", headers=people["moderator"]).json()
    recent = client.get("/moderation/queue?stale_after=P3Y", headers=people["moderator"]).json()

    assert [f["properties"]["name"] for f in stale["stale"]] == ["Old"]
    assert recent["stale"] == []


def test_an_asset_taken_back_or_archived_leaves_the_queue(
    client: TestClient, places: dict[str, Any], people: dict[str, Any]
) -> None:
    ids = [
        client.post(
            "/assets", json=asset_feature(*places[INSIDE], name=name), headers=people["ann"]
        ).json()["id"]
        for name in ("Taken back", "Archived")
    ]

    back = client.patch(
        f"/assets/{ids[0]}", json={"properties": {"status": "draft"}}, headers=people["ann"]
    )
    archived = client.delete(f"/assets/{ids[1]}", headers=people["moderator"])
    queue = client.get("/moderation/queue", headers=people["moderator"]).json()
    approve_archived = client.post(f"/moderation/{ids[1]}/approve", headers=people["moderator"])

    assert (back.status_code, archived.status_code) == (200, 204)
    assert queue["requests"] == []
    assert approve_archived.status_code == 404
    assert client.anonymous.get(f"/assets/{ids[1]}").json()["properties"]["status"] == "archived"


def test_a_moderator_cannot_publish_into_a_neighbourhood_they_do_not_look_after_by_moving(
    client: TestClient, session: Session, places: dict[str, Any], people: dict[str, Any]
) -> None:
    added = client.post(
        "/assets",
        json=asset_feature(*places[INSIDE], name="Repair cafe"),
        headers=people["moderator"],
    )
    asset_id = added.json()["id"]
    assert added.json()["properties"]["status"] == "published"  # theirs to publish
    away = {"type": "Point", "coordinates": list(places[OUTSIDE])}

    moved = client.patch(
        f"/assets/{asset_id}", json={"geometry": away}, headers=people["moderator"]
    )
    still_here = client.anonymous.get(f"/assets/{asset_id}").json()["geometry"]["coordinates"]
    mine = client.get("/moderation/queue", headers=people["moderator"]).json()["requests"]
    theirs = client.get("/moderation/queue", headers=people["elsewhere"]).json()["requests"]
    approving = client.post(f"/moderation/{asset_id}/approve", headers=people["moderator"])
    admin = bearer(session, "root@example.org", "admin")
    approved = client.post(f"/moderation/{asset_id}/approve", headers=admin)

    assert moved.status_code == 202  # it waits, like anyone else's change
    assert still_here == pytest.approx(list(places[INSIDE]))
    # only someone who looks after both places decides it
    assert mine == [] and theirs == []
    assert approving.status_code == 403
    assert approved.status_code == 200
    there = client.anonymous.get(f"/assets/{asset_id}").json()["geometry"]["coordinates"]
    assert there == pytest.approx(list(places[OUTSIDE]))


def test_a_moderator_moves_an_asset_within_their_neighbourhood_at_once(
    client: TestClient, places: dict[str, Any], people: dict[str, Any]
) -> None:
    added = client.post(
        "/assets",
        json=asset_feature(*places[INSIDE], name="Repair cafe"),
        headers=people["moderator"],
    )
    nearby = [places[INSIDE][0] + 0.0002, places[INSIDE][1]]

    moved = client.patch(
        f"/assets/{added.json()['id']}",
        json={"geometry": {"type": "Point", "coordinates": nearby}},
        headers=people["moderator"],
    )

    assert moved.status_code == 200
    assert moved.json()["geometry"]["coordinates"] == pytest.approx(nearby)
