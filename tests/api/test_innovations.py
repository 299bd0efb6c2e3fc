"""A partnership records what already works: community circles got going by a volunteer
group and a retired nurse, time credits on an estate, villagers' own speed checks; who got
each going and how, where, for which outcomes; shown as the public may see it."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import asset_feature, bearer

TRAFFORD, LSOA, WARD = "E08000009", "E01006108", "E05015244"


@pytest.fixture
def who(demo_session: Session) -> dict[str, dict[str, str]]:
    return {
        "moderator": bearer(demo_session, "mo@example.org", "moderator", (TRAFFORD,)),
        "ann": bearer(demo_session, "ann@example.org", "contributor"),
    }


@pytest.fixture
def makers(demo_client: TestClient, who: dict[str, Any], demo_session: Session) -> dict[str, int]:
    """Those who got community circles going: a group, a consented person, a person who
    never consented; and the hall where the circles meet."""
    point = demo_session.execute(
        text("SELECT ST_X(label_point), ST_Y(label_point) FROM area WHERE code = :code"),
        {"code": LSOA},
    ).one()
    lon, lat = point[0] + 0.0004, point[1]
    person = {"kind": "individual", "category": "skill"}
    made = {
        "group": asset_feature(lon, lat, name="Circles of Support Trafford"),
        "nurse": asset_feature(
            lon, lat, name="Nia the retired nurse", consent={"publish": True}, **person
        ),
        "quiet": asset_feature(lon, lat, name="Quentin Quietly", **person),
        "hall": asset_feature(lon, lat, name="Partington Hall", kind="physical"),
    }
    ids = {}
    for key, feature in made.items():
        response = demo_client.post("/assets", json=feature, headers=who["moderator"])
        assert response.status_code == 201, response.text
        ids[key] = response.json()["id"]
    return ids


def _circles(makers: dict[str, int], **more: Any) -> dict[str, Any]:
    return {
        "name": "Community circles",
        "description": "Trained volunteers bring family, friends and neighbours together "
        "around a person with care needs",
        "outcomes": ["social-connection", "health-wellbeing"],
        "areas": [LSOA],
        "assets": [makers["hall"]],
        "leaders": [{"asset": makers[key]} for key in ("group", "nurse", "quiet")],
        "levers": ["brokering", "training"],
        "status": "spreading",
        "started_on": "2024-03-01",
        "evidence": [{"title": "Evaluation 2025", "url": "https://example.org/circles.pdf"}],
    } | more


def test_an_innovation_names_its_leaders_only_with_their_consent(
    demo_client: TestClient, who: dict[str, Any], makers: dict[str, int]
) -> None:
    made = demo_client.post("/innovations", json=_circles(makers), headers=who["moderator"])
    assert made.status_code == 201, made.text
    innovation = demo_client.anonymous.get(f"/innovations/{made.json()['id']}").json()

    assert innovation["review"] == "published"
    assert [leader["asset"]["name"] for leader in innovation["leaders"]] == [
        "Circles of Support Trafford",
        "Nia the retired nurse",
    ]
    assert innovation["leaders_not_shown"] == 1
    assert [asset["name"] for asset in innovation["assets"]] == ["Partington Hall"]
    assert innovation["areas"] == [{"code": LSOA, "name": "Trafford 017E"}]
    assert innovation["levers"] == ["brokering", "training"]
    everywhere = [
        demo_client.anonymous.get("/innovations", params={"f": f}).text
        for f in ("json", "geojson", "csv")
    ]
    assert all("Quentin" not in answer for answer in everywhere)
    assert all("Nia the retired nurse" in answer for answer in everywhere)


def test_innovations_are_found_by_place_outcome_stage_and_words(
    demo_client: TestClient, who: dict[str, Any], makers: dict[str, int]
) -> None:
    for body in (
        _circles(makers),
        _circles(
            makers,
            name="Time credits for estate upkeep",
            outcomes=["housing"],
            status="started",
            areas=["E01006187"],
            assets=[],
            leaders=[],
        ),
    ):
        assert (
            demo_client.post("/innovations", json=body, headers=who["moderator"]).status_code == 201
        )

    def names(**params: str) -> list[str]:
        found = demo_client.anonymous.get("/innovations", params=params).json()["innovations"]
        return [innovation["name"] for innovation in found]

    assert names(within=TRAFFORD) == ["Community circles", "Time credits for estate upkeep"]
    assert names(within=WARD) == ["Community circles"]  # the ward holding the circles' LSOA
    assert names(outcome="housing") == ["Time credits for estate upkeep"]
    assert names(status="spreading") == ["Community circles"]
    assert names(q="estate") == ["Time credits for estate upkeep"]
    first = demo_client.anonymous.get("/innovations", params={"limit": 1}).json()
    second = demo_client.anonymous.get(
        next(link["href"] for link in first["links"] if link["rel"] == "next")
    ).json()
    assert [i["name"] for i in first["innovations"] + second["innovations"]] == names()


def test_innovations_as_geojson_sit_at_their_assets_or_else_their_areas(
    demo_client: TestClient, who: dict[str, Any], makers: dict[str, int], demo_session: Session
) -> None:
    hall = demo_client.anonymous.get(f"/assets/{makers['hall']}").json()["geometry"]
    demo_client.post("/innovations", json=_circles(makers), headers=who["moderator"])
    demo_client.post(
        "/innovations",
        json=_circles(makers, name="Speed watch", areas=["E01006187"], assets=[], leaders=[]),
        headers=who["moderator"],
    )
    label = demo_session.execute(
        text("SELECT ST_X(label_point), ST_Y(label_point) FROM area WHERE code = 'E01006187'")
    ).one()

    features = demo_client.anonymous.get("/innovations", params={"f": "geojson"}).json()["features"]
    rows = list(csv.DictReader(io.StringIO(demo_client.get("/innovations?f=csv").text)))

    circles, speed = features
    assert circles["geometry"]["type"] == "MultiPoint"
    # the hall, the group and the consented nurse: all at their public points
    assert hall["coordinates"] in circles["geometry"]["coordinates"]
    assert len(circles["geometry"]["coordinates"]) == 3
    assert speed["geometry"]["coordinates"] == [pytest.approx(list(label), abs=1e-6)]
    assert rows[0]["leaders"] == "Circles of Support Trafford;Nia the retired nurse"
    assert rows[0]["leaders_not_shown"] == "1"
    assert rows[0]["outcomes"] == "social-connection;health-wellbeing"


def test_a_contributors_innovation_waits_and_every_change_is_kept(
    demo_client: TestClient, who: dict[str, Any], makers: dict[str, int]
) -> None:
    # ann may not see the person who never consented: she names the others
    leaders = [{"asset": makers["group"]}, {"asset": makers["nurse"]}]
    made = demo_client.post(
        "/innovations", json=_circles(makers, leaders=leaders), headers=who["ann"]
    )
    innovation_id = made.json()["id"]
    hidden = demo_client.anonymous.get(f"/innovations/{innovation_id}")
    queue = demo_client.get("/moderation/queue", headers=who["moderator"]).json()
    approved = demo_client.post(
        f"/moderation/innovations/{innovation_id}/approve", headers=who["moderator"]
    )
    too_late = demo_client.patch(
        f"/innovations/{innovation_id}", json={"status": "stopped"}, headers=who["ann"]
    )
    etag = demo_client.anonymous.get(f"/innovations/{innovation_id}").headers["etag"]
    changed = demo_client.patch(
        f"/innovations/{innovation_id}",
        json={"status": "stopped", "areas": [LSOA, "E01006187"]},
        headers=who["moderator"] | {"If-Match": etag},
    )
    stale = demo_client.patch(
        f"/innovations/{innovation_id}",
        json={"status": "started"},
        headers=who["moderator"] | {"If-Match": etag},
    )
    history = demo_client.anonymous.get(f"/innovations/{innovation_id}/history").json()

    assert made.status_code == 201 and made.json()["review"] == "pending"
    assert hidden.status_code == 404
    assert [i["id"] for i in queue["innovations"]] == [innovation_id]
    assert approved.status_code == 200 and approved.json()["review"] == "published"
    assert too_late.status_code == 403
    assert changed.status_code == 200, changed.text
    assert changed.json()["status"] == "stopped" and changed.json()["version"] == 3
    assert stale.status_code == 412
    assert [entry["action"] for entry in history] == ["create", "approve", "update"]
    assert history[2]["before"] == {"status": "spreading", "areas": [LSOA]}
    assert history[2]["after"] == {"status": "stopped", "areas": [LSOA, "E01006187"]}
    assert history[0]["after"]["leaders"] == sorted(makers[k] for k in ("group", "nurse"))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"areas": ["E99999999"]}, "areas[0]"),
        ({"outcomes": ["happiness"]}, "outcomes"),
        ({"assets": [987654321]}, "assets[0]"),
        ({"leaders": [{"asset": 987654321}]}, "leaders[0].asset"),
        ({"levers": ["magic"]}, "levers.0"),
        ({"status": "finished"}, "status"),
        ({"areas": []}, "areas"),
        ({"evidence": [{"title": "x", "url": "not a url"}]}, "evidence.0.url"),
    ],
)
def test_an_innovation_naming_what_is_not_there_is_refused_naming_it(
    demo_client: TestClient,
    who: dict[str, Any],
    makers: dict[str, int],
    change: dict[str, Any],
    field: str,
) -> None:
    response = demo_client.post(
        "/innovations", json=_circles(makers, **change), headers=who["moderator"]
    )

    assert response.status_code == 422, response.text
    assert field in [problem["field"] for problem in response.json()["errors"]], json.dumps(
        response.json()
    )
    assert demo_client.anonymous.get("/innovations").json()["innovations"] == []
