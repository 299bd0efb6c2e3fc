"""Importing assets from a council's file: validated like the API, upserted on
(source, source_ref), every row it cannot take reported with the reason.

Rows stream from the file a chunk at a time, so memory stays flat whatever the file's size.
Each chunk is checked in Python (the API's own rules), COPYed into a temporary table, checked
against the database (postcodes, duplicate references) and written with set-based statements
(app/sql/asset_import_*.sql), all in the caller's one transaction, so an import is never
half-written.
"""

from __future__ import annotations

import gc
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, cast

import psycopg
from sqlalchemy import TextClause, text
from sqlalchemy.orm import Session

from app.db import set_actor
from app.domain import categories
from app.domain.asset_fields import IMPORTED_COLUMNS, column_ddl
from app.io.asset_rows import AssetImport, Chunk, Extent, Mapper, Taxonomy, stage_chunk
from app.io.report import ImportReport, Reject
from app.io.sources import SourceRow, read_rows
from app.sql import statements

Progress = Callable[[int], None]

KEPT_UNLESS_GIVEN = ("verified_at", "schedule")
# The columns of `import_chunk` a good row fills, in the order _stage_chunk gives them.
STAGED = ("row_no", "source_ref", "kind", "category_id", *IMPORTED_COLUMNS)


def _incoming(column: str, updating: bool) -> str:
    """What a file's row sets `column` to: its value, but none means no outcomes, and a
    verification or a schedule the file does not give is kept (one given in the app, or
    by another file)."""
    if column == "outcomes":
        return "coalesce(s.outcomes, '{}')"
    if column in KEPT_UNLESS_GIVEN and updating:
        return f"coalesce(s.{column}, asset.{column})"
    return f"s.{column}"


# Which earlier row of the file has a row's reference: one taken in an earlier chunk
# (import_seen), or one of this chunk, by a window over the chunk sorted by reference
# (a twentieth of a chunk's time), which a chunk whose references all differ goes without.
EARLIER_CHUNKS = "s.row_no"
EARLIER_ROWS = (
    "coalesce(s.row_no, nullif(min(c.row_no) OVER (PARTITION BY c.source_ref), c.row_no))"
)


@cache
def _sql(name: str, refs_differ: bool = False) -> tuple[TextClause, ...]:
    """The import's statements, their column lists written from IMPORTED_COLUMNS (names
    the code declares, never input); `refs_differ`: for a chunk whose references all
    differ."""
    columns = IMPORTED_COLUMNS
    return statements(
        name,
        duplicate_of=EARLIER_CHUNKS if refs_differ else EARLIER_ROWS,
        content=",\n    ".join(f"{column} {column_ddl(column)}" for column in columns),
        columns=", ".join(columns),
        stored=", ".join(f"asset.{column}" for column in columns),
        incoming=", ".join(_incoming(column, True) for column in columns),
        assignments=", ".join(f"{column} = {_incoming(column, True)}" for column in columns),
        inserted=", ".join(_incoming(column, False) for column in columns),
    )


# How the import's statements are planned (and those of the triggers they fire): hash and
# merge joins priced out, so no chunk reads all of `asset` to join a few thousand rows, and
# custom plans forced, so no plan made at the first chunk is kept for the last (psycopg
# prepares nothing either: prepare_threshold None). What keeps the plans right as `asset`
# grows is its statistics, guarded below (the lock, and _load_chunk's analysis). Set for
# the import's transaction only.
PLANNING = {
    "enable_hashjoin": "off",
    "enable_mergejoin": "off",
    "plan_cache_mode": "force_custom_plan",
}
SETTING = text("SELECT current_setting(:name)")
# What the planner reckons `asset` holds (a table never analysed, or analysed empty with no
# pages, is reckoned from its rows' width: taken as sound).
ESTIMATED_ASSETS = text(
    "SELECT CASE WHEN reltuples < 0 OR relpages = 0 THEN 'infinity'::float8"
    " ELSE reltuples / relpages * (pg_relation_size(oid) / current_setting('block_size')::int)"
    " END FROM pg_class WHERE oid = 'asset'::regclass"
)
SET = text("SELECT set_config(:name, :value, true)")
SOURCE_HAS_ASSETS = text("SELECT EXISTS (SELECT FROM asset WHERE source = :source)")


@dataclass
class _Counts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    chunk_seconds: list[float] = field(default_factory=list)


def import_assets(
    session: Session,
    path: Path | Iterable[list[SourceRow]],
    plan: AssetImport,
    extent: Extent,
    progress: Progress | None = None,
    actor: str | None = None,
) -> ImportReport:
    """Import `path` (a file, or chunks of rows already read: a feed's) into the session's
    transaction. With `plan.atomic`, any reject means
    nothing is written (`report.committed` is False).

    Reading and checking a chunk of rows overlaps with the database taking the chunk before
    it, so both cores work. Raises a 422 Problem for a plan that does not fit the file or
    the taxonomy, and app.io.sources.SourceError for a file that cannot be read."""
    if plan.category is not None:
        categories.category_id(session, plan.category, plan.kind, "category")
    taxonomy = Taxonomy(
        frozenset(row["slug"] for row in categories.outcomes(session)),
        categories.all_categories(session),
    )
    set_actor(session, actor)
    # One import of a source at a time: see asset_import_write.sql.
    session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('asset-import:' || :source))"),
        {"source": plan.source},
    )
    # Keep autovacuum from analysing `asset` while this import's rows are not committed: it
    # counts none of them, so records the table as empty however many pages it has
    # (reltuples 0), and every plan after that reads the "empty" `asset` whole for each row
    # of a chunk: the chunk that took minutes. Imports now take turns; the API never waits.
    session.execute(text("LOCK TABLE asset IN SHARE UPDATE EXCLUSIVE MODE"))
    # Several imports may share one transaction (the demo's tests do): start afresh.
    session.execute(text("DROP TABLE IF EXISTS import_chunk, import_seen"))
    for step in _sql("asset_import_tables"):
        session.execute(step)
    params = {
        "source": plan.source,
        # whether the file's rows may match assets already there (see asset_import_write.sql)
        "probe": session.scalar(SOURCE_HAS_ASSETS, {"source": plan.source}),
        **dict(zip(("minlon", "minlat", "maxlon", "maxlat"), extent, strict=True)),
    }
    # With `atomic`, rows are written as they come and the savepoint undoes them all if any
    # row is refused; the caller's transaction carries on either way.
    written = session.begin_nested()
    raw = cast(psycopg.Connection[Any], session.connection().connection.dbapi_connection)
    prepare_threshold, raw.prepare_threshold = raw.prepare_threshold, None
    was = {name: session.scalar(SETTING, {"name": name}) for name in PLANNING}
    for name, value in PLANNING.items():
        session.execute(SET, {"name": name, "value": value})
    try:
        report = _load(session, path, plan, extent, taxonomy, params, progress)
    finally:
        raw.prepare_threshold = prepare_threshold
        # A transaction the database aborted takes the settings with it as it is rolled
        # back, and would answer any statement with "current transaction is aborted",
        # hiding the reason the database gave.
        if raw.info.transaction_status != psycopg.pq.TransactionStatus.INERROR:
            for name, value in was.items():
                session.execute(SET, {"name": name, "value": value})
    if plan.atomic and report.rejected:
        written.rollback()
        report.committed = False
        report.inserted = report.updated = report.unchanged = 0
        report.notes.append("atomic: nothing was written because some rows were rejected")
    else:
        written.commit()
    return report


def _load(
    session: Session,
    path: Path | Iterable[list[SourceRow]],
    plan: AssetImport,
    extent: Extent,
    taxonomy: Taxonomy,
    params: dict[str, Any],
    progress: Progress | None,
) -> ImportReport:
    """Read, check and write every chunk. The next chunk is read and checked while the
    database writes the one before: from when that one's rows are in (its COPY, the
    database thread's own Python work, done with the interpreter to itself) until its
    statements end. The chunk read meanwhile waits its turn queued, so the database goes
    from one chunk to the next with no wait for this thread; at most two are in hand."""
    counts = _Counts()
    rejects: list[Reject] = []
    mapper: Mapper | None = None
    chunks = iter(
        read_rows(path, plan.lon_field, plan.lat_field) if isinstance(path, Path) else path
    )
    # set by the first chunk that fails: a chunk queued behind it is not written
    failed = threading.Event()

    def write(chunk: Chunk, taken: threading.Event) -> Chunk:
        """Write `chunk` and hand it back, so freeing its tens of thousands of objects
        (milliseconds) falls to the reading thread as it drops it, not to this thread
        between two chunks. `taken` is set once its rows are in, or it is done."""
        try:
            if not failed.is_set():
                _load_chunk(session, chunk, params, counts, rejects, taken)
            return chunk
        except BaseException:
            failed.set()
            raise
        finally:
            taken.set()

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-db") as database:
        loading: deque[Future[Chunk]] = deque()
        try:
            while True:
                with cycles_uncollected():
                    rows = next(chunks, None)
                    if rows is None:
                        break
                    if not rows:
                        continue
                    if mapper is None:
                        # every column the first chunk's rows have (features' properties vary)
                        columns = dict.fromkeys(k for row in rows for k in row.attributes)
                        mapper = Mapper(plan, columns)
                    chunk = stage_chunk(plan, mapper, rows, extent, taxonomy, rejects)
                taken = threading.Event()
                loading.append(database.submit(write, chunk, taken))
                # once its rows are in, the chunk before is written (or failed)
                taken.wait()
                while len(loading) > 1:
                    loading.popleft().result()
                if progress is not None:
                    progress(len(rows))
            while loading:
                loading.popleft().result()
        finally:
            # a chunk that failed (or a file that broke) leaves the rest unwritten
            failed.set()
            for waiting in loading:
                waiting.cancel()
    rejects.sort(key=lambda reject: reject.row)
    return ImportReport(
        inserted=counts.inserted,
        updated=counts.updated,
        unchanged=counts.unchanged,
        rejected=len(rejects),
        rejects=rejects,
        chunk_seconds=counts.chunk_seconds,
    )


@contextmanager
def cycles_uncollected() -> Iterator[None]:
    """No cyclic garbage collection while a chunk is read and checked. Its rows make
    tens of thousands of objects that live until the chunk is written, and every
    collection they set off would walk them all (and, as they age, everything the process
    holds): half the time Python spent on a chunk. Freed objects still go at once (by
    reference counting); cycles wait for the collection after the chunk."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _load_chunk(
    session: Session,
    chunk: Chunk,
    params: dict[str, Any],
    counts: _Counts,
    rejects: list[Reject],
    taken: threading.Event,
) -> None:
    """Take a chunk's good rows in (COPY), check them against the database, and write those
    that pass; the ones refused go to `rejects`. `taken` is set once the rows are in."""
    if not chunk.staged:
        return
    started = time.perf_counter()
    raw = cast(psycopg.Connection[Any], session.connection().connection.dbapi_connection)
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY import_chunk ({', '.join(STAGED)}) FROM STDIN") as copy,
    ):
        for row in chunk.staged:
            copy.write_row(row)
    taken.set()
    refused: list[tuple[int, str]] = []
    if chunk.geocode:
        geocode, unknown, outside = statements("asset_import_check")
        session.execute(geocode)
        refused += session.execute(unknown).tuples().all()
        refused += session.execute(outside, params).tuples().all()
    write, clear = _sql("asset_import_write", chunk.refs_differ)
    written = session.execute(write, params).one()
    session.execute(clear)
    refused += zip(written.rows, written.reasons, strict=True)
    updated, inserted = written.updated, written.inserted
    rejects.extend(chunk.refused(refused))
    counts.inserted += inserted
    counts.updated += updated
    counts.unchanged += len(chunk.staged) - len(refused) - inserted - updated
    # The planner reckons `asset`'s rows as the density its statistics record (rows per
    # page) times the pages the table has now, so statistics need not follow the import as
    # it grows. Only when that reckoning falls below half the rows this import wrote (an
    # analysis that counted none of them, by autovacuum before the lock, or pages of dead
    # rows diluting the density) is `asset` analysed afresh: this transaction's analysis
    # counts its rows. So no analysis at all in the usual import, rather than one at every
    # doubling, whose cost grew with the table and slowed the late chunks.
    if session.scalar(ESTIMATED_ASSETS) * 2 < counts.inserted:
        session.execute(text("ANALYZE asset"))
    counts.chunk_seconds.append(time.perf_counter() - started)
