"""Maps need Leaflet, and a council laptop may have no open internet: the app serves the
copies the set-up installed from the npm registry, at the versions the lockfile pins."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from app.settings import PROJECT_ROOT

LOCK = json.loads((PROJECT_ROOT / "package-lock.json").read_text())["packages"]


@pytest.mark.parametrize(
    ("url", "package", "media"),
    [
        ("/static/vendor/leaflet/leaflet.js", "leaflet", "javascript"),
        ("/static/vendor/leaflet/leaflet.css", "leaflet", "text/css"),
        ("/static/vendor/leaflet/images/marker-icon.png", "leaflet", "image/png"),
        (
            "/static/vendor/leaflet.markercluster/leaflet.markercluster.js",
            "leaflet.markercluster",
            "javascript",
        ),
        (
            "/static/vendor/leaflet.markercluster/MarkerCluster.Default.css",
            "leaflet.markercluster",
            "text/css",
        ),
        # the network page's graph drawing
        ("/static/vendor/cytoscape/cytoscape.min.js", "cytoscape", "javascript"),
    ],
)
def test_the_app_serves_the_pinned_front_end_libraries(
    client: TestClient, url: str, package: str, media: str
) -> None:
    response = client.get(url)

    assert response.status_code == 200
    assert media in response.headers["content-type"]
    installed = PROJECT_ROOT / "node_modules" / package
    version = json.loads((installed / "package.json").read_text())["version"]
    assert version == LOCK[f"node_modules/{package}"]["version"]
    served = url.removeprefix(f"/static/vendor/{package}/")
    assert response.content == (installed / "dist" / served).read_bytes()


def test_nothing_else_is_served_from_the_packages(client: TestClient) -> None:
    assert client.get("/static/vendor/leaflet/../../package.json").status_code == 404
    assert client.get("/static/vendor/nothing/here.js").status_code == 404


def test_the_api_docs_load_swagger_from_the_app_and_can_sign_in(client: TestClient) -> None:
    docs = client.get("/docs")
    schema = client.get("/openapi.json").json()

    assert docs.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert client.get(f"/static/vendor/swagger-ui/{asset}").status_code == 200
    assert client.get("/docs/oauth2-redirect").status_code == 200
    scheme = schema["components"]["securitySchemes"]["OAuth2PasswordBearer"]
    assert scheme["flows"]["password"]["tokenUrl"] == "/auth/token"
