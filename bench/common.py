"""What the benchmarks share: a database of generated assets and a real server on a port."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from app import localdb
from app.db import make_engine, running_database_url
from app.settings import PROJECT_ROOT, DatabaseSettings

# Generated assets fall in this box (lon/lat): England and Wales, roughly.
BENCH_BOX = (-5.5, 50.5, 1.5, 55.5)
# A generated England: a 360 x 360 km square of British National Grid (about England's
# 130,000 km2), its lon/lat bounds, cut into 18 x 18 local authorities of 20 km, and into as
# many LSOA-like neighbourhoods as England has
ENGLAND = "E92000001"
SQUARE = (200_000.0, 100_000.0, 560_000.0, 460_000.0)
LONLAT_BOX = (-3.85, 50.75, 1.35, 54.05)
AUTHORITY_M = 20_000.0
AUTHORITIES_A_SIDE = 18
LSOAS = 32_844


def bench_database(
    name: str, assets: int, box: tuple[float, float, float, float] = BENCH_BOX
) -> str:
    """A migrated database `name` holding exactly `assets` generated published libraries,
    spread evenly over `box` (lon/lat)."""
    url = migrated_database(name)
    fill_assets(url, name, assets, box)
    return url


def fill_assets(url: str, name: str, assets: int, box: tuple[float, float, float, float]) -> None:
    """Make the database at `url` hold exactly `assets` generated published libraries, spread
    evenly over `box` (lon/lat), unless it already does."""
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


def generate_england(engine: Engine) -> bool:
    """Store a generated England (ENGLAND) unless it is there: its local authorities (codes
    L0000 to L0323, in rows of 18 from the south-west) and LSOAS neighbourhoods (Voronoi
    cells of random seeds, boundaries segmentised to 100 m so each has LSOA-like vertex
    counts) with population and IMD; whether it was made."""
    with engine.begin() as conn:
        if conn.scalar(text("SELECT count(*) FROM area WHERE level = 'lsoa'")) == LSOAS:
            return False
    print(f"generating {LSOAS:,} neighbourhoods in 324 local authorities ...", flush=True)
    x0, y0, x1, y1 = SQUARE
    square = {"x0": x0, "y0": y0, "x1": x1, "y1": y1, "side": AUTHORITY_M}
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM area"))
        conn.execute(
            text(
                "INSERT INTO area (code, name, level, geom) VALUES (:code, "
                "'England (generated)', 'local_authority', "
                "ST_Multi(ST_Transform(ST_MakeEnvelope(:x0, :y0, :x1, :y1, 27700), 4326)))"
            ),
            {"code": ENGLAND} | square,
        )
        conn.execute(
            text(
                "INSERT INTO area (code, name, level, parent_code, geom) "
                "SELECT 'L' || lpad((gx * :n + gy)::text, 4, '0'), "
                "  'Local authority ' || (gx * :n + gy), 'local_authority', :england, "
                "  ST_Multi(ST_Transform(ST_MakeEnvelope(:x0 + gx * :side, :y0 + gy * :side,"
                "    :x0 + (gx + 1) * :side, :y0 + (gy + 1) * :side, 27700), 4326)) "
                "FROM generate_series(0, :n - 1) AS gx, generate_series(0, :n - 1) AS gy"
            ),
            square | {"n": AUTHORITIES_A_SIDE, "england": ENGLAND},
        )
        conn.execute(
            text(
                """
                WITH seeds AS (
                    SELECT ST_Collect(ST_MakePoint(:x0 + random() * (:x1 - :x0),
                                                   :y0 + random() * (:y1 - :y0))) AS points
                      FROM generate_series(1, :lsoas)
                ), cells AS (
                    SELECT row_number() OVER () AS i,
                           ST_Intersection(cell.geom, ST_MakeEnvelope(:x0, :y0, :x1, :y1))
                               AS geom
                      FROM seeds,
                           ST_Dump(ST_VoronoiPolygons(seeds.points, 0,
                                   ST_MakeEnvelope(:x0, :y0, :x1, :y1))) AS cell
                ), placed AS (
                    SELECT i, geom, ST_PointOnSurface(geom) AS inside FROM cells
                )
                INSERT INTO area (code, name, level, parent_code, population, indicators, geom)
                SELECT 'G' || lpad(i::text, 8, '0'), 'Generated ' || i, 'lsoa',
                       'L' || lpad((least(floor((ST_X(inside) - :x0) / :side), :n - 1) * :n
                                   + least(floor((ST_Y(inside) - :y0) / :side), :n - 1)
                                   )::integer::text, 4, '0'),
                       1000 + floor(random() * 2000)::integer,
                       jsonb_build_object(
                           'imd_score', jsonb_build_object('value', round(random() * 80)),
                           'imd_decile', jsonb_build_object('value', 1 + floor(random() * 10))),
                       ST_Multi(ST_Transform(
                           ST_SetSRID(ST_Segmentize(geom, 100), 27700), 4326))
                  FROM placed
                """
            ),
            square | {"lsoas": LSOAS, "n": AUTHORITIES_A_SIDE},
        )
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE area"))
    return True


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


def timed(work: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """The median time (seconds) of `runs` runs after a warm-up, and the last result."""
    result = work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result
