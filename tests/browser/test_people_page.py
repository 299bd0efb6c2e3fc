"""The people page in Chromium: Trafford's admin signs in, finds their authority's people
(and no one else's), adds someone of Trafford's (told beside the field when they would be
no authority's), makes a contributor a moderator of a neighbourhood, is told beside
the field when an area is not theirs, disables and enables the account, and sends a reset
link that the user opens to choose a new password; the page's audit shows each change.
axe finds nothing serious on it, nor on the reset page."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.axe import blocking
from tests.browser.conftest import CONTRIBUTOR, MODERATOR, PASSWORD, Watched, add_authority_people

TRAFFORD = "E08000009"
LSOA = "E01006108"
ADMIN = "ta.page@trafford.example"
PAT = "pat.page@trafford.example"
NEW_PASSWORD = "pat's own new pass phrase"


@pytest.fixture(scope="module")
def trafford_people(browser_database: str) -> Iterator[None]:
    """Trafford's admin and one of Trafford's contributors, who sign in with PASSWORD."""
    add_authority_people(browser_database, TRAFFORD, ADMIN, PAT)
    yield


def _rows(page: Watched) -> list[str]:
    return page.page.locator("#users tbody tr td:first-child").all_inner_texts()


def test_an_authority_admin_manages_their_peoples_accounts_on_the_page(
    browser_server: str, trafford_people: None, audited_desktop: Watched
) -> None:
    page = audited_desktop.page
    page.goto(f"{browser_server}/people")
    page.get_by_label("Email", exact=True).fill(ADMIN)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator("#who")).to_contain_text(f"{ADMIN} (admin of {TRAFFORD})")
    expect(page.locator("#status")).to_contain_text("users shown")
    listed = _rows(audited_desktop)
    assert PAT in listed and MODERATOR in listed  # mo looks after all Trafford
    assert CONTRIBUTOR not in listed  # ann belongs to no authority
    found = blocking(page, "the people page")

    page.get_by_label("Their email").fill("quin.page@example.org")
    page.get_by_role("button", name="Add them").click()
    expect(page.locator("#a-authority-error")).to_contain_text("their people belong to one")
    page.get_by_label("Their authority").fill(TRAFFORD)
    page.get_by_role("button", name="Add them").click()
    expect(page.locator("#status")).to_contain_text("quin.page@example.org is added")
    assert "quin.page@example.org" in _rows(audited_desktop)
    found += blocking(page, "someone added")

    page.get_by_label("Email contains").fill("pat.page")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#users tbody tr")).to_have_count(1)
    page.get_by_role("button", name=PAT).click()
    page.get_by_label("Their role", exact=True).select_option("moderator")
    page.locator("#e-areas").fill("E99999999")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#e-areas-error")).to_contain_text("E99999999")
    expect(page.locator("#e-areas")).to_have_attribute("aria-invalid", "true")
    found += blocking(page, "the change, refused")

    page.locator("#e-areas").fill(LSOA)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#status")).to_contain_text(f"{PAT} is now moderator of {LSOA}")
    expect(page.locator("#users tbody tr").first).to_contain_text(LSOA)

    page.get_by_role("button", name="Disable their account").click()
    expect(page.locator("#users tbody tr").first).to_contain_text("disabled")
    refused = httpx.post(
        f"{browser_server}/auth/token", data={"username": PAT, "password": PASSWORD}
    )
    assert refused.status_code == 401
    page.get_by_role("button", name="Enable their account").click()
    expect(page.locator("#users tbody tr").first).to_contain_text("enabled")

    page.get_by_role("button", name="Send a password reset link").click()
    expect(page.locator("#reset-result")).to_contain_text("/people/reset#token=")
    link = page.locator("#reset-result").inner_text().split("once): ", 1)[1].strip()
    # pat was made behind the page's back, so the audit holds only the page's changes
    expect(page.locator("#audit li")).to_have_count(4)
    entries = page.locator("#audit li").all_inner_texts()
    assert [item.split(" — ")[1] for item in entries] == ["reset_link", "enable", "disable", "role"]
    assert all(f": {ADMIN} — " in item and f" — {PAT}" in item for item in entries)
    assert not found, found
    # the refused addition and save, which Chromium logs; nothing else went wrong
    assert [p.split("status of ")[-1] for p in audited_desktop.problems] == [
        "403 (Forbidden)",
        "422 (Unprocessable Entity)",
    ]

    # Pat opens the link on a page of their own, and chooses a new password
    # the link starts with ASSETMAP_REMINDER_BASE_URL, which this test server leaves as is
    assert link.startswith("http://127.0.0.1:8000/people/reset#token=")
    link = browser_server + link.removeprefix("http://127.0.0.1:8000")
    reset = page.context.new_page()
    reset.goto(link)
    assert "#token=" not in reset.url  # out of the address bar once read
    reset.get_by_label("A new password").fill(NEW_PASSWORD)
    reset.get_by_role("button", name="Set it").click()
    expect(reset.locator("#r-done")).to_be_visible()
    assert not blocking(reset, "the reset page, done")
    signed_in = httpx.post(
        f"{browser_server}/auth/token", data={"username": PAT, "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 200
    again = page.context.new_page()
    again.goto(link)
    again.get_by_label("A new password").fill("yet another pass phrase")
    again.get_by_role("button", name="Set it").click()
    expect(again.locator("#r-error")).to_contain_text("used already or has expired")
