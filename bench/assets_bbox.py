"""`GET /assets?bbox=...&limit=100` against the same query as raw SQL through the driver.

On 100,000 generated assets: requests per second of the HTTP API (a real uvicorn, one
client on one keep-alive connection) and of the identical SQL sent with psycopg, and their
ratio. Run with `make bench` (or `python -m bench.assets_bbox`).
"""

from __future__ import annotations

import random
import time
from typing import Any

import httpx
import psycopg

from app.api.public_reads import compiled
from app.domain.asset_search import AssetFilter, search_statement
from bench.common import BENCH_BOX, bench_database, running_service

ASSETS = 100_000
REQUESTS = 1_000
BOX_DEGREES = 0.3  # about 20 x 33 km: several hundred assets, so `limit` cuts every page


def bboxes(count: int) -> list[tuple[float, float, float, float]]:
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
    with psycopg.connect(libpq) as conn:
        for box in boxes[:50]:
            conn.execute(sql, params | dict(zip(bbox_keys, box, strict=True))).fetchall()
        start = time.perf_counter()
        rows = 0
        for box in boxes:
            rows += len(
                conn.execute(sql, params | dict(zip(bbox_keys, box, strict=True))).fetchall()
            )
        sql_seconds = time.perf_counter() - start

    with running_service(url) as base, httpx.Client(base_url=base) as client:
        for box in boxes[:50]:
            client.get("/assets", params={"bbox": ",".join(map(str, box)), "limit": 100})
        start = time.perf_counter()
        returned = 0
        for box in boxes:
            response = client.get("/assets", params={"bbox": ",".join(map(str, box)), "limit": 100})
            response.raise_for_status()
            returned += response.json()["numberReturned"]
        api_seconds = time.perf_counter() - start

    sql_rate, api_rate = REQUESTS / sql_seconds, REQUESTS / api_seconds
    print(f"{ASSETS:,} assets, {REQUESTS:,} bbox queries of {BOX_DEGREES} deg, limit 100")
    print(f"  raw SQL via psycopg : {sql_rate:8.1f} queries/s  ({rows / REQUESTS:.0f} rows each)")
    print(
        f"  GET /assets (HTTP)  : {api_rate:8.1f} requests/s ({returned / REQUESTS:.0f} features"
        " each)"
    )
    print(f"  API / raw SQL       : {api_rate / sql_rate:8.2f}  (target >= 0.7)")


if __name__ == "__main__":
    main()
