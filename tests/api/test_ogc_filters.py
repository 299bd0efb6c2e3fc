"""An analyst filters the live layers on the server, as QGIS and GDAL do with OGC API -
Features Part 3: the queryables, CQL2 text and JSON, each operator answering as the same
question asked of the database in SQL, and filters that try to be SQL refused."""

from __future__ import annotations

import json
from typing import Any

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import count_assets

QGIS_NEEDS = {
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
}

# (CQL2 text, the same question in SQL over what the public sees)
ASSET_QUESTIONS = [
    ("category = 'gp-practice'", "c.slug = 'gp-practice'"),
    ("kind <> 'institution'", "a.kind <> 'institution'"),
    ("name LIKE 'Trafford%'", "a.name LIKE 'Trafford%'"),
    ("CASEI(name) LIKE CASEI('%LIBRARY%')", "lower(a.name) LIKE lower('%LIBRARY%')"),
    ("kind IN ('economic', 'association')", "a.kind IN ('economic', 'association')"),
    ("postcode IS NULL", "a.postcode IS NULL"),
    (
        "description IS NOT NULL AND kind = 'institution'",
        "a.description IS NOT NULL AND a.kind = 'institution'",
    ),
    (
        "NOT (kind = 'institution') OR category = 'library'",
        "NOT (a.kind = 'institution') OR c.slug = 'library'",
    ),
    ("postcode >= 'M33' AND postcode < 'M34'", "a.postcode >= 'M33' AND a.postcode < 'M34'"),
    ("postcode BETWEEN 'WA14' AND 'WA15'", "a.postcode BETWEEN 'WA14' AND 'WA15'"),
    ("updated_at > TIMESTAMP('2000-01-01T00:00:00Z')", "a.updated_at > '2000-01-01T00:00:00Z'"),
    ("updated_at <= TIMESTAMP('2000-01-01T00:00:00Z')", "a.updated_at <= '2000-01-01T00:00:00Z'"),
    (
        "S_INTERSECTS(geometry, BBOX(-2.36, 53.44, -2.30, 53.47))",
        "ST_Intersects(a.geom, ST_MakeEnvelope(-2.36, 53.44, -2.30, 53.47, 4326))",
    ),
    (
        "S_INTERSECTS(geometry, POLYGON((-2.36 53.44, -2.30 53.44, -2.30 53.47, -2.36 53.44)))"
        " AND category = 'charity'",
        "ST_Intersects(a.geom, ST_GeomFromText("
        "'POLYGON((-2.36 53.44, -2.30 53.44, -2.30 53.47, -2.36 53.44))', 4326))"
        " AND c.slug = 'charity'",
    ),
]


def _ids(client: TestClient, collection: str, **params: str) -> set[Any]:
    answer = client.get(f"/ogc/collections/{collection}/items", params={"limit": "10000", **params})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert not any(link["rel"] == "next" for link in body["links"])
    return {feature["id"] for feature in body["features"]}


def _sql_ids(session: Session, where: str) -> set[int]:
    rows = session.execute(
        text(
            "SELECT a.id FROM public_asset a LEFT JOIN category c ON c.id = a.category_id "
            f"WHERE a.status = 'published' AND ({where})"  # the test's own SQL, no input
        )
    )
    return {row.id for row in rows}


def test_qgis_finds_the_four_classes_and_the_queryables(demo_client: TestClient) -> None:
    conformance = demo_client.get("/ogc/conformance").json()["conformsTo"]
    collection = demo_client.get("/ogc/collections/assets").json()
    link = next(link for link in collection["links"] if link["rel"].endswith("/queryables"))
    queryables = demo_client.get(link["href"])

    assert set(conformance) >= QGIS_NEEDS
    assert queryables.status_code == 200
    assert queryables.headers["content-type"].startswith("application/schema+json")
    schema = queryables.json()
    assert schema["properties"]["category"] == {"title": "Category (slug)", "type": "string"}
    assert schema["properties"]["updated_at"]["format"] == "date-time"
    assert schema["properties"]["reach_m"]["type"] == "number"
    assert schema["properties"]["geometry"]["$ref"].startswith("https://geojson.org/")
    # never the fields only an asset's stewards read
    assert not {"created_by", "updated_by", "verified_by", "consent"} & set(schema["properties"])


@pytest.mark.parametrize(("cql", "sql"), ASSET_QUESTIONS)
def test_each_operator_answers_as_the_database_does(
    demo_client: TestClient, demo_session: Session, cql: str, sql: str
) -> None:
    expected = _sql_ids(demo_session, sql)

    assert _ids(demo_client, "assets", filter=cql) == expected
    assert expected or "IS NULL" in cql or "<=" in cql  # the question finds something


def test_text_and_json_give_the_same_features(demo_client: TestClient) -> None:
    as_json = {
        "op": "and",
        "args": [
            {"op": "=", "args": [{"property": "kind"}, "institution"]},
            {"op": "like", "args": [{"property": "postcode"}, "M3%"]},
        ],
    }
    by_text = _ids(demo_client, "assets", filter="kind = 'institution' AND postcode LIKE 'M3%'")
    by_json = _ids(
        demo_client, "assets", filter=json.dumps(as_json), **{"filter-lang": "cql2-json"}
    )

    assert by_text == by_json
    assert len(by_text) > 10


def test_a_box_in_british_national_grid_finds_the_same_as_in_lon_lat(
    demo_client: TestClient,
) -> None:
    # Stretford, about 1.5 km square, in EPSG:27700 and (the same box's corners) in lon/lat
    bng = _ids(
        demo_client,
        "assets",
        filter="S_INTERSECTS(geometry, BBOX(378000, 394000, 380000, 396000))",
        **{"filter-crs": "http://www.opengis.net/def/crs/EPSG/0/27700"},
    )
    everything = demo_client.get(
        "/ogc/collections/assets/items",
        params={
            "limit": "10000",
            "bbox": "378000,394000,380000,396000",
            "bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/27700",
        },
    ).json()["features"]

    assert bng == {feature["id"] for feature in everything}
    assert len(bng) > 5


def test_neighbourhoods_are_filtered_by_their_need(
    demo_client: TestClient, demo_session: Session
) -> None:
    most_deprived = demo_session.execute(
        text(
            "SELECT code FROM area WHERE level = 'lsoa' "
            "AND (indicators -> 'imd_decile' ->> 'value')::float <= 2"
        )
    ).scalars()

    found = _ids(demo_client, "areas", filter="level = 'lsoa' AND imd_decile <= 2")

    assert found == set(most_deprived)
    assert found


def test_a_queryable_is_a_query_parameter(demo_client: TestClient, demo_session: Session) -> None:
    by_parameter = _ids(demo_client, "assets", postcode="M32 0JT")

    assert by_parameter == _sql_ids(demo_session, "a.postcode = 'M32 0JT'")
    refused = demo_client.get("/ogc/collections/assets/items", params={"reach_m": "far"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "reach_m"


@pytest.mark.parametrize(
    "attack",
    [
        "kind = 'x'; DROP TABLE asset",
        "kind = 'x' OR 1=1 --",
        "name = '' OR ''='' ",
        "consent_publish = true",
        "created_by = 'steward@example.org'",
        "S_INTERSECTS(geometry, POINT(0 0)) OR pg_sleep(5) = 1",
        "kind = pg_read_file('/etc/passwd')",
        "reach_m = 'abc'",
        "geometry = 'x'",
        "kind LIKE 5",
        '{"op": "=", "args": [{"property": "kind"}, {"sql": "1=1"}]}',
    ],
)
def test_a_filter_that_tries_to_be_sql_changes_nothing_and_is_refused(
    demo_client: TestClient, demo_session: Session, attack: str
) -> None:
    before = count_assets(demo_session)

    refused = demo_client.get(
        "/ogc/collections/assets/items",
        params={
            "filter": attack,
            "filter-lang": "cql2-json" if attack.startswith("{") else "cql2-text",
        },
    )

    assert refused.status_code == 400, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"][0]["field"] == "filter"
    assert count_assets(demo_session) == before


def test_a_value_that_looks_like_sql_is_only_a_value(demo_client: TestClient) -> None:
    assert _ids(demo_client, "assets", filter="name = 'x'' OR ''1''=''1'") == set()


def test_an_unknown_property_is_named(demo_client: TestClient) -> None:
    refused = demo_client.get("/ogc/collections/assets/items", params={"filter": "colour = 'red'"})

    assert refused.status_code == 400
    assert "'colour'" in refused.json()["detail"]


def test_the_ogc_api_describes_itself_as_its_clients_read_it(demo_client: TestClient) -> None:
    landing = demo_client.get("/ogc").json()
    described = demo_client.get(
        next(link["href"] for link in landing["links"] if link["rel"] == "service-desc")
    ).json()

    assert described["servers"][0]["url"].endswith("/ogc")
    items = described["paths"]["/collections/{collectionId}/items"]["get"]
    parameters = {parameter["name"]: parameter for parameter in items["parameters"]}
    assert {"cql2-text", "cql2-json"} <= set(parameters["filter-lang"]["schema"]["enum"])
    assert {"filter", "filter-crs", "postcode", "reach_m", "imd_decile"} <= set(parameters)
    assert not any(path.startswith("/ogc") for path in described["paths"])


def test_a_tile_keeps_only_what_the_filter_finds(demo_client: TestClient) -> None:
    # zoom 9 over Trafford: every asset in one tile
    url = "/ogc/collections/assets/tiles/WebMercatorQuad/9/252/165"
    everything = mapbox_vector_tile.decode(demo_client.get(url).content)["assets"]["features"]
    libraries = mapbox_vector_tile.decode(
        demo_client.get(url, params={"filter": "category = 'library'"}).content
    )["assets"]["features"]

    assert len(everything) > 400
    assert {f["properties"]["category"] for f in libraries} == {"library"}
    assert len(libraries) == 13
