"""Neighbourhoods, need indicators and postcodes come in from the files ONS publishes."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Polygon, shape
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.errors import Problem
from app.io.area_import import ParentLookup, import_areas, import_indicators, import_postcodes
from app.settings import ApiSettings
from tests.conftest import data_path

EXTENT = ApiSettings().service_extent


def _area(session: Session, code: str) -> dict[str, object]:
    row = session.execute(
        text(
            "SELECT name, level, parent_code, population, indicators, ST_AsGeoJSON(geom) AS geom, "
            "ST_IsValid(geom) AS valid FROM area WHERE code = :code"
        ),
        {"code": code},
    ).one()
    return dict(row._mapping)


def test_wards_in_british_national_grid_are_reprojected(session: Session, tmp_path: Path) -> None:
    wards = gpd.read_file(data_path("wards2023_boundaries.geojson"))
    path = tmp_path / "wards_bng.gpkg"
    wards.to_crs(27700).to_file(path, driver="GPKG")

    report = import_areas(session, path, "ward", code_field="area_code", name_field="area_name")

    assert (report.inserted, report.rejected) == (21, 0)
    first = wards.iloc[0]
    stored = shape(json.loads(_area(session, first["area_code"])["geom"]))  # type: ignore[arg-type]
    # the same outline, to a centimetre, after the round trip through British National Grid
    assert stored.hausdorff_distance(first.geometry) < 1e-7


def test_invalid_lsoa_polygons_are_repaired_and_reported(session: Session) -> None:
    report = import_areas(
        session,
        data_path("lsoa2011_boundaries.geojson"),
        "lsoa",
        code_field="area_code",
        name_field="area_name",
    )

    assert report.inserted == 138
    repaired = [note for note in report.notes if "repaired" in note]
    assert any("E01006195" in note and "Self-intersection" in note for note in repaired)
    assert _area(session, "E01006195")["valid"] is True


def test_re_import_updates_by_code(session: Session, tmp_path: Path) -> None:
    square = Polygon([(-2.31, 53.44), (-2.30, 53.44), (-2.30, 53.45), (-2.31, 53.45)])
    path = tmp_path / "localities.geojson"
    frame = gpd.GeoDataFrame({"code": ["L1"], "name": ["Stretford"]}, geometry=[square], crs=4326)
    frame.to_file(path)
    import_areas(session, path, "locality")
    frame.loc[0, "name"] = "Stretford and Humphrey Park"
    frame.to_file(path)

    again = import_areas(session, path, "locality")
    same = import_areas(session, path, "locality")

    assert (again.inserted, again.updated) == (0, 1)
    assert (same.inserted, same.updated, same.unchanged) == (0, 0, 1)
    assert _area(session, "L1")["name"] == "Stretford and Humphrey Park"


def test_parents_by_code_by_lookup_and_by_overlap(session: Session, tmp_path: Path) -> None:
    import_areas(
        session,
        data_path("local_authority_boundary.geojson"),
        "local_authority",
        code_field="area_code",
        name_field="area_name",
    )
    import_areas(
        session,
        data_path("wards2023_boundaries.geojson"),
        "ward",
        code_field="area_code",
        name_field="area_name",
        parent="E08000009",
    )
    import_areas(
        session,
        data_path("lsoa2011_boundaries.geojson"),
        "lsoa",
        code_field="area_code",
        name_field="area_name",
        parent_from="ward",
    )
    lookup = tmp_path / "lookup.csv"
    lookup.write_text("lsoa21cd,wd22cd\nE01006108,E05015239\nE01006109,E09999999\n")
    two = gpd.read_file(data_path("lsoa2011_boundaries.geojson"))
    two = two[two.area_code.isin(["E01006108", "E01006109"])]
    subset = tmp_path / "two.geojson"
    two.to_file(subset)

    report = import_areas(
        session,
        subset,
        "lsoa",
        code_field="area_code",
        name_field="area_name",
        parent_lookup=ParentLookup(lookup, "lsoa21cd", "wd22cd"),
    )

    assert _area(session, "E05015239")["parent_code"] == "E08000009"
    assert _area(session, "E01006108")["parent_code"] == "E05015239"
    assert [r.reason for r in report.rejects] == ["parent E09999999 is not a stored area"]
    # overlap: every LSOA has a ward, and it is the ward holding most of the LSOA
    wards = gpd.read_file(data_path("wards2023_boundaries.geojson")).to_crs(27700)
    lsoas = gpd.read_file(data_path("lsoa2011_boundaries.geojson")).to_crs(27700)
    lsoa = lsoas[lsoas.area_code == "E01006187"].geometry.iloc[0].buffer(0)
    overlaps = wards.geometry.intersection(lsoa).area
    expected = wards.area_code.iloc[int(overlaps.argmax())]
    assert _area(session, "E01006187")["parent_code"] == expected
    orphans = session.scalar(
        text("SELECT count(*) FROM area WHERE level = 'lsoa' AND parent_code IS NULL")
    )
    assert orphans == 0


def test_a_parent_that_is_not_stored_is_refused(session: Session) -> None:
    with pytest.raises(Problem) as refused:
        import_areas(
            session,
            data_path("wards2023_boundaries.geojson"),
            "ward",
            code_field="area_code",
            parent="E08999999",
        )
    assert refused.value.errors[0].field == "parent"


def test_indicators_join_by_code_and_report_codes_that_match_nothing(
    session: Session, tmp_path: Path
) -> None:
    import_areas(
        session,
        data_path("lsoa2011_boundaries.geojson"),
        "lsoa",
        code_field="area_code",
        name_field="area_name",
    )
    csv_path = tmp_path / "imd.csv"
    csv_path.write_text(
        data_path("imd2019_lsoa2011.csv").read_text()
        + "E,E01999999,12.5,1,1,12.5,5,5,1.0,5,3\n"
        + "E,E01006108,not-a-number,1,1,1,1,1,1,1,1\n"
    )

    report = import_indicators(
        session,
        csv_path,
        key="lsoa",
        columns={"imd_score": "overall_local_score", "imd_decile": "original_decile"},
        year=2019,
        source="MHCLG",
    )

    assert report.updated == 138
    assert [(r.row, r.reason) for r in report.rejects] == [
        (139, "no area has code 'E01999999'"),
        (140, "overall_local_score: 'not-a-number' is not a number"),
    ]
    indicators = _area(session, "E01006108")["indicators"]
    assert indicators == {  # the published figures for E01006108
        "imd_score": {"value": 65.582, "year": 2019, "source": "MHCLG"},
        "imd_decile": {"value": 1.0, "year": 2019, "source": "MHCLG"},
    }


def test_population_fills_the_area_population(session: Session) -> None:
    import_areas(
        session,
        data_path("lsoa2011_boundaries.geojson"),
        "lsoa",
        code_field="area_code",
        name_field="area_name",
    )

    report = import_indicators(
        session,
        data_path("population2019_lsoa2011.csv"),
        key="lsoa",
        columns={"population": "pop"},
        year=2019,
    )

    assert (report.updated, report.rejected) == (138, 0)
    total = session.scalar(text("SELECT sum(population) FROM area WHERE level = 'lsoa'"))
    assert total == 237_354  # the published Trafford total


def test_postcodes_are_normalised_and_bad_ones_reported(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "postcodes.csv"
    path.write_text(
        "postcode,lon,lat,lsoa_code\n"
        "m32  0jt,-2.3105,53.4486,E01006187\n"
        "NOT A CODE,-2.3,53.4,\n"
        "M33 7ZF,,,\n"
        "M41 0AA,2.3,-53.4,\n"
    )

    report = import_postcodes(session, path, EXTENT)

    assert report.inserted == 1
    assert [r.row for r in report.rejects] == [2, 3, 4]
    stored = session.execute(text("SELECT postcode, lsoa_code FROM postcode")).all()
    assert [tuple(row) for row in stored] == [("M32 0JT", "E01006187")]
