"""Browsers' protections: pages run only this service's scripts and cannot be framed by
other sites (but the embeddable map, by the sites configured); other sites' pages call the
API only from the origins configured."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import Connection

from app.settings import ApiSettings
from tests.conftest import api_client

ALLOWED = "https://maps.example.gov.uk"


@pytest.fixture
def cors_client(database_url: str, connection: Connection) -> Iterator[TestClient]:
    settings = ApiSettings(cors_origins=[ALLOWED], basemap_url="")
    yield from api_client(database_url, connection, settings)


def _directives(policy: str) -> dict[str, str]:
    return {part.split()[0]: part for part in (p.strip() for p in policy.split(";"))}


def test_the_page_runs_only_its_own_scripts_and_cannot_be_framed_elsewhere(
    client: TestClient,
) -> None:
    page = client.get("/")
    policy = _directives(page.headers["content-security-policy"])

    assert policy["script-src"] == "script-src 'self'"
    assert policy["default-src"] == "default-src 'self'"
    assert policy["frame-ancestors"] == "frame-ancestors 'self'"
    assert policy["object-src"] == "object-src 'none'"
    assert page.headers["x-frame-options"] == "SAMEORIGIN"
    assert page.headers["x-content-type-options"] == "nosniff"
    # the basemap's tiles are the only images from elsewhere
    assert policy["img-src"] == "img-src 'self' data: https://tile.openstreetmap.org"


def test_only_folium_maps_and_the_docs_may_run_inline_scripts(
    demo_client: TestClient,
) -> None:
    """Pages that show what people wrote (a session's report, the network, a ballot) run
    only the service's own script files, so text that slipped through escaping could not
    run; folium's locality maps and Swagger UI write theirs inline."""
    opened = demo_client.post(
        "/sessions", json={"area": "E08000009", "title": "Day", "held_on": "2026-12-05"}
    ).json()
    strict = [
        "/",
        "/network/E08000009",
        f"/sessions/{opened['id']}/report",
        f"/sessions/{opened['id']}",
    ]
    for path in strict:
        page = demo_client.get(path, headers={"Accept": "text/html"})
        assert page.headers["content-type"].startswith("text/html"), path
        policy = _directives(page.headers["content-security-policy"])
        assert policy["script-src"] == "script-src 'self'", path
    for path in ("/maps/E08000009", "/docs"):
        policy = _directives(demo_client.get(path).headers["content-security-policy"])
        assert policy["script-src"] == "script-src 'self' 'unsafe-inline'", path


def test_every_answer_forbids_sniffing_and_leaking_the_referrer(client: TestClient) -> None:
    for url in ("/health", "/assets", "/ogc", "/static/vendor/leaflet/leaflet.js"):
        response = client.get(url)
        assert response.headers["x-content-type-options"] == "nosniff", url
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin", url


def test_no_other_site_may_call_the_api_by_default(client: TestClient) -> None:
    response = client.get("/assets", headers={"Origin": "https://evil.example"})
    preflight = client.options(
        "/assets",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )

    assert "access-control-allow-origin" not in response.headers
    assert "access-control-allow-origin" not in preflight.headers


def test_a_configured_origin_may_call_the_api_and_no_other(cors_client: TestClient) -> None:
    allowed = cors_client.get("/assets", headers={"Origin": ALLOWED})
    preflight = cors_client.options(
        "/assets",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization, if-match, content-type",
        },
    )
    other = cors_client.get("/assets", headers={"Origin": "https://evil.example"})

    assert allowed.headers["access-control-allow-origin"] == ALLOWED
    assert "ETag" in allowed.headers["access-control-expose-headers"]
    assert preflight.status_code == 200
    assert "PATCH" in preflight.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in preflight.headers
    assert "access-control-allow-origin" not in other.headers
    # with no basemap configured, the page loads no image from elsewhere
    policy = _directives(cors_client.get("/").headers["content-security-policy"])
    assert policy["img-src"] == "img-src 'self' data:"


COUNCIL = "https://www.trafford.gov.uk"


@pytest.fixture
def embedding_client(demo_url: str, demo_connection: Connection) -> Iterator[TestClient]:
    """The demo locality's API, letting the council's site frame the embeddable map."""
    settings = ApiSettings(embed_origins=[COUNCIL, "http://127.0.0.1:8080"])
    yield from api_client(demo_url, demo_connection, settings)


def test_by_default_no_other_site_may_frame_the_embeddable_map(demo_client: TestClient) -> None:
    page = demo_client.get("/embed?within=E08000009")
    policy = _directives(page.headers["content-security-policy"])

    assert policy["frame-ancestors"] == "frame-ancestors 'self'"
    assert page.headers["x-frame-options"] == "SAMEORIGIN"
    assert policy["script-src"] == "script-src 'self'"


def test_the_sites_configured_may_frame_the_embeddable_map_and_no_other_page(
    embedding_client: TestClient,
) -> None:
    embed = embedding_client.get("/embed?within=E08000009&kind=association")
    policy = _directives(embed.headers["content-security-policy"])

    assert policy["frame-ancestors"] == f"frame-ancestors 'self' {COUNCIL} http://127.0.0.1:8080"
    # X-Frame-Options knows no list of sites, and would refuse theirs
    assert "x-frame-options" not in embed.headers
    assert policy["script-src"] == "script-src 'self'"
    assert policy["img-src"] == "img-src 'self' data: https://tile.openstreetmap.org"
    for path in ("/", "/maps/E08000009", "/network/E08000009", "/docs"):
        other = embedding_client.get(path, headers={"Accept": "text/html"})
        assert other.headers["content-type"].startswith("text/html"), path
        framing = _directives(other.headers["content-security-policy"])["frame-ancestors"]
        assert framing == "frame-ancestors 'self'", path
        assert other.headers["x-frame-options"] == "SAMEORIGIN", path


@pytest.mark.parametrize(
    "origin",
    ["https://www.trafford.gov.uk/maps", "https://x.example; script-src *", "*", "trafford.gov.uk"],
)
def test_an_embedding_site_must_be_an_origin_alone(
    monkeypatch: pytest.MonkeyPatch, origin: str
) -> None:
    monkeypatch.setenv("ASSETMAP_EMBED_ORIGINS", json.dumps([origin]))

    with pytest.raises(ValidationError, match="embed_origins"):
        ApiSettings()


def test_the_accessibility_checker_is_for_the_tests_and_never_served(client: TestClient) -> None:
    """axe-core is installed with the front-end libraries (a development dependency) for the
    browser tests to put into pages; no page loads it and the app serves no copy."""
    page = client.get("/")

    assert "axe-core" not in page.text and "axe.min.js" not in page.text
    for url in ("/static/vendor/axe-core/axe.min.js", "/static/vendor/axe/axe.min.js"):
        assert client.get(url).status_code == 404
