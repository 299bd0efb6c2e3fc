"""A partnership in Wales opens the other pages in Chromium, whose language is Welsh: a
round's ballot (its options, evidence and ranked ballot, drawn by its scripts), the network
of Trafford, a scanning day's live map (joined, an asset added) and its report. On each,
none of the catalogue's English strings is left on the screen."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import Watched
from tests.browser.test_equal_say import _invites, _round, runner  # noqa: F401 - a fixture
from tests.browser.test_scanning_day import _open_page, _open_session
from tests.browser.welsh import english_left

TRAFFORD = "E08000009"
RESIDENTS = "Residents and community members"


def test_a_ballot_in_welsh_has_no_english_left(
    browser_server: str,
    runner: dict[str, str],  # noqa: F811 - the fixture
    welsh_desktop: Watched,
) -> None:
    made = _round(browser_server, runner)
    (invite,) = _invites(browser_server, runner, made, RESIDENTS, 1)

    page = _open_page(welsh_desktop, f"{browser_server}/rounds/{made['id']}/vote")
    page.get_by_label("Cod gwahoddiad").fill(invite["code"])
    page.get_by_role("button", name="Defnyddio'r cod hwn").click()
    expect(page.locator("#status")).to_contain_text("Cedwir eich cod ar gyfer y tab hwn")
    expect(page.locator("#round-state")).to_have_text(re.compile(r"^Ar agor tan .+\.$"))
    expect(page.locator("#ranking li").first).to_contain_text("Safle 1 o 4:")
    expect(page.locator(".option-card .kind").first).to_have_text("Bwlch i'w gau")
    page.locator(".option-card summary").first.click()  # its comments
    welsh_desktop.screenshot("welsh-ballot")
    assert english_left(page) == []

    page.get_by_role("button", name="Bwrw fy mhleidlais").click()
    expect(page.locator("#status")).to_contain_text("Mae eich pleidlais wedi'i bwrw.")
    expect(page.locator("#cast")).to_have_text("Newid fy mhleidlais")
    assert english_left(page) == []
    assert welsh_desktop.problems == []


def test_the_network_and_a_scanning_day_in_welsh_have_no_english_left(
    browser_server: str, welsh_desktop: Watched
) -> None:
    page = welsh_desktop.page
    page.goto(f"{browser_server}/network/{TRAFFORD}")
    expect(page.locator("body")).to_have_attribute("data-state", re.compile("drawn|empty"))
    assert page.evaluate("document.documentElement.lang") == "cy"
    welsh_desktop.screenshot("welsh-network")
    assert english_left(page) == []

    opened = _open_session(browser_server, "Diwrnod sganio Partington")
    page = _open_page(welsh_desktop, opened["join_url"])
    assert english_left(page) == []
    page.get_by_label("Eich enw, fel y bydd yr ystafell yn ei weld").fill("Siân")
    page.get_by_role("button", name="Ymuno", exact=True).click()
    expect(page.locator("#status")).to_contain_text("Croeso, Siân")
    expect(page.locator("#live")).to_have_text("Byw")
    page.get_by_role("button", name="Ychwanegu ased yng nghanol y map").click()
    page.locator("#a-name").fill("Clwb Cinio Partington")
    page.locator("#a-kind").select_option("association")
    expect(page.locator("#a-kind option:checked")).to_have_text("cymdeithas")
    page.get_by_role("button", name="Ei ychwanegu").first.click()
    expect(page.locator("#status")).to_contain_text("Wedi ychwanegu Clwb Cinio Partington")
    expect(page.locator("#feed li").first).to_contain_text("yn aros am yr hwyluswyr")
    expect(page.locator("#feed li").first).to_contain_text("rhywun yn yr ystafell")
    welsh_desktop.screenshot("welsh-scanning-day")
    assert english_left(page) == []
    assert welsh_desktop.problems == []

    page.goto(f"{browser_server}/sessions/{opened['id']}/report")
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    expect(page.locator("#found-title")).to_have_text("Beth a ganfuwyd")
    welsh_desktop.screenshot("welsh-session-report")
    assert english_left(page) == []
    # only the room's live stream, cut as its page was left
    assert [p for p in welsh_desktop.problems if "/events?token=" not in p] == []
