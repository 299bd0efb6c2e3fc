"""Browsers' protections: pages run only this service's scripts and cannot be framed by
other sites; other sites' pages call the API only from the origins configured."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
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
