"""The service behind PgBouncer (Debian `pgbouncer`) in transaction pooling mode, with
ASSETMAP_DB_POOLER=true: many requests from many clients, reads and writes, share two server
connections, and no prepared statement trips over another client's.

PgBouncer runs here from a configuration of the test's own, on a free port, in front of a
throwaway database on the tests' server; as the `postgres` OS user when the tests run as root
(PgBouncer refuses to run as root)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.db import make_engine
from tests.conftest import (
    alembic_config,
    api_token,
    asset_feature,
    create_database,
    drop_database,
    free_port,
    server_process,
)

PGBOUNCER = Path("/usr/sbin/pgbouncer")
PSQL = Path("/usr/lib/postgresql/15/bin/psql")
SERVER_CONNECTIONS = 2


@dataclass(frozen=True)
class Pooled:
    direct: str  # the database itself
    pooled: str  # the same database through PgBouncer
    admin: str  # PgBouncer's console


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="module")
def pooled(base_url: str) -> Iterator[Pooled]:
    assert PGBOUNCER.exists(), "PgBouncer is not installed: scripts/setup.sh --test"
    url = create_database(base_url, "assetmap_pooler")
    command.upgrade(alembic_config(url), "head")
    server = make_url(url)
    folder = Path(tempfile.mkdtemp(prefix="assetmap-pgbouncer-", dir="/tmp"))
    folder.chmod(0o755)
    port = free_port()
    (folder / "userlist.txt").write_text(f'"{server.username}" "{server.password}"\n')
    (folder / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"assetmap = host={server.host} port={server.port} dbname={server.database}\n"
        # the same database on one server connection alone
        f"assetmap_one = host={server.host} port={server.port} dbname={server.database} "
        "pool_size=1\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = scram-sha-256\nauth_file = {folder / 'userlist.txt'}\n"
        f"pool_mode = transaction\ndefault_pool_size = {SERVER_CONNECTIONS}\n"
        "max_client_conn = 500\n"
        f"admin_users = {server.username}\n"
        f"logfile = {folder / 'pgbouncer.log'}\npidfile = {folder / 'pgbouncer.pid'}\n"
    )
    if os.geteuid() == 0:
        for name in ("userlist.txt", "pgbouncer.ini"):
            shutil.chown(folder / name, "postgres")
        shutil.chown(folder, "postgres")
    (folder / "userlist.txt").chmod(0o600)
    bouncer = subprocess.Popen(
        _as_server_user([str(PGBOUNCER), str(folder / "pgbouncer.ini")]),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    credentials = f"{server.username}:{server.password}@127.0.0.1:{port}"
    pooled_url = f"postgresql+psycopg://{credentials}/assetmap"
    try:
        _wait_for(pooled_url, bouncer)
        yield Pooled(url, pooled_url, f"postgresql://{credentials}/pgbouncer")
    finally:
        bouncer.terminate()
        bouncer.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
        drop_database(url)


def _wait_for(url: str, bouncer: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with psycopg.connect(url.replace("+psycopg", ""), connect_timeout=2) as conn:
                conn.execute("SELECT 1")
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline or bouncer.poll() is not None:
                raise
            time.sleep(0.2)


def _console(admin: str, what: str) -> list[dict[str, str]]:
    """A SHOW command on PgBouncer's console (simple query protocol: psql), as rows."""
    result = subprocess.run(
        [str(PSQL), admin, "--no-psqlrc", "--csv", "-c", f"SHOW {what}"],
        capture_output=True,
        text=True,
        check=True,
    )
    header, *lines = result.stdout.strip().splitlines()
    names = header.split(",")
    return [dict(zip(names, line.split(","), strict=False)) for line in lines]


def _transactions(admin: str) -> int:
    stats = [row for row in _console(admin, "STATS") if row["database"] == "assetmap"]
    return int(stats[0]["total_xact_count"])


def test_the_service_works_through_pgbouncer_in_transaction_mode(pooled: Pooled) -> None:
    engine = make_engine(pooled.direct, pool_size=1)
    with Session(engine) as session:
        admin = api_token(session, "admin@example.org", "admin")
        session.commit()
    engine.dispose()
    before = _transactions(pooled.admin)
    environment = {"ASSETMAP_DB_POOLER": "true", "ASSETMAP_DB_LISTEN_URL": pooled.direct}
    with server_process(pooled.pooled, environment) as (base, _):

        def a_contributor(n: int) -> list[int]:
            """Adds an asset, reads it back, searches around it, again and again: the same
            statements many more times than psycopg would prepare them after."""
            codes = []
            with httpx.Client(base_url=base, timeout=60) as client:
                for round_ in range(4):
                    created = client.post(
                        "/assets",
                        json=asset_feature(-2.3 - n / 100, 53.45, name=f"Club {n}-{round_}"),
                        headers={"Authorization": f"Bearer {admin}"},
                    )
                    codes.append(created.status_code)
                    codes.append(client.get(f"/assets/{created.json()['id']}").status_code)
                    search = client.get("/assets", params={"bbox": "-2.5,53.4,-2.2,53.5"})
                    codes.append(search.status_code)
                    tile = client.get("/ogc/collections/assets/tiles/WebMercatorQuad/12/2021/1318")
                    codes.append(tile.status_code)
            return codes

        with ThreadPoolExecutor(8) as pool:
            codes = [code for codes in pool.map(a_contributor, range(8)) for code in codes]
        health = httpx.get(base + "/health").json()

    assert set(codes) <= {200, 201, 204}, sorted(set(codes))
    assert health["status"] == "ok"
    # every one of them went through PgBouncer, on at most its two server connections
    assert _transactions(pooled.admin) - before >= len(codes)
    pools = [row for row in _console(pooled.admin, "POOLS") if row["database"] == "assetmap"]
    assert int(pools[0]["sv_active"]) + int(pools[0]["sv_idle"]) <= SERVER_CONNECTIONS
    with psycopg.connect(pooled.direct.replace("+psycopg", "")) as conn:
        names = conn.execute(
            "SELECT name FROM asset WHERE name LIKE 'Club %%' ORDER BY name"
        ).fetchall()
    assert len(names) == 8 * 4


def test_prepared_statements_are_what_transaction_pooling_breaks(pooled: Pooled) -> None:
    """Why ASSETMAP_DB_POOLER matters: two clients whose statements psycopg prepares meet on
    one server connection, and the second's prepared statement collides with the first's;
    the engine made for a pooler prepares none, and both go on."""
    url = pooled.pooled + "_one"
    plain = url.replace("+psycopg", "")
    with (
        psycopg.connect(plain, autocommit=True, prepare_threshold=0) as first,
        psycopg.connect(plain, autocommit=True, prepare_threshold=0) as second,
    ):
        first.execute("SELECT %s::int", (1,))  # prepared as _pg3_0 on the one connection
        with pytest.raises(psycopg.errors.DuplicatePreparedStatement):
            second.execute("SELECT %s::text", ("two",))  # its own _pg3_0, on the same one

    engines = [make_engine(url, pool_size=1, pooler=True) for _ in range(2)]
    try:
        answers = []
        for attempt in range(20):
            with engines[attempt % 2].connect() as conn:
                answers.append(
                    conn.execute(text("SELECT CAST(:n AS int)"), {"n": attempt}).scalar()
                )
    finally:
        for engine in engines:
            engine.dispose()
    assert answers == list(range(20))
