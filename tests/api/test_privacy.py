"""A person's skill never becomes a pin on their front door.

An `individual` asset is personal data: without consent to publish no read returns it, and
with consent the public sees it only at its neighbourhood's point, without contact details.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pyproj import Geod, Transformer
from shapely.geometry import Point, shape
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import asset_feature, bearer, count_assets, load_trafford_lsoas

GEOD = Geod(ellps="WGS84")
TO_BNG = Transformer.from_crs(4326, 27700, always_xy=True)
# Stretford, inside no stored area in the tests that do not load any.
HOME = (-2.30712, 53.44563)


def _person(lon: float, lat: float, consent: dict[str, Any] | None, **props: Any) -> dict[str, Any]:
    feature = asset_feature(
        lon,
        lat,
        name="Maria's sewing skills",
        kind="individual",
        category="skill",
        address="12 Example Road",
        postcode="M32 9AA",
        contact={"phone": "07700 900123", "email": "maria@example.org"},
        **props,
    )
    if consent is not None:
        feature["properties"]["consent"] = consent
    return feature


def _everywhere(client: TestClient, lon: float, lat: float) -> list[dict[str, Any]]:
    """Every public listing that could show an asset near (lon, lat)."""
    features: list[dict[str, Any]] = []
    for url in (
        "/assets",
        "/assets?kind=individual",
        "/assets?category=skill",
        f"/assets?bbox={lon - 0.05},{lat - 0.05},{lon + 0.05},{lat + 0.05}",
        f"/assets?near={lon},{lat}&within_m=5000",
        "/assets?q=sewing",
    ):
        response = client.get(url)
        assert response.status_code == 200
        features += response.json()["features"]
    return features


@pytest.mark.parametrize(
    "consent",
    [
        None,
        {"publish": False},
        {"publish": True, "expires_at": (datetime.now(UTC) - timedelta(days=1)).isoformat()},
    ],
    ids=["no consent", "consent refused", "consent expired"],
)
def test_an_individual_without_current_consent_is_stored_but_never_read(
    client: TestClient, session: Session, consent: dict[str, Any] | None
) -> None:
    created = client.post("/assets", json=_person(*HOME, consent))
    assert created.status_code == 201

    assert count_assets(session) == 1
    assert client.get(f"/assets/{created.json()['id']}").status_code == 404
    assert _everywhere(client, *HOME) == []


def test_with_consent_the_public_sees_the_neighbourhood_point_without_contact_details(
    client: TestClient, session: Session
) -> None:
    code = "E01006187"
    lsoa = shape(load_trafford_lsoas(session, [code])[code]["geometry"])
    rng = random.Random(7)
    homes: list[Point] = []
    while len(homes) < 2:
        minx, miny, maxx, maxy = lsoa.bounds
        candidate = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if lsoa.contains(candidate):
            homes.append(candidate)
    consent = {"publish": True, "given_at": "2026-11-01T10:00:00Z", "scope": "asset map"}
    ids = [client.post("/assets", json=_person(h.x, h.y, consent)).json()["id"] for h in homes]

    shown = [client.get(f"/assets/{asset_id}").json() for asset_id in ids]

    points = [shape(feature["geometry"]) for feature in shown]
    assert points[0].equals(points[1]), "two neighbours must be indistinguishable"
    assert lsoa.contains(points[0])
    for home, point in zip(homes, points, strict=True):
        assert not point.equals_exact(home, 1e-6)
    for feature in shown:
        props = feature["properties"]
        assert props["name"] == "Maria's sewing skills"
        assert props["contact"] is None
        assert props["address"] is None
        assert props["postcode"] is None
        assert "consent" not in props
    listed = _everywhere(client, homes[0].x, homes[0].y)
    assert {f["id"] for f in listed} == set(ids)
    for feature in listed:
        assert shape(feature["geometry"]).equals(points[0])
        assert feature["properties"]["contact"] is None
        assert "07700" not in str(feature) and "Example Road" not in str(feature)


def test_outside_any_area_a_consented_individual_is_rounded_to_500_m(
    client: TestClient,
) -> None:
    consent = {"publish": True}
    asset_id = client.post("/assets", json=_person(*HOME, consent)).json()["id"]

    lon, lat = client.get(f"/assets/{asset_id}").json()["geometry"]["coordinates"]

    x, y = TO_BNG.transform(*HOME)
    shown_x, shown_y = TO_BNG.transform(lon, lat)
    # the centre of the 500 m British National Grid square the home is in
    assert abs(shown_x - ((x // 500) * 500 + 250)) < 0.01
    assert abs(shown_y - ((y // 500) * 500 + 250)) < 0.01
    assert 0 < GEOD.inv(*HOME, lon, lat)[2] <= 500 * 2**0.5 / 2


def test_an_individual_moves_to_their_neighbourhood_point_when_areas_arrive(
    client: TestClient, session: Session
) -> None:
    home = (-2.3072, 53.4456)
    asset_id = client.post("/assets", json=_person(*home, {"publish": True})).json()["id"]
    before = shape(client.get(f"/assets/{asset_id}").json()["geometry"])

    stored = load_trafford_lsoas(session)
    containing = [c for c, f in stored.items() if shape(f["geometry"]).contains(Point(home))]

    after = shape(client.get(f"/assets/{asset_id}").json()["geometry"])
    assert len(containing) == 1
    assert not after.equals(before)
    assert shape(stored[containing[0]]["geometry"]).contains(after)
    version = session.scalar(text("SELECT version FROM asset WHERE id = :id"), {"id": asset_id})
    assert version == 1, "moving the public point is not a change to the asset"


def test_no_one_can_change_or_archive_an_individual_they_cannot_see(
    client: TestClient, session: Session
) -> None:
    asset_id = client.post("/assets", json=_person(*HOME, None)).json()["id"]
    other = bearer(session, "other@example.org", "contributor")

    patched = client.patch(f"/assets/{asset_id}", json={"properties": {}}, headers=other)
    deleted = client.delete(f"/assets/{asset_id}", headers=other)
    anonymous = client.anonymous.patch(f"/assets/{asset_id}", json={"properties": {}})

    assert patched.status_code == 404
    assert "07700" not in patched.text and "Example Road" not in patched.text
    assert deleted.status_code == 404
    assert anonymous.status_code == 401
    status, version = session.execute(
        text("SELECT status, version FROM asset WHERE id = :id"), {"id": asset_id}
    ).one()
    assert (status, version) == ("published", 1)


def test_after_a_change_to_a_consented_individual_the_public_still_sees_no_contact(
    client: TestClient,
) -> None:
    asset_id = client.post("/assets", json=_person(*HOME, {"publish": True})).json()["id"]

    changed = client.patch(f"/assets/{asset_id}", json={"properties": {"cost": "Free"}})
    public = client.get(f"/assets/{asset_id}").json()

    # the admin who changed it reads it whole; the public does not
    assert changed.status_code == 200
    assert changed.json()["properties"]["contact"]["phone"] == "07700 900123"
    assert public["properties"]["cost"] == "Free"
    assert public["properties"]["contact"] is None and "consent" not in public["properties"]
    assert not shape(public["geometry"]).equals_exact(Point(HOME), 1e-6)


def test_withdrawing_consent_hides_the_individual_at_once(client: TestClient) -> None:
    asset_id = client.post("/assets", json=_person(*HOME, {"publish": True})).json()["id"]

    withdrawn = client.patch(
        f"/assets/{asset_id}", json={"properties": {"consent": {"publish": False}}}
    )

    assert withdrawn.status_code == 200
    assert withdrawn.json()["properties"]["consent"]["publish"] is False
    assert client.get(f"/assets/{asset_id}").status_code == 404
    assert _everywhere(client, *HOME) == []
