"""One database for the whole run, built by the Alembic migrations; one rolled-back
transaction per test.

The server is the one users get: `DATABASE_URL`'s, or else the project-local cluster
(started here if need be). A throwaway database is created on it for the run and dropped
after.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from alembic import command
from alembic.config import Config
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from app import localdb
from app.api.deps import (
    Sessions,
    get_consistent_session,
    get_read_session,
    get_session,
    get_sessions,
    get_snapshot_session,
)
from app.auth import accounts
from app.db import make_engine, running_database_url
from app.io.demo import steps as demo_steps
from app.main import create_app
from app.settings import PROJECT_ROOT, ApiSettings, AuthSettings, DatabaseSettings

TRAFFORD = PROJECT_ROOT / "data" / "trafford"


T = TypeVar("T")


def in_a_loop_of_its_own(body: Coroutine[Any, Any, T]) -> T:
    """Run `body` in an event loop of its own, in a thread of its own: the browser tests'
    playwright (its sync API) may hold this process's main thread's loop."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, body).result()  # type: ignore[arg-type]


def with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


def create_database(base_url: str, prefix: str) -> str:
    """A new, empty database with PostGIS on the tests' server; returns its URL."""
    url = with_database(base_url, f"{prefix}_{uuid.uuid4().hex[:10]}")
    localdb.ensure_database(url, with_database(base_url, "postgres"))
    return url


def drop_database(url: str) -> None:
    admin = make_engine(with_database(url, "postgres")).execution_options(
        isolation_level="AUTOCOMMIT"
    )
    name = url.rsplit("/", 1)[1]
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def alembic_config(url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["url"] = url
    config.attributes["configure_logger"] = False
    return config


@pytest.fixture(scope="session")
def base_url() -> str:
    """The server the tests use, as users would: DATABASE_URL, or the local cluster."""
    return running_database_url(DatabaseSettings())


@pytest.fixture(scope="session")
def database_url(base_url: str) -> Iterator[str]:
    url = create_database(base_url, "assetmap_test")
    command.upgrade(alembic_config(url), "head")
    yield url
    drop_database(url)


def _engine(url: str) -> Iterator[Engine]:
    engine = make_engine(url, pool_size=2)
    yield engine
    engine.dispose()


def _rolled_back(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


def _session(connection: Connection) -> Iterator[Session]:
    """A session on the test's connection: its commits are savepoints, rolled back after."""
    with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
        yield session


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    yield from _engine(database_url)


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    yield from _rolled_back(engine)


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    yield from _session(connection)


@pytest.fixture
def api_settings() -> ApiSettings:
    return ApiSettings(max_body_bytes=200_000)


@pytest.fixture
def client(
    database_url: str, connection: Connection, api_settings: ApiSettings
) -> Iterator[TestClient]:
    """The API through FastAPI's test client, on the test's own transaction."""
    yield from api_client(database_url, connection, api_settings)


def demo_database(base_url: str, prefix: str) -> str:
    """A new database holding the demo locality (Trafford), loaded by the same steps as
    `assetmap demo`; returns its URL."""
    url = create_database(base_url, prefix)
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url, pool_size=1)
    with Session(engine) as session, session.begin():
        for step in demo_steps():
            step.run(session, ApiSettings().service_extent)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def demo_url(base_url: str) -> Iterator[str]:
    """The demo locality in a database of its own, loaded once; tests on it roll back
    whatever they change."""
    url = demo_database(base_url, "assetmap_demo")
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def demo_engine(demo_url: str) -> Iterator[Engine]:
    yield from _engine(demo_url)


@pytest.fixture
def demo_connection(demo_engine: Engine) -> Iterator[Connection]:
    yield from _rolled_back(demo_engine)


@pytest.fixture
def demo_session(demo_connection: Connection) -> Iterator[Session]:
    """A session on the demo locality, rolled back after the test."""
    yield from _session(demo_connection)


@pytest.fixture
def demo_client(
    demo_url: str, demo_connection: Connection, api_settings: ApiSettings
) -> Iterator[TestClient]:
    """The API on the demo locality, inside the test's rolled-back transaction."""
    yield from api_client(demo_url, demo_connection, api_settings)


@contextmanager
def serving(database_url: str) -> Iterator[str]:
    """The service, as users run it (`assetmap serve`, a real uvicorn on a free port),
    against `database_url`; yields its base URL."""
    with server_process(database_url) as (base, _):
        yield base


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    """Return once the service at `base` answers /health with 200 (a RuntimeError if it
    does not within a minute, or its process ends)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            raise RuntimeError("the service did not start")
        time.sleep(0.2)


@contextmanager
def server_process(
    database_url: str, env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`assetmap serve` against `database_url`, with more environment `env`, on a free
    port; yields its base URL and process, stopping it after unless the test already has."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
        env=os.environ | {"DATABASE_URL": database_url} | (env or {}),
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, server)
        yield base, server
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=30)


@pytest.fixture(scope="session")
def demo_server(demo_url: str) -> Iterator[str]:
    """The real server on the demo locality, for clients that need one; read-only use."""
    with serving(demo_url) as base:
        yield base


WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
STEWARD = "steward@example.org"


class ApiClient(TestClient):
    """FastAPI's test client, whose writes are an admin's (who publishes directly) unless a
    test sends its own Authorization header or uses `.anonymous`; its reads are anonymous,
    as the public's. Tests of who may do what (tests/api/test_permissions.py and the
    moderation tests) sign in as each role explicitly."""

    def __init__(self, app: FastAPI, admin_token: Callable[[], str] | None) -> None:
        super().__init__(app)
        self._admin_token = admin_token

    @property
    def anonymous(self) -> TestClient:
        """The same API, every request anonymous."""
        return ApiClient(self.app, None)

    def request(self, method: str, url: Any, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
        if self._admin_token is not None and method.upper() in WRITES:
            headers = dict(kwargs.get("headers") or {})
            if not any(key.lower() == "authorization" for key in headers):
                headers["Authorization"] = f"Bearer {self._admin_token()}"
                kwargs["headers"] = headers
        return super().request(method, url, **kwargs)


class TestSessions(Sessions):
    """Every session a route opens itself, on the test's connection: each a savepoint,
    rolled back with the test."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    @contextmanager
    def write(self) -> Iterator[Session]:
        for session in _session(self.connection):
            with session.begin():
                yield session

    read = snapshot = consistent = write


def api_client(url: str, connection: Connection, api_settings: ApiSettings) -> Iterator[TestClient]:
    # A spool of the test's own: what it builds comes from its own transaction.
    spool = Path(tempfile.mkdtemp(prefix="assetmap-test-spool-"))
    app = create_app(
        DatabaseSettings(url=url), api_settings.model_copy(update={"spool_dir": spool})
    )

    def test_session(request: Request) -> Iterator[Session]:
        """The test's session. A request's dependencies share one (the first opened), so
        their savepoints on the one connection nest and unwind in order."""
        shared = getattr(request.state, "test_session", None)
        if shared is not None:
            yield shared
            return
        for session in _session(connection):
            with session.begin():
                # each request its own transaction, as in the service: its first write
                # moves the data's version on (migration 0006's note_data_change)
                session.execute(text("SELECT set_config('assetmap.data_changed', '', true)"))
                request.state.test_session = session
                try:
                    yield session
                finally:
                    del request.state.test_session

    token: list[str] = []

    def admin_token() -> str:
        """An API token of an admin, made on the first write."""
        if not token:
            for session in _session(connection):
                token.append(api_token(session, STEWARD, "admin"))
                session.commit()
        return token[0]

    app.dependency_overrides[get_session] = test_session
    app.dependency_overrides[get_read_session] = test_session
    app.dependency_overrides[get_snapshot_session] = test_session
    app.dependency_overrides[get_consistent_session] = test_session
    app.dependency_overrides[get_sessions] = lambda: TestSessions(connection)
    try:
        with ApiClient(app, admin_token) as test_client:
            yield test_client
    finally:
        shutil.rmtree(spool, ignore_errors=True)


def asset_feature(lon: float, lat: float, **properties: Any) -> dict[str, Any]:
    """A GeoJSON Feature for a new asset; `name` and `kind` default to a lunch club."""
    props = {"name": "Lunch club", "kind": "association"} | properties
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": props,
    }


def bearer(session: Session, email: str, role: str, areas: tuple[str, ...] = ()) -> dict[str, str]:
    """Headers signing a request in as a new user with `role` (a moderator of `areas`),
    through an API token. Signing in with a password is tested in tests/api/test_auth.py."""
    return {"Authorization": f"Bearer {api_token(session, email, role, areas)}"}


def api_token(session: Session, email: str, role: str, areas: tuple[str, ...] = ()) -> str:
    """An API token of a new user with `role` (a moderator of `areas`)."""
    user_id = session.execute(
        text(
            "INSERT INTO app_user (email, password_hash, role) "
            "VALUES (:email, '!', :role) RETURNING id"
        ),
        {"email": email, "role": role},
    ).scalar_one()
    for code in areas:
        session.execute(
            text("INSERT INTO user_area (user_id, area_code) VALUES (:user_id, :code)"),
            {"user_id": user_id, "code": code},
        )
    issued = accounts.issue_token(session, user_id, "api", AuthSettings(), "tests")
    session.flush()
    return issued.token


def count_assets(session: Session) -> int:
    return int(session.scalar(text("SELECT count(*) FROM asset")) or 0)


def load_trafford_lsoas(session: Session, codes: list[str] | None = None) -> dict[str, Any]:
    """Store real Trafford LSOA 2011 polygons with their 2019 population; returns the
    GeoJSON features stored, by code."""
    features = json.loads((TRAFFORD / "lsoa2011_boundaries.geojson").read_text())["features"]
    population = {
        line.split(",")[0]: int(line.split(",")[1])
        for line in (TRAFFORD / "population2019_lsoa2011.csv").read_text().splitlines()[1:]
    }
    stored = {}
    for item in features:
        code = item["properties"]["area_code"]
        if codes is not None and code not in codes:
            continue
        session.execute(
            text(
                "INSERT INTO area (code, name, level, population, geom) VALUES "
                "(:code, :name, 'lsoa', :population, "
                " ST_Multi(ST_CollectionExtract(ST_MakeValid("
                "  ST_SetSRID(ST_GeomFromGeoJSON(:geom), 4326)), 3)))"
            ),
            {
                "code": code,
                "name": item["properties"]["area_name"],
                "population": population[code],
                "geom": json.dumps(item["geometry"]),
            },
        )
        stored[code] = item
    session.flush()
    return stored


def data_path(*parts: str) -> Path:
    return TRAFFORD.joinpath(*parts)
