"""What the benchmarks share: a database of generated assets and a real server on a port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from app import localdb
from app.db import make_engine, running_database_url
from app.settings import PROJECT_ROOT, DatabaseSettings

# Generated assets fall in this box (lon/lat): England and Wales, roughly.
BENCH_BOX = (-5.5, 50.5, 1.5, 55.5)


def bench_database(
    name: str, assets: int, box: tuple[float, float, float, float] = BENCH_BOX
) -> str:
    """A migrated database `name` holding exactly `assets` generated published libraries,
    spread evenly over `box` (lon/lat)."""
    url = migrated_database(name)
    engine = make_engine(url, pool_size=1)
    with engine.begin() as conn:
        have = conn.scalar(text("SELECT count(*) FROM asset"))
        if have != assets:
            print(f"generating {assets:,} assets in {name} ...", flush=True)
            conn.execute(text("TRUNCATE asset RESTART IDENTITY CASCADE"))
            minlon, minlat, maxlon, maxlat = box
            conn.execute(
                text(
                    "INSERT INTO asset (name, kind, category_id, outcomes, geom, source, "
                    "source_ref) "
                    "SELECT 'Asset ' || i, 'institution', "
                    "  (SELECT id FROM category WHERE slug = 'library'), "
                    "  ARRAY['learning-skills'], "
                    "  ST_SetSRID(ST_MakePoint(:minlon + random() * (:maxlon - :minlon), "
                    "                          :minlat + random() * (:maxlat - :minlat)), 4326),"
                    "  'bench', i::text "
                    "FROM generate_series(1, :n) AS i"
                ),
                {
                    "n": assets,
                    "minlon": minlon,
                    "minlat": minlat,
                    "maxlon": maxlon,
                    "maxlat": maxlat,
                },
            )
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE asset"))
    engine.dispose()
    return url


def migrated_database(name: str, revision: str = "head") -> str:
    """The database `name` on the server users get (`DATABASE_URL`, or the local cluster,
    started if need be), created with PostGIS if missing and brought to the schema of
    `revision` (the newest by default) by the migrations; returns its URL."""
    url = running_database_url(DatabaseSettings()).rsplit("/", 1)[0] + "/" + name
    localdb.ensure_database(url, url.rsplit("/", 1)[0] + "/postgres")
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["url"] = url
    config.attributes["configure_logger"] = False
    command.upgrade(config, revision)
    return url


def drop_database(name: str) -> None:
    """Drop the database `name` from the server users get, if it is there, even with clients
    still connected to it."""
    url = running_database_url(DatabaseSettings()).rsplit("/", 1)[0] + "/postgres"
    admin = make_engine(url, pool_size=1).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Server:
    """A server process the benchmark started: its base URL and process id."""

    base: str
    pid: int


@contextmanager
def serving(
    command: list[str], env: dict[str, str], port: int, ready_path: str
) -> Iterator[Server]:
    """Run `command` (a server listening on 127.0.0.1:`port`) until `ready_path` answers 200,
    yield it, and stop it afterwards."""
    server = subprocess.Popen(
        command, env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + ready_path, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError(f"{command[0]} {' '.join(command[1:4])} did not start")
            time.sleep(0.2)
        yield Server(base, server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # still busy with work for clients long gone
            server.kill()
            server.wait()


@contextmanager
def running_server(database_url: str, workers: int = 1) -> Iterator[Server]:
    """`assetmap serve` on a free port against `database_url`. With one worker the yielded
    process is the one answering requests."""
    port = free_port()
    serve = [sys.executable, "-m", "app.cli", "serve"]
    command = [*serve, "--port", str(port), "--workers", str(workers)]
    env = os.environ | {"DATABASE_URL": database_url}
    with serving(command, env, port, "/health") as server:
        yield server


@contextmanager
def running_service(database_url: str, workers: int = 1) -> Iterator[str]:
    """`assetmap serve` on a free port against `database_url`; yields its base URL."""
    with running_server(database_url, workers) as server:
        yield server.base


def memory_mb(pid: int, field: str = "VmHWM") -> float:
    """A process's resident memory from /proc/<pid>/status, in MB: `VmRSS` now, or `VmHWM`
    its peak. 0 once the process has released its memory."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_measured(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run `command` to its end; its wall seconds and peak resident memory (MB).

    The peak is the process's own VmHWM, read while it runs: getrusage's ru_maxrss for a
    child also counts the memory of the process that started it (held until its exec).
    """
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        peak = 0.0
        while process.poll() is None:
            with suppress(FileNotFoundError):  # it ended in between
                peak = max(peak, memory_mb(process.pid))
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        if process.returncode != 0:
            errors.seek(0)
            raise RuntimeError(f"{command[:4]} failed: {errors.read().decode(errors='replace')}")
    return seconds, peak
