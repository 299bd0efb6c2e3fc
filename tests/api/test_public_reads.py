"""The public reads' fast path (app.api.public_reads): a reader who sends no credentials gets
the very answer a signed-in one gets through the full path, from the real server's pool as
from the test client; pages of items are planned with their own bbox each time."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import httpx
import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import exc as sql_errors
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.api import public_reads
from app.api.public_reads import DriverReads, Row, asset_page, asset_tile, compiled
from app.db import connect_args, make_engine
from app.domain.asset_search import AssetFilter, AssetMatch, search_statement
from app.domain.paging import Page
from app.domain.tiles import Tile
from app.sql import statement
from tests.conftest import bearer, in_a_loop_of_its_own

# Stretford and Sale, in Trafford: most of the demo locality's assets.
TRAFFORD_BOX = "-2.40,53.40,-2.25,53.48"
SEARCHES = [
    f"/assets?bbox={TRAFFORD_BOX}&limit=7",
    "/assets?kind=institution&limit=5",
    "/assets?q=library&limit=50",
    "/assets?near=-2.3096,53.4461&within_m=1500&limit=4",
    "/assets?category=gp-practice&limit=3",
]


def _followed(client: TestClient | httpx.Client, url: str, **headers: str) -> list[Any]:
    """Every page of a search, following `next` links, as (status, body without links)."""
    pages = []
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        links = {link["rel"]: link["href"] for link in body.pop("links")}
        pages.append(body)
        after = urlsplit(links.get("next", "")).query
        url = f"{urlsplit(url).path}?{after}" if after else ""
    return pages


@pytest.mark.parametrize("search", SEARCHES)
def test_an_anonymous_search_answers_as_a_signed_in_readers_does(
    demo_client: TestClient, demo_session: Session, search: str
) -> None:
    reader = bearer(demo_session, "reader@example.org", "contributor")

    anonymous = _followed(demo_client, search)
    signed_in = _followed(demo_client, search, **reader)

    assert anonymous == signed_in
    assert sum(page["numberReturned"] for page in anonymous) > 0


def test_the_real_servers_pool_answers_as_the_full_path_does(
    demo_server: str, demo_client: TestClient, demo_session: Session
) -> None:
    reader = bearer(demo_session, "reader@example.org", "contributor")
    items = f"/ogc/collections/assets/items?bbox={TRAFFORD_BOX}&limit=6"
    filtered = "/ogc/collections/assets/items?filter=kind%3D'institution'&limit=5"
    with httpx.Client(base_url=demo_server) as server:
        for search in SEARCHES:
            assert _followed(server, search) == _followed(demo_client, search, **reader), search
        assert _followed(server, items) == _followed(demo_client, items)
        assert _followed(server, filtered) == _followed(demo_client, filtered)
        tile = "/ogc/collections/assets/tiles/WebMercatorQuad/14/8086/5303?filter=kind<>'physical'"
        served, tested = server.get(tile), demo_client.get(tile)
    assert served.status_code == tested.status_code == 200
    assert served.headers["etag"] == tested.headers["etag"]
    assert mapbox_vector_tile.decode(served.content) == mapbox_vector_tile.decode(tested.content)
    assert mapbox_vector_tile.decode(served.content)["assets"]["features"]


def test_a_token_that_is_not_known_is_refused_not_read_as_anonymous(
    demo_client: TestClient,
) -> None:
    refused = demo_client.get("/assets?limit=1", headers={"Authorization": "Bearer nonsense"})
    malformed = demo_client.get("/assets?limit=1", headers={"Authorization": "Basic eDp5"})

    for response in (refused, malformed):
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.headers["content-type"] == "application/problem+json"


def test_only_admins_list_pending_assets_on_the_fast_path_too(demo_client: TestClient) -> None:
    response = demo_client.get("/assets?status=pending")

    assert response.status_code == 403
    assert response.json()["errors"][0]["field"] == "status"


# Where committed_assets lie: three parks in Stretford, and 1,200 benches in a box of
# Sale.
PARKS = AssetFilter(bbox=(-2.31, 53.44, -2.29, 53.46))
BENCHES_BBOX = {"minlon": -2.33, "minlat": 53.42, "maxlon": -2.32, "maxlat": 53.43}
BENCHES = AssetFilter(bbox=(-2.33, 53.42, -2.32, 53.43))


@pytest.fixture
def committed_assets(database_url: str) -> Iterator[list[int]]:
    """Three parks and 1,200 benches, published and committed in the tests' database (the
    pool's connections see only what is committed), with the table's statistics brought up
    to date; the parks' ids. Removed afterwards."""
    engine = make_engine(database_url, pool_size=1)
    add = (
        "INSERT INTO asset (name, kind, geom, source, source_ref) "
        "SELECT :name || ' ' || n, 'physical', "
        "ST_SetSRID(ST_MakePoint(:lon + n * :step, :lat + (n % 10) * :step), 4326), "
        "'tests', :name || n FROM generate_series(0, :count - 1) AS n RETURNING id"
    )
    with engine.begin() as conn:
        parks = list(
            conn.scalars(
                text(add),
                {"name": "Pool park", "lon": -2.30, "lat": 53.45, "step": 0.001, "count": 3},
            )
        )
        conn.execute(
            text(add),
            {"name": "Bench", "lon": -2.3295, "lat": 53.4205, "step": 0.000007, "count": 1200},
        )
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE asset"))
    yield parks
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM asset WHERE source = 'tests'"))
    engine.dispose()


@pytest.fixture
def pool_reads(database_url: str) -> DriverReads:
    """The fast path's reads, as the service makes them, with one connection at most (its
    tests close it at their end)."""
    return DriverReads(database_url, 1, 5.0, connect_args(5, pooler=False))


class WatchedReads(DriverReads):
    """The service's reads, which also note how each statement was sent: prepared or
    not, and whether it asked for the bbox's estimate."""

    def __init__(self, reads: DriverReads) -> None:
        super().__init__(reads.url, 1, reads.timeout_s, reads.connect_args)
        self.sent: list[tuple[bool | None, bool]] = []

    async def rows(self, sql: str, params: Mapping[str, Any], prepare: bool | None) -> list[Row]:
        self.sent.append((prepare, "_postgis_selectivity" in sql))
        return await super().rows(sql, params, prepare)


def test_a_dense_bbox_is_planned_with_its_values_a_sparse_one_prepared(
    pool_reads: DriverReads, committed_assets: list[int]
) -> None:
    # A prepared statement's generic plan cannot see how many assets a bbox holds: it
    # would sort all 1,200 benches by id to give the first 100.
    dense_reads, sparse_reads = WatchedReads(pool_reads), WatchedReads(pool_reads)

    async def read() -> tuple[Page, Page, float]:
        dense = await asset_page(dense_reads, None, BENCHES, 100, None)  # type: ignore[arg-type]
        sparse = await asset_page(sparse_reads, None, PARKS, 2, None)  # type: ignore[arg-type]
        estimate_sql, _ = compiled(statement("asset_bbox_estimate"))
        ((estimate,),) = await pool_reads.rows(estimate_sql, BENCHES_BBOX, True)
        for reads in (dense_reads, sparse_reads, pool_reads):
            await reads.close()
        return dense, sparse, estimate

    dense, sparse, estimate = in_a_loop_of_its_own(read())

    assert len(dense.features) == 100
    assert json.loads(dense.features[0])["properties"]["name"] == "Bench 0"
    assert json.loads(dense.features[-1])["properties"]["name"] == "Bench 99"
    assert dense.next_cursor is not None
    assert [json.loads(feature)["id"] for feature in sparse.features] == committed_assets[:2]
    assert estimate > 1000
    # asked with the estimate, prepared; then, dense, unnamed
    assert dense_reads.sent == [(True, True), (False, False)]
    assert sparse_reads.sent == [(True, True)]


def test_a_search_of_more_than_a_bbox_is_planned_with_its_values(
    pool_reads: DriverReads, committed_assets: list[int]
) -> None:
    reads = WatchedReads(pool_reads)

    async def read() -> Page:
        page = await asset_page(reads, None, replace(PARKS, kind="physical"), 5, None)  # type: ignore[arg-type]
        await reads.close()
        return page

    page = in_a_loop_of_its_own(read())

    assert [json.loads(feature)["id"] for feature in page.features] == committed_assets
    assert reads.sent == [(False, False)]


def test_tiles_are_prepared_and_hold_what_the_page_does(
    pool_reads: DriverReads, committed_assets: list[int]
) -> None:
    found = "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%%ST_AsMVT(%%'"

    async def read() -> tuple[list[Tile], list[Row]]:
        tiles = [
            await asset_tile(pool_reads, None, 14, 8087, 5302, 100, AssetMatch())  # type: ignore[arg-type]
            for _ in range(8)
        ]
        prepared = await pool_reads.rows(found, {}, False)
        await pool_reads.close()
        return tiles, prepared

    tiles, prepared = in_a_loop_of_its_own(read())

    layer = mapbox_vector_tile.decode(tiles[-1].data)["assets"]
    assert sorted(feature["id"] for feature in layer["features"]) == committed_assets
    assert prepared == [(1,)]


def test_a_connection_the_server_dropped_is_replaced_without_failing_a_read(
    database_url: str, pool_reads: DriverReads, committed_assets: list[int]
) -> None:
    reads = pool_reads
    backend_pid = "SELECT pg_backend_pid()"

    async def read() -> tuple[Page, Page, int, int]:
        before = await asset_page(reads, None, PARKS, 5, None)  # type: ignore[arg-type]
        ((backend,),) = await reads.rows(backend_pid, {}, False)
        other = make_engine(database_url, pool_size=1)
        with other.connect() as conn:
            cut = conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
            assert cut.scalar_one() is True
        other.dispose()
        after = await asset_page(reads, None, PARKS, 5, None)  # type: ignore[arg-type]
        ((replaced,),) = await reads.rows(backend_pid, {}, False)
        await reads.close()
        return before, after, backend, replaced

    before, after, backend, replaced = in_a_loop_of_its_own(read())

    assert replaced != backend
    assert after == before
    assert [json.loads(feature)["id"] for feature in after.features] == committed_assets


def test_a_restart_that_drops_every_kept_connection_fails_no_read(
    database_url: str, pool_reads: DriverReads, committed_assets: list[int]
) -> None:
    """A server restart drops all the kept connections at once: the first read that meets
    a dropped one lets them all go, so neither it nor any read after it fails."""
    reads = DriverReads(pool_reads.url, 3, 5.0, pool_reads.connect_args)
    backend_pid = "SELECT pg_backend_pid(), pg_sleep(0.2)"

    async def read() -> tuple[set[int], list[int]]:
        kept = await asyncio.gather(*(reads.rows(backend_pid, {}, False) for _ in range(3)))
        pids = {rows[0][0] for rows in kept}
        other = make_engine(database_url, pool_size=1)
        with other.connect() as conn:
            for pid in pids:
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        other.dispose()
        after = [(await reads.rows(backend_pid, {}, False))[0][0] for _ in range(3)]
        await reads.close()
        return pids, after

    pids, after = in_a_loop_of_its_own(read())

    assert len(pids) == 3
    assert not pids & set(after)


def test_a_read_waits_for_a_connection_then_gives_a_503_not_a_hang(
    pool_reads: DriverReads, committed_assets: list[int]
) -> None:
    """With every connection busy, a read waits `timeout_s` for one, then fails as the
    engines' pools do (sqlalchemy's TimeoutError, a 503)."""
    reads = DriverReads(pool_reads.url, 1, 0.2, pool_reads.connect_args)

    async def read() -> tuple[list[Row], list[Row] | BaseException]:
        busy = asyncio.create_task(reads.rows("SELECT pg_sleep(1.5), 1", {}, False))
        await asyncio.sleep(0.3)  # the one connection is now busy
        waited = await asyncio.gather(reads.rows("SELECT 2", {}, False), return_exceptions=True)
        done = await busy
        await reads.close()
        return done, waited[0]

    done, refused = in_a_loop_of_its_own(read())

    assert done[0][1] == 1
    assert isinstance(refused, sql_errors.TimeoutError)


@pytest.mark.fast
def test_searches_of_one_shape_share_one_statement_compiled_once() -> None:
    """Each page of a bbox is compiled once per query shape, not per request: a statement
    built anew each time would be compiled on every request and kept for ever."""
    stretford = AssetFilter(bbox=(-2.33, 53.44, -2.30, 53.46))
    sale = AssetFilter(bbox=(-2.34, 53.41, -2.30, 53.43))
    first, first_params = search_statement(stretford, 100, None)
    second, second_params = search_statement(sale, 100, None)
    kept = len(public_reads._compiled)
    compiled(first)
    compiled(second)

    assert first is second
    assert first_params["minlat"] != second_params["minlat"]
    assert len(public_reads._compiled) <= kept + 1
