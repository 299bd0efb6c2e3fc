"""`assetmap gaps`: an analyst asks the same question in a terminal and gets the API's
answer, printed and written to a file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from app.settings import PROJECT_ROOT

GP = ("--within", "E08000009", "--category", "gp-practice")


def _assetmap(demo_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "gaps", *args],
        env=os.environ | {"DATABASE_URL": demo_url, "COLUMNS": "200"},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_table_and_files_are_the_apis_answer(
    demo_url: str, demo_client: TestClient, tmp_path: Path
) -> None:
    api = demo_client.get("/gaps?within=E08000009&category=gp-practice").json()
    first = api["areas"][0]

    as_csv = _assetmap(demo_url, *GP, "--output", str(tmp_path / "gaps.csv"))
    as_geojson = _assetmap(demo_url, *GP, "--top", "5", "--output", str(tmp_path / "g.geojson"))

    assert as_csv.returncode == 0, as_csv.stderr
    covered = api["summary"]["population_covered"]
    assert f"{covered} of 237354 people covered" in as_csv.stdout
    assert first["code"] in as_csv.stdout and first["name"] in as_csv.stdout
    assert as_csv.stdout.count("E01") == 138
    assert as_geojson.stdout.count("E01") == 5
    csv_from_api = demo_client.get("/gaps?within=E08000009&category=gp-practice&f=csv").text
    assert (tmp_path / "gaps.csv").read_bytes() == csv_from_api.encode()
    written = json.loads((tmp_path / "g.geojson").read_text())
    assert [f["properties"] for f in written["features"]] == api["areas"]


def test_suggestions_are_printed_with_the_solver_used(demo_url: str) -> None:
    result = _assetmap(
        demo_url, "--within", "E08000009", "--category", "food-bank", "--suggest", "2"
    )

    assert result.returncode == 0, result.stderr
    assert "where next (exact)" in result.stdout
    assert result.stdout.count("  1. ") == 1 and result.stdout.count("  2. ") == 1


def test_bad_questions_exit_non_zero_with_the_reason(demo_url: str, tmp_path: Path) -> None:
    unknown = _assetmap(demo_url, "--within", "E08000009", "--category", "unicorn-stables")
    too_far = _assetmap(demo_url, "--within", "E08000009", "--distance-m", "0")
    bad_file = _assetmap(demo_url, *GP, "--output", str(tmp_path / "gaps.xlsx"))
    no_sites = _assetmap(demo_url, *GP, "--suggest", "0")

    assert unknown.returncode == 1 and "unknown category 'unicorn-stables'" in unknown.stderr
    assert too_far.returncode == 1 and "distance_m" in too_far.stderr
    assert bad_file.returncode == 1 and ".geojson or .csv" in bad_file.stderr
    assert not (tmp_path / "gaps.xlsx").exists()
    assert no_sites.returncode == 1 and "k: must be between 1" in no_sites.stderr
