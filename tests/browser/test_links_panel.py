"""A community builder records who meets where: from a knitting group's panel, they link it
to the library it meets at by typing the library's name, see the link listed in plain
words, follow it to the library (which hosts the group) and remove it there. A contributor
on a phone suggests a link, which waits for a moderator, and can take it back."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import CONTRIBUTOR, MODERATOR, Watched
from tests.browser.test_page import _create, _find, _open, _zoom_to, sign_in


def _group_beside_the_library(
    base: str, headers: dict[str, str], name: str, east: float
) -> tuple[dict[str, Any], tuple[float, float]]:
    """A group added through the API some way `east` (degrees) of Stretford Library."""
    lon, lat = _find(base, "Stretford Library")[0]["geometry"]["coordinates"]
    where = (lon + east, lat + 0.0008)
    return _create(base, headers, name, "association", where), where


def _select(page: Page, where: tuple[float, float], name: str) -> None:
    _zoom_to(page, *where)
    page.locator(f'.leaflet-marker-icon[title="{name}"]').click()
    expect(page.locator("#details-name")).to_have_text(name)


def _add_link(page: Page, words: str, letters: str, other: str) -> int:
    """Add a link from the asset shown ("meets at" ...) to `other`, found by typing
    `letters`; the API's answer's status."""
    page.locator("#link-add summary").click()
    page.get_by_label("This asset").select_option(label=words)
    page.get_by_label("The other asset").fill(letters)
    page.get_by_role("radio", name=re.compile(rf"^{re.escape(other)} \(")).check()
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/links")
    ) as answer:
        page.get_by_role("button", name="Add this link").click()
    return answer.value.status


def _add_link_by_keyboard(page: Page, words: str, letters: str, other: str) -> int:
    """The same from the keyboard alone, choosing the first asset found."""
    page.locator("#link-add summary").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("This asset")).to_be_focused()
    page.keyboard.type(words)  # a closed list picks the choice its letters begin
    expect(page.get_by_label("This asset").locator("option:checked")).to_have_text(words)
    page.keyboard.press("Tab")
    page.keyboard.type(letters)
    page.keyboard.press("Enter")  # look now
    first = page.locator("#l-choices input").first
    expect(page.locator("#l-choices")).to_contain_text(other)
    page.keyboard.press("Tab")
    expect(first).to_be_focused()
    page.keyboard.press("Space")
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/links")
    ) as answer:
        page.keyboard.press("Enter")
    return answer.value.status


def test_a_community_builder_adds_a_meets_at_link_from_a_groups_panel_and_sees_it_listed(
    desktop: Watched, browser_server: str, admin_headers: dict[str, str]
) -> None:
    group, where = _group_beside_the_library(
        browser_server, admin_headers, "Stretford Knitters", east=0.0012
    )
    page = _open(desktop, browser_server)
    sign_in(page, MODERATOR)  # a moderator of Trafford: the link is published at once
    _select(page, where, "Stretford Knitters")
    links = page.locator("#links")
    expect(links).to_contain_text("No links yet")

    assert _add_link(page, "meets at", "Stretford Libr", "Stretford Library") == 201
    expect(links.locator("#links-list")).to_contain_text("Meets at: Stretford Library")
    expect(links.locator("#links-list")).not_to_contain_text("waits for a moderator")
    desktop.screenshot("page-link-added")

    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    _select(page, where, "Stretford Knitters")
    expect(links.locator("#links-list")).to_contain_text("Meets at: Stretford Library")

    # follow the link to the library, which reads it the other way round, and remove it
    links.get_by_role("button", name="Stretford Library", exact=True).click()
    expect(page.locator("#details-name")).to_have_text("Stretford Library")
    hosts = links.locator("#links-list > li", has_text="Hosts:")
    expect(hosts).to_contain_text("Stretford Knitters")
    with page.expect_response(lambda r: r.request.method == "DELETE") as removed:
        links.get_by_role("button", name="Remove the link: hosts Stretford Knitters").click()
    assert removed.value.status == 204
    expect(links.locator("#links-list")).not_to_contain_text("Stretford Knitters")
    stored = httpx.get(f"{browser_server}/assets/{group['id']}/links").json()
    assert stored["links"] == []
    assert desktop.problems == []


def test_the_same_link_twice_is_refused_next_to_the_field_it_names(
    desktop: Watched, browser_server: str, admin_headers: dict[str, str]
) -> None:
    group, where = _group_beside_the_library(
        browser_server, admin_headers, "Stretford Ramblers", east=0.0024
    )
    page = _open(desktop, browser_server)
    sign_in(page, MODERATOR)
    _select(page, where, "Stretford Ramblers")
    assert _add_link(page, "meets at", "Stretford Libr", "Stretford Library") == 201
    expect(page.locator("#links-list")).to_contain_text("Meets at: Stretford Library")
    expect(page.locator("#link-add summary")).to_be_focused()  # ready for another

    # again, from the keyboard
    assert _add_link_by_keyboard(page, "meets at", "Stretford Library", "Stretford Library") == 409
    expect(page.locator("#link-error-to")).to_contain_text("already")
    expect(page.get_by_label("The other asset")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("The other asset")).to_be_focused()
    desktop.screenshot("page-link-refused")
    # the browser logs the refusal, and nothing else went wrong
    assert [problem for problem in desktop.problems if "409" not in problem] == []
    stored = httpx.get(f"{browser_server}/assets/{group['id']}/links").json()["links"]
    assert len(stored) == 1
    httpx.delete(
        f"{browser_server}/assets/{group['id']}/links/{stored[0]['id']}", headers=admin_headers
    ).raise_for_status()


def test_a_contributors_link_waits_for_a_moderator_and_they_can_take_it_back(
    phone: Watched, browser_server: str, admin_headers: dict[str, str]
) -> None:
    group, where = _group_beside_the_library(
        browser_server, admin_headers, "Stretford Choir", east=-0.0012
    )
    page = _open(phone, browser_server)
    sign_in(page, CONTRIBUTOR)
    _select(page, where, "Stretford Choir")

    assert _add_link(page, "meets at", "stretford lib", "Stretford Library") == 202
    expect(page.locator("#links-list")).to_contain_text(
        "Meets at: Stretford Library waits for a moderator"
    )
    expect(page.locator("#status")).to_contain_text("waits for a moderator")
    assert httpx.get(f"{browser_server}/assets/{group['id']}/links").json()["links"] == []
    phone.screenshot("page-link-pending-phone")

    with page.expect_response(lambda r: r.request.method == "DELETE") as removed:
        page.get_by_role("button", name="Remove the link: meets at Stretford Library").click()
    assert removed.value.status == 204
    expect(page.locator("#links")).to_contain_text("No links yet")
    assert phone.problems == []
