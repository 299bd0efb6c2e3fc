"""Authorities as tenants, with two of them: an authority's own categories are offered and
taken only within it; what is unpublished in one is seen by its own admins and never by
the other's people; its admins change its standard questions; and `within=` an authority
narrows lists, exports, OGC items and gaps to it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.domain.reminders import send_due_reminders
from app.settings import ReminderSettings
from tests.api.two_authorities import (
    ALTRINCHAM_WARD,
    MANCHESTER,
    MANCHESTER_LSOA,
    PICCADILLY,
    STRETFORD,
    TRAFFORD,
    TRAFFORD_LSOA,
    add_second_authority,
)
from tests.conftest import asset_feature, bearer
from tests.mailbox import mailbox

COMMUNITY_FRIDGE = {
    "slug": "community-fridge",
    "name": "Community fridge",
    "kind": "association",
    "parent": "community-group",
}


@dataclass
class Tenants:
    trafford_admin: dict[str, str]
    manchester_admin: dict[str, str]
    manchester_moderator: dict[str, str]
    trafford_contributor: dict[str, str]
    root: dict[str, str]


@pytest.fixture
def tenants(demo_session: Session) -> Tenants:
    add_second_authority(demo_session)
    return Tenants(
        bearer(demo_session, "ta@trafford.example", "admin", (TRAFFORD,)),
        bearer(demo_session, "ma@manchester.example", "admin", (MANCHESTER,)),
        bearer(demo_session, "mmod@manchester.example", "moderator", (MANCHESTER_LSOA,)),
        bearer(demo_session, "ann@trafford.example", "contributor"),
        bearer(demo_session, "root@example.org", "admin"),
    )


def _slugs(nodes: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for node in nodes:
        found |= {node["slug"]} | _slugs(node["children"])
    return found


def _offered(client: TestClient, query: str = "") -> set[str]:
    answer = client.get(f"/taxonomy{query}")
    assert answer.status_code == 200, answer.text
    return {slug for kind in answer.json()["kinds"] for slug in _slugs(kind["categories"])}


def test_a_category_one_authority_adds_is_offered_there_and_not_in_the_other(
    demo_client: TestClient, tenants: Tenants
) -> None:
    added = demo_client.post(
        f"/authorities/{TRAFFORD}/categories", json=COMMUNITY_FRIDGE, headers=tenants.trafford_admin
    )

    assert added.status_code == 201, added.text
    assert added.json() == COMMUNITY_FRIDGE | {"authority": TRAFFORD}
    assert "community-fridge" in _offered(demo_client, f"?within={TRAFFORD}")
    # within a ward of Trafford too: its authority's categories come with it
    assert "community-fridge" in _offered(demo_client, f"?within={ALTRINCHAM_WARD}")
    assert "community-fridge" not in _offered(demo_client, f"?within={MANCHESTER}")
    assert "community-fridge" not in _offered(demo_client, f"?within={MANCHESTER_LSOA}")
    assert "community-fridge" not in _offered(demo_client)
    assert "lunch-club" in _offered(demo_client, f"?within={MANCHESTER}")  # the shared ones
    listed = demo_client.get(f"/authorities/{TRAFFORD}/categories").json()
    assert [c["slug"] for c in listed] == ["community-fridge"]
    assert demo_client.get(f"/authorities/{MANCHESTER}/categories").json() == []
    authorities = demo_client.get("/authorities").json()
    assert {a["code"] for a in authorities} == {TRAFFORD, MANCHESTER}
    unknown = demo_client.get("/taxonomy?within=E99999999")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "within"


def test_an_asset_takes_an_authoritys_category_only_inside_that_authority(
    demo_client: TestClient, tenants: Tenants
) -> None:
    demo_client.post(
        f"/authorities/{TRAFFORD}/categories", json=COMMUNITY_FRIDGE, headers=tenants.trafford_admin
    ).raise_for_status()
    fridge = asset_feature(*STRETFORD, name="Stretford fridge", category="community-fridge")
    outside = asset_feature(*PICCADILLY, name="Piccadilly fridge", category="community-fridge")

    inside = demo_client.post("/assets", json=fridge, headers=tenants.root)
    refused = demo_client.post("/assets", json=outside, headers=tenants.root)
    asset_id = inside.json()["id"]
    moved = demo_client.patch(
        f"/assets/{asset_id}",
        json={"type": "Feature", "geometry": {"type": "Point", "coordinates": list(PICCADILLY)}},
        headers={**tenants.root, "If-Match": inside.headers["etag"]},
    )

    assert inside.status_code == 201, inside.text
    assert inside.json()["properties"]["category"] == "community-fridge"
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "properties.category"
    assert TRAFFORD in refused.json()["detail"]
    assert moved.status_code == 422, moved.text
    assert moved.json()["errors"][0]["field"] == "properties.category"
    after = demo_client.get(f"/assets/{asset_id}").json()
    assert after["geometry"]["coordinates"] == pytest.approx(list(STRETFORD))


def test_only_an_authoritys_admins_add_its_categories_and_bad_ones_are_named(
    demo_client: TestClient, tenants: Tenants
) -> None:
    path = f"/authorities/{TRAFFORD}/categories"

    other = demo_client.post(path, json=COMMUNITY_FRIDGE, headers=tenants.manchester_admin)
    contributor = demo_client.post(
        path, json=COMMUNITY_FRIDGE, headers=tenants.trafford_contributor
    )
    by_root = demo_client.post(path, json=COMMUNITY_FRIDGE, headers=tenants.root)
    taken = demo_client.post(
        f"/authorities/{MANCHESTER}/categories",
        json=COMMUNITY_FRIDGE | {"parent": None},
        headers=tenants.manchester_admin,
    )

    assert other.status_code == 403 and other.json()["detail"] == (
        f"only admins of {TRAFFORD} add its categories"
    )
    assert contributor.status_code == 403
    assert by_root.status_code == 201
    assert taken.status_code == 409 and taken.json()["errors"][0]["field"] == "slug"
    for body, field in [
        (COMMUNITY_FRIDGE | {"slug": "Community Fridge!"}, "slug"),
        (COMMUNITY_FRIDGE | {"slug": "lunch-club"}, "slug"),  # taken by the shared taxonomy
        (COMMUNITY_FRIDGE | {"kind": "spiritual"}, "kind"),
        (COMMUNITY_FRIDGE | {"slug": "fridge-2", "parent": "health"}, "parent"),  # institution
        (COMMUNITY_FRIDGE | {"slug": "fridge-3", "parent": "no-such"}, "parent"),
        (COMMUNITY_FRIDGE | {"slug": "fridge-4", "name": " "}, "name"),
    ]:
        answer = demo_client.post(path, json=body, headers=tenants.trafford_admin)
        assert answer.status_code in (409, 422), (body, answer.text)
        assert answer.json()["errors"][0]["field"] == field, body
    not_authority = demo_client.post(
        f"/authorities/{TRAFFORD_LSOA}/categories", json=COMMUNITY_FRIDGE, headers=tenants.root
    )
    assert not_authority.status_code == 422
    assert demo_client.get("/authorities/E99999999/categories").status_code == 404


def test_unpublished_data_of_one_authority_is_seen_by_its_admins_and_not_the_others_people(
    demo_client: TestClient, tenants: Tenants
) -> None:
    waiting = demo_client.post(
        "/assets",
        json=asset_feature(*STRETFORD, name="Knit and natter"),
        headers=tenants.trafford_contributor,
    )
    asset_id = waiting.json()["id"]

    def queued(headers: dict[str, str]) -> list[int]:
        answer = demo_client.get("/moderation/queue", headers=headers)
        assert answer.status_code == 200, answer.text
        return [request["asset_id"] for request in answer.json()["requests"]]

    assert waiting.status_code == 201, waiting.text
    assert waiting.json()["properties"]["status"] == "pending"
    assert demo_client.get(f"/assets/{asset_id}", headers=tenants.trafford_admin).status_code == 200
    assert asset_id in queued(tenants.trafford_admin)
    for outsider in (tenants.manchester_admin, tenants.manchester_moderator):
        assert demo_client.get(f"/assets/{asset_id}", headers=outsider).status_code == 404
        assert asset_id not in queued(outsider)
    assert demo_client.get(f"/assets/{asset_id}").status_code == 404
    pending = demo_client.get("/assets?status=pending", headers=tenants.trafford_admin)
    assert pending.status_code == 403 and pending.json()["errors"][0]["field"] == "status"
    refused = demo_client.post(f"/moderation/{asset_id}/approve", headers=tenants.manchester_admin)
    assert refused.status_code in (403, 404)
    approved = demo_client.post(f"/moderation/{asset_id}/approve", headers=tenants.trafford_admin)
    assert approved.status_code == 200, approved.text
    assert demo_client.get(f"/assets/{asset_id}").status_code == 200


def test_an_authoritys_admins_change_its_standard_questions_and_no_one_elses(
    demo_client: TestClient, tenants: Tenants
) -> None:
    questions = {
        "questions": [{"label": "A GP within 800 m", "category": "gp-practice", "distance_m": 800}]
    }

    mine = demo_client.put(
        f"/areas/{TRAFFORD}/questions", json=questions, headers=tenants.trafford_admin
    )
    theirs = demo_client.put(
        f"/areas/{TRAFFORD}/questions", json=questions, headers=tenants.manchester_admin
    )

    assert mine.status_code == 200, mine.text
    assert theirs.status_code == 403
    read = demo_client.get(f"/areas/{TRAFFORD}/questions").json()
    assert [q["label"] for q in read["questions"]] == ["A GP within 800 m"]


def test_within_an_authority_narrows_lists_exports_ogc_items_and_gaps(
    demo_client: TestClient, tenants: Tenants
) -> None:
    made = demo_client.post(
        "/assets",
        json=asset_feature(
            *PICCADILLY, name="Piccadilly library", kind="institution", category="library"
        ),
        headers=tenants.root,
    )
    assert made.status_code == 201, made.text

    def names(answer: Any) -> list[str]:
        assert answer.status_code == 200, answer.text
        return [f["properties"]["name"] for f in json.loads(answer.text)["features"]]

    listed = names(demo_client.get(f"/assets?within={MANCHESTER}&limit=1000"))
    trafford = names(demo_client.get(f"/assets?within={TRAFFORD}&limit=1000"))
    exported = names(demo_client.get(f"/exports/assets.geojson?within={MANCHESTER}"))
    ogc = names(demo_client.get(f"/ogc/collections/assets/items?within={MANCHESTER}"))
    gaps = demo_client.get(f"/gaps?within={MANCHESTER}&category=library&distance_m=1000")

    assert listed == exported == ogc == ["Piccadilly library"]
    assert "Piccadilly library" not in trafford and len(trafford) > 100
    assert gaps.status_code == 200, gaps.text
    rows = gaps.json()["areas"]
    # the one neighbourhood inside, with the library at its middle: all 1,500 covered
    assert [(row["code"], row["covered"]) for row in rows] == [(MANCHESTER_LSOA, True)]
    assert gaps.json()["summary"]["population_covered"] == 1500
    unknown = demo_client.get("/ogc/collections/assets/items?within=E99999999")
    assert 400 <= unknown.status_code < 500


def test_a_reminder_no_moderator_takes_goes_to_the_admins_of_its_authority_not_the_others(
    demo_client: TestClient, demo_session: Session, tenants: Tenants
) -> None:
    added = demo_client.post(
        "/assets", json=asset_feature(*STRETFORD, name="Old darts club"), headers=tenants.root
    )
    demo_session.execute(
        text(
            "UPDATE asset SET created_at = now() - interval '13 months', created_by = NULL "
            "WHERE id = :id"
        ),
        {"id": added.json()["id"]},
    )

    with mailbox() as box:
        send_due_reminders(demo_session, ReminderSettings(), box.settings, datetime.now(UTC))

    def about_the_club(email: str) -> list[str]:
        return [m["Subject"] for m in box.to(email) if "Old darts club" in m["Subject"]]

    assert about_the_club("ta@trafford.example") == ["Is Old darts club still there?"]
    assert about_the_club("root@example.org") == ["Is Old darts club still there?"]
    assert about_the_club("ma@manchester.example") == []
