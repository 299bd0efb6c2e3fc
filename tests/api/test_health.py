"""Operators check the service is up and which schema it runs."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import DatabaseSettings
from tests.conftest import alembic_config, create_database, drop_database

HEAD = ScriptDirectory.from_config(alembic_config("")).get_current_head()


def test_health_reports_postgis_and_the_schema_revision(client: TestClient) -> None:
    response = client.get("/health")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["postgis"].startswith("3.")
    assert body["schema_revision"] == HEAD


def test_openapi_documents_every_route(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]

    for path in (
        "/health",
        "/assets",
        "/assets/{asset_id}",
        "/areas",
        "/areas/{code}",
        "/areas/{code}/assets",
        "/taxonomy",
        "/outcomes",
    ):
        assert path in paths


def test_health_is_503_on_a_database_without_the_schema(base_url: str) -> None:
    url = create_database(base_url, "assetmap_unmigrated")
    try:
        with TestClient(create_app(DatabaseSettings(url=url))) as client:
            response = client.get("/health")
    finally:
        drop_database(url)

    assert response.status_code == 503
    assert response.json()["database"] == "ok"
    assert "migrate" in response.json()["detail"]


def test_health_is_503_when_the_database_is_unreachable(base_url: str) -> None:
    nowhere = base_url.rsplit("@", 1)[0] + "@127.0.0.1:1/assetmap"

    with TestClient(create_app(DatabaseSettings(url=nowhere))) as client:
        response = client.get("/health")

    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    assert "Traceback" not in response.text
