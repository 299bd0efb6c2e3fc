"""Vector tiles as a web map reads them: decoded with mapbox-vector-tile, holding the
features the API has in that tile, cached by ETag."""

from __future__ import annotations

import math
from typing import Any

import mapbox_vector_tile
from fastapi.testclient import TestClient
from shapely.geometry import box, shape

from tests.conftest import asset_feature

TILE = "/ogc/collections/{}/tiles/WebMercatorQuad/{}/{}/{}"
MARGIN = 64 / 4096  # the tiles' buffer, as a share of a tile


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def _bounds(z: int, x: int, y: int, margin: float = 0.0) -> tuple[float, float, float, float]:
    """The tile's lon/lat box, widened by `margin` tiles on each side."""
    n = 2**z

    def lon(col: float) -> float:
        return col / n * 360 - 180

    def lat(row: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return lon(x - margin), lat(y + 1 + margin), lon(x + 1 + margin), lat(y - margin)


def _decode(client: TestClient, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    decoded: dict[str, Any] = mapbox_vector_tile.decode(response.content)
    return decoded


def _public_assets(client: TestClient) -> list[dict[str, Any]]:
    features: list[dict[str, Any]] = client.get("/assets?limit=10000").json()["features"]
    return features


def test_a_street_level_tile_holds_the_assets_inside_it(demo_client: TestClient) -> None:
    z = 14
    x, y = _tile_of(-2.3096, 53.4461, z)  # Stretford
    inside, around = box(*_bounds(z, x, y)), box(*_bounds(z, x, y, MARGIN))
    every = _public_assets(demo_client)
    surely_in = {f["id"] for f in every if inside.contains(shape(f["geometry"]))}
    maybe_in = {f["id"] for f in every if around.covers(shape(f["geometry"]))}

    layer = _decode(demo_client, TILE.format("assets", z, x, y))["assets"]

    found = {feature["id"] for feature in layer["features"]}
    assert surely_in and surely_in <= found <= maybe_in
    names = {f["id"]: f["properties"]["name"] for f in every}
    assert all(
        feature["properties"]["name"] == names[feature["id"]] for feature in layer["features"]
    )


def test_one_polygon_per_neighbourhood_in_the_tile(demo_client: TestClient) -> None:
    z = 12
    x, y = _tile_of(-2.3096, 53.4461, z)
    inside, around = box(*_bounds(z, x, y)), box(*_bounds(z, x, y, MARGIN))
    lsoas = demo_client.get("/areas?level=lsoa&limit=1000").json()["features"]
    surely_in = {a["id"] for a in lsoas if shape(a["geometry"]).intersection(inside).area > 1e-9}
    maybe_in = {a["id"] for a in lsoas if shape(a["geometry"]).intersects(around)}

    layer = _decode(demo_client, TILE.format("areas", z, x, y) + "?level=lsoa")["areas"]

    codes = [feature["properties"]["code"] for feature in layer["features"]]
    assert len(codes) == len(set(codes))
    assert surely_in and surely_in <= set(codes) <= maybe_in


def test_filters_and_privacy_hold_in_tiles(demo_client: TestClient) -> None:
    z = 14
    x, y = _tile_of(-2.3096, 53.4461, z)
    home = (-2.3096, 53.4461)
    person = asset_feature(*home, name="Maria's sewing", kind="individual", category="skill")
    assert demo_client.post("/assets", json=person).status_code == 201

    every = _decode(demo_client, TILE.format("assets", z, x, y))["assets"]["features"]
    groups = _decode(demo_client, TILE.format("assets", z, x, y) + "?kind=association")

    assert "Maria's sewing" not in {f["properties"]["name"] for f in every}
    assert {f["properties"]["kind"] for f in groups["assets"]["features"]} == {"association"}


def test_a_repeated_request_with_its_etag_gets_304(demo_client: TestClient) -> None:
    x, y = _tile_of(-2.3096, 53.4461, 12)
    url = TILE.format("assets", 12, x, y)
    first = demo_client.get(url)
    again = demo_client.get(url, headers={"If-None-Match": first.headers["etag"]})
    other = demo_client.get(TILE.format("assets", 12, x + 1, y))

    assert again.status_code == 304 and again.content == b""
    assert other.headers["etag"] != first.headers["etag"]


def test_tilejson_and_tiles_outside_the_grid(demo_client: TestClient) -> None:
    tilejson = demo_client.get("/ogc/collections/assets/tiles/WebMercatorQuad/tilejson.json")
    outside = demo_client.get(TILE.format("assets", 3, 9, 1))

    assert tilejson.json()["tiles"][0].endswith("/assets/tiles/WebMercatorQuad/{z}/{x}/{y}")
    assert tilejson.json()["vector_layers"][0]["id"] == "assets"
    assert outside.status_code == 404
    assert outside.json()["errors"][0]["field"] == "x"
