"""`assetmap db up/down/status/url` run a project-local cluster that keeps its data."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from app import localdb
from app.settings import PROJECT_ROOT, DatabaseSettings

ASSETMAP = [sys.executable, "-m", "app.cli"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ASSETMAP, *args],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def cluster_env() -> Iterator[dict[str, str]]:
    # Under /tmp rather than pytest's own (closed) temporary folder: the server's OS user
    # must be able to enter it.
    folder = Path(tempfile.mkdtemp(prefix="assetmap-cluster-", dir="/tmp"))
    folder.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(ASSETMAP_DB_DIR=str(folder / "pg"), ASSETMAP_DB_PORT=str(_free_port()))
    yield env
    run_cli(env, "db", "down")
    shutil.rmtree(folder, ignore_errors=True)


def test_a_local_cluster_starts_stops_and_keeps_its_data(cluster_env: dict[str, str]) -> None:
    first = run_cli(cluster_env, "db", "up")
    assert first.returncode == 0, first.stderr
    assert "created a PostgreSQL cluster" in first.stdout
    url = run_cli(cluster_env, "db", "url").stdout.strip()
    assert f":{cluster_env['ASSETMAP_DB_PORT']}/assetmap" in url
    libpq = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(libpq, autocommit=True) as conn:
        assert conn.execute("SELECT postgis_lib_version()").fetchone()[0].startswith("3.")
        conn.execute("CREATE TABLE kept (answer int)")
        conn.execute("INSERT INTO kept VALUES (42)")

    assert run_cli(cluster_env, "db", "status").returncode == 0
    assert run_cli(cluster_env, "db", "down").returncode == 0
    stopped = run_cli(cluster_env, "db", "status")
    assert stopped.returncode == 1 and "not running" in stopped.stdout

    again = run_cli(cluster_env, "db", "up")
    assert again.returncode == 0, again.stderr
    assert "created" not in again.stdout
    with psycopg.connect(libpq) as conn:
        assert conn.execute("SELECT answer FROM kept").fetchone() == (42,)


def test_with_database_url_every_command_uses_that_server(cluster_env: dict[str, str]) -> None:
    env = cluster_env | {"DATABASE_URL": "postgresql://someone:secret@db.example:5433/assets"}

    assert run_cli(env, "db", "url").stdout.strip() == (
        "postgresql+psycopg://someone:secret@db.example:5433/assets"
    )
    down = run_cli(env, "db", "down")
    assert down.returncode == 1 and "DATABASE_URL" in down.stderr


def test_a_port_in_use_is_a_clear_error(cluster_env: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", int(cluster_env["ASSETMAP_DB_PORT"])))
        taken.listen()
        result = run_cli(cluster_env, "db", "up")

    assert result.returncode == 1
    assert "ASSETMAP_DB_PORT" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_checkout_the_server_user_cannot_enter_keeps_its_cluster_elsewhere() -> None:
    closed = Path(tempfile.mkdtemp(prefix="assetmap-closed-", dir="/tmp"))  # mode 700
    try:
        settings = DatabaseSettings(dir=closed / "checkout" / ".data" / "pg")

        cluster = localdb.cluster_for(settings)

        if os.geteuid() == 0:  # the server runs as `postgres`, who cannot enter `closed`
            assert cluster.os_user == "postgres"
            assert cluster.base.parent.parent == Path("/var/lib/assetmap")
        else:  # the server runs as this user, who can
            assert cluster.base == settings.dir
    finally:
        shutil.rmtree(closed)


def test_a_replica_needs_the_local_database_running_first(cluster_env: dict[str, str]) -> None:
    up = run_cli(cluster_env, "db", "replica", "up")
    assert up.returncode == 1
    assert "assetmap db up" in up.stderr and "Traceback" not in up.stderr

    status = run_cli(cluster_env, "db", "replica", "status")
    assert status.returncode == 1 and "not running" in status.stdout
    url = run_cli(cluster_env, "db", "replica", "url")
    assert url.returncode == 1 and "assetmap db replica up" in url.stderr
