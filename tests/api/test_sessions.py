"""A rapid scanning day in Partington: a moderator opens the session, people join with its
code and a name, add what they know to one map, the facilitator decides, and the session
closes. (The live stream across workers and the browsers in one room are
tests/api/test_session_stream.py's and tests/browser/test_scanning_day.py's.)"""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.settings import ApiSettings
from tests.conftest import asset_feature, bearer

TRAFFORD, LSOA = "E08000009", "E01006108"


def _headers(person: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": person["Authorization"]}


def _events(client: TestClient, room: dict[str, Any], after: int = 0) -> list[dict[str, Any]]:
    """The session's events after `after`, read once it has closed (the stream then ends)."""
    with client.anonymous.stream(
        "GET",
        f"/sessions/{room['id']}/events",
        headers=room["facilitator"] | {"Last-Event-ID": str(after)},
    ) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        body = "".join(response.iter_text())
    found = []
    for block in body.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "id" in fields:
            found.append(
                {"id": int(fields["id"]), "event": fields["event"]} | json.loads(fields["data"])
            )
    return found


def test_people_join_with_the_code_add_to_the_map_and_the_facilitator_decides(
    demo_client: TestClient, room: dict[str, Any]
) -> None:
    sam, priya = room["people"]["Sam"], room["people"]["Priya"]
    base = f"/sessions/{room['id']}"
    lon, lat = room["here"]

    sams = demo_client.post(
        f"{base}/assets",
        json=asset_feature(lon, lat, name="Knit and natter"),
        headers=_headers(sam),
    )
    priyas = demo_client.post(
        f"{base}/assets",
        json=asset_feature(lon + 0.01, lat, name="Partington Men's Shed", kind="association"),
        headers=_headers(priya),
    )
    seen_by_priya = demo_client.get(f"{base}/additions", headers=_headers(priya)).json()
    public_before = demo_client.anonymous.get(f"/assets/{sams.json()['asset_id']}")
    approved = demo_client.post(
        f"{base}/additions/{sams.json()['addition']}/approve", headers=room["facilitator"]
    )
    refused = demo_client.post(
        f"{base}/additions/{priyas.json()['addition']}/approve", headers=_headers(sam)
    )
    public_after = demo_client.anonymous.get(f"/assets/{sams.json()['asset_id']}")

    assert room["opened"]["join_url"].endswith(f"/sessions/{room['id']}?code={room['code']}")
    assert (sams.status_code, sams.json()["status"]) == (202, "pending")
    assert [a["asset"]["name"] for a in seen_by_priya] == [
        "Knit and natter",
        "Partington Men's Shed",
    ]
    assert public_before.status_code == 404  # it waits for the facilitators
    assert approved.status_code == 200 and approved.json()["decision"] == "approved"
    assert refused.status_code == 403
    assert public_after.status_code == 200
    whole = demo_client.get(f"/assets/{sams.json()['asset_id']}", headers=room["facilitator"])
    assert whole.json()["properties"]["created_by"] is None  # nothing kept about Sam


def test_a_near_duplicate_is_flagged_against_the_map_and_the_session(
    demo_client: TestClient, room: dict[str, Any], demo_session: Session
) -> None:
    sam, priya = room["people"]["Sam"], room["people"]["Priya"]
    base = f"/sessions/{room['id']}"
    lon, lat = room["here"]
    demo_client.post(
        f"{base}/assets",
        json=asset_feature(lon, lat, name="Partington repair cafe"),
        headers=_headers(sam),
    )
    library = demo_client.get("/assets?category=library&limit=1").json()["features"][0]
    lib_lon, lib_lat = library["geometry"]["coordinates"]

    again = demo_client.post(
        f"{base}/assets",
        json=asset_feature(lon + 0.0002, lat, name="Repair Cafe Partington"),
        headers=_headers(priya),
    )
    on_map = demo_client.post(
        f"{base}/assets",
        json=asset_feature(lib_lon, lib_lat + 0.0003, name=library["properties"]["name"]),
        headers=_headers(priya),
    )
    meant = demo_client.post(
        f"{base}/assets?confirmed=true",
        json=asset_feature(lon + 0.0002, lat, name="Repair Cafe Partington"),
        headers=_headers(priya),
    )

    assert again.status_code == 409
    assert again.json()["duplicates"][0]["name"] == "Partington repair cafe"
    assert again.json()["duplicates"][0]["in_session"] is True
    assert [e["field"] for e in again.json()["errors"]] == ["properties.name"]
    assert on_map.status_code == 409 and on_map.json()["duplicates"][0]["id"] == library["id"]
    assert meant.status_code == 202


def test_tokens_work_in_their_session_only_and_end_when_it_closes(
    demo_client: TestClient, room: dict[str, Any], demo_session: Session
) -> None:
    sam = room["people"]["Sam"]
    other = demo_client.post(
        "/sessions",
        json={"area": TRAFFORD, "title": "Another day", "held_on": "2026-12-06"},
        headers=room["facilitator"],
    ).json()
    lon, lat = room["here"]
    feature = asset_feature(lon, lat, name="Bowls club")

    wrong_code = demo_client.post(
        f"/sessions/{room['id']}/join", json={"code": "WRONGCODE", "display_name": "Eve"}
    )
    elsewhere = demo_client.post(
        f"/sessions/{other['id']}/assets", json=feature, headers=_headers(sam)
    )
    closed = demo_client.post(f"/sessions/{room['id']}/close", headers=room["facilitator"])
    after_close = demo_client.post(
        f"/sessions/{room['id']}/assets", json=feature, headers=_headers(sam)
    )
    late_join = demo_client.post(
        f"/sessions/{room['id']}/join", json={"code": room["code"], "display_name": "Late"}
    )
    closed_again = demo_client.post(f"/sessions/{room['id']}/close", headers=room["facilitator"])

    assert wrong_code.status_code == 403
    assert elsewhere.status_code == 403
    assert closed.status_code == 200 and closed.json()["closed_at"] is not None
    assert after_close.status_code == 403  # the token ended with the session
    assert late_join.status_code == 409
    assert closed_again.status_code == 409


def test_a_participant_writing_too_fast_is_slowed_down(
    demo_session: Session, demo_url: str, demo_connection: Any
) -> None:
    from tests.conftest import api_client

    settings = ApiSettings(max_body_bytes=200_000, session_writes_per_minute=3)
    for client in api_client(demo_url, demo_connection, settings):
        facilitator = bearer(demo_session, "fa2@example.org", "moderator", (TRAFFORD,))
        opened = client.post(
            "/sessions",
            json={"area": TRAFFORD, "title": "Quick", "held_on": "2026-12-05"},
            headers=facilitator,
        ).json()
        token = client.post(
            f"/sessions/{opened['id']}/join", json={"code": opened["code"], "display_name": "Zed"}
        ).json()["token"]
        answers = [
            client.post(
                f"/sessions/{opened['id']}/assets?confirmed=true",
                json=asset_feature(-2.40 + n * 0.01, 53.42, name=f"Bench {n}"),
                headers={"Authorization": f"Bearer {token}"},
            )
            for n in range(5)
        ]
        assert [a.status_code for a in answers] == [202, 202, 202, 429, 429]
        assert int(answers[3].headers["retry-after"]) > 0


def test_the_events_tell_the_room_everything_in_order_and_from_any_point(
    demo_client: TestClient, room: dict[str, Any]
) -> None:
    sam = room["people"]["Sam"]
    base = f"/sessions/{room['id']}"
    lon, lat = room["here"]
    added = demo_client.post(
        f"{base}/assets", json=asset_feature(lon, lat, name="Seed library"), headers=_headers(sam)
    ).json()
    library = demo_client.get("/assets?category=library&limit=1").json()["features"][0]
    demo_client.post(f"{base}/confirm/{library['id']}", headers=room["facilitator"])
    demo_client.post(
        f"{base}/leaders",
        json={"asset": library["id"], "note": "runs the reading circle"},
        headers=room["facilitator"],
    )
    demo_client.post(f"{base}/additions/{added['addition']}/approve", headers=room["facilitator"])
    demo_client.post(f"{base}/close", headers=room["facilitator"])

    everything = _events(demo_client, room)
    later = _events(demo_client, room, after=everything[2]["id"])

    assert [e["event"] for e in everything] == [
        "joined",
        "joined",
        "asset_added",
        "confirmed",
        "leader_flagged",
        "decided",
        "closed",
    ]
    assert everything[2]["data"]["asset"]["name"] == "Seed library"
    assert everything[2]["data"]["by"] == "Sam"
    assert [e["id"] for e in later] == [e["id"] for e in everything[3:]]
    verified = demo_client.get(f"/assets/{library['id']}").json()["properties"]["verified_at"]
    assert verified is not None


def test_who_may_open_a_session_and_what_they_must_give(
    demo_client: TestClient, demo_session: Session
) -> None:
    contributor = bearer(demo_session, "c@example.org", "contributor")
    moderator = bearer(demo_session, "m@example.org", "moderator", (TRAFFORD,))
    body = {"area": TRAFFORD, "title": "Day", "held_on": "2026-12-05"}

    assert demo_client.post("/sessions", json=body, headers=contributor).status_code == 403
    assert demo_client.anonymous.post("/sessions", json=body).status_code == 401
    for change, field in (
        ({"area": "E99999999"}, "area"),
        ({"facilitators": ["nobody@example.org"]}, "facilitators[0]"),
        ({"held_on": "someday"}, "held_on"),
    ):
        response = demo_client.post("/sessions", json=body | change, headers=moderator)
        assert response.status_code == 422, response.text
        assert field in [e["field"] for e in response.json()["errors"]]
