"""OGC API - Features (Part 1 Core and GeoJSON, Part 2 CRS) and vector tiles, under /ogc,
for the collections `assets` and `areas`, in the public view.

Items are built in PostgreSQL and paged by key (`next` links carry a cursor), never by
OFFSET; `numberMatched` is given only when it costs nothing: when one page holds them all.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from app.api import ogc_openapi, public_reads
from app.api.answers import (
    AreaFeature,
    AreaPage,
    AssetFeature,
    AssetPage,
    CollectionOut,
    Collections,
    Conformance,
    Landing,
    TileJSON,
)
from app.api.deps import (
    After,
    Limit,
    ReadSessionDep,
    Sessions,
    SessionsDep,
    SettingsDep,
    parse_bbox,
)
from app.api.filters import MatchDep
from app.api.openapi import answer, not_modified, problems
from app.api.public_reads import ReadsDep
from app.api.responses import GEOJSON, GeoJSONResponse
from app.domain import areas, asset_search, cql, ogc, tiles
from app.domain.asset_search import AssetMatch
from app.domain.features import feature_collection
from app.domain.paging import Page
from app.errors import FieldProblem, Problem
from app.i18n import said
from app.schemas import AreaLevel

router = APIRouter(prefix="/ogc", tags=["OGC API - Features"])

JSON = "application/json"
CollectionId = Annotated[str, Path(description="`assets` or `areas`", examples=["assets", "areas"])]
CrsParam = Annotated[
    str | None,
    Query(description=f"CRS of the answer's coordinates: {', '.join(ogc.CRS_CODES)}"),
]


async def collection_param(collection_id: CollectionId) -> ogc.Collection:
    """The collection a path names; a 404 for any other."""
    return ogc.collection(collection_id)


Collection = Annotated[ogc.Collection, Depends(collection_param)]


def _url(request: Request, path: str) -> str:
    return str(request.base_url).rstrip("/") + path


@router.get("", response_model=Landing, summary="Landing page")
async def landing(request: Request) -> dict[str, Any]:
    """What this service is, and links to its API description, conformance and data."""
    return {
        "title": "Community Asset Map",
        "description": "Community assets and neighbourhoods as OGC API - Features",
        "links": [
            {"rel": "self", "type": JSON, "href": _url(request, "/ogc")},
            {
                "rel": "service-desc",
                "type": "application/vnd.oai.openapi+json;version=3.1",
                "href": _url(request, "/ogc/api"),
            },
            {"rel": "service-doc", "type": "text/html", "href": _url(request, "/docs")},
            {"rel": "conformance", "type": JSON, "href": _url(request, "/ogc/conformance")},
            {"rel": "data", "type": JSON, "href": _url(request, "/ogc/collections")},
        ],
    }


@router.get("/api", summary="The OGC API's own description")
def api_description(request: Request) -> dict[str, Any]:
    """The OpenAPI description of this OGC API alone, its paths relative to `/ogc` (as
    clients of OGC API - Features read them: `/collections/{collectionId}/items`), with each
    queryable as a query parameter of items."""
    return ogc_openapi.describe(request.app.openapi(), _url(request, "/ogc"))


@router.get("/conformance", response_model=Conformance, summary="Conformance classes")
async def conformance() -> dict[str, Any]:
    return {"conformsTo": ogc.CONFORMANCE}


def _collection_document(
    request: Request, session: Any, described: ogc.Collection
) -> dict[str, Any]:
    collection_id = described.id
    base = f"/ogc/collections/{collection_id}"
    return {
        "id": described.id,
        "title": described.title,
        "description": described.description,
        "itemType": "feature",
        "extent": ogc.extent(session, collection_id),
        "crs": list(ogc.CRS_CODES),
        "storageCrs": ogc.CRS84,
        "links": [
            {"rel": "self", "type": JSON, "href": _url(request, base)},
            {"rel": "items", "type": GEOJSON, "href": _url(request, base + "/items")},
            {
                "rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                "type": "application/schema+json",
                "title": "What a filter may name",
                "href": _url(request, base + "/queryables"),
            },
            {
                "rel": "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector",
                "type": JSON,
                "title": "TileJSON of the Mapbox vector tiles (WebMercatorQuad)",
                "href": _url(request, base + "/tiles/WebMercatorQuad/tilejson.json"),
            },
        ],
    }


@router.get("/collections", response_model=Collections, summary="The collections")
def collections(request: Request, session: ReadSessionDep) -> dict[str, Any]:
    return {
        "links": [{"rel": "self", "type": JSON, "href": _url(request, "/ogc/collections")}],
        "collections": [
            _collection_document(request, session, described)
            for described in ogc.COLLECTIONS.values()
        ],
    }


@router.get(
    "/collections/{collection_id}",
    response_model=CollectionOut,
    summary="One collection",
    responses=problems(404),
)
def collection(request: Request, collection: Collection, session: ReadSessionDep) -> dict[str, Any]:
    return _collection_document(request, session, collection)


@router.get(
    "/collections/{collection_id}/queryables",
    summary="What a filter may name",
    response_class=Response,
    responses=answer(200, "A JSON Schema of the queryables", "application/schema+json")
    | problems(404),
)
def queryables(request: Request, collection: Collection) -> Response:
    """The collection's queryables, as a JSON Schema: the properties `filter` (CQL2) and
    the queryable query parameters may name, each with its type and format."""
    url = _url(request, f"/ogc/collections/{collection.id}/queryables")
    body = cql.queryables_schema(collection.id, url)
    return JSONResponse(body, media_type="application/schema+json")


def _bad(field: str, message: str) -> Problem:
    return Problem(400, f"{field}: {message}", [FieldProblem(field, message)])


def _match_given(match: AssetMatch) -> dict[str, str | None]:
    return {"kind": match.kind, "category": match.category, "outcome": match.outcome}


FilterText = Annotated[
    str | None,
    Query(
        max_length=20_000,
        description="A CQL2 filter on the collection's queryables (see its /queryables)",
        examples=["category = 'gp-practice' AND S_INTERSECTS(geometry, BBOX(-2.4,53.4,-2.3,53.5))"],
    ),
]
FilterLangParam = Annotated[
    cql.FilterLang, Query(alias="filter-lang", description="cql2-text or cql2-json")
]
FilterCrs = Annotated[
    str | None, Query(alias="filter-crs", description="The CRS of the filter's geometries")
]

# The query parameters items take of their own: a queryable of the same name is filtered
# through them, not as a queryable parameter.
ITEMS_PARAMETERS = frozenset(
    {"limit", "after", "bbox", "bbox-crs", "crs", "datetime", "q", "level", "parent", "kind"}
    | {"category", "outcome", "filter", "filter-lang", "filter-crs", "f"}
)


def _filter(
    request: Request, collection_id: str, text: str | None, lang: cql.FilterLang, crs: str | None
) -> Any:
    """The condition of `filter` and of the queryables given as query parameters (each an
    equality), combined with AND; None when neither is given."""
    queryables = cql.QUERYABLES[collection_id]
    trees = [] if text is None else [cql.parse(text, lang)]
    for name, value in request.query_params.items():
        if name in queryables and name not in ITEMS_PARAMETERS and name != "geometry":
            trees.append({"op": "=", "args": [{"property": name}, _typed(name, value, queryables)]})
    if not trees:
        return None
    srid = ogc.crs_code(crs, "filter-crs")
    tree = trees[0] if len(trees) == 1 else {"op": "and", "args": trees}
    return cql.condition(tree, queryables, srid)


async def _filter_off_the_loop(
    request: Request, collection_id: str, text: str | None, lang: cql.FilterLang, crs: str | None
) -> Any:
    """_filter, in a worker thread when there is a CQL2 filter to parse and translate (up
    to tens of milliseconds for a long one), so the event loop goes on serving others."""
    if text is None:
        return _filter(request, collection_id, text, lang, crs)
    return await run_in_threadpool(_filter, request, collection_id, text, lang, crs)


def _typed(name: str, value: str, queryables: dict[str, cql.Queryable]) -> Any:
    """A queryable's query parameter as its type takes it (a 400 naming it otherwise)."""
    if queryables[name].type not in ("number", "integer"):
        return value
    try:
        return float(value)
    except ValueError:
        raise _bad(name, f"{value!r} is not a number") from None


def _only_for(collection_id: str, wanted: str, **given: Any) -> None:
    for name, value in given.items():
        if value is not None and collection_id != wanted:
            raise _bad(name, f"filters the {wanted} collection only")


@router.get(
    "/collections/{collection_id}/items",
    response_class=GeoJSONResponse,
    response_model=AssetPage | AreaPage,
    summary="Items of a collection",
    responses=problems(400, 404),
)
async def items(
    request: Request,
    collection: Collection,
    sessions: SessionsDep,
    reads: ReadsDep,
    limit: Limit,
    match: MatchDep,
    after: After = None,
    bbox: Annotated[
        str | None, Query(description="minx,miny,maxx,maxy in bbox-crs (CRS84 by default)")
    ] = None,
    bbox_crs: Annotated[str | None, Query(alias="bbox-crs")] = None,
    crs: CrsParam = None,
    datetime: Annotated[
        str | None, Query(description="When last updated: an instant or an interval a/b")
    ] = None,
    q: Annotated[str | None, Query(max_length=200, description="Assets: text search")] = None,
    within: Annotated[
        str | None,
        Query(max_length=20, description="Assets: only those inside this area, e.g. E08000009"),
    ] = None,
    level: AreaLevel | None = None,
    parent: Annotated[str | None, Query(max_length=20, description="Areas: parent code")] = None,
    filter: FilterText = None,
    filter_lang: FilterLangParam = "cql2-text",
    filter_crs: FilterCrs = None,
) -> Response:
    """A page of features as GeoJSON, in `crs`; follow the `next` link for more. `filter`
    (CQL2, OGC API - Features Part 3) and each queryable as a query parameter
    (`?postcode=M32 0JT`) narrow them."""
    collection_id = collection.id
    where = await _filter_off_the_loop(request, collection_id, filter, filter_lang, filter_crs)
    srid = ogc.crs_code(crs, "crs")
    bbox_srid = ogc.crs_code(bbox_crs, "bbox-crs")
    box = None if bbox is None else parse_bbox(bbox, bbox_srid, status=400)
    since, before = ogc.datetime_range(datetime)
    _only_for(collection_id, "assets", q=q, within=within, **_match_given(match))
    _only_for(collection_id, "areas", level=level, parent=parent)
    page: Page
    if collection_id == "assets":
        wanted = asset_search.AssetFilter.matching(
            match,
            bbox=box,
            q=q,
            area_code=within,
            updated_since=since,
            updated_before=before,
            srid=srid,
            bbox_srid=bbox_srid,
            where=where,
        )
        page = await public_reads.asset_page(reads, sessions, wanted, limit, after)
    else:
        area_filter = areas.AreaFilter(
            level=level,
            parent=parent,
            bbox=box,
            updated_since=since,
            updated_before=before,
            srid=srid,
            bbox_srid=bbox_srid,
            where=where,
        )
        page = await run_in_threadpool(_area_page, sessions, area_filter, parent, limit, after)
    links = [
        {"rel": "self", "type": GEOJSON, "href": str(request.url)},
        {
            "rel": "collection",
            "type": JSON,
            "href": _url(request, f"/ogc/collections/{collection_id}"),
        },
    ]
    if page.next_cursor is not None:
        next_url = request.url.include_query_params(after=page.next_cursor)
        links.append({"rel": "next", "type": GEOJSON, "href": str(next_url)})
    counts: dict[str, int] = {}
    if after is None and page.next_cursor is None:
        counts["numberMatched"] = len(page.features)
    body = feature_collection(
        page.features, links=links, numberReturned=len(page.features), **counts
    )
    return GeoJSONResponse(body, headers=_content_crs(srid))


def _area_page(
    sessions: Sessions, wanted: areas.AreaFilter, parent: str | None, limit: int, after: str | None
) -> Page:
    with sessions.read() as session:
        areas.check_code(session, parent)
        return areas.list_areas(session, wanted, limit, after)


def _content_crs(srid: int) -> dict[str, str]:
    return {"Content-Crs": f"<{ogc.CRS_URIS[srid]}>"}


@router.get(
    "/collections/{collection_id}/items/{feature_id}",
    response_class=GeoJSONResponse,
    response_model=AssetFeature | AreaFeature,
    summary="One item",
    responses=problems(400, 404),
)
def item(
    request: Request,
    collection: Collection,
    feature_id: Annotated[
        str, Path(max_length=40, description="An asset's id, an area's code", examples=["1"])
    ],
    session: ReadSessionDep,
    crs: CrsParam = None,
) -> Response:
    """One feature: an asset by id, an area by code."""
    collection_id = collection.id
    srid = ogc.crs_code(crs, "crs")
    if collection_id == "assets":
        if not feature_id.isdigit() or not 1 <= int(feature_id) < 2**63:
            raise Problem(404, said("asset {feature_id} not found", feature_id=feature_id))
        text = asset_search.get_asset(
            session, int(feature_id), "public", srid=srid, published_only=True
        ).feature
    else:
        text = areas.get_area(session, feature_id, srid)
    base = f"/ogc/collections/{collection_id}"
    links = [
        {"rel": "self", "type": GEOJSON, "href": str(request.url)},
        {"rel": "collection", "type": JSON, "href": _url(request, base)},
    ]
    # the Feature built in SQL, with its links added as its last member
    body = text[:-1] + ',"links":' + json.dumps(links) + "}"
    return GeoJSONResponse(body, headers=_content_crs(srid))


def _area_tile(
    sessions: Sessions, z: int, x: int, y: int, limit: int, level: str | None, where: Any
) -> tiles.Tile:
    with sessions.read() as session:
        return tiles.area_tile(session, z, x, y, limit, level, where)


@router.get(
    "/collections/{collection_id}/tiles/WebMercatorQuad/tilejson.json",
    response_model=TileJSON,
    summary="TileJSON of a collection's vector tiles",
    responses=problems(404),
)
def collection_tilejson(
    request: Request, collection: Collection, session: ReadSessionDep
) -> dict[str, Any]:
    collection_id = collection.id
    spatial = ogc.extent(session, collection_id)["spatial"]
    template = _url(
        request, f"/ogc/collections/{collection_id}/tiles/WebMercatorQuad/{{z}}/{{x}}/{{y}}"
    )
    bounds = spatial.get("bbox", [None])[0]
    return tiles.tilejson(collection_id, template, bounds, request.url.query)


@router.get(
    "/collections/{collection_id}/tiles/WebMercatorQuad/{z}/{x}/{y}",
    summary="A Mapbox vector tile",
    response_class=Response,
    responses=answer(200, "The tile", tiles.MVT) | not_modified() | problems(400, 404),
)
async def tile(
    collection: Collection,
    z: int,
    x: int,
    y: int,
    sessions: SessionsDep,
    reads: ReadsDep,
    settings: SettingsDep,
    match: MatchDep,
    request: Request,
    level: AreaLevel | None = None,
    filter: FilterText = None,
    filter_lang: FilterLangParam = "cql2-text",
    filter_crs: FilterCrs = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The collection's features in tile z/x/y (WebMercatorQuad), with an ETag: a repeated
    request with If-None-Match gets 304. `filter` (CQL2) narrows them as it does items."""
    collection_id = collection.id
    _only_for(collection_id, "assets", **_match_given(match))
    _only_for(collection_id, "areas", level=level)
    where = await _filter_off_the_loop(request, collection_id, filter, filter_lang, filter_crs)
    limit = settings.tile_max_features
    if collection_id == "assets":
        found = await public_reads.asset_tile(reads, sessions, z, x, y, limit, match, where)
    else:
        found = await run_in_threadpool(_area_tile, sessions, z, x, y, limit, level, where)
    headers = {"ETag": found.etag, "Cache-Control": "public, max-age=60"}
    if if_none_match is not None and found.etag in [t.strip() for t in if_none_match.split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(found.data, media_type=tiles.MVT, headers=headers)
