"""`assetmap db ...` (the local cluster, or DATABASE_URL's server) and `assetmap migrate`."""

from __future__ import annotations

from typing import Annotated

import typer

from app import localdb
from app.cli.common import fail, out
from app.db import database_url
from app.settings import PROJECT_ROOT, DatabaseSettings

db_cli = typer.Typer(help="The database: the project-local cluster, or DATABASE_URL's server.")


def _local_cluster(settings: DatabaseSettings) -> localdb.Cluster:
    try:
        return localdb.cluster_for(settings)
    except localdb.LocalDatabaseError as problem:
        raise fail(str(problem)) from problem


@db_cli.command("up")
def db_up() -> None:
    """Create (first time) and start the project-local cluster; with DATABASE_URL, check it."""
    settings = DatabaseSettings()
    try:
        if settings.url:
            maintenance = settings.url.rsplit("/", 1)[0] + "/postgres"
            if localdb.ensure_database(settings.url, maintenance):
                out.print("created the database named in DATABASE_URL, with PostGIS")
            out.print("using DATABASE_URL's server")
            return
        cluster = _local_cluster(settings)
        for line in localdb.up(cluster) or ["the local database is already running"]:
            out.print(line)
    except (localdb.LocalDatabaseError, OSError) as problem:
        raise fail(str(problem)) from problem
    except Exception as problem:  # a driver error: say it plainly, without a traceback
        raise fail(f"cannot reach the database: {problem}") from problem


@db_cli.command("down")
def db_down() -> None:
    """Stop the project-local cluster (its data is kept)."""
    settings = DatabaseSettings()
    if settings.url:
        raise fail("DATABASE_URL is set: that server is not ours to stop")
    stopped = localdb.down(_local_cluster(settings))
    out.print("stopped the local database" if stopped else "the local database was not running")


@db_cli.command("status")
def db_status() -> None:
    """Say which database is in use and whether it is running; exit 1 when it is not."""
    settings = DatabaseSettings()
    if settings.url:
        out.print("using DATABASE_URL")
        return
    cluster = _local_cluster(settings)
    running = localdb.is_running(cluster)
    out.print(
        f"local cluster in {cluster.base}, port {cluster.port}: "
        + ("running" if running else "not running")
    )
    if not running:
        raise typer.Exit(code=1)


@db_cli.command("url")
def db_url() -> None:
    """Print the SQLAlchemy URL of the database in use."""
    try:
        print(database_url(DatabaseSettings()))
    except localdb.LocalDatabaseError as problem:
        raise fail(str(problem)) from problem


replica_cli = typer.Typer(
    help="A streaming replica of the project-local cluster, on its own port, to read from."
)
db_cli.add_typer(replica_cli, name="replica")


def _local_replica(settings: DatabaseSettings) -> tuple[localdb.Cluster, localdb.Cluster]:
    if settings.url:
        raise fail(
            "DATABASE_URL is set: a replica is made of the project-local cluster only "
            "(for another server, set ASSETMAP_DATABASE_READ_URLS to its replicas)"
        )
    try:
        return localdb.cluster_for(settings), localdb.replica_for(settings)
    except localdb.LocalDatabaseError as problem:
        raise fail(str(problem)) from problem


@replica_cli.command("up")
def replica_up() -> None:
    """Copy the running local database into a streaming replica (first time) and start it."""
    settings = DatabaseSettings()
    primary, replica = _local_replica(settings)
    try:
        for line in localdb.replica_up(primary, replica) or ["the replica is already running"]:
            out.print(line)
    except (localdb.LocalDatabaseError, OSError) as problem:
        raise fail(str(problem)) from problem
    out.print('read from it with ASSETMAP_DATABASE_READ_URLS="$(assetmap db replica url)"')


@replica_cli.command("down")
def replica_down() -> None:
    """Stop the local replica (its data is kept; it catches up when started again)."""
    _, replica = _local_replica(DatabaseSettings())
    stopped = localdb.down(replica)
    out.print("stopped the replica" if stopped else "the replica was not running")


@replica_cli.command("status")
def replica_status() -> None:
    """Whether the local replica runs, how far it has replayed and how far behind it is;
    exit 1 when it is not running."""
    primary, replica = _local_replica(DatabaseSettings())
    if not localdb.is_running(replica):
        out.print(f"replica in {replica.base}, port {replica.port}: not running")
        raise typer.Exit(code=1)
    try:
        replay, behind = localdb.replica_lag(primary, replica)
    except Exception as problem:  # a driver error: say it plainly, without a traceback
        raise fail(f"the replica runs but cannot be asked: {problem}") from problem
    out.print(
        f"replica in {replica.base}, port {replica.port}: running, replayed to {replay}, "
        + (f"{behind} bytes behind the primary" if behind is not None else "primary not asked")
    )


@replica_cli.command("url")
def replica_url() -> None:
    """Print the SQLAlchemy URL of the local replica (for ASSETMAP_DATABASE_READ_URLS)."""
    _, replica = _local_replica(DatabaseSettings())
    if not replica.password_file.exists():
        raise fail("no local replica yet: run `assetmap db replica up` first")
    print(replica.url())


def migrate(
    revision: Annotated[str, typer.Argument(help="Target revision")] = "head",
    down: Annotated[bool, typer.Option("--down", help="Downgrade to the revision")] = False,
) -> None:
    """Bring the schema to a revision with Alembic (default: the newest)."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    try:
        config.attributes["url"] = database_url(DatabaseSettings())
    except localdb.LocalDatabaseError as problem:
        raise fail(str(problem)) from problem
    if down:
        command.downgrade(config, revision)
    else:
        command.upgrade(config, revision)
