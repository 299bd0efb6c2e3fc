"""The embeddable map, `/embed`: a page of its own for another site's <iframe>, with the
filters it was given, running only its own script file; a filter naming nothing is refused
at once, so whoever pastes the snippet sees the mistake. Which sites may frame it is
tests/api/test_hardening.py's."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session


class _Scripts(HTMLParser):
    """The page's <script> elements: their attributes and what they hold."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._open = dict(attrs)
            self.found.append((self._open, ""))

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            attrs, held = self.found[-1]
            self.found[-1] = (attrs, held + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._open = None


def _scripts(page: str) -> list[tuple[dict[str, str | None], str]]:
    parser = _Scripts()
    parser.feed(page)
    return parser.found


def test_the_embedded_map_carries_its_filters_and_runs_only_its_own_script(
    demo_client: TestClient,
) -> None:
    page = demo_client.get("/embed?within=E08000009&kind=association&outcome=social-connection")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<title>Community assets in Trafford</title>" in page.text
    scripts = _scripts(page.text)
    config = next(json.loads(held) for attrs, held in scripts if attrs.get("id") == "config")
    assert config["filters"] == {
        "within": "E08000009",
        "kind": "association",
        "outcome": "social-connection",
    }
    assert config["title"] == "Community assets in Trafford"
    # every script is a file of the service's, but the settings, which are data
    files = [attrs["src"] for attrs, _ in scripts if attrs.get("src")]
    assert files == [
        "/static/vendor/leaflet/leaflet.js",
        "/static/vendor/leaflet.markercluster/leaflet.markercluster.js",
        "/static/app/embed.js",
    ]
    inline = [attrs for attrs, held in scripts if not attrs.get("src")]
    # data only: the settings, and the words of its script in the reader's language
    assert inline == [
        {"id": "config", "type": "application/json"},
        {"id": "messages", "type": "application/json"},
    ]
    assert demo_client.get("/static/app/embed.js").status_code == 200
    # nothing on it edits: no form, no button
    assert not re.search(r"<(form|button|input|select|textarea)\b", page.text)


def test_without_an_area_the_embedded_map_shows_every_asset(demo_client: TestClient) -> None:
    page = demo_client.get("/embed")

    config = next(json.loads(held) for attrs, held in _scripts(page.text) if attrs.get("id"))
    assert page.status_code == 200
    assert config["filters"] == {} and config["title"] == "Community assets"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("within=E99999999", "within"),
        ("within=E08000009&category=nothing-like-it", "category"),
        ("outcome=nothing-like-it", "outcome"),
        ("kind=park", "kind"),
    ],
)
def test_a_filter_that_names_nothing_is_refused_naming_it(
    demo_client: TestClient, query: str, field: str
) -> None:
    refused = demo_client.get(f"/embed?{query}")

    assert refused.status_code == 422
    assert [problem["field"] for problem in refused.json()["errors"]] == [field]


def test_an_area_name_is_written_as_text_never_as_markup(
    demo_client: TestClient, demo_session: Session
) -> None:
    demo_session.execute(
        text(
            "INSERT INTO area (code, name, level, geom) SELECT 'E05999999', "
            "'Gorse Hill </title><script>alert(1)</script>', 'ward', geom "
            "FROM area WHERE code = 'E01006187'"
        )
    )

    page = demo_client.get("/embed?within=E05999999")

    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "Gorse Hill &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    config = next(json.loads(held) for attrs, held in _scripts(page.text) if attrs.get("id"))
    assert config["title"] == "Community assets in Gorse Hill </title><script>alert(1)</script>"
