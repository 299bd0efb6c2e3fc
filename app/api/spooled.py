"""Answers built once per version of the data and served from the spool (exports, map pages,
gap analyses), with an ETag; and the wait for them, given up when the client leaves."""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.api.deps import Sessions
from app.busy import Bound
from app.io.spool import Spool

T = TypeVar("T")
# A client that went away before its answer was ready: nothing is sent, nothing is logged as
# an error (nginx's code for it).
CLIENT_GONE = 499


@dataclass(frozen=True)
class Spooled:
    """What to build, how, and how to send it."""

    # what was asked, in words that name it wholly: "exports/assets", {"kind": ...}
    what: str
    params: Mapping[str, Any]
    suffix: str
    media_type: str
    # writes the answer to the path from a snapshot session; checks the event between chunks
    build: Callable[[Session, Path, threading.Event], None]
    # a check of the question on a read session, before anything is built (its 4xx first)
    check: Callable[[Session], None] | None = None
    filename: str | None = None


def data_version(session: Session) -> str:
    """The version of the data the session sees (migration 0006's data_version())."""
    return str(session.scalar(text("SELECT data_version()")))


async def spooled_response(
    request: Request, sessions: Sessions, spool: Spool, bound: Bound, wanted: Spooled
) -> Response:
    """The answer to `wanted` from the spool, built now if need be (a 503 when `bound` is
    full); a 304 when the client's If-None-Match names the current version's ETag."""

    def prepare() -> str:
        with sessions.read() as session:
            if wanted.check is not None:
                wanted.check(session)
            return data_version(session)

    version = await run_in_threadpool(prepare)
    asked = json.dumps([wanted.what, sorted(wanted.params.items()), version], default=str)
    key = hashlib.sha256(asked.encode()).hexdigest()[:40]
    headers = {"ETag": f'"{key}"', "Cache-Control": "no-cache"}
    if wanted.filename is not None:
        headers["Content-Disposition"] = f'attachment; filename="{wanted.filename}"'
    if _matches(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)

    def build(path: Path, cancel: threading.Event) -> None:
        with sessions.snapshot() as session:
            wanted.build(session, path, cancel)

    path = await until_disconnected(request, spool.get(key, wanted.suffix, build, bound.slot))
    if path is None:
        return Response(status_code=CLIENT_GONE)
    return FileResponse(path, media_type=wanted.media_type, headers=headers)


def _matches(if_none_match: str | None, etag: str) -> bool:
    if if_none_match is None:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return etag in tags or "*" in tags


async def until_disconnected(request: Request, work: Awaitable[T]) -> T | None:
    """The result of `work`, or None once the client has disconnected (`work` is then
    cancelled, so what it waited for can stop)."""
    task = asyncio.ensure_future(work)
    gone = asyncio.ensure_future(_disconnected(request))
    try:
        await asyncio.wait({task, gone}, return_when=asyncio.FIRST_COMPLETED)
    except BaseException:
        task.cancel()
        raise
    finally:
        gone.cancel()
    if task.done():
        return task.result()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return None


async def _disconnected(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass
