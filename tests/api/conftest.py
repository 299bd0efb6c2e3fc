"""What the API's tests share: a scanning day in Partington, with two people in the room."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import bearer

TRAFFORD, LSOA = "E08000009", "E01006108"


@pytest.fixture
def room(demo_client: TestClient, demo_session: Session) -> dict[str, Any]:
    """A session of Trafford opened by its moderator, and two people who joined it."""
    facilitator = bearer(demo_session, "fa@example.org", "moderator", (TRAFFORD,))
    opened = demo_client.post(
        "/sessions",
        json={"area": TRAFFORD, "title": "Partington scanning day", "held_on": "2026-12-05"},
        headers=facilitator,
    )
    assert opened.status_code == 201, opened.text
    session_id, code = opened.json()["id"], opened.json()["code"]
    people = {}
    for name, consent in (("Sam", True), ("Priya", False)):
        joined = demo_client.post(
            f"/sessions/{session_id}/join",
            json={"code": code.lower(), "display_name": name, "consent_to_network": consent},
        )
        assert joined.status_code == 201, joined.text
        people[name] = {
            "Authorization": f"Bearer {joined.json()['token']}",
            "id": joined.json()["participant"]["id"],
        }
    lon, lat = demo_session.execute(
        text("SELECT ST_X(label_point), ST_Y(label_point) FROM area WHERE code = :code"),
        {"code": LSOA},
    ).one()
    return {
        "id": session_id,
        "code": code,
        "opened": opened.json(),
        "facilitator": facilitator,
        "people": people,
        "here": (lon + 0.0015, lat),
    }
