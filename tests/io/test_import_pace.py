"""An import checked a chunk at a time, as fast as the database takes it, refuses exactly
the rows the API would refuse, each by its row number and field, and keeps the planner's
picture of `asset` right without analysing the table again as it grows."""

from __future__ import annotations

import csv
import threading
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.io import asset_import
from app.io.asset_import import import_assets
from app.io.asset_rows import AssetImport
from app.io.sources import CHUNK_ROWS
from app.settings import ApiSettings

EXTENT = ApiSettings().service_extent
STRETFORD = (-2.3157, 53.4466)
PLAN = AssetImport(
    kind="physical", source="council", ref_fields=["ref"], lon_field="lon", lat_field="lat"
)
# Row number (1-based, as the report counts) -> (a bad cell, the reason the report gives).
BAD = {
    3: ({"name": "Back\bspace Hall"}, "name: must not contain control characters (U+0008)"),
    CHUNK_ROWS - 1: (
        {"address": "1 High\x0cStreet"},
        "address: must not contain control characters (U+000C)",
    ),
    CHUNK_ROWS: ({"name": ""}, "name: Field required"),
    CHUNK_ROWS + 1: (
        {"reach_m": "-5"},
        "reach_m: Input should be greater than 0",
    ),
    # a source new to the map: its rows are matched only against the file's earlier rows
    2 * CHUNK_ROWS + 3: ({"ref": "R2"}, "duplicate source_ref 'R2': row 2 has it too"),
    2 * CHUNK_ROWS + 7: (
        {"reach_m": "far", "postcode": "a very long postcode"},
        "postcode: String should have at most 10 characters; "
        "reach_m: Input should be a valid number, unable to parse string as a number",
    ),
    2 * CHUNK_ROWS + 8: (
        {"name": "Ring\x07"},
        "name: must not contain control characters (U+0007)",
    ),
}


def _register(path: Path, rows: int, bad: dict[int, dict[str, str]]) -> Path:
    """A council's CSV register of `rows` good rows but those in `bad` (row number ->
    the cells it has wrong)."""
    columns = ["ref", "name", "address", "postcode", "reach_m", "lon", "lat"]
    with path.open("w", newline="") as file:
        writer = csv.DictWriter(file, columns)
        writer.writeheader()
        for number in range(1, rows + 1):
            row = {
                "ref": f"R{number}",
                "name": f"Community asset {number}",
                "address": f"{number} High Street",
                "postcode": "",
                "reach_m": "500",
                "lon": STRETFORD[0] + number * 1e-6,
                "lat": STRETFORD[1],
            }
            writer.writerow(row | bad.get(number, {}))
    return path


def test_rows_checked_a_chunk_at_once_are_refused_each_by_its_row_and_field(
    session: Session, tmp_path: Path
) -> None:
    rows = 2 * CHUNK_ROWS + 10
    path = _register(tmp_path / "register.csv", rows, {n: cells for n, (cells, _) in BAD.items()})

    report = import_assets(session, path, PLAN, EXTENT)

    assert {reject.row: reject.reason for reject in report.rejects} == {
        number: reason for number, (_, reason) in BAD.items()
    }
    assert report.rejects[0].original["name"] == "Back\bspace Hall"
    assert report.inserted == rows - len(BAD)
    stored = set(session.scalars(text("SELECT source_ref FROM asset WHERE source = 'council'")))
    assert stored == {f"R{number}" for number in range(1, rows + 1) if number not in BAD}
    # the good row between two bad ones, as the file had it
    reach, address = session.execute(
        text("SELECT reach_m, address FROM asset WHERE source_ref = :ref"),
        {"ref": f"R{2 * CHUNK_ROWS + 9}"},
    ).one()
    assert (reach, address) == (500, f"{2 * CHUNK_ROWS + 9} High Street")


def test_sound_statistics_are_not_analysed_again_as_the_import_grows_the_table(
    session: Session, tmp_path: Path
) -> None:
    # Statistics from an earlier analysis: 400 rows over 10 pages, 40 rows a page.
    session.execute(
        text("UPDATE pg_class SET reltuples = 400, relpages = 10 WHERE oid = 'asset'::regclass")
    )
    rows = 3 * CHUNK_ROWS

    report = import_assets(session, _register(tmp_path / "register.csv", rows, {}), PLAN, EXTENT)

    assert report.inserted == rows
    # no analysis: the statistics are those it found
    assert session.execute(
        text("SELECT reltuples, relpages FROM pg_class WHERE oid = 'asset'::regclass")
    ).one() == (400, 10)
    # yet the planner counts the rows the import wrote (its density times today's pages)
    planned = session.execute(text("EXPLAIN (FORMAT JSON) SELECT id FROM asset")).scalar_one()
    assert planned[0]["Plan"]["Plan Rows"] > rows // 2


def test_a_chunk_that_fails_leaves_the_chunks_queued_behind_it_unwritten(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next chunk waits its turn queued while one is written: when that one fails,
    the import stops there, and what was queued is never written (nor runs on a failed
    transaction)."""
    path = _register(tmp_path / "register.csv", 3 * CHUNK_ROWS, {})
    written: list[int] = []
    second_staged = threading.Event()
    real_load, real_stage = asset_import._load_chunk, asset_import.stage_chunk

    def staged(*args: Any) -> Any:
        chunk = real_stage(*args)
        if chunk.staged[0][0] > 1:
            second_staged.set()
        return chunk

    def failing_first(*args: Any) -> None:
        chunk, taken = args[1], args[5]
        written.append(chunk.staged[0][0])  # its first row's number
        if len(written) == 1:
            # its rows are in, and it fails as they are written, once the next chunk is
            # read and on its way to the queue
            taken.set()
            assert second_staged.wait(timeout=60)
            raise RuntimeError("the connection to the database was lost")
        real_load(*args)

    monkeypatch.setattr(asset_import, "stage_chunk", staged)
    monkeypatch.setattr(asset_import, "_load_chunk", failing_first)

    with pytest.raises(RuntimeError, match="connection to the database was lost"):
        import_assets(session, path, PLAN, EXTENT)
    assert written == [1]


def test_a_chunk_the_database_refuses_fails_the_import_with_the_database_s_reason(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the database refuses a chunk (here a division by zero among its statements),
    the import fails with the reason the database gave, which the CLI prints, not with
    "current transaction is aborted" from the statements that come after."""
    path = _register(tmp_path / "register.csv", 3 * CHUNK_ROWS, {})
    real_load = asset_import._load_chunk

    def refused_second(*args: Any) -> None:
        if args[1].staged[0][0] > CHUNK_ROWS:
            args[0].execute(text("SELECT 1 / 0"))
        real_load(*args)

    monkeypatch.setattr(asset_import, "_load_chunk", refused_second)

    with pytest.raises(DBAPIError) as refused:
        import_assets(session, path, PLAN, EXTENT)
    assert isinstance(refused.value.orig, psycopg.errors.DivisionByZero)
