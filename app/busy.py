"""Bounds on expensive work: a fixed number of one kind at once in a worker, and a fast 503
with Retry-After beyond, so a crowd asking for maps or analyses cannot starve everything
else."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from app.errors import Problem
from app.i18n import said


class Bound:
    """At most `limit` pieces of one kind of work (`name`, in words: "map builds") at once;
    one more is refused at once with a 503 telling the client to come back in
    `retry_after_s` seconds. Safe to use from threads and from the event loop."""

    def __init__(self, name: str, limit: int, retry_after_s: int) -> None:
        if limit < 1:
            raise ValueError(f"{name}: the bound must be at least 1")
        self.name = name
        self.limit = limit
        self.retry_after_s = retry_after_s
        self._free = threading.BoundedSemaphore(limit)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the bound's places while the block runs; a 503 if none is free."""
        if not self._free.acquire(blocking=False):
            raise busy(f"{self.limit} {self.name} are already under way", self.retry_after_s)
        try:
            yield
        finally:
            self._free.release()


def busy(detail: str, retry_after_s: int) -> Problem:
    """A 503 for work the service cannot take on now, with when to try again."""
    return Problem(
        503,
        said(
            "the service is busy: {detail}; try again in {retry_after_s} s",
            detail=detail,
            retry_after_s=retry_after_s,
        ),
        headers={"Retry-After": str(retry_after_s)},
    )
