"""Public reads at the database's floor: pages of assets (`GET /assets`, OGC items) and asset
tiles for readers who send no credentials.

Their answers are the public face's, the same for everyone, and PostgreSQL builds them
whole (GeoJSON text, MVT bytes). So they skip what costs more than the query: no ORM
session, no SQLAlchemy execution (whose cache key alone walks the whole statement), no
account lookup, no worker thread. The statement is compiled once per query shape and sent
as it is through a pooled asyncio driver connection, on the event loop; the answer goes
back untouched.

A prepared statement's generic plan cannot tell a bbox holding 12,000 assets from one
holding 600: it finds them all by the spatial index and sorts them by id, where the primary
key's order would stop at a page. So a page is prepared only when PostGIS estimates its bbox
sparse (asked in the same statement); any other is an unnamed statement, planned with its
values.

Searches that first check a name (a category, an outcome, an area) keep the full path,
with a session in a worker thread, as do authenticated readers.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import cache
from typing import Annotated, Any, Protocol

import psycopg
from fastapi import Depends, Request
from sqlalchemy import Float, Select, literal, literal_column, null, select, union_all
from sqlalchemy import exc as sql_errors
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from starlette.concurrency import run_in_threadpool

from app.api.deps import Sessions, get_sessions
from app.db import libpq_url
from app.domain import asset_search, tiles
from app.domain.asset_search import AssetFilter, AssetMatch
from app.domain.features import WGS84
from app.domain.paging import Page, cut_page
from app.sql import statement

Row = Sequence[Any]
DIALECT = PGDialect_psycopg()  # type: ignore[no-untyped-call]


class Reads(Protocol):
    """Where public reads run: a compiled statement (psycopg placeholders) and its values
    in, its rows out. `prepare` as psycopg takes it: False plans each run with its values
    (an unnamed statement), True prepares it at once, None once the connection has run it
    a few times; PostgreSQL may then keep one generic plan for any values."""

    async def rows(
        self, sql: str, params: Mapping[str, Any], prepare: bool | None
    ) -> list[Row]: ...


class DriverReads:
    """Statements straight through psycopg's asyncio connections, in autocommit (no BEGIN,
    no ROLLBACK), on the event loop: no worker thread, no ORM.

    At most `size` connections are kept and used at once; a read that waits longer than
    `timeout_s` for one is sqlalchemy's TimeoutError, and the database down is its
    OperationalError at once, both the 503 every route gives. (psycopg_pool would instead
    wait out the whole timeout while the database is down, where every other route
    answers at once.) Connections are not pinged as they are taken (a round trip as long
    as a small tile's query): a read that meets one the server dropped closes every one
    kept and runs once more on a new one. One older than `recycle_s` is replaced, as the
    engines' are.
    """

    def __init__(
        self,
        url: str,
        size: int,
        timeout_s: float,
        connect_args: Mapping[str, Any],
        recycle_s: float = 3600.0,
    ) -> None:
        self.url = libpq_url(url)
        self.connect_args = dict(connect_args)
        # behind a transaction pooler, each statement may meet another server connection
        self.prepares = self.connect_args.get("prepare_threshold", 5) is not None
        self.timeout_s = timeout_s
        self.recycle_s = recycle_s
        self._slots = asyncio.Semaphore(size)
        self._idle: list[tuple[psycopg.AsyncConnection[Any], float]] = []

    async def rows(self, sql: str, params: Mapping[str, Any], prepare: bool | None) -> list[Row]:
        prepare = prepare if self.prepares else False
        try:
            return await self._rows(sql, params, prepare)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
            # the server dropped it, and with it most likely the others kept (a restart):
            # those go too, and the read runs once more on a new connection
            await self._drop_idle()
            return await self._rows(sql, params, prepare)

    async def _rows(self, sql: str, params: Mapping[str, Any], prepare: bool | None) -> list[Row]:
        await self._take_slot()
        try:
            connection, born = await self._connection(sql, params)
            kept = False
            try:
                cursor = await connection.execute(sql, params, prepare=prepare)
                found = await cursor.fetchall()
                kept = True
                return found
            except psycopg.Error as error:
                lost = connection.closed or connection.broken
                raise DBAPIError.instance(
                    sql, dict(params), error, psycopg.Error, connection_invalidated=lost
                ) from error
            finally:
                # kept only after a whole answer: one cut short (a cancelled request, an
                # error) may still be busy, so it is closed instead
                if kept and not connection.broken:
                    self._idle.append((connection, born))
                else:
                    await connection.close()
        finally:
            self._slots.release()

    async def _take_slot(self) -> None:
        if not self._slots.locked():
            await self._slots.acquire()
            return
        try:
            await asyncio.wait_for(self._slots.acquire(), self.timeout_s)
        except TimeoutError:
            raise sql_errors.TimeoutError(
                f"no connection for public reads within {self.timeout_s} s"
            ) from None

    async def _connection(
        self, sql: str, params: Mapping[str, Any]
    ) -> tuple[psycopg.AsyncConnection[Any], float]:
        """A kept connection (the newest first), or a new one; with when it was made."""
        while self._idle:
            connection, born = self._idle.pop()
            if not connection.closed and time.monotonic() - born < self.recycle_s:
                return connection, born
            await connection.close()
        try:
            connection = await psycopg.AsyncConnection.connect(
                self.url, autocommit=True, **self.connect_args
            )
        except psycopg.Error as error:  # no connection to be had: the database is down
            raise DBAPIError.instance(sql, dict(params), error, psycopg.Error) from error
        return connection, time.monotonic()

    async def _drop_idle(self) -> None:
        idle, self._idle = self._idle, []
        for connection, _ in idle:
            await connection.close()

    async def close(self) -> None:
        """Close the connections kept (at the app's end)."""
        await self._drop_idle()


class SessionReads:
    """The same statements through read sessions, in a worker thread: for when the app's
    sessions are not its own pool's (the tests' rolled-back transactions) or read from
    replicas (which choose per request, so a writer reads its own write)."""

    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions

    async def rows(self, sql: str, params: Mapping[str, Any], prepare: bool | None) -> list[Row]:
        return await run_in_threadpool(self._rows, sql, params)

    def _rows(self, sql: str, params: Mapping[str, Any]) -> list[Row]:
        with self.sessions.read() as session:
            found = session.connection().exec_driver_sql(sql, dict(params))
            return [tuple(row) for row in found.all()]


async def public_reads(
    request: Request, sessions: Annotated[Sessions, Depends(get_sessions)]
) -> Reads:
    """The app's driver reads, or reads through its sessions when those were replaced or
    read from replicas (which choose per request, so a writer reads its own write)."""
    if sessions is request.app.state.sessions and sessions.replicas is None:
        reads: Reads = request.app.state.public_reads
        return reads
    return SessionReads(sessions)


ReadsDep = Annotated[Reads, Depends(public_reads)]

# Statements compiled once, by the statement object (built once per query shape).
_compiled: dict[int, tuple[ClauseElement, str, dict[str, Any]]] = {}


def compiled(query: ClauseElement, reused: bool = True) -> tuple[str, dict[str, Any]]:
    """A statement as psycopg takes it (`%(name)s` placeholders) and the values it binds
    itself (constants such as GeoJSON's decimals). `reused` statements are compiled once,
    the others (a filter's own) each time."""
    known = _compiled.get(id(query))
    if known is not None and known[0] is query:
        return known[1], known[2]
    done = query.compile(dialect=DIALECT, compile_kwargs={"render_postcompile": True})
    sql, params = str(done), dict(done.params)
    if reused:
        _compiled[id(query)] = (query, sql, params)
    return sql, params


async def asset_page(
    reads: Reads, sessions: Sessions, wanted: AssetFilter, limit: int, after: str | None
) -> Page:
    """One page of the public search `wanted` (app.domain.asset_search.list_assets), with
    its statement sent straight to the driver unless it must first check a name.

    A search of a lon/lat bbox and nothing else is first asked as a prepared statement
    whose generic plan (the spatial index, then a sort by id) is right for a bbox of a few
    hundred assets, and saves the planning: it gives the page only when PostGIS estimates,
    as the planner would from the values, that the box holds no more than DENSE_ASSETS,
    and the estimate in any case. Any other search, or a denser box, runs unnamed, planned
    with its values.
    """
    if asset_search.needs_lookups(wanted):
        return await run_in_threadpool(looked_up_page, sessions, wanted, limit, after)
    query, params = asset_search.search_statement(wanted, limit, after)
    if wanted.where is None:
        sql, constants = compiled(query)
    else:  # a filter's own statement, compiled anew: in a worker thread, off the loop
        sql, constants = await run_in_threadpool(compiled, query, False)
    if _bbox_alone(wanted):
        guarded, guarded_constants = compiled(_sparse_only(query))
        rows = await reads.rows(guarded, guarded_constants | params, prepare=True)
        ((estimate,),) = [row[3:] for row in rows if row[0] is None]
        if estimate is not None and estimate <= DENSE_ASSETS:
            return cut_page([row[:3] for row in rows if row[0] is not None], limit)
    return cut_page(await reads.rows(sql, constants | params, prepare=False), limit)


def looked_up_page(sessions: Sessions, wanted: AssetFilter, limit: int, after: str | None) -> Page:
    """A page of a search on the full path, in a read session (a worker thread's work)."""
    with sessions.read() as session:
        return asset_search.list_assets(session, wanted, limit, after)


# A bbox estimated to hold more assets than this is planned with its values: sorting this
# many by id costs about what planning the statement does.
DENSE_ASSETS = 1000


def _bbox_alone(wanted: AssetFilter) -> bool:
    """Whether a search asks for a lon/lat bbox and nothing else (whatever its status and
    the CRS of its answer; within_m counts only with `near`)."""
    if wanted.bbox is None or wanted.where is not None:
        return False
    plain = replace(wanted, status="published", srid=WGS84, within_m=None)
    return plain == AssetFilter(bbox=wanted.bbox)


@cache
def _sparse_only(query: Select[Any]) -> Select[Any]:
    """A bbox search's statement (rows: feature, part, id) that gives its rows only when
    the bbox is estimated to hold no more than DENSE_ASSETS, and then a last row of NULLs
    but the estimate (app/sql/asset_bbox_estimate.sql; NULL without statistics)."""
    estimate = statement("asset_bbox_estimate").columns(assets=Float).cte("estimate")
    page = query.subquery("page")
    sparse = select(estimate.c.assets).scalar_subquery() <= DENSE_ASSETS
    return union_all(
        select(page.c.feature, page.c.part, page.c.id, null().label("assets")).where(sparse),
        select(null(), literal(2), null(), estimate.c.assets),
    ).order_by(literal_column("part"), literal_column("id"))  # type: ignore[return-value]


async def asset_tile(
    reads: Reads,
    sessions: Sessions,
    z: int,
    x: int,
    y: int,
    max_features: int,
    match: AssetMatch,
    where: Any = None,
) -> tiles.Tile:
    """The public assets in tile z/x/y (app.domain.tiles.asset_tile), straight through the
    driver unless a category or an outcome must first be checked."""
    if match.category is not None or match.outcome is not None:

        def looked_up() -> tiles.Tile:
            with sessions.read() as session:
                return tiles.asset_tile(
                    session, z, x, y, max_features, match.kind, match.category, match.outcome, where
                )

        return await run_in_threadpool(looked_up)
    tiles.check_tile(z, x, y)
    params = tiles.asset_tile_params(z, x, y, max_features, kind=match.kind)
    if where is not None:
        matching = tiles.matching_assets(z, x, y, where, max_features)
        sql, constants = await run_in_threadpool(compiled, matching, False)
        params["ids"] = [row[0] for row in await reads.rows(sql, constants, prepare=False)]
    sql, constants = compiled(statement("asset_tile"))
    ((data,),) = await reads.rows(sql, constants | params, prepare=None)
    return tiles.Tile(bytes(data or b""))
