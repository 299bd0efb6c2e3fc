"""A community builder in a church hall: opens the page on a laptop or a phone, taps where
the lunch club meets, types its name; moves a pin that is in the wrong place."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import MODERATOR, PASSWORD, Watched


def _open(watched: Watched, base: str) -> Page:
    page = watched.page
    page.goto(base + "/")
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    return page


def sign_in(page: Page, email: str) -> None:
    page.get_by_role("button", name="Sign in").click()
    page.locator("#s-email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("#sign-in-submit").click()
    page.wait_for_selector(f"#account-name:has-text('{email}')")


def _pixel(page: Page, lon: float, lat: float) -> tuple[float, float]:
    """Where (lon, lat) is on the screen."""
    point = page.evaluate(
        "([lat, lon]) => assetMap.map.latLngToContainerPoint([lat, lon])", [lat, lon]
    )
    box = page.locator("#map").bounding_box()
    assert box is not None
    return box["x"] + point["x"], box["y"] + point["y"]


def wait_for_view(page: Page) -> None:
    """Once the page has loaded what is in the map's view (it loads again as the map moves)."""
    page.wait_for_function(
        "() => document.body.dataset.view === assetMap.map.getBounds().toBBoxString()"
    )


def _zoom_to(page: Page, lon: float, lat: float, zoom: int = 18) -> None:
    page.evaluate(
        "([lat, lon, zoom]) => assetMap.map.setView([lat, lon], zoom, {animate: false})",
        [lat, lon, zoom],
    )
    wait_for_view(page)
    # The clusters split in an animation, during which markercluster marks the map's pane:
    # once it has ended, pins are where the test will click and drag.
    expect(page.locator(".leaflet-map-pane.leaflet-cluster-anim")).to_have_count(0)


def _find(base: str, name: str) -> list[dict[str, Any]]:
    features: list[dict[str, Any]] = httpx.get(
        base + "/assets", params={"q": name, "limit": 100}
    ).json()["features"]
    return [f for f in features if f["properties"]["name"] == name]


def _create(
    base: str,
    headers: dict[str, str],
    name: str,
    kind: str,
    where: tuple[float, float],
    **more: Any,
) -> dict[str, Any]:
    """An asset added through the API by an admin, behind the page's back."""
    created = httpx.post(
        base + "/assets",
        json={
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": list(where)},
            "properties": {"name": name, "kind": kind, **more},
        },
        headers=headers,
    )
    created.raise_for_status()
    body: dict[str, Any] = created.json()
    return body


def _fill_and_save(page: Page, name: str, kind: str, category: str) -> None:
    page.get_by_label("Name").fill(name)
    page.get_by_label("Kind", exact=True).last.select_option(kind)
    page.locator("#f-category").select_option(category)
    page.get_by_role("button", name="Save").click()


def test_the_page_loads_everything_from_the_service(
    desktop: Watched, phone: Watched, browser_server: str
) -> None:
    for watched, name in ((desktop, "page-desktop"), (phone, "page-phone")):
        page = _open(watched, browser_server)
        shown = int(page.get_attribute("body", "data-assets") or 0)
        published = len(httpx.get(browser_server + "/assets?limit=10000").json()["features"])
        assert shown == published > 500
        polygons = page.evaluate(
            "() => document.querySelectorAll('.leaflet-overlay-pane path').length"
        )
        assert polygons == 138  # the neighbourhood boundaries
        watched.screenshot(name)
        assert watched.problems == []


def test_a_new_asset_is_added_by_clicking_the_map(desktop: Watched, browser_server: str) -> None:
    page = _open(desktop, browser_server)
    sign_in(page, MODERATOR)  # who publishes in Trafford directly
    spot = (-2.3329, 53.4531)  # an empty spot in Stretford
    _zoom_to(page, *spot)
    page.mouse.click(*_pixel(page, *spot))
    page.wait_for_selector("#asset-form:not([hidden])")
    _fill_and_save(page, "Tuesday lunch club", "association", "lunch-club")
    page.wait_for_selector("#details:not([hidden])")
    desktop.screenshot("page-added")

    stored = _find(browser_server, "Tuesday lunch club")
    assert len(stored) == 1
    lon, lat = stored[0]["geometry"]["coordinates"]
    assert abs(lon - spot[0]) < 1e-4 and abs(lat - spot[1]) < 1e-4
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    _zoom_to(page, *spot)
    expect(page.locator('.leaflet-marker-icon[title="Tuesday lunch club"]')).to_have_count(1)
    assert desktop.problems == []


def test_a_validation_error_shows_by_its_field_and_saves_nothing(
    desktop: Watched, browser_server: str
) -> None:
    page = _open(desktop, browser_server)
    before = len(httpx.get(browser_server + "/assets?limit=10000").json()["features"])
    page.get_by_role("button", name="Add an asset at the map's centre").click()
    page.get_by_label("Name").fill("Knit and natter")
    page.get_by_label("Kind", exact=True).last.select_option("association")
    page.locator("#f-email").fill("not an email address")
    page.get_by_role("button", name="Save").click()

    error = page.locator("#error-email")
    error.wait_for()
    assert "email" in error.inner_text().lower()
    assert page.locator("#f-email").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Name").input_value() == "Knit and natter"  # nothing lost
    desktop.screenshot("page-validation-error")
    after = len(httpx.get(browser_server + "/assets?limit=10000").json()["features"])
    assert after == before


def test_an_asset_is_moved_by_dragging_it(
    desktop: Watched, browser_server: str, admin_headers: dict[str, str]
) -> None:
    start = (-2.3410, 53.4612)
    created = _create(browser_server, admin_headers, "Community garden", "physical", start)
    page = _open(desktop, browser_server)
    sign_in(page, MODERATOR)
    _zoom_to(page, *start)
    x, y = _pixel(page, *start)

    with page.expect_response(lambda r: r.request.method == "PATCH") as patched:
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + 60, y + 40, steps=8)
        page.mouse.up()
    assert patched.value.status == 200

    moved = httpx.get(f"{browser_server}/assets/{created['id']}").json()
    lon, lat = moved["geometry"]["coordinates"]
    assert lon > start[0] and lat < start[1]  # east and south, as dragged
    assert moved["properties"]["version"] == 2
    assert desktop.problems == []


def test_a_near_namesake_gets_the_same_place_warning(
    desktop: Watched, browser_server: str, admin_headers: dict[str, str]
) -> None:
    there = (-2.2989, 53.4405)
    _create(browser_server, admin_headers, "Old Trafford Youth Club", "association", there)
    page = _open(desktop, browser_server)
    sign_in(page, MODERATOR)
    _zoom_to(page, *there)
    x, y = _pixel(page, *there)
    page.mouse.click(x + 40, y + 30)  # a few tens of metres away
    page.wait_for_selector("#asset-form:not([hidden])")
    _fill_and_save(page, "Old Trafford youth club", "association", "youth-group")

    warning = page.locator("#duplicates")
    warning.wait_for()
    assert "Old Trafford Youth Club" in warning.inner_text()
    desktop.screenshot("page-duplicate-warning")
    assert len(_find(browser_server, "Old Trafford youth club")) == 0
    page.get_by_role("button", name="No, it is a different place: save").click()
    page.wait_for_selector("#details:not([hidden])")
    assert len(_find(browser_server, "Old Trafford youth club")) == 1


def test_filters_and_search_show_what_the_api_finds(desktop: Watched, browser_server: str) -> None:
    page = _open(desktop, browser_server)
    shown = page.locator("body")

    def found(query: str) -> int:
        """How many assets the API finds for `query`."""
        url = f"{browser_server}/assets?{query}&limit=10000"
        return len(httpx.get(url).json()["features"])

    groups, libraries = found("kind=association"), found("kind=association&q=library")
    # each step changes what is shown, so each expectation below waits for its own answer
    assert int(shown.get_attribute("data-assets") or 0) > groups > 100 and groups > libraries

    page.locator("#filter-kind").select_option("association")
    expect(shown).to_have_attribute("data-assets", str(groups))
    page.get_by_label("Search").fill("library")
    expect(shown).to_have_attribute("data-assets", str(libraries))
    assert desktop.problems == []


def test_an_edit_that_lost_a_race_says_so_and_offers_to_reload(
    desktop: Watched, browser_server: str, admin_headers: dict[str, str]
) -> None:
    where = (-2.3502, 53.4455)
    created = _create(browser_server, admin_headers, "Repair cafe", "association", where)
    page = _open(desktop, browser_server)
    sign_in(page, MODERATOR)
    _zoom_to(page, *where)
    page.locator('.leaflet-marker-icon[title="Repair cafe"]').click()
    page.get_by_role("button", name="Edit").click()
    # meanwhile, someone else renames it
    httpx.patch(
        f"{browser_server}/assets/{created['id']}",
        json={"properties": {"name": "Repair café"}},
        headers={"If-Match": f'"{created["id"]}-1"'} | admin_headers,
    ).raise_for_status()
    page.get_by_label("Opening hours").fill("Saturdays 10-12")
    page.get_by_role("button", name="Save").click()

    page.locator("#conflict").wait_for()
    desktop.screenshot("page-conflict")
    page.get_by_role("button", name="Reload it").click()
    page.wait_for_selector("#details:not([hidden])")
    assert page.locator("#details-name").inner_text() == "Repair café"
    stored = httpx.get(f"{browser_server}/assets/{created['id']}").json()
    assert stored["properties"]["opening_hours"] is None  # the stale edit was not saved
