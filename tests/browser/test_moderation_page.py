"""A community builder suggests assets from the page; the moderator of Trafford, on a
phone, approves one and turns one down; the builder reads why. Stale pins are grey."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect
from sqlalchemy import text

from app.db import make_engine
from tests.browser.conftest import CONTRIBUTOR, MODERATOR, Watched
from tests.browser.test_page import _fill_and_save, _find, _open, _pixel, _zoom_to, sign_in


def _suggest(page: Page, where: tuple[float, float], name: str) -> None:
    _zoom_to(page, *where)
    page.mouse.click(*_pixel(page, *where))
    page.wait_for_selector("#asset-form:not([hidden])")
    _fill_and_save(page, name, "association", "lunch-club")


def test_a_suggestion_waits_for_the_moderator_who_decides_on_the_page(
    desktop: Watched, phone: Watched, browser_server: str
) -> None:
    builder = _open(desktop, browser_server)
    sign_in(builder, CONTRIBUTOR)
    _suggest(builder, (-2.3301, 53.4522), "Wednesday soup club")
    builder.wait_for_selector("#details:not([hidden])")
    assert "moderator" in builder.locator("#status").inner_text()
    assert "pending" in builder.locator("#details-list").inner_text()
    _suggest(builder, (-2.3275, 53.4540), "Thursday soup club")
    builder.wait_for_selector("#details:not([hidden])")
    assert _find(browser_server, "Wednesday soup club") == []  # not public yet

    moderator = _open(phone, browser_server)
    sign_in(moderator, MODERATOR)
    moderator.get_by_role("button", name="Review queue").click()
    cards = moderator.locator("#queue-requests li")
    cards.filter(has_text="Wednesday soup club").wait_for()
    phone.screenshot("page-review-queue")
    with moderator.expect_response(lambda r: r.url.endswith("/approve")) as approved:
        cards.filter(has_text="Wednesday soup club").get_by_role("button", name="Approve").click()
    assert approved.value.status == 200
    cards.filter(has_text="Wednesday soup club").wait_for(state="detached")  # the queue reloaded
    thursday = cards.filter(has_text="Thursday soup club")
    thursday.get_by_role("textbox").fill("There is already a soup club on Thursdays next door")
    with moderator.expect_response(lambda r: r.url.endswith("/reject")) as rejected:
        thursday.get_by_role("button", name="Reject").click()
    assert rejected.value.status == 200

    assert len(_find(browser_server, "Wednesday soup club")) == 1
    assert _find(browser_server, "Thursday soup club") == []
    builder.get_by_role("button", name="Your suggestions").click()
    builder.locator("#mine li", has_text="rejected").wait_for()
    assert "already a soup club on Thursdays" in builder.locator("#mine").inner_text()
    desktop.screenshot("page-your-suggestions")
    assert desktop.problems == [] and phone.problems == []


def test_an_anonymous_visitor_is_thanked_and_their_suggestion_waits(
    desktop: Watched, browser_server: str
) -> None:
    page = _open(desktop, browser_server)
    _suggest(page, (-2.3350, 53.4500), "Saturday litter pick")

    page.wait_for_selector("#notice:not([hidden])")
    assert "moderator" in page.locator("#notice-text").inner_text()
    assert _find(browser_server, "Saturday litter pick") == []
    assert desktop.problems == []


def test_pins_no_one_has_confirmed_for_a_year_are_grey(
    desktop: Watched, browser_server: str, browser_database: str
) -> None:
    library = _find(browser_server, "Stretford Library")[0]
    engine = make_engine(browser_database, pool_size=1)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE asset SET created_at = now() - interval '2 years' WHERE id = :id"),
            {"id": library["id"]},
        )
    engine.dispose()
    page = _open(desktop, browser_server)
    _zoom_to(page, *library["geometry"]["coordinates"])

    pin = page.locator('.leaflet-marker-icon[title="Stretford Library"] .asset-dot')
    expect(pin).to_have_class(re.compile(r"\bstale\b"))
    expect(page.locator(".asset-dot.stale")).to_have_count(1)
    stale = httpx.get(browser_server + "/assets?stale_after=P12M&limit=10000").json()
    assert [f["id"] for f in stale["features"]] == [library["id"]]
    desktop.screenshot("page-stale-pin")
