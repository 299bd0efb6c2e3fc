"""A community builder in Wales opens the page in Chromium, whose language is Welsh: every
word on it is Welsh (none of the catalogue's English strings is left on the screen, the
form to add an asset included), it is as accessible as the English page, and the
English/Cymraeg switch changes it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser import axe
from tests.browser.conftest import Watched
from tests.browser.welsh import english_left


def test_the_welsh_page_has_no_english_left(welsh_desktop: Watched, browser_server: str) -> None:
    page = welsh_desktop.page
    page.goto(browser_server + "/")
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)

    assert page.evaluate("document.documentElement.lang") == "cy"
    assert page.title() == "Map Asedau Cymunedol"
    expect(page.locator("#status")).to_have_text(re.compile(r"^\d+ ased yn y golwg$"))
    expect(page.get_by_role("button", name="Mewngofnodi")).to_be_visible()
    expect(page.get_by_role("link", name="English")).to_be_visible()
    welsh_desktop.screenshot("welsh-page")
    assert english_left(page) == []
    assert axe.blocking(page, "the Welsh page") == []

    # the form to add an asset: its labels, the kinds, categories and outcomes
    page.get_by_role("button", name="Ychwanegu ased yng nghanol y map").click()
    expect(page.locator("#form-title")).to_have_text("Ychwanegu ased")
    page.locator("#f-kind").select_option("institution")
    expect(page.locator("#f-kind option:checked")).to_have_text("sefydliad")
    expect(page.locator("#f-category")).to_contain_text("Llyfrgell")
    expect(page.locator("#f-outcomes")).to_contain_text("Iechyd a llesiant")
    expect(page.locator("#f-hours")).to_contain_text("Dydd Llun")
    welsh_desktop.screenshot("welsh-page-form")
    assert english_left(page) == []
    assert axe.blocking(page, "the Welsh page's form") == []
    assert welsh_desktop.problems == []


def test_the_switch_shows_the_page_in_english_and_back(
    welsh_desktop: Watched, browser_server: str
) -> None:
    page = welsh_desktop.page
    page.goto(browser_server + "/")
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)

    page.get_by_role("link", name="English").click()
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    assert page.evaluate("document.documentElement.lang") == "en"
    expect(page.locator("h1")).to_have_text("Community Asset Map")
    expect(page.locator("#status")).to_have_text(re.compile(r"^\d+ assets? shown$"))
    expect(page.get_by_role("link", name="Cymraeg")).to_be_visible()

    # the choice is kept: the page opened again is in English, whatever the browser says
    page.goto(browser_server + "/")
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    assert page.evaluate("document.documentElement.lang") == "en"

    page.get_by_role("link", name="Cymraeg").click()
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    assert page.evaluate("document.documentElement.lang") == "cy"
    expect(page.locator("h1")).to_have_text("Map Asedau Cymunedol")
    assert welsh_desktop.problems == []
