"""The spool: answers written once into files at the database's pace, then served from there.

An export, a map page or a gap analysis is built by one worker thread into a file named by
its key (what was asked, and the version of the data it was asked of); everyone asking the
same while it is built waits for that one build, and everyone after is served the file. So a
slow client reads from disk, never from a pooled database connection, and a crowd asking for
the same thing costs one build. A build no one waits for any more is stopped.

Files are kept until the spool passes its size, the least recently used going first. Keys
change with the data, so a file is never out of date: it is simply not asked for again.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

import anyio.to_thread

from app.io.uploads import process_running

# Writes the answer to the path; checks the event between chunks and stops (raising
# Cancelled) once it is set.
Build = Callable[[Path, threading.Event], None]

PART = ".part"


class Cancelled(Exception):
    """A build was stopped: no one waits for it any more."""


def check(cancel: threading.Event) -> None:
    """Raise Cancelled if the build has been called off; builds call it between chunks."""
    if cancel.is_set():
        raise Cancelled


@dataclass
class _Build:
    done: asyncio.Future[Path]
    cancel: threading.Event = field(default_factory=threading.Event)
    waiters: int = 0


class Spool:
    """Built answers in `folder`, at most about `max_bytes` of them (the newest is always
    kept). One per database: keys say what was asked and of which data version, not of
    which database."""

    def __init__(self, folder: Path, max_bytes: int) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.max_bytes = max_bytes
        self._building: dict[str, _Build] = {}
        self._running: set[asyncio.Task[None]] = set()

    @classmethod
    def for_database(cls, base: Path, database_url: str, max_bytes: int) -> Spool:
        """The spool of one database, in a folder of `base` named after its URL."""
        digest = hashlib.sha256(database_url.encode()).hexdigest()[:16]
        return cls(base / digest, max_bytes)

    def clean(self) -> int:
        """Remove the part-written files of builds whose process is gone (a crash, a kill);
        returns how many. Finished files stay: they are still right for their keys."""
        removed = 0
        for path in self.folder.glob(f"*{PART}*"):
            pid = path.name.split(".")[1]
            if pid.isdigit() and process_running(int(pid)):
                continue
            path.unlink(missing_ok=True)
            removed += 1
        return removed

    async def get(
        self, key: str, suffix: str, build: Build, slot: Callable[[], AbstractContextManager[None]]
    ) -> Path:
        """The file of `key` (ending in `suffix`): kept, being built, or built now while
        holding a `slot()` (which refuses, with a 503, when too many builds run). If every
        caller waiting for a build is cancelled, the build is stopped."""
        while True:
            finished = self.folder / f"{key}{suffix}"
            if finished.exists():
                os.utime(finished)  # most recently used: evicted last
                return finished
            current = self._building.get(key)
            if current is not None and current.cancel.is_set():
                # a build no one wanted is winding down: wait for it, then look again
                await asyncio.wait([current.done])
                continue
            if current is None:
                current = self._start(key, suffix, build, slot)
            current.waiters += 1
            try:
                return await asyncio.shield(current.done)
            finally:
                current.waiters -= 1
                if current.waiters == 0 and not current.done.done():
                    current.cancel.set()

    def _start(
        self, key: str, suffix: str, build: Build, slot: Callable[[], AbstractContextManager[None]]
    ) -> _Build:
        held = slot()
        held.__enter__()  # a 503 here when the bound is full: nothing started yet
        loop = asyncio.get_running_loop()
        current = _Build(loop.create_future())
        # a failure no one is left to read is not an error worth logging
        current.done.add_done_callback(lambda done: done.cancelled() or done.exception())
        self._building[key] = current
        task = loop.create_task(self._run(key, suffix, current, build, held))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return current

    async def _run(
        self,
        key: str,
        suffix: str,
        current: _Build,
        build: Build,
        held: AbstractContextManager[None],
    ) -> None:
        part = self.folder / f"{key}.{os.getpid()}{PART}{suffix}"
        finished = self.folder / f"{key}{suffix}"

        def build_and_keep() -> None:
            build(part, current.cancel)
            os.replace(part, finished)
            self._evict(finished)

        try:
            await anyio.to_thread.run_sync(build_and_keep)
            current.done.set_result(finished)
        except Exception as failed:
            part.unlink(missing_ok=True)
            current.done.set_exception(failed)
        except BaseException:
            part.unlink(missing_ok=True)
            current.done.cancel()
            raise
        finally:
            held.__exit__(None, None, None)
            del self._building[key]

    def _evict(self, keep: Path) -> None:
        """Remove the least recently used files while the spool holds more than its size;
        never `keep`, just built."""
        kept = []
        for path in self.folder.iterdir():
            if PART in path.name or path == keep:
                continue
            try:
                found = path.stat()
            except FileNotFoundError:
                continue
            kept.append((found.st_mtime, found.st_size, path))
        kept.sort()
        total = sum(size for _, size, _ in kept) + keep.stat().st_size
        for _, size, path in kept:
            if total <= self.max_bytes:
                break
            # a reader with the file open keeps reading it: only its name goes
            path.unlink(missing_ok=True)
            total -= size
