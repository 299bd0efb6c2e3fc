"""The database engine and sessions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from app import localdb
from app.settings import DatabaseSettings


def database_url(settings: DatabaseSettings) -> str:
    """`DATABASE_URL` when set, else the project-local cluster's URL (not started here)."""
    if settings.url:
        return settings.url
    cluster = localdb.cluster_for(settings)
    if not cluster.password_file.exists():
        raise localdb.LocalDatabaseError(
            "No DATABASE_URL and no local database yet: run `assetmap db up` first."
        )
    return cluster.url()


def running_database_url(settings: DatabaseSettings) -> str:
    """Like database_url, but first creating and starting the local cluster if need be."""
    if settings.url:
        return settings.url
    cluster = localdb.cluster_for(settings)
    localdb.up(cluster)
    return cluster.url()


def make_engine(
    url: str,
    pool_size: int = 10,
    pool_timeout_s: float = 30.0,
    connect_timeout_s: int = 10,
    pooler: bool = False,
    pre_ping: bool = True,
) -> Engine:
    """An engine with a pool of `pool_size` connections (and as many more at a peak); a
    request waits `pool_timeout_s` for one before sqlalchemy.exc.TimeoutError. `pooler`:
    the URL leads to PgBouncer in transaction pooling mode, where each transaction may meet a
    different server connection, so psycopg prepares no statements on the server and sends
    no startup `options` (PgBouncer refuses them: set `jit = off` on the database instead,
    docs/scaling.md). Without `pre_ping`, the caller replaces a connection the server
    dropped itself."""
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=pool_timeout_s,
        # A pooled connection is tested as it is taken (a round trip of well under a
        # millisecond on a local network), so one the server dropped in a restart is
        # replaced rather than failing the request that meets it.
        pool_pre_ping=pre_ping,
        pool_recycle=3600,
        connect_args=connect_args(connect_timeout_s, pooler),
    )


def connect_args(connect_timeout_s: int, pooler: bool) -> dict[str, Any]:
    """What psycopg connects with, for the engines and the public reads' pool alike (see
    make_engine for `pooler`)."""
    args: dict[str, Any] = {"application_name": "assetmap", "connect_timeout": connect_timeout_s}
    if pooler:
        args["prepare_threshold"] = None
    else:
        # JIT compiles a plan when PostGIS's cost estimates look large, which takes longer
        # than running our queries: spatial joins of a few thousand rows lose a third of a
        # second to it.
        args["options"] = "-c jit=off"
    return args


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL (`postgresql+psycopg://...`) as psycopg itself takes it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def make_sessionmaker(engine: Engine, read_only: bool = False) -> sessionmaker[Session]:
    """Sessions on `engine`; `read_only` ones run in autocommit, with no BEGIN or COMMIT."""
    if read_only:
        engine = engine.execution_options(isolation_level="AUTOCOMMIT")
    return sessionmaker(bind=engine, expire_on_commit=False)


def set_actor(session: Session, actor: str | None) -> None:
    """Name who makes this transaction's changes; the revision trigger records it."""
    session.execute(
        text("SELECT set_config('assetmap.actor', :actor, true)"), {"actor": actor or ""}
    )


@contextmanager
def transaction(factory: sessionmaker[Session], actor: str | None = None) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any error."""
    with factory() as session, session.begin():
        set_actor(session, actor)
        yield session
