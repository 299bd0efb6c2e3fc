"""Every change can be undone, and a person's data can be erased from everything."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from shapely.geometry import Point, shape
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import asset_feature, bearer, load_trafford_lsoas

LSOA = "E01006108"
# Who lives there: values to hunt for after the erasure.
PERSONAL = {
    "name": "Zofia Wiśniewska teaches Polish cooking",
    "description": "Zofia runs sessions from her kitchen on Quillfeather Lane",
    "address": "7 Quillfeather Lane",
    "postcode": "M32 8QQ",
    "contact": {"phone": "07700 911482", "email": "zofia.w@example.org"},
}
LATER_ADDRESS = "9 Brackenthwaite Close"
CONSENT = {"publish": True, "given_by": "Zofia's daughter Marta", "scope": "cooking classes"}


def test_restoring_an_earlier_version_brings_its_content_back_as_a_new_version(
    client: TestClient,
) -> None:
    created = client.post(
        "/assets",
        json=asset_feature(
            -2.3, 53.45, name="Lunch club", description="Tuesdays", contact={"phone": "0161 1"}
        ),
    ).json()
    asset_id = created["id"]
    for change in (
        {"properties": {"name": "Friday lunch club"}},
        {"properties": {"description": None, "contact": None}, "geometry": _point(-2.31, 53.46)},
    ):
        client.patch(f"/assets/{asset_id}", json=change).raise_for_status()

    first = client.post(f"/assets/{asset_id}/restore/1")
    second = client.post(f"/assets/{asset_id}/restore/2")
    history = client.get(f"/assets/{asset_id}/history", headers=_admin(client)).json()

    assert first.status_code == 200
    restored = first.json()
    assert restored["properties"]["version"] == 4
    assert (restored["properties"]["name"], restored["properties"]["description"]) == (
        "Lunch club",
        "Tuesdays",
    )
    assert restored["properties"]["contact"] == {"phone": "0161 1"}
    assert restored["geometry"]["coordinates"] == [-2.3, 53.45]
    again = second.json()["properties"]
    assert (again["version"], again["name"], again["description"]) == (
        5,
        "Friday lunch club",
        "Tuesdays",
    )
    assert second.json()["geometry"]["coordinates"] == [-2.3, 53.45]
    assert [entry["action"] for entry in history] == [
        "create",
        "update",
        "update",
        "restore",
        "restore",
    ]


def test_restoring_needs_a_version_that_is_not_the_current_one(client: TestClient) -> None:
    asset_id = client.post("/assets", json=asset_feature(-2.3, 53.45)).json()["id"]
    client.patch(f"/assets/{asset_id}", json={"properties": {"cost": "Free"}}).raise_for_status()

    current = client.post(f"/assets/{asset_id}/restore/2")
    unknown = client.post(f"/assets/{asset_id}/restore/9")

    assert current.status_code == 422 and current.json()["errors"][0]["field"] == "revision"
    assert unknown.status_code == 404


def test_restoring_keeps_the_asset_published(client: TestClient, session: Session) -> None:
    ann = bearer(session, "ann@example.org", "contributor")
    asset_id = client.post(
        "/assets", json=asset_feature(-2.3, 53.45, name="Choir"), headers=ann
    ).json()["id"]
    client.post(f"/moderation/{asset_id}/approve").raise_for_status()
    client.patch(f"/assets/{asset_id}", json={"properties": {"name": "Big choir"}})

    restored = client.post(f"/assets/{asset_id}/restore/1").json()["properties"]

    assert (restored["name"], restored["status"]) == ("Choir", "published")


def test_erasure_leaves_no_trace_of_the_personal_fields_anywhere_in_the_database(
    client: TestClient, session: Session
) -> None:
    area = shape(load_trafford_lsoas(session, [LSOA])[LSOA]["geometry"])
    # a home inside the LSOA, at coordinates no other row holds
    home = (
        round(area.representative_point().x, 5) + 0.000013,
        round(area.representative_point().y, 5) + 0.000017,
    )
    assert area.contains(Point(home))
    ann = bearer(session, "ann@example.org", "contributor")
    moderator = bearer(session, "mo@example.org", "moderator", (LSOA,))
    person = asset_feature(*home, kind="individual", category="skill", consent=CONSENT, **PERSONAL)
    asset_id = client.post("/assets", json=person, headers=ann).json()["id"]
    client.post(f"/moderation/{asset_id}/approve", headers=moderator).raise_for_status()
    client.patch(
        f"/assets/{asset_id}", json={"properties": {"address": LATER_ADDRESS}}, headers=moderator
    ).raise_for_status()
    # a change still waiting for a moderator holds personal data too
    client.patch(
        f"/assets/{asset_id}",
        json={"properties": {"description": PERSONAL["description"] + " and garden"}},
        headers=bearer(session, "bo@example.org", "contributor"),
    ).raise_for_status()
    originals = [*_values(PERSONAL), LATER_ADDRESS, CONSENT["given_by"], *map(str, home)]
    assert all(_found(session, value) for value in originals)  # the search finds them first

    erased = client.delete(f"/assets/{asset_id}?erase=true", headers=ann)

    assert erased.status_code == 204
    assert {value: _found(session, value) for value in originals} == {key: [] for key in originals}
    history = client.get(f"/assets/{asset_id}/history", headers=moderator).json()
    assert (history[-1]["action"], history[-1]["changed_by"]) == ("erase", "ann@example.org")
    assert (history[-1]["before"], history[-1]["after"]) == (None, None)
    assert client.anonymous.get(f"/assets/{asset_id}").status_code == 404


def test_only_an_admin_or_the_contributor_erases(client: TestClient, session: Session) -> None:
    ann = bearer(session, "ann@example.org", "contributor")
    asset_id = client.post(
        "/assets", json=asset_feature(-2.3, 53.45, name="Ann's choir"), headers=ann
    ).json()["id"]
    client.post(f"/moderation/{asset_id}/approve").raise_for_status()

    statuses = [
        client.delete(f"/assets/{asset_id}?erase=true", headers=headers).status_code
        for headers in (
            bearer(session, "bo@example.org", "contributor"),
            bearer(session, "an@example.org", "analyst"),
        )
    ] + [client.anonymous.delete(f"/assets/{asset_id}?erase=true").status_code]

    assert statuses == [403, 403, 401]
    assert client.anonymous.get(f"/assets/{asset_id}").json()["properties"]["name"] == (
        "Ann's choir"
    )


def _admin(client: TestClient) -> dict[str, str]:
    """The headers the test client writes with (an admin's), for a read."""
    return {"Authorization": f"Bearer {client._admin_token()}"}  # type: ignore[attr-defined]


def _point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def _values(fields: dict[str, Any]) -> list[str]:
    values: list[str] = []
    for value in fields.values():
        values += _values(value) if isinstance(value, dict) else [str(value)]
    return values


def _found(session: Session, value: str) -> list[str]:
    """Every table.column of the database whose text holds `value` in some row (geometries
    as text, JSON as text, everything else cast to text)."""
    columns = session.execute(
        text(
            "SELECT table_name, column_name, udt_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name NOT IN ('spatial_ref_sys') "
            "AND table_name IN (SELECT table_name FROM information_schema.tables "
            "                   WHERE table_schema = 'public' AND table_type = 'BASE TABLE')"
        )
    ).all()
    found = []
    for table, column, udt in columns:
        as_text = f'ST_AsText("{column}")' if udt == "geometry" else f'"{column}"::text'
        hit = session.execute(
            text(f'SELECT 1 FROM "{table}" WHERE {as_text} ILIKE :pattern LIMIT 1'),
            {"pattern": f"%{value}%"},
        ).first()
        if hit is not None:
            found.append(f"{table}.{column}")
    return found
