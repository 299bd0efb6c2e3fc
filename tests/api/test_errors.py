"""Bad input gets a clear 4xx naming the field, in one shape, and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import asset_feature, count_assets

SALE = (-2.3180, 53.4240)
BOWTIE = [[-2.31, 53.42], [-2.30, 53.43], [-2.30, 53.42], [-2.31, 53.43], [-2.31, 53.42]]


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    return body


def _fields(body: dict[str, Any]) -> list[str]:
    return [error["field"] for error in body.get("errors", [])]


BAD_NEW_ASSETS: list[tuple[str, Any, str]] = [
    ("a FeatureCollection", {"type": "FeatureCollection", "features": []}, "type"),
    ("a bare geometry", {"type": "Point", "coordinates": list(SALE)}, "type"),
    ("a JSON array", [asset_feature(*SALE)], "body"),
    (
        "no geometry",
        {"type": "Feature", "properties": {"name": "x", "kind": "physical"}},
        "geometry",
    ),
    (
        "a line",
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [list(SALE), [-2.3, 53.4]]},
            "properties": {"name": "x", "kind": "physical"},
        },
        "geometry",
    ),
    ("longitude out of range", asset_feature(200.0, 53.4), "geometry.coordinates"),
    ("latitude out of range", asset_feature(-2.3, 95.0), "geometry.coordinates"),
    ("lat/lon swapped", asset_feature(53.424, -2.318), "geometry.coordinates"),
    ("a point in Paris", asset_feature(2.35, 48.85), "geometry.coordinates"),
    (
        "a self-intersecting polygon",
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [BOWTIE]},
            "properties": {"name": "Bow tie", "kind": "physical"},
        },
        "geometry.coordinates",
    ),
    ("an unknown kind", asset_feature(*SALE, kind="shop"), "properties.kind"),
    (
        "a missing kind",
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": list(SALE)},
            "properties": {"name": "x"},
        },
        "properties.kind",
    ),
    ("an unknown category", asset_feature(*SALE, category="spaceport"), "properties.category"),
    (
        "a category of another kind",
        asset_feature(*SALE, kind="association", category="gp-practice"),
        "properties.category",
    ),
    ("an unknown outcome", asset_feature(*SALE, outcomes=["happiness"]), "properties.outcomes"),
    ("an empty name", asset_feature(*SALE, name="   "), "properties.name"),
    ("an over-long name", asset_feature(*SALE, name="x" * 201), "properties.name"),
    (
        "an over-long description",
        asset_feature(*SALE, description="x" * 5001),
        "properties.description",
    ),
    ("a negative reach", asset_feature(*SALE, reach_m=-5), "properties.reach_m"),
    (
        "a bad email",
        asset_feature(*SALE, contact={"email": "not-an-email"}),
        "properties.contact.email",
    ),
    (
        "consent on a non-person",
        asset_feature(*SALE, consent={"publish": True}),
        "properties.consent",
    ),
    ("an unknown property", asset_feature(*SALE, colour="red"), "properties.colour"),
]


@pytest.mark.parametrize(
    ("case", "body", "field"), BAD_NEW_ASSETS, ids=[case for case, _, _ in BAD_NEW_ASSETS]
)
def test_a_bad_new_asset_is_refused_naming_the_field(
    client: TestClient, session: Session, case: str, body: Any, field: str
) -> None:
    before = count_assets(session)

    response = client.post("/assets", json=body)

    assert field in _fields(_problem(response, 422)), case
    assert count_assets(session) == before


def test_malformed_json_is_refused(client: TestClient, session: Session) -> None:
    response = client.post(
        "/assets", content=b'{"type": "Feature", ', headers={"content-type": "application/json"}
    )

    assert _fields(_problem(response, 422)) == ["body"]
    assert count_assets(session) == 0


def test_a_body_over_the_size_limit_is_413(client: TestClient, session: Session) -> None:
    huge = asset_feature(*SALE, description="x" * 300_000)

    response = client.post("/assets", json=huge)

    _problem(response, 413)
    assert count_assets(session) == 0


def test_a_bad_patch_changes_nothing(client: TestClient, session: Session) -> None:
    created = client.post("/assets", json=asset_feature(*SALE)).json()

    for patch, field in [
        ({"properties": {"name": ""}}, "properties.name"),
        ({"properties": {"name": None}}, "properties.name"),
        ({"properties": {"kind": None}}, "properties.kind"),
        ({"geometry": {"type": "Point", "coordinates": [53.4, -2.3]}}, "geometry.coordinates"),
        ({"properties": {"category": "no-such-thing"}}, "properties.category"),
    ]:
        response = client.patch(f"/assets/{created['id']}", json=patch)
        assert field in _fields(_problem(response, 422)), patch

    assert client.get(f"/assets/{created['id']}").json() == {
        **created,
        "properties": {
            k: v
            for k, v in created["properties"].items()
            if k not in {"verified_by", "created_by", "updated_by", "consent"}
        },
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("bbox=1,2,3", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=-2.2,53.5,-2.3,53.4", "bbox"),
        ("bbox=-200,53,-2,54", "bbox"),
        ("bbox=nan,53,-2,54", "bbox"),
        ("near=-2.3", "near"),
        ("near=-2.3,53.4&within_m=-1", "within_m"),
        ("near=-2.3,53.4&within_m=10000000", "within_m"),
        ("within_m=100", "within_m"),
        ("limit=0", "limit"),
        ("limit=ten", "limit"),
        ("kind=shop", "kind"),
        ("category=spaceport", "category"),
        ("category=DROP TABLE asset", "category"),
        ("outcome=happiness", "outcome"),
        ("status=lost", "status"),
        ("updated_since=yesterday", "updated_since"),
        ("after=not-a-cursor", "after"),
    ],
)
def test_bad_search_parameters_are_422_naming_the_parameter(
    client: TestClient, query: str, field: str
) -> None:
    response = client.get(f"/assets?{query}")

    assert field in _fields(_problem(response, 422))


def test_a_bad_asset_id_is_422_and_an_unknown_area_404(client: TestClient) -> None:
    assert "asset_id" in _fields(_problem(client.get("/assets/abc"), 422))
    _problem(client.get("/areas/E99999999"), 404)
    _problem(client.get("/areas/E99999999/assets"), 404)
