"""`assetmap import ...` and `assetmap demo`, as an analyst runs them in a terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from app.db import make_engine
from app.settings import PROJECT_ROOT
from tests.conftest import alembic_config, create_database, drop_database


@pytest.fixture(scope="module")
def cli_env(base_url: str) -> Iterator[dict[str, str]]:
    """The CLI pointed by DATABASE_URL at a migrated database of its own."""
    url = create_database(base_url, "assetmap_cli")
    command.upgrade(alembic_config(url), "head")
    yield os.environ | {"DATABASE_URL": url, "COLUMNS": "200"}
    drop_database(url)


def _assetmap(
    env: dict[str, str], *args: str, cwd: Path = PROJECT_ROOT
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _count(env: dict[str, str], source: str) -> int:
    engine = make_engine(env["DATABASE_URL"], pool_size=1)
    with engine.connect() as conn:
        count = conn.scalar(text("SELECT count(*) FROM asset WHERE source = :s"), {"s": source})
    engine.dispose()
    return int(count or 0)


def test_import_reports_counts_and_writes_the_rejects(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "clubs.csv"
    path.write_text("id,name,lon,lat\n1,Lunch club,-2.3157,53.4466\n2,,-2.31,53.44\n")
    args = (
        "import",
        "assets",
        str(path),
        "--kind",
        "association",
        "--source",
        "cli-test",
        "--ref-field",
        "id",
        "--lon-field",
        "lon",
        "--lat-field",
        "lat",
    )

    first = _assetmap(cli_env, *args, cwd=tmp_path)
    strict = _assetmap(cli_env, *args, "--strict", cwd=tmp_path)

    assert first.returncode == 0, first.stderr
    assert "1 inserted, 0 updated, 0 unchanged, 1 rejected" in first.stdout
    assert "row 2:" in first.stdout
    # the database's time over the file's one chunk
    assert "2 rows in " in first.stdout
    assert "1 chunks written, seconds per chunk: min " in first.stdout
    rejects = (tmp_path / "clubs.rejects.csv").read_text()
    assert rejects.splitlines()[0] == "row,reason,original"
    assert rejects.splitlines()[1].startswith("2,")
    assert strict.returncode == 1
    assert "0 inserted, 0 updated, 1 unchanged, 1 rejected" in strict.stdout
    assert _count(cli_env, "cli-test") == 1


def test_a_broken_file_is_a_message_not_a_traceback(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [')

    result = _assetmap(
        cli_env, "import", "assets", str(path), "--kind", "physical", "--source", "broken"
    )

    assert result.returncode == 1
    assert "broken.geojson" in result.stderr
    assert "Traceback" not in result.stderr
    assert _count(cli_env, "broken") == 0


def test_demo_twice(cli_env: dict[str, str]) -> None:
    first = _assetmap(cli_env, "demo")
    second = _assetmap(cli_env, "demo")

    assert first.returncode == 0, first.stderr
    assert "LSOAs 2011: 138 inserted" in first.stdout
    assert "gp_practices.geojson: 26 inserted" in first.stdout
    assert second.returncode == 0, second.stderr
    lines = [line for line in second.stdout.splitlines() if "inserted" in line]
    assert len(lines) == 15  # areas, indicators, postcodes, the asset files, food bank hours
    assert "food bank hours: 0 inserted, 0 updated, 7 unchanged" in second.stdout
    assert all(" 0 inserted, 0 updated" in line for line in lines), second.stdout
