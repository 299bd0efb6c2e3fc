"""`assetmap export`: the same layers as the API's downloads, written to files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
from fastapi.testclient import TestClient

from app.settings import PROJECT_ROOT


def _assetmap(demo_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "export", *args],
        env=os.environ | {"DATABASE_URL": demo_url},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_export_writes_each_format_as_the_api_serves_it(
    demo_url: str, demo_client: TestClient, tmp_path: Path
) -> None:
    for suffix in ("geojson", "csv"):
        path = tmp_path / f"gps.{suffix}"
        done = _assetmap(demo_url, "assets", str(path), "--category", "gp-practice")
        assert done.returncode == 0, done.stderr
        served = demo_client.get(f"/exports/assets.{suffix}?category=gp-practice").content
        assert path.read_bytes() == served

    wards = tmp_path / "wards.gpkg"
    assert _assetmap(demo_url, "areas", str(wards), "--level", "ward").returncode == 0
    assert len(gpd.read_file(wards)) == 21


def test_export_refuses_what_it_cannot_write(demo_url: str, tmp_path: Path) -> None:
    spreadsheet = _assetmap(demo_url, "assets", str(tmp_path / "assets.xlsx"))
    unknown = _assetmap(demo_url, "assets", str(tmp_path / "a.csv"), "--category", "unicorns")

    assert spreadsheet.returncode == 1 and ".geojson, .csv or .gpkg" in spreadsheet.stderr
    assert unknown.returncode == 1 and "unknown category" in unknown.stderr
    assert list(tmp_path.iterdir()) == []
