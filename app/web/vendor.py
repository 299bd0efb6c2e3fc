"""Leaflet and its plugins, installed from the npm registry by the set-up (package.json and
its lockfile) and served by the app under /static/vendor, so pages and maps work on a
network with no open internet."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.settings import PROJECT_ROOT

VENDOR_PATH = "/static/vendor"
PAGE_FILES = PROJECT_ROOT / "app" / "web" / "static"
NODE_MODULES = PROJECT_ROOT / "node_modules"
# URL folder under VENDOR_PATH -> the package's distribution folder
PACKAGES = {
    "leaflet": NODE_MODULES / "leaflet" / "dist",
    "leaflet.markercluster": NODE_MODULES / "leaflet.markercluster" / "dist",
    # folium's popups are built with jQuery
    "jquery": NODE_MODULES / "jquery" / "dist",
}


def mount(app: FastAPI) -> None:
    """Serve each package's files at /static/vendor/<package>/..., and the page's own at
    /static/app/..."""
    app.mount("/static/app", StaticFiles(directory=PAGE_FILES), name="page")
    for name, folder in PACKAGES.items():
        # check_dir=False: the app still starts before `npm ci` has run; the files 404
        files = StaticFiles(directory=folder, check_dir=False)
        app.mount(f"{VENDOR_PATH}/{name}", files, name=f"vendor-{name}")
