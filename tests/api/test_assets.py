"""Community builders add, read, change and archive assets through the API."""

from __future__ import annotations

from fastapi.testclient import TestClient
from shapely.geometry import Point, shape
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import asset_feature, count_assets

STRETFORD = (-2.3213, 53.4466)


def test_a_community_builder_adds_a_food_bank_and_reads_it_back(client: TestClient) -> None:
    food_bank = asset_feature(
        *STRETFORD,
        name="Stretford Food Bank",
        kind="institution",
        category="food-bank",
        outcomes=["health-wellbeing", "money-work"],
        address="Stretford Public Hall, Chester Road",
        postcode="m32  0lg",
        contact={"phone": "0161 123 4567", "website": "https://example.org/"},
        opening_hours="Tue 10:00-12:00",
        reach_m=2000,
    )
    created = client.post("/assets", json=food_bank)

    assert created.status_code == 201
    assert created.headers["content-type"] == "application/geo+json"
    body = created.json()
    assert body["type"] == "Feature"
    assert body["geometry"] == {"type": "Point", "coordinates": list(STRETFORD)}
    props = body["properties"]
    assert props["name"] == "Stretford Food Bank"
    assert props["category"] == "food-bank"
    assert props["outcomes"] == ["health-wellbeing", "money-work"]
    assert props["postcode"] == "M32 0LG"
    assert props["reach_m"] == 2000
    assert props["status"] == "published"
    assert props["version"] == 1
    assert created.headers["location"].endswith(f"/assets/{body['id']}")
    assert created.headers["etag"] == f'"{body["id"]}-1"'

    read = client.get(created.headers["location"])
    assert read.status_code == 200
    assert read.json() == {
        **body,
        "properties": {
            key: value
            for key, value in body["properties"].items()
            if key not in {"verified_by", "created_by", "updated_by", "consent"}
        },
    }
    assert read.headers["etag"] == created.headers["etag"]


def test_a_park_keeps_its_footprint_and_gets_a_point_inside_it(client: TestClient) -> None:
    # Longford Park, Stretford: a concave outline, so its centroid may fall outside.
    outline = [
        [-2.3020, 53.4395],
        [-2.2930, 53.4395],
        [-2.2930, 53.4440],
        [-2.2960, 53.4440],
        [-2.2960, 53.4410],
        [-2.2990, 53.4410],
        [-2.2990, 53.4440],
        [-2.3020, 53.4440],
        [-2.3020, 53.4395],
    ]
    park = {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [outline]},
        "properties": {"name": "Longford Park", "kind": "physical", "category": "park"},
    }

    created = client.post("/assets", json=park)

    assert created.status_code == 201
    body = created.json()
    point = shape(body["geometry"])
    footprint = shape(body["properties"]["footprint"])
    assert footprint.geom_type == "MultiPolygon"
    assert footprint.equals(shape(park["geometry"]))
    assert footprint.contains(point)


def test_patch_changes_only_what_was_sent_and_bumps_the_version(client: TestClient) -> None:
    created = client.post("/assets", json=asset_feature(*STRETFORD, description="Mondays"))
    asset_id, etag = created.json()["id"], created.headers["etag"]

    changed = client.patch(
        f"/assets/{asset_id}",
        json={"properties": {"name": "Lunch club at St Matthew's", "description": None}},
        headers={"If-Match": etag},
    )

    assert changed.status_code == 200
    props = changed.json()["properties"]
    assert props["name"] == "Lunch club at St Matthew's"
    assert props["description"] is None
    assert props["kind"] == "association"
    assert props["version"] == 2
    assert changed.headers["etag"] == f'"{asset_id}-2"'


def test_a_stale_etag_is_refused_and_changes_nothing(client: TestClient) -> None:
    created = client.post("/assets", json=asset_feature(*STRETFORD))
    asset_id, first_etag = created.json()["id"], created.headers["etag"]
    client.patch(
        f"/assets/{asset_id}",
        json={"properties": {"name": "Renamed once"}},
        headers={"If-Match": first_etag},
    )

    stale = client.patch(
        f"/assets/{asset_id}",
        json={"properties": {"name": "Lost update"}},
        headers={"If-Match": first_etag},
    )

    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    assert client.get(f"/assets/{asset_id}").json()["properties"]["name"] == "Renamed once"


def test_moving_an_asset_by_patching_its_geometry(client: TestClient) -> None:
    asset_id = client.post("/assets", json=asset_feature(*STRETFORD)).json()["id"]

    moved = client.patch(
        f"/assets/{asset_id}",
        json={"geometry": {"type": "Point", "coordinates": [-2.3300, 53.4500]}},
    )

    assert moved.status_code == 200
    assert moved.json()["geometry"]["coordinates"] == [-2.33, 53.45]


def test_changing_kind_checks_the_category_still_fits(client: TestClient) -> None:
    asset_id = client.post(
        "/assets", json=asset_feature(*STRETFORD, kind="institution", category="library")
    ).json()["id"]

    refused = client.patch(f"/assets/{asset_id}", json={"properties": {"kind": "economic"}})

    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "properties.kind"


def test_deleting_archives_the_asset_and_keeps_its_history(
    client: TestClient, session: Session
) -> None:
    asset_id = client.post("/assets", json=asset_feature(*STRETFORD)).json()["id"]

    deleted = client.delete(f"/assets/{asset_id}")

    assert deleted.status_code == 204
    archived = client.get(f"/assets/{asset_id}")
    assert archived.status_code == 200
    assert archived.json()["properties"]["status"] == "archived"
    listed = client.get("/assets").json()["features"]
    assert asset_id not in [feature["id"] for feature in listed]
    assert asset_id in [f["id"] for f in client.get("/assets?status=archived").json()["features"]]
    actions = (
        session.execute(
            text("SELECT action FROM asset_revision WHERE asset_id = :id ORDER BY version"),
            {"id": asset_id},
        )
        .scalars()
        .all()
    )
    assert actions == ["create", "archive"]
    assert count_assets(session) == 1


def test_every_change_is_a_revision_with_the_fields_before_and_after(
    client: TestClient, session: Session
) -> None:
    asset_id = client.post("/assets", json=asset_feature(*STRETFORD)).json()["id"]
    client.patch(
        f"/assets/{asset_id}",
        json={"properties": {"name": "Friday lunch club", "audience": "Over 60s"}},
    )
    client.patch(f"/assets/{asset_id}", json={"properties": {"name": "Friday lunch club"}})

    rows = session.execute(
        text(
            "SELECT version, action, before, after FROM asset_revision "
            "WHERE asset_id = :id ORDER BY version"
        ),
        {"id": asset_id},
    ).all()

    assert [(row.version, row.action) for row in rows] == [(1, "create"), (2, "update")]
    assert rows[1].before == {"name": "Lunch club", "audience": None}
    assert rows[1].after == {"name": "Friday lunch club", "audience": "Over 60s"}


def test_a_second_asset_with_the_same_source_reference_is_a_conflict(
    client: TestClient, session: Session
) -> None:
    first = asset_feature(*STRETFORD, source="council-register", source_ref="A-17")
    assert client.post("/assets", json=first).status_code == 201

    again = client.post("/assets", json=first)

    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "properties.source_ref"
    assert count_assets(session) == 1


def test_an_unknown_asset_is_404_for_every_verb(client: TestClient) -> None:
    for response in (
        client.get("/assets/999999"),
        client.patch("/assets/999999", json={"properties": {"name": "x"}}),
        client.delete("/assets/999999"),
    ):
        assert response.status_code == 404
        assert response.json()["status"] == 404


def test_the_point_is_stored_exactly_in_epsg_4326(client: TestClient, session: Session) -> None:
    asset_id = client.post("/assets", json=asset_feature(-2.3456789, 53.4567891)).json()["id"]

    srid, x, y = session.execute(
        text("SELECT ST_SRID(geom), ST_X(geom), ST_Y(geom) FROM asset WHERE id = :id"),
        {"id": asset_id},
    ).one()

    assert srid == 4326
    assert Point(x, y).equals_exact(Point(-2.3456789, 53.4567891), 1e-9)


def test_sending_no_contact_details_stores_none_and_clears_them(client: TestClient) -> None:
    created = client.post("/assets", json=asset_feature(-2.3, 53.45, contact=None))
    assert created.status_code == 201, created.text
    assert created.json()["properties"]["contact"] is None

    with_phone = client.post(
        "/assets", json=asset_feature(-2.3, 53.45, name="Choir", contact={"phone": "0161 000"})
    ).json()
    cleared = client.patch(
        f"/assets/{with_phone['id']}",
        json={"properties": {"contact": None}},
        headers={"If-Match": f'"{with_phone["id"]}-1"'},
    )
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["properties"]["contact"] is None
