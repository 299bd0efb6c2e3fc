"""Load on loopback: what a crowd and two cheap attacks do to one server (issue 20).

The data: a throwaway database holding the demo locality (Trafford, E08000009, loaded by
the steps of `assetmap demo`) and enough generated assets (random points inside its
neighbourhoods, mixed kinds, a tenth with a category, a few consented individuals) to make
20,000 published assets inside it. The server: `assetmap serve` as users run it, one
worker, default settings, on a free port of 127.0.0.1. All traffic stays on loopback.

Measured, in one go:

- throughput: `wrk -t2 -c32 -d30s --latency` on each anonymous endpoint (search in a bbox,
  OGC items, a z14 vector tile, `/gaps`, the locality map, the GeoJSON export): requests
  per second, p50 and p99 of the answered requests, and the answers by status (2xx, 503,
  any other 5xx), tallied by a Lua `response` hook; connections that broke or that wrk saw
  waiting past `--timeout` (30 s) are "failed". Meanwhile a check asks the same endpoint
  once a second and times each answer, which says whether a 503 came fast (wrk cannot tell
  one answer's time from another's), and fails when it waits past the timeout;
- attack 1: 25 clients download `/exports/assets.geojson` over raw sockets with a small
  receive buffer, 20 of them reading about 1 kB/s and 5 reading the headers only, for 30 s;
- attack 2: 32 connections of wrk on `/maps/E08000009` for 30 s (2a), then the same with a
  new `distance_m` in each request (`layer=gaps`), so no cache of pages can answer it (2b).

During each attack a probe (a visitor) asks `GET /assets?limit=10` once a second, each on
time on a new connection however long the ones before wait (30 s timeout), and records
each time and any failure (no answer, or a status of 500 or more); it goes on for 10 s
after the attack, to tell whether the server recovered.
The server's peak resident memory is sampled (10 times a second) over each run. A server
that no longer answers `/health` between runs, or that passes `--max-server-mb`, is
stopped and a new one started, and the output says so.

Targets (the issue): no 5xx except a fast 503 (within 1 s) where a bound is reached (and
so: something answered, nothing failed), and the probe never waiting more than 1 s nor
failing. It prints a PASS or FAIL line for each; it asserts nothing.

Run with `python -m bench.load` (about 8 minutes); `--seconds 5` shortens each run for a
quick check. wrk is Debian's `wrk` package: installed with apt-get when missing and run as
root, otherwise the benchmark says how to install it and exits with 2.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import urlsplit

import httpx
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.db import make_engine
from app.io.demo import LOCAL_AUTHORITY
from app.io.demo import steps as demo_steps
from app.settings import PROJECT_ROOT, ApiSettings
from bench.common import Server, drop_database, memory_mb, migrated_database, running_server

DATABASE = "assetmap_bench_load"
ASSETS = 20_000  # published assets inside the locality
OUT = PROJECT_ROOT / "bench" / "out"

CONNECTIONS = 32
WRK_THREADS = 2
SLOW_READERS = 25  # of which NON_READERS read the headers only
NON_READERS = 5
READ_RATE = 1024  # bytes per second, for each slow reader
RECEIVE_BUFFER = 8192  # bytes; the kernel doubles it. Small, so the server feels the pace
RECOVERY_S = 10.0
PROBE_PATH = "/assets?limit=10"
PROBE_TIMEOUT_S = 30.0
FAST_S = 1.0  # the targets: a probe within it, a 503 within it
HEALTHY_WITHIN_S = 15.0  # between runs: /health must answer 200 by then

# A Lua script for wrk: tallies the answers by status and prints them with the figures of
# the run (latencies in microseconds); REQUEST_LUA is added to send each request to a new
# path.
TALLY_LUA = """
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "load: requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d timeout=%d " ..
    "p50_us=%d p99_us=%d\\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.timeout, latency:percentile(50), latency:percentile(99)))
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      io.write(string.format("load-status: %d %d\\n", status, count))
    end
  end
end
"""
# {i} in the path becomes 1000 + n / 1000, n a number no other request of the run has: a
# new page each time (a reach of 1000.000 m, 1000.001 m, ...), all about as costly.
REQUEST_LUA = """
local sent = 0

function request()
  local n = id + %(threads)d * sent
  sent = sent + 1
  local path = string.gsub(%(path)s, "{i}", string.format("%%.3f", 1000 + n / 1000))
  return wrk.format(nil, path)
end
"""


@dataclass(frozen=True)
class Endpoint:
    """One anonymous endpoint under load: a label for the table and its path (with `{i}`,
    a new value in each request)."""

    label: str
    path: str


@dataclass(frozen=True)
class Answer:
    """One request of a probe: when it started (monotonic s), how long it took, and its
    status, or the error that stopped it."""

    started: float
    seconds: float
    status: int | None
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None or (self.status or 0) >= 500

    def describe(self) -> str:
        return self.error or f"HTTP {self.status}"


class Probe:
    """GET `path` once a second, each on a new connection with `timeout_s`, until stopped.

    A visitor (`overlap`) sends each request on time in a thread of its own, however long
    the ones before wait, as independent visitors would; otherwise (a check on an endpoint
    under load: one client more, not dozens) a request still waiting when the next is due
    delays it. `{i}` in the path becomes 900, 901, ... (a page no wrk request asks for).
    """

    def __init__(
        self, base: str, path: str, timeout_s: float = PROBE_TIMEOUT_S, overlap: bool = False
    ) -> None:
        self.url, self.timeout_s, self.overlap = base + path, timeout_s, overlap
        self.answers: list[Answer] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True)]

    def __enter__(self) -> Probe:
        self._threads[0].start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        for thread in list(self._threads):
            thread.join()
        self.answers.sort(key=lambda answer: answer.started)

    def _run(self) -> None:
        due = time.monotonic()
        sent = 0
        while not self._stop.wait(max(0.0, due - time.monotonic())):
            url = self.url.replace("{i}", str(900 + sent))
            sent += 1
            if self.overlap:
                thread = threading.Thread(target=self._ask, args=(url,), daemon=True)
                self._threads.append(thread)
                thread.start()
            else:
                self._ask(url)
            due = max(due + 1.0, time.monotonic())

    def _ask(self, url: str) -> None:
        self.answers.append(ask_once(url, self.timeout_s))

    def between(self, start: float, end: float) -> list[Answer]:
        """The answers to the requests started in [start, end) (monotonic s)."""
        return [answer for answer in self.answers if start <= answer.started < end]


def ask_once(url: str, timeout_s: float) -> Answer:
    """One GET of `url` on a new connection, read to its end."""
    started = time.monotonic()
    try:
        response = httpx.get(url, timeout=timeout_s, headers={"Connection": "close"})
    except httpx.TimeoutException:
        return Answer(started, time.monotonic() - started, None, f"no answer in {timeout_s:g} s")
    except httpx.TransportError as problem:
        return Answer(started, time.monotonic() - started, None, type(problem).__name__)
    return Answer(started, time.monotonic() - started, response.status_code)


class MemoryWatch:
    """The resident memory of a server process, sampled ten times a second from a thread:
    the peak since `reset`, in MB. Past `limit_mb` it kills the process (it is ours), so a
    runaway server does not take the machine down with it."""

    def __init__(self, pid: int, limit_mb: float) -> None:
        self.pid, self.limit_mb = pid, limit_mb
        self.peak_mb = 0.0
        self.killed_at_mb: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def reset(self) -> None:
        self.peak_mb = 0.0

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.1) and self.killed_at_mb is None:
            try:
                now = memory_mb(self.pid, "VmRSS")
            except (FileNotFoundError, ProcessLookupError):
                return
            self.peak_mb = max(self.peak_mb, now)
            if now > self.limit_mb:
                self.killed_at_mb = now
                with suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)


class Service:
    """`assetmap serve` (one worker) on the benchmark's database, started again when a run
    leaves it unable to answer."""

    def __init__(self, database_url: str, limit_mb: float) -> None:
        self.database_url, self.limit_mb = database_url, limit_mb
        self.restarts: list[str] = []
        self._stack = ExitStack()
        self.server, self.memory = self._start()

    def _start(self) -> tuple[Server, MemoryWatch]:
        server = self._stack.enter_context(running_server(self.database_url))
        memory = MemoryWatch(server.pid, self.limit_mb)
        self._stack.callback(memory.stop)
        return server, memory

    @property
    def base(self) -> str:
        return self.server.base

    def close(self) -> None:
        self._stack.close()

    def ready_for(self, run: str, after: str) -> None:
        """Before `run`: a server that answers `/health`; one that does not (within 15 s),
        or that the memory watch stopped, is killed and replaced, and the reason noted."""
        if self.memory.killed_at_mb is not None:
            why = f"passed {self.limit_mb:,.0f} MB ({self.memory.killed_at_mb:,.0f}) and was killed"
        elif healthy(self.base, HEALTHY_WITHIN_S):
            self.memory.reset()
            return
        else:
            why = f"did not answer /health within {HEALTHY_WITHIN_S:g} s"
        self.restarts.append(f"after {after}, the server {why}: a new one ran {run}")
        print(f"  the server {why}: starting a new one", flush=True)
        with suppress(ProcessLookupError):
            os.kill(self.server.pid, signal.SIGKILL)
        self._stack.close()
        self._stack = ExitStack()
        self.server, self.memory = self._start()


def healthy(base: str, within_s: float) -> bool:
    """Whether `GET /health` answers 200 (each try waiting 2 s at most) within `within_s`."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        with suppress(httpx.TransportError):
            if httpx.get(base + "/health", timeout=2).status_code == 200:
                return True
        time.sleep(0.5)
    return False


# The data


def load_database(url: str) -> tuple[int, int]:
    """Load the demo locality into `url` and add generated published assets inside it until
    it holds ASSETS; the demo's count and the generated count."""
    engine = make_engine(url, pool_size=1)
    with Session(engine) as session, session.begin():
        for step in demo_steps():
            step.run(session, ApiSettings().service_extent)
    inside = (
        "SELECT count(*) FROM asset a, area t WHERE t.code = :code "
        "AND a.status = 'published' AND ST_Within(a.public_geom, t.geom)"
    )
    with engine.begin() as conn:
        demo = int(conn.scalar(text(inside), {"code": LOCAL_AUTHORITY}) or 0)
        lsoas = int(conn.scalar(text("SELECT count(*) FROM area WHERE level = 'lsoa'")) or 1)
        wanted = max(0, ASSETS - demo)
        conn.execute(
            text(GENERATE_SQL),
            {
                "code": LOCAL_AUTHORITY,
                "n": wanted,
                # more than enough: points falling outside the locality are left out
                "per_lsoa": math.ceil(wanted * 1.2 / lsoas) + 1,
            },
        )
        total = int(conn.scalar(text(inside), {"code": LOCAL_AUTHORITY}) or 0)
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return demo, total - demo


# Random points in each neighbourhood, kept inside the locality; kinds mixed, a tenth with a
# category of their kind, one in a hundred an individual who consented to be published.
GENERATE_SQL = """
WITH locality AS (SELECT geom FROM area WHERE code = :code),
points AS (
    SELECT (ST_Dump(ST_GeneratePoints(lsoa.geom, :per_lsoa))).geom AS geom
      FROM area lsoa, locality
     WHERE lsoa.level = 'lsoa' AND ST_Intersects(lsoa.geom, locality.geom)
),
inside AS (
    SELECT row_number() OVER () AS i, points.geom
      FROM points, locality
     WHERE ST_Within(points.geom, locality.geom)
     LIMIT :n
),
kinded AS (
    SELECT i, geom,
           CASE WHEN random() < 0.01 THEN 'individual'
                ELSE (ARRAY['association', 'institution', 'physical', 'economic',
                            'cultural'])[1 + floor(random() * 5)::integer]
           END AS kind,
           random() < 0.1 AS categorised
      FROM inside
)
INSERT INTO asset (name, kind, category_id, outcomes, geom, source, source_ref,
                   consent_publish, consent_given_at, consent_given_by)
SELECT 'Generated asset ' || i, kind,
       CASE WHEN categorised THEN
           (SELECT c.id FROM category c WHERE c.kind = kinded.kind ORDER BY random() LIMIT 1)
       END,
       CASE WHEN categorised THEN ARRAY['learning-skills'] ELSE '{}' END,
       geom, 'bench-load', i::text,
       CASE WHEN kind = 'individual' THEN true END,
       CASE WHEN kind = 'individual' THEN now() END,
       CASE WHEN kind = 'individual' THEN 'bench' END
  FROM kinded
"""


def endpoints(url: str) -> list[Endpoint]:
    """The anonymous endpoints, placed at the locality's middle: search in a box of about
    2.7 km (a few hundred assets, pages of 100), OGC items, the z14 tile there, the gap
    analysis for GP practices, the locality map and the GeoJSON export."""
    engine = make_engine(url, pool_size=1)
    with engine.connect() as conn:
        lon, lat = conn.execute(
            text("SELECT ST_X(label_point), ST_Y(label_point) FROM area WHERE code = :code"),
            {"code": LOCAL_AUTHORITY},
        ).one()
    engine.dispose()
    bbox = f"{lon - 0.02:.5f},{lat - 0.0125:.5f},{lon + 0.02:.5f},{lat + 0.0125:.5f}"
    side = 2**14
    x = int((lon + 180) / 360 * side)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * side)
    return [
        Endpoint("search", f"/assets?bbox={bbox}"),
        Endpoint("OGC items", "/ogc/collections/assets/items?limit=100"),
        Endpoint("tile z14", f"/ogc/collections/assets/tiles/WebMercatorQuad/14/{x}/{y}"),
        Endpoint("gaps", f"/gaps?within={LOCAL_AUTHORITY}&category=gp-practice"),
        Endpoint("locality map", f"/maps/{LOCAL_AUTHORITY}"),
        Endpoint("export", "/exports/assets.geojson"),
    ]


# wrk


def ensure_wrk() -> str:
    """The path of wrk; installed from Debian when missing and running as root, otherwise
    the benchmark stops (exit 2) saying how to install it."""
    found = shutil.which("wrk")
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: installing Debian's wrk (apt-get install -y wrk) ...", flush=True)
        env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-q", "wrk"]
        if subprocess.run(install, env=env, check=False).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=env, check=False)
            subprocess.run(install, env=env, check=False)
        found = shutil.which("wrk")
    if found is None:
        print("this benchmark needs wrk: sudo apt-get install wrk", file=sys.stderr)
        raise SystemExit(2)
    return found


@dataclass
class Load:
    """What wrk measured: answered requests and their statuses, those that failed (timed
    out or broke), requests per second, p50 and p99 of the answered ones (ms)."""

    requests: int = 0
    seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    failed: int = 0
    p50_ms: float | None = None
    p99_ms: float | None = None

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_wrk(wrk: str, base: str, path: str, seconds: int, timeout_s: int, name: str) -> Load:
    """wrk with CONNECTIONS connections for `seconds` on `path` (`{i}` in it: a new value in
    each request); its output is kept in bench/out/load-`name`.txt."""
    OUT.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    script = OUT / f"load-{name}.lua"
    lua = TALLY_LUA
    if "{i}" in path:
        lua += REQUEST_LUA % {"threads": WRK_THREADS, "path": lua_string(path)}
    script.write_text(lua)
    command = [
        wrk, f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s",
        f"--timeout={timeout_s}s", "--latency", "-s", str(script),
        base + path.replace("{i}", "1000"),
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=False)
    (OUT / f"load-{name}.txt").write_text(output.stdout + output.stderr)
    return parse_wrk(output.stdout)


def lua_string(value: str) -> str:
    """`value` as a Lua string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_wrk(output: str) -> Load:
    """The figures TALLY_LUA's `done` prints."""
    load = Load()
    figures = re.search(r"^load: (.*)$", output, re.MULTILINE)
    if figures is None:
        return load
    values = {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", figures.group(1))}
    load.requests = values["requests"]
    load.seconds = values["duration_us"] / 1e6
    load.failed = sum(values[key] for key in ("connect", "read", "write", "timeout"))
    if load.requests:
        load.p50_ms, load.p99_ms = values["p50_us"] / 1000, values["p99_us"] / 1000
    for status, count in re.findall(r"^load-status: (\d+) (\d+)$", output, re.MULTILINE):
        load.statuses[int(status)] += int(count)
    return load


# Attack 1: slow readers


@dataclass
class Download:
    """One slow reader: the status it was answered, how long that took, the bytes it read."""

    status: int | None = None
    to_status_s: float | None = None
    received: int = 0
    error: str | None = None


def slow_download(base: str, path: str, reads: bool, until: float) -> Download:
    """GET `path` over a raw socket with a small receive buffer and read the answer at
    READ_RATE from its first byte on (or, unless `reads`, its first kilobyte only) until
    `until` (monotonic s)."""
    download = Download()
    address = urlsplit(base)
    start = first_byte = time.monotonic()
    try:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
            sock.settimeout(1.0)
            sock.connect((address.hostname, address.port))
            request = f"GET {path} HTTP/1.1\r\nHost: {address.netloc}\r\n\r\n"
            sock.sendall(request.encode())
            head = b""
            while time.monotonic() < until:
                if download.status is not None and not reads:
                    time.sleep(max(0.0, min(1.0, until - time.monotonic())))
                    continue
                try:
                    chunk = sock.recv(1024)
                except TimeoutError:
                    continue
                if not chunk:
                    download.error = "closed by the server"
                    break
                if not download.received:
                    first_byte = time.monotonic()
                download.received += len(chunk)
                if download.status is None:
                    head += chunk
                    if b"\r\n" in head:
                        download.status = int(head.split(b" ", 2)[1])
                        download.to_status_s = time.monotonic() - start
                pace = first_byte + download.received / READ_RATE
                time.sleep(max(0.0, min(pace, until) - time.monotonic()))
    except OSError as problem:
        download.error = type(problem).__name__
    return download


def slow_readers(base: str, seconds: float) -> list[Download]:
    """SLOW_READERS slow downloads of the export at once for `seconds`, NON_READERS of them
    reading the headers only; each one's outcome."""
    until = time.monotonic() + seconds
    downloads: list[Download] = [Download() for _ in range(SLOW_READERS)]

    def run(index: int) -> None:
        downloads[index] = slow_download(
            base, "/exports/assets.geojson", index >= NON_READERS, until
        )

    threads = [threading.Thread(target=run, args=(i,)) for i in range(SLOW_READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return downloads


# The runs


@dataclass
class Row:
    """A line of a table: the load's figures; the answers of the check on the same endpoint;
    the slowest 503 (s) the check or the readers met; the answer to the first request; the
    probe's answers during the attack and after it (which `ended`, monotonic s); the
    server's peak memory (MB) and whether the memory watch killed it; what else to say."""

    label: str
    load: Load
    check: list[Answer] = field(default_factory=list)
    slowest_503_s: float | None = None
    first: Answer | None = None
    probe: list[Answer] = field(default_factory=list)
    after: list[Answer] = field(default_factory=list)
    ended: float = 0.0
    peak_mb: float = 0.0
    killed: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def other_5xx(self) -> int:
        """5xx but 503, of the load and of the check."""
        statuses = Counter(self.load.statuses)
        statuses.update(answer.status for answer in self.check if answer.status is not None)
        return sum(n for status, n in statuses.items() if status >= 500 and status != 503)

    @property
    def failed(self) -> int:
        """Requests of the load and of the check that had no answer."""
        return self.load.failed + sum(1 for answer in self.check if answer.error)

    def count(self, low: int, high: int) -> int:
        return sum(n for status, n in self.load.statuses.items() if low <= status < high)


def checked(label: str, load: Load, check: Sequence[Answer]) -> Row:
    """The row of a load with the check that ran beside it."""
    slow = [answer.seconds for answer in check if answer.status == 503]
    return Row(label, load, list(check), max(slow) if slow else None)


def throughput(service: Service, wrk: str, endpoint: Endpoint, seconds: int, timeout_s: int) -> Row:
    """One endpoint under wrk, after one request to warm it (kept as `first`), with a check
    on the same endpoint once a second."""
    first = ask_once(service.base + endpoint.path, 4 * timeout_s)
    service.memory.reset()
    with Probe(service.base, endpoint.path, timeout_s) as check:
        load = run_wrk(wrk, service.base, endpoint.path, seconds, timeout_s, endpoint.label)
    row = checked(endpoint.label, load, check.answers)
    row.first = first
    row.peak_mb, row.killed = service.memory.peak_mb, service.memory.killed_at_mb is not None
    return row


def attack(service: Service, label: str, seconds: int, work: Callable[[], Row]) -> Row:
    """`work` (the attack, for `seconds`) while the probe asks `/assets` once a second, and
    RECOVERY_S more of the probe after the attack `ended`; the row `work` makes, with the
    probe's answers and the peak memory over the whole."""
    print(f"{label}: {seconds} s and {RECOVERY_S:g} s after ...", flush=True)
    service.memory.reset()
    start = time.monotonic()
    with Probe(service.base, PROBE_PATH, overlap=True) as probe:
        row = work()
        time.sleep(max(0.0, row.ended + RECOVERY_S - time.monotonic()))
    row.label = label
    row.probe, row.after = probe.between(start, row.ended), probe.between(row.ended, math.inf)
    row.peak_mb, row.killed = service.memory.peak_mb, service.memory.killed_at_mb is not None
    return row


def slow_export_attack(base: str, seconds: int) -> Row:
    """Attack 1's figures: the slow readers' statuses (a reader given none is "failed"),
    and their times to the status line as p50 and p99."""
    downloads = slow_readers(base, seconds)
    ended = time.monotonic()
    load = Load(requests=len(downloads))
    load.statuses.update(d.status for d in downloads if d.status is not None)
    load.failed = sum(1 for d in downloads if d.status is None)
    times = sorted(d.to_status_s for d in downloads if d.to_status_s is not None)
    if times:
        load.p50_ms = statistics.median(times) * 1000
        load.p99_ms = times[min(len(times) - 1, math.ceil(0.99 * len(times)) - 1)] * 1000
    slow = [d.to_status_s for d in downloads if d.status == 503 and d.to_status_s is not None]
    row = Row("", load, slowest_503_s=max(slow) if slow else None, ended=ended)
    errors = Counter(d.error for d in downloads if d.error)
    row.notes = [f"readers: {n} x {error}" for error, n in errors.most_common()]
    return row


def map_attack(base: str, wrk: str, path: str, seconds: int, timeout_s: int, name: str) -> Row:
    """Attack 2's figures: wrk on `path`, with a check on the same path once a second."""
    with Probe(base, path, timeout_s) as check:
        load = run_wrk(wrk, base, path, seconds, timeout_s, name)
        ended = time.monotonic()
    row = checked("", load, check.answers)
    row.ended = ended
    return row


# The report


def cell(value: float | None, spec: str, width: int) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width}{spec}}"


def print_throughput(rows: Sequence[Row], seconds: int, timeout_s: int) -> None:
    print(
        f"\nthroughput: wrk -t{WRK_THREADS} -c{CONNECTIONS} -d{seconds}s --timeout={timeout_s}s"
        " on each endpoint after one request to warm it (first s), with a check asking the"
        " same once a second (503 max s: the slowest 503 it met)"
    )
    print(
        f"{'endpoint':14}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'2xx':>8}{'503':>7}"
        f"{'other 5xx':>10}{'other':>6}{'failed':>7}{'first s':>8}{'503 max s':>10}"
        f"{'peak MB':>8}"
    )
    for row in rows:
        load = row.load
        others = sum(load.statuses.values()) - row.count(200, 300) - row.count(500, 600)
        first = None if row.first is None else row.first.seconds
        print(
            f"{row.label:14}{load.rate:8.1f}{cell(load.p50_ms, '.1f', 9)}"
            f"{cell(load.p99_ms, '.1f', 9)}{row.count(200, 300):8}{load.statuses[503]:7}"
            f"{row.other_5xx:10}{others:6}{row.failed:7}{cell(first, '.2f', 8)}"
            f"{cell(row.slowest_503_s, '.2f', 10)}{row.peak_mb:8.0f}"
        )
    print(
        "  failed: connections broken, or seen waiting past the timeout by wrk (every 2 s),"
        " and requests of the check with no answer"
    )
    for row in rows:
        print_failures(row)


def print_failures(row: Row) -> None:
    """The failures behind a row's figures, one line each: of its first request, of the check
    on its endpoint, of the probe, and the memory watch's."""
    if row.first is not None and row.first.failed:
        print(f"  {row.label}: first request: {row.first.describe()}")
    # the check's 503s are judged by their time ("503 max s"); any failure of the probe counts
    for who, answers, allowed in (("check", row.check, 503), ("probe", row.probe, None)):
        failures = Counter(a.describe() for a in answers if a.failed and a.status != allowed)
        if failures:
            shown = ", ".join(f"{n} x {what}" for what, n in failures.most_common())
            print(f"  {row.label}: {who}: {shown}")
    if row.killed:
        print(f"  {row.label}: the server passed the memory limit and was killed")
    for note in row.notes:
        print(f"  {row.label}: {note}")


def recovery(row: Row) -> str:
    """Whether the probe was answered, fast, from some moment after the attack on, and
    how long after the attack that was."""
    if row.killed:
        return "no (killed)"
    since = len(row.after)
    while since > 0 and good(row.after[since - 1]):
        since -= 1
    if since == len(row.after):
        return "no"
    answer = row.after[since]
    return f"in {max(0.0, answer.started + answer.seconds - row.ended):.1f} s"


def good(answer: Answer) -> bool:
    return not answer.failed and answer.seconds <= FAST_S


def print_attacks(rows: Sequence[Row]) -> None:
    print(
        f"\nattacks, each with a probe GET {PROBE_PATH} once a second (timeout"
        f" {PROBE_TIMEOUT_S:g} s), kept {RECOVERY_S:g} s after the attack to see it recover"
    )
    print(
        f"{'attack':26}{'req/s':>7}{'p50 ms':>8}{'p99 ms':>8}{'2xx':>6}{'503':>6}"
        f"{'other 5xx':>10}{'failed':>7}{'503 max s':>10}{'probes':>7}{'p50 s':>7}"
        f"{'worst s':>8}{'errors':>7}{'peak MB':>8}  recovered"
    )
    for row in rows:
        load = row.load
        times = [answer.seconds for answer in row.probe]
        print(
            f"{row.label:26}{cell(load.rate if load.seconds else None, '.1f', 7)}"
            f"{cell(load.p50_ms, '.0f', 8)}{cell(load.p99_ms, '.0f', 8)}"
            f"{row.count(200, 300):6}{load.statuses[503]:6}{row.other_5xx:10}{row.failed:7}"
            f"{cell(row.slowest_503_s, '.2f', 10)}{len(times):7}"
            f"{cell(statistics.median(times) if times else None, '.2f', 7)}"
            f"{cell(max(times) if times else None, '.2f', 8)}"
            f"{sum(1 for answer in row.probe if answer.failed):7}{row.peak_mb:8.0f}"
            f"  {recovery(row)}"
        )
    print(
        f"  1: {SLOW_READERS - NON_READERS} read {READ_RATE} B/s, {NON_READERS} the headers"
        " only; p50/p99 are their times to the status line, failed those given none."
        " 2a, 2b: wrk, and a check asking the same once a second"
    )
    for row in rows:
        print_failures(row)


def bounded(row: Row) -> tuple[bool, str]:
    """The first target: no 5xx but 503s, each within FAST_S; something answered, nothing
    failed."""
    problems = []
    if not row.load.statuses:
        problems.append("nothing answered")
    if row.other_5xx:
        problems.append(f"{row.other_5xx} other 5xx")
    if row.failed:
        problems.append(f"{row.failed} failed")
    if row.slowest_503_s is not None and row.slowest_503_s > FAST_S:
        problems.append(f"a 503 took {row.slowest_503_s:.1f} s")
    if row.killed:
        problems.append("killed past the memory limit")
    return not problems, ", ".join(problems) or "none"


def probed(row: Row) -> tuple[bool, str]:
    """The second target: the probe never waited more than FAST_S nor failed."""
    worst = max((answer.seconds for answer in row.probe), default=0.0)
    errors = sum(1 for answer in row.probe if answer.failed)
    return worst <= FAST_S and errors == 0 and bool(row.probe), (
        f"worst {worst:.2f} s, {errors} errors in {len(row.probe)}"
    )


def print_targets(throughput_rows: Sequence[Row], attack_rows: Sequence[Row]) -> None:
    print(
        f"\ntargets: no 5xx except a 503 within {FAST_S:g} s; the probe within {FAST_S:g} s,"
        " never failing"
    )
    for row in [*throughput_rows, *attack_rows]:
        ok, why = bounded(row)
        print(f"  {'PASS' if ok else 'FAIL'}  {row.label}: no 5xx but fast 503s ({why})")
    for row in attack_rows:
        ok, why = probed(row)
        print(f"  {'PASS' if ok else 'FAIL'}  {row.label}: probe ({why})")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--seconds", type=int, default=30, help="length of each run and attack (default 30)"
    )
    parser.add_argument(
        "--timeout", type=int, default=30, help="wrk's and the checks' timeout, s (default 30)"
    )
    parser.add_argument(
        "--max-server-mb",
        type=float,
        default=6000,
        help="kill the server past this resident memory (default 6000)",
    )
    args = parser.parse_args(argv)
    wrk = ensure_wrk()
    started = time.monotonic()

    drop_database(DATABASE)
    url = migrated_database(DATABASE)
    try:
        print(f"loading the demo locality and generating assets in {DATABASE} ...", flush=True)
        demo, generated = load_database(url)
        print(
            f"{demo + generated:,} published assets in {LOCAL_AUTHORITY} ({demo:,} of the demo,"
            f" {generated:,} generated) in {time.monotonic() - started:.0f} s",
            flush=True,
        )
        service = Service(url, args.max_server_mb)
        try:
            throughput_rows, attack_rows = run_all(service, wrk, url, args.seconds, args.timeout)
        finally:
            service.close()
    finally:
        drop_database(DATABASE)

    print(
        f"\n{ASSETS:,} published assets in {LOCAL_AUTHORITY}; `assetmap serve`, one worker,"
        f" default settings, on 127.0.0.1; {os.cpu_count()} CPUs shared with the clients"
    )
    print_throughput(throughput_rows, args.seconds, args.timeout)
    print_attacks(attack_rows)
    for note in service.restarts:
        print(f"  note: {note}")
    print_targets(throughput_rows, attack_rows)
    print(f"\n{time.monotonic() - started:.0f} s in all")


def run_all(
    service: Service, wrk: str, url: str, seconds: int, timeout_s: int
) -> tuple[list[Row], list[Row]]:
    """The throughput runs, then the attacks, each on a server that answers."""
    throughput_rows: list[Row] = []
    previous = "start-up"
    for endpoint in endpoints(url):
        service.ready_for(endpoint.label, previous)
        print(f"{endpoint.label}: {seconds} s of wrk ...", flush=True)
        throughput_rows.append(throughput(service, wrk, endpoint, seconds, timeout_s))
        previous = endpoint.label

    maps = f"/maps/{LOCAL_AUTHORITY}"
    busting = f"{maps}?layer=gaps&distance_m={{i}}"
    attacks: list[tuple[str, Callable[[], Row]]] = [
        (
            f"1 slow export readers ({SLOW_READERS})",
            lambda: slow_export_attack(service.base, seconds),
        ),
        (
            f"2a maps, one page (-c{CONNECTIONS})",
            lambda: map_attack(service.base, wrk, maps, seconds, timeout_s, "2a"),
        ),
        (
            f"2b maps, new pages (-c{CONNECTIONS})",
            lambda: map_attack(service.base, wrk, busting, seconds, timeout_s, "2b"),
        ),
    ]
    attack_rows: list[Row] = []
    for label, work in attacks:
        service.ready_for(label, previous)
        attack_rows.append(attack(service, label, seconds, work))
        previous = label
    return throughput_rows, attack_rows


if __name__ == "__main__":
    main()
