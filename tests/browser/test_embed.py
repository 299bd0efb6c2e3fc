"""The council's web team puts the map of Trafford's community groups on its own site: on the
page they open "Embed this map", which builds the <iframe> snippet from the filters chosen,
and paste it into the council's page. The service allows the council's site
(ASSETMAP_EMBED_ORIGINS), so the map shows there, with its legend and attribution, and
nothing to edit; the same snippet on any other site is refused by the browser."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Watched
from tests.browser.test_page import _open
from tests.conftest import server_process

TRAFFORD = "E08000009"


class Site:
    """Another site: a small HTTP server on 127.0.0.1 serving one page, set by the test."""

    def __init__(self) -> None:
        self.page = "<!doctype html><title>empty</title>"
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = site.page.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def publish(self, title: str, snippet: str) -> None:
        self.page = (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f"</head><body><h1>{title}</h1><p>Groups near you:</p>{snippet}</body></html>"
        )


@pytest.fixture(scope="module")
def sites() -> Iterator[tuple[Site, Site]]:
    """The council's site, which the service allows to embed its map, and another."""
    council, other = Site(), Site()
    yield council, other
    council.server.shutdown()
    other.server.shutdown()


@pytest.fixture(scope="module")
def embedding_server(browser_database: str, sites: tuple[Site, Site]) -> Iterator[str]:
    """The service, letting the council's site (and no other) frame its embeddable map."""
    council, _ = sites
    allowed = {"ASSETMAP_EMBED_ORIGINS": json.dumps([council.origin])}
    with server_process(browser_database, env=allowed) as (base, _):
        yield base


def _snippet_from_the_page(page: Page) -> str:
    """What "Embed this map" offers to paste, for community groups (kind association)."""
    page.locator("#filter-kind").select_option("association")
    page.get_by_role("button", name="Embed this map").click()
    dialog = page.get_by_role("dialog", name="Embed this map")
    expect(dialog).to_be_visible()
    snippet: str = dialog.get_by_label("The snippet to paste").input_value()
    return snippet


def test_embed_this_map_builds_the_snippet_from_the_filters_chosen(
    desktop: Watched, browser_server: str
) -> None:
    page = _open(desktop, browser_server)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    snippet = _snippet_from_the_page(page)

    assert snippet == (
        f'<iframe src="{browser_server}/embed?within={TRAFFORD}&amp;kind=association" '
        'title="Community assets in Trafford" width="100%" height="480" style="border:0" '
        'loading="lazy"></iframe>'
    )
    page.get_by_role("button", name="Copy the snippet").click()
    expect(page.locator("#embed-copied")).to_have_text("Copied: paste it into your site's page.")
    assert page.evaluate("() => navigator.clipboard.readText()") == snippet
    desktop.screenshot("embed-dialog")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.get_by_role("button", name="Embed this map")).to_be_focused()
    assert desktop.problems == []


def test_the_map_shows_on_the_allowed_site_and_is_refused_elsewhere(
    desktop: Watched, embedding_server: str, sites: tuple[Site, Site]
) -> None:
    council, other = sites
    page = _open(desktop, embedding_server)
    snippet = _snippet_from_the_page(page)
    council.publish("Trafford Council: community groups", snippet)
    other.publish("Somewhere else", snippet)
    groups = httpx.get(
        f"{embedding_server}/exports/assets.geojson",
        params={"within": TRAFFORD, "kind": "association"},
    ).json()["features"]

    page.goto(council.origin + "/")
    framed = page.frame_locator("iframe")
    expect(framed.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)
    expect(framed.locator("body")).to_have_attribute("data-assets", str(len(groups)))
    expect(framed.locator("h1")).to_have_text("Community assets in Trafford")
    expect(framed.locator("#legend")).to_contain_text(f"association ({len(groups)})")
    expect(framed.locator(".leaflet-control-attribution")).to_contain_text("Community Asset Map")
    # nothing to edit: no form, and a marker cannot be dragged
    expect(framed.locator("form")).to_have_count(0)
    expect(framed.locator(".leaflet-marker-draggable")).to_have_count(0)
    desktop.screenshot("embed-on-the-allowed-site")
    assert desktop.problems == []

    refusals: list[str] = []
    page.on("console", lambda message: refusals.append(message.text))
    page.goto(other.origin + "/")
    expect(page.locator("h1")).to_have_text("Somewhere else")
    expect(page.frame_locator("iframe").locator("#map")).to_have_count(0)
    frame = next(f for f in page.frames if f != page.main_frame)
    assert frame.url.startswith("chrome-error://")  # the browser showed its error, not the map
    assert any(
        f"directive: \"frame-ancestors 'self' {council.origin}\". The request has been blocked"
        in text
        for text in refusals
    ), refusals
    desktop.screenshot("embed-refused-elsewhere")
