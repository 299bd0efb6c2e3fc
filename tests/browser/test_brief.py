"""A partnership prints its commissioning brief for Trafford: a snapshot, a round of edits
(a GP practice where none was near, a change, a verification, an archive, a person who has
not agreed to be named), a second snapshot, then `assetmap brief` prints it to PDF through
Chromium. The PDF's text holds the headline figures, and they are the API's; its first page
is kept as a PNG for a person to look at.

On a database of its own: snapshots are never removed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect
from shapely.geometry import shape
from sqlalchemy.orm import Session

from app.auth import accounts
from app.db import make_engine
from app.settings import PROJECT_ROOT, AuthSettings
from tests.browser.conftest import ARTIFACTS
from tests.conftest import asset_feature, demo_database, drop_database, serving

TRAFFORD = "E08000009"
# Who has not agreed to be named: the brief must never print them.
UNNAMED = "Maria Unconsented's sewing skills"
MINUS = "\N{MINUS SIGN}"  # as the brief prints a fall


@pytest.fixture(scope="module")
def brief_database(base_url: str) -> Iterator[dict[str, str]]:
    """The demo locality with a moderator of Trafford; what the tests add is committed."""
    url = demo_database(base_url, "assetmap_brief")
    engine = make_engine(url, pool_size=1)
    with Session(engine) as session, session.begin():
        user_id, _ = accounts.create_user(session, "brief@example.org", "moderator", [TRAFFORD])
        token = accounts.issue_token(session, user_id, "api", AuthSettings(), "tests").token
    engine.dispose()
    yield {"url": url, "token": token}
    drop_database(url)


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=os.environ | {"DATABASE_URL": url},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    return done


def _take(url: str) -> int:
    taken = _cli(url, "snapshots", "take", TRAFFORD)
    assert taken.returncode == 0, taken.stderr
    return int(taken.stdout.strip().splitlines()[-1])


def _edits(api: httpx.Client) -> dict[str, Any]:
    """A round of edits between the snapshots, as a community builder makes them."""
    worst = api.get(f"/gaps?within={TRAFFORD}&category=gp-practice").json()["areas"][0]
    inside = shape(api.get(f"/areas/{worst['code']}").json()["geometry"]).representative_point()
    made = api.post(
        "/assets",
        json=asset_feature(
            inside.x,
            inside.y,
            name="Partington Health Centre",
            kind="institution",
            category="gp-practice",
        ),
    )
    made.raise_for_status()
    libraries = api.get("/assets?category=library&limit=3").json()["features"]
    changed, verified, archived = (f["id"] for f in libraries)
    api.patch(f"/assets/{changed}", json={"properties": {"cost": "Free"}}).raise_for_status()
    api.post(f"/assets/{verified}/verify").raise_for_status()
    api.delete(f"/assets/{archived}").raise_for_status()
    person = asset_feature(
        inside.x + 0.001, inside.y, name=UNNAMED, kind="individual", category="skill"
    )
    api.post("/assets", json=person).raise_for_status()
    return {"new_gp": made.json()["id"], "changed": changed}


def _words(pdf: Path) -> str:
    """The PDF's text as pdftotext lays it out, with every run of spaces and line breaks
    as one space (a phrase may wrap)."""
    laid_out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(laid_out.split())


def _share(value: float) -> str:
    return f"{value * 100:.1f}%"


def _people(value: float) -> str:
    return f"{round(value):,}"


def test_the_printed_brief_holds_the_api_figures_and_no_unconsented_name(
    brief_database: dict[str, str], tmp_path: Path
) -> None:
    url = brief_database["url"]
    first = _take(url)
    with serving(url) as base:
        api = httpx.Client(
            base_url=base,
            headers={"Authorization": f"Bearer {brief_database['token']}"},
            timeout=60,
        )
        edits = _edits(api)
        second = _take(url)
        printed = _cli(url, "brief", TRAFFORD, "--output", str(tmp_path / "brief.pdf"))
        snapshot = api.get(f"/areas/{TRAFFORD}/snapshots/{second}").json()
        change = api.get(f"/areas/{TRAFFORD}/changes?since={first}&until={second}").json()

    assert printed.returncode == 0, printed.stderr
    words = _words(tmp_path / "brief.pdf")
    figures = snapshot["figures"]
    gp = next(q for q in figures["questions"] if q["category"] == "gp-practice")
    gp_change = next(q for q in change["questions"] if q["category"] == "gp-practice")
    assert f"Snapshot {second} of Trafford, taken" in words
    assert f"{_people(figures['assets']['total'])} published assets lie inside Trafford" in words
    # one of the three gaps (only three questions have assets in the demo), in plain words
    deprived = sum(gp["summary"]["uncovered_by_imd_decile"][d] for d in ("1", "2"))
    assert (
        f"{gp['label']}: {_people(deprived)} people in the most deprived neighbourhoods "
        f"(IMD deciles 1 and 2) are out of reach, and "
        f"{_people(gp['summary']['population_uncovered'])} in all; "
        f"{_share(gp['summary']['share_covered'])} of people are within reach" in words
    )
    # the change since the first snapshot, as the changes API gives it
    assert f"What changed since snapshot {first}" in words
    assert (
        f"{gp['label']}: {_share(gp_change['before']['share_covered'])} → "
        f"{_share(gp_change['after']['share_covered'])} of people within reach" in words
    )
    fewer = gp_change["change"]["population_uncovered"]
    assert fewer < 0
    assert f"people out of reach ({MINUS}{_people(-fewer)})" in words
    assert "1 published (Partington Health Centre)" in words
    assert [a["id"] for a in change["assets"]["published"]] == [edits["new_gp"]]
    assert "1 archived" in words and "1 verified as still there" in words
    assert UNNAMED not in words and "Unconsented" not in words
    assert change["assets"]["not_shown"] == 1
    assert "1 more change concerns a person not named without their consent" in words

    ARTIFACTS.mkdir(exist_ok=True)
    png, pages = ARTIFACTS / "brief-first-page", [str(tmp_path / "brief.pdf")]
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", *pages, str(png)],
        check=True,
    )
    print(f"the brief's first page: {png}.png")
    assert (ARTIFACTS / "brief-first-page.png").stat().st_size > 10_000


def test_the_map_and_the_page_link_to_the_brief(
    brief_database: dict[str, str], browser: Browser
) -> None:
    with serving(brief_database["url"]) as base:
        context = browser.new_context()
        page = context.new_page()
        page.goto(base + f"/maps/{TRAFFORD}")
        from_map = page.get_by_role("link", name="Commissioning brief")
        expect(from_map).to_have_attribute("href", f"/areas/{TRAFFORD}/brief")
        page.goto(base + "/")
        from_page = page.get_by_role("link", name="Brief: Trafford")
        expect(from_page).to_have_attribute("href", f"/areas/{TRAFFORD}/brief")
        context.close()


def test_an_unknown_area_or_snapshot_is_an_error(
    brief_database: dict[str, str], tmp_path: Path
) -> None:
    url, never = brief_database["url"], str(tmp_path / "never.pdf")
    unknown_area = _cli(url, "brief", "E99999999", "--output", never)
    unknown_snapshot = _cli(url, "brief", TRAFFORD, "--snapshot", "999999", "--output", never)

    assert unknown_area.returncode == 1 and "area E99999999 not found" in unknown_area.stderr
    assert unknown_snapshot.returncode == 1
    assert f"snapshot 999999 of area {TRAFFORD} not found" in unknown_snapshot.stderr
    assert not Path(never).exists()
