"""A partnership opens the brief of its latest snapshot, or of an earlier one, as a page built
for print: nothing to fetch and no script, what people typed escaped, every earlier
snapshot's brief a link away. (Printed to PDF through Chromium: tests/browser/test_brief.py.)"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.models import AreaSnapshot
from tests.conftest import asset_feature, bearer

TRAFFORD = "E08000009"
MARKUP = '<script>alert("x")</script> Hall & <b>Co</b>'


@pytest.fixture
def moderator(demo_session: Session) -> dict[str, str]:
    return bearer(demo_session, "br@example.org", "moderator", (TRAFFORD,))


def _take(demo_client: TestClient, headers: dict[str, str], code: str = TRAFFORD) -> int:
    taken = demo_client.post(f"/areas/{code}/snapshots", headers=headers)
    assert taken.status_code == 201, taken.text
    snapshot_id: int = taken.json()["id"]
    return snapshot_id


def _brief(demo_client: TestClient, query: str = "", code: str = TRAFFORD) -> str:
    answer = demo_client.get(f"/areas/{code}/brief{query}")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    return answer.text


def _fetches_nothing(page: str) -> None:
    """No script, and nothing from anywhere: no linked file, image, frame or import."""
    assert "<script" not in page.lower()
    assert re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", page, re.IGNORECASE) is None
    assert "http://" not in page and "https://" not in page
    assert re.search(r"url\((?!#)", page) is None
    assert "@import" not in page
    assert re.search(r"<(link|img|iframe|object|embed)\b(?![^>]*rel=\"icon\")", page) is None


def test_there_is_no_brief_before_a_snapshot_nor_of_an_unknown_one(
    demo_client: TestClient, moderator: dict[str, str]
) -> None:
    before = demo_client.get(f"/areas/{TRAFFORD}/brief")
    unknown_area = demo_client.get("/areas/E99999999/brief")
    lsoa = _take(demo_client, moderator, "E01006108")
    unknown = demo_client.get(f"/areas/{TRAFFORD}/brief?snapshot=999999")
    of_another_area = demo_client.get(f"/areas/{TRAFFORD}/brief?snapshot={lsoa}")
    bad = demo_client.get(f"/areas/{TRAFFORD}/brief?snapshot=first")

    assert before.status_code == 404
    detail = before.json()["detail"]
    assert f"POST /areas/{TRAFFORD}/snapshots" in detail
    assert f"assetmap snapshots take {TRAFFORD}" in detail
    assert unknown_area.status_code == 404
    assert unknown.status_code == 404 and "snapshot 999999" in unknown.json()["detail"]
    assert of_another_area.status_code == 404
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "snapshot"


def test_the_brief_escapes_what_people_typed_and_links_the_earlier_briefs(
    demo_client: TestClient, moderator: dict[str, str]
) -> None:
    first = _take(demo_client, moderator)
    gp = demo_client.get("/assets?category=gp-practice&limit=1").json()["features"][0]
    lon, lat = gp["geometry"]["coordinates"]
    demo_client.post(
        "/assets", json=asset_feature(lon + 0.002, lat, name=MARKUP), headers=moderator
    ).raise_for_status()
    second = _take(demo_client, moderator)

    latest = _brief(demo_client)
    earlier = _brief(demo_client, f"?snapshot={first}")

    _fetches_nothing(latest)
    _fetches_nothing(earlier)
    assert MARKUP not in latest
    assert str(escape(MARKUP)) in latest
    assert f"Snapshot {second} of Trafford, taken" in latest
    assert f"What changed since snapshot {first}" in latest
    assert f'href="/areas/{TRAFFORD}/brief?snapshot={first}"' in latest
    assert f'href="/areas/{TRAFFORD}/brief?snapshot={second}"' in earlier
    assert f"Snapshot {first} of Trafford, taken" in earlier
    assert "This is the first snapshot of Trafford" in earlier
    assert "break-before: page" in latest  # a page each, printed
    assert latest.count('role="img"') >= 4  # two maps, the charts, each with its alternative
    assert latest.count("<title id=") == latest.count('role="img"')


def test_decisions_the_assessment_and_innovations_read_as_the_snapshot_holds_them(
    demo_client: TestClient, moderator: dict[str, str], demo_session: Session
) -> None:
    taken = demo_session.get(AreaSnapshot, _take(demo_client, moderator))
    assert taken is not None
    figures: dict[str, Any] = copy.deepcopy(taken.figures)
    figures["decisions"] = [
        {
            "round": 7,
            "question": "Which gap first? <i>now</i>",
            "closed_at": "2026-11-20T17:00:00+00:00",
            "chosen": "A GP outreach session in Partington",
            "ballots": 31,
            "record": "/rounds/7/record",
        }
    ]
    figures["assessment"] = {
        "assessment": 3,
        "title": "Autumn self-assessment",
        "combined": {"equal_say": 2.25, "devolved_processes": 3.5},
        "next_area": {"slug": "equal_say", "name": "People with an equal say"},
        "characteristics": [
            {"slug": "equal_say", "name": "People with an equal say"},
            {"slug": "devolved_processes", "name": "Fast and devolved processes"},
        ],
    }
    figures["innovations"] = [
        {
            "id": 1,
            "name": "Tool library <3",
            "status": "published",
            "leaders": ["Partington Tenants"],
            "leaders_not_shown": 2,
        }
    ]
    crafted = AreaSnapshot(
        area_code=TRAFFORD, taken_at=taken.taken_at, taken_by="tests", figures=figures
    )
    demo_session.add(crafted)
    demo_session.flush()

    page = _brief(demo_client, f"?snapshot={crafted.id}")

    assert "Which gap first? &lt;i&gt;now&lt;/i&gt;" in page
    assert "chose &ldquo;A GP outreach session in Partington&rdquo; (31 ballots" in page
    assert "2.25 of 5" in page and "3.50 of 5" in page
    assert "<strong>People with an equal say</strong>" in page
    assert "Tool library &lt;3" in page and "2 more, not named without consent" in page


def test_a_place_with_no_people_or_assets_has_a_brief_that_says_so(
    demo_client: TestClient, demo_session: Session
) -> None:
    demo_session.execute(
        text(
            "INSERT INTO area (code, name, level, parent_code, geom) VALUES "
            "('E99000001', 'A field', 'lsoa', 'E08000009', "
            "ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(-2.47, 53.46), 4326), 0.0005)))"
        )
    )
    admin = bearer(demo_session, "adm@example.org", "admin")
    _take(demo_client, admin, "E99000001")

    page = _brief(demo_client, code="E99000001")

    _fetches_nothing(page)
    assert "No published assets lie inside A field" in page
    assert "No population figures are held for its neighbourhoods" in page


def test_the_locality_map_links_its_brief(demo_client: TestClient) -> None:
    page = demo_client.get(f"/maps/{TRAFFORD}").text

    assert f'href="/areas/{TRAFFORD}/brief"' in page and "Commissioning brief" in page
