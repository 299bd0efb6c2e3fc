"""Leaflet and its plugins, installed from the npm registry by the set-up (package.json and
its lockfile) and served by the app under /static/vendor, so pages and maps work on a
network with no open internet."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from app.settings import PROJECT_ROOT

VENDOR_PATH = "/static/vendor"
# the service's own scripts and styles
PAGE_PATH = "/static/app"
PAGE_FILES = PROJECT_ROOT / "app" / "web" / "static"
NODE_MODULES = PROJECT_ROOT / "node_modules"
# URL folder under VENDOR_PATH -> the package's distribution folder
PACKAGES = {
    "leaflet": NODE_MODULES / "leaflet" / "dist",
    "leaflet.markercluster": NODE_MODULES / "leaflet.markercluster" / "dist",
    # folium's popups are built with jQuery
    "jquery": NODE_MODULES / "jquery" / "dist",
    # the API's interactive documentation at /docs
    "swagger-ui": NODE_MODULES / "swagger-ui-dist",
    # the systems leadership network's page draws its graph with Cytoscape.js
    "cytoscape": NODE_MODULES / "cytoscape" / "dist",
}


def add_docs(app: FastAPI) -> None:
    """The API's interactive documentation at /docs, Swagger UI served from the app (make the
    app with `docs_url=None`); "Authorize" signs in through POST /auth/token."""
    swagger = f"{VENDOR_PATH}/swagger-ui"

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title}: the API",
            swagger_js_url=f"{swagger}/swagger-ui-bundle.js",
            swagger_css_url=f"{swagger}/swagger-ui.css",
            swagger_favicon_url=f"{swagger}/favicon-32x32.png",
            oauth2_redirect_url="/docs/oauth2-redirect",
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    async def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()


def mount(app: FastAPI) -> None:
    """Serve each package's files at /static/vendor/<package>/..., and the page's own at
    /static/app/..."""
    app.mount(PAGE_PATH, StaticFiles(directory=PAGE_FILES), name="page")
    for name, folder in PACKAGES.items():
        # check_dir=False: the app still starts before `npm ci` has run; the files 404
        files = StaticFiles(directory=folder, check_dir=False)
        app.mount(f"{VENDOR_PATH}/{name}", files, name=f"vendor-{name}")
