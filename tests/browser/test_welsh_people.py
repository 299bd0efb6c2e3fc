"""An admin in Wales administers people on the people page in Chromium, whose language is
Welsh: signed out, signed in, with someone chosen, and refused beside a field, no English
string of the catalogue is on the screen; the reset link's page is Welsh too, and its
English/Cymraeg switch keeps the link's token."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.axe import blocking
from tests.browser.conftest import PASSWORD, Watched, add_authority_people, watch
from tests.browser.welsh import english_left

TRAFFORD = "E08000009"
ADMIN = "gweinyddwr.cy@trafford.example"
SIAN = "sian.cy@trafford.example"


@pytest.fixture(scope="module")
def welsh_people(browser_database: str) -> Iterator[None]:
    """Trafford's admin and one of Trafford's contributors, who sign in with PASSWORD."""
    add_authority_people(browser_database, TRAFFORD, ADMIN, SIAN)
    yield


def test_the_people_page_in_welsh_has_no_english_left(
    browser_server: str, welsh_people: None, welsh_desktop: Watched
) -> None:
    page = welsh_desktop.page
    page.goto(f"{browser_server}/people")
    expect(page.get_by_role("heading", name="Mewngofnodi")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "cy"
    assert page.title() == "Pobl: Map Asedau Cymunedol"
    assert english_left(page) == []

    page.get_by_label("E-bost", exact=True).fill(ADMIN)
    page.get_by_label("Cyfrinair", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Mewngofnodi").click()
    expect(page.locator("#who")).to_have_text(f"{ADMIN} (gweinyddwr {TRAFFORD})")
    expect(page.locator("#status")).to_have_text(re.compile(r"^\d+ defnyddiwr yn y golwg$"))
    expect(page.locator("#audit li").first).to_be_visible()
    welsh_desktop.screenshot("welsh-people")
    assert english_left(page) == []
    found = blocking(page, "the Welsh people page")

    page.get_by_label("Mae'r e-bost yn cynnwys").fill("sian.cy")
    page.get_by_role("button", name="Chwilio").click()
    expect(page.locator("#users tbody tr")).to_have_count(1)
    expect(page.locator("#users tbody tr")).to_contain_text("cyfrannwr")
    expect(page.locator("#users tbody tr")).to_contain_text("wedi'i alluogi")
    page.get_by_role("button", name=SIAN).click()
    expect(page.locator("#toggle")).to_have_text("Analluogi eu cyfrif")
    # made a moderator of an area there is not: refused beside the field, in Welsh
    page.get_by_label("Eu rôl", exact=True).select_option("moderator")
    page.locator("#e-areas").fill("E99999999")
    page.get_by_role("button", name="Cadw").click()
    expect(page.locator("#e-areas-error")).to_have_text(
        "nid oes gan unrhyw ardal y cod 'E99999999'"
    )
    welsh_desktop.screenshot("welsh-people-refused")
    assert english_left(page) == []
    found += blocking(page, "the Welsh people page, a change refused")

    page.get_by_role("button", name="Anfon dolen ailosod cyfrinair").click()
    expect(page.locator("#reset-result")).to_contain_text(
        "Rhowch y ddolen hon iddyn nhw (mae'n gweithio unwaith): "
    )
    link = page.locator("#reset-result").inner_text().split("unwaith): ", 1)[1].strip()
    assert english_left(page) == []
    assert not found, found

    # Siân opens the link: the reset page is in Welsh, and says its refusal in Welsh
    reset = page.context.new_page()
    watched_reset = watch(reset)
    reset.goto(browser_server + link.removeprefix("http://127.0.0.1:8000"))
    expect(reset.get_by_role("heading", name="Dewis cyfrinair newydd")).to_be_visible()
    assert reset.evaluate("document.documentElement.lang") == "cy"
    reset.get_by_label("Cyfrinair newydd").fill("byr")
    reset.get_by_role("button", name="Ei osod").click()
    expect(reset.locator("#r-password-error")).to_have_text("rhaid iddo fod yn 10 nod o leiaf")
    assert english_left(reset) == []
    assert not blocking(reset, "the Welsh reset page")
    # the switch opens the page in English, the link's token with it
    reset.get_by_role("link", name="English").click()
    expect(reset.get_by_role("heading", name="Choose a new password")).to_be_visible()
    assert reset.evaluate("document.documentElement.lang") == "en"
    expect(reset).to_have_url(re.compile(r"^[^#]*$"))  # the token read, and out of the address
    reset.get_by_label("A new password").fill("Siân's own new pass phrase")
    reset.get_by_role("button", name="Set it").click()
    expect(reset.locator("#r-done")).to_be_visible()
    # the refused change and the short password, which Chromium logs; nothing else
    assert [p.split("status of ")[-1] for p in welsh_desktop.problems] == [
        "422 (Unprocessable Entity)"
    ]
    assert [p.split("status of ")[-1] for p in watched_reset.problems] == [
        "422 (Unprocessable Entity)"
    ]
