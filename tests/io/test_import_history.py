"""A council imports its register and its history reads as if every asset had been added
by hand: each creation in the asset's history and in the Atom feed, by whom and when,
though the import writes no revision row per created asset (migration 0014)."""

from __future__ import annotations

import csv
from pathlib import Path

import feedparser
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.io.asset_import import import_assets
from app.io.asset_rows import AssetImport
from app.io.sources import CHUNK_ROWS
from app.settings import ApiSettings
from tests.conftest import load_trafford_lsoas

EXTENT = ApiSettings().service_extent
STRETFORD_LSOA = "E01006183"
# Points inside the Stretford LSOA above (lon, lat).
STRETFORD = (-2.3157, 53.4466)
PLAN = AssetImport(
    kind="physical", source="council", ref_fields=["ref"], lon_field="lon", lat_field="lat"
)


def _register(path: Path, names: dict[str, str]) -> Path:
    """A council's CSV register: a reference, a name and a point in Stretford for each."""
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["ref", "name", "lon", "lat"])
        for number, (ref, name) in enumerate(names.items()):
            writer.writerow([ref, name, STRETFORD[0] + number * 0.0001, STRETFORD[1]])
    return path


def _history(client: TestClient, asset_id: int) -> list[dict[str, object]]:
    """An asset's history as an admin reads it."""
    admin = {"Authorization": f"Bearer {client._admin_token()}"}  # type: ignore[attr-defined]
    response = client.get(f"/assets/{asset_id}/history", headers=admin)
    assert response.status_code == 200, response.text
    return list(response.json())


def _ids(session: Session) -> dict[str, int]:
    rows = session.execute(text("SELECT source_ref, id FROM asset WHERE source = 'council'"))
    return {ref: asset_id for ref, asset_id in rows}


def test_an_imported_asset_has_its_creation_in_its_history_by_whom_and_when(
    session: Session, client: TestClient, tmp_path: Path
) -> None:
    path = _register(tmp_path / "register.csv", {"R1": "Stretford Library", "R2": "Gorse Hill"})

    report = import_assets(session, path, PLAN, EXTENT, actor="officer@trafford.gov.uk")

    assert report.inserted == 2
    library = _ids(session)["R1"]
    created_at = session.scalar(
        text("SELECT created_at FROM asset WHERE id = :id"), {"id": library}
    )
    assert _history(client, library) == [
        {
            "version": 1,
            "action": "create",
            "changed_at": created_at.isoformat().replace("+00:00", "Z"),
            "changed_by": "officer@trafford.gov.uk",
            "before": None,
            "after": None,
        }
    ]
    # the creations are read from the rows: nothing was written per row to say them
    written = session.scalar(
        text(
            "SELECT count(*) FROM asset_revision_stored WHERE asset_id IN "
            "(SELECT id FROM asset WHERE source = 'council')"
        )
    )
    assert written == 0


def test_a_changed_row_follows_its_creation_in_the_history_and_in_the_feed(
    session: Session, client: TestClient, tmp_path: Path
) -> None:
    load_trafford_lsoas(session, [STRETFORD_LSOA])
    path = tmp_path / "register.csv"
    import_assets(session, _register(path, {"R1": "Stretford Library"}), PLAN, EXTENT)
    library = _ids(session)["R1"]
    first = client.anonymous.get("/feeds/assets.atom", params={"within": STRETFORD_LSOA})

    import_assets(session, _register(path, {"R1": "Stretford Public Library"}), PLAN, EXTENT)

    history = _history(client, library)
    assert [(entry["version"], entry["action"]) for entry in history] == [
        (1, "create"),
        (2, "update"),
    ]
    assert history[1]["before"] == {"name": "Stretford Library"}
    assert history[1]["after"] == {"name": "Stretford Public Library"}
    feed = feedparser.parse(
        client.anonymous.get("/feeds/assets.atom", params={"within": STRETFORD_LSOA}).content
    )
    assert [entry.title for entry in feed.entries] == [
        "Changed: Stretford Public Library",
        "Added: Stretford Public Library",
    ]
    # the creation's entry keeps its id once the asset has changed
    before = feedparser.parse(first.content)
    assert [entry.title for entry in before.entries] == ["Added: Stretford Library"]
    assert feed.entries[1].id == before.entries[0].id


def test_each_chunk_of_a_large_file_is_timed(session: Session, tmp_path: Path) -> None:
    rows = 2 * CHUNK_ROWS + 10
    names = {f"R{number}": f"Community asset {number}" for number in range(rows)}
    path = _register(tmp_path / "register.csv", names)

    report = import_assets(session, path, PLAN, EXTENT)

    assert report.inserted == rows
    assert len(report.chunk_seconds) == 3
    assert all(seconds > 0 for seconds in report.chunk_seconds)


def test_the_feed_interleaves_creations_read_from_rows_with_changes_kept_newest_first(
    session: Session, client: TestClient, tmp_path: Path
) -> None:
    load_trafford_lsoas(session, [STRETFORD_LSOA])
    path = tmp_path / "register.csv"
    first = {"R1": "Library", "R2": "Hall", "R3": "Garden"}
    import_assets(session, _register(path, first), PLAN, EXTENT)
    import_assets(session, _register(path, first | {"R2": "Gorse Hill Hall"}), PLAN, EXTENT)
    import_assets(session, _register(tmp_path / "more.csv", {"R4": "Allotments"}), PLAN, EXTENT)

    def titles(**query: object) -> list[str]:
        params = {"within": STRETFORD_LSOA, **query}
        feed = feedparser.parse(client.anonymous.get("/feeds/assets.atom", params=params).content)
        return [entry.title for entry in feed.entries]

    assert titles() == [
        "Added: Allotments",
        "Changed: Gorse Hill Hall",
        "Added: Garden",
        "Added: Gorse Hill Hall",
        "Added: Library",
    ]
    assert titles(limit=3) == ["Added: Allotments", "Changed: Gorse Hill Hall", "Added: Garden"]


def test_an_import_after_statistics_that_saw_an_empty_table_plans_with_its_own_rows(
    session: Session, tmp_path: Path
) -> None:
    # What autovacuum records when it analyses `asset` during another import: no live row
    # over many pages, so the planner takes the table for empty at any size.
    session.execute(
        text("UPDATE pg_class SET reltuples = 0, relpages = 2000 WHERE oid = 'asset'::regclass")
    )
    rows = 2 * CHUNK_ROWS
    names = {f"R{number}": f"Community asset {number}" for number in range(rows)}

    report = import_assets(session, _register(tmp_path / "register.csv", names), PLAN, EXTENT)

    assert report.inserted == rows
    planned = session.execute(text("EXPLAIN (FORMAT JSON) SELECT id FROM asset")).scalar_one()
    # (it took the table for holding one row; now for about as many as it holds)
    assert planned[0]["Plan"]["Plan Rows"] > rows // 2
