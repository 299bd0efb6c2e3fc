"""`assetmap import oruk`: a directory takes in another directory's Open Referral UK feed,
here the Trafford demo's own, served by a real `assetmap serve`, into an empty database:
the same services, places, schedules and categories come back; a re-run changes nothing;
a service changed at the source updates its one asset, with a revision."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from sqlalchemy import text

from app.db import make_engine
from tests.conftest import (
    alembic_config,
    create_database,
    demo_database,
    drop_database,
    server_process,
)
from tests.test_cli_import import _assetmap

# Altrincham Library's week (given at the source): weekdays, a late Thursday, Saturday
# mornings, Christmas Eve mornings, closed over Christmas.
LIBRARY_WEEK = {
    "weekly": [
        {"days": ["MO", "TU", "WE", "FR"], "opens": "09:00", "closes": "17:00"},
        {"days": ["TH"], "opens": "09:00", "closes": "20:00"},
        {"days": ["SA"], "opens": "10:00", "closes": "13:00"},
    ],
    "exceptions": [{"date": "2026-12-24", "opens": "09:00", "closes": "12:00"}],
    "closures": [{"starts": "2026-12-25", "ends": "2026-12-28", "reason": "Christmas"}],
}

# What a reader of both directories compares, of each published service.
COMPARED = """
SELECT a.name, ST_X(a.geom) AS lon, ST_Y(a.geom) AS lat, a.postcode, a.kind,
       c.slug AS category, a.outcomes, a.schedule,
       a.contact ->> 'phone' AS phone, a.contact ->> 'email' AS email
  FROM public_asset AS a LEFT JOIN category AS c ON c.id = a.category_id
 WHERE a.status = 'published'
"""


def _run(url: str, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
    engine = make_engine(url, pool_size=1)
    with engine.begin() as connection:
        result = connection.execute(text(sql), params or {})
        rows = list(result) if result.returns_rows else []
    engine.dispose()
    return rows


def _services(url: str) -> list[tuple[Any, ...]]:
    """Each published service as (its fields as JSON, then lon, lat), sorted."""
    rows = _run(url, COMPARED)
    return sorted(
        (
            tuple(
                json.dumps(value, sort_keys=True)
                for key, value in row._mapping.items()
                if key not in {"lon", "lat"}
            ),
            row.lon,
            row.lat,
        )
        for row in rows
    )


def assert_same_services(target_url: str, source_url: str) -> None:
    """The same services, each at the same place (to within a centimetre: the feed gives
    coordinates to 7 decimals)."""
    imported, given = _services(target_url), _services(source_url)
    assert [fields for fields, _, _ in imported] == [fields for fields, _, _ in given]
    for (_, lon, lat), (_, given_lon, given_lat) in zip(imported, given, strict=True):
        assert abs(lon - given_lon) < 1e-7 and abs(lat - given_lat) < 1e-7


@pytest.fixture(scope="module")
def source(base_url: str) -> Iterator[tuple[str, str]]:
    """Another directory: the Trafford demo in a database of its own, the library's week
    given as a schedule, served by a real `assetmap serve`; yields (database URL, feed URL)."""
    url = demo_database(base_url, "assetmap_oruk_source")
    _run(
        url,
        "UPDATE asset SET schedule = CAST(:week AS jsonb) WHERE name = 'Altrincham Library'",
        {"week": json.dumps(LIBRARY_WEEK)},
    )
    with server_process(url) as (base, _):
        yield url, f"{base}/oruk"
    drop_database(url)


@pytest.fixture(scope="module")
def target(base_url: str) -> Iterator[dict[str, str]]:
    """An empty directory: migrated, no assets; the CLI pointed at it."""
    import os

    url = create_database(base_url, "assetmap_oruk_target")
    command.upgrade(alembic_config(url), "head")
    yield os.environ | {"DATABASE_URL": url, "COLUMNS": "200"}
    drop_database(url)


def _counts(output: str) -> dict[str, int]:
    found = re.search(r"(\d+) inserted, (\d+) updated, (\d+) unchanged, (\d+) rejected", output)
    assert found is not None, output
    return dict(
        zip(("inserted", "updated", "unchanged", "rejected"), map(int, found.groups()), strict=True)
    )


def test_the_trafford_feed_comes_back_whole_and_only_changes_what_changed(
    source: tuple[str, str], target: dict[str, str], tmp_path: Path
) -> None:
    source_url, feed = source
    first = _assetmap(target, "import", "oruk", feed, "--rejects", str(tmp_path / "r.csv"))

    assert first.returncode == 0, first.stderr + first.stdout
    assert _counts(first.stdout) == {"inserted": 527, "updated": 0, "unchanged": 0, "rejected": 0}
    assert_same_services(target["DATABASE_URL"], source_url)
    library = _run(
        target["DATABASE_URL"], "SELECT schedule FROM asset WHERE name = 'Altrincham Library'"
    )
    assert library[0].schedule["closures"] == LIBRARY_WEEK["closures"]

    # a re-run asks only for what changed since: nothing
    again = _assetmap(target, "import", "oruk", feed)
    assert again.returncode == 0, again.stderr
    assert _counts(again.stdout) == {"inserted": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    assert "read 0 services modified after" in again.stdout
    whole = _assetmap(target, "import", "oruk", feed, "--full")
    assert _counts(whole.stdout) == {"inserted": 0, "updated": 0, "unchanged": 527, "rejected": 0}

    # the source's Partington Children's Centre changes its phone number
    _run(
        source_url,
        "UPDATE asset SET contact = jsonb_set(contact, '{phone}', '\"0161 912 9999\"') "
        "WHERE name = 'Partington Children''s Centre'",
    )
    changed = _assetmap(target, "import", "oruk", feed)
    assert _counts(changed.stdout) == {"inserted": 0, "updated": 1, "unchanged": 0, "rejected": 0}
    (centre,) = _run(
        target["DATABASE_URL"],
        "SELECT a.version, a.contact ->> 'phone' AS phone, "
        "       (SELECT count(*) FROM asset_revision AS r WHERE r.asset_id = a.id) AS revisions "
        "  FROM asset AS a WHERE a.name = 'Partington Children''s Centre'",
    )
    assert centre.phone == "0161 912 9999"
    assert centre.version == 2
    assert centre.revisions == 2
    assert_same_services(target["DATABASE_URL"], source_url)


def test_a_feed_that_cannot_be_read_whole_writes_nothing(
    target: dict[str, str], tmp_path: Path
) -> None:
    broken = tmp_path / "services.json"
    broken.write_text('[{"id": "a", "name": "Half a service"')
    before = _run(target["DATABASE_URL"], "SELECT count(*) AS n FROM asset")[0].n

    refused = _assetmap(target, "import", "oruk", str(broken))
    unreachable = _assetmap(target, "import", "oruk", "http://127.0.0.1:9/oruk")

    assert refused.returncode != 0
    assert "services.json" in refused.stderr + refused.stdout
    assert "not valid JSON" in refused.stderr + refused.stdout
    assert unreachable.returncode != 0
    assert "could not be read" in unreachable.stderr + unreachable.stdout
    assert _run(target["DATABASE_URL"], "SELECT count(*) AS n FROM asset")[0].n == before


def test_the_feed_is_open_to_other_sites(source: tuple[str, str]) -> None:
    _, feed = source
    answer = httpx.get(
        f"{feed}/services", params={"per_page": 1}, headers={"Origin": "https://x.example"}
    )

    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "*"
