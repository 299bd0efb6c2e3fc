"""Trafford's demo files read straight from `data/` with geopandas, in British National
Grid: the independent side of the gap analysis tests."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from tests.conftest import data_path

BNG = 27700


def lsoas() -> gpd.GeoDataFrame:
    """The 138 LSOA 2011 polygons by code, with 2019 population and IMD 2019 decile."""
    areas = gpd.read_file(data_path("lsoa2011_boundaries.geojson")).to_crs(BNG)
    population = pd.read_csv(data_path("population2019_lsoa2011.csv")).set_index("lsoa")["pop"]
    imd = pd.read_csv(data_path("imd2019_lsoa2011.csv")).set_index("lsoa")
    areas["population"] = areas["area_code"].map(population)
    areas["imd_decile"] = areas["area_code"].map(imd["original_decile"])
    return areas.set_index("area_code").sort_index()


def assets(name: str) -> gpd.GeoSeries:
    """The points of one demo asset file, e.g. `gp_practices`."""
    frame = gpd.read_file(data_path("assets", f"{name}.geojson")).to_crs(BNG)
    return frame.geometry


def postcodes() -> gpd.GeoDataFrame:
    frame = pd.read_csv(data_path("postcodes.csv"))
    points = gpd.points_from_xy(frame["lon"], frame["lat"], crs=4326)
    return gpd.GeoDataFrame(frame[["postcode"]], geometry=points).to_crs(BNG)
