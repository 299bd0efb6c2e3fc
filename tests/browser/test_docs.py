"""An analyst reads the API's documentation in a browser with no open internet."""

from __future__ import annotations

from tests.browser.conftest import Watched


def test_the_api_docs_render_offline(desktop: Watched, browser_server: str) -> None:
    page = desktop.page
    page.goto(browser_server + "/docs")

    page.locator(".opblock-summary-path", has_text="/moderation/queue").first.wait_for()
    assert page.get_by_role("button", name="Authorize").count() == 1
    desktop.screenshot("api-docs")
    assert desktop.problems == []
