"""Everyone in the room can use the maps: a community builder who hears the page through a
screen reader, a volunteer who uses only the keyboard, a resident on a small phone. axe-core
audits every page in Chromium, in the states people bring it to, and finds no serious or
critical failure of WCAG 2.2 AA; and a builder with only a keyboard signs in, adds an asset
at the map's centre, moves it with the arrow keys and opens a marker's details."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import Page, expect
from pyproj import Geod

from tests.browser.axe import blocking
from tests.browser.conftest import MODERATOR, PASSWORD, Watched
from tests.browser.test_equal_say import PRACTITIONERS, RESIDENTS, _invites, _round
from tests.browser.test_page import _create, _find, _open, _zoom_to, sign_in, wait_for_view
from tests.browser.test_scanning_day import (
    _join,
    _open_page,
    _open_session,
    _sign_in_to_facilitate,
)

TRAFFORD = "E08000009"
STRETFORD_LIBRARY = (-2.3172, 53.4453)


def _moderator(base: str) -> dict[str, str]:
    """The moderator of Trafford's headers, signed in with a password."""
    signed_in = httpx.post(f"{base}/auth/token", data={"username": MODERATOR, "password": PASSWORD})
    signed_in.raise_for_status()
    return {"Authorization": f"Bearer {signed_in.json()['access_token']}"}


def test_the_community_page_passes_axe_in_every_state_on_a_laptop(
    audited_desktop: Watched, browser_server: str, admin_headers: dict[str, str]
) -> None:
    _create(browser_server, admin_headers, "Axe test lunch club", "association", STRETFORD_LIBRARY)
    page = _open(audited_desktop, browser_server)
    found = blocking(page, "the page")

    page.get_by_role("button", name="Add an asset at the map's centre").click()
    page.get_by_role("button", name="Save").click()  # nothing typed: the API names the fields
    expect(page.locator("#error-name")).not_to_be_empty()
    found += blocking(page, "the form, refused")
    page.get_by_role("button", name="Cancel").click()

    sign_in(page, MODERATOR)
    _zoom_to(page, *STRETFORD_LIBRARY)
    page.locator('.leaflet-marker-icon[title="Axe test lunch club"]').click()
    expect(page.locator("#details-name")).to_have_text("Axe test lunch club")
    page.locator("#link-add summary").click()
    found += blocking(page, "an asset's details, adding a link")
    page.get_by_role("button", name="Move it with the arrow keys").click()
    found += blocking(page, "moving an asset")
    page.get_by_role("button", name="Put it back").click()
    page.get_by_role("button", name="Review queue").click()
    page.locator("#queue").wait_for()
    found += blocking(page, "the review queue")
    page.get_by_role("button", name="Embed this map").click()
    expect(page.get_by_role("dialog", name="Embed this map")).to_be_visible()
    found += blocking(page, "the embed dialog")

    assert found == []
    assert [p for p in audited_desktop.problems if "422" not in p] == []  # the refused form


def test_the_community_page_passes_axe_on_a_phone(
    audited_phone: Watched, browser_server: str
) -> None:
    page = _open(audited_phone, browser_server)
    found = blocking(page, "the page on a phone")
    page.get_by_role("button", name="Filters").click()
    found += blocking(page, "the phone's filters")
    page.get_by_role("button", name="Filters").click()
    page.touchscreen.tap(195, 400)
    expect(page.locator("#asset-form")).to_be_visible()
    found += blocking(page, "the phone's form")

    assert found == []
    assert audited_phone.problems == []


def test_the_locality_map_and_the_embedded_map_pass_axe(
    audited_desktop: Watched, browser_server: str
) -> None:
    page = audited_desktop.page
    page.goto(f"{browser_server}/maps/{TRAFFORD}")
    page.wait_for_selector("body[data-assets-loaded]", timeout=30_000)
    found = blocking(page, "the locality map")
    page.goto(f"{browser_server}/embed?within={TRAFFORD}&kind=association")
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    found += blocking(page, "the embedded map")

    assert found == []
    assert audited_desktop.problems == []


def test_a_scanning_days_pages_pass_axe(
    audited_desktop: Watched, audited_phone: Watched, browser_server: str
) -> None:
    opened = _open_session(browser_server, "Sale scanning day")
    facilitator = _open_page(audited_desktop, f"{browser_server}/sessions/{opened['id']}")
    _sign_in_to_facilitate(facilitator)
    found = blocking(facilitator, "the facilitator's session")
    joining = _open_page(audited_phone, opened["join_url"])
    found += blocking(joining, "joining a session")
    _join(joining, "Sam", consent=True)
    found += blocking(joining, "in the session's room")

    assert found == []
    assert audited_desktop.problems == [] and audited_phone.problems == []


def test_a_ballot_its_results_and_the_brief_pass_axe(
    audited_desktop: Watched, audited_phone: Watched, browser_server: str
) -> None:
    runner = _moderator(browser_server)
    made = _round(browser_server, runner)
    (resident,) = _invites(browser_server, runner, made, RESIDENTS, 1)
    _invites(browser_server, runner, made, PRACTITIONERS, 1)
    ballot = _open_page(audited_phone, resident["link"])
    found = blocking(ballot, "a ballot on a phone")
    with ballot.expect_response(lambda r: r.url.endswith("/ballot")) as cast:
        ballot.get_by_role("button", name="Cast my ballot").click()
    assert cast.value.status == 201
    found += blocking(ballot, "a ballot cast")
    httpx.post(f"{browser_server}/rounds/{made['id']}/close", headers=runner).raise_for_status()
    page = audited_desktop.page
    for path, where in (
        (f"/rounds/{made['id']}/results?f=html", "a round's results"),
        (f"/rounds/{made['id']}/record?f=html", "a round's record"),
    ):
        page.goto(browser_server + path)
        page.wait_for_selector("body[data-ready=true]", timeout=30_000)
        found += blocking(page, where)
    taken = httpx.post(f"{browser_server}/areas/{TRAFFORD}/snapshots", headers=runner, timeout=120)
    assert taken.status_code == 201, taken.text
    page.goto(f"{browser_server}/areas/{TRAFFORD}/brief")
    expect(page.locator("h1")).to_have_text("Trafford")
    found += blocking(page, "the brief")

    assert found == []
    assert audited_desktop.problems == [] and audited_phone.problems == []


def _focused(page: Page) -> dict[str, Any]:
    """What has the focus: its id, role and accessible name as a screen reader would say it
    (aria-label, else the text or title it shows)."""
    focused: dict[str, Any] = page.evaluate(
        """() => {
            const element = document.activeElement;
            const name = element.getAttribute("aria-label") || element.getAttribute("title")
                || (element.labels && element.labels[0] && element.labels[0].textContent)
                || element.textContent || "";
            return { id: element.id, role: element.getAttribute("role") || element.tagName,
                     name: name.trim() };
        }"""
    )
    return focused


def _tab_to(
    page: Page, name: str | re.Pattern[str], most: int = 120, backwards: bool = False
) -> None:
    """Press Tab (or Shift+Tab), and only that, until what has the focus is called `name`."""
    seen = []
    for _ in range(most):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        said = _focused(page)["name"]
        if (said == name) if isinstance(name, str) else name.fullmatch(said):
            return
        seen.append(said[:40])
    raise AssertionError(f"Tab never reached {name!r}, only {seen}")


def test_a_builder_with_only_a_keyboard_adds_an_asset_moves_it_and_opens_a_marker(
    desktop: Watched, browser_server: str
) -> None:
    page = _open(desktop, browser_server)
    _tab_to(page, "Sign in")
    page.keyboard.press("Enter")
    expect(page.locator("#s-email")).to_be_focused()
    page.keyboard.type(MODERATOR)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text(f"Signed in as {MODERATOR}")

    # the search goes to a postcode in Carrington, where nothing is mapped yet
    _tab_to(page, "Search")
    page.keyboard.type("m31 4bh")
    expect(page.locator("#status")).to_contain_text("Found M31 4BH")
    # the map has moved there: once what its view holds is loaded, the markers Tab passes
    # over stay put (a marker redrawn as a load lands would take the focus with it)
    wait_for_view(page)
    carrington = (-2.381113, 53.426783)  # data/trafford/postcodes.csv

    # an asset at the map's centre: named, its kind chosen, saved
    _tab_to(page, "Add an asset at the map's centre")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Name")).to_be_focused()
    page.keyboard.type("Carrington chess club")
    page.keyboard.press("Tab")
    expect(page.locator("#f-kind")).to_be_focused()
    page.keyboard.type("association")  # a closed list box picks what is typed
    expect(page.locator("#f-kind")).to_have_value("association")
    _tab_to(page, "Save")
    with page.expect_response(lambda r: r.request.method == "POST") as saved:
        page.keyboard.press("Enter")
    assert saved.value.status == 201
    expect(page.locator("#details-name")).to_have_text("Carrington chess club")
    # the form is gone with its Save button: the focus is on what was saved, not lost
    expect(page.locator("#details-name")).to_be_focused()
    wait_for_view(page)
    (added,) = _find(browser_server, "Carrington chess club")
    lon, lat = added["geometry"]["coordinates"]
    # to a metre: the map centres on the postcode to its nearest pixel
    assert abs(lon - carrington[0]) < 1e-5 and abs(lat - carrington[1]) < 1e-5

    # moved 30 m east and 20 m south with the arrow keys, saved with If-Match
    _tab_to(page, "Move it with the arrow keys")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Save where it is")).to_be_focused()
    for key in ("ArrowRight", "ArrowRight", "ArrowRight", "ArrowDown", "ArrowDown"):
        page.keyboard.press(key)
    expect(page.locator("#moving-where")).to_have_text("30 m east and 20 m south of where it was.")
    with page.expect_response(lambda r: r.request.method == "PATCH") as moved:
        page.keyboard.press("Enter")
    assert moved.value.status == 200
    assert moved.value.request.headers["if-match"] == f'"{added["id"]}-1"'
    expect(page.get_by_role("button", name="Move it with the arrow keys")).to_be_focused()
    stored = httpx.get(f"{browser_server}/assets/{added['id']}").json()
    new_lon, new_lat = stored["geometry"]["coordinates"]
    geod = Geod(ellps="WGS84")
    east = geod.inv(lon, lat, new_lon, lat)[2] * (1 if new_lon > lon else -1)
    north = geod.inv(new_lon, lat, new_lon, new_lat)[2] * (1 if new_lat > lat else -1)
    assert abs(east - 30) < 0.5 and abs(north + 20) < 0.5
    assert stored["properties"]["version"] == 2

    # Escape closes the panel, back to where the builder was; the search finds the club,
    # and its marker, reached with Tab, opens its details with Enter
    page.keyboard.press("Escape")
    expect(page.locator("#panel")).to_be_hidden()
    _tab_to(page, "Search", backwards=True)
    page.keyboard.press("Control+A")
    page.keyboard.type("Carrington chess")
    expect(page.locator("body")).to_have_attribute("data-assets", "1")
    _tab_to(page, "Carrington chess club")
    assert _focused(page)["role"] == "button"
    page.keyboard.press("Enter")
    expect(page.locator("#details-name")).to_have_text("Carrington chess club")
    expect(page.locator("#details-name")).to_be_focused()
    desktop.screenshot("keyboard-details")

    # with the search cleared and the map zoomed out with "-", clusters say how many
    # assets they hold, and Enter on one zooms into it
    page.keyboard.press("Escape")
    _tab_to(page, "Search", backwards=True)
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    # the page loads again what the view holds, at a street's zoom there: the club alone
    expect(page.locator("body")).to_have_attribute("data-query", "")
    _tab_to(page, "Map: click or tap to add an asset there")
    while (zoom := page.evaluate("() => assetMap.map.getZoom()")) > 12:
        page.keyboard.press("Shift+Minus")  # three levels out
        page.wait_for_function(f"() => assetMap.map.getZoom() < {zoom}")
        # a key pressed while the map still zooms is not taken
        expect(page.locator(".leaflet-zoom-anim, .leaflet-cluster-anim")).to_have_count(0)
    wait_for_view(page)  # the wider view's assets, loaded as it moved
    expect(page.locator("body")).not_to_have_attribute("data-assets", "1")
    _tab_to(page, re.compile(r"\d+ assets"))
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => assetMap.map.getZoom() > {zoom}")
    assert desktop.problems == []
