"""The spool builds an answer once for everyone who asks, within its bound, and stops a
build no one waits for any more (pure: no database, no HTTP)."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from starlette.requests import Request
from starlette.types import Message

from app.api.spooled import until_disconnected
from app.busy import Bound
from app.errors import Problem
from app.io.spool import Spool, check

pytestmark = pytest.mark.fast

T = TypeVar("T")


def run(work: Coroutine[Any, Any, T]) -> T:
    """Run `work` in an event loop of its own thread (the browser tests' playwright keeps
    one running in the main thread)."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, work).result()


def _bound(limit: int = 1) -> Bound:
    return Bound("test builds", limit, retry_after_s=3)


def test_everyone_asking_at_once_shares_one_build(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=10_000)
    builds: list[str] = []
    release = threading.Event()

    def build(path: Path, cancel: threading.Event) -> None:
        builds.append(path.name)
        release.wait(timeout=10)
        path.write_text("the answer")

    async def ask() -> list[Path]:
        waiting = [
            asyncio.ensure_future(spool.get("k1", ".txt", build, _bound().slot)) for _ in range(5)
        ]
        await asyncio.sleep(0)  # all five are waiting before the build can end
        release.set()
        return await asyncio.gather(*waiting)

    paths = run(ask())

    assert len(builds) == 1
    assert {path.read_text() for path in paths} == {"the answer"}
    assert [p.name for p in tmp_path.iterdir()] == ["k1.txt"]


def test_a_build_no_one_waits_for_is_stopped_and_leaves_nothing(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=10_000)
    bound = _bound()
    started, stopped = threading.Event(), threading.Event()

    def build(path: Path, cancel: threading.Event) -> None:
        path.write_text("part of it")
        started.set()
        while True:  # a chunk at a time, until told to stop
            try:
                check(cancel)
            except BaseException:
                stopped.set()
                raise
            cancel.wait(timeout=0.05)

    async def ask_then_leave() -> None:
        waiting = asyncio.ensure_future(spool.get("k2", ".txt", build, bound.slot))
        await asyncio.to_thread(started.wait, 10)
        waiting.cancel()
        await asyncio.gather(waiting, return_exceptions=True)
        await asyncio.to_thread(stopped.wait, 10)
        # the build's task winds down: its slot is given back and its file removed
        for _ in range(1000):
            if not list(tmp_path.iterdir()):
                break
            await asyncio.sleep(0.01)

    run(ask_then_leave())

    assert stopped.is_set()
    assert list(tmp_path.iterdir()) == []
    with bound.slot():
        pass  # free


def test_a_full_bound_refuses_a_new_build_at_once(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=10_000)
    bound = _bound()

    def build(path: Path, cancel: threading.Event) -> None:
        raise AssertionError("no build starts past the bound")

    async def ask() -> None:
        await spool.get("k3", ".txt", build, bound.slot)

    with bound.slot(), pytest.raises(Problem) as refused:
        run(ask())

    assert refused.value.status == 503
    assert refused.value.headers == {"Retry-After": "3"}


def test_what_a_dead_process_left_is_cleaned_and_finished_answers_kept(tmp_path: Path) -> None:
    (tmp_path / "done.geojson").write_text("{}")
    (tmp_path / "a.999999999.part.geojson").write_text("{")
    mine = tmp_path / f"b.{os.getpid()}.part.geojson"
    mine.write_text("{")

    removed = Spool(tmp_path, max_bytes=10_000).clean()

    assert removed == 1
    assert {p.name for p in tmp_path.iterdir()} == {"done.geojson", mine.name}


def test_the_least_recently_used_answers_go_once_the_spool_is_full(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=250)

    def build(path: Path, cancel: threading.Event) -> None:
        path.write_text("x" * 100)

    async def ask(key: str) -> Path:
        return await spool.get(key, ".txt", build, _bound().slot)

    for key in ("old", "used", "new"):
        run(ask(key))
        if key == "old":
            os.utime(tmp_path / "old.txt", (1, 1))
    os.utime(tmp_path / "used.txt")
    run(ask("newest"))

    assert sorted(p.name for p in tmp_path.iterdir()) == ["newest.txt", "used.txt"]


def test_waiting_ends_when_the_client_disconnects() -> None:
    gone = asyncio.Event()

    async def receive() -> Message:
        await gone.wait()
        return {"type": "http.disconnect"}

    async def scenario() -> tuple[object, bool]:
        request = Request({"type": "http", "method": "GET", "headers": []}, receive)
        never = asyncio.get_running_loop().create_future()
        waiting = asyncio.ensure_future(until_disconnected(request, never))
        await asyncio.sleep(0)
        gone.set()
        return await waiting, never.cancelled()

    answer, cancelled = run(scenario())

    assert answer is None
    assert cancelled
