"""A scanning session's live events, as server-sent events, fed by PostgreSQL: every worker
keeps one connection LISTENing on `assetmap_session` (migration 0008 NOTIFYs each event as it
commits) and hands each event to the streams open in that worker. So any number of workers
serve one room, with no broker, and a stream holds no pooled connection while it waits.

A client that reconnects sends the id of the last event it had (`Last-Event-ID`); the stream
first sends, from the table, every event of the session after it, then the live ones, so
none is lost and none repeated.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import psycopg

from app.localdb import libpq_url

log = logging.getLogger("assetmap.sessions")
CHANNEL = "assetmap_session"
# A comment line this often keeps proxies and browsers from closing a quiet stream.
KEEP_ALIVE_S = 15.0
# Told to every stream when the listener had to reconnect: read what it missed.
RESYNC: dict[str, Any] = {"resync": True}


class SessionEvents:
    """This worker's listener, and the streams it feeds, by session."""

    def __init__(self, database_url: str, most_streams: int = 2000, backlog: int = 200) -> None:
        self._url = libpq_url(database_url)
        self._streams: dict[int, set[asyncio.Queue[dict[str, Any]]]] = {}
        self._most_streams = most_streams
        self._backlog = backlog
        self._open = 0
        self._task: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._listen())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _listen(self) -> None:
        wait = 0.5
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self._url, autocommit=True
                ) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    if wait > 0.5:  # a reconnection: the streams may have missed some
                        self._tell_all(RESYNC)
                    self.listening.set()
                    wait = 0.5
                    async for notice in conn.notifies():
                        self._tell(json.loads(notice.payload))
            except (psycopg.Error, OSError) as lost:
                self.listening.clear()
                log.warning("session events: listening stopped (%s); again in %.1f s", lost, wait)
                await asyncio.sleep(wait)
                wait = min(wait * 2, 10.0)

    def _tell(self, event: dict[str, Any]) -> None:
        for queue in self._streams.get(int(event["session"]), ()):
            _put(queue, event)

    def _tell_all(self, event: dict[str, Any]) -> None:
        for queues in self._streams.values():
            for queue in queues:
                _put(queue, event)

    @property
    def full(self) -> bool:
        """Whether this worker has as many streams open as it keeps."""
        return self._open >= self._most_streams

    @contextlib.contextmanager
    def subscription(self, session_id: int) -> Any:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=self._backlog)
        self._streams.setdefault(session_id, set()).add(queue)
        self._open += 1
        try:
            yield queue
        finally:
            self._open -= 1
            self._streams[session_id].discard(queue)
            if not self._streams[session_id]:
                del self._streams[session_id]


def _put(queue: asyncio.Queue[dict[str, Any]], event: dict[str, Any]) -> None:
    """Hand `event` to a stream; one too far behind drops what waits and re-reads it all
    from the table (RESYNC), so a slow reader costs a bounded memory and loses nothing."""
    try:
        queue.put_nowait(event)
    except asyncio.QueueFull:
        while not queue.empty():
            queue.get_nowait()
        queue.put_nowait(RESYNC)


def as_sse(event: dict[str, Any]) -> str:
    """One event as the text/event-stream format writes it."""
    body = json.dumps({"kind": event["kind"], "data": event["data"], "at": event["at"]})
    return f"id: {event['id']}\nevent: {event['kind']}\ndata: {body}\n\n"


async def stream(
    events: SessionEvents,
    session_id: int,
    after: int,
    read_after: Callable[[int], Any],
) -> AsyncIterator[str]:
    """The session's events after event `after`: those stored, then the live ones as they
    come, until the session closes. `read_after(id)` reads the stored ones after an id (off
    the event loop)."""
    with events.subscription(session_id) as live:
        yield "retry: 1000\n\n"
        last = after
        for event in await read_after(last):
            yield as_sse(event)
            last = event["id"]
            if event["kind"] == "closed":
                return
        while True:
            try:
                event = await asyncio.wait_for(live.get(), timeout=KEEP_ALIVE_S)
            except TimeoutError:
                yield ": still here\n\n"
                continue
            missed = event is RESYNC or "kind" not in event
            for found in await read_after(last) if missed else [event]:
                if found["id"] <= last:
                    continue  # sent already, from the table
                yield as_sse(found)
                last = found["id"]
                if found["kind"] == "closed":
                    return
