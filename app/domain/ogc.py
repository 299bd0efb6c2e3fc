"""OGC API - Features: the collections this service publishes, the coordinate reference
systems it speaks (Part 2) and the `datetime` parameter. The features themselves come from
app.domain.asset_search and app.domain.areas, in the public view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.asset_fields import public_asset
from app.domain.features import BNG, WGS84
from app.errors import FieldProblem, Problem
from app.i18n import said
from app.models import Area

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/{code}"
# The CRSs items can be asked for in, by URI, and the EPSG code the database uses for each.
CRS_CODES = {CRS84: WGS84, EPSG.format(code=BNG): BNG}
CRS_URIS = {code: uri for uri, code in CRS_CODES.items()}
TRS = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"

# The API description (/openapi.json) is FastAPI's, in OpenAPI 3.1, so the OpenAPI 3.0
# class is not claimed.
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    # Part 3: filters, in CQL2 (app.domain.cql says which operators)
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
]

_SHORT_CRS = re.compile(r"^\[?(?:EPSG:(\d+)|(?:OGC:)?(CRS84))\]?$", re.IGNORECASE)


@dataclass(frozen=True)
class Collection:
    id: str
    title: str
    description: str


COLLECTIONS = {
    "assets": Collection(
        "assets",
        "Community assets",
        "Published community assets: people's skills (at their neighbourhood's point, with "
        "consent), groups, institutions, spaces, businesses and cultural assets.",
    ),
    "areas": Collection(
        "areas",
        "Neighbourhoods",
        "Neighbourhood polygons (LSOAs, wards, localities, local authorities) with "
        "population and need indicators such as IMD 2019.",
    ),
}


def collection(collection_id: str) -> Collection:
    """The collection with that id; 404 for any other."""
    found = COLLECTIONS.get(collection_id)
    if found is None:
        raise Problem(
            404,
            said(
                "collection {collection_id} not found (see /ogc/collections)",
                collection_id=repr(collection_id),
            ),
        )
    return found


def crs_code(value: str | None, field: str) -> int:
    """The EPSG code of a CRS named by URI (or `EPSG:27700`, `[EPSG:27700]`, `CRS84`);
    lon/lat when absent. A 400 naming `field` for a CRS this service does not offer."""
    if value is None:
        return WGS84
    if value in CRS_CODES:
        return CRS_CODES[value]
    short = _SHORT_CRS.match(value.strip())
    if short is not None:
        if short.group(2):
            return WGS84
        # EPSG:4326 is latitude first: lon/lat is CRS84's order, so only CRS84 means it
        code = int(short.group(1))
        if code in CRS_URIS and code != WGS84:
            return code
    offered = ", ".join(CRS_CODES)
    raise Problem(
        400,
        said(
            "{field}: {value} is not offered; use one of {offered}",
            field=field,
            value=repr(value),
            offered=offered,
        ),
        [FieldProblem(field, said("not offered; use one of {offered}", offered=offered))],
    )


def datetime_range(value: str | None) -> tuple[datetime | None, datetime | None]:
    """OGC `datetime`: an instant, or an interval `start/end` with `..` (or nothing) for an
    open end. Times without a zone are UTC. A 400 naming `datetime` if unreadable."""
    if value is None:
        return None, None
    parts = value.split("/")
    if len(parts) > 2:
        raise _bad_datetime(value)
    bounds = [_instant(part, value) for part in parts]
    if len(bounds) == 1:
        return bounds[0], bounds[0]
    start, end = bounds
    if start is not None and end is not None and start > end:
        raise _bad_datetime(value)
    return start, end


def _instant(text: str, whole: str) -> datetime | None:
    if text in ("", ".."):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as bad:
        raise _bad_datetime(whole) from bad
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _bad_datetime(value: str) -> Problem:
    message = "must be an RFC 3339 time or an interval start/end (`..` for an open end)"
    return Problem(
        400,
        said("datetime: {value} {message}", value=repr(value), message=message),
        [FieldProblem("datetime", message)],
    )


def extent(session: Session, collection_id: str) -> dict[str, Any]:
    """The collection's spatial extent (CRS84) and temporal extent (times updated)."""
    if collection_id == "assets":
        # The planner's estimate from statistics: exact enough for an extent, and instant
        # at any size. An empty or never-analysed table falls back to the exact box.
        box = session.scalar(select(func.ST_EstimatedExtent("public", "asset", "public_geom")))
        shown = public_asset.c
        published = shown.status == "published"
        if box is None:
            box = session.scalar(select(func.ST_Extent(shown.geom)).where(published))
        times = session.execute(
            select(func.min(shown.updated_at), func.max(shown.updated_at)).where(published)
        ).one()
    else:
        box = session.scalar(select(func.ST_Extent(Area.geom)))
        times = session.execute(select(func.min(Area.updated_at), func.max(Area.updated_at))).one()
    spatial: dict[str, Any] = {"crs": CRS84}
    if box is not None:
        spatial["bbox"] = [_box_numbers(str(box))]
    return {
        "spatial": spatial,
        "temporal": {
            "interval": [[_iso(times[0]), _iso(times[1])]],
            "trs": TRS,
        },
    }


def _box_numbers(box: str) -> list[float]:
    """`BOX(minx miny,maxx maxy)` as [minx, miny, maxx, maxy]."""
    numbers = re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", box, flags=re.IGNORECASE)
    return [round(float(number), 7) for number in numbers[:4]]


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
