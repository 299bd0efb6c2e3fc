"""Importing 100,000 generated point assets from GeoJSON and from CSV, beside
`ogr2ogr -f PostgreSQL` loading the same files in the same run, and the database alone
taking ogr2ogr's rows into the asset table (the floor for any importer into that table),
now and as it was before migration 0014 (a revision row per created asset), in a database
of its own; then 1,000,000 rows, to show peak memory does not grow with the file and each
chunk takes as long at the end of the import as at its start.

Each load runs as its own process (peak memory is that process's maximum resident set);
the import's own rate is its time inside the command (what `assetmap import assets`
prints), its wall rate includes starting Python. The machine may be shared: each database
alone line is the median of three runs, with the spread, and the load average is printed.
Run with `python -m bench.import_assets` (add `--small` to skip the million-row files).

Where a late chunk's time goes (EXPLAIN (ANALYZE, BUFFERS) of the write of chunk 200 of
the million rows, 995,000 assets in the table: 326 MB, its indexes 280 MB, shared_buffers
512 MB): every page it touched was in shared_buffers (95,781 hits, 1 read, against 115,513
hits for chunk 20 of 100,000 rows, which still looked each row up), 316 dirtied; the
insert into asset with its indexes and triggers took 607 ms of its 635 (on a loaded
machine). Its work does not grow with the table; what did was the import's own analyses
at every doubling (0.3 s to 1 s each at 100,000 rows), now made only when the planner's
reckoning of `asset` falls below half the rows written.
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from app.db import make_engine
from app.io.sources import CHUNK_ROWS
from app.settings import PROJECT_ROOT
from bench.common import BENCH_BOX, bench_database, migrated_database

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


def measure(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak resident memory (MB) and standard output of one process."""
    with tempfile.TemporaryFile("w+") as output, tempfile.TemporaryFile("w+") as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=output, stderr=errors, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        output.seek(0)
        errors.seek(0)
        if status != 0:
            raise RuntimeError(f"{command[:4]} failed: {errors.read()}")
        return seconds, usage.ru_maxrss / 1024, output.read()


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


def before_creations_from_the_row() -> str:
    """The revision before the one that reads creations from the row (migration 0014,
    found by its file's name, whatever number it is given)."""
    script = ScriptDirectory.from_config(Config(str(PROJECT_ROOT / "alembic.ini")))
    for found in script.walk_revisions():
        if found.path.endswith("creations_from_the_row.py"):
            assert isinstance(found.down_revision, str)
            return found.down_revision
    raise LookupError("no migration creations_from_the_row")


def database_alone(url: str, runs: int = 3) -> list[float]:
    """Seconds for the database alone to take the rows ogr2ogr loaded into the asset table,
    in one INSERT ... SELECT, `runs` times: no file to read, no row to check, no round
    trip. What any import into this table, with its indexes, triggers and revisions,
    cannot beat."""
    engine = make_engine(url, pool_size=1)
    times = []
    for _ in range(runs):
        empty_assets(engine)
        with engine.begin() as conn:
            start = time.perf_counter()
            conn.execute(
                text(
                    "INSERT INTO asset (name, kind, geom, public_geom, address, contact, "
                    "                   source, source_ref, status) "
                    "SELECT name, 'physical', geom, geom, address, "
                    "       jsonb_build_object('phone', telephone), 'bench-import', ref, "
                    "       'published' FROM ogr_bench"
                )
            )
            times.append(time.perf_counter() - start)
    empty_assets(engine)
    engine.dispose()
    return times


def empty_assets(engine: Engine) -> None:
    """No assets, and so no revisions nor changes (they go with their asset)."""
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE asset RESTART IDENTITY CASCADE"))
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM asset"))


def empty(url: str) -> None:
    engine = make_engine(url, pool_size=1)
    empty_assets(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS ogr_bench"))
    engine.dispose()


# What `assetmap import assets` prints after its report.
IMPORTED = re.compile(
    r"(?P<rows>\d+) rows in (?P<seconds>[\d.]+) s; (?P<chunks>\d+) chunks written, seconds "
    r"per chunk: min (?P<min>[\d.]+), median (?P<median>[\d.]+), max (?P<max>[\d.]+); "
    r"first tenth (?P<first>[\d.]+), last tenth (?P<last>[\d.]+)"
)


def spread(rates: list[float]) -> str:
    """Rates (rows/s) as their median, with the lowest and highest."""
    return f"{statistics.median(rates):10,.0f}   ({min(rates):,.0f} to {max(rates):,.0f})"


def main() -> None:
    url = bench_database("assetmap_bench_import", 0)
    before = migrated_database("assetmap_bench_import_before", before_creations_from_the_row())
    env = os.environ | {"DATABASE_URL": url, "PG_USE_COPY": "YES"}
    sizes = [100_000] if "--small" in sys.argv else [100_000, 1_000_000]
    print(
        f"load average at the start: {' '.join(f'{n:.1f}' for n in os.getloadavg())} "
        f"on {os.cpu_count()} cores"
    )
    print(f"{'file':28} {'loader':16} {'rows/s':>10} {'peak MB':>9} {'seconds':>8}")
    engine = make_engine(url, pool_size=1)
    alone: list[float] = []
    for rows in sizes:
        for path in generate(rows):
            ogr_rate = None
            if rows == sizes[0]:
                empty(url)
                seconds, peak, _ = measure(ogr2ogr(path, url), env)
                ogr_rate = rows / seconds
                print(f"{path.name:28} {'ogr2ogr':16} {ogr_rate:10,.0f} {peak:9.0f} {seconds:8.1f}")
            if not alone:
                empty(before)
                measure(ogr2ogr(path, before), env)
                then = [rows / t for t in database_alone(before)]
                alone = [rows / t for t in database_alone(url)]
                print(
                    f"{'database alone':28} {'before 0014':16} {spread(then)}"
                    "   INSERT ... SELECT of ogr2ogr's rows, a revision per created row"
                )
                print(
                    f"{'database alone':28} {'now':16} {spread(alone)}"
                    "   target >= 40,000; now / before: "
                    f"{statistics.median(alone) / statistics.median(then):.2f}"
                )
            empty_assets(engine)
            seconds, peak, output = measure(ours(path, env), env)
            found = IMPORTED.search(output)
            if found is None:
                raise RuntimeError(f"the import printed no timings: {output}")
            own = int(found["rows"]) / float(found["seconds"])
            print(
                f"{path.name:28} {'assetmap':16} {rows / seconds:10,.0f} {peak:9.0f} "
                f"{seconds:8.1f}   wall; its own {own:,.0f} rows/s"
            )
            if ogr_rate is not None:
                print(
                    f"{'':28} {'ratio':16} {own / statistics.median(alone):10.2f}"
                    "   its own / database alone (target >= 0.8); its own / ogr2ogr: "
                    f"{own / ogr_rate:.2f}"
                )
                pace = CHUNK_ROWS / float(found["median"])
                print(
                    f"{'':28} {'ceiling':16} {pace / statistics.median(alone):10.2f}"
                    "   its database thread's own pace (rows per median chunk's seconds) /"
                    " database alone: the most the import reaches, its reading wholly"
                    " overlapped"
                )
            print(
                f"{'':28} {'per chunk':16} {found['chunks']:>10} chunks of {CHUNK_ROWS:,} rows, "
                f"seconds: min {found['min']}, median {found['median']}, max {found['max']}; "
                f"median of the first tenth {found['first']}, of the last {found['last']}"
            )
    engine.dispose()
    empty(url)
    empty(before)
    print(f"load average at the end: {' '.join(f'{n:.1f}' for n in os.getloadavg())}")


if __name__ == "__main__":
    main()
