"""A crowd and an attacker against the real server (`assetmap serve`, one worker): slow
downloads, many maps at once, guesses at a password all at once, and a server killed in the
middle of an upload. Each of these broke the service before issue 20."""

from __future__ import annotations

import os
import signal
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.auth import accounts
from app.db import make_engine
from app.settings import AuthSettings
from tests.conftest import demo_database, drop_database, server_process

# Enough that an export is tens of megabytes: more than a socket's buffers hold, so a
# client that does not read stalls the server's writing.
GENERATED_ASSETS = 40_000
PASSWORD = "a long pass phrase for the crowd"


@pytest.fixture(scope="module")
def crowded_database(base_url: str) -> Iterator[str]:
    """The demo locality and 40,000 more published assets in Trafford, and an admin."""
    url = demo_database(base_url, "assetmap_crowd")
    engine = make_engine(url, pool_size=1)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO asset (name, kind, description, geom) "
                "SELECT 'Street library ' || n, 'physical', repeat('Books to borrow. ', 20), "
                "ST_SetSRID(ST_MakePoint(-2.45 + random() * 0.2, 53.38 + random() * 0.08), 4326) "
                "FROM generate_series(1, :n) AS n"
            ),
            {"n": GENERATED_ASSETS},
        )
    with Session(engine) as session, session.begin():
        accounts.create_user(session, "root@example.org", "admin", [], PASSWORD)
        accounts.create_user(session, "ann@example.org", "contributor", [], PASSWORD)
    engine.dispose()
    yield url
    drop_database(url)


@pytest.fixture
def small_pool(tmp_path: Path) -> dict[str, str]:
    """A server's settings: a pool of 2 connections (and 2 more at a peak), few enough that
    holding them all is easy, and a spool of the test's own."""
    return {"ASSETMAP_DB_POOL_SIZE": "2", "ASSETMAP_SPOOL_DIR": str(tmp_path / "spool")}


def _stalled_download(base: str, path: str) -> socket.socket:
    """A client that asks for `path` and never reads the answer."""
    host, port = base.removeprefix("http://").split(":")
    client = socket.create_connection((host, int(port)), timeout=60)
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    client.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    return client


def test_clients_that_never_read_an_export_do_not_take_the_service_down(
    crowded_database: str, small_pool: dict[str, str]
) -> None:
    with server_process(crowded_database, small_pool) as (base, _):
        stalled = [_stalled_download(base, "/exports/assets.geojson") for _ in range(8)]
        try:
            # they have their answers' first bytes before anyone else asks
            for client in stalled:
                assert client.recv(12) == b"HTTP/1.1 200"
            search = httpx.get(base + "/assets?limit=5", timeout=10)
            health = httpx.get(base + "/health", timeout=10)
            export = httpx.get(base + "/exports/assets.csv?kind=institution", timeout=10)
        finally:
            for client in stalled:
                client.close()

    assert search.status_code == 200
    assert len(search.json()["features"]) == 5
    assert health.status_code == 200
    assert export.status_code == 200


def test_many_maps_at_once_get_a_map_or_a_fast_503_and_the_rest_carries_on(
    crowded_database: str, small_pool: dict[str, str]
) -> None:
    env = small_pool | {"ASSETMAP_MAX_MAP_BUILDS": "1"}
    with server_process(crowded_database, env) as (base, _):
        with ThreadPoolExecutor(12) as pool:
            # each asks a different question, so none is answered from what another built
            asked = [
                pool.submit(
                    httpx.get, f"{base}/maps/E08000009?layer=gaps&distance_m={900 + n}", timeout=60
                )
                for n in range(12)
            ]
            search = pool.submit(httpx.get, base + "/assets?limit=5", timeout=10)
            maps = [answer.result() for answer in asked]
        again = httpx.get(f"{base}/maps/E08000009?layer=gaps&distance_m=900", timeout=60)

    statuses = Counter(answer.status_code for answer in maps)
    assert set(statuses) <= {200, 503}, statuses
    assert statuses[200] >= 1
    for answer in maps:
        if answer.status_code == 503:
            assert int(answer.headers["retry-after"]) >= 1
            assert answer.headers["content-type"] == "application/problem+json"
    assert search.result().status_code == 200
    assert again.status_code == 200


def test_guesses_sent_all_at_once_are_limited_like_guesses_one_by_one(
    crowded_database: str, small_pool: dict[str, str]
) -> None:
    with server_process(crowded_database, small_pool) as (base, _), httpx.Client() as client:

        def guess(n: int) -> int:
            form = {"username": "ann@example.org", "password": f"guess {n}"}
            return client.post(base + "/auth/token", data=form, timeout=60).status_code

        with ThreadPoolExecutor(60) as pool:
            answers = Counter(pool.map(guess, range(60)))

    free = AuthSettings().free_failures
    assert answers == {401: free, 429: 60 - free}


def test_an_upload_left_by_a_killed_server_is_removed_when_it_starts_again(
    crowded_database: str, small_pool: dict[str, str], tmp_path: Path
) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    env = small_pool | {"ASSETMAP_UPLOAD_DIR": str(uploads)}
    rows = "ref,name,lon,lat\n" + "".join(
        f"{n},Allotment {n},{-2.45 + n * 1e-6:.6f},53.42\n" for n in range(200_000)
    )
    with server_process(crowded_database, env) as (base, server):
        token = httpx.post(
            base + "/auth/token", data={"username": "root@example.org", "password": PASSWORD}
        ).json()["access_token"]
        importing = threading.Thread(
            target=lambda: _upload_ignoring_the_end(base, token, rows), daemon=True
        )
        importing.start()
        left = _wait_for_folder(uploads, importing)
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
        assert left.exists()  # what the killed import left

        with server_process(crowded_database, env):
            assert not left.exists()
            assert list(uploads.iterdir()) == []
        importing.join(timeout=60)


def _upload_ignoring_the_end(base: str, token: str, rows: str) -> None:
    form = {"kind": "physical", "source": "allotments", "ref_field": "ref"}
    form |= {"lon_field": "lon", "lat_field": "lat"}
    with suppress(httpx.TransportError):  # the server is killed under it
        httpx.post(
            base + "/imports",
            data=form,
            files={"file": ("allotments.csv", rows)},
            headers={"Authorization": f"Bearer {token}"},
            timeout=120,
        )


def _wait_for_folder(uploads: Path, importing: threading.Thread) -> Path:
    """The upload's folder, once the server has made it (while the import runs)."""
    while importing.is_alive():
        made = list(uploads.iterdir())
        if made:
            return made[0]
        importing.join(timeout=0.01)
    raise AssertionError("the upload ended before its folder was seen")
