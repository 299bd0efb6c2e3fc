"""The scanning day's live stream against real servers: an addition made through one
server reaches the room listening on another (each its own PostgreSQL listener, no broker),
and on one server with two workers; a client that reconnects with the last id it had gets
what it missed, once."""

from __future__ import annotations

import asyncio
import contextlib
import json
import queue
import socket
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy.orm import Session

from app.api.session_stream import SessionEvents, stream
from app.auth import accounts
from app.db import make_engine
from app.domain import sessions
from app.settings import AuthSettings
from tests.conftest import (
    asset_feature,
    demo_database,
    drop_database,
    in_a_loop_of_its_own,
    server_process,
)

TRAFFORD = "E08000009"


@pytest.fixture(scope="module")
def live_database(base_url: str) -> Iterator[dict[str, str]]:
    """The demo locality with a facilitator; what the tests add is committed."""
    url = demo_database(base_url, "assetmap_live")
    engine = make_engine(url, pool_size=1)
    with Session(engine) as session, session.begin():
        user_id, _ = accounts.create_user(session, "fa@example.org", "moderator", [TRAFFORD])
        token = accounts.issue_token(session, user_id, "api", AuthSettings(), "tests").token
    engine.dispose()
    yield {"url": url, "token": token}
    drop_database(url)


def _open(base: str, token: str) -> dict[str, Any]:
    opened = httpx.post(
        base + "/sessions",
        json={"area": TRAFFORD, "title": "Live", "held_on": "2026-12-05"},
        headers={"Authorization": f"Bearer {token}"},
    )
    opened.raise_for_status()
    found: dict[str, Any] = opened.json()
    return found


def _join(base: str, opened: dict[str, Any], name: str) -> str:
    joined = httpx.post(
        f"{base}/sessions/{opened['id']}/join",
        json={"code": opened["code"], "display_name": name, "consent_to_network": True},
    )
    joined.raise_for_status()
    token: str = joined.json()["token"]
    return token


class Listener:
    """Someone in the room listening to the stream, in a thread: each event as it comes. A
    plain socket, so hanging up (`stop`) ends a read waiting in the thread at once."""

    def __init__(self, url: str, token: str, last_event_id: int | None = None) -> None:
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        where = urlsplit(url)
        self._socket = socket.create_connection((where.hostname, where.port), timeout=60)
        lines = [
            f"GET {where.path}?{where.query} HTTP/1.1"
            if where.query
            else f"GET {where.path} HTTP/1.1",
            f"Host: {where.netloc}",
            f"Authorization: Bearer {token}",
            "Accept: text/event-stream",
        ]
        if last_event_id is not None:
            lines.append(f"Last-Event-ID: {last_event_id}")
        self._socket.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self._reader = self._socket.makefile("rb")
        status = self._reader.readline()
        assert b" 200 " in status, status
        while self._reader.readline() not in (b"\r\n", b""):
            pass  # the headers
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        fields: dict[str, str] = {}
        with contextlib.suppress(OSError, ValueError):
            for raw in self._reader:
                line = raw.decode().rstrip("\r\n")
                if not line:
                    if "id" in fields:
                        self.events.put({"id": int(fields["id"])} | json.loads(fields["data"]))
                    fields = {}
                elif ": " in line and not line.startswith(":"):
                    name, value = line.split(": ", 1)
                    fields[name] = value

    def next(self, timeout: float = 10) -> dict[str, Any]:
        return self.events.get(timeout=timeout)

    def until(self, kind: str, timeout: float = 10) -> dict[str, Any]:
        while True:
            event = self.next(timeout)
            if event["kind"] == kind:
                return event

    def stop(self) -> None:
        """Hang up: the server sees the client leave."""
        with contextlib.suppress(OSError):
            self._socket.shutdown(socket.SHUT_RDWR)
        self._socket.close()
        self._thread.join(timeout=10)


def test_an_addition_through_one_server_reaches_listeners_on_another(
    live_database: dict[str, str],
) -> None:
    with (
        server_process(live_database["url"]) as (one, _),
        server_process(live_database["url"]) as (other, _),
    ):
        opened = _open(one, live_database["token"])
        sam, priya = _join(one, opened, "Sam"), _join(other, opened, "Priya")
        events = f"/sessions/{opened['id']}/events"
        listeners = [Listener(one + events, sam), Listener(other + events, priya)]
        added = httpx.post(
            f"{one}/sessions/{opened['id']}/assets?confirmed=true",
            json=asset_feature(-2.43, 53.42, name="Tenants' garden"),
            headers={"Authorization": f"Bearer {sam}"},
        )
        heard = [listener.until("asset_added") for listener in listeners]
        for listener in listeners:
            listener.stop()

    assert added.status_code == 202
    assert [event["data"]["asset"]["name"] for event in heard] == ["Tenants' garden"] * 2
    assert heard[0]["id"] == heard[1]["id"]


def test_a_client_that_reconnects_gets_what_it_missed_once(live_database: dict[str, str]) -> None:
    with server_process(live_database["url"]) as (base, _):
        opened = _open(base, live_database["token"])
        sam = _join(base, opened, "Sam")
        url = f"{base}/sessions/{opened['id']}/events"
        first = Listener(url, sam)
        post = f"{base}/sessions/{opened['id']}/assets?confirmed=true"
        headers = {"Authorization": f"Bearer {sam}"}
        httpx.post(post, json=asset_feature(-2.43, 53.42, name="First"), headers=headers)
        had = first.until("asset_added")
        first.stop()
        for name in ("Second", "Third"):  # while it is away
            httpx.post(post, json=asset_feature(-2.44, 53.42, name=name), headers=headers)
        again = Listener(url, sam, last_event_id=had["id"])
        missed = [again.next(), again.next()]
        httpx.post(post, json=asset_feature(-2.45, 53.42, name="Fourth"), headers=headers)
        live = again.next()
        again.stop()

    names = [event["data"]["asset"]["name"] for event in [*missed, live]]
    assert names == ["Second", "Third", "Fourth"]
    assert [event["id"] for event in missed] == sorted(event["id"] for event in missed)
    assert missed[0]["id"] > had["id"]


def test_two_workers_serve_one_room(live_database: dict[str, str]) -> None:
    with server_process(live_database["url"], {"ASSETMAP_WORKERS": "2"}) as (base, _):
        opened = _open(base, live_database["token"])
        tokens = [_join(base, opened, f"Person {n}") for n in range(6)]
        url = f"{base}/sessions/{opened['id']}/events"
        # six connections: the two workers take them as the kernel hands them out
        listeners = [Listener(url, token) for token in tokens]
        httpx.post(
            f"{base}/sessions/{opened['id']}/assets?confirmed=true",
            json=asset_feature(-2.43, 53.42, name="Community fridge"),
            headers={"Authorization": f"Bearer {tokens[0]}"},
        ).raise_for_status()
        heard = [listener.until("asset_added")["data"]["asset"]["name"] for listener in listeners]
        for listener in listeners:
            listener.stop()

    assert heard == ["Community fridge"] * 6


def test_a_worker_keeps_so_many_streams_open_and_then_answers_503_at_once(
    live_database: dict[str, str],
) -> None:
    with server_process(live_database["url"], {"ASSETMAP_SESSION_STREAMS_PER_WORKER": "1"}) as (
        base,
        _,
    ):
        opened = _open(base, live_database["token"])
        sam = _join(base, opened, "Sam")
        url = f"{base}/sessions/{opened['id']}/events"
        listener = Listener(url, sam)
        refused = httpx.get(url, headers={"Authorization": f"Bearer {sam}"}, timeout=5)
        listener.stop()
        # once the first hangs up, a stream is free again
        again = Listener(url, sam)
        heard = again.until("joined")
        again.stop()

    assert refused.status_code == 503 and int(refused.headers["Retry-After"]) > 0
    assert refused.json()["detail"]
    assert heard["data"]["participant"] == "Sam"


def test_a_reader_too_far_behind_reads_what_it_missed_from_the_table(
    live_database: dict[str, str],
) -> None:
    """Events come faster than a stream sends them: past its backlog it drops what waits
    and re-reads from the table, so it still sends each event once, in order."""
    with server_process(live_database["url"]) as (base, _):
        opened = _open(base, live_database["token"])
        sam = _join(base, opened, "Sam")
        post = f"{base}/sessions/{opened['id']}/assets?confirmed=true"
        for n in range(5):
            httpx.post(
                post,
                json=asset_feature(-2.43 + n / 100, 53.42, name=f"Burst {n}"),
                headers={"Authorization": f"Bearer {sam}"},
            ).raise_for_status()
    engine = make_engine(live_database["url"], pool_size=1)
    with Session(engine) as session:
        stored = sessions.events_after(session, opened["id"], 0)
    burst = [event | {"session": opened["id"]} for event in stored[1:]]  # after "joined"

    # the table as the stream reads it: the burst commits once the stream is waiting
    committed = {"up_to": stored[0]["id"]}
    read_once = asyncio.Event()

    async def read_after(event_id: int) -> list[dict[str, Any]]:
        with Session(engine) as session:
            found = sessions.events_after(session, opened["id"], event_id)
        read_once.set()
        return [event for event in found if event["id"] <= committed["up_to"]]

    async def listen() -> list[str]:
        events = SessionEvents(live_database["url"], backlog=1)
        sent = stream(events, opened["id"], stored[0]["id"], read_after)
        assert await anext(sent) == "retry: 1000\n\n"
        waiting = asyncio.ensure_future(anext(sent))
        await read_once.wait()  # the stream has read the table and waits for live events
        committed["up_to"] = burst[-1]["id"]
        for event in burst:  # all at once, as a busy room's NOTIFYs arrive
            events._tell(event)
        return [await waiting] + [await anext(sent) for _ in burst[1:]]

    sent = in_a_loop_of_its_own(asyncio.wait_for(listen(), timeout=20))
    engine.dispose()

    assert [line.split("\n")[0] for line in sent] == [f"id: {e['id']}" for e in burst]
