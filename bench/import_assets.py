"""Importing 100,000 generated point assets from GeoJSON and from CSV, beside
`ogr2ogr -f PostgreSQL` loading the same files in the same run, and the database alone
taking ogr2ogr's rows into the asset table (the floor for any importer into that table);
then 1,000,000 rows, to show peak memory does not grow with the file.

Each load runs as its own process (peak memory is that process's maximum resident set).
Run with `python -m bench.import_assets` (add `--small` to skip the million-row files).
"""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from app.db import make_engine
from app.settings import PROJECT_ROOT
from bench.common import BENCH_BOX, bench_database

OUT = PROJECT_ROOT / "bench" / "out"


def generate(rows: int) -> tuple[Path, Path]:
    """GeoJSON and CSV files of `rows` assets with names, postcodes and phones."""
    OUT.mkdir(parents=True, exist_ok=True)
    geojson, csv_path = OUT / f"assets_{rows}.geojson", OUT / f"assets_{rows}.csv"
    if geojson.exists() and csv_path.exists():
        return geojson, csv_path
    rng = random.Random(rows)
    minlon, minlat, maxlon, maxlat = BENCH_BOX
    with geojson.open("w") as gj, csv_path.open("w", newline="") as cf:
        writer = csv.writer(cf)
        writer.writerow(["ref", "name", "address", "telephone", "lon", "lat"])
        gj.write('{"type":"FeatureCollection","features":[\n')
        for i in range(rows):
            lon = round(rng.uniform(minlon, maxlon), 6)
            lat = round(rng.uniform(minlat, maxlat), 6)
            props = {
                "ref": f"R{i}",
                "name": f"Community asset {i}",
                "address": f"{i % 300} High Street",
                "telephone": "0161 000 0000",
            }
            feature = {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            }
            gj.write(("," if i else "") + json.dumps(feature) + "\n")
            writer.writerow(
                [props["ref"], props["name"], props["address"], props["telephone"], lon, lat]
            )
        gj.write("]}\n")
    return geojson, csv_path


def measure(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise RuntimeError(
            f"{command[:4]} failed: {process.stderr.read() if process.stderr else ''}"
        )
    return seconds, usage.ru_maxrss / 1024


def ours(path: Path, env: dict[str, str]) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "app.cli",
        "import",
        "assets",
        str(path),
        "--kind",
        "physical",
        "--source",
        "bench-import",
        "--ref-field",
        "ref",
    ]
    if path.suffix == ".csv":
        command += ["--lon-field", "lon", "--lat-field", "lat"]
    return command


def ogr2ogr(path: Path, url: str) -> list[str]:
    libpq = url.replace("postgresql+psycopg://", "postgresql://")
    command = [
        "ogr2ogr",
        "-f",
        "PostgreSQL",
        f"PG:{libpq}",
        str(path),
        "-nln",
        "ogr_bench",
        "-overwrite",
        "-lco",
        "GEOMETRY_NAME=geom",
        "-lco",
        "SPATIAL_INDEX=GIST",
    ]
    if path.suffix == ".csv":
        command += [
            "-oo",
            "X_POSSIBLE_NAMES=lon",
            "-oo",
            "Y_POSSIBLE_NAMES=lat",
            "-a_srs",
            "EPSG:4326",
        ]
    return command


def database_alone(url: str) -> float:
    """Seconds for the database alone to take the rows ogr2ogr loaded into the asset table,
    in one INSERT ... SELECT: no file to read, no row to check, no round trip. What any
    import into this table, with its indexes, triggers and revisions, cannot beat."""
    engine = make_engine(url, pool_size=1)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE asset, asset_revision RESTART IDENTITY CASCADE"))
    with engine.begin() as conn:
        start = time.perf_counter()
        conn.execute(
            text(
                "INSERT INTO asset (name, kind, geom, public_geom, address, contact, source, "
                "                   source_ref, status) "
                "SELECT name, 'physical', geom, geom, address, "
                "       jsonb_build_object('phone', telephone), 'bench-import', ref, "
                "       'published' FROM ogr_bench"
            )
        )
        seconds = time.perf_counter() - start
    engine.dispose()
    return seconds


def empty(url: str) -> None:
    engine = make_engine(url, pool_size=1)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE asset, asset_revision RESTART IDENTITY CASCADE"))
        conn.execute(text("DROP TABLE IF EXISTS ogr_bench"))
    engine.dispose()


def main() -> None:
    url = bench_database("assetmap_bench_import", 0)
    env = os.environ | {"DATABASE_URL": url, "PG_USE_COPY": "YES"}
    sizes = [100_000] if "--small" in sys.argv else [100_000, 1_000_000]
    print(f"{'file':28} {'loader':10} {'rows/s':>10} {'peak MB':>9} {'seconds':>8}")
    for rows in sizes:
        for path in generate(rows):
            results = {}
            for loader, command in (("assetmap", ours(path, env)), ("ogr2ogr", ogr2ogr(path, url))):
                if rows > 100_000 and loader == "ogr2ogr":
                    continue
                empty(url)
                seconds, peak = measure(command, env)
                results[loader] = rows / seconds
                print(
                    f"{path.name:28} {loader:10} {rows / seconds:10,.0f} {peak:9.0f} "
                    f"{seconds:8.1f}",
                    flush=True,
                )
            if "ogr2ogr" in results:
                seconds = database_alone(url)
                print(
                    f"{path.name:28} {'db alone':10} {rows / seconds:10,.0f} {'':9} "
                    f"{seconds:8.1f}   (INSERT ... SELECT of ogr2ogr's rows into asset)"
                )
                print(
                    f"{'':28} {'ratio':10} {results['assetmap'] / results['ogr2ogr']:10.2f}"
                    "   (assetmap / ogr2ogr); database alone / ogr2ogr: "
                    f"{rows / seconds / results['ogr2ogr']:.2f}"
                )
    empty(url)


if __name__ == "__main__":
    main()
