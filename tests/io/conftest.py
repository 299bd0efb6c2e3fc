"""The import tests' stand-in for another directory (tests/oruk_directory.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from tests.oruk_directory import Directory, Handler, Server


@pytest.fixture
def directory() -> Iterator[Directory]:
    """An ORUK API on 127.0.0.1 at a free port, at `/oruk`."""
    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.directory = Directory(f"http://127.0.0.1:{server.server_address[1]}/oruk")
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server.directory
    server.shutdown()
    server.server_close()
    thread.join()
