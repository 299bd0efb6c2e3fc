"""A live scanning session on loopback: 50 people in one room, each adding 10 assets while
all listen to its event stream (issue 14).

`assetmap serve` as users run it (default settings, two workers or `--workers 1`, on
127.0.0.1) on a throwaway database of the demo locality (Trafford) with a moderator, so an
addition one worker answers reaches the other's listeners through PostgreSQL. The clients:
one asyncio process (httpx) on the same machine. The baseline, in a session of its own: one
person listens and adds 20 assets one after another. The room: 50 people join and open
`GET /sessions/{id}/events`; all add their 10 assets at once, each one after another, at
places on a 300 m grid (so the near-duplicate check refuses none); once all is heard (or
30 s have passed) the session closes, ending the streams. A delivery's time: when a
listener read an `asset_added` event, less when its POST was answered, or sent, or (the
server's clock, same machine) when the event was stored. Every listener must hear every
event of its session, as the database holds them, once and in id order: it exits with 1
saying what went wrong when one did not, or a POST was refused.

Run with `python -m bench.live_session` (about 20 s; a minute when POSTs time out).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.auth import accounts
from app.db import make_engine
from app.io.demo import LOCAL_AUTHORITY
from app.io.demo import steps as demo_steps
from app.settings import ApiSettings, AuthSettings
from bench.common import drop_database, migrated_database, running_service

DATABASE = "assetmap_bench_live"
PARTICIPANTS, EACH = 50, 10  # 10 additions each: within session_writes_per_minute (30)
BASELINE = 20  # the additions of the baseline's one person
GRID_M = 300  # between places: more than the near-duplicate check's 100 m
HEARD_WITHIN_S = 30.0
LAG_TICK_S = 0.01

# The centres of a GRID_M grid (British National Grid) inside the locality, as lon/lat.
GRID_SQL = """
WITH locality AS (SELECT ST_Transform(geom, 27700) AS geom FROM area WHERE code = :code),
centres AS (SELECT ST_Centroid((ST_SquareGrid(:step, geom)).geom) AS geom FROM locality)
SELECT ST_X(ST_Transform(c.geom, 4326)), ST_Y(ST_Transform(c.geom, 4326))
  FROM centres c, locality WHERE ST_Within(c.geom, locality.geom) ORDER BY 1, 2
"""
Place = tuple[float, float]
ROWS = [
    *(f"delivery, from {since}" for since in ("POST answered", "POST sent", "event stored")),
    "POST /sessions/{id}/assets",
    "client loop lag",
]


def prepare(url: str, places: int) -> tuple[str, list[Place]]:
    """Load the demo into `url` and make a moderator of it: their API token, and `places`
    points (lon, lat) taken evenly from the locality's grid."""
    engine = make_engine(url, pool_size=1)
    with Session(engine) as session, session.begin():
        for step in demo_steps():
            step.run(session, ApiSettings().service_extent)
        user_id, _ = accounts.create_user(session, "fa@example.org", "moderator", [LOCAL_AUTHORITY])
        token = accounts.issue_token(session, user_id, "api", AuthSettings(), "bench").token
        grid = session.execute(text(GRID_SQL), {"code": LOCAL_AUTHORITY, "step": GRID_M}).all()
    engine.dispose()
    if len(grid) < places:
        raise RuntimeError(f"the locality holds only {len(grid)} places {GRID_M} m apart")
    return token, [tuple(grid[i * len(grid) // places]) for i in range(places)]


@dataclass
class Listener:
    """Someone in the room with the stream open: each event heard (id, kind, the event,
    and when: wall-clock s); `ready` once the server has subscribed the stream."""

    token: str
    heard: list[tuple[int, str, dict[str, Any], float]] = field(default_factory=list)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    added: int = 0  # asset_added events heard
    error: str | None = None

    async def listen(self, url: str) -> None:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "text/event-stream"}
        try:
            async with client() as phone, phone.stream("GET", url, headers=headers) as response:
                if response.status_code != 200:
                    self.error = f"HTTP {response.status_code}"
                    return
                pending = ""
                async for chunk in response.aiter_text():
                    at = time.time()
                    *blocks, pending = (pending + chunk).split("\n\n")
                    for block in blocks:
                        lines = [line.split(": ", 1) for line in block.split("\n")]
                        fields = dict(line for line in lines if len(line) == 2)
                        if "retry" in fields:  # the stream subscribes before it says this
                            self.ready.set()
                        if "id" in fields:
                            event = json.loads(fields["data"])
                            self.heard.append((int(fields["id"]), event["kind"], event, at))
                            self.added += event["kind"] == "asset_added"
                            if event["kind"] == "closed":
                                return
        except httpx.HTTPError as problem:
            self.error = f"{type(problem).__name__}: {problem}"
        finally:
            self.ready.set()


@dataclass(frozen=True)
class Post:
    """One addition: when it was sent and answered (wall-clock s), its status, and the
    addition's id, or the problem's detail."""

    sent: float
    answered: float
    status: int
    addition: int | None
    detail: str


async def add_assets(url: str, token: str, places: Sequence[Place]) -> list[Post]:
    """Someone in the room adds an asset at each of `places`, one after another."""
    posts = []
    async with client() as phone:
        for lon, lat in places:
            place = {"name": f"Benchmark {lon:.5f} {lat:.5f}", "kind": "association"}
            point = {"type": "Point", "coordinates": [lon, lat]}
            feature = {"type": "Feature", "geometry": point, "properties": place}
            sent = time.time()
            answer = await phone.post(
                url, json=feature, headers={"Authorization": f"Bearer {token}"}
            )
            json_body = "json" in answer.headers.get("content-type", "")
            said: dict[str, Any] = answer.json() if json_body else {"detail": answer.text[:80]}
            made = said.get("addition") if answer.is_success else None
            posts.append(Post(sent, time.time(), answer.status_code, made, said.get("detail", "")))
    return posts


@dataclass
class Room:
    """A session's run: its id, listeners and POSTs, how long the additions took (s), the
    connections each server process held while all listened (the streams and the
    moderator's), and how late the client's own loop woke meanwhile (s)."""

    id: int
    listeners: list[Listener]
    posts: list[Post] = field(default_factory=list)
    took: float = 0.0
    by_process: list[int] = field(default_factory=list)
    lag: list[float] = field(default_factory=list)

    def made(self) -> int:
        return sum(1 for post in self.posts if post.addition is not None)

    def all_heard(self) -> bool:
        return all(it.added >= self.made() for it in self.listeners)


def client() -> httpx.AsyncClient:
    """A client of someone's own, as each phone in the room is: plain HTTP on loopback, so
    no TLS context is built (each costs ~20 ms of CPU); a quiet stream says "still here"
    every 15 s."""
    return httpx.AsyncClient(timeout=httpx.Timeout(30.0, read=60.0), verify=False)


async def posted(boss: httpx.AsyncClient, url: str, body: Any, token: str = "") -> Any:
    """What a POST that must succeed answers."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return (await boss.post(url, json=body, headers=headers)).raise_for_status().json()


async def session_run(base: str, moderator: str, people: int, places: Sequence[Place]) -> Room:
    """One session: `people` join and listen, then each adds len(places) / people assets,
    all at once; it closes once all is heard."""
    async with client() as boss:
        body = {"area": LOCAL_AUTHORITY, "title": "Bench", "held_on": "2026-12-05"}
        opened = await posted(boss, f"{base}/sessions", body, moderator)
        url, code = f"{base}/sessions/{opened['id']}", opened["code"]
        try:
            names = [{"code": code, "display_name": f"Person {n}"} for n in range(people)]
            tokens = [(await posted(boss, url + "/join", name))["token"] for name in names]
            room = Room(opened["id"], [Listener(token) for token in tokens])
            streams = [asyncio.create_task(it.listen(url + "/events")) for it in room.listeners]
            await asyncio.wait_for(asyncio.gather(*(it.ready.wait() for it in room.listeners)), 30)
            room.by_process = streams_by_process(base)
            lag = asyncio.create_task(watch_lag(room.lag))
            each, started = len(places) // people, time.time()
            writes = [
                add_assets(url + "/assets", token, places[n * each : (n + 1) * each])
                for n, token in enumerate(tokens)
            ]
            room.posts = [post for person in await asyncio.gather(*writes) for post in person]
            room.took = time.time() - started
            deadline = time.monotonic() + HEARD_WITHIN_S
            while time.monotonic() < deadline and not room.all_heard():
                await asyncio.sleep(0.05)
            lag.cancel()
        finally:
            await posted(boss, url + "/close", None, moderator)
    await asyncio.wait(streams, timeout=15)
    for stream in streams:
        stream.cancel()
    return room


async def watch_lag(lags: list[float]) -> None:
    """How much later than asked the client's loop wakes, each LAG_TICK_S, until cancelled:
    the share of the times the client itself adds."""
    while True:
        before = time.perf_counter()
        await asyncio.sleep(LAG_TICK_S)
        lags.append(time.perf_counter() - before - LAG_TICK_S)


def streams_by_process(base: str) -> list[int]:
    """The connections to the server each of its processes holds (by `ss`), most first."""
    ss = ["ss", "-Htnp", "state", "established", f"( sport = :{urlsplit(base).port} )"]
    listing = subprocess.run(ss, capture_output=True, text=True, check=False).stdout
    return sorted(Counter(re.findall(r"pid=(\d+)", listing)).values(), reverse=True)


def problems(room: Room, url: str) -> list[str]:
    """What went wrong: additions refused, and listeners that failed, or did not hear
    every event the database holds of the session once, in id order."""
    engine = make_engine(url, pool_size=1)
    with engine.connect() as conn:
        query = text("SELECT id FROM session_event WHERE session_id = :id ORDER BY id")
        stored = list(conn.scalars(query, {"id": room.id}))
    engine.dispose()
    refused = Counter(f"{p.status} {p.detail}" for p in room.posts if p.addition is None)
    found = [f"{n} POSTs answered {answer}" for answer, n in refused.most_common()]
    for n, listener in enumerate(room.listeners):
        ids = [event[0] for event in listener.heard]
        if listener.error:
            found.append(f"session {room.id}, listener {n}: {listener.error}")
        if ids != stored:
            missing = sorted(set(stored) - set(ids))
            found.append(
                f"session {room.id}, listener {n}: heard {len(ids)} of {len(stored)} events;"
                f" {len(missing)} missing {missing[:5]}; {len(ids) - len(set(ids))} repeated;"
                f" {'out of' if ids != sorted(ids) else 'in'} order"
            )
    return found


def delays(room: Room) -> list[list[float]]:
    """Each delivery's time (s) from its POST's answer, from its sending, and from when
    its event was stored; and each POST's time."""
    by_addition = {post.addition: post for post in room.posts if post.addition is not None}
    found: list[list[float]] = [[], [], []]
    for listener in room.listeners:
        for _, kind, event, at in listener.heard:
            post = by_addition.get(event["data"].get("addition")) if kind == "asset_added" else None
            if post is not None:
                stored = datetime.fromisoformat(event["at"]).timestamp()
                for times, since in zip(found, (post.answered, post.sent, stored), strict=True):
                    times.append(at - since)
    return [*found, [post.answered - post.sent for post in room.posts]]


def figures(values: Sequence[float]) -> list[float]:
    """Median, p99 (nearest rank) and max, in ms."""
    ordered = sorted(values) or [math.nan]
    p99 = ordered[min(len(ordered) - 1, math.ceil(0.99 * len(ordered)) - 1)]
    return [statistics.median(ordered) * 1000, p99 * 1000, ordered[-1] * 1000]


def row(label: str, values: Sequence[float], baseline: Sequence[float]) -> str:
    """The room's figures, the baseline's, and their ratios (none to a baseline under 1 ms:
    nearly nothing, or negative)."""
    ours, theirs = figures(values), figures(baseline)
    ratios = [f"x{a / b:.1f}" if b >= 1 else "-" for a, b in zip(ours, theirs, strict=True)]
    cells = [f"{v:8.1f}" for v in [*ours, *theirs]] + [f"{r:>7}" for r in ratios]
    return f"{label:30}" + "".join(cells)


async def run(base: str, url: str, moderator: str, places: list[Place]) -> int:
    """The baseline, then the room; prints the figures; 1 if anything went wrong."""
    print(f"baseline: one person listening and adding {BASELINE} assets ...", flush=True)
    alone = await session_run(base, moderator, 1, places[:BASELINE])
    print(f"the room: {PARTICIPANTS} people listening, each adding {EACH} ...", flush=True)
    room = await session_run(base, moderator, PARTICIPANTS, places[BASELINE:])
    wrong = problems(alone, url) + problems(room, url)
    ours, theirs = delays(room), delays(alone)
    made, listeners = room.made(), len(room.listeners)
    print(
        f"\nparticipants {PARTICIPANTS}, additions {made} of {len(room.posts)}, listeners"
        f" {listeners} (connections by server process: {' + '.join(map(str, room.by_process))})"
    )
    heard = "PROBLEMS below" if wrong else "every listener heard every event once, in id order"
    print(f"asset_added deliveries {len(ours[0]):,} of {listeners * len(room.posts):,}; {heard}")
    print(f"write throughput {made / room.took:.1f} additions/s ({made} in {room.took:.2f} s)\n")
    print(
        f"{'ms':30}{'median':>8}{'p99':>8}{'max':>8}{'baseline':>10}{'p99':>6}{'max':>8}   ratios"
    )
    for label, values, baseline in zip(ROWS, [*ours, room.lag], [*theirs, alone.lag], strict=True):
        print(row(label, values, baseline))
    print(f"  baseline: 1 listener, 1 writer, {BASELINE} additions one after another, alone")
    for problem in wrong[:20] + ([f"... and {len(wrong) - 20} more"] if len(wrong) > 20 else []):
        print(f"  PROBLEM: {problem}")
    return 1 if wrong else 0


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--workers", type=int, default=2, choices=(1, 2), help="default 2")
    args = parser.parse_args(argv)
    started = time.monotonic()
    drop_database(DATABASE)
    url = migrated_database(DATABASE)
    try:
        print(f"loading the demo locality into {DATABASE} ...", flush=True)
        moderator, places = prepare(url, BASELINE + PARTICIPANTS * EACH)
        with running_service(url, args.workers) as base:
            cpus = f"{os.cpu_count()} CPUs shared with the clients"
            print(f"`assetmap serve`, {args.workers} worker(s), on {base}; {cpus}", flush=True)
            status = asyncio.run(run(base, url, moderator, places))
    finally:
        drop_database(DATABASE)
    print(f"\n{time.monotonic() - started:.0f} s in all")
    sys.exit(status)


if __name__ == "__main__":
    main()
