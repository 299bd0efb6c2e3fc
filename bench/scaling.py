"""One primary and one worker against four workers and a streaming replica, on a generated
England: 32,844 LSOA-like neighbourhoods (Voronoi cells over a 360 x 360 km square of British
National Grid) in 324 generated local authorities of 20 x 20 km, and 2,000,000 assets.

Each configuration is the real service (`assetmap serve`) under wrk for a fixed time per
endpoint, printing requests per second (answered 200s only) and p99 latency:

- items: `/ogc/collections/assets/items?bbox=...&limit=100`, boxes of about 3 x 3 km spread
  over England;
- tiles: `/ogc/collections/assets/tiles/WebMercatorQuad/12/{x}/{y}`, z12 tiles over England;
- gaps: `/gaps?within=<local authority>&category=library&distance_m=...`, a new question each
  time (a local authority and a reach not asked before in the run, so each is built rather
  than served from the spool), on 4 connections in every setup, with ASSETMAP_MAX_ANALYSES=4
  so that no worker answers 503 (past its bound it would, by design).

The baseline is the first configuration, one worker on the primary alone, measured in the
same run; "4 workers, primary" is measured too, to tell the workers' share from the
replica's. The cluster and its replica are project-local, in .data/bench-scaling, kept between
runs (the data is generated once). Run with `python -m bench.scaling`; ASSETMAP_BENCH_ASSETS
and ASSETMAP_BENCH_SECONDS change the size and the time per measurement.

This machine has 2 cores shared with other work: the primary, the replica, the workers and
wrk all run on them, so a replica here adds no CPU, only a second server's caches and
connections; the figures show the shape, not what separate machines would give.
"""

from __future__ import annotations

import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import psycopg
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from app import localdb
from app.db import make_engine
from app.settings import PROJECT_ROOT, DatabaseSettings
from bench.common import (
    AUTHORITIES_A_SIDE,
    LONLAT_BOX,
    LSOAS,
    fill_assets,
    free_port,
    generate_england,
    serving,
)
from bench.load import OUT, TALLY_LUA, Load, ensure_wrk, lua_string, parse_wrk

ASSETS = int(os.environ.get("ASSETMAP_BENCH_ASSETS", "2000000"))
SECONDS = int(os.environ.get("ASSETMAP_BENCH_SECONDS", "20"))
CONNECTIONS = 32
# /gaps: this many connections in every setup, and as many analyses at once per worker, so
# no setup answers 503 because the kernel gave one worker more connections than another
GAPS_CONNECTIONS = 4
# each analysis of a local authority takes seconds (it reads every matching asset in
# England): a longer run, and a longer patience per request
GAPS_SECONDS = int(os.environ.get("ASSETMAP_BENCH_GAPS_SECONDS", "90"))
CLUSTER = PROJECT_ROOT / ".data" / "bench-scaling" / "pg"
PORT, REPLICA_PORT = 54361, 54362
TILE_ZOOM = 12

PAGE_LUA = """
local paths = %(paths)s
local sent = 0

function request()
  sent = sent + 1
  return wrk.format(nil, paths[((id * 7919 + sent) %% #paths) + 1])
end
"""


@dataclass(frozen=True)
class Endpoint:
    name: str
    paths: list[str]
    connections: int
    seconds: int


@dataclass(frozen=True)
class Measured:
    load: Load
    load_average: float  # the machine's, over the last minute, as the measurement ended


@dataclass(frozen=True)
class Setup:
    name: str
    workers: int
    replicas: bool


SETUPS = (
    Setup("1 worker, primary alone", 1, False),
    Setup("4 workers, primary alone", 4, False),
    Setup("4 workers, 1 replica", 4, True),
)


def main() -> None:
    wrk = ensure_wrk()
    primary, replica = _clusters()
    try:
        results, served = _measure(wrk, primary, replica)
    finally:
        localdb.down(replica)
        localdb.down(primary)
    _print(results, served)


def _measure(
    wrk: str, primary: localdb.Cluster, replica: localdb.Cluster
) -> tuple[dict[tuple[str, str], Measured], dict[str, tuple[int, int]]]:
    url = primary.url()
    started = time.perf_counter()
    if _generate(url):
        # a replica of the data before is further behind than its WAL reaches: a new copy
        localdb.down(replica)
        shutil.rmtree(replica.base, ignore_errors=True)
    print(f"data ready in {time.perf_counter() - started:.0f} s", flush=True)
    for line in localdb.replica_up(primary, replica):
        print(line, flush=True)
    _caught_up(url, replica.url())

    rng = random.Random(18)
    endpoints = (
        Endpoint("items", _items_paths(rng), CONNECTIONS, SECONDS),
        Endpoint("tiles", _tile_paths(rng), CONNECTIONS, SECONDS),
        Endpoint("gaps", _gaps_paths(rng), GAPS_CONNECTIONS, GAPS_SECONDS),
    )
    results: dict[tuple[str, str], Measured] = {}
    served: dict[str, tuple[int, int]] = {}
    for setup in SETUPS:
        before = _transactions(url), _transactions(replica.url())
        with _service(url, replica.url() if setup.replicas else None, setup.workers) as base:
            for endpoint in endpoints:
                if endpoint.name == "gaps":
                    # one analysis first: SciPy and the rest load on the first ask
                    warm = f"{base}/gaps?within=L0000&category=library&distance_m=1300"
                    httpx.get(warm, timeout=600).raise_for_status()
                else:
                    _warm(wrk, base, endpoint.paths, endpoint.connections)
                name = f"scaling-{setup.workers}-{setup.replicas}-{endpoint.name}"
                load = _run(wrk, base, endpoint.paths, endpoint.connections, name, endpoint.seconds)
                results[(setup.name, endpoint.name)] = Measured(load, os.getloadavg()[0])
                print(f"  {setup.name}, {endpoint.name}: done", flush=True)
        after = _transactions(url), _transactions(replica.url())
        served[setup.name] = (after[0] - before[0], after[1] - before[1])
    return results, served


def _clusters() -> tuple[localdb.Cluster, localdb.Cluster]:
    settings = DatabaseSettings(url=None, dir=CLUSTER, port=PORT, replica_port=REPLICA_PORT)
    primary = localdb.cluster_for(settings)
    for line in localdb.up(primary):
        print(line, flush=True)
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["url"] = primary.url()
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")
    return primary, localdb.replica_for(settings)


def _generate(url: str) -> bool:
    """Generate England's neighbourhoods and assets unless they are there; whether any
    were."""
    engine = make_engine(url, pool_size=1)
    with engine.begin() as conn:
        assets = conn.scalar(text("SELECT count(*) FROM asset"))
    made = generate_england(engine)
    engine.dispose()
    fill_assets(url, "the bench's England", ASSETS, LONLAT_BOX)
    return made or assets != ASSETS


def _caught_up(primary: str, replica: str) -> None:
    with psycopg.connect(localdb.libpq_url(primary), autocommit=True) as conn:
        target = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]  # type: ignore[index]
    deadline = time.monotonic() + 600
    with psycopg.connect(localdb.libpq_url(replica), autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute("SELECT pg_last_wal_replay_lsn() >= %s", (target,)).fetchone()
            if row and row[0]:
                return
            time.sleep(0.5)
    raise SystemExit("the replica did not catch up within 10 minutes")


def _transactions(url: str) -> int:
    """Transactions the server has run in the database so far (pg_stat_database)."""
    with psycopg.connect(localdb.libpq_url(url), autocommit=True) as conn:
        row = conn.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database "
            "WHERE datname = current_database()"
        ).fetchone()
    return int(row[0]) if row else 0


@contextmanager
def _service(primary: str, replica: str | None, workers: int) -> Iterator[str]:
    """`assetmap serve` with `workers`, reading from `replica` if given, with a spool of its
    own (so no answer is kept from an earlier configuration)."""
    spool = tempfile.mkdtemp(prefix="assetmap-bench-spool-")
    port = free_port()
    env = os.environ | {
        "DATABASE_URL": primary,
        "ASSETMAP_DATABASE_READ_URLS": replica or "",
        "ASSETMAP_SPOOL_DIR": spool,
        "ASSETMAP_MAX_ANALYSES": str(GAPS_CONNECTIONS),
    }
    serve = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
    try:
        with serving([*serve, "--workers", str(workers)], env, port, "/health") as server:
            yield server.base
    finally:
        shutil.rmtree(spool, ignore_errors=True)


def _items_paths(rng: random.Random, count: int = 1000) -> list[str]:
    minlon, minlat, maxlon, maxlat = LONLAT_BOX
    paths = []
    for _ in range(count):
        lon, lat = rng.uniform(minlon, maxlon - 0.05), rng.uniform(minlat, maxlat - 0.03)
        bbox = f"{lon:.4f},{lat:.4f},{lon + 0.045:.4f},{lat + 0.027:.4f}"
        paths.append(f"/ogc/collections/assets/items?bbox={bbox}&limit=100")
    return paths


def _tile(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    n = 2**zoom
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def _tile_paths(rng: random.Random, count: int = 1000) -> list[str]:
    minlon, minlat, maxlon, maxlat = LONLAT_BOX
    x0, y1 = _tile(minlon, minlat, TILE_ZOOM)
    x1, y0 = _tile(maxlon, maxlat, TILE_ZOOM)
    tiles = [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    return [
        f"/ogc/collections/assets/tiles/WebMercatorQuad/{TILE_ZOOM}/{x}/{y}"
        for x, y in rng.sample(tiles, min(count, len(tiles)))
    ]


def _gaps_paths(rng: random.Random) -> list[str]:
    """A question per local authority and reach: more than any run gets through."""
    codes = [f"L{n:04d}" for n in range(AUTHORITIES_A_SIDE**2)]
    paths = [
        f"/gaps?within={code}&category=library&distance_m={reach}"
        for code in codes
        for reach in range(800, 1300, 25)
    ]
    rng.shuffle(paths)
    return paths


def _script(paths: Sequence[str], name: str) -> str:
    OUT.mkdir(parents=True, exist_ok=True)
    script = OUT / f"{name}.lua"
    table = "{" + ",".join(lua_string(path) for path in paths) + "}"
    script.write_text(TALLY_LUA + PAGE_LUA % {"paths": table})
    return str(script)


def _warm(wrk: str, base: str, paths: Sequence[str], connections: int) -> None:
    """A few seconds on other paths of the same kind, so caches and pools are warm and the
    measured run meets only pages it has not asked for."""
    _run(wrk, base, list(reversed(paths)), connections, "scaling-warm", seconds=3)


def _run(
    wrk: str,
    base: str,
    paths: Sequence[str],
    connections: int,
    name: str,
    seconds: int = SECONDS,
) -> Load:
    command = [
        wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout=300s", "--latency",
        "-s", _script(paths, name), base + paths[0],
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=False)
    (OUT / f"{name}.txt").write_text(output.stdout + output.stderr)
    return parse_wrk(output.stdout)


def _print(results: dict[tuple[str, str], Measured], served: dict[str, tuple[int, int]]) -> None:
    print()
    print(
        f"Generated England: {LSOAS:,} neighbourhoods, {ASSETS:,} assets; {SECONDS} s per "
        f"measurement ({GAPS_SECONDS} s for gaps); 2 shared cores (primary, replica, workers "
        "and wrk on the same two)"
    )
    print(
        f"{'endpoint':8} {'setup':26} {'200s':>6} {'200/s':>8} {'x base':>7} {'p99 ms':>9} "
        f"{'other':>6} {'load':>5}"
    )
    for endpoint in ("items", "tiles", "gaps"):
        baseline = results[(SETUPS[0].name, endpoint)].load
        base_rate = baseline.statuses[200] / baseline.seconds if baseline.seconds else 0.0
        for setup in SETUPS:
            measured = results[(setup.name, endpoint)]
            load = measured.load
            rate = load.statuses[200] / load.seconds if load.seconds else 0.0
            ratio = f"{rate / base_rate:6.2f}x" if base_rate else f"{'-':>7}"
            other = sum(count for status, count in load.statuses.items() if status != 200)
            p99 = f"{load.p99_ms:9.0f}" if load.p99_ms is not None else f"{'-':>9}"
            print(
                f"{endpoint:8} {setup.name:26} {load.statuses[200]:6d} {rate:8.2f} {ratio} "
                f"{p99} {other + load.failed:6d} {measured.load_average:5.1f}"
            )
    print("200s: answered 200; other: any other status, or no answer; load: the machine's")
    print("load average as the measurement ended (2 cores)")
    print("transactions run during each setup (primary / replica):")
    for name, (on_primary, on_replica) in served.items():
        print(f"  {name:26} {on_primary:>9,} / {on_replica:,}")


if __name__ == "__main__":
    main()
