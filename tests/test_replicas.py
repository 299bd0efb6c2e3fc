"""An operator runs a real local streaming replica (`assetmap db replica up`) and the service
reads from it: reads land on the replica, a writer reads its own write at once, and a replica
that stops or falls behind is left for the primary, as /health says.

The replica is of a throwaway project-local cluster in a temporary folder, on ports of its
own (the tests' shared server is not reconfigured for replication)."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.db import make_engine
from app.main import create_app
from app.settings import DatabaseSettings
from tests.conftest import api_token, asset_feature, free_port, load_trafford_lsoas
from tests.test_cli_db import run_cli

STRETFORD = (-2.3144, 53.4461)
# The SQL every feature search runs (app/sql and app/domain/features.py build it)
SEARCH_SQL = "json_build_object"


@dataclass(frozen=True)
class Replicated:
    env: dict[str, str]
    primary: str
    replica: str
    admin: str

    def settings(self, **more: object) -> DatabaseSettings:
        return DatabaseSettings(url=self.primary, read_urls=[self.replica], **more)


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _activity(url: str) -> list[str]:
    """The last statement of each of the service's connections to the server at `url`."""
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT query FROM pg_stat_activity WHERE application_name = 'assetmap' "
            "AND pid <> pg_backend_pid()"
        ).fetchall()
    return [row[0] for row in rows]


def _now(url: str) -> datetime:
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        row = conn.execute("SELECT clock_timestamp()").fetchone()
    assert row is not None
    return row[0]  # type: ignore[no-any-return]


def _snapshots_ended_since(url: str, since: datetime) -> int:
    """The service's connections to `url` whose last statement, since `since`, ended a
    read-only transaction: a snapshot session's ROLLBACK (writes end in COMMIT, and reads
    in autocommit send neither)."""
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'assetmap' "
            "AND query = 'ROLLBACK' AND state_change >= %s",
            (since,),
        ).fetchone()
    return int(row[0]) if row else 0


def _on_replica(replica: str, sql: str) -> None:
    with psycopg.connect(_libpq(replica), autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture(scope="module")
def replicated() -> Iterator[Replicated]:
    """A project-local cluster and its streaming replica, both made by the CLI as a user
    would, and migrated; an admin's API token on it."""
    folder = Path(tempfile.mkdtemp(prefix="assetmap-replica-", dir="/tmp"))
    folder.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        ASSETMAP_DB_DIR=str(folder / "pg"),
        ASSETMAP_DB_PORT=str(free_port()),
        ASSETMAP_DB_REPLICA_PORT=str(free_port()),
        COLUMNS="300",  # the CLI's lines unwrapped
    )
    try:
        assert run_cli(env, "db", "up").returncode == 0
        migrated = run_cli(env, "migrate")
        assert migrated.returncode == 0, migrated.stderr
        up = run_cli(env, "db", "replica", "up")
        assert up.returncode == 0, up.stderr
        assert "streaming replica" in up.stdout
        primary = run_cli(env, "db", "url").stdout.strip()
        replica = run_cli(env, "db", "replica", "url").stdout.strip()
        engine = make_engine(primary, pool_size=1)
        with Session(engine) as session:
            admin = api_token(session, "admin@example.org", "admin")
            session.commit()
        engine.dispose()
        yield Replicated(env, primary, replica, admin)
    finally:
        run_cli(env, "db", "replica", "down")
        run_cli(env, "db", "down")
        shutil.rmtree(folder, ignore_errors=True)


def _caught_up(replica: str, primary: str, within_s: float = 20.0) -> None:
    """Wait until the replica has replayed all the primary has written so far."""
    with psycopg.connect(_libpq(primary), autocommit=True) as conn:
        target = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]  # type: ignore[index]
    deadline = time.monotonic() + within_s
    with psycopg.connect(_libpq(replica), autocommit=True) as conn:
        while True:
            row = conn.execute("SELECT pg_last_wal_replay_lsn() >= %s", (target,)).fetchone()
            if row is not None and row[0]:
                return
            assert time.monotonic() < deadline, "the replica did not catch up"
            time.sleep(0.1)


def test_the_cli_reports_the_replica_streaming(replicated: Replicated) -> None:
    status = run_cli(replicated.env, "db", "replica", "status")

    assert status.returncode == 0, status.stderr
    assert "running, replayed to" in status.stdout
    with psycopg.connect(_libpq(replicated.primary), autocommit=True) as conn:
        senders = conn.execute("SELECT state FROM pg_stat_replication").fetchall()
    assert senders == [("streaming",)]


def test_a_search_is_read_on_the_replica(replicated: Replicated) -> None:
    with TestClient(create_app(replicated.settings())) as client:
        health = client.get("/health").json()
        assert health["reads"] == "replicas"
        assert health["replicas"][0]["state"] == "ok"

        response = client.get("/assets", params={"bbox": "-2.4,53.4,-2.2,53.5"})

        assert response.status_code == 200
        assert any(SEARCH_SQL in query for query in _activity(replicated.replica))
        assert not any(SEARCH_SQL in query for query in _activity(replicated.primary))


def test_tiles_and_gap_analyses_are_read_on_the_replica(replicated: Replicated) -> None:
    engine = make_engine(replicated.primary, pool_size=1)
    with Session(engine) as session:
        if not session.scalar(text("SELECT count(*) FROM area")):
            load_trafford_lsoas(session, ["E01006108", "E01006109"])
            session.commit()
    engine.dispose()
    _caught_up(replicated.replica, replicated.primary)
    with TestClient(create_app(replicated.settings())) as client:
        tile = client.get("/ogc/collections/assets/tiles/WebMercatorQuad/12/2021/1318")
        assert tile.status_code in (200, 204), tile.text
        assert any("ST_AsMVT" in query for query in _activity(replicated.replica))

        # a gap analysis reads in one REPEATABLE READ snapshot, which ends on the replica
        sent = _now(replicated.primary)
        gaps = client.get("/gaps", params={"category": "library", "distance_m": 1000})
        assert gaps.status_code == 200, gaps.text
        assert [area["code"] for area in gaps.json()["areas"]] == ["E01006108", "E01006109"]
        assert _snapshots_ended_since(replicated.replica, sent) >= 1
        assert _snapshots_ended_since(replicated.primary, sent) == 0


def test_a_writer_reads_its_own_write_while_the_replica_is_behind(
    replicated: Replicated,
) -> None:
    _caught_up(replicated.replica, replicated.primary)
    # the replica stops replaying: whatever is written now, it has not got
    _on_replica(replicated.replica, "SELECT pg_wal_replay_pause()")
    try:
        settings = replicated.settings(replica_max_lag_s=3600)
        with TestClient(create_app(settings)) as writer, TestClient(create_app(settings)) as other:
            created = writer.post(
                "/assets",
                json=asset_feature(*STRETFORD, name="Read your writes club"),
                headers={"Authorization": f"Bearer {replicated.admin}"},
            )
            assert created.status_code == 201, created.text
            assert created.headers["assetmap-lsn"]
            assert writer.cookies.get("assetmap_lsn") == created.headers["assetmap-lsn"]
            asset = f"/assets/{created.json()['id']}"

            # the writer's next read, carrying the cookie, sees it
            mine = writer.get(asset)
            assert mine.status_code == 200
            assert mine.json()["properties"]["name"] == "Read your writes club"
            # so does a client that sends the position as a header
            told = other.get(asset, headers={"Assetmap-LSN": created.headers["assetmap-lsn"]})
            assert told.status_code == 200
            # a reader who has not written reads the replica, which has not got it yet
            assert other.get(asset).status_code == 404
    finally:
        _on_replica(replicated.replica, "SELECT pg_wal_replay_resume()")
    _caught_up(replicated.replica, replicated.primary)


def test_a_replica_too_far_behind_is_not_read_from(replicated: Replicated) -> None:
    _on_replica(replicated.replica, "SELECT pg_wal_replay_pause()")
    try:
        settings = replicated.settings(replica_max_lag_s=1)
        with TestClient(create_app(settings)) as client:
            created = client.post(
                "/assets",
                json=asset_feature(*STRETFORD, name="Lagging behind club"),
                headers={"Authorization": f"Bearer {replicated.admin}"},
            )
            assert created.status_code == 201
            asset = f"/assets/{created.json()['id']}"
            client.cookies.clear()
            time.sleep(2)  # the replica's last replayed change is now over a second old

            health = client.get("/health").json()
            assert health["status"] == "ok"
            assert health["reads"] == "primary"
            assert health["replicas"][0]["state"] == "lagging"
            assert health["replicas"][0]["lag_bytes"] > 0
            # a reader with no cookie is served by the primary, which has it
            assert client.get(asset).status_code == 200
    finally:
        _on_replica(replicated.replica, "SELECT pg_wal_replay_resume()")
    _caught_up(replicated.replica, replicated.primary)


def test_a_stopped_replica_leaves_reads_to_the_primary(replicated: Replicated) -> None:
    with TestClient(create_app(replicated.settings())) as client:
        assert client.get("/assets", params={"limit": 1}).status_code == 200
        assert run_cli(replicated.env, "db", "replica", "down").returncode == 0
        try:
            stopped = run_cli(replicated.env, "db", "replica", "status")
            assert stopped.returncode == 1 and "not running" in stopped.stdout

            health = client.get("/health")
            assert health.status_code == 200
            assert health.json()["reads"] == "primary"
            assert health.json()["replicas"][0]["state"] == "down"

            search = client.get("/assets", params={"bbox": "-2.4,53.4,-2.2,53.5"})
            assert search.status_code == 200
            assert any(SEARCH_SQL in query for query in _activity(replicated.primary))
        finally:
            assert run_cli(replicated.env, "db", "replica", "up").returncode == 0

        # started again, it catches up and is read from once more
        _caught_up(replicated.replica, replicated.primary)
        assert client.get("/health").json()["reads"] == "replicas"


def test_a_replica_that_stops_between_checks_is_passed_over_at_once(
    replicated: Replicated,
) -> None:
    # checked once a minute: the request itself finds the replica gone
    with TestClient(create_app(replicated.settings(replica_poll_s=60))) as client:
        assert run_cli(replicated.env, "db", "replica", "down").returncode == 0
        try:
            search = client.get("/assets", params={"limit": 1})
            assert search.status_code == 200
            assert client.get("/health").json()["replicas"][0]["state"] == "down"
        finally:
            assert run_cli(replicated.env, "db", "replica", "up").returncode == 0
    _caught_up(replicated.replica, replicated.primary)


def test_a_malformed_position_is_ignored_not_an_error(replicated: Replicated) -> None:
    with TestClient(create_app(replicated.settings())) as client:
        for headers in (
            {"Assetmap-LSN": "not-a-position"},
            {"Cookie": 'other="broken; assetmap_lsn=ZZ/1'},
            {"Assetmap-LSN": "FFFFFFFFF/0"},
        ):
            response = client.get("/assets", params={"limit": 1}, headers=headers)
            assert response.status_code == 200, headers


def test_db_replica_refuses_with_database_url(replicated: Replicated) -> None:
    env = replicated.env | {"DATABASE_URL": replicated.primary}

    result = run_cli(env, "db", "replica", "up")

    assert result.returncode == 1
    assert "DATABASE_URL" in result.stderr and "Traceback" not in result.stderr


def test_a_token_issued_a_moment_ago_is_honoured_before_the_replica_has_it(
    replicated: Replicated,
) -> None:
    _on_replica(replicated.replica, "SELECT pg_wal_replay_pause()")
    try:
        with TestClient(create_app(replicated.settings(replica_max_lag_s=3600))) as client:
            issued = client.post(
                "/auth/tokens",
                json={"name": "a script"},
                headers={"Authorization": f"Bearer {replicated.admin}"},
            )
            assert issued.status_code == 201, issued.text
            client.cookies.clear()  # a script that keeps no cookies

            me = client.get(
                "/auth/me", headers={"Authorization": f"Bearer {issued.json()['access_token']}"}
            )

            assert me.status_code == 200
            assert me.json()["email"] == "admin@example.org"
    finally:
        _on_replica(replicated.replica, "SELECT pg_wal_replay_resume()")
    _caught_up(replicated.replica, replicated.primary)
