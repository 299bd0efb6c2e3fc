"""A community builder keeps a group's hours on the page: sees whether a place is open now,
writes the week into the form's days, adds the Christmas closure; a resident ticks "Open
now" and sees only what is open."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from tests.browser.conftest import MODERATOR, Watched
from tests.browser.test_links_panel import _select
from tests.browser.test_page import _create, _open, sign_in

EVERY_DAY = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def test_the_page_says_open_now_and_keeps_the_week_the_form_gives(
    desktop: Watched, phone: Watched, browser_server: str, admin_headers: dict[str, str]
) -> None:
    always = (-2.3290, 53.4520)
    rarely = (-2.3260, 53.4525)
    every_day = {"weekly": [{"days": EVERY_DAY, "opens": "00:00", "closes": "24:00"}]}
    _create(
        browser_server,
        admin_headers,
        "Stretford Police Front Desk",
        "institution",
        always,
        schedule=every_day,
    )
    once = {"exceptions": [{"date": "2031-06-01", "opens": "10:00", "closes": "12:00"}]}
    hall = _create(
        browser_server, admin_headers, "Gorse Hill Hall", "physical", rarely, schedule=once
    )

    page = _open(desktop, browser_server)
    _select(page, always, "Stretford Police Front Desk")
    expect(page.locator("#open-now")).to_have_text("Open now (today 00:00-24:00)")
    _select(page, rarely, "Gorse Hill Hall")
    expect(page.locator("#open-now")).to_have_text("Closed now (not open today)")

    sign_in(page, MODERATOR)
    _select(page, rarely, "Gorse Hill Hall")
    page.get_by_role("button", name="Edit").click()
    expect(page.locator("#f-hours-more")).to_be_visible()  # its dated opening
    page.get_by_label("Monday opens").fill("09:00")
    page.get_by_label("Monday closes").fill("17:00")
    page.get_by_label("Saturday opens").fill("10:00")
    page.get_by_label("Saturday closes").fill("13:00")
    page.get_by_label("Closed from").fill("2026-12-25")
    page.get_by_label("Closed until").fill("2026-12-26")
    page.get_by_label("Why it is closed").fill("Christmas")
    desktop.screenshot("page-hours-form")
    with page.expect_response(lambda r: r.request.method == "PATCH") as patched:
        page.get_by_role("button", name="Save").click()
    assert patched.value.status == 200

    stored = httpx.get(f"{browser_server}/assets/{hall['id']}").json()["properties"]["schedule"]
    assert stored["weekly"] == [
        {"days": ["MO"], "opens": "09:00", "closes": "17:00"},
        {"days": ["SA"], "opens": "10:00", "closes": "13:00"},
    ]
    assert stored["closures"] == [
        {"starts": "2026-12-25", "ends": "2026-12-26", "reason": "Christmas"}
    ]
    assert stored["exceptions"] == [{"date": "2031-06-01", "opens": "10:00", "closes": "12:00"}]
    expect(page.locator("#details-list")).to_contain_text("Mon 09:00-17:00; Sat 10:00-13:00")

    # a resident on a phone: only what is open now
    small = _open(phone, browser_server)
    open_now = httpx.get(browser_server + "/assets", params={"open_now": "true", "limit": 10000})
    small.get_by_role("button", name="Filters").click()  # on a phone, folded away
    small.get_by_label("Open now").check()
    expect(small.locator("body")).to_have_attribute(
        "data-assets", str(len(open_now.json()["features"]))
    )
    assert "Stretford Police Front Desk" in {
        f["properties"]["name"] for f in open_now.json()["features"]
    }
    phone.screenshot("page-open-now-phone")
    assert desktop.problems == []
    assert phone.problems == []
