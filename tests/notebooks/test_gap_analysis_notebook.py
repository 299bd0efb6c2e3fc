"""The analysts' notebook runs top to bottom against a running service, with no network,
and the figures it prints are the service's."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import httpx
import nbformat
import pytest
from nbclient import NotebookClient

from app.settings import PROJECT_ROOT

NOTEBOOK = PROJECT_ROOT / "notebooks" / "gap_analysis.ipynb"


def _printed(notebook: nbformat.NotebookNode) -> str:
    return "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("name") == "stdout"
    )


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def test_the_notebook_runs_and_reports_the_services_figures(
    demo_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert NOTEBOOK.stat().st_size < 1_000_000
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
    monkeypatch.setenv("ASSETMAP_URL", demo_server)
    monkeypatch.setenv("ASSETMAP_NOTEBOOK_OUTPUT", str(tmp_path))

    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    ).execute()  # raises on any cell's error

    printed = _printed(notebook)
    gp = httpx.get(
        f"{demo_server}/gaps",
        params={"within": "E08000009", "category": "gp-practice", "distance_m": 1000},
    ).json()["summary"]
    found = re.search(r"GP practice within 1 km: ([\d,]+) people uncovered", printed)
    assert found is not None
    assert _number(found.group(1)) == gp["population_total"] - gp["population_covered"]

    where = httpx.post(
        f"{demo_server}/gaps/suggestions",
        json={
            "within": "E08000009",
            "category": "food-bank",
            "distance_m": 2000,
            "k": 2,
            "weight": "need",
        },
    ).json()
    found = re.search(r"two more food banks would bring ([\d,]+) more people", printed)
    assert found is not None
    assert _number(found.group(1)) == round(where["people"]["newly_covered"])

    difference = re.search(r"between the service and PySAL: ([\d.e+-]+)", printed)
    assert difference is not None and float(difference.group(1)) < 1e-9

    written = {path.name for path in tmp_path.iterdir()}
    assert {
        "gp_gaps.geojson",
        "gaps.gpkg",
        "gp_gaps_map.html",
        "uncovered_by_decile.png",
    } <= written
    layers = gpd.list_layers(tmp_path / "gaps.gpkg")["name"].tolist()
    assert set(layers) == {"gp_practice_1km", "food_bank_2km", "suggested_food_banks"}
    page = (tmp_path / "gp_gaps_map.html").read_text()
    assert not re.search(r"https?://(?!127\.0\.0\.1)", page)  # no CDN: Leaflet from the service
