"""A partnership opens the locality map before reading any table."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect
from sqlalchemy import text

from app.db import make_engine
from tests.browser.conftest import Watched
from tests.conftest import asset_feature

CLUSTERED = """() => Object.values(window)
    .filter((v) => v instanceof L.MarkerClusterGroup)
    .reduce((n, group) => n + group.getLayers().length, 0)"""


def _open_map(page: Page, url: str) -> None:
    """Open a map and wait until its script has put every asset on it."""
    page.goto(url)
    expect(page.locator("body[data-assets-loaded]")).to_have_count(1)


def test_the_locality_map_shows_every_published_asset_and_each_neighbourhood(
    desktop: Watched, browser_server: str
) -> None:
    page = desktop.page
    _open_map(page, browser_server + "/maps/E08000009")

    markers = page.evaluate(CLUSTERED)
    neighbourhoods = page.evaluate(
        """() => Object.values(window)
            .filter((v) => v instanceof L.GeoJSON)
            .map((layer) => layer.getLayers().length)"""
    )
    in_area = httpx.get(browser_server + "/areas/E08000009/assets?limit=10000").json()
    desktop.screenshot("locality-map")

    assert markers == len(in_area["features"]) > 500
    assert page.locator("body").get_attribute("data-assets-loaded") == str(markers)
    assert 138 in neighbourhoods  # one polygon per LSOA
    assert page.locator(".map-legend").count() == 2
    assert page.locator(".leaflet-control-layers").count() == 1
    assert desktop.problems == []


def test_the_gap_layer_shades_by_priority(desktop: Watched, browser_server: str) -> None:
    page = desktop.page
    _open_map(page, browser_server + "/maps/E08000009?layer=gaps&category=gp-practice")

    gps = page.evaluate(CLUSTERED)
    desktop.screenshot("locality-map-gaps")
    assert gps == 26
    assert "Within 1000 m of a matching asset" in page.locator(".map-legend").first.inner_text()
    assert desktop.problems == []


def test_a_popup_shows_an_asset_and_stale_ones_are_grey(
    desktop: Watched,
    browser_server: str,
    browser_database: str,
    admin_headers: dict[str, str],
) -> None:
    # a lone asset in Dunham Massey park, so no cluster hides its pin
    added = httpx.post(
        browser_server + "/assets",
        json=asset_feature(
            -2.4046,
            53.3807,
            name="Forgotten <b>bench</b> club",
            address="Moor Lane",
            contact={"phone": "0161 496 0000"},
        ),
        headers=admin_headers,
    )
    added.raise_for_status()
    engine = make_engine(browser_database, pool_size=1)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE asset SET created_at = now() - interval '2 years' WHERE id = :id"),
            {"id": added.json()["id"]},
        )
    engine.dispose()
    page = desktop.page
    try:
        _open_map(page, browser_server + "/maps/E08000009")
        page.evaluate(
            """() => Object.values(window).find((v) => v instanceof L.Map)
                .setView([53.3807, -2.4046], 18)"""
        )
        pin = page.locator('.leaflet-marker-icon[title="Forgotten <b>bench</b> club"]')
        expect(pin.locator(".asset-dot.stale")).to_have_count(1)
        pin.click()
        popup = page.locator(".leaflet-popup-content")
        expect(popup).to_contain_text("Forgotten <b>bench</b> club")  # text, not markup
        expect(popup).to_contain_text("Moor Lane")
        expect(popup).to_contain_text("phone: 0161 496 0000")
        expect(popup).to_contain_text("not confirmed for over a year")
        assert page.locator(".leaflet-popup-content b").count() == 0
        desktop.screenshot("locality-map-stale-popup")
        assert desktop.problems == []
    finally:
        httpx.delete(
            browser_server + f"/assets/{added.json()['id']}", headers=admin_headers
        ).raise_for_status()


def test_the_innovations_layer_shows_who_got_each_going(
    desktop: Watched, browser_server: str, admin_headers: dict[str, str]
) -> None:
    library = httpx.get(browser_server + "/assets?category=library&limit=1").json()["features"][0]
    made = httpx.post(
        browser_server + "/innovations",
        json={
            "name": "Reading buddies",
            "areas": ["E08000009"],
            "assets": [library["id"]],
            "leaders": [{"asset": library["id"]}],
            "levers": ["volunteering"],
            "status": "spreading",
        },
        headers=admin_headers,
    )
    made.raise_for_status()
    page = desktop.page
    try:
        _open_map(page, browser_server + "/maps/E08000009")
        expect(page.locator("body[data-innovations-loaded]")).to_have_count(1)
        lon, lat = library["geometry"]["coordinates"]
        page.evaluate(
            "([lat, lon]) => Object.values(window).find((v) => v instanceof L.Map)"
            ".setView([lat, lon], 18)",
            [lat, lon],
        )
        page.locator('.leaflet-marker-icon[title="Reading buddies"]').click()
        popup = page.locator(".leaflet-popup-content")
        expect(popup).to_contain_text("Reading buddies")
        expect(popup).to_contain_text(f"got going by: {library['properties']['name']}")
        expect(popup).to_contain_text("how: volunteering")
        assert desktop.problems == []
    finally:
        archived = {"review": "archived"}
        httpx.patch(
            browser_server + f"/innovations/{made.json()['id']}",
            json=archived,
            headers=admin_headers,
        ).raise_for_status()
