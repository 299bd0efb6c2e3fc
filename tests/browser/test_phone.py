"""A resident on a phone in the street: the map has the screen, the search and filters wait
behind one "Filters" button; tapping the map opens the form as a sheet over the map, which
they close to look at the map again and reopen with what they typed still there. On a
laptop the header is as it was: the search and filters in view, no "Filters" button."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, Watched
from tests.browser.test_page import _find, _open, _pixel, _zoom_to

# Near Longford Park, Stretford: a spot with room for a new pin.
LONGFORD = (-2.2950, 53.4490)


def test_on_a_phone_the_map_has_the_screen_and_the_filters_fold_away(
    phone: Watched, desktop: Watched, browser_server: str
) -> None:
    page = _open(phone, browser_server)
    filters = page.get_by_role("button", name="Filters")
    search = page.get_by_label("Search")
    map_box = page.locator("#map").bounding_box()

    assert map_box is not None and map_box["height"] > 0.9 * PHONE["height"]
    expect(filters).to_have_attribute("aria-expanded", "false")
    expect(search).to_be_hidden()
    phone.screenshot("phone-map")

    filters.click()
    expect(filters).to_have_attribute("aria-expanded", "true")
    expect(search).to_be_visible()
    page.locator("#filter-kind").select_option("association")
    groups = httpx.get(f"{browser_server}/assets?kind=association&limit=10000").json()
    expect(page.locator("body")).to_have_attribute("data-assets", str(len(groups["features"])))
    phone.screenshot("phone-filters-open")
    filters.click()
    expect(search).to_be_hidden()
    # folding them away changes nothing the map shows
    assert page.locator("#map").bounding_box() == map_box
    expect(page.locator("body")).to_have_attribute("data-assets", str(len(groups["features"])))

    laptop = _open(desktop, browser_server)
    expect(laptop.get_by_role("button", name="Filters")).to_be_hidden()
    expect(laptop.get_by_label("Search")).to_be_visible()
    expect(laptop.get_by_label("Open now")).to_be_visible()
    assert phone.problems == [] and desktop.problems == []


def test_the_form_is_a_sheet_over_the_map_that_keeps_what_was_typed(
    phone: Watched, browser_server: str
) -> None:
    page = _open(phone, browser_server)
    map_box = page.locator("#map").bounding_box()
    _zoom_to(page, *LONGFORD, zoom=17)
    page.touchscreen.tap(*_pixel(page, *LONGFORD))
    form = page.locator("#asset-form")
    expect(form).to_be_visible()
    sheet = page.locator("#panel").bounding_box()
    assert sheet is not None and map_box is not None
    # over the map's lower part, the map as large as before
    assert page.locator("#map").bounding_box() == map_box
    assert sheet["y"] > map_box["y"] + 0.3 * map_box["height"]
    assert abs(sheet["y"] + sheet["height"] - (map_box["y"] + map_box["height"])) < 2
    where = page.locator("#form-where").inner_text()
    form.get_by_label("Name").fill("Longford little free library")
    form.get_by_label("Description").fill("A box of books on the park railings")
    phone.screenshot("phone-sheet")

    page.get_by_role("button", name="Close", exact=True).click()
    expect(form).to_be_hidden()
    resume = page.get_by_role("button", name="Continue adding Longford little free library")
    expect(resume).to_be_visible()
    phone.screenshot("phone-sheet-closed")
    resume.tap()
    expect(form).to_be_visible()
    expect(form.get_by_label("Name")).to_have_value("Longford little free library")
    expect(form.get_by_label("Description")).to_have_value("A box of books on the park railings")
    expect(page.locator("#form-where")).to_have_text(where)

    # closed again, and the pin put a little further east with a tap: still all there
    page.get_by_role("button", name="Close", exact=True).click()
    east = (LONGFORD[0] + 0.0008, LONGFORD[1])
    page.touchscreen.tap(*_pixel(page, *east))
    expect(form).to_be_visible()
    expect(form.get_by_label("Name")).to_have_value("Longford little free library")
    expect(page.locator("#form-where")).not_to_have_text(where)
    form.get_by_label("Kind", exact=True).select_option("physical")
    with page.expect_response(lambda r: r.request.method == "POST") as sent:
        form.get_by_role("button", name="Save").click()
    assert sent.value.status == 202  # from a visitor: it waits for a moderator
    expect(page.locator("#notice")).to_contain_text("Longford little free library")
    assert _find(browser_server, "Longford little free library") == []  # not public yet

    # a new asset starts empty
    page.get_by_role("button", name="Close", exact=True).click()
    page.touchscreen.tap(*_pixel(page, *LONGFORD))
    expect(form.get_by_label("Name")).to_have_value("")
    assert phone.problems == []
