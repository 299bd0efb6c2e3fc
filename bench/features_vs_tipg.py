"""OGC API Features and Tiles and the full GeoJSON export, beside tipg, raw SQL and ogr2ogr.

On 1,000,000 generated published assets in one database, the same run measures:

- (a) items in a bbox of 0.15 degrees (about 640 assets) with `limit=100`, and in a dense
  bbox of 0.65 degrees (about 12,000 assets) with `limit=100`; (b) in a bbox of 0.75
  degrees (about 16,000 assets) with `limit=10000`;
- (c) WebMercatorQuad vector tiles at z12 and z14, each holding a random generated point;
- (e) `GET /assets?bbox=...&limit=100` in the sparse and the dense bbox;
- (d) the full export of the published layer as GeoJSON: `GET /exports/assets.geojson`
  streamed to a file, beside `ogr2ogr -f GeoJSON` reading PostGIS (`bench/tipg/
  ogr2ogr_export.sql`, 7 decimals as the service writes; ogr2ogr's `RFC7946=YES` would
  hold about 290 MB instead of 55), with wall time, peak memory and the two files' feature
  counts.

(a) to (c) and (e) run against this service (`assetmap serve`, one worker), tipg (one uvicorn
worker,
in its own virtualenv `bench/.venv-tipg`, made on first run from `bench/tipg/requirements.txt`;
it serves `public.asset` with `public_geom` as its geometry (left to itself it takes the
first geometry column by name, `footprint`, empty here), tiles with the service's fields
and 64-pixel buffer; it has no `/assets`) and, as the floor, raw SQL through psycopg on
one connection: one statement that builds the FeatureCollection (`bench/tipg/
floor_items.sql`) or the tile (`bench/tipg/floor_tile.sql`) in PostgreSQL, and for
`/assets` the service's own search statement, its rows joined as the service joins them.
The floor runs as psycopg does by default (a statement prepared after five runs, so
PostgreSQL may keep a generic plan), but in the dense bbox, where that generic plan sorts
all 12,000 assets by id: there it plans each run with its values, as with literal ones.

Before each case the floor reads every probe once, so all three find the same rows in
PostgreSQL's cache. Requests go one after another over one keep-alive connection of the
standard library's http.client (KeepAlive: httpx would add a quarter of a millisecond of its
own to every request), uncompressed (tipg otherwise compresses), in five rounds that
take the three backends in turn, so other load on the machine weighs on all alike. The
answers to a warm-up are decoded to count their features: the "features" column says
"differ" when the backends disagree (tipg looks for a tile's points in the tile alone, not
its buffer, so its tiles hold about 6% fewer).

The service's peak memory is a freshly started server's VmHWM over the export (reset just
before it); ogr2ogr's is its own VmHWM, read while it runs. PostgreSQL's memory is in
neither.

Under each row, each server's own CPU time per request (its process's user and system
time over the timed requests): what it spends around the query, which other load on the
shared machine inflates far less than it does wall time. After the table, each server's
conformance classes, which read no database: the ceiling its web stack and the client put
on any answer in that run.

Targets (the issues): at least 2x tipg on (a) and (b), at least tipg's speed on (c), the
export faster than ogr2ogr with peak memory under 200 MB; against the floor, at least 0.7
for items and `/assets` with `limit=100`, sparse or dense, and 0.5 for tiles.

Run with `python -m bench.features_vs_tipg`; `--quick` sends fewer requests, `--parts ab`
runs only some of (a) to (e).
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

import httpx
import ijson
import mapbox_vector_tile  # type: ignore[import-untyped]
import psycopg

from app.api.public_reads import compiled
from app.domain import asset_search
from app.domain.features import feature_collection
from app.settings import PROJECT_ROOT
from bench.common import (
    BENCH_BOX,
    Server,
    bench_database,
    free_port,
    memory_mb,
    run_measured,
    running_server,
    serving,
)

ASSETS = 1_000_000
DATABASE = "assetmap_bench_1m"
HERE = Path(__file__).parent / "tipg"
OUT = PROJECT_ROOT / "bench" / "out"
TIPG_ENV = PROJECT_ROOT / "bench" / ".venv-tipg"
TIPG_REQUIREMENTS = HERE / "requirements.txt"
ROUNDS = 5

# What tipg publishes of an asset: the table columns of the service's public view (tipg
# cannot join the category, so it gives category_id where the others give the slug).
TIPG_PROPERTIES = [
    "name", "description", "kind", "category_id", "outcomes", "address", "postcode",
    "contact", "opening_hours", "audience", "cost", "accessibility", "reach_m", "capacity",
    "source", "source_ref", "status", "verified_at", "created_at", "updated_at", "version",
]  # fmt: skip
# Its tiles: the service's fields (name, kind, category, outcomes) and 64-pixel buffer.
TIPG_TILE_PROPERTIES = "name,kind,category_id,outcomes"

# Ask for answers as they are made: tipg compresses them otherwise.
IDENTITY = {"Accept-Encoding": "identity"}

Box = tuple[float, float, float, float]
Tile = tuple[int, int, int]


@dataclass(frozen=True)
class Case:
    """One row of the table: what is asked (pages of `limit` items in bboxes, or tiles when
    `limit` is None; `search` asks `/assets` rather than OGC items), how often, and the
    targets against tipg (service/tipg) and the floor (service/SQL). `planned` floors plan
    each run with its values."""

    label: str
    probes: Sequence[Box] | Sequence[Tile]
    limit: int | None
    warmup: int
    target: float | None
    floor_target: float | None = None
    search: bool = False
    planned: bool = False


class NotAvailable(Exception):
    """The backend does not offer this request (yet)."""


class Backend(Protocol):
    """Something that answers a page of items or a tile with the bytes a client would get."""

    name: str

    def items(self, box: Box, limit: int) -> bytes: ...

    def search(self, box: Box, limit: int) -> bytes: ...

    def tile(self, tile: Tile) -> bytes: ...


class HttpFailure(Exception):
    """A server answered with an error status."""

    def __init__(self, status: int, path: str) -> None:
        super().__init__(f"HTTP {status} at {path}")
        self.status = status


class KeepAlive:
    """One keep-alive HTTP/1.1 connection through the standard library's http.client,
    asking for uncompressed answers. Its own cost per request is a fraction of httpx's
    (httpx spent about 0.26 ms more per request here, as much as a small tile's query):
    a client as lean as the libcurl of QGIS and GDAL, so the figures are the servers'.
    The table's last line gives the conformance classes through httpx as well."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(
            parts.hostname or "127.0.0.1", parts.port, timeout=120
        )

    def get(self, path: str, params: dict[str, str] | None = None) -> tuple[int, bytes]:
        target = f"{path}?{urlencode(params)}" if params else path
        try:
            return self._get(target)
        except (http.client.RemoteDisconnected, ConnectionError):
            # the server closed the connection while it idled (uvicorn: after 5 s)
            self.connection.close()
            return self._get(target)

    def _get(self, target: str) -> tuple[int, bytes]:
        self.connection.request("GET", target, headers=IDENTITY)
        response = self.connection.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self.connection.close()


class HttpBackend:
    """An OGC API server over one keep-alive connection, asked for uncompressed answers."""

    def __init__(
        self,
        name: str,
        client: KeepAlive,
        items_path: str,
        tile_path: str,
        items_params: dict[str, str],
        tile_params: dict[str, str],
        search_path: str | None = None,
        conformance_path: str = "/conformance",
        pid: int | None = None,
    ) -> None:
        self.name, self.client = name, client
        self.conformance_path = conformance_path
        self.pid = pid
        self.items_path, self.tile_path = items_path, tile_path
        self.items_params, self.tile_params = items_params, tile_params
        self.search_path = search_path

    def items(self, box: Box, limit: int) -> bytes:
        return self._get(self.items_path, self.items_params | page_params(box, limit))

    def search(self, box: Box, limit: int) -> bytes:
        if self.search_path is None:
            raise NotAvailable("no search of its own")
        return self._get(self.search_path, page_params(box, limit))

    def tile(self, tile: Tile) -> bytes:
        z, x, y = tile
        return self._get(self.tile_path.format(z=z, x=x, y=y), self.tile_params)

    def _get(self, path: str, params: dict[str, str]) -> bytes:
        status, body = self.client.get(path, params)
        if status in (404, 405):
            raise NotAvailable(f"HTTP {status} at {path}")
        if status >= 400:
            raise HttpFailure(status, path)
        return body


def page_params(box: Box, limit: int) -> dict[str, str]:
    return {"bbox": ",".join(f"{value:.6f}" for value in box), "limit": str(limit)}


class SqlBackend:
    """The floor: the answer built by one SQL statement, sent through psycopg; with
    `planned`, each run planned with its values (an unnamed statement), else as psycopg
    does by default (prepared after five runs)."""

    name = "raw SQL"

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self.connection = connection
        self.items_sql = (HERE / "floor_items.sql").read_text()
        self.tile_sql = (HERE / "floor_tile.sql").read_text()
        self.planned = False

    def _run(self, sql: str, params: dict[str, Any]) -> list[Any]:
        return self.connection.execute(
            sql, params, prepare=False if self.planned else None
        ).fetchall()

    def items(self, box: Box, limit: int) -> bytes:
        params = dict(zip(("minlon", "minlat", "maxlon", "maxlat"), box, strict=True))
        ((collection,),) = self._run(self.items_sql, params | {"limit": limit})
        return str(collection).encode()

    def search(self, box: Box, limit: int) -> bytes:
        query, params = asset_search.search_statement(
            asset_search.AssetFilter(bbox=box), limit, None
        )
        sql, constants = compiled(query)
        rows = self._run(sql, constants | params)
        return feature_collection([row[0] for row in rows[:limit]]).encode()

    def tile(self, tile: Tile) -> bytes:
        z, x, y = tile
        ((data,),) = self._run(self.tile_sql, {"z": z, "x": x, "y": y})
        return bytes(data)


def bboxes(count: int, degrees: float, seed: int) -> list[Box]:
    """`count` squares of `degrees` side (lon/lat) inside the generated assets' box."""
    rng = random.Random(seed)
    minlon, minlat, maxlon, maxlat = BENCH_BOX
    boxes = []
    for _ in range(count):
        lon = rng.uniform(minlon, maxlon - degrees)
        lat = rng.uniform(minlat, maxlat - degrees)
        boxes.append((lon, lat, lon + degrees, lat + degrees))
    return boxes


def tiles(count: int, zoom: int, seed: int) -> list[Tile]:
    """`count` WebMercatorQuad tiles (z, x, y) at `zoom`, each holding a random point of the
    generated assets' box."""
    rng = random.Random(seed)
    minlon, minlat, maxlon, maxlat = BENCH_BOX
    side = 2**zoom
    found = []
    for _ in range(count):
        lon, lat = rng.uniform(minlon, maxlon), rng.uniform(minlat, maxlat)
        x = int((lon + 180) / 360 * side)
        y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * side)
        found.append((zoom, x, y))
    return found


def features_in(answer: bytes, is_tile: bool) -> int:
    """How many features a GeoJSON FeatureCollection or a vector tile holds."""
    if is_tile:
        layers = mapbox_vector_tile.decode(answer)
        return sum(len(layer["features"]) for layer in layers.values())
    return len(json.loads(answer)["features"])


@dataclass
class Measured:
    """A backend's figures for one case, or why it has none."""

    rate: float | None = None
    features: float | None = None
    note: str = ""
    # a server's own CPU time per request (ms): what it spends around the query, which
    # other load on the machine does not inflate as it does wall time
    cpu_ms: float | None = None


def cpu_seconds(pid: int) -> float:
    """A process's user and system CPU time so far, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ask(backend: Backend, case: Case, probe: Any) -> bytes:
    """The backend's answer to one of the case's probes (a bbox or a tile)."""
    if isinstance(backend, SqlBackend):
        backend.planned = case.planned
    if case.limit is None:
        return backend.tile(probe)
    if case.search:
        return backend.search(probe, case.limit)
    return backend.items(probe, case.limit)


def run_case(case: Case, backends: Sequence[Backend]) -> dict[str, Measured]:
    """Each backend's requests per second over the case's probes and the mean number of
    features in its warm-up answers, by backend name.

    The probes are asked in ROUNDS slices, each slice of every backend in turn, so whatever
    else the machine does in the meantime weighs on all of them alike.
    """
    measured: dict[str, Measured] = {}
    seconds: dict[str, float] = {}
    cpu: dict[str, float] = {}
    for backend in backends:
        try:
            warm = [
                features_in(ask(backend, case, probe), case.limit is None)
                for probe in case.probes[: case.warmup]
            ]
        except (NotAvailable, HttpFailure) as problem:
            measured[backend.name] = Measured(note=unavailable(problem))
        else:
            measured[backend.name] = Measured(features=sum(warm) / len(warm))
            seconds[backend.name] = 0.0
    for turn in range(ROUNDS):
        for backend in backends:
            if backend.name not in seconds:
                continue
            pid = getattr(backend, "pid", None)
            cpu_start = cpu_seconds(pid) if pid else 0.0
            start = time.perf_counter()
            try:
                for probe in case.probes[turn::ROUNDS]:
                    ask(backend, case, probe)
            except (NotAvailable, HttpFailure) as problem:
                measured[backend.name] = Measured(note=unavailable(problem))
                del seconds[backend.name]
                continue
            seconds[backend.name] += time.perf_counter() - start
            if pid:
                cpu[backend.name] = cpu.get(backend.name, 0.0) + cpu_seconds(pid) - cpu_start
    for name, spent in seconds.items():
        measured[name].rate = len(case.probes) / spent
        if name in cpu:
            measured[name].cpu_ms = cpu[name] / len(case.probes) * 1000
    return measured


def run_cases(
    cases: Sequence[Case], backends: Sequence[Backend], floor: SqlBackend
) -> Iterator[tuple[str, dict[str, Measured]]]:
    """Each case's label and run_case's figures for it, `floor` (among `backends`) having
    first read every probe, so the rows a case reads are in PostgreSQL's cache for every
    backend alike."""
    for case in cases:
        print(f"{case.label}: {len(case.probes)} requests each ...", flush=True)
        for probe in case.probes:
            ask(floor, case, probe)
        yield case.label, run_case(case, backends)


def unavailable(problem: Exception) -> str:
    if isinstance(problem, HttpFailure):
        return f"failed (HTTP {problem.status})"
    return f"not available ({problem})"


def ensure_tipg() -> Path:
    """The Python of `bench/.venv-tipg`, made or brought up to `bench/tipg/requirements.txt`."""
    python = TIPG_ENV / "bin" / "python"
    installed = TIPG_ENV / "requirements.txt"
    wanted = TIPG_REQUIREMENTS.read_text()
    if not python.exists():
        print(f"creating {TIPG_ENV.relative_to(PROJECT_ROOT)} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(TIPG_ENV)], check=True)
    if not installed.exists() or installed.read_text() != wanted:
        print(f"installing {TIPG_REQUIREMENTS.relative_to(PROJECT_ROOT)} ...", flush=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "-r", str(TIPG_REQUIREMENTS)], check=True
        )
        installed.write_text(wanted)
    return python


@contextmanager
def running_tipg(database_url: str) -> Iterator[Server]:
    """tipg under one uvicorn worker on a free port, publishing `public.asset` with the
    public point `public_geom` as its geometry."""
    python = ensure_tipg()
    port = free_port()
    env = os.environ | {
        "DATABASE_URL": libpq(database_url),
        "TIPG_DB_SCHEMAS": '["public"]',
        "TIPG_DB_TABLES": '["public.asset"]',
        "TIPG_TABLE_CONFIG__public_asset__GEOMCOL": "public_geom",
        "TIPG_TABLE_CONFIG__public_asset__PK": "id",
        "TIPG_TABLE_CONFIG__public_asset__PROPERTIES": json.dumps(TIPG_PROPERTIES),
        "TIPG_MAX_FEATURES_PER_QUERY": "10000",
        "TIPG_TILE_BUFFER": "64",
    }
    command = [
        str(python), "-m", "uvicorn", "tipg.main:app", "--port", str(port), "--workers", "1"
    ]  # fmt: skip
    with serving(command, env, port, "/healthz") as server:
        yield server


def libpq(database_url: str) -> str:
    """A SQLAlchemy URL as libpq (psycopg, asyncpg, GDAL) takes it."""
    return database_url.replace("postgresql+psycopg://", "postgresql://")


def print_rates(cases: Sequence[Case], results: dict[str, dict[str, Measured]]) -> None:
    names = ["service", "tipg", "raw SQL"]
    print(
        f"\n{'requests/s':34}{'service':>10}{'tipg':>10}{'raw SQL':>10}"
        f"{'service/tipg':>14}{'(target)':>10}{'service/SQL':>13}{'(target)':>10}{'features':>10}"
    )
    for case in cases:
        row = results[case.label]
        rates = [row[name].rate for name in names]
        service, tipg, floor = rates
        cells = "".join(f"{rate:10.1f}" if rate else f"{'-':>10}" for rate in rates)
        to_tipg = f"{service / tipg:14.2f}" if service and tipg else f"{'-':>14}"
        to_floor = f"{service / floor:13.2f}" if service and floor else f"{'-':>13}"
        counts = {f"{row[name].features:.1f}" for name in names if row[name].features is not None}
        shown = counts.pop() if len(counts) == 1 else "differ"
        print(
            f"{case.label:34}{cells}{to_tipg}{target(case.target)}"
            f"{to_floor}{target(case.floor_target)}{shown:>10}"
        )
        for name in names:
            if row[name].note:
                print(f"  {name}: {row[name].note}")
        used = [f"{name} {row[name].cpu_ms:.2f}" for name in names if row[name].cpu_ms]
        if used:
            print(f"  server CPU ms per request: {', '.join(used)}")
        if shown == "differ":
            per = ", ".join(
                f"{name} {row[name].features:.1f}"
                for name in names
                if row[name].features is not None
            )
            print(f"  features per answer differ: {per}")


def target(value: float | None) -> str:
    return f"{'>= ' + format(value, 'g'):>10}" if value is not None else f"{'':>10}"


def load_average() -> list[str]:
    """How busy the machine was (the shared machine's other work weighs on every backend)."""
    return Path("/proc/loadavg").read_text().split()[:3]


def peak_reset(pid: int) -> None:
    """Start a process's VmHWM afresh from its current resident set (Linux 4.0 and later)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def count_features(path: Path) -> int:
    """Features in a GeoJSON FeatureCollection file, read as a stream."""
    with path.open("rb") as stream:
        return sum(1 for _ in ijson.items(stream, "features.item.type"))


def export(database_url: str) -> None:
    """(d): the service's export (from a freshly started server) beside ogr2ogr's, timed, with
    peak memory and feature counts."""
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"\n(d) full GeoJSON export of {ASSETS:,} assets")
    print(f"{'':10}{'seconds':>10}{'features/s':>12}{'peak MB':>10}{'features':>12}{'MB':>8}")

    theirs = OUT / "export_ogr2ogr.geojson"
    theirs.unlink(missing_ok=True)
    command = [
        "ogr2ogr", "-f", "GeoJSON", str(theirs), f"PG:{libpq(database_url)}",
        "-sql", "@" + str(HERE / "ogr2ogr_export.sql"), "-nln", "assets",
        "-lco", "ID_FIELD=id", "-lco", "COORDINATE_PRECISION=7",
    ]  # fmt: skip
    ogr_seconds, ogr_peak = run_measured(command, dict(os.environ))
    exported = count_features(theirs)
    print_export("ogr2ogr", ogr_seconds, ogr_peak, exported, theirs)
    theirs.unlink()

    ours = OUT / "export_service.geojson"
    try:
        with running_server(database_url) as server:
            before = memory_mb(server.pid, "VmRSS")
            peak_reset(server.pid)
            start = time.perf_counter()
            with (
                httpx.Client(base_url=server.base, headers=IDENTITY, timeout=None) as client,
                client.stream("GET", "/exports/assets.geojson") as response,
            ):
                if response.status_code != 200:
                    print(f"{'service':10}  not available (HTTP {response.status_code})")
                    return
                with ours.open("wb") as file:
                    for chunk in response.iter_raw():
                        file.write(chunk)
            seconds = time.perf_counter() - start
            peak = memory_mb(server.pid)
    except RuntimeError as failure:
        print(f"{'service':10}  not available ({failure})")
        return
    served = count_features(ours)
    growth = f"   ({before:.0f} MB before it, +{peak - before:.0f})"
    print_export("service", seconds, peak, served, ours, growth)
    ours.unlink()

    print(
        f"service/ogr2ogr speed {ogr_seconds / seconds:.2f} (target > 1); "
        f"service peak {peak:.0f} MB (target < 200), ogr2ogr's {ogr_peak:.0f} MB"
    )
    if served != exported:
        print(f"  feature counts differ: service {served:,}, ogr2ogr {exported:,}")


def print_export(
    name: str, seconds: float, peak_mb: float, features: int, path: Path, note: str = ""
) -> None:
    size = path.stat().st_size / 1e6
    print(
        f"{name:10}{seconds:10.1f}{features / seconds:12,.0f}{peak_mb:10.0f}"
        f"{features:12,}{size:8.0f}{note}"
    )


def rates(cases: Sequence[Case], database_url: str) -> None:
    """(a) to (c): each case against the service, tipg and the floor; prints the table."""
    with ExitStack() as stack:
        backends: list[Backend] = []
        try:
            service = stack.enter_context(running_server(database_url))
        except RuntimeError as failure:
            print(f"the service did not start ({failure}): its rows are left empty")
        else:
            client = KeepAlive(service.base)
            stack.callback(client.close)
            backends.append(
                HttpBackend(
                    "service",
                    client,
                    "/ogc/collections/assets/items",
                    "/ogc/collections/assets/tiles/WebMercatorQuad/{z}/{x}/{y}",
                    {},
                    {},
                    search_path="/assets",
                    conformance_path="/ogc/conformance",
                    pid=service.pid,
                )
            )
        tipg = stack.enter_context(running_tipg(database_url))
        tipg_client = KeepAlive(tipg.base)
        stack.callback(tipg_client.close)
        backends.append(
            HttpBackend(
                "tipg",
                tipg_client,
                "/collections/public.asset/items",
                "/collections/public.asset/tiles/WebMercatorQuad/{z}/{x}/{y}",
                {"status": "published"},
                {"status": "published", "properties": TIPG_TILE_PROPERTIES},
                pid=tipg.pid,
            )
        )
        connection = stack.enter_context(psycopg.connect(libpq(database_url), autocommit=True))
        floor = SqlBackend(connection)
        backends.append(floor)

        missing = {"service": Measured(note="not available (the service did not start)")}
        results = {
            label: missing | measured for label, measured in run_cases(cases, backends, floor)
        }
        servers = [b for b in backends if isinstance(b, HttpBackend)]
        web_alone = web_stack_rates(servers)
        through_httpx = web_stack_rates(servers, through_httpx=True)
    print(f"\n{ASSETS:,} assets; one client (http.client), one keep-alive connection, uncompressed")
    print(f"load average over the run: {' '.join(load_average())} (1, 5, 15 min; 2 cores)")
    print_rates(cases, results)
    shown = ", ".join(f"{name} {rate:.1f}" for name, rate in web_alone.items())
    print(f"requests/s of an answer with no database work (the conformance classes): {shown}")
    shown = ", ".join(f"{name} {rate:.1f}" for name, rate in through_httpx.items())
    print(f"  the same through httpx (the client these figures were once taken with): {shown}")


def web_stack_rates(
    backends: Sequence[HttpBackend], requests: int = 500, through_httpx: bool = False
) -> dict[str, float]:
    """Requests per second of each server's conformance classes, which read no database:
    what its web stack and the client alone cost, the ceiling of any of its answers; with
    `through_httpx`, asked through an httpx client instead. The servers are asked in turn,
    in ROUNDS slices, as the cases are."""
    seconds = dict.fromkeys((backend.name for backend in backends), 0.0)
    with ExitStack() as stack:
        asks: dict[str, Any] = {}
        for backend in backends:
            if through_httpx:
                base = f"http://{backend.client.connection.host}:{backend.client.connection.port}"
                client = stack.enter_context(httpx.Client(base_url=base, headers=IDENTITY))
                asks[backend.name] = lambda path, client=client: client.get(path).status_code
            else:
                asks[backend.name] = lambda path, backend=backend: backend.client.get(path)[0]
        for _ in range(ROUNDS):
            for backend in backends:
                ask_one = asks[backend.name]
                start = time.perf_counter()
                for _ in range(requests // ROUNDS):
                    status = ask_one(backend.conformance_path)
                    if status != 200:
                        raise HttpFailure(status, backend.conformance_path)
                seconds[backend.name] += time.perf_counter() - start
    return {name: requests / spent for name, spent in seconds.items()}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer requests per case")
    parser.add_argument("--parts", default="abcde", help="which of (a) to (e) to run")
    args = parser.parse_args(argv)
    scale = 5 if args.quick else 1

    url = bench_database(DATABASE, ASSETS)
    cases: list[Case] = []
    sparse = bboxes(1000 // scale, 0.15, seed=1)
    # about 12,000 assets in each: the generic plan's trap
    dense = bboxes(1000 // scale, 0.65, seed=3)
    if "a" in args.parts:
        cases.append(Case("(a) bbox 0.15 deg, limit 100", sparse, 100, 20, 2, 0.7))
        cases.append(Case("(a) dense 0.65 deg, limit 100", dense, 100, 20, None, 0.7, planned=True))
    if "b" in args.parts:
        probes = bboxes(50 // scale, 0.75, seed=2)
        cases.append(Case("(b) bbox 0.75 deg, limit 10,000", probes, 10_000, 3, 2))
    if "c" in args.parts:
        for zoom in (12, 14):
            at_zoom = tiles(1000 // scale, zoom, zoom)
            cases.append(Case(f"(c) tile z{zoom}", at_zoom, None, 20, 1, 0.5))
    if "e" in args.parts:
        cases.append(Case("(e) /assets 0.15 deg, limit 100", sparse, 100, 20, None, 0.7, True))
        cases.append(
            Case("(e) /assets dense, limit 100", dense, 100, 20, None, 0.7, True, planned=True)
        )
    if cases:
        rates(cases, url)
    if "d" in args.parts:
        export(url)


if __name__ == "__main__":
    main()
