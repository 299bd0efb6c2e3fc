"""An analyst copies only the GP practices with `ogr2ogr -where`: GDAL's OAPIF driver sends
the question to the server (seen in the requests it makes), which answers only them."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import geopandas as gpd
import httpx


def test_ogr2ogr_where_is_asked_of_the_server(demo_server: str, tmp_path: Path) -> None:
    target = tmp_path / "gps.gpkg"
    done = subprocess.run(
        [
            "ogr2ogr",
            "-f",
            "GPKG",
            str(target),
            f"OAPIF:{demo_server}/ogc",
            "assets",
            "-where",
            "category = 'gp-practice'",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=os.environ | {"CPL_CURL_VERBOSE": "YES"},
    )
    assert done.returncode == 0, done.stderr

    asked = [
        line for line in done.stderr.splitlines() if line.startswith("> GET") and "/items" in line
    ]
    # the first request reads the layer's fields; every one after it asks for GP practices
    filtered = [line for line in asked if re.search(r"[?&]filter=category", line)]
    assert filtered and "filter-lang=cql-text" in filtered[0]
    assert all(line in filtered for line in asked if "after=" in line)
    copied = gpd.read_file(target)
    gps = httpx.get(
        f"{demo_server}/ogc/collections/assets/items",
        params={"filter": "category = 'gp-practice'", "limit": 1000},
    ).json()["features"]
    assert len(copied) == len(gps) == 26
    assert set(copied["category"]) == {"gp-practice"}
