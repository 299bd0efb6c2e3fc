"""`GET /assets?bbox=...&limit=100` against the same query as raw SQL through the driver.

On 100,000 generated assets: requests per second of the HTTP API (a real uvicorn, one
client on one keep-alive connection) and of the identical SQL sent with psycopg, asked in
turns, and their ratio. Run with `make bench` (or `python -m bench.assets_bbox`).
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg

from app.api.public_reads import compiled
from app.domain.asset_search import AssetFilter, search_statement
from bench.common import BENCH_BOX, bench_database, running_service

ASSETS = 100_000
REQUESTS = 1_000
BOX_DEGREES = 0.3  # about 20 x 33 km: several hundred assets, so `limit` cuts every page
ROUNDS = 5
Box = tuple[float, float, float, float]


def bboxes(count: int) -> list[Box]:
    rng = random.Random(1)
    minlon, minlat, maxlon, maxlat = BENCH_BOX
    boxes = []
    for _ in range(count):
        lon = rng.uniform(minlon, maxlon - BOX_DEGREES)
        lat = rng.uniform(minlat, maxlat - BOX_DEGREES)
        boxes.append((lon, lat, lon + BOX_DEGREES, lat + BOX_DEGREES))
    return boxes


def raw_sql() -> tuple[str, dict[str, Any]]:
    """The SQL the API runs for a bbox page, with psycopg placeholders, and its parameters
    (the bbox ones named minlon, minlat, maxlon, maxlat)."""
    wanted = AssetFilter(bbox=(0.0, 0.0, 1.0, 1.0))
    query, params = search_statement(wanted, 100, None)
    sql, constants = compiled(query)
    return sql, constants | params


def main() -> None:
    url = bench_database("assetmap_bench", ASSETS)
    boxes = bboxes(REQUESTS)
    sql, params = raw_sql()
    bbox_keys = ["minlon", "minlat", "maxlon", "maxlat"]
    libpq = url.replace("postgresql+psycopg://", "postgresql://")

    with (
        psycopg.connect(libpq) as conn,
        running_service(url) as base,
        httpx.Client(base_url=base) as client,
    ):

        def floor(box: Box) -> int:
            return len(
                conn.execute(sql, params | dict(zip(bbox_keys, box, strict=True))).fetchall()
            )

        def api(box: Box) -> bytes:
            response = client.get("/assets", params={"bbox": ",".join(map(str, box)), "limit": 100})
            response.raise_for_status()
            return response.content

        rows = sum(floor(box) for box in boxes[:50]) / 50
        returned = sum(len(json.loads(api(box))["features"]) for box in boxes[:50]) / 50
        # In ROUNDS slices, each of both in turn, so the shared machine's other work weighs
        # on both alike.
        sql_seconds = api_seconds = 0.0
        for turn in range(ROUNDS):
            start = time.perf_counter()
            for box in boxes[turn::ROUNDS]:
                floor(box)
            sql_seconds += time.perf_counter() - start
            start = time.perf_counter()
            for box in boxes[turn::ROUNDS]:
                api(box)
            api_seconds += time.perf_counter() - start

    sql_rate, api_rate = REQUESTS / sql_seconds, REQUESTS / api_seconds
    print(f"{ASSETS:,} assets, {REQUESTS:,} bbox queries of {BOX_DEGREES} deg, limit 100")
    print(f"  raw SQL via psycopg : {sql_rate:8.1f} queries/s  ({rows:.0f} rows each)")
    print(f"  GET /assets (HTTP)  : {api_rate:8.1f} requests/s ({returned:.0f} features each)")
    print(f"  API / raw SQL       : {api_rate / sql_rate:8.2f}  (target >= 0.7)")
    print(f"  load average: {' '.join(Path('/proc/loadavg').read_text().split()[:3])} (2 cores)")


if __name__ == "__main__":
    main()
