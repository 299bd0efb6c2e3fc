"""A community builder knows the postcode, not the spot: typing "m32 0jt" in the search
centres the map on it and says where that is; typed in the asset form, it places the new
asset there, unless they clicked the spot themselves."""

from __future__ import annotations

import csv

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import MODERATOR, Watched
from tests.browser.test_page import _find, _open, _pixel, _zoom_to, sign_in
from tests.conftest import data_path


def _lookup(postcode: str) -> tuple[float, float]:
    """Where the ONS Postcode Directory extract the demo loads puts `postcode` (lon, lat)."""
    with data_path("postcodes.csv").open(newline="", encoding="utf-8") as rows:
        row = next(row for row in csv.DictReader(rows) if row["postcode"] == postcode)
    return float(row["lon"]), float(row["lat"])


def _centre(page: Page) -> tuple[float, float]:
    centre = page.evaluate("() => assetMap.map.getCenter()")
    return centre["lng"], centre["lat"]


def test_a_postcode_typed_in_the_search_centres_the_map_on_it(
    desktop: Watched, browser_server: str
) -> None:
    page = _open(desktop, browser_server)
    published = len(httpx.get(f"{browser_server}/assets?limit=10000").json()["features"])
    lon, lat = _lookup("M32 0JT")

    page.get_by_label("Search").fill("m32 0jt")
    status = page.locator("#status")
    expect(status).to_contain_text(
        "Found M32 0JT (Trafford 003C, Gorse Hill & Cornbrook): the map is centred there."
    )
    centre = _centre(page)
    assert abs(centre[0] - lon) < 1e-5 and abs(centre[1] - lat) < 1e-5
    assert page.evaluate("() => assetMap.map.getZoom()") == 16
    # a postcode is no asset's name: every asset stays on the map
    expect(page.locator("body")).to_have_attribute("data-assets", str(published))
    desktop.screenshot("page-postcode-found")

    page.get_by_label("Search").fill("M32 9ZZ")
    expect(status).to_have_text(
        "Postcode M32 9ZZ not found in the lookup: searched the names instead. 0 assets shown"
    )
    page.get_by_label("Search").fill("Stretford")
    named = httpx.get(f"{browser_server}/assets", params={"q": "Stretford", "limit": 10000})
    found = str(len(named.json()["features"]))
    expect(page.locator("body")).to_have_attribute("data-assets", found)
    assert [p for p in desktop.problems if "404" not in p] == []  # M32 9ZZ's


def test_a_postcode_in_the_form_places_the_new_asset_unless_the_spot_was_clicked(
    desktop: Watched, browser_server: str
) -> None:
    page = _open(desktop, browser_server)
    sign_in(page, MODERATOR)
    lon, lat = _lookup("M41 0TZ")

    page.get_by_role("button", name="Add an asset at the map's centre").click()
    page.get_by_label("Name").fill("Urmston repair cafe")
    page.get_by_label("Kind", exact=True).last.select_option("association")
    page.get_by_label("Postcode").fill("m41 0tz")
    expect(page.locator("#postcode-where")).to_have_text("Placed on the map at M41 0TZ.")
    expect(page.locator("#form-where")).to_contain_text("placed by its postcode M41 0TZ")
    desktop.screenshot("page-placed-by-postcode")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#details:not([hidden])")
    (placed,) = _find(browser_server, "Urmston repair cafe")
    assert placed["geometry"]["coordinates"] == [lon, lat]
    assert placed["properties"]["postcode"] == "M41 0TZ"

    # clicked first: the postcode does not move it
    spot = (-2.3572, 53.4491)
    _zoom_to(page, *spot)
    page.mouse.click(*_pixel(page, *spot))
    page.get_by_label("Name").fill("Urmston book swap")
    page.get_by_label("Kind", exact=True).last.select_option("association")
    page.get_by_label("Postcode").fill("M41 0TZ")
    expect(page.locator("#postcode-where")).to_have_text("It stays where you clicked the map.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#details:not([hidden])")
    (clicked,) = _find(browser_server, "Urmston book swap")
    there = clicked["geometry"]["coordinates"]
    assert abs(there[0] - spot[0]) < 1e-4 and abs(there[1] - spot[1]) < 1e-4
    assert desktop.problems == []
