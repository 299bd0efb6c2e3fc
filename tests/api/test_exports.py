"""An analyst downloads the layers for QGIS: GeoJSON (RFC 7946), CSV and GeoPackage read
back with geopandas hold the same rows as the API, with the same privacy."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from shapely import wkt
from shapely.geometry import shape

from tests.conftest import asset_feature


def _api_assets(client: TestClient, query: str = "") -> dict[int, dict[str, Any]]:
    body = client.get(f"/assets?limit=10000{query}").json()
    return {feature["id"]: feature for feature in body["features"]}


def _download(client: TestClient, url: str, tmp_path: Path) -> Path:
    response = client.get(url)
    assert response.status_code == 200, response.text
    name = re.search(r'filename="([^"]+)"', response.headers["content-disposition"])
    assert name is not None
    path = tmp_path / name.group(1)
    path.write_bytes(response.content)
    return path


def test_geojson_export_is_rfc_7946_with_every_asset(demo_client: TestClient) -> None:
    response = demo_client.get("/exports/assets.geojson")
    collection = response.json()

    assert response.headers["content-type"] == "application/geo+json"
    assert 'filename="assets.geojson"' in response.headers["content-disposition"]
    assert collection["type"] == "FeatureCollection" and "crs" not in collection
    api = _api_assets(demo_client)
    assert {f["id"]: f for f in collection["features"]} == api
    digits = re.findall(r"\.(\d+)", json.dumps([f["geometry"] for f in collection["features"]]))
    assert max(len(d) for d in digits) <= 7


def test_area_export_winds_polygons_right_hand(demo_client: TestClient) -> None:
    collection = demo_client.get("/exports/areas.geojson?level=lsoa").json()

    assert len(collection["features"]) == 138
    for feature in collection["features"]:
        for polygon in shape(feature["geometry"]).geoms:
            assert polygon.exterior.is_ccw
            assert all(not ring.is_ccw for ring in polygon.interiors)


def test_csv_has_lon_lat_and_footprints_as_wkt(demo_client: TestClient) -> None:
    response = demo_client.get("/exports/assets.csv")
    table = pd.read_csv(io.StringIO(response.text))

    assert response.headers["content-type"].startswith("text/csv")
    api = _api_assets(demo_client)
    assert sorted(table["id"]) == sorted(api)
    for row in table.itertuples():
        lon, lat = api[row.id]["geometry"]["coordinates"]
        assert (row.lon, row.lat) == pytest.approx((lon, lat), abs=1e-7)
        assert row.name == api[row.id]["properties"]["name"]
    footprints = table.dropna(subset=["footprint_wkt"])
    assert len(footprints) > 100  # places of worship and post offices keep their outlines
    for row in footprints.itertuples():
        outline = wkt.loads(row.footprint_wkt)
        expected = shape(api[row.id]["properties"]["footprint"])
        assert outline.symmetric_difference(expected).area < 1e-12


def test_geopackage_reads_back_to_the_same_rows(demo_client: TestClient, tmp_path: Path) -> None:
    path = _download(demo_client, "/exports/assets.gpkg?category=gp-practice", tmp_path)
    layer = gpd.read_file(path, layer="assets")

    api = _api_assets(demo_client, "&category=gp-practice")
    assert layer.crs.to_epsg() == 4326
    assert sorted(layer["id"]) == sorted(api) and len(api) == 26
    for row in layer.itertuples():
        assert [row.geometry.x, row.geometry.y] == pytest.approx(
            api[row.id]["geometry"]["coordinates"], abs=1e-7
        )

    areas = gpd.read_file(_download(demo_client, "/exports/areas.gpkg?level=ward", tmp_path))
    assert len(areas) == 21 and set(areas.geom_type) == {"MultiPolygon"}


def test_filters_apply_to_every_format(demo_client: TestClient, tmp_path: Path) -> None:
    query = "?bbox=-2.33,53.43,-2.29,53.46&kind=association"
    expected = set(_api_assets(demo_client, "&" + query[1:]))

    geojson = demo_client.get("/exports/assets.geojson" + query).json()["features"]
    table = pd.read_csv(io.StringIO(demo_client.get("/exports/assets.csv" + query).text))
    package = gpd.read_file(_download(demo_client, "/exports/assets.gpkg" + query, tmp_path))

    assert expected
    assert {f["id"] for f in geojson} == set(table["id"]) == set(package["id"]) == expected


def test_no_export_shows_a_person_without_consent_or_their_home(
    demo_client: TestClient, tmp_path: Path
) -> None:
    home = (-2.31234, 53.44567)
    hidden = asset_feature(*home, name="Ann's knitting", kind="individual", category="skill")
    shown = asset_feature(
        *home,
        name="Bob's bike repairs",
        kind="individual",
        category="skill",
        address="1 Private Road",
        contact={"phone": "07700 900456"},
        consent={"publish": True},
    )
    for person in (hidden, shown):
        assert demo_client.post("/assets", json=person).status_code == 201
    public = next(
        f
        for f in _api_assets(demo_client).values()
        if f["properties"]["name"] == "Bob's bike repairs"
    )
    shown_at = public["geometry"]["coordinates"]
    assert shown_at != pytest.approx(list(home), abs=1e-4)  # the API shows the neighbourhood

    geojson = demo_client.get("/exports/assets.geojson").text
    table = pd.read_csv(io.StringIO(demo_client.get("/exports/assets.csv").text))
    package = gpd.read_file(_download(demo_client, "/exports/assets.gpkg", tmp_path))

    bob = [f for f in json.loads(geojson)["features"] if f["id"] == public["id"]]
    assert [f["geometry"]["coordinates"] for f in bob] == [shown_at]
    row = table[table["id"] == public["id"]].iloc[0]
    assert [row["lon"], row["lat"]] == pytest.approx(shown_at, abs=1e-7)
    point = package[package["id"] == public["id"]].geometry.iloc[0]
    assert [point.x, point.y] == pytest.approx(shown_at, abs=1e-7)
    ogc = demo_client.get("/ogc/collections/assets/items?kind=individual&limit=1000").text
    ogc_bob = [f for f in json.loads(ogc)["features"] if f["id"] == public["id"]]
    assert [f["geometry"]["coordinates"] for f in ogc_bob] == [shown_at]
    everything = geojson + table.to_csv() + package.drop(columns="geometry").to_csv() + ogc
    assert "Ann's knitting" not in everything
    assert "1 Private Road" not in everything and "07700 900456" not in everything


@pytest.mark.parametrize(
    ("url", "status", "field"),
    [
        ("/exports/assets.xlsx", 422, "format"),
        ("/exports/assets.csv?category=unicorn-stables", 422, "category"),
        ("/exports/assets.geojson?within_m=100", 422, "within_m"),
        ("/exports/areas.csv?level=county", 422, "level"),
    ],
)
def test_bad_export_requests(demo_client: TestClient, url: str, status: int, field: str) -> None:
    response = demo_client.get(url)

    assert response.status_code == status
    assert field in [error["field"] for error in response.json()["errors"]]
