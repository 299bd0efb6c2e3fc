"""Operators check the service is up and which schema it runs."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient

from tests.conftest import alembic_config

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
