"""Browser tests: headless Chromium (Debian's), driven by playwright, against a real server
on a demo database of its own (these tests commit what they add)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy.orm import Session

from app.auth import accounts
from app.db import make_engine
from app.settings import PROJECT_ROOT, AuthSettings
from tests.conftest import demo_database, drop_database, serving

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
BASEMAP_HOST = "tile.openstreetmap.org"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


PASSWORD = "a long pass phrase for the browser tests"
# Who signs in on the page: a moderator of all Trafford, and a contributor.
MODERATOR = "mo@example.org"
CONTRIBUTOR = "ann@example.org"


@pytest.fixture(scope="session")
def browser_database(base_url: str) -> Iterator[str]:
    """The demo locality with a moderator of Trafford and a contributor, who sign in with
    PASSWORD; these tests commit what they add."""
    url = demo_database(base_url, "assetmap_browser")
    engine = make_engine(url, pool_size=1)
    with Session(engine) as session, session.begin():
        accounts.create_user(session, MODERATOR, "moderator", ["E08000009"], PASSWORD)
        accounts.create_user(session, CONTRIBUTOR, "contributor", [], PASSWORD)
    engine.dispose()
    yield url
    drop_database(url)


def add_authority_people(database: str, authority: str, admin: str, contributor: str) -> None:
    """An admin of `authority` and a contributor of it, who sign in with PASSWORD."""
    engine = make_engine(database, pool_size=1)
    with Session(engine) as session, session.begin():
        accounts.create_user(session, admin, "admin", [authority], PASSWORD)
        accounts.create_user(session, contributor, "contributor", [], PASSWORD, authority=authority)
    engine.dispose()


@pytest.fixture(scope="session")
def browser_server(browser_database: str) -> Iterator[str]:
    with serving(browser_database) as base:
        yield base


@pytest.fixture(scope="session")
def admin_headers(browser_database: str) -> dict[str, str]:
    """Headers for writing through the API behind the page's back, as an admin."""
    engine = make_engine(browser_database, pool_size=1)
    with Session(engine) as session, session.begin():
        user_id, _ = accounts.create_user(session, "root@example.org", "admin", [])
        issued = accounts.issue_token(session, user_id, "api", AuthSettings(), "browser tests")
    engine.dispose()
    return {"Authorization": f"Bearer {issued.token}"}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@dataclass
class Watched:
    """A page, and what went wrong on it other than the basemap (which needs internet)."""

    page: Page
    problems: list[str] = field(default_factory=list)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=False)
        return path


def watch(page: Page) -> Watched:
    watched = Watched(page)

    def basemap(url: str) -> bool:
        return BASEMAP_HOST in url

    page.on(
        "console",
        lambda message: (
            watched.problems.append(f"console: {message.text}")
            if message.type == "error" and not basemap(message.location.get("url", ""))
            else None
        ),
    )
    page.on("pageerror", lambda error: watched.problems.append(f"page error: {error}"))

    def aborted(request: Any) -> bool:
        # the page cancels a view's load when the map moves on (AbortController)
        return request.resource_type == "fetch" and request.failure == "net::ERR_ABORTED"

    page.on(
        "requestfailed",
        lambda request: (
            None
            if basemap(request.url) or aborted(request)
            else watched.problems.append(f"failed: {request.url}")
        ),
    )
    page.on(
        "response",
        lambda response: (
            watched.problems.append(f"{response.status}: {response.url}")
            if response.status >= 400 and response.request.resource_type != "fetch"
            else None
        ),
    )
    return watched


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport=DESKTOP)
    yield watch(context.new_page())
    context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    yield watch(context.new_page())
    context.close()


@pytest.fixture
def audited_desktop(browser: Browser) -> Iterator[Watched]:
    """A laptop whose pages axe audits: its context lets playwright add axe's script to
    pages whose policy runs only the service's own (see tests/browser/axe.py)."""
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    yield watch(context.new_page())
    context.close()


@pytest.fixture
def audited_phone(browser: Browser) -> Iterator[Watched]:
    """A phone whose pages axe audits (as `audited_desktop`)."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    yield watch(context.new_page())
    context.close()


@pytest.fixture
def welsh_desktop(browser: Browser) -> Iterator[Watched]:
    """A laptop set to Welsh (its Accept-Language says cy-GB), whose pages axe may audit."""
    context = browser.new_context(viewport=DESKTOP, locale="cy-GB", bypass_csp=True)
    yield watch(context.new_page())
    context.close()
