"""A council imports the family hub directory's Open Referral UK feed (a small ORUK API on
127.0.0.1 with three pages): all of it, or, when a page fails half-way, nothing at all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.io.oruk_feed import FeedError
from app.io.oruk_import import FeedPlan, import_feed
from app.settings import ApiSettings, FeedSettings
from tests.conftest import count_assets
from tests.oruk_directory import Answer, Directory

EXTENT = ApiSettings().service_extent


def _service(number: int, term: dict[str, str]) -> dict[str, Any]:
    """A service of the family hub directory, somewhere in Sale."""
    return {
        "id": f"7d0c1f0e-0000-4000-8000-00000000000{number}",
        "name": f"Family hub service {number}",
        "status": "active",
        "url": "https://hub.example.org/",
        "service_at_locations": [
            {
                "id": f"sal-{number}",
                "location": {
                    "id": f"loc-{number}",
                    "location_type": "physical",
                    "latitude": 53.4239 + number / 1000,
                    "longitude": -2.3225,
                    "addresses": [
                        {
                            "id": f"adr-{number}",
                            "address_1": f"{number} School Road",
                            "city": "Sale",
                            "state_province": "Trafford",
                            "postal_code": "M33 7XX",
                            "country": "GB",
                            "address_type": "physical",
                        }
                    ],
                },
            }
        ],
        "schedules": [
            {
                "id": f"sch-{number}",
                "freq": "WEEKLY",
                "byday": "MO,WE",
                "opens_at": "09:30:00",
                "closes_at": "11:30:00",
            }
        ],
        "attributes": [{"id": f"att-{number}", "taxonomy_term": term}],
    }


STAY_AND_PLAY = {"id": "t-1", "name": "Stay and play", "description": "Under-fives", "term": "sp"}
BABY_BANK = {"id": "t-2", "name": "Baby bank", "description": "Baby clothes", "term": "bb"}
FIVE = [_service(n, STAY_AND_PLAY if n % 2 else BABY_BANK) for n in range(1, 6)]


def _mapping(tmp_path: Path) -> Path:
    mapping = tmp_path / "hub-terms.csv"
    mapping.write_text("term,category\nStay and play,youth-group\nbb,community-pantry\n")
    return mapping


def test_a_three_page_feed_is_imported_whole(
    session: Session, directory: Directory, tmp_path: Path
) -> None:
    directory.publish(FIVE, per_page=2)

    report = import_feed(
        session,
        FeedPlan(directory.url, mapping=_mapping(tmp_path)),
        EXTENT,
        FeedSettings(),
    )

    assert directory.pages_asked() == ["1", "2", "3"]
    assert (report.inserted, report.rejected) == (5, 0)
    rows = session.execute(
        text(
            "SELECT a.name, a.kind, c.slug, a.source, a.source_ref, a.postcode, a.schedule "
            "FROM asset a JOIN category c ON c.id = a.category_id ORDER BY a.name"
        )
    ).all()
    assert [row.slug for row in rows] == [
        "youth-group",
        "community-pantry",
        "youth-group",
        "community-pantry",
        "youth-group",
    ]
    assert {row.kind for row in rows} == {"association", "institution"}
    assert {row.source for row in rows} == {f"oruk:{directory.url.split('/')[2]}"}
    assert rows[0].source_ref == FIVE[0]["id"]
    assert rows[0].schedule["weekly"] == [
        {"days": ["MO", "WE"], "opens": "09:30", "closes": "11:30"}
    ]


@pytest.mark.parametrize(
    "broken",
    [
        Answer({"detail": "boom"}, status=500),
        Answer(b'{"total_items": 5, "contents": [{"id": "x", "na'),
        Answer({"total_items": 5, "total_pages": 3, "page_number": 1, "contents": []}),
    ],
    ids=["a server error", "a page cut off", "a page that loops"],
)
def test_a_feed_whose_second_page_fails_writes_nothing(
    session: Session, directory: Directory, broken: Answer
) -> None:
    directory.publish(FIVE, per_page=2)
    if broken.status == 200 and isinstance(broken.body, dict):
        broken.body["contents"] = directory.pages[1].body["contents"]
    directory.pages[2] = broken
    before = count_assets(session)

    with pytest.raises(FeedError) as refused:
        import_feed(session, FeedPlan(directory.url), EXTENT, FeedSettings())

    assert "page 2" in str(refused.value)
    assert count_assets(session) == before
    assert session.execute(text("SELECT count(*) FROM feed_import")).scalar_one() == 0
