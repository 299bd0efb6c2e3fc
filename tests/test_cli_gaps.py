"""`assetmap gaps`: an analyst asks the same question in a terminal and gets the API's
answer, printed and written to a file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.settings import PROJECT_ROOT
from tests.analysis import travel

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


def test_travel_times_from_a_file_give_the_apis_answer(
    demo_url: str, demo_client: TestClient, demo_session: Session, tmp_path: Path
) -> None:
    # the CLI reads the committed demo data: a matrix of the practices every test sees
    frame = travel.matrix(demo_session, "gp-practice", seed=4, unreachable_rows=5)
    (tmp_path / "times.parquet").write_bytes(travel.as_parquet(frame))
    asked = ("--costs", str(tmp_path / "times.parquet"), "--threshold-minutes", "15")

    result = _assetmap(
        demo_url, *GP, *asked, "--method", "3sfca", "--output", str(tmp_path / "gaps.csv")
    )

    assert result.returncode == 0, result.stderr
    api = demo_client.post(
        "/gaps",
        params={
            "within": "E08000009",
            "category": "gp-practice",
            "threshold_minutes": 15,
            "method": "3sfca",
            "f": "csv",
        },
        files={"costs": ("times.csv", travel.as_csv(frame), "text/csv")},
    )
    assert (tmp_path / "gaps.csv").read_bytes() == api.content
    assert "nearest min" in result.stdout


def test_a_bad_matrix_exits_non_zero_naming_the_row(demo_url: str, tmp_path: Path) -> None:
    matrix = tmp_path / "times.csv"
    matrix.write_text("origin,destination,minutes\nE01006074,1,soon\n")

    bad = _assetmap(demo_url, *GP, "--costs", str(matrix), "--threshold-minutes", "15")
    alone = _assetmap(demo_url, *GP, "--costs", str(matrix))
    missing = _assetmap(
        demo_url, *GP, "--costs", str(tmp_path / "none.csv"), "--threshold-minutes", "15"
    )

    assert bad.returncode == 1 and "costs.0.minutes: 'soon' is not a number" in bad.stderr
    assert alone.returncode == 1 and "go together" in alone.stderr
    assert missing.returncode == 1 and "no file" in missing.stderr
