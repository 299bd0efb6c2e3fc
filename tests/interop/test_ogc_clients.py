"""An analyst adds the live layers to GDAL and OWSLib: the real clients, against the real
server (uvicorn) on the demo locality."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import geopandas as gpd
import httpx
from owslib.ogcapi.features import Features


def _all_items(base: str, collection: str) -> list[dict[str, object]]:
    """Every item, following `next` links, as the API gives them."""
    url: str | None = f"{base}/ogc/collections/{collection}/items?limit=200"
    features: list[dict[str, object]] = []
    while url is not None:
        page = httpx.get(url, timeout=30).json()
        features += page["features"]
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
    return features


def _ogr(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_ogrinfo_lists_both_collections_with_the_apis_counts(demo_server: str) -> None:
    listing = _ogr("ogrinfo", "-ro", "-q", f"OAPIF:{demo_server}/ogc")
    assert re.search(r"\d+: assets\b", listing) and re.search(r"\d+: areas\b", listing)

    for collection in ("assets", "areas"):
        summary = _ogr("ogrinfo", "-ro", "-so", f"OAPIF:{demo_server}/ogc", collection)
        count = int(re.search(r"Feature Count: (\d+)", summary).group(1))  # type: ignore[union-attr]
        assert count == len(_all_items(demo_server, collection)) > 100


def test_ogr2ogr_copies_every_asset_into_a_geopackage(demo_server: str, tmp_path: Path) -> None:
    target = tmp_path / "assets.gpkg"
    _ogr("ogr2ogr", "-f", "GPKG", str(target), f"OAPIF:{demo_server}/ogc", "assets")

    copied = gpd.read_file(target)
    items = _all_items(demo_server, "assets")
    assert len(copied) == len(items)
    assert sorted(copied["name"]) == sorted(item["properties"]["name"] for item in items)  # type: ignore[index]
    assert copied.crs.to_epsg() == 4326


def test_owslib_reads_items_by_bbox_and_page(demo_server: str) -> None:
    service = Features(f"{demo_server}/ogc")
    assert {c["id"] for c in service.collections()["collections"]} == {"assets", "areas"}
    stretford = [-2.33, 53.43, -2.29, 53.46]

    first = service.collection_items("assets", bbox=stretford, limit=5)
    assert first["numberReturned"] == 5
    next_link = next(link["href"] for link in first["links"] if link["rel"] == "next")
    cursor = httpx.URL(next_link).params["after"]
    second = service.collection_items("assets", bbox=stretford, limit=5, after=cursor)

    seen = [f["id"] for f in first["features"]] + [f["id"] for f in second["features"]]
    assert len(seen) == len(set(seen)) == 10  # two pages, no repeats
    for feature in first["features"] + second["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert stretford[0] <= lon <= stretford[2] and stretford[1] <= lat <= stretford[3]
