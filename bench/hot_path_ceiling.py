"""Where a hot path's time goes between the database and the client: the ceiling FastAPI
and uvicorn put on items and tiles, beside the service and the raw SQL floor.

On the 1,000,000 assets of `bench.features_vs_tipg`, in one run, the same requests go to:

- "service": the service (`assetmap serve`, one worker, as `bench.features_vs_tipg` runs it);
- "no middleware": in a second server, the same app without its own middleware (body limit,
  security headers, language) and without uvicorn's access log: the same routes;
- in that second server, routes of its own that read a bbox and a limit, or z/x/y, and
  answer through the service's own code (app.api.public_reads: the same statements, driver
  and pool), the page joined as the service joins it (without its links):
  - "its parameters": a FastAPI route with the service route's own parameters and
    dependencies (its signature), which FastAPI solves and then leaves unused;
  - "FastAPI bare": a FastAPI route taking only the request;
  - "Starlette": a plain Starlette route, where FastAPI has no part;
- "raw SQL", the floor: the raw SQL of `bench.features_vs_tipg` through psycopg on one
  connection.

The routes of its own come first in the second server's routes (so its service paths are
matched a few microseconds later than the service's own). Requests go one after another
over one keep-alive http.client connection per backend, in rounds that take the backends
in turn. Under the table, each server's own CPU time per request, then each one's answer
with no database work at all (the service's and the second server's conformance classes; a
constant from the routes of its own, "its parameters" solving the items route's parameters
first), and what a whole request may take at the targets.

What it shows: how much of the distance to the floor is the middleware, FastAPI's solving
of a route's parameters, FastAPI's request handling, or the web stack itself, and so which
targets (items 0.7 of the floor, tiles 0.5) a route on this stack can reach on this
machine. Run with `python -m bench.hot_path_ceiling` (`--quick` for fewer requests).
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from typing import Any, cast

import orjson
import psycopg
from fastapi import APIRouter, FastAPI
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.api import public_reads
from app.api.responses import GEOJSON
from app.api.routes import ogc
from app.domain import tiles as tile_domain
from app.domain.asset_search import AssetFilter, AssetMatch
from app.domain.features import feature_collection
from app.main import create_app
from bench.common import bench_database, free_port, running_server, serving
from bench.features_vs_tipg import (
    ASSETS,
    DATABASE,
    Case,
    HttpBackend,
    KeepAlive,
    Measured,
    SqlBackend,
    bboxes,
    libpq,
    load_average,
    run_cases,
    tiles,
    web_stack_rates,
)

OWN = "/own"


async def own_items(request: Request) -> Response:
    """A page of the bbox's published assets, read as the service reads it."""
    state = request.app.state
    minlon, minlat, maxlon, maxlat = (float(v) for v in request.query_params["bbox"].split(","))
    limit = int(request.query_params["limit"])
    wanted = AssetFilter(bbox=(minlon, minlat, maxlon, maxlat))
    page = await public_reads.asset_page(state.public_reads, state.sessions, wanted, limit, None)
    body = feature_collection(page.features, numberReturned=len(page.features))
    return Response(body, media_type=GEOJSON)


async def own_tile(request: Request) -> Response:
    """The published assets' tile z/x/y, read as the service reads it."""
    state = request.app.state
    z, x, y = (int(request.path_params[name]) for name in ("z", "x", "y"))
    limit = state.api_settings.tile_max_features
    found = await public_reads.asset_tile(
        state.public_reads, state.sessions, z, x, y, limit, AssetMatch()
    )
    return Response(found.data, media_type=tile_domain.MVT, headers={"ETag": found.etag})


CONSTANT = orjson.dumps({"conformsTo": ["http://www.opengis.net/spec/ogcapi-features-1/1.0"]})


async def own_constant(request: Request) -> Response:
    return Response(CONSTANT, media_type="application/json")


def with_signature_of(route: Callable[..., Any], answer: Callable[[Request], Any]) -> Any:
    """An endpoint that takes what `route` takes (FastAPI reads the signature it wraps, so
    solves the same parameters and dependencies) and answers as `answer` does."""

    @functools.wraps(route)
    async def endpoint(request: Request, **_: Any) -> Response:
        return cast(Response, await answer(request))

    return endpoint


def lean_app() -> FastAPI:
    """The service's app without its own middleware, with the routes of its own first."""
    app = create_app()
    app.user_middleware.clear()
    routes = APIRouter()
    parameters = f"{OWN}/parameters/{{collection_id}}"
    routes.add_api_route(f"{parameters}/items", with_signature_of(ogc.items, own_items))
    routes.add_api_route(
        f"{parameters}/tiles/{{z}}/{{x}}/{{y}}", with_signature_of(ogc.tile, own_tile)
    )
    routes.add_api_route(f"{parameters}/conformance", with_signature_of(ogc.items, own_constant))
    # FastAPI passes a route that takes only the request just that
    routes.add_api_route(f"{OWN}/fastapi/items", own_items)
    routes.add_api_route(f"{OWN}/fastapi/tiles/{{z}}/{{x}}/{{y}}", own_tile)
    routes.add_api_route(f"{OWN}/fastapi/conformance", own_constant)
    app.router.routes[:0] = [
        *routes.routes,
        Route(f"{OWN}/starlette/items", own_items),
        Route(f"{OWN}/starlette/tiles/{{z:int}}/{{x:int}}/{{y:int}}", own_tile),
        Route(f"{OWN}/starlette/conformance", own_constant),
    ]
    return app


def own_paths(prefix: str) -> tuple[str, str, str]:
    """A route of its own's items, tile and no-database paths."""
    return f"{prefix}/items", f"{prefix}/tiles/{{z}}/{{x}}/{{y}}", f"{prefix}/conformance"


SERVICE_PATHS = (
    "/ogc/collections/assets/items",
    "/ogc/collections/assets/tiles/WebMercatorQuad/{z}/{x}/{y}",
    "/ogc/conformance",
)
# Each backend: its name, whether it is the service itself (else the second server), and
# its items, tile and no-database paths.
SERVERS = (
    ("service", True, SERVICE_PATHS),
    ("no middleware", False, SERVICE_PATHS),
    ("its parameters", False, own_paths(f"{OWN}/parameters/assets")),
    ("FastAPI bare", False, own_paths(f"{OWN}/fastapi")),
    ("Starlette", False, own_paths(f"{OWN}/starlette")),
)
NAMES = (*(name for name, _, _ in SERVERS), "raw SQL")
WIDTH = 15


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer requests per case")
    args = parser.parse_args(argv)
    scale = 5 if args.quick else 1
    url = bench_database(DATABASE, ASSETS)
    sparse = bboxes(1000 // scale, 0.15, seed=1)
    cases = [
        Case("(a) bbox 0.15 deg, limit 100", sparse, 100, 20, None, 0.7),
        Case("(c) tile z12", tiles(1000 // scale, 12, 12), None, 20, None, 0.5),
        Case("(c) tile z14", tiles(1000 // scale, 14, 14), None, 20, None, 0.5),
    ]
    with ExitStack() as stack:
        service = stack.enter_context(running_server(url))
        port = free_port()
        command = [sys.executable, "-m", "uvicorn", "bench.hot_path_ceiling:lean_app"]
        command += ["--factory", "--port", str(port), "--no-access-log"]
        env = os.environ | {"DATABASE_URL": url}
        lean = stack.enter_context(serving(command, env, port, "/health"))
        backends = []
        for name, itself, (items, tile, conformance) in SERVERS:
            server = service if itself else lean
            client = KeepAlive(server.base)
            stack.callback(client.close)
            backends.append(
                HttpBackend(
                    name, client, items, tile, {}, {}, conformance_path=conformance, pid=server.pid
                )
            )
        connection = stack.enter_context(psycopg.connect(libpq(url), autocommit=True))
        floor = SqlBackend(connection)
        results = dict(run_cases(cases, [*backends, floor], floor))
        no_database = web_stack_rates(backends)
    print(f"\n{ASSETS:,} assets; one client (http.client), one keep-alive connection each")
    print(f"load average over the run: {' '.join(load_average())} (1, 5, 15 min)")
    print(f"\n{'requests/s':30}" + "".join(f"{name:>{WIDTH}}" for name in NAMES))
    for case in cases:
        row = results[case.label]
        floor_rate = row["raw SQL"].rate or 0.0
        print(f"{case.label:30}" + "".join(_rate(row[name]) for name in NAMES))
        share = "".join(_share(row[name], floor_rate) for name in NAMES[:-1])
        print(f"{'  of the floor (target ' + format(case.floor_target, 'g') + ')':30}{share}")
        used = "".join(
            f"{row[name].cpu_ms:{WIDTH}.2f}" if row[name].cpu_ms else f"{'':>{WIDTH}}"
            for name in NAMES
        )
        print(f"{'  server CPU ms per request':30}{used}")
    shown = "".join(f"{no_database[name]:{WIDTH}.1f}" for name in NAMES[:-1])
    print(f"{'no database work':30}{shown}")
    print("  (the conformance classes; the routes of their own: a constant)")
    for case in cases:
        floor_rate = results[case.label]["raw SQL"].rate or 0.0
        if floor_rate and case.floor_target:
            budget = 1000 / (floor_rate * case.floor_target)
            print(f"{case.label}: at the target, a whole request has {budget:.2f} ms")


def _rate(measured: Measured) -> str:
    return f"{measured.rate:{WIDTH}.1f}" if measured.rate else f"{measured.note or '-':>{WIDTH}}"


def _share(measured: Measured, floor_rate: float) -> str:
    if not measured.rate or not floor_rate:
        return f"{'-':>{WIDTH}}"
    return f"{measured.rate / floor_rate:{WIDTH}.2f}"


if __name__ == "__main__":
    main()
