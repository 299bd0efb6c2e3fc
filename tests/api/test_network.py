"""The systems leadership network of Trafford: who got which innovations going, the assets
they involve and the places they link to; the connectors found by their betweenness, and a
person without consent counted but never named."""

from __future__ import annotations

import io
from typing import Any

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import asset_feature, bearer

TRAFFORD, LSOA = "E08000009", "E01006108"


@pytest.fixture
def network(demo_client: TestClient, demo_session: Session) -> dict[str, Any]:
    """Two innovations got going by overlapping people and groups, the assets they
    involve, and the links of those who got them going."""
    moderator = bearer(demo_session, "mo@example.org", "moderator", (TRAFFORD,))
    lon, lat = demo_session.execute(
        text("SELECT ST_X(label_point), ST_Y(label_point) FROM area WHERE code = :code"),
        {"code": LSOA},
    ).one()
    person = {"kind": "individual", "category": "skill"}
    assets = {
        "trust": asset_feature(lon, lat, name="Partington Trust"),
        "tenants": asset_feature(lon, lat, name="Tenants' association"),
        "nurse": asset_feature(lon, lat, name="Nia the nurse", consent={"publish": True}, **person),
        "quiet": asset_feature(lon, lat, name="Quentin Quietly", **person),
        "hall": asset_feature(lon, lat, name="Partington Hall", kind="physical"),
        "estate": asset_feature(lon, lat, name="Cornbrook estate", kind="physical"),
        "cafe": asset_feature(lon, lat, name="Corner cafe", kind="economic"),
    }
    ids = {}
    for key, feature in assets.items():
        made = demo_client.post("/assets", json=feature, headers=moderator)
        assert made.status_code == 201, made.text
        ids[key] = made.json()["id"]
    for start, kind, end in (("trust", "funds", "tenants"), ("nurse", "meets_at", "cafe")):
        body = {"type": kind, "to": ids[end]}
        assert (
            demo_client.post(
                f"/assets/{ids[start]}/links", json=body, headers=moderator
            ).status_code
            == 201
        )
    innovations = {}
    for name, leaders, involved in (
        ("Community circles", ("trust", "nurse", "quiet"), ("hall",)),
        ("Time credits", ("tenants", "trust"), ("estate",)),
    ):
        body = {
            "name": name,
            "areas": [LSOA],
            "leaders": [{"asset": ids[key]} for key in leaders],
            "assets": [ids[key] for key in involved],
            "status": "spreading",
        }
        made = demo_client.post("/innovations", json=body, headers=moderator)
        assert made.status_code == 201, made.text
        innovations[name] = made.json()["id"]
    return {"assets": ids, "innovations": innovations}


def _expected(network: dict[str, Any]) -> nx.Graph:
    """The network as the test knows it, written out from what it recorded: the person
    without consent is not in it."""
    asset = {key: f"asset:{value}" for key, value in network["assets"].items()}
    circles = f"innovation:{network['innovations']['Community circles']}"
    credits = f"innovation:{network['innovations']['Time credits']}"
    made = nx.Graph()
    made.add_edges_from(
        [
            (asset["trust"], circles),
            (asset["nurse"], circles),
            (circles, asset["hall"]),
            (asset["tenants"], credits),
            (asset["trust"], credits),
            (credits, asset["estate"]),
            (asset["trust"], asset["tenants"]),
            (asset["nurse"], asset["cafe"]),
        ]
    )
    return made


def test_the_network_and_its_connectors_are_what_networkx_finds(
    demo_client: TestClient, network: dict[str, Any]
) -> None:
    found = demo_client.anonymous.get("/network", params={"within": TRAFFORD}).json()
    expected = _expected(network)
    betweenness = nx.betweenness_centrality(expected, normalized=True)

    assert {node["id"] for node in found["nodes"]} == set(expected.nodes)
    assert {frozenset((e["source"], e["target"])) for e in found["edges"]} == {
        frozenset(edge) for edge in expected.edges
    }
    for node in found["nodes"]:
        assert node["degree"] == expected.degree(node["id"])
        assert node["betweenness"] == pytest.approx(betweenness[node["id"]], abs=1e-6)
    by_label = {node["label"]: node for node in found["nodes"]}
    # the ends of the network connect no one; the trust, in both innovations, does
    for leaf in ("Partington Hall", "Cornbrook estate", "Corner cafe"):
        assert by_label[leaf]["betweenness"] == 0
    assert (
        by_label["Partington Trust"]["betweenness"]
        > by_label["Tenants' association"]["betweenness"]
    )
    assert found["people_not_shown"] == 1
    kinds = {(e["source"], e["target"]): e["type"] for e in found["edges"]}
    trust = f"asset:{network['assets']['trust']}"
    assert kinds[(trust, f"asset:{network['assets']['tenants']}")] == "funds"


def test_the_graphml_read_back_is_the_json(
    demo_client: TestClient, network: dict[str, Any]
) -> None:
    found = demo_client.anonymous.get("/network", params={"within": TRAFFORD}).json()
    answer = demo_client.anonymous.get("/network", params={"within": TRAFFORD, "f": "graphml"})
    read = nx.read_graphml(io.BytesIO(answer.content))

    assert answer.headers["content-type"].startswith("application/graphml+xml")
    assert sorted(read.nodes) == sorted(node["id"] for node in found["nodes"])
    for node in found["nodes"]:
        attributes = read.nodes[node["id"]]
        assert {key: attributes.get(key) for key in node if key != "id"} == {
            key: value for key, value in node.items() if key != "id"
        }
    assert sorted((s, t, d["type"]) for s, t, d in read.edges(data=True)) == sorted(
        (e["source"], e["target"], e["type"]) for e in found["edges"]
    )


def test_a_person_without_consent_is_named_in_no_output(
    demo_client: TestClient, network: dict[str, Any]
) -> None:
    circles = network["innovations"]["Community circles"]
    answers = [
        demo_client.anonymous.get("/network", params={"within": TRAFFORD}).text,
        demo_client.anonymous.get("/network", params={"within": TRAFFORD, "f": "graphml"}).text,
        demo_client.anonymous.get(f"/innovations/{circles}").text,
        *(
            demo_client.anonymous.get("/innovations", params={"f": f}).text
            for f in ("json", "geojson", "csv")
        ),
        *(demo_client.anonymous.get(f"/exports/links.{f}").text for f in ("geojson", "csv")),
        demo_client.anonymous.get(f"/maps/{TRAFFORD}").text,
        demo_client.anonymous.get(f"/network/{TRAFFORD}").text,
    ]

    assert all("Quentin" not in answer for answer in answers)
    assert "Nia the nurse" in answers[0]


def test_an_area_with_no_innovations_has_an_empty_network_and_an_unknown_one_is_refused(
    demo_client: TestClient,
) -> None:
    empty = demo_client.anonymous.get("/network", params={"within": TRAFFORD}).json()
    unknown = demo_client.anonymous.get("/network", params={"within": "E99999999"})

    assert (empty["nodes"], empty["edges"], empty["people_not_shown"]) == ([], [], 0)
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.json()["errors"]] == ["within"]
    assert demo_client.anonymous.get("/network/E99999999").status_code == 404
