"""Assets: create, read, change, archive and search. All the asset SQL lives here.

Two views of an asset exist. The *public* view is what anyone may read: only published
assets, never an individual (a person) without current consent to publish, and an
individual only at their neighbourhood's point without personal contact details. The *full*
view is for the person who wrote it (and, with accounts, moderators and admins).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, Literal

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    Float,
    Integer,
    Numeric,
    Select,
    Text,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    null,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from app.db import set_actor
from app.domain import categories
from app.domain.features import BNG, WGS84, feature, geojson, in_crs
from app.domain.geometry import AssetLocation
from app.domain.paging import Page, cut_page, decode_cursor
from app.errors import Problem, invalid, not_found
from app.models import Area, Asset, AssetRevision, Category
from app.schemas import AssetFields

View = Literal["public", "full"]

asset_category = aliased(Category, name="asset_category")
NEARBY = "nearby"


def publicly_visible() -> ColumnElement[bool]:
    """Whether anyone may read an asset: an individual needs current consent to publish."""
    return or_(
        Asset.kind != "individual",
        and_(
            Asset.consent_publish.is_(True),
            or_(Asset.consent_expires_at.is_(None), Asset.consent_expires_at > func.now()),
        ),
    )


@cache
def asset_feature(view: View, with_distance: bool = False, srid: int = WGS84) -> ColumnElement[Any]:
    """An asset row (joined to its category) as a GeoJSON Feature in the given view, its
    geometries in EPSG:`srid` (lon/lat by default).

    Built once per view, distance column and CRS, and reused: building it costs more than
    PostgreSQL takes to run a page.
    """
    individual = Asset.kind == "individual"

    def personal(column: Any) -> Any:
        return column if view == "full" else case((individual, null()), else_=column)

    properties: list[tuple[str, Any]] = [
        ("name", Asset.name),
        ("description", Asset.description),
        ("kind", Asset.kind),
        ("category", asset_category.slug),
        ("outcomes", Asset.outcomes),
        ("address", personal(Asset.address)),
        ("postcode", personal(Asset.postcode)),
        ("contact", personal(Asset.contact)),
        ("opening_hours", Asset.opening_hours),
        ("audience", Asset.audience),
        ("cost", Asset.cost),
        ("accessibility", Asset.accessibility),
        ("reach_m", Asset.reach_m),
        ("capacity", Asset.capacity),
        ("source", Asset.source),
        ("source_ref", Asset.source_ref),
        ("status", Asset.status),
        ("verified_at", Asset.verified_at),
        ("created_at", Asset.created_at),
        ("updated_at", Asset.updated_at),
        ("version", Asset.version),
        ("footprint", personal(geojson(in_crs(Asset.footprint, srid), True, srid))),
    ]
    if view == "full":
        properties += [
            ("verified_by", Asset.verified_by),
            ("created_by", Asset.created_by),
            ("updated_by", Asset.updated_by),
            (
                "consent",
                case(
                    (
                        individual,
                        func.json_build_object(
                            "publish",
                            Asset.consent_publish,
                            "given_at",
                            Asset.consent_given_at,
                            "given_by",
                            Asset.consent_given_by,
                            "scope",
                            Asset.consent_scope,
                            "expires_at",
                            Asset.consent_expires_at,
                        ),
                    ),
                    else_=null(),
                ),
            ),
        ]
    if with_distance:
        # the distance column of list_assets' `nearby` subquery, in metres
        distance: ColumnElement[Any] = literal_column(f"{NEARBY}.distance")
        properties.append(("distance_m", func.round(cast(distance, Numeric), 2)))
    geometry = (
        in_crs(Asset.geom, srid)
        if view == "full"
        else in_crs(Asset.public_geom, srid, {BNG: Asset.public_bng})
    )
    return feature(Asset.id, geometry, properties, srid=srid)


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
    # the CRS of the answer's coordinates, and of `bbox` (EPSG codes; 4326 is lon/lat)
    srid: int = WGS84
    bbox_srid: int = WGS84


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
    after: bool
    near: bool
    srid: int
    bbox_srid: int


def list_assets(session: Session, wanted: AssetFilter, limit: int, after: str | None) -> Page:
    """One page of public asset Features, by id, or by distance when `near` is given."""
    shape, params = _search(session, wanted, after)
    params["rows"] = limit + 1
    rows = session.connection().execute(_search_query(shape), params).all()
    return cut_page(rows, limit)


ExportKind = Literal["features", "rows"]
# The columns of an asset in a table (CSV, GeoPackage), in the public view.
EXPORT_COLUMNS = (
    "id",
    "name",
    "description",
    "kind",
    "category",
    "outcomes",
    "address",
    "postcode",
    "phone",
    "email",
    "website",
    "opening_hours",
    "audience",
    "cost",
    "accessibility",
    "reach_m",
    "capacity",
    "source",
    "source_ref",
    "status",
    "verified_at",
    "created_at",
    "updated_at",
    "lon",
    "lat",
    "footprint_wkt",
)


def export_query(
    session: Session, wanted: AssetFilter, kind: ExportKind
) -> tuple[Select[Any], dict[str, Any]]:
    """Every public asset matching `wanted`, by id, unpaged: as Feature texts
    (`features`), or as rows of EXPORT_COLUMNS then the point as WKB (`rows`). Returns the
    statement and its parameters, for a server-side cursor or COPY to stream."""
    shape, params = _search(session, wanted, None)
    return _export_query(shape, kind), params


def _search(
    session: Session, wanted: AssetFilter, after: str | None
) -> tuple[_QueryShape, dict[str, Any]]:
    """The query shape and bound parameters of a search (a 422 for an unknown category or
    outcome, or a cursor this service did not give)."""
    params: dict[str, Any] = {"status": wanted.status}
    if wanted.bbox is not None:
        params.update(zip(("minlon", "minlat", "maxlon", "maxlat"), wanted.bbox, strict=True))
    if wanted.kind is not None:
        params["kind"] = wanted.kind
    if wanted.category is not None:
        params["category_id"] = categories.category_id(session, wanted.category, None, "category")
    if wanted.outcome is not None:
        categories.check_outcomes(session, [wanted.outcome], "outcome")
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
        params["area_code"] = wanted.area_code
    if wanted.near is not None:
        params.update(lon=wanted.near[0], lat=wanted.near[1], within_m=wanted.within_m)
        params["dx"], params["dy"] = _degrees_around(wanted.near[1], wanted.within_m or 0.0)
        if after is not None:
            params["after_distance"], params["after_id"] = decode_cursor(after, (float, int))
    elif after is not None:
        (params["after_id"],) = decode_cursor(after, (int,))
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
        after=after is not None,
        near=wanted.near is not None,
        srid=wanted.srid,
        bbox_srid=wanted.bbox_srid,
    )
    return shape, params


def _degrees_around(lat: float, metres: float) -> tuple[float, float]:
    """Half-widths (lon, lat degrees) of a box surely holding every point within `metres` of
    a point at latitude `lat`: only an index pre-filter, never a distance."""
    dy = metres / 110_574 * 1.01  # a degree of latitude is at least 110,574 m
    edge = min(89.0, abs(lat) + dy)
    dx = metres / (111_320 * math.cos(math.radians(edge))) * 1.01
    return min(dx, 180.0), min(dy, 90.0)


@cache
def _export_query(shape: _QueryShape, kind: ExportKind) -> Select[Any]:
    """All the public assets of one query shape, by id (never by distance)."""
    conditions = _conditions(shape)
    if shape.near:
        conditions += _near_conditions()
    if kind == "features":
        columns: list[Any] = [cast(asset_feature("public", srid=shape.srid), Text)]
    else:
        individual = Asset.kind == "individual"

        def personal(column: Any) -> Any:
            return case((individual, null()), else_=column)

        columns = [
            Asset.id,
            Asset.name,
            Asset.description,
            Asset.kind,
            asset_category.slug,
            func.array_to_string(Asset.outcomes, ";"),
            personal(Asset.address),
            personal(Asset.postcode),
            personal(Asset.contact["phone"].astext),
            personal(Asset.contact["email"].astext),
            personal(Asset.contact["website"].astext),
            Asset.opening_hours,
            Asset.audience,
            Asset.cost,
            Asset.accessibility,
            Asset.reach_m,
            Asset.capacity,
            Asset.source,
            Asset.source_ref,
            Asset.status,
            Asset.verified_at,
            Asset.created_at,
            Asset.updated_at,
            func.round(cast(func.ST_X(Asset.public_geom), Numeric), 7),
            func.round(cast(func.ST_Y(Asset.public_geom), Numeric), 7),
            personal(func.ST_AsText(Asset.footprint, 7)),
            func.ST_AsBinary(Asset.public_geom),
        ]
    return (
        select(*columns)
        .select_from(Asset)
        .outerjoin(asset_category, asset_category.id == Asset.category_id)
        .where(*conditions)
        .order_by(Asset.id)
    )


def _near_conditions() -> list[ColumnElement[bool]]:
    """Within `within_m` metres of (lon, lat): a box test the index can use, then the
    spheroid distance."""
    here = func.ST_SetSRID(
        func.ST_MakePoint(bindparam("lon", type_=Float), bindparam("lat", type_=Float)), 4326
    )
    geography = func.geography
    within = bindparam("within_m", type_=Float)
    around = func.ST_Expand(here, bindparam("dx", type_=Float), bindparam("dy", type_=Float))
    return [
        Asset.public_geom.op("&&")(around),
        func.ST_DWithin(geography(Asset.public_geom), geography(here), within),
    ]


def _conditions(shape: _QueryShape) -> list[ColumnElement[bool]]:
    """The filters of one query shape, but `near` and paging, with bound parameters named
    as _search sets them."""
    conditions: list[ColumnElement[bool]] = [
        publicly_visible(),
        Asset.status == bindparam("status"),
    ]
    if shape.bbox:
        envelope = func.ST_MakeEnvelope(
            *(bindparam(name, type_=Float) for name in ("minlon", "minlat", "maxlon", "maxlat")),
            shape.bbox_srid,
        )
        if shape.bbox_srid == WGS84:
            conditions.append(Asset.public_geom.op("&&")(envelope))
        else:
            # The index is on lon/lat: find candidates in the box's lon/lat outline (its
            # edges segmentised, as they curve), then keep those inside the box itself.
            outline = func.ST_Transform(func.ST_Segmentize(envelope, 100.0), WGS84)
            conditions.append(Asset.public_geom.op("&&")(outline))
            projected = in_crs(Asset.public_geom, shape.bbox_srid, {BNG: Asset.public_bng})
            conditions.append(func.ST_Intersects(projected, envelope))
    if shape.kind:
        conditions.append(Asset.kind == bindparam("kind"))
    if shape.category:
        conditions.append(Asset.category_id.in_(categories.subtree_ids(bindparam("category_id"))))
    if shape.outcome:
        conditions.append(Asset.outcomes.op("@>")(bindparam("outcomes", type_=ARRAY(Text))))
    if shape.q:
        conditions.append(
            or_(
                Asset.search.op("@@")(func.websearch_to_tsquery("english", bindparam("q"))),
                Asset.search.op("@@")(func.to_tsquery("simple", bindparam("q_prefix"))),
            )
        )
    if shape.updated_since:
        since = bindparam("updated_since", type_=DateTime(timezone=True))
        conditions.append(Asset.updated_at >= since)
    if shape.updated_before:
        before = bindparam("updated_before", type_=DateTime(timezone=True))
        conditions.append(Asset.updated_at <= before)
    if shape.verified_before:
        # last confirmed: when someone verified it, or else when it was added
        cutoff = bindparam("verified_before", type_=DateTime(timezone=True))
        conditions.append(func.coalesce(Asset.verified_at, Asset.created_at) < cutoff)
    if shape.area:
        area_geom = select(Area.geom).where(Area.code == bindparam("area_code")).scalar_subquery()
        conditions.append(func.ST_Intersects(area_geom, Asset.public_geom))
    return conditions


@cache
def _search_query(shape: _QueryShape) -> Select[Any]:
    """The statement for one query shape, with bound parameters named as _search sets
    them, and `rows` (the page size + 1). Rows are (feature text, *cursor key)."""
    conditions = _conditions(shape)
    rows = bindparam("rows", type_=Integer)

    if not shape.near:
        if shape.after:
            conditions.append(Asset.id > bindparam("after_id", type_=BigInteger))
        return (
            select(cast(asset_feature("public", srid=shape.srid), Text), Asset.id)
            .select_from(Asset)
            .outerjoin(asset_category, asset_category.id == Asset.category_id)
            .where(*conditions)
            .order_by(Asset.id)
            .limit(rows)
        )

    here = func.ST_SetSRID(
        func.ST_MakePoint(bindparam("lon", type_=Float), bindparam("lat", type_=Float)), 4326
    )
    distance = func.ST_Distance(func.geography(Asset.public_geom), func.geography(here))
    conditions += _near_conditions()
    inner = (
        select(Asset.id.label("id"), distance.label("distance")).where(*conditions).subquery(NEARBY)
    )
    page_conditions: list[ColumnElement[bool]] = []
    if shape.after:
        after_key = (
            bindparam("after_distance", type_=Float),
            bindparam("after_id", type_=BigInteger),
        )
        page_conditions.append(tuple_(inner.c.distance, inner.c.id) > tuple_(*after_key))
    return (
        select(
            cast(asset_feature("public", with_distance=True, srid=shape.srid), Text),
            inner.c.distance,
            inner.c.id,
        )
        .select_from(inner)
        .join(Asset, Asset.id == inner.c.id)
        .outerjoin(asset_category, asset_category.id == Asset.category_id)
        .where(*page_conditions)
        .order_by(inner.c.distance, inner.c.id)
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
    query = (
        select(Asset.id, Asset.version, cast(asset_feature(view, srid=srid), Text), Asset.status)
        .outerjoin(asset_category, asset_category.id == Asset.category_id)
        .where(Asset.id == asset_id)
    )
    if view == "public":
        query = query.where(publicly_visible(), Asset.status.in_(("published", "archived")))
    if published_only:
        query = query.where(Asset.status == "published")
    row = session.connection().execute(query).first()
    if row is None:
        raise not_found(f"asset {asset_id}")
    return StoredAsset(row[0], row[1], row[2], row[3])


def _columns(
    session: Session, fields: AssetFields, kind: str, field_prefix: str = "properties"
) -> dict[str, Any]:
    """Table columns for the properties a client sent (only those it sent)."""
    sent = fields.model_fields_set
    values: dict[str, Any] = {}
    simple = (
        "name",
        "description",
        "kind",
        "address",
        "postcode",
        "opening_hours",
        "audience",
        "cost",
        "accessibility",
        "reach_m",
        "capacity",
        "source",
        "source_ref",
        "status",
        "verified_at",
        "verified_by",
    )
    for name in simple:
        if name in sent:
            values[name] = getattr(fields, name)
    for required in ("name", "kind", "source", "status"):
        if required in values and values[required] is None:
            raise invalid(f"{field_prefix}.{required}", "must not be null")
    if "postcode" in values and values["postcode"] is not None:
        values["postcode"] = normalise_postcode(values["postcode"])
    if "category" in sent:
        values["category_id"] = (
            None
            if fields.category is None
            else categories.category_id(session, fields.category, kind, f"{field_prefix}.category")
        )
    if "outcomes" in sent:
        slugs = list(dict.fromkeys(fields.outcomes or []))
        categories.check_outcomes(session, slugs, f"{field_prefix}.outcomes")
        values["outcomes"] = slugs
    if "contact" in sent:
        contact = (
            None
            if fields.contact is None
            else fields.contact.model_dump(mode="json", exclude_none=True)
        )
        # SQL NULL, not a JSON null, for no contact details (or only empty ones)
        values["contact"] = contact or null()
    if "consent" in sent:
        if kind != "individual" and fields.consent is not None:
            raise invalid(f"{field_prefix}.consent", "is recorded only for kind 'individual'")
        consent = fields.consent
        values.update(
            consent_publish=None if consent is None else consent.publish,
            consent_given_at=None if consent is None else consent.given_at,
            consent_given_by=None if consent is None else consent.given_by,
            consent_scope=None if consent is None else consent.scope,
            consent_expires_at=None if consent is None else consent.expires_at,
        )
    return values


def normalise_postcode(postcode: str) -> str:
    """`m32 0jt`, `M320JT` -> `M32 0JT` (a UK postcode's inward code is its last 3 chars)."""
    compact = "".join(postcode.split()).upper()
    return compact if len(compact) < 5 else f"{compact[:-3]} {compact[-3:]}"


def create_asset(
    session: Session, fields: AssetFields, location: AssetLocation, actor: str | None = None
) -> StoredAsset:
    """Store a new asset, added by `actor`; a 409 if its (source, source_ref) is taken.
    Returns the full view."""
    set_actor(session, actor)
    kind = fields.kind or ""
    values = _columns(session, fields, kind)
    values.update(geom=location.point_wkt, footprint=location.footprint_wkt)
    if kind == "individual" and values.get("consent_publish") is None:
        values["consent_publish"] = False
    try:
        with session.begin_nested():
            new_id = session.execute(
                insert(Asset).values(**values).returning(Asset.id)
            ).scalar_one()
    except IntegrityError as clash:
        raise _integrity_problem(clash) from clash
    return get_asset(session, new_id, "full")


def update_asset(
    session: Session,
    asset_id: int,
    fields: AssetFields,
    location: AssetLocation | None,
    expected_version: int | None,
    actor: str | None = None,
    view: View = "public",
) -> StoredAsset | None:
    """Change the sent fields of an asset; a 412 if `expected_version` is not current.

    The asset must be visible in `view` (else 404: no one changes what they cannot see).
    Returns it in that view afterwards, or None once it is no longer visible there (an
    individual whose consent was withdrawn)."""
    set_actor(session, actor)
    query = (
        select(Asset.kind, Asset.version, Asset.consent_publish, asset_category.slug)
        .outerjoin(asset_category, asset_category.id == Asset.category_id)
        .where(Asset.id == asset_id)
        .with_for_update(of=Asset)
    )
    if view == "public":
        query = query.where(publicly_visible())
    current = session.execute(query).first()
    if current is None:
        raise not_found(f"asset {asset_id}")
    if expected_version is not None and expected_version != current.version:
        raise Problem(412, f"asset {asset_id} has changed since (now version {current.version})")
    kind = fields.kind if "kind" in fields.model_fields_set and fields.kind else current.kind
    if kind != current.kind and "category" not in fields.model_fields_set and current.slug:
        # the old category belongs to the old kind: check it still fits
        categories.category_id(session, current.slug, kind, "properties.kind")
    values = _columns(session, fields, kind)
    if kind != "individual" and current.kind == "individual":
        # a person's consent means nothing on an asset that is no longer a person
        values.update(
            consent_publish=None,
            consent_given_at=None,
            consent_given_by=None,
            consent_scope=None,
            consent_expires_at=None,
        )
    if kind == "individual" and current.consent_publish is None and "consent" not in values:
        values["consent_publish"] = False
    if location is not None:
        values.update(geom=location.point_wkt, footprint=location.footprint_wkt)
    if values:
        try:
            with session.begin_nested():
                session.execute(update(Asset).where(Asset.id == asset_id).values(**values))
        except IntegrityError as clash:
            raise _integrity_problem(clash) from clash
    try:
        return get_asset(session, asset_id, view)
    except Problem:
        return None


def archive_asset(
    session: Session, asset_id: int, expected_version: int | None, actor: str | None = None
) -> None:
    """Archive an asset (it keeps its history); a 412 if `expected_version` is stale."""
    update_asset(
        session, asset_id, AssetFields(status="archived"), None, expected_version, actor, "full"
    )


def _integrity_problem(clash: IntegrityError) -> Problem:
    message = str(clash.orig)
    if "asset_source_source_ref_key" in message:
        return Problem(
            409,
            "another asset already has this source and source_ref",
            [invalid("properties.source_ref", "is already used for this source").errors[0]],
        )
    return invalid("properties", "breaks a rule of the data: " + message.splitlines()[0])


# What an individual's revisions may not show but to an admin: where they live, how to reach
# them, and their consent's details.
PERSONAL_FIELDS = frozenset(
    {"geom", "footprint", "address", "postcode", "contact", "consent_given_by", "consent_scope"}
)


def verify_asset(session: Session, asset_id: int, who: str) -> StoredAsset:
    """Record that `who` confirmed the asset is still there, now; a new version. A 404 if
    there is no such asset."""
    set_actor(session, who)
    done = session.execute(
        update(Asset)
        .where(Asset.id == asset_id)
        .values(verified_at=func.now(), verified_by=who)
        .returning(Asset.id)
    ).first()
    if done is None:
        raise not_found(f"asset {asset_id}")
    return get_asset(session, asset_id, "full")


def asset_history(session: Session, asset_id: int, with_personal: bool) -> list[dict[str, Any]]:
    """Every revision of an asset, oldest first: version, action, when, by whom, and the
    changed fields before and after. An individual's personal fields are left out unless
    `with_personal`. A 404 if there is no such asset."""
    kind = session.scalar(select(Asset.kind).where(Asset.id == asset_id))
    if kind is None:
        raise not_found(f"asset {asset_id}")
    rows = session.execute(
        select(
            AssetRevision.version,
            AssetRevision.action,
            AssetRevision.changed_at,
            AssetRevision.changed_by,
            AssetRevision.before,
            AssetRevision.after,
        )
        .where(AssetRevision.asset_id == asset_id)
        .order_by(AssetRevision.version, AssetRevision.id)
    ).all()
    hide = PERSONAL_FIELDS if kind == "individual" and not with_personal else frozenset()

    def shown(fields: dict[str, Any] | None) -> dict[str, Any] | None:
        if fields is None:
            return None
        return {key: value for key, value in fields.items() if key not in hide}

    return [
        {
            "version": row.version,
            "action": row.action,
            "changed_at": row.changed_at.isoformat(),
            "changed_by": row.changed_by,
            "before": shown(row.before),
            "after": shown(row.after),
        }
        for row in rows
    ]


@contextmanager
def revision_action(session: Session, action: str) -> Iterator[None]:
    """Name the action the revisions of the statements inside record (`restore`, `erase`)."""
    session.execute(text("SELECT set_config('assetmap.action', :action, true)"), {"action": action})
    yield
    session.execute(text("SELECT set_config('assetmap.action', '', true)"))


# What a restore brings back: every column a reader sees, but whether it is published (a
# decision of its own) and when it was last verified (a fact about now, not then).
_BOOKKEEPING = ("id", "version", "created_at", "created_by", "updated_at", "updated_by")
_RESTORED = tuple(
    column.name
    for column in Asset.__table__.columns
    if column.name not in _BOOKKEEPING
    and column.name
    not in {"public_geom", "public_bng", "search", "status", "verified_at", "verified_by"}
)


def restore_asset(session: Session, asset_id: int, version: int, who: str) -> StoredAsset:
    """Bring back the content of an earlier version as a new version (its revision's action
    is `restore`). A 404 if the asset has no such version; a 422 for the current one.

    A version's content is the current row with the `before` of every later revision
    applied, newest first: revisions keep only what changed."""
    current = session.execute(
        text("SELECT version, asset_content(a) FROM asset AS a WHERE id = :id FOR UPDATE"),
        {"id": asset_id},
    ).first()
    if current is None:
        raise not_found(f"asset {asset_id}")
    latest, content = current
    known = session.scalar(
        select(AssetRevision.id).where(
            AssetRevision.asset_id == asset_id, AssetRevision.version == version
        )
    )
    if known is None:
        raise not_found(f"version {version} of asset {asset_id}")
    if version == latest:
        raise invalid("revision", f"version {version} is the current version")
    befores = session.scalars(
        select(AssetRevision.before)
        .where(AssetRevision.asset_id == asset_id, AssetRevision.version > version)
        .order_by(AssetRevision.version.desc(), AssetRevision.id.desc())
    )
    then = dict(content)
    for before in befores:
        then.update(before or {})
    changed = [name for name in _RESTORED if then.get(name) != content.get(name)]
    set_actor(session, who)
    if changed:
        names = ", ".join(changed)  # column names from the table itself, never from input
        with revision_action(session, "restore"):
            session.execute(
                text(
                    f"UPDATE asset SET ({names}) = (SELECT {names} FROM "  # noqa: S608
                    "jsonb_populate_record(NULL::asset, CAST(:content AS jsonb))) WHERE id = :id"
                ),
                {"content": json.dumps(then), "id": asset_id},
            )
    return get_asset(session, asset_id, "full")


# An erasure empties these columns of the asset, and these keys of its history.
ERASED_COLUMNS = (
    "name",
    "description",
    "address",
    "postcode",
    "contact",
    "geom",
    "footprint",
    "consent_given_by",
    "consent_scope",
)
# ...and these members of a change waiting for moderation.
_ERASED_PROPERTIES = ("name", "description", "address", "postcode", "contact", "consent")
ERASED_NAME = "Erased asset"


def erase_asset(session: Session, asset_id: int, who: str) -> None:
    """Remove the personal data from an asset and from its history: its name, description,
    address, postcode, contact details, consent details and footprint are emptied; a person
    is moved to their neighbourhood's point; it is archived and no longer published. The
    history keeps only that `who` erased it, and when. (Closing what still waits for a
    moderator is moderation.withdraw's.)"""
    set_actor(session, who)
    with revision_action(session, "erase"):
        session.execute(
            update(Asset)
            .where(Asset.id == asset_id)
            .values(
                name=ERASED_NAME,
                description=None,
                address=None,
                postcode=None,
                contact=null(),
                footprint=None,
                consent_given_by=None,
                consent_scope=None,
                consent_publish=case((Asset.kind == "individual", False), else_=None),
                geom=func.asset_public_point(Asset.geom, Asset.kind),
                status="archived",
            )
        )
    session.execute(
        text(
            "UPDATE asset_revision SET before = before - CAST(:keys AS text[]), "
            "after = after - CAST(:keys AS text[]) WHERE asset_id = :id"
        ),
        {"keys": list(ERASED_COLUMNS), "id": asset_id},
    )
    session.execute(
        text(
            "UPDATE moderation_request SET changes = jsonb_build_object('properties', "
            "coalesce(changes -> 'properties', '{}') - CAST(:keys AS text[])) "
            "WHERE asset_id = :id AND changes IS NOT NULL"
        ),
        {"keys": list(_ERASED_PROPERTIES), "id": asset_id},
    )
