"""The service run with ASSETMAP_WORKERS=4, as an operator would: four uvicorn worker
processes that keep nothing a user depends on in themselves. A sign-in lockout holds whichever
worker each try reaches, and a scanning day's event reaches listeners on every worker.

Which worker serves a connection is seen from the operating system (the worker process that
holds the server's end of the TCP connection), not assumed."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import psutil
import pytest

from tests.api.test_session_stream import Listener, _join, _open, live_database
from tests.conftest import asset_feature, server_process

__all__ = ["live_database"]  # the fixture, used by name

WORKERS = 4


class Served:
    """A running service and its worker processes."""

    def __init__(self, base: str, pid: int) -> None:
        self.base = base
        self.port = urlsplit(base).port
        self.master = psutil.Process(pid)

    def workers(self) -> list[psutil.Process]:
        """uvicorn's worker processes (spawned; not multiprocessing's resource tracker)."""
        return [
            child
            for child in self.master.children()
            if any("spawn_main" in part for part in child.cmdline())
        ]

    def worker_of(self, client_port: int) -> int:
        """The pid of the worker holding the server's end of the client's connection."""
        for worker in self.workers():
            for conn in worker.net_connections(kind="tcp"):
                ours = conn.laddr and conn.laddr.port == self.port
                if ours and conn.raddr and conn.raddr.port == client_port:
                    return int(worker.pid)
        raise AssertionError(f"no worker holds the connection from port {client_port}")


@pytest.fixture(scope="module")
def four_workers(live_database: dict[str, str]) -> Iterator[Served]:
    with server_process(live_database["url"], {"ASSETMAP_WORKERS": str(WORKERS)}) as (
        base,
        process,
    ):
        yield Served(base, process.pid)


def _clients_on_workers(served: Served, most: int = 24) -> dict[int, httpx.Client]:
    """Clients each holding one kept-alive connection, one per worker reached."""
    by_worker: dict[int, httpx.Client] = {}
    spare: list[httpx.Client] = []
    for _ in range(most):
        client = httpx.Client(base_url=served.base, timeout=30)
        response = client.get("/health")
        assert response.status_code == 200
        _, port = response.extensions["network_stream"].get_extra_info("client_addr")
        worker = served.worker_of(port)
        if worker in by_worker:
            spare.append(client)
        else:
            by_worker[worker] = client
        if len(by_worker) == WORKERS:
            break
    for client in spare:
        client.close()
    return by_worker


def test_the_service_runs_four_worker_processes(four_workers: Served) -> None:
    assert len(four_workers.workers()) == WORKERS


def test_a_sign_in_lockout_holds_across_workers(four_workers: Served) -> None:
    clients = _clients_on_workers(four_workers)
    try:
        assert len(clients) >= 2, "the connections all reached one worker"
        order = list(clients.values())
        answers = []
        for attempt in range(7):
            client = order[attempt % len(order)]
            answers.append(
                client.post(
                    "/auth/token",
                    data={"username": "someone@example.org", "password": f"guess {attempt}"},
                ).status_code
            )
    finally:
        for client in clients.values():
            client.close()

    # five free failures (AuthSettings.free_failures), then a wait, wherever each try went
    assert answers == [401] * 5 + [429] * 2


def test_a_scanning_day_event_reaches_listeners_on_every_worker(
    four_workers: Served, live_database: dict[str, str]
) -> None:
    opened = _open(four_workers.base, live_database["token"])
    url = f"{four_workers.base}/sessions/{opened['id']}/events"
    listeners: dict[int, Listener] = {}
    spare: list[Listener] = []
    try:
        tokens = []
        for n in range(24):
            tokens.append(_join(four_workers.base, opened, f"Person {n}"))
            listener = Listener(url, tokens[-1])  # the stream is open: a worker holds it
            worker = four_workers.worker_of(listener._socket.getsockname()[1])
            if worker in listeners:
                spare.append(listener)
            else:
                listeners[worker] = listener
            if len(listeners) == WORKERS:
                break
        assert len(listeners) >= 2, "the listeners all reached one worker"
        httpx.post(
            f"{four_workers.base}/sessions/{opened['id']}/assets?confirmed=true",
            json=asset_feature(-2.43, 53.42, name="Repair cafe"),
            headers={"Authorization": f"Bearer {tokens[0]}"},
        ).raise_for_status()
        heard = [
            listener.until("asset_added")["data"]["asset"]["name"]
            for listener in listeners.values()
        ]
    finally:
        for listener in [*listeners.values(), *spare]:
            listener.stop()

    assert heard == ["Repair cafe"] * len(listeners)
