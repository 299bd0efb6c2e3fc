"""Reads on read-only streaming replicas, with read-your-writes.

With `ASSETMAP_DATABASE_READ_URLS` set, the sessions of a request that only reads (a GET or
HEAD that opens no write session) come from a replica; a request that writes uses the
primary for everything. A client that has just written carries the primary's WAL position
after its commit (the `assetmap_lsn` cookie, or the `Assetmap-LSN` header it was answered
with); its reads go to a replica only once that replica has replayed that far, else to the
primary. Each worker asks its replicas every `replica_poll_s` how far they have replayed; one
that cannot be reached, or is more than `replica_max_lag_s` behind, is not read from until it
catches up, and `/health` says so.
"""

from __future__ import annotations

import logging
import random
import string
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.db import make_engine, make_sessionmaker
from app.settings import DatabaseSettings

log = logging.getLogger("assetmap.replicas")
LSN_COOKIE = "assetmap_lsn"
LSN_HEADER = "assetmap-lsn"
# How long a client's cookie keeps its reads on an up-to-date database: far longer than any
# replica that is read from may lag.
LSN_COOKIE_MAX_AGE_S = 300
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
HEX = frozenset(string.hexdigits)

ReplicaState = Literal["ok", "lagging", "down"]


def parse_lsn(lsn: str) -> int | None:
    """A WAL position as PostgreSQL prints it (`16/B374D848`) as a number; None if it is not
    one (a client's cookie is not trusted to be)."""
    high, slash, low = lsn.strip().partition("/")
    if not slash or not all(0 < len(part) <= 8 and set(part) <= HEX for part in (high, low)):
        return None
    return (int(high, 16) << 32) | int(low, 16)


@dataclass
class RequestRoute:
    """Where one request's sessions come from: `primary_only` once it writes (by its method,
    or by opening a write session); `seen_lsn`, the newest write the client has seen;
    `wrote_lsn`, the primary's WAL position after this request's last commit."""

    primary_only: bool = False
    seen_lsn: int | None = None
    wrote_lsn: str | None = None


_route: ContextVar[RequestRoute | None] = ContextVar("assetmap_route", default=None)


def current_route() -> RequestRoute | None:
    return _route.get()


@contextmanager
def on_primary() -> Iterator[None]:
    """Every session opened inside the block comes from the primary."""
    token = _route.set(RequestRoute(primary_only=True))
    try:
        yield
    finally:
        _route.reset(token)


class ReadYourWrites:
    """ASGI middleware: marks each request as reading or writing and reads the WAL position
    the client carries; answers a request that committed with the position after its commit,
    as a cookie and an `Assetmap-LSN` header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = RequestRoute(
            primary_only=scope["method"] in WRITES, seen_lsn=seen_lsn(scope["headers"])
        )
        token = _route.set(route)

        async def answer(message: Message) -> None:
            if message["type"] == "http.response.start" and route.wrote_lsn is not None:
                cookie = (
                    f"{LSN_COOKIE}={route.wrote_lsn}; Path=/; Max-Age={LSN_COOKIE_MAX_AGE_S}; "
                    "HttpOnly; SameSite=Lax"
                )
                message["headers"] = [
                    *message.get("headers", []),
                    (b"set-cookie", cookie.encode()),
                    (b"assetmap-lsn", route.wrote_lsn.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, answer)
        finally:
            _route.reset(token)


def seen_lsn(headers: list[tuple[bytes, bytes]]) -> int | None:
    """The newest of the positions in the request's `Assetmap-LSN` header and cookie."""
    seen: list[int] = []
    for name, value in headers:
        raw: str | None = None
        if name == LSN_HEADER.encode():
            raw = value.decode("latin-1")
        elif name == b"cookie":
            raw = _cookie(value.decode("latin-1"))
        lsn = parse_lsn(raw) if raw else None
        if lsn is not None:
            seen.append(lsn)
    return max(seen) if seen else None


def _cookie(header: str) -> str | None:
    """The `assetmap_lsn` cookie's value, found by hand: one malformed cookie of another
    site on the same host must not hide it."""
    for part in header.split(";"):
        name, equals, value = part.strip().partition("=")
        if equals and name == LSN_COOKIE:
            return value.strip('"')
    return None


@dataclass
class ReplicaHealth:
    """What one replica looked like when last asked."""

    name: str
    state: ReplicaState = "down"
    replay_lsn: str | None = None
    lag_s: float | None = None
    lag_bytes: int | None = None
    detail: str | None = "not asked yet"

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "state": self.state,
            "replay_lsn": self.replay_lsn,
            "lag_s": self.lag_s,
            "lag_bytes": self.lag_bytes,
            "detail": self.detail,
        }


class Replica:
    """One read-only replica: its engine, its two kinds of session, and its last health."""

    def __init__(self, url: str, settings: DatabaseSettings) -> None:
        self.engine: Engine = make_engine(
            url,
            settings.pool_size,
            settings.pool_timeout_s,
            settings.connect_timeout_s,
            settings.pooler,
        )
        self.reads = make_sessionmaker(self.engine, read_only=True)
        self.transactions = make_sessionmaker(self.engine)
        self.health = ReplicaHealth(name=_name(url))
        self.replay_lsn: int | None = None

    def ask(self, primary: Sequence[tuple[float, int]], max_lag_s: float) -> None:
        """Ask how far the replica has replayed, given the primary's WAL positions at the
        last checks (monotonic seconds, position; the newest last); one that does not
        answer is down."""
        try:
            with self.engine.connect() as conn:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                row = conn.execute(
                    text(
                        "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, "
                        "extract(epoch FROM now() - pg_last_xact_replay_timestamp())"
                    )
                ).one()
        except SQLAlchemyError as down:
            self.mark_down(type(getattr(down, "orig", None) or down).__name__)
            return
        in_recovery, replay, since_replay = row
        lsn = parse_lsn(replay) if replay else None
        if not in_recovery or lsn is None:
            self.mark_down("not a replica: it is not in recovery")
            return
        self.replay_lsn = lsn
        behind = max(0, primary[-1][1] - lsn) if primary else None
        # Replayed up to the primary's newest position: no lag. Behind it: as old as the
        # newest position of the primary's it has reached (an idle primary's checkpoint
        # is not a lag of all the time since the last transaction); none reached yet: as
        # old as the last transaction it replayed.
        reached = [when for when, position in primary if position <= lsn]
        if behind == 0:
            lag_s = 0.0
        elif reached:
            lag_s = time.monotonic() - max(reached)
        else:
            lag_s = float(since_replay or 0.0)
        self.health = ReplicaHealth(
            name=self.health.name,
            state="ok" if lag_s <= max_lag_s else "lagging",
            replay_lsn=replay,
            lag_s=round(lag_s, 3),
            lag_bytes=behind,
            detail=None if lag_s <= max_lag_s else f"more than {max_lag_s:g} s behind",
        )

    def mark_down(self, detail: str) -> None:
        self.replay_lsn = None
        self.health = ReplicaHealth(name=self.health.name, state="down", detail=detail)

    def has_replayed(self, session: Session, lsn: int) -> bool:
        """Whether the replica has replayed the primary's WAL up to `lsn`, asked now."""
        replay = session.scalar(text("SELECT pg_last_wal_replay_lsn()::text"))
        now = parse_lsn(replay) if replay else None
        if now is not None:
            self.replay_lsn = now
        return now is not None and now >= lsn


def _name(url: str) -> str:
    """A replica as /health names it: host, port and database, never its password."""
    parsed = make_url(url)
    return f"{parsed.host}:{parsed.port or 5432}/{parsed.database}"


class Replicas:
    """The replicas reads are spread over, kept checked by a thread in each worker."""

    def __init__(self, primary: sessionmaker[Session], settings: DatabaseSettings) -> None:
        self._primary = primary
        self._max_lag_s = settings.replica_max_lag_s
        self._poll_s = settings.replica_poll_s
        self._keep_s = settings.replica_max_lag_s + 3 * settings.replica_poll_s
        self.replicas = [Replica(url, settings) for url in settings.read_urls]
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        # the primary's WAL positions at recent checks, for the replicas' lag
        self._positions: deque[tuple[float, int]] = deque()

    def start(self) -> None:
        self.check()
        self._thread = threading.Thread(target=self._poll, name="replica-poll", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self._poll_s + 10)
        for replica in self.replicas:
            replica.engine.dispose()

    def _poll(self) -> None:
        while not self._stop.wait(self._poll_s):
            try:
                self.check()
            except Exception:  # the poll goes on whatever one round met
                log.exception("checking the replicas failed")

    def check(self) -> list[ReplicaHealth]:
        """Ask the primary its WAL position, then each replica how far it has replayed."""
        with self._lock:
            try:
                with on_primary(), self._primary() as session:
                    current = session.scalar(text("SELECT pg_current_wal_lsn()::text"))
            except SQLAlchemyError:
                current = None  # the primary's own health is /health's to tell
            now = time.monotonic()
            position = parse_lsn(current) if current else None
            if position is not None:
                self._positions.append((now, position))
            # kept for as long as a lag could be measured against them
            while len(self._positions) > 1 and self._positions[0][0] < now - self._keep_s:
                self._positions.popleft()
            for replica in self.replicas:
                replica.ask(self._positions if position is not None else (), self._max_lag_s)
            return [replica.health for replica in self.replicas]

    def session(self, options: Mapping[str, Any] | None = None) -> Session | None:
        """A session on a replica this request may read from (in autocommit, or in one
        transaction with `options`), or None: the request writes, no replica is up and
        caught up, or none has replayed the client's last write."""
        route = _route.get()
        if route is not None and route.primary_only:
            return None
        seen = route.seen_lsn if route is not None else None
        usable = [replica for replica in self.replicas if replica.health.state == "ok"]
        random.shuffle(usable)
        # those known to have replayed the client's write first; the others asked now
        usable.sort(key=lambda replica: seen is not None and (replica.replay_lsn or 0) < seen)
        for replica in usable:
            session = (replica.transactions if options else replica.reads)()
            try:
                session.connection(execution_options=dict(options) if options else None)
                behind = seen is not None and (replica.replay_lsn or 0) < seen
                if behind and seen is not None and not replica.has_replayed(session, seen):
                    session.close()
                    continue
            except SQLAlchemyError as down:
                session.close()
                log.warning("replica %s unreachable: %s", replica.health.name, down)
                replica.mark_down(type(getattr(down, "orig", None) or down).__name__)
                continue
            return session
        return None

    def writing(self) -> None:
        """A write session opens: the rest of this request reads from the primary."""
        route = _route.get()
        if route is not None:
            route.primary_only = True

    def wrote(self) -> None:
        """After a commit: note the primary's WAL position for the client's next read."""
        route = _route.get()
        if route is None:
            return
        try:
            with self._primary() as session:
                route.wrote_lsn = session.scalar(text("SELECT pg_current_wal_lsn()::text"))
        except SQLAlchemyError:
            # committed all the same: the answer goes without the position, and this
            # client's next read may find a replica behind its write
            log.warning("the WAL position after a commit could not be read", exc_info=True)

    def reads_from(self) -> Literal["replicas", "primary"]:
        """Where reads go now: to the replicas, or all to the primary (none is usable)."""
        ok = any(replica.health.state == "ok" for replica in self.replicas)
        return "replicas" if ok else "primary"
