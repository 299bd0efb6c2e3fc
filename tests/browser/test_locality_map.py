"""A partnership opens the locality map before reading any table."""

from __future__ import annotations

import httpx

from tests.browser.conftest import Watched


def test_the_locality_map_shows_every_published_asset_and_each_neighbourhood(
    desktop: Watched, browser_server: str
) -> None:
    page = desktop.page
    page.goto(browser_server + "/maps/E08000009")
    page.wait_for_load_state("load")

    markers = page.evaluate(
        """() => Object.values(window)
            .filter((v) => v instanceof L.MarkerClusterGroup)
            .reduce((n, group) => n + group.getLayers().length, 0)"""
    )
    neighbourhoods = page.evaluate(
        """() => Object.values(window)
            .filter((v) => v instanceof L.GeoJSON)
            .map((layer) => layer.getLayers().length)"""
    )
    in_area = httpx.get(browser_server + "/areas/E08000009/assets?limit=10000").json()
    desktop.screenshot("locality-map")

    assert markers == len(in_area["features"]) > 500
    assert 138 in neighbourhoods  # one polygon per LSOA
    assert page.locator(".map-legend").count() == 2
    assert page.locator(".leaflet-control-layers").count() == 1
    assert desktop.problems == []


def test_the_gap_layer_shades_by_priority(desktop: Watched, browser_server: str) -> None:
    page = desktop.page
    page.goto(browser_server + "/maps/E08000009?layer=gaps&category=gp-practice")
    page.wait_for_load_state("load")

    gps = page.evaluate(
        """() => Object.values(window)
            .filter((v) => v instanceof L.MarkerClusterGroup)
            .reduce((n, group) => n + group.getLayers().length, 0)"""
    )
    desktop.screenshot("locality-map-gaps")
    assert gps == 26
    assert "Within 1000 m of a matching asset" in page.locator(".map-legend").first.inner_text()
    assert desktop.problems == []
