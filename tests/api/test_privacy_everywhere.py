"""No route a visitor can call shows a person without their consent, nor shows a consented
person anywhere but at their neighbourhood's point, without address or contact.

The routes are not listed here: every operation `/openapi.json` describes is called
anonymously, with its path filled so it reaches the two people (their ids, their
neighbourhoods, the tiles over their homes) and with the query parameters that could find
them, and every answer is read whole (JSON, CSV, HTML, GeoPackage, vector tiles). A route
added later is covered without anyone remembering to add it; one whose path this test
cannot fill fails it until the table below says how.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import mapbox_vector_tile
import pyogrio
import pytest
from fastapi.testclient import TestClient
from pyproj import Transformer
from shapely.geometry import shape
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.domain.feed_ids import Entity, FeedIds
from app.settings import FeedSettings
from tests.conftest import asset_feature, bearer

TO_BNG = Transformer.from_crs(4326, 27700, always_xy=True)
# Two real Trafford neighbourhoods (LSOAs), each holding one person's home.
HIDDEN_LSOA, OPEN_LSOA = "E01006108", "E01006187"
HIDDEN = {"name": "Harriet Hidden's harp", "phone": "07700 900111", "address": "12 Secret St"}
OPEN = {"name": "Olu Open's oud lessons", "phone": "07700 900222", "address": "34 Private Rd"}
# someone in a scanning day's room who did not agree to be named
UNNAMED = "Una Unnamed"


def _tile(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    """The WebMercatorQuad tile holding (lon, lat) at zoom z."""
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


@pytest.fixture
def people(demo_client: TestClient, demo_session: Session) -> dict[str, Any]:
    """Two people with skills, at homes away from their neighbourhoods' points: one who
    never consented to publish, one who did."""
    found: dict[str, Any] = {}
    steward = bearer(demo_session, "steward@example.org", "contributor")
    for who, lsoa, consent in ((HIDDEN, HIDDEN_LSOA, None), (OPEN, OPEN_LSOA, True)):
        polygon = shape(
            json.loads(
                demo_session.scalar(
                    text("SELECT ST_AsGeoJSON(geom) FROM area WHERE code = :code"), {"code": lsoa}
                )
            )
        )
        label = demo_session.execute(
            text("SELECT ST_X(label_point), ST_Y(label_point) FROM area WHERE code = :code"),
            {"code": lsoa},
        ).one()
        home = polygon.buffer(-0.0005).exterior.interpolate(0.3, normalized=True)
        assert (
            polygon.contains(home)
            and home.distance(shape({"type": "Point", "coordinates": label})) > 1e-3
        )
        feature = asset_feature(
            home.x,
            home.y,
            name=who["name"],
            kind="individual",
            category="skill",
            address=who["address"],
            contact={"phone": who["phone"]},
        )
        if consent:
            feature["properties"]["consent"] = {"publish": True, "given_by": "the person"}
        added = demo_client.post("/assets", json=feature, headers=steward)
        assert added.status_code == 201, added.text
        demo_session.execute(
            text("UPDATE asset SET status = 'published' WHERE id = :id"), {"id": added.json()["id"]}
        )
        found[who["name"]] = {
            "id": added.json()["id"],
            "lsoa": lsoa,
            "home": (home.x, home.y),
            "label": tuple(label),
        }
    # what they do together: each runs the repair cafe, and both got an innovation going
    admin = bearer(demo_session, "admin@example.org", "admin")
    cafe = demo_client.post(
        "/assets",
        json=asset_feature(*found[OPEN["name"]]["label"], name="Repair cafe"),
        headers=admin,
    ).json()["id"]
    links = []
    for person in found.values():
        made = demo_client.post(
            f"/assets/{person['id']}/links", json={"type": "runs", "to": cafe}, headers=admin
        )
        assert made.status_code == 201, made.text
        links.append(made.json()["id"])
    innovation = demo_client.post(
        "/innovations",
        json={
            "name": "Music for everyone",
            "areas": [HIDDEN_LSOA, OPEN_LSOA],
            "leaders": [{"asset": person["id"]} for person in found.values()],
            "assets": [cafe],
        },
        headers=admin,
    )
    assert innovation.status_code == 201, innovation.text
    # a scanning day, where someone who did not agree to be named got something going
    opened = demo_client.post(
        "/sessions",
        json={"area": "E08000009", "title": "Scanning day", "held_on": "2026-12-05"},
        headers=admin,
    ).json()
    joined = demo_client.anonymous.post(
        f"/sessions/{opened['id']}/join",
        json={"code": opened["code"], "display_name": UNNAMED, "consent_to_network": False},
    ).json()
    room = {"Authorization": f"Bearer {joined['token']}"}
    added = demo_client.post(
        f"/sessions/{opened['id']}/innovations",
        json={
            "name": "Street choir",
            "areas": [OPEN_LSOA],
            "leaders": [{"participant": joined["participant"]["id"]}],
        },
        headers=room,
    )
    assert added.status_code == 202, added.text
    demo_client.post(
        f"/sessions/{opened['id']}/additions/{added.json()['addition']}/approve", headers=admin
    ).raise_for_status()
    # a round where the music innovation is an option, closed; an assessment; a snapshot
    now = datetime.now(UTC)
    decided = demo_client.post(
        "/rounds",
        json={
            "area": "E08000009",
            "question": "What do we spread?",
            "opens_at": (now - timedelta(hours=1)).isoformat(),
            "closes_at": (now + timedelta(hours=1)).isoformat(),
            "options": [
                {"kind": "innovation", "innovation": innovation.json()["id"]},
                {"kind": "gap", "area": OPEN_LSOA, "category": "skill"},
            ],
        },
        headers=admin,
    )
    assert decided.status_code == 201, decided.text
    demo_client.post(f"/rounds/{decided.json()['id']}/close", headers=admin).raise_for_status()
    assessed = demo_client.post(
        "/assessments", json={"area": "E08000009", "title": "2026"}, headers=admin
    ).json()
    snapshot = demo_client.post("/areas/E08000009/snapshots", headers=admin)
    assert snapshot.status_code == 201, snapshot.text
    return found | {
        "links": links,
        "innovation": innovation.json()["id"],
        "session": opened["id"],
        "addition": added.json()["addition"],
        "round": decided.json()["id"],
        "options": [o["id"] for o in decided.json()["options"]],
        "assessment": assessed["assessment"],
        "snapshot": snapshot.json()["id"],
    }


def _path_values(people: dict[str, Any]) -> dict[str, list[str]]:
    """What each path parameter is filled with, so the route reaches the people."""
    ids = [str(people[who["name"]]["id"]) for who in (HIDDEN, OPEN)]
    homes = [people[who["name"]]["home"] for who in (HIDDEN, OPEN)]
    tiles = [_tile(lon, lat, z) for lon, lat in homes for z in (12, 16)]
    return {
        "asset_id": ids,
        "feature_id": [*ids, HIDDEN_LSOA, OPEN_LSOA],
        "code": [HIDDEN_LSOA, OPEN_LSOA, "E08000009"],
        "area_code": [HIDDEN_LSOA, OPEN_LSOA, "E08000009"],
        "collection_id": ["assets", "areas"],
        "format": ["geojson", "csv", "gpkg"],
        "fmt": ["geojson", "csv"],
        "revision": ["1"],
        "token_id": ["1"],
        "user_id": ["1"],
        "postcode": ["M32 0JT"],
        "category": ["skill"],
        "subscription_id": ["1"],
        "zxy": [f"{z}/{x}/{y}" for z, x, y in tiles],
        "link_id": [str(link) for link in people["links"]],
        "innovation_id": [str(people["innovation"])],
        "session_id": [str(people["session"])],
        "addition_id": [str(people["addition"])],
        "round_id": [str(people["round"])],
        "option_id": [str(o) for o in people["options"]],
        "assessment_id": [str(people["assessment"])],
        "snapshot_id": [str(people["snapshot"])],
        # the Open Referral UK feed's ids of the people, as a service, a place, a runner
        "id": [
            str(FeedIds(FeedSettings().directory).make(entity, int(asset)))
            for asset in ids
            for entity in (Entity.SERVICE, Entity.SERVICE_AT_LOCATION, Entity.ORGANIZATION)
        ],
    }


def _queries(parameters: set[str], people: dict[str, Any]) -> list[dict[str, str]]:
    """The queries to send an operation taking these parameters: none, and each that could
    find the people."""
    lon, lat = people[HIDDEN["name"]]["home"]
    finding: dict[str, str | list[str]] = {
        "q": "harp oud lessons",
        "search": "harp oud lessons",
        "full": "true",
        "postcode": "M32 0JT",
        "kind": "individual",
        "category": "skill",
        "near": f"{lon},{lat}",
        "bbox": f"{lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}",
        "within": "E08000009",
        "limit": "10000",
        "layer": "gaps",
        "f": ["geojson", "csv", "graphml"],
        "crs": "http://www.opengis.net/def/crs/EPSG/0/27700",
    }
    asked: list[dict[str, str]] = [{}]
    for name, values in finding.items():
        if name in parameters:
            asked += [{name: value} for value in ([values] if isinstance(values, str) else values)]
    return asked


def _read(response: Any) -> str:
    """An answer whole, as text: JSON, CSV and HTML as they are, a GeoPackage's layer and a
    vector tile's features decoded."""
    kind = response.headers.get("content-type", "")
    if "geopackage" in kind:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "export.gpkg"
            path.write_bytes(response.content)
            frame = pyogrio.read_dataframe(path)
            return str(frame.to_json(default=str))
    if "vector-tile" in kind:
        return json.dumps(mapbox_vector_tile.decode(response.content), default=str)
    return str(response.text)


NUMBER = re.compile(r"-?\d+\.?\d*(?:[eE]-?\d+)?")
# The links of an answer repeat what was asked (a `near` at a home, say): not an answer.
LINK = re.compile(r'"href":\s*"[^"]*"')


def _shows_point(answer: str, point: tuple[float, float]) -> bool:
    """Whether the answer writes the point: its lon and lat (to a metre or so) side by side
    (GeoJSON's [lon, lat], CSV's lon,lat columns), or its British National Grid x and y."""
    numbers = [float(n) for n in NUMBER.findall(LINK.sub("", answer))]
    lon, lat = point
    x, y = TO_BNG.transform(lon, lat)
    for first, second in itertools.pairwise(numbers):
        if abs(first - lon) < 2e-5 and abs(second - lat) < 2e-5:
            return True
        if abs(first - x) < 1.5 and abs(second - y) < 1.5:
            return True
    return False


def test_no_anonymous_answer_shows_a_person_but_with_consent_at_their_neighbourhood(
    demo_client: TestClient, people: dict[str, Any]
) -> None:
    description = demo_client.get("/openapi.json").json()
    values = _path_values(people)
    hidden, shown = people[HIDDEN["name"]], people[OPEN["name"]]
    asked = 0
    found_in: set[str] = set()  # where the consented person was read: the reading works
    for template, operations in description["paths"].items():
        names = re.findall(r"\{(\w+)\}", template)
        if names[-3:] == ["z", "x", "y"]:  # a tile: its three numbers go together
            names, template = [*names[:-3], "zxy"], template.replace("{z}/{x}/{y}", "{zxy}")
        missing = [name for name in names if name not in values]
        assert not missing, f"{template}: say how to fill {missing} in _path_values"
        for method, operation in operations.items():
            if method != "get" and template not in {"/gaps/suggestions", "/gaps"}:
                continue  # writes need an account, or keep nothing (POST /assets)
            parameters = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            for filled in itertools.product(*(values[name] for name in names)):
                path = template.format(**dict(zip(names, filled, strict=True)))
                for query in _queries(parameters, people):
                    if method == "get":
                        response = demo_client.anonymous.get(path, params=query)
                    elif template == "/gaps":
                        # travel times to the people's own assets
                        matrix = "origin,destination,minutes\n" + "".join(
                            f"E01006074,{people[who['name']]['id']},5\n" for who in (HIDDEN, OPEN)
                        )
                        response = demo_client.anonymous.post(
                            path,
                            params=query | {"threshold_minutes": "15"},
                            files={"costs": ("times.csv", matrix.encode(), "text/csv")},
                        )
                    else:
                        body = {"within": "E08000009", "category": "skill", "k": 1}
                        response = demo_client.anonymous.post(path, json=body)
                    asked += 1
                    assert response.status_code < 500, (path, query, response.text)
                    answer = _read(response)
                    if OPEN["name"] in answer:
                        found_in.add(response.headers["content-type"].split(";")[0])
                    for secret in (*HIDDEN.values(), OPEN["phone"], OPEN["address"], UNNAMED):
                        assert secret not in answer, (path, query, secret)
                    for home in (hidden["home"], shown["home"]):
                        assert not _shows_point(answer, home), (path, query, "a home")
    assert asked > 100
    assert found_in >= {
        "application/geo+json",
        "text/csv",
        "application/geopackage+sqlite3",
        "application/vnd.mapbox-vector-tile",
    }


def test_a_consented_person_is_shown_at_their_neighbourhood_point(
    demo_client: TestClient, people: dict[str, Any]
) -> None:
    shown = people[OPEN["name"]]
    answers = [
        demo_client.anonymous.get(f"/assets/{shown['id']}").json(),
        demo_client.anonymous.get(f"/ogc/collections/assets/items/{shown['id']}").json(),
        *demo_client.anonymous.get("/assets", params={"q": "oud"}).json()["features"],
        *demo_client.anonymous.get("/exports/assets.geojson", params={"kind": "individual"}).json()[
            "features"
        ],
    ]

    assert len(answers) == 4
    for feature in answers:
        assert feature["properties"]["name"] == OPEN["name"]
        assert feature["geometry"]["coordinates"] == pytest.approx(list(shown["label"]), abs=1e-6)
        assert feature["properties"]["address"] is None
        assert feature["properties"]["contact"] is None
