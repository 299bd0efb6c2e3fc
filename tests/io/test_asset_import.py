"""A council imports the asset files it already holds: every format, repeatable, honest."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from pyproj import Transformer
from shapely.geometry import Point, Polygon, shape
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.errors import Problem
from app.io.area_import import import_postcodes
from app.io.asset_import import import_assets
from app.io.asset_rows import AssetImport
from app.io.sources import SourceError
from app.settings import ApiSettings
from tests.conftest import count_assets, data_path

EXTENT = ApiSettings().service_extent
TO_BNG = Transformer.from_crs(4326, 27700, always_xy=True)
# Three real Trafford places (lon, lat).
PLACES = {
    "Stretford Library": (-2.3157, 53.4466),
    "Sale Waterside": (-2.3183, 53.4250),
    "Urmston Market": (-2.3541, 53.4488),
}


def _frame(crs: int = 4326) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {"ref": ["A1", "A2", "A3"], "Name": list(PLACES), "Telephone": ["0161 1", None, None]},
        geometry=[Point(xy) for xy in PLACES.values()],
        crs=4326,
    )
    return frame.to_crs(crs)


def _stored(session: Session, source: str) -> dict[str, tuple[float, float]]:
    rows = session.execute(
        text("SELECT name, ST_X(geom), ST_Y(geom) FROM asset WHERE source = :s"), {"s": source}
    ).all()
    return {name: (x, y) for name, x, y in rows}


PLAN = AssetImport(kind="physical", source="council", ref_fields=["ref"])


@pytest.mark.parametrize(
    ("suffix", "driver"),
    [(".geojson", "GeoJSON"), (".gpkg", "GPKG"), (".shp", "ESRI Shapefile")],
)
def test_each_spatial_format_imports_the_same_assets(
    session: Session, tmp_path: Path, suffix: str, driver: str
) -> None:
    path = tmp_path / f"assets{suffix}"
    _frame().to_file(path, driver=driver)

    report = import_assets(session, path, PLAN, EXTENT)

    assert (report.inserted, report.rejected) == (3, 0)
    stored = _stored(session, "council")
    for name, (lon, lat) in PLACES.items():
        assert stored[name] == pytest.approx((lon, lat), abs=1e-9)


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson"])
def test_british_national_grid_is_reprojected(
    session: Session, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"bng{suffix}"
    _frame(27700).to_file(path)  # an old-style GeoJSON names its CRS in a `crs` member

    import_assets(session, path, PLAN, EXTENT)

    stored = _stored(session, "council")
    for name, (lon, lat) in PLACES.items():
        x, y = TO_BNG.transform(*stored[name])
        expected_x, expected_y = TO_BNG.transform(lon, lat)
        assert abs(x - expected_x) < 0.001 and abs(y - expected_y) < 0.001


def test_polygons_keep_their_footprint_with_a_point_inside(
    session: Session, tmp_path: Path
) -> None:
    hall = Polygon(
        [
            (-2.3160, 53.4460),
            (-2.3150, 53.4460),
            (-2.3150, 53.4470),
            (-2.3155, 53.4465),
            (-2.3160, 53.4470),
        ]
    )
    path = tmp_path / "halls.geojson"
    gpd.GeoDataFrame(
        {"ref": ["H1"], "name": ["Stretford Hall"]}, geometry=[hall], crs=4326
    ).to_file(path)

    import_assets(session, path, PLAN, EXTENT)

    footprint, point = session.execute(
        text(
            "SELECT ST_AsGeoJSON(footprint), ST_AsGeoJSON(geom) FROM asset WHERE source_ref = 'H1'"
        )
    ).one()
    assert shape(json.loads(footprint)).equals(hall)
    assert hall.contains(shape(json.loads(point)))


def test_csv_with_lon_lat_columns(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "assets.csv"
    lines = ["id,title,longitude,latitude,email"]
    lines += [
        f"{i},{name},{lon},{lat},info@example.org"
        for i, (name, (lon, lat)) in enumerate(PLACES.items())
    ]
    path.write_text("\n".join(lines) + "\n")
    plan = AssetImport(
        kind="physical",
        source="csv",
        ref_fields=["id"],
        lon_field="longitude",
        lat_field="latitude",
    )

    report = import_assets(session, path, plan, EXTENT)

    assert report.inserted == 3
    assert set(_stored(session, "csv")) == set(PLACES)
    contact = session.scalar(text("SELECT contact FROM asset WHERE source = 'csv' LIMIT 1"))
    assert contact == {"email": "info@example.org"}


def test_csv_geocoded_by_postcode(session: Session, tmp_path: Path) -> None:
    import_postcodes(session, data_path("postcodes.csv"), EXTENT)
    path = tmp_path / "charities.csv"
    path.write_text(
        "number,name,postcode\n"
        "1,Sale Crafters,m33 7ZF\n"  # lower case, as people type it
        "2,Faraway Friends,SW1A 1AA\n"  # a real postcode, but not in the lookup
    )
    expected = session.execute(
        text("SELECT ST_X(geom), ST_Y(geom) FROM postcode WHERE postcode = 'M33 7ZF'")
    ).one()
    plan = AssetImport(kind="association", source="pc", ref_fields=["number"])

    report = import_assets(session, path, plan, EXTENT)

    assert (report.inserted, report.rejected) == (1, 1)
    assert _stored(session, "pc")["Sale Crafters"] == tuple(expected)
    assert report.rejects[0].row == 2
    assert report.rejects[0].reason == "unknown postcode SW1A 1AA"
    assert report.rejects[0].original["name"] == "Faraway Friends"


def test_good_rows_go_in_and_bad_rows_are_reported(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(
        "id,name,lon,lat,reach_m,outcomes\n"
        "1,Good one,-2.31,53.44,500,social-connection\n"
        "2,,-2.31,53.44,,\n"
        "3,Swapped,53.44,-2.31,,\n"
        "4,Nowhere,,,,\n"
        "5,Bad reach,-2.31,53.44,-3,\n"
        "6,Bad outcome,-2.31,53.44,,happiness\n"
        "7,Not a number,-2.31,north,,\n"
        "1,Same id again,-2.32,53.45,,\n"
        ",No id,-2.31,53.44,,\n"
        "10,Good two,-2.32,53.45,,health-wellbeing\n"
    )
    plan = AssetImport(
        kind="association", source="mixed", ref_fields=["id"], lon_field="lon", lat_field="lat"
    )

    report = import_assets(session, path, plan, EXTENT)

    assert (report.inserted, report.updated, report.unchanged) == (2, 0, 0)
    reasons = {reject.row: reject.reason for reject in report.rejects}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7, 8, 9]
    assert "name" in reasons[2]
    assert "extent" in reasons[3]
    assert reasons[4] == "no geometry and no postcode"
    assert "reach_m" in reasons[5]
    assert "happiness" in reasons[6]
    assert "not numbers" in reasons[7]
    assert reasons[8].startswith("duplicate source_ref") and "row 1" in reasons[8]
    assert "source_ref" in reasons[9]
    assert report.rejected == 8
    assert set(_stored(session, "mixed")) == {"Good one", "Good two"}


def test_atomic_takes_all_rows_or_none(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text("id,name,lon,lat\n1,Good,-2.31,53.44\n2,,-2.31,53.44\n")
    plan = AssetImport(
        kind="association",
        source="atomic",
        ref_fields=["id"],
        lon_field="lon",
        lat_field="lat",
        atomic=True,
    )

    report = import_assets(session, path, plan, EXTENT)

    assert not report.committed
    assert (report.inserted, report.rejected) == (0, 1)
    assert _stored(session, "atomic") == {}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.geojson", '{"type": "FeatureCollection", "features": [{"type": ', "GeoJSON"),
        ("broken.gpkg", "not a GeoPackage at all", "GDAL"),
        ("ragged.csv", "id,name,lon,lat\n1,A,-2.3,53.4,extra,more\n", "more values"),
        ("latin1.csv", "id,name\n1,Caf\xe9\n", "UTF-8"),
        ("missing.geojson", None, "no such file"),
    ],
)
def test_a_malformed_file_is_a_clear_error_and_writes_nothing(
    session: Session, tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content.encode("latin-1"))
    plan = (
        AssetImport(
            kind="physical", source="bad", ref_fields=["id"], lon_field="lon", lat_field="lat"
        )
        if name.endswith(".csv")
        else PLAN
    )
    before = count_assets(session)

    with pytest.raises((SourceError, Problem), match=message), session.begin_nested():
        import_assets(session, path, plan, EXTENT)

    assert count_assets(session) == before


def test_a_plan_that_does_not_fit_the_file_is_refused(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "assets.geojson"
    _frame().to_file(path)

    for plan, field in [
        (AssetImport(kind="physical", source="x", ref_fields=["nope"]), "ref_field"),
        (AssetImport(kind="physical", source="x", mapping={"name": "nope"}), "map"),
        (AssetImport(kind="physical", source="x", category="gp-practice"), "category"),
        (AssetImport(kind="physical", source="x", category="spaceport"), "category"),
    ]:
        with pytest.raises(Problem) as refused, session.begin_nested():
            import_assets(session, path, plan, EXTENT)
        assert refused.value.errors[0].field == field


def test_a_second_import_of_the_same_file_changes_nothing(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "assets.geojson"
    _frame().to_file(path)
    import_assets(session, path, PLAN, EXTENT)
    revisions = session.scalar(text("SELECT count(*) FROM asset_revision"))

    again = import_assets(session, path, PLAN, EXTENT)

    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 0)
    assert session.scalar(text("SELECT count(*) FROM asset_revision")) == revisions


def test_a_changed_row_is_updated_and_gets_a_revision(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "assets.geojson"
    frame = _frame()
    frame.to_file(path)
    import_assets(session, path, PLAN, EXTENT)
    frame.loc[1, "Name"] = "Sale Waterside Arts Centre"
    frame.to_file(path)

    report = import_assets(session, path, PLAN, EXTENT)

    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 2)
    version, before, after = session.execute(
        text(
            "SELECT r.version, r.before, r.after FROM asset_revision r JOIN asset a "
            "ON a.id = r.asset_id WHERE a.source_ref = 'A2' AND r.action = 'update'"
        )
    ).one()
    assert version == 2
    assert before == {"name": "Sale Waterside"}
    assert after == {"name": "Sale Waterside Arts Centre"}
