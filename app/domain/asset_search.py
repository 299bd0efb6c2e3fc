"""Reading assets: one asset, a search a page at a time, and everything for an export.

An asset reads as a GeoJSON Feature built in PostgreSQL, its properties those
app.schemas declares (app.domain.asset_fields): the public ones from the public face
(`public_asset`) for everyone, all of them from `asset` for its stewards; and whether it is
`not_confirmed` (its review reminders went unanswered: app.domain.reminders).

Searches rank the assets not confirmed after the others: each part in its own order (by id,
or by distance with `near`), the cursor carrying which part a page ended in.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    Float,
    Integer,
    Numeric,
    Select,
    Table,
    Text,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal_column,
    null,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased

from app.domain import areas, categories, opening
from app.domain.asset_fields import (
    PROPERTIES,
    PUBLIC,
    AssetProperty,
)
from app.domain.features import BNG, WGS84, feature, geojson, in_crs
from app.domain.paging import Page, cut_page, decode_cursor
from app.domain.visibility import PUBLIC_STATUSES, View, source
from app.errors import invalid, not_found
from app.models import Area, Category, ReviewCycle

asset_category = aliased(Category, name="asset_category")
NEARBY = "nearby"
# What searches and exports read: the public face.
PUBLIC_ASSET = source("public")
# The largest id: a bound past which no asset lies.
LAST_ID = 2**63 - 1


def not_confirmed(table: Table) -> ColumnElement[bool]:
    """Whether the asset of a row of `table` (the public face, or `asset`) is shown as not
    confirmed: its third review reminder about its last confirmation (verified, or else
    added) went unanswered. Confirming it again, however, starts afresh."""
    return exists().where(
        ReviewCycle.asset_id == table.c.id,
        ReviewCycle.confirmed_at == func.coalesce(table.c.verified_at, table.c.created_at),
        ReviewCycle.not_confirmed_at.is_not(None),
        ReviewCycle.answered_at.is_(None),
    )


def _value(prop: AssetProperty, table: Table, srid: int) -> Any:
    """A property of the asset of a row of `table`, as its Feature holds it."""
    if prop.name == "category":
        return asset_category.slug
    if prop.name == "footprint":
        return geojson(in_crs(table.c.footprint, srid), True, srid)
    if prop.stored.flattened:
        # a person's consent: an object of its parts; nothing for anything else
        parts: list[Any] = []
        for part in prop.parts:
            parts += [literal_column(f"'{part.name}'"), table.c[part.column]]
        individual = table.c.kind == "individual"
        return case((individual, func.json_build_object(*parts)), else_=null())
    return table.c[prop.column]


@cache
def asset_feature(view: View, with_distance: bool = False, srid: int = WGS84) -> ColumnElement[Any]:
    """An asset row (of `visibility.source(view)`, joined to `asset_category`) as a
    GeoJSON Feature in the given view, its geometries in EPSG:`srid` (lon/lat by default).

    Built once per view, distance column and CRS, and reused: building it costs more than
    PostgreSQL takes to run a page.
    """
    table = source(view)
    shown = PUBLIC if view == "public" else PROPERTIES
    properties: list[tuple[str, Any]] = [(prop.name, _value(prop, table, srid)) for prop in shown]
    properties.append(("not_confirmed", not_confirmed(table)))
    if with_distance:
        # the distance column of list_assets' `nearby` subquery, in metres
        distance: ColumnElement[Any] = literal_column(f"{NEARBY}.distance")
        properties.append(("distance_m", func.round(cast(distance, Numeric), 2)))
    stored = {BNG: table.c.geom_bng} if view == "public" else None
    return feature(table.c.id, in_crs(table.c.geom, srid, stored), properties, srid=srid)


@dataclass(frozen=True)
class AssetMatch:
    """Which assets: of a kind, in a category (or one below it), serving an outcome; any
    of them when not given."""

    kind: str | None = None
    category: str | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class AssetFilter:
    """What `GET /assets` may ask for. Coordinates are lon/lat (EPSG:4326), distances metres."""

    bbox: tuple[float, float, float, float] | None = None
    near: tuple[float, float] | None = None
    within_m: float | None = None
    kind: str | None = None
    category: str | None = None
    outcome: str | None = None
    q: str | None = None
    status: str = "published"
    updated_since: datetime | None = None
    updated_before: datetime | None = None
    # stale: last confirmed (verified, or else added) before this time
    verified_before: datetime | None = None
    area_code: str | None = None
    # open at this moment, by its schedule
    open_at: datetime | None = None
    # a condition on the public face's columns with its values bound (a CQL2 filter:
    # app.domain.cql); searches only, never exports
    where: Any = field(default=None, compare=False, hash=False)
    # the CRS of the answer's coordinates, and of `bbox` (EPSG codes; 4326 is lon/lat)
    srid: int = WGS84
    bbox_srid: int = WGS84

    @classmethod
    def matching(cls, match: AssetMatch, **more: Any) -> AssetFilter:
        """The assets `match` names, and whatever `more` asks of them."""
        return cls(kind=match.kind, category=match.category, outcome=match.outcome, **more)


@dataclass(frozen=True)
class _QueryShape:
    """Which filters a search uses: each shape's statement is built once, then reused."""

    bbox: bool
    kind: bool
    category: bool
    outcome: bool
    q: bool
    updated_since: bool
    updated_before: bool
    verified_before: bool
    area: bool
    open_at: bool
    after: bool
    near: bool
    srid: int
    bbox_srid: int


def list_assets(session: Session, wanted: AssetFilter, limit: int, after: str | None) -> Page:
    """One page of public asset Features, by id, or by distance when `near` is given; those
    not confirmed after all the others."""
    query, params = search_statement(wanted, limit, after, session)
    rows = session.connection().execute(query, params).all()
    return cut_page(rows, limit)


def needs_lookups(wanted: AssetFilter) -> bool:
    """Whether a search first checks a name it was given (a category, an outcome, an area)
    in the database, so that search_statement needs a session."""
    return wanted.category is not None or wanted.outcome is not None or wanted.area_code is not None


def search_statement(
    wanted: AssetFilter, limit: int, after: str | None, session: Session | None = None
) -> tuple[Select[Any], dict[str, Any]]:
    """The statement of one page of a search and its bound parameters; rows are (feature
    text, *cursor key), at most `limit` + 1, for cut_page. The same statement object for
    every search of one shape without a filter of its own (CQL2), which goes inside each
    part of it, built for that search alone. `session` checks the names needs_lookups
    sees; without those it may be None."""
    shape, params = _search(session, wanted, after)
    params["rows"] = limit + 1
    query = _search_query(shape) if wanted.where is None else _build_search(shape, wanted.where)
    return query, params


def _search(
    session: Session | None, wanted: AssetFilter, after: str | None
) -> tuple[_QueryShape, dict[str, Any]]:
    """The query shape and bound parameters of a search (a 422 for an unknown category or
    outcome, or a cursor this service did not give)."""
    params: dict[str, Any] = {"status": wanted.status}
    if wanted.bbox is not None:
        params.update(zip(("minlon", "minlat", "maxlon", "maxlat"), wanted.bbox, strict=True))
    if wanted.kind is not None:
        params["kind"] = wanted.kind
    if wanted.category is not None:
        params["category_id"] = categories.category_id(
            _lookups(session), wanted.category, None, "category"
        )
    if wanted.outcome is not None:
        categories.check_outcomes(_lookups(session), [wanted.outcome], "outcome")
        params["outcomes"] = [wanted.outcome]
    if wanted.q:
        params["q"] = wanted.q
        # Words typed so far also match as prefixes: "natt" finds "Knit and natter".
        params["q_prefix"] = " & ".join(f"{word}:*" for word in re.findall(r"\w+", wanted.q))
    if wanted.updated_since is not None:
        since = wanted.updated_since
        params["updated_since"] = since if since.tzinfo else since.replace(tzinfo=UTC)
    if wanted.updated_before is not None:
        before = wanted.updated_before
        params["updated_before"] = before if before.tzinfo else before.replace(tzinfo=UTC)
    if wanted.verified_before is not None:
        params["verified_before"] = wanted.verified_before
    if wanted.area_code is not None:
        areas.check_code(_lookups(session), wanted.area_code, "within")
        params["area_code"] = wanted.area_code
    if wanted.open_at is not None:
        params["open_at"] = opening.local_moment(wanted.open_at)
    if wanted.near is not None:
        params.update(lon=wanted.near[0], lat=wanted.near[1], within_m=wanted.within_m)
        params["dx"], params["dy"] = _degrees_around(wanted.near[1], wanted.within_m or 0.0)
        if after is not None:
            rank, params["after_distance"], params["after_id"] = decode_cursor(
                after, (int, float, int)
            )
            params["after_rank"] = _rank(rank)
    elif after is not None:
        rank, after_id = decode_cursor(after, (int, int))
        # the confirmed part goes on after the cursor, or is done; the other starts afresh
        # or goes on after it
        confirmed_done = _rank(rank) == 1
        params["after_confirmed"] = LAST_ID if confirmed_done else after_id
        params["after_unconfirmed"] = after_id if confirmed_done else 0
    shape = _QueryShape(
        bbox=wanted.bbox is not None,
        kind=wanted.kind is not None,
        category=wanted.category is not None,
        outcome=wanted.outcome is not None,
        q=bool(wanted.q),
        updated_since=wanted.updated_since is not None,
        updated_before=wanted.updated_before is not None,
        verified_before=wanted.verified_before is not None,
        area=wanted.area_code is not None,
        open_at=wanted.open_at is not None,
        after=after is not None,
        near=wanted.near is not None,
        srid=wanted.srid,
        bbox_srid=wanted.bbox_srid,
    )
    return shape, params


def _lookups(session: Session | None) -> Session:
    """The session that checks a search's names (see needs_lookups)."""
    if session is None:
        raise ValueError("a search of a category, outcome or area needs a session")
    return session


def _rank(rank: int) -> int:
    """A cursor's part: 0 for the confirmed assets, 1 for those not confirmed."""
    if rank not in (0, 1):
        raise invalid("after", "is not a cursor this service gave out")
    return rank


def _degrees_around(lat: float, metres: float) -> tuple[float, float]:
    """Half-widths (lon, lat degrees) of a box surely holding every point within `metres` of
    a point at latitude `lat`: only an index pre-filter, never a distance."""
    dy = metres / 110_574 * 1.01  # a degree of latitude is at least 110,574 m
    edge = min(89.0, abs(lat) + dy)
    dx = metres / (111_320 * math.cos(math.radians(edge))) * 1.01
    return min(dx, 180.0), min(dy, 90.0)


def _near_conditions() -> list[ColumnElement[bool]]:
    """Within `within_m` metres of (lon, lat): a box test the index can use, then the
    spheroid distance."""
    point = PUBLIC_ASSET.c.geom
    here = func.ST_SetSRID(
        func.ST_MakePoint(bindparam("lon", type_=Float), bindparam("lat", type_=Float)), 4326
    )
    geography = func.geography
    within = bindparam("within_m", type_=Float)
    around = func.ST_Expand(here, bindparam("dx", type_=Float), bindparam("dy", type_=Float))
    return [
        point.op("&&")(around),
        func.ST_DWithin(geography(point), geography(here), within),
    ]


def _conditions(shape: _QueryShape) -> list[ColumnElement[bool]]:
    """The filters of one query shape, but `near` and paging, with bound parameters named
    as _search sets them."""
    table = PUBLIC_ASSET
    conditions: list[ColumnElement[bool]] = [table.c.status == bindparam("status")]
    if shape.bbox:
        envelope = func.ST_MakeEnvelope(
            *(bindparam(name, type_=Float) for name in ("minlon", "minlat", "maxlon", "maxlat")),
            shape.bbox_srid,
        )
        if shape.bbox_srid == WGS84:
            conditions.append(table.c.geom.op("&&")(envelope))
        else:
            # The index is on lon/lat: find candidates in the box's lon/lat outline (its
            # edges segmentised, as they curve), then keep those inside the box itself.
            outline = func.ST_Transform(func.ST_Segmentize(envelope, 100.0), WGS84)
            conditions.append(table.c.geom.op("&&")(outline))
            projected = in_crs(table.c.geom, shape.bbox_srid, {BNG: table.c.geom_bng})
            conditions.append(func.ST_Intersects(projected, envelope))
    if shape.kind:
        conditions.append(table.c.kind == bindparam("kind"))
    if shape.category:
        subtree = categories.subtree_ids(bindparam("category_id"))
        conditions.append(table.c.category_id.in_(subtree))
    if shape.outcome:
        conditions.append(table.c.outcomes.op("@>")(bindparam("outcomes", type_=ARRAY(Text))))
    if shape.q:
        conditions.append(words_match(table, bindparam("q"), bindparam("q_prefix")))
    if shape.updated_since:
        since = bindparam("updated_since", type_=DateTime(timezone=True))
        conditions.append(table.c.updated_at >= since)
    if shape.updated_before:
        before = bindparam("updated_before", type_=DateTime(timezone=True))
        conditions.append(table.c.updated_at <= before)
    if shape.verified_before:
        # last confirmed: when someone verified it, or else when it was added
        cutoff = bindparam("verified_before", type_=DateTime(timezone=True))
        conditions.append(func.coalesce(table.c.verified_at, table.c.created_at) < cutoff)
    if shape.open_at:
        conditions.append(opening.open_at(table.c.schedule, "open_at"))
    if shape.area:
        area_geom = select(Area.geom).where(Area.code == bindparam("area_code")).scalar_subquery()
        conditions.append(func.ST_Intersects(area_geom, table.c.geom))
    return conditions


@cache
def words_match(
    table: Any, words: ColumnElement[str] | str, prefixes: ColumnElement[str] | str
) -> ColumnElement[bool]:
    """Whether an asset of `table` (the public face, or the asset table) matches a search's
    `words` (websearch syntax) in English, or its `prefixes` ("llyfr:* & canol:*") among its
    words as written, accents folded (migration 0015: so Welsh words are found, "Ty" finds
    "Tŷ")."""
    written = func.asset_words(table.c.name, table.c.description)
    return or_(
        table.c.search.op("@@")(func.websearch_to_tsquery("english", words)),
        written.op("@@")(func.to_tsquery("simple", func.search_fold(prefixes))),
    )


@cache
def _search_query(shape: _QueryShape) -> Select[Any]:
    """The statement for one query shape, with bound parameters named as _search sets
    them, and `rows` (the page size + 1). Rows are (feature text, *cursor key): the part
    (0 confirmed, 1 not confirmed), then the distance with `near`, then the id."""
    return _build_search(shape)


def _build_search(shape: _QueryShape, where: ColumnElement[bool] | None = None) -> Select[Any]:
    """_search_query's statement, with `where` (a condition on the public face) too."""
    table = PUBLIC_ASSET
    conditions = _conditions(shape)
    if where is not None:
        conditions.append(where)
    rows = bindparam("rows", type_=Integer)

    if not shape.near:
        # Each part walks the id index on its own and stops at a page: the confirmed
        # assets, then those not confirmed (few); rows are (feature, part, id).
        unconfirmed = not_confirmed(table)
        parts = []
        for rank, where, bound in ((0, ~unconfirmed, "after_confirmed"), (1, unconfirmed, None)):
            part_conditions = [*conditions, where]
            if shape.after:
                after_id = bindparam(bound or "after_unconfirmed", type_=BigInteger)
                part_conditions.append(table.c.id > after_id)
            parts.append(
                select(
                    cast(asset_feature("public", srid=shape.srid), Text).label("feature"),
                    literal_column(str(rank), Integer).label("part"),
                    table.c.id.label("id"),
                )
                .select_from(table)
                .outerjoin(asset_category, asset_category.id == table.c.category_id)
                .where(*part_conditions)
                .order_by(table.c.id)
                .limit(rows)
            )
        ranked = union_all(*parts).subquery("ranked")
        return (
            select(ranked.c.feature, ranked.c.part, ranked.c.id)
            .order_by(ranked.c.part, ranked.c.id)
            .limit(rows)
        )

    here = func.ST_SetSRID(
        func.ST_MakePoint(bindparam("lon", type_=Float), bindparam("lat", type_=Float)), 4326
    )
    distance = func.ST_Distance(func.geography(table.c.geom), func.geography(here))
    conditions += _near_conditions()
    part = case((not_confirmed(table), 1), else_=0)
    inner = (
        select(table.c.id.label("id"), part.label("part"), distance.label("distance"))
        .where(*conditions)
        .subquery(NEARBY)
    )
    page_conditions: list[ColumnElement[bool]] = []
    if shape.after:
        after_key = (
            bindparam("after_rank", type_=Integer),
            bindparam("after_distance", type_=Float),
            bindparam("after_id", type_=BigInteger),
        )
        page_conditions.append(
            tuple_(inner.c.part, inner.c.distance, inner.c.id) > tuple_(*after_key)
        )
    return (
        select(
            cast(asset_feature("public", with_distance=True, srid=shape.srid), Text),
            inner.c.part,
            inner.c.distance,
            inner.c.id,
        )
        .select_from(inner)
        .join(table, table.c.id == inner.c.id)
        .outerjoin(asset_category, asset_category.id == table.c.category_id)
        .where(*page_conditions)
        .order_by(inner.c.part, inner.c.distance, inner.c.id)
        .limit(rows)
    )


@dataclass(frozen=True)
class StoredAsset:
    """An asset as one reader sees it: its Feature's GeoJSON text and its version."""

    id: int
    version: int
    feature: str
    status: str

    @property
    def etag(self) -> str:
        return f'"{self.id}-{self.version}"'


def get_asset(
    session: Session,
    asset_id: int,
    view: View = "public",
    srid: int = WGS84,
    published_only: bool = False,
) -> StoredAsset:
    """An asset in the given view, its geometry in EPSG:`srid`; 404 if missing or not
    visible in that view (or, with `published_only`, not published)."""
    table = source(view)
    query = (
        select(table.c.id, table.c.version, cast(asset_feature(view, srid=srid), Text))
        .add_columns(table.c.status)
        .select_from(table)
        .outerjoin(asset_category, asset_category.id == table.c.category_id)
        .where(table.c.id == asset_id)
    )
    if view == "public":
        query = query.where(table.c.status.in_(PUBLIC_STATUSES))
    if published_only:
        query = query.where(table.c.status == "published")
    row = session.connection().execute(query).first()
    if row is None:
        raise not_found(f"asset {asset_id}")
    return StoredAsset(row[0], row[1], row[2], row[3])
