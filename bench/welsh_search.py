"""What Welsh search costs (migration 0015's expression index `asset_words_idx`): inserting
generated assets with Welsh and English names and descriptions with the index, beside the
same insert with it dropped (the baseline, in the same run, rolled back each time); the
index's size beside the English `asset_search_idx`'s; and a search of the words typed so far
through it.

    python -m bench.welsh_search [--assets 50000] [--runs 3]

The machine is shared and noisy: read the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, text

from app.db import make_engine
from bench.common import drop_database, migrated_database, timed

DATABASE = "assetmap_bench_welsh"
# Welsh and English words the generated names and descriptions are made of.
WORDS = (
    "Llyfrgell",
    "Canolfan",
    "Gymunedol",
    "Tŷ",
    "Hafan",
    "Capel",
    "Seion",
    "Côr",
    "Neuadd",
    "Pentref",
    "Clwb",
    "Ieuenctid",
    "Gardd",
    "Banc",
    "Bwyd",
    "Caffi",
    "Siop",
    "Library",
    "Community",
    "Centre",
    "Food",
    "Bank",
    "Youth",
    "Club",
    "Garden",
    "Hall",
    "Chapel",
    "Choir",
    "Village",
    "Market",
    "Café",
    "Shop",
    "Parc",
    "Afon",
    "Ysgol",
    "Meddygfa",
    "Fferyllfa",
)

INSERT = """
INSERT INTO asset (name, description, kind, geom, source, source_ref)
SELECT w[1 + i % :n] || ' ' || w[1 + (i * 7) % :n] || ' ' || i,
       w[1 + (i * 3) % :n] || ' a ' || w[1 + (i * 5) % :n] || ' i ' || w[1 + (i * 11) % :n],
       'institution',
       ST_SetSRID(ST_MakePoint(-4.0 + (i % 1000) / 1000.0, 52.0 + (i / 1000) / 1000.0), 4326),
       'bench', 'welsh-' || i
  FROM generate_series(1, :assets) AS i, (SELECT CAST(:words AS text[]) AS w) AS words
"""


# The words typed so far, through asset_words_idx; and the English search of whole words.
WELSH_SEARCH = text(
    "SELECT count(*) FROM public_asset AS a WHERE asset_words(a.name, a.description) "
    "@@ to_tsquery('simple', search_fold('llyfr:*'))"
)
ENGLISH_SEARCH = text(
    "SELECT count(*) FROM public_asset AS a "
    "WHERE a.search @@ websearch_to_tsquery('english', 'llyfrgell')"
)
SIZE = text("SELECT pg_relation_size(CAST(:n AS regclass))")


def _searched(conn: Connection, query: Any, runs: int) -> tuple[float, int]:
    """The median seconds of `runs` runs of a counting `query` (after a warm-up), and its
    count."""
    seconds, found = timed(lambda: int(conn.scalar(query) or 0), runs)
    return seconds, found


def _insert(conn: Connection, assets: int) -> float:
    started = time.perf_counter()
    conn.execute(text(INSERT), {"assets": assets, "words": list(WORDS), "n": len(WORDS)})
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--assets", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    drop_database(DATABASE)
    url = migrated_database(DATABASE)
    engine = make_engine(url, pool_size=1)
    try:
        with_index, without = [], []
        for _ in range(args.runs):
            with engine.connect() as conn:
                with conn.begin() as work:
                    with_index.append(_insert(conn, args.assets))
                    work.rollback()
                with conn.begin() as work:
                    conn.execute(text("DROP INDEX asset_words_idx"))
                    without.append(_insert(conn, args.assets))
                    work.rollback()
        with engine.begin() as conn:
            _insert(conn, args.assets)
            conn.execute(text("ANALYZE asset"))
        with engine.connect() as conn:
            sizes = {
                name: conn.scalar(SIZE, {"n": name})
                for name in ("asset_words_idx", "asset_search_idx", "asset")
            }
            prefix_s, prefix_found = _searched(conn, WELSH_SEARCH, max(args.runs, 5))
            english_s, english_found = _searched(conn, ENGLISH_SEARCH, max(args.runs, 5))
        insert_with, insert_without = statistics.median(with_index), statistics.median(without)
        print(f"inserting {args.assets:,} assets, median of {args.runs} (shared, noisy machine):")
        print(f"  with asset_words_idx     {insert_with:8.3f} s")
        print(f"  without it (baseline)    {insert_without:8.3f} s")
        print(f"  ratio                    {insert_with / insert_without:8.2f}x")
        print(f"sizes after {args.assets:,} assets:")
        for name, size in sizes.items():
            print(f"  {name:24} {size / 2**20:8.2f} MiB")
        words, english = sizes["asset_words_idx"], sizes["asset_search_idx"]
        print(f"  asset_words_idx / asset_search_idx {words / english:.2f}x")
        print("searching, median (the English search of the same words is the baseline):")
        print(f"  'llyfr' as a prefix        {prefix_s * 1000:8.1f} ms ({prefix_found:,} found)")
        print(f"  'llyfrgell' in English     {english_s * 1000:8.1f} ms ({english_found:,} found)")
    finally:
        engine.dispose()
        drop_database(DATABASE)


if __name__ == "__main__":
    main()
