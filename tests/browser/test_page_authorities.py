"""A partnership with two local authorities on one service, over ten thousand assets in
all: the page opens on one authority, loads what is on screen as the map moves (saying
when a view holds more than it loads at once), offers a chooser when none is named, and
offers an authority's own categories only there."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.auth import accounts
from app.db import make_engine
from tests.api.two_authorities import MANCHESTER, TRAFFORD, add_second_authority
from tests.browser.axe import blocking
from tests.browser.conftest import PASSWORD, Watched
from tests.browser.test_page import sign_in, wait_for_view
from tests.conftest import demo_database, drop_database, serving

ADMIN = "root@example.org"
# Manchester's own category, added by its admin through the API
FRIDGE = {"slug": "community-fridge", "name": "Community fridge", "kind": "association"}
# a grid of clubs in Stretford, inside Trafford, and one over the east of Manchester's
# square (-2.20..-2.10, 53.40..53.50), beyond the page's view of Trafford: 3,000 + 7,500,
# beside the demo's own
IN_TRAFFORD = 3000
IN_MANCHESTER = 7500
CLUBS = """
INSERT INTO asset (name, kind, geom)
SELECT :prefix || n, 'association',
       ST_SetSRID(ST_MakePoint(:lon + (n % :across) * :step_lon,
                               :lat + (n / :across) * :step_lat), 4326)
FROM generate_series(1, :n) AS n
"""


@pytest.fixture(scope="module")
def two_authorities_server(base_url: str) -> Iterator[str]:
    url = demo_database(base_url, "assetmap_page_authorities")
    engine = make_engine(url, pool_size=1)
    with Session(engine) as session, session.begin():
        add_second_authority(session)
        accounts.create_user(session, ADMIN, "admin", [], PASSWORD)
        clubs = {"across": 60, "step_lon": 0.0005, "step_lat": 0.0004}
        session.execute(
            text(CLUBS),
            {"prefix": "Stretford club ", "lon": -2.33, "lat": 53.43, "n": IN_TRAFFORD} | clubs,
        )
        clubs = {"across": 100, "step_lon": 0.00038, "step_lat": 0.0012}
        session.execute(
            text(CLUBS),
            {"prefix": "Manchester club ", "lon": -2.139, "lat": 53.405, "n": IN_MANCHESTER}
            | clubs,
        )
    engine.dispose()
    try:
        with serving(url) as base:
            yield base
    finally:
        drop_database(url)


def _ids_in(base: str, bbox: str) -> set[int]:
    """The published assets the API finds in `bbox`, every page of them."""
    found: set[int] = set()
    address: str | None = f"{base}/assets?bbox={bbox}&limit=10000"
    while address:
        page = httpx.get(address, timeout=60).json()
        found |= {feature["id"] for feature in page["features"]}
        address = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
    return found


def _open(watched: Watched, address: str) -> Page:
    page = watched.page
    page.goto(address)
    page.wait_for_selector("body[data-ready=true]", timeout=60_000)
    return page


def _view(page: Page) -> str:
    bbox: str = page.evaluate("() => assetMap.map.getBounds().toBBoxString()")
    return bbox


def _markers_in_view(page: Page) -> set[int]:
    """The assets the page has on its map (in clusters or alone) inside the view."""
    ids: list[int] = page.evaluate(
        """() => {
          const view = assetMap.map.getBounds();
          return assetMap.cluster.getLayers()
            .filter((marker) => view.contains(marker.getLatLng()))
            .map((marker) => marker.feature.id);
        }"""
    )
    return set(ids)


def _categories_offered(page: Page) -> list[str]:
    values: list[str] = page.eval_on_selector_all(
        "#filter-category option", "options => options.map(o => o.value)"
    )
    return values


def _move(page: Page, lon: float, lat: float, zoom: int) -> None:
    page.evaluate(
        "([lat, lon, zoom]) => assetMap.map.setView([lat, lon], zoom, {animate: false})",
        [lat, lon, zoom],
    )
    wait_for_view(page)


def test_the_page_opens_on_one_authority_and_loads_each_view_as_the_map_moves(
    desktop: Watched, two_authorities_server: str
) -> None:
    base = two_authorities_server
    everything = httpx.get(f"{base}/assets?limit=10000", timeout=60).json()
    assert any(link["rel"] == "next" for link in everything["links"])  # over 10,000 in all

    page = _open(desktop, f"{base}/?within={TRAFFORD}")
    expect(page.locator("#authority")).to_have_value(TRAFFORD)
    trafford_view = _view(page)
    in_view = _ids_in(base, trafford_view)
    assert len(in_view) > IN_TRAFFORD and not any(
        f["properties"]["name"].startswith("Manchester club")
        for f in everything["features"]
        if f["id"] in in_view
    )
    assert _markers_in_view(page) == in_view
    expect(page.locator("#status")).to_have_text(f"{len(in_view)} assets shown")
    assert "Manchester club 1" not in page.locator("body").inner_text()
    assert "community-fridge" not in _categories_offered(page)
    desktop.screenshot("authorities-trafford")

    # over Manchester's whole square there are more than the page loads at once: it says so
    _move(page, -2.15, 53.45, 13)
    over_manchester = _ids_in(base, _view(page))
    loaded = _markers_in_view(page)
    assert loaded < over_manchester and len(loaded) > 1000  # a part, and said to be
    expect(page.locator("#status")).to_contain_text("zoom in to see them all")
    # what was loaded in Trafford is still there, out of view
    on_the_map: list[int] = page.evaluate("() => [...assetMap.markers.keys()]")
    assert in_view - over_manchester <= set(on_the_map)

    # zoomed in on a corner of it, every asset there is loaded, in clusters until a
    # street's zoom, each cluster named by how many it holds
    _move(page, -2.12, 53.475, 15)
    corner = _ids_in(base, _view(page))
    assert 100 < len(corner) < IN_MANCHESTER
    assert _markers_in_view(page) == corner
    expect(page.locator("#status")).not_to_contain_text("zoom in")
    expect(page.locator(".marker-cluster[aria-label$=' assets']").first).to_be_visible()
    desktop.screenshot("authorities-manchester-corner")
    assert page.url.endswith(f"/?within={TRAFFORD}")  # the page is still on Trafford

    # zoomed out to the whole world (a view past the poles), it asks for what is in range
    _move(page, 0, 0, 1)
    expect(page.locator("#status")).to_contain_text("zoom in to see them all")
    expect(page.locator("#status")).not_to_contain_text("could not be loaded")
    assert desktop.problems == []


def test_with_no_authority_named_the_page_offers_a_choice(
    audited_desktop: Watched, two_authorities_server: str
) -> None:
    desktop = audited_desktop
    page = _open(desktop, two_authorities_server + "/")

    chooser = page.get_by_role("region", name="Choose a local authority")
    expect(chooser).to_be_visible()
    names = chooser.get_by_role("link").all_inner_texts()
    assert sorted(names) == sorted(
        a["name"] for a in httpx.get(two_authorities_server + "/authorities").json()
    )
    assert len(names) == 2
    desktop.screenshot("authorities-chooser")
    found = blocking(page, "the chooser")
    chooser.get_by_role("link", name="Manchester (a square for the tests)").click()
    page.wait_for_url(f"**/?within={MANCHESTER}")
    page.wait_for_selector("body[data-ready=true]", timeout=60_000)
    expect(page.get_by_role("combobox", name="Local authority")).to_have_value(MANCHESTER)
    expect(page.get_by_role("region", name="Choose a local authority")).to_be_hidden()
    found += blocking(page, "the page on an authority, with the list of others")
    assert found == []

    # the header's list takes the page to the other authority, kept in the address
    page.get_by_role("combobox", name="Local authority").select_option(TRAFFORD)
    page.wait_for_url(f"**/?within={TRAFFORD}")
    page.wait_for_selector("body[data-ready=true]", timeout=60_000)
    assert desktop.problems == []


def test_an_authoritys_own_category_is_offered_only_on_its_page_and_admins_find_people(
    desktop: Watched, two_authorities_server: str
) -> None:
    base = two_authorities_server
    page = _open(desktop, f"{base}/?within={TRAFFORD}")
    sign_in(page, ADMIN)
    wait_for_view(page)  # the panel narrowed the map: nothing is loading when it reloads
    expect(page.get_by_role("link", name="People")).to_have_attribute("href", "/people")
    token = page.evaluate("() => sessionStorage.getItem('assetmap.token')")
    headers: dict[str, Any] = {"Authorization": f"Bearer {token}"}
    added = httpx.post(f"{base}/authorities/{MANCHESTER}/categories", json=FRIDGE, headers=headers)
    assert added.status_code in (201, 409), added.text  # 409: an earlier run's, same database

    page.reload()
    page.wait_for_selector("body[data-ready=true]", timeout=60_000)
    assert "community-fridge" not in _categories_offered(page)

    page = _open(desktop, f"{base}/?within={MANCHESTER}")
    assert "community-fridge" in _categories_offered(page)
    page.get_by_role("button", name="Add an asset at the map's centre").click()
    page.get_by_label("Kind", exact=True).last.select_option("association")
    expect(page.locator("#f-category option[value='community-fridge']")).to_have_count(1)
    assert desktop.problems == []
