"""Alembic environment: migrates the database that DATABASE_URL or the local cluster names.

A caller may pass an open connection in `config.attributes["connection"]` (the tests do).
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, create_engine, pool

from app.db import database_url
from app.models import Base
from app.settings import DatabaseSettings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _include_object(obj: object, name: str | None, type_: str, *args: object) -> bool:
    # PostGIS's own tables (spatial_ref_sys, topology, tiger) are not ours.
    return not (type_ == "table" and name not in target_metadata.tables)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.attributes.get("url") or database_url(DatabaseSettings())
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported: run `assetmap migrate`.")
run_migrations_online()
