"""The project-local PostgreSQL 15 + PostGIS cluster, used when `DATABASE_URL` is not set.

The cluster lives in an ignored folder of the checkout (`.data/pg` by default), listens on
127.0.0.1 on its own port, and keeps its data across restarts. PostgreSQL refuses to run as
root, so when the CLI runs as root the server runs as the `postgres` OS user (created by the
Debian package); otherwise it runs as the current user.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg

from app.settings import DatabaseSettings

PG_BIN = Path(os.environ.get("ASSETMAP_PG_BIN", "/usr/lib/postgresql/15/bin"))
INSTALL_HINT = (
    "PostgreSQL 15 with PostGIS 3 is not installed. As root run `make setup`, or install the "
    "Debian package yourself: apt-get update && apt-get install -y postgresql-15-postgis-3"
)


class LocalDatabaseError(RuntimeError):
    """The local cluster could not be created, started or reached; the message says why."""


@dataclass(frozen=True)
class Cluster:
    """Where a local cluster keeps its files and which OS user runs it."""

    base: Path
    port: int
    database: str
    user: str
    os_user: str

    @property
    def pgdata(self) -> Path:
        return self.base / "data"

    @property
    def password_file(self) -> Path:
        return self.base / "password"

    @property
    def log_file(self) -> Path:
        return self.base / "server.log"

    def password(self) -> str:
        return self.password_file.read_text().strip()

    def url(self, database: str | None = None) -> str:
        name = database or self.database
        return f"postgresql+psycopg://{self.user}:{self.password()}@127.0.0.1:{self.port}/{name}"


def cluster_for(settings: DatabaseSettings) -> Cluster:
    """The cluster these settings describe, moved out of an unreachable checkout if need be."""
    os_user = _server_os_user()
    base = settings.dir.resolve()
    if os_user != _current_os_user() and not _reachable_by(os_user, base):
        # A checkout under a closed home directory (e.g. /root) cannot be entered by the
        # server's user: keep this checkout's cluster in a system folder instead.
        digest = hashlib.sha256(str(base).encode()).hexdigest()[:12]
        base = Path("/var/lib/assetmap") / digest / "pg"
    return Cluster(base, settings.port, settings.name, settings.user, os_user)


def is_running(cluster: Cluster) -> bool:
    if not (cluster.pgdata / "PG_VERSION").exists():
        return False
    result = _pg_ctl(cluster, "status", check=False)
    return result.returncode == 0


def up(cluster: Cluster) -> list[str]:
    """Create (first time) and start the cluster, and make sure its database has PostGIS.

    Returns what was done, in words, for the CLI to print.
    """
    _require_binaries()
    done: list[str] = []
    if not (cluster.pgdata / "PG_VERSION").exists():
        _init(cluster)
        done.append(f"created a PostgreSQL cluster in {cluster.base}")
    if not is_running(cluster):
        _start(cluster)
        done.append(f"started PostgreSQL on 127.0.0.1:{cluster.port} as OS user {cluster.os_user}")
    if ensure_database(cluster.url(), cluster.url("postgres")):
        done.append(f"created database {cluster.database} with PostGIS")
    return done


def down(cluster: Cluster) -> bool:
    """Stop the cluster; False when it was not running."""
    if not is_running(cluster):
        return False
    _pg_ctl(cluster, "stop", "-m", "fast", "-w")
    return True


def replica_for(settings: DatabaseSettings) -> Cluster:
    """The project-local cluster's streaming replica: beside it (`.data/pg-replica`), on its
    own port (`ASSETMAP_DB_REPLICA_PORT`), run by the same OS user."""
    primary = cluster_for(settings)
    base = primary.base.parent / (primary.base.name + "-replica")
    return Cluster(base, settings.replica_port, settings.name, settings.user, primary.os_user)


def replica_up(primary: Cluster, replica: Cluster) -> list[str]:
    """Copy the running primary into a streaming replica (first time: `pg_basebackup -R`,
    which writes standby.signal and how to reach the primary) and start it; returns what was
    done, in words."""
    _require_binaries()
    if not is_running(primary):
        raise LocalDatabaseError("the local database is not running: run `assetmap db up` first")
    done: list[str] = []
    if not (replica.pgdata / "PG_VERSION").exists():
        _base_backup(primary, replica)
        done.append(f"copied the local database into a streaming replica in {replica.base}")
    if not is_running(replica):
        _start(replica)
        done.append(f"started the replica on 127.0.0.1:{replica.port} as OS user {replica.os_user}")
    return done


def replica_lag(primary: Cluster, replica: Cluster) -> tuple[str | None, int | None]:
    """The replica's replayed WAL position and how many bytes it is behind the primary."""
    with psycopg.connect(libpq_url(replica.url()), autocommit=True, connect_timeout=5) as conn:
        row = conn.execute("SELECT pg_last_wal_replay_lsn()::text").fetchone()
    replay = row[0] if row else None
    if replay is None:
        return None, None
    with psycopg.connect(libpq_url(primary.url()), autocommit=True, connect_timeout=5) as conn:
        behind = conn.execute(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s::pg_lsn)::bigint", (replay,)
        ).fetchone()
    return replay, max(0, int(behind[0])) if behind else None


def _base_backup(primary: Cluster, replica: Cluster) -> None:
    replica.base.mkdir(parents=True, exist_ok=True)
    uid, gid = _ids(replica.os_user)
    os.chown(replica.base, uid, gid)
    replica.base.chmod(0o700)
    # the same roles as the primary's, so the same password
    shutil.copyfile(primary.password_file, replica.password_file)
    os.chown(replica.password_file, uid, gid)
    replica.password_file.chmod(0o600)
    _run_as(
        replica.os_user,
        [
            str(PG_BIN / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            primary.user,
            "-D",
            str(replica.pgdata),
            # standby.signal, and primary_conninfo in postgresql.auto.conf (mode 600)
            "--write-recovery-conf",
            "--wal-method=stream",
            "--checkpoint=fast",
            "--no-password",
        ],
        env={"PGPASSWORD": primary.password()},
    )


def ensure_database(url: str, maintenance_url: str) -> bool:
    """Create the database named in `url` if missing, with PostGIS; True if made."""
    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    created = False
    with psycopg.connect(libpq_url(maintenance_url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
            created = True
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    return created


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL as libpq reads it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _require_binaries() -> None:
    if not (PG_BIN / "postgres").exists():
        raise LocalDatabaseError(INSTALL_HINT)
    if not Path("/usr/share/postgresql/15/extension/postgis.control").exists():
        raise LocalDatabaseError(INSTALL_HINT)


def _init(cluster: Cluster) -> None:
    cluster.base.mkdir(parents=True, exist_ok=True)
    uid, gid = _ids(cluster.os_user)
    os.chown(cluster.base, uid, gid)
    cluster.base.chmod(0o700)
    password = secrets.token_urlsafe(24)
    cluster.password_file.write_text(password + "\n")
    os.chown(cluster.password_file, uid, gid)
    cluster.password_file.chmod(0o600)
    pwfile = cluster.base / ".initdb-password"
    pwfile.write_text(password + "\n")
    os.chown(pwfile, uid, gid)
    try:
        _run_as(
            cluster.os_user,
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(cluster.pgdata),
                "-U",
                cluster.user,
                "--auth=scram-sha-256",
                f"--pwfile={pwfile}",
                "--encoding=UTF8",
                "--no-locale",
            ],
        )
    finally:
        pwfile.unlink(missing_ok=True)


def _start(cluster: Cluster) -> None:
    # Sized for one machine of a few GB doing bulk imports and analyses: more shared memory
    # and fewer checkpoints than PostgreSQL's conservative defaults.
    options = (
        f"-p {cluster.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
        "-c max_connections=200 -c shared_buffers=512MB -c wal_buffers=16MB "
        "-c max_wal_size=4GB -c checkpoint_timeout=15min -c work_mem=32MB "
        "-c maintenance_work_mem=256MB"
    )
    result = _pg_ctl(
        cluster, "start", "-w", "-t", "60", "-l", str(cluster.log_file), "-o", options, check=False
    )
    if result.returncode != 0:
        log_tail = ""
        if cluster.log_file.exists():
            log_tail = "\n".join(cluster.log_file.read_text(errors="replace").splitlines()[-15:])
        raise LocalDatabaseError(
            f"PostgreSQL did not start on port {cluster.port} (is the port taken? set "
            f"ASSETMAP_DB_PORT):\n{result.stderr.strip()}\n{log_tail}"
        )


def _pg_ctl(cluster: Cluster, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return _run_as(
        cluster.os_user, [str(PG_BIN / "pg_ctl"), "-D", str(cluster.pgdata), *args], check=check
    )


def _run_as(
    os_user: str, command: list[str], check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    if os_user != _current_os_user():
        command = ["runuser", "-u", os_user, "--", *command]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        cwd="/",
        env=os.environ | env if env else None,
    )
    if check and result.returncode != 0:
        raise LocalDatabaseError(
            f"{' '.join(command)} failed:\n{result.stdout.strip()}\n{result.stderr.strip()}"
        )
    return result


def _server_os_user() -> str:
    if os.geteuid() != 0:
        return _current_os_user()
    try:
        pwd.getpwnam("postgres")
    except KeyError as missing:
        raise LocalDatabaseError(
            "Running as root, the server needs the `postgres` OS user: " + INSTALL_HINT
        ) from missing
    if shutil.which("runuser") is None:
        raise LocalDatabaseError("Running as root needs `runuser` (Debian package util-linux).")
    return "postgres"


def _current_os_user() -> str:
    return pwd.getpwuid(os.geteuid()).pw_name


def _ids(os_user: str) -> tuple[int, int]:
    entry = pwd.getpwnam(os_user)
    return entry.pw_uid, entry.pw_gid


def _reachable_by(os_user: str, base: Path) -> bool:
    """Whether `os_user` can enter every folder above `base` that exists."""
    existing = base
    while not existing.exists():
        existing = existing.parent
    result = subprocess.run(
        ["runuser", "-u", os_user, "--", "test", "-x", str(existing)],
        capture_output=True,
        check=False,
    )
    return result.returncode == 0
