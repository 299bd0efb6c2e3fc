"""Trust: someone confirms an asset is still there, stale entries can be listed, and every
change can be read back with who made it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.auth import accounts
from tests.conftest import asset_feature

PASSWORD = "correct horse battery staple"


def _signed_in(client: TestClient, session: Session, email: str, role: str) -> dict[str, str]:
    accounts.create_user(session, email, role, [], PASSWORD)
    session.flush()
    token = client.post("/auth/token", data={"username": email, "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def test_verifying_records_who_and_when_and_unstales_the_asset(
    client: TestClient, session: Session
) -> None:
    ann = _signed_in(client, session, "ann@example.org", "contributor")
    old = client.post("/assets", json=asset_feature(-2.3, 53.45, name="Old club")).json()
    fresh = client.post("/assets", json=asset_feature(-2.3, 53.45, name="Fresh club")).json()
    # both added two years ago; the old one last verified then too
    session.execute(
        text(
            "UPDATE asset SET created_at = now() - interval '2 years', "
            "verified_at = CASE WHEN id = :id THEN now() - interval '2 years' END"
        ),
        {"id": old["id"]},
    )

    before = client.get("/assets?stale_after=P12M&limit=1000").json()["features"]
    verified = client.post(f"/assets/{fresh['id']}/verify", headers=ann)
    after = client.get("/assets?stale_after=P12M&limit=1000").json()["features"]

    assert {f["properties"]["name"] for f in before} == {"Old club", "Fresh club"}
    assert verified.status_code == 200
    assert verified.json()["properties"]["verified_by"] == "ann@example.org"
    assert verified.json()["properties"]["verified_at"] is not None
    assert {f["properties"]["name"] for f in after} == {"Old club"}
    assert client.anonymous.post(f"/assets/{fresh['id']}/verify").status_code == 401
    assert client.post("/assets/999999/verify", headers=ann).status_code == 404


@pytest.mark.parametrize("duration", ["12 months", "P", "-P1M", "PT0S"])
def test_stale_after_must_be_a_positive_iso_duration(client: TestClient, duration: str) -> None:
    response = client.get("/assets", params={"stale_after": duration})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "stale_after"


def test_history_lists_every_change_with_who_made_it(client: TestClient, session: Session) -> None:
    ann = _signed_in(client, session, "ann@example.org", "contributor")
    created = client.post("/assets", json=asset_feature(-2.3, 53.45, name="Choir")).json()
    client.patch(
        f"/assets/{created['id']}",
        json={"properties": {"name": "Community choir"}},
        headers={"If-Match": f'"{created["id"]}-1"'},
    ).raise_for_status()
    client.post(f"/assets/{created['id']}/verify", headers=ann).raise_for_status()

    history = client.get(f"/assets/{created['id']}/history", headers=ann).json()

    assert [entry["version"] for entry in history] == [1, 2, 3]
    assert history[1]["before"]["name"] == "Choir"
    assert history[1]["after"]["name"] == "Community choir"
    assert history[2]["changed_by"] == "ann@example.org"
    assert history[2]["after"]["verified_by"] == "ann@example.org"
    assert client.anonymous.get(f"/assets/{created['id']}/history").status_code == 401


def test_an_individuals_history_keeps_their_home_from_all_but_admins(
    client: TestClient, session: Session
) -> None:
    ann = _signed_in(client, session, "ann@example.org", "contributor")
    admin = _signed_in(client, session, "root@example.org", "admin")
    person = asset_feature(
        -2.31234,
        53.44567,
        name="Sewing",
        kind="individual",
        category="skill",
        address="1 Private Road",
        consent={"publish": True},
    )
    created = client.post("/assets", json=person).json()
    client.patch(
        f"/assets/{created['id']}",
        json={"properties": {"address": "2 Private Road"}},
        headers={"If-Match": f'"{created["id"]}-1"'},
    ).raise_for_status()

    seen = str(client.get(f"/assets/{created['id']}/history", headers=ann).json())
    by_admin = str(client.get(f"/assets/{created['id']}/history", headers=admin).json())

    assert "Private Road" not in seen and "-2.31234" not in seen
    assert "1 Private Road" in by_admin and "2 Private Road" in by_admin
