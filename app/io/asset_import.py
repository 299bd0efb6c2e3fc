"""Importing assets from a council's file: validated like the API, upserted on
(source, source_ref), every row it cannot take reported with the reason.

Rows stream from the file in chunks into a temporary staging table (COPY), keeping memory
flat; the checks that need the database (postcodes, duplicate references) and the upsert
are then single set-based statements, all in the caller's one transaction, so an import is
never half-written.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

import psycopg
import shapely
from pydantic import ValidationError
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.db import set_actor
from app.domain import categories
from app.domain.assets import normalise_postcode
from app.errors import invalid
from app.io.report import ImportReport, Reject
from app.io.sources import SourceRow, read_rows
from app.schemas import AssetProperties

Extent = tuple[float, float, float, float]
Progress = Callable[[int], None]

# Columns a file may fill, by target name; `contact.*` go into the contact object.
TARGETS = (
    "name",
    "description",
    "address",
    "postcode",
    "contact.phone",
    "contact.email",
    "contact.website",
    "opening_hours",
    "audience",
    "cost",
    "accessibility",
    "reach_m",
    "capacity",
    "outcomes",
    "verified_at",
)
# Column names taken for a target when no --map says otherwise (compared case-blind).
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "title"),
    "description": ("description",),
    "address": ("address",),
    "postcode": ("postcode", "post_code", "postal_code"),
    "contact.phone": ("phone", "telephone", "tel"),
    "contact.email": ("email", "e-mail"),
    "contact.website": ("website", "web", "url"),
    "opening_hours": ("opening_hours", "opening hours", "opening times"),
    "audience": ("audience",),
    "cost": ("cost",),
    "accessibility": ("accessibility",),
    "reach_m": ("reach_m",),
    "capacity": ("capacity",),
    "outcomes": ("outcomes",),
    "verified_at": ("verified_at",),
}

STAGING = """
CREATE TEMPORARY TABLE import_staging (
    row_no         integer PRIMARY KEY,
    reason         text,
    original       jsonb NOT NULL,
    source_ref     text,
    name           text,
    description    text,
    outcomes       text[],
    geom           geometry(Point, 4326),
    footprint      geometry(MultiPolygon, 4326),
    reach_m        double precision,
    capacity       double precision,
    address        text,
    postcode       text,
    contact        jsonb,
    opening_hours  text,
    audience       text,
    cost           text,
    accessibility  text,
    verified_at    timestamptz
) ON COMMIT DROP
"""
STAGED = (
    "row_no",
    "reason",
    "original",
    "source_ref",
    "name",
    "description",
    "outcomes",
    "geom",
    "footprint",
    "reach_m",
    "capacity",
    "address",
    "postcode",
    "contact",
    "opening_hours",
    "audience",
    "cost",
    "accessibility",
    "verified_at",
)
# What an import writes, as expressions over the staging table; on an existing asset it
# changes these, never its status.
CONTENT: dict[str, str] = {
    "name": "name",
    "description": "description",
    "kind": "CAST(:kind AS text)",
    "category_id": "CAST(:category_id AS integer)",
    "outcomes": "coalesce(outcomes, '{}')",
    "geom": "geom",
    "footprint": "footprint",
    "reach_m": "reach_m",
    "capacity": "capacity",
    "address": "address",
    "postcode": "postcode",
    "contact": "contact",
    "opening_hours": "opening_hours",
    "audience": "audience",
    "cost": "cost",
    "accessibility": "accessibility",
    "verified_at": "verified_at",
}
_CHANGED = " OR ".join(f"asset.{c} IS DISTINCT FROM EXCLUDED.{c}" for c in CONTENT)
# Built from the constant column names above; every value is a bound parameter.
UPSERT = (
    f"INSERT INTO asset ({', '.join(CONTENT)}, source, source_ref, status) "  # noqa: S608
    f"SELECT {', '.join(CONTENT.values())}, CAST(:source AS text), source_ref, 'published' "
    "  FROM import_staging WHERE reason IS NULL ORDER BY row_no "
    "ON CONFLICT (source, source_ref) DO UPDATE SET "
    + ", ".join(f"{c} = EXCLUDED.{c}" for c in CONTENT)
    + f" WHERE {_CHANGED} RETURNING (xmax = 0) AS inserted"
)


@dataclass
class AssetImport:
    """How to read one file of assets. `mapping` is target -> source column."""

    kind: str
    source: str
    category: str | None = None
    ref_fields: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    lon_field: str | None = None
    lat_field: str | None = None
    na_values: frozenset[str] = frozenset()
    # The name of a row whose name column is empty (e.g. an unnamed post office).
    default_name: str | None = None
    atomic: bool = False


class _Mapper:
    """Turns a file's rows into asset properties, given its column names."""

    def __init__(self, plan: AssetImport, columns: Iterable[str]) -> None:
        by_lower = {column.lower(): column for column in columns}
        self.columns: dict[str, str] = {}
        for target in TARGETS:
            if target in plan.mapping:
                wanted = plan.mapping[target]
                if wanted.lower() not in by_lower:
                    raise invalid("map", f"the file has no column {wanted!r} (for {target})")
                self.columns[target] = by_lower[wanted.lower()]
                continue
            for alias in ALIASES[target]:
                if alias in by_lower:
                    self.columns[target] = by_lower[alias]
                    break
        if "name" not in self.columns and plan.default_name is None:
            raise invalid("map", "no column gives the name: say which with name=COLUMN")
        for ref in plan.ref_fields:
            if ref.lower() not in by_lower:
                raise invalid("ref_field", f"the file has no column {ref!r}")
        self.ref_columns = [by_lower[ref.lower()] for ref in plan.ref_fields]
        self.na_values = plan.na_values

    def value(self, attributes: dict[str, Any], target: str) -> Any:
        column = self.columns.get(target)
        if column is None:
            return None
        value = attributes.get(column)
        if isinstance(value, str):
            value = value.strip()
            if value == "" or value in self.na_values:
                return None
        return value

    def source_ref(self, row: SourceRow) -> str | None:
        if not self.ref_columns:
            # No reference column: the row's content is its identity, so a re-sent file
            # changes nothing, and a changed row arrives as a new asset.
            digest = hashlib.sha256(
                json.dumps(row.attributes, sort_keys=True, default=str).encode()
                + (row.geometry.wkb if row.geometry is not None else b"")
            )
            return "sha256:" + digest.hexdigest()[:32]
        parts = []
        for column in self.ref_columns:
            value = _text(row.attributes.get(column))
            if value is None or value in self.na_values:
                return None
            parts.append(value)
        return " | ".join(parts)

    def properties(self, attributes: dict[str, Any], plan: AssetImport) -> dict[str, Any]:
        props: dict[str, Any] = {"kind": plan.kind, "source": plan.source}
        if plan.category is not None:
            props["category"] = plan.category
        contact: dict[str, Any] = {}
        for target in TARGETS:
            value = self.value(attributes, target)
            if value is None:
                continue
            if target.startswith("contact."):
                key = target.split(".", 1)[1]
                contact[key] = _contact_value(key, value)
            elif target == "outcomes":
                props["outcomes"] = (
                    [part.strip() for part in value.split(",") if part.strip()]
                    if isinstance(value, str)
                    else value
                )
            elif target in ("reach_m", "capacity"):
                props[target] = value
            elif target == "verified_at":
                props[target] = value.isoformat() if isinstance(value, date) else value
            else:
                props[target] = _text(value)
        if contact:
            props["contact"] = contact
        if props.get("name") is None and plan.default_name is not None:
            props["name"] = plan.default_name
        return props


def _text(value: Any) -> str | None:
    """A cell as text: whole numbers lose their `.0`, as spreadsheets and GDAL add it."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip() or None


def _contact_value(key: str, value: Any) -> str | None:
    found = _text(value)
    if found is None:
        return None
    if key == "phone" and re.fullmatch(r"[1-9]\d{9}", found):
        # A UK number stored as a number has lost its leading zero (1617486414).
        return "0" + found
    if key == "website" and not re.match(r"^[a-z][a-z0-9+.-]*://", found, re.I):
        return "http://" + found
    return found


def _problems(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"])
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def _location(
    row: SourceRow, extent: Extent
) -> tuple[Point | None, MultiPolygon | None, str | None]:
    """The row's point and footprint, or the reason it has none usable."""
    geometry = row.geometry
    if row.geometry_problem is not None:
        return None, None, row.geometry_problem
    if geometry is None or geometry.is_empty:
        return None, None, None
    if not isinstance(geometry, Point | Polygon | MultiPolygon):
        return None, None, f"a {geometry.geom_type} is not a point or polygon"
    minlon, minlat, maxlon, maxlat = geometry.bounds
    emin_lon, emin_lat, emax_lon, emax_lat = extent
    if not (
        emin_lon <= minlon and maxlon <= emax_lon and emin_lat <= minlat and maxlat <= emax_lat
    ):
        return None, None, "outside the service extent (are lon/lat swapped?)"
    if isinstance(geometry, Point):
        return geometry, None, None
    footprint = geometry if isinstance(geometry, MultiPolygon) else MultiPolygon([geometry])
    if not footprint.is_valid:
        repaired = shapely.make_valid(footprint)
        polygons = [
            g
            for g in getattr(repaired, "geoms", [repaired])
            if isinstance(g, Polygon | MultiPolygon)
        ]
        if not polygons:
            return None, None, "the polygon is invalid and cannot be repaired"
        footprint = MultiPolygon(
            [p for g in polygons for p in (g.geoms if isinstance(g, MultiPolygon) else [g])]
        )
    return footprint.point_on_surface(), footprint, None


def _ewkb(geometry: BaseGeometry | None) -> str | None:
    if geometry is None:
        return None
    return str(shapely.to_wkb(shapely.set_srid(geometry, 4326), hex=True, include_srid=True))


def _stage(
    plan: AssetImport, mapper: _Mapper, row: SourceRow, extent: Extent, outcomes: set[str]
) -> tuple[Any, ...]:
    """One staging row: the asset's columns, or a reason it cannot be taken."""
    reason: str | None = None
    point, footprint, geometry_reason = _location(row, extent)
    props = mapper.properties(row.attributes, plan)
    values: dict[str, Any] = {}
    try:
        checked = AssetProperties.model_validate(props)
        values = checked.model_dump(exclude_none=True, mode="json")
    except ValidationError as error:
        reason = _problems(error)
    unknown = [slug for slug in values.get("outcomes", []) if slug not in outcomes]
    if reason is None and unknown:
        reason = f"outcomes: unknown outcome {unknown[0]!r}"
    source_ref = mapper.source_ref(row)
    if reason is None and source_ref is None:
        reason = f"no source_ref: {', '.join(mapper.ref_columns)} is empty"
    if reason is None and geometry_reason is not None:
        reason = geometry_reason
    if reason is None and point is None and values.get("postcode") is None:
        reason = "no geometry and no postcode"
    postcode = values.get("postcode")
    original = json.dumps(row.attributes, default=str, ensure_ascii=False)
    return (
        row.number,
        reason,
        original,
        source_ref,
        values.get("name"),
        values.get("description"),
        values.get("outcomes"),
        _ewkb(point),
        _ewkb(footprint),
        values.get("reach_m"),
        values.get("capacity"),
        values.get("address"),
        normalise_postcode(postcode) if postcode else None,
        json.dumps(values["contact"]) if values.get("contact") else None,
        values.get("opening_hours"),
        values.get("audience"),
        values.get("cost"),
        values.get("accessibility"),
        values.get("verified_at"),
    )


def import_assets(
    session: Session,
    path: Path,
    plan: AssetImport,
    extent: Extent,
    progress: Progress | None = None,
    actor: str | None = None,
) -> ImportReport:
    """Import `path` into the session's transaction. With `plan.atomic`, any reject means
    nothing is written (the caller must then roll back: `report.committed` is False).

    Raises a 422 Problem for a plan that does not fit the file or the taxonomy, and
    app.io.sources.SourceError for a file that cannot be read."""
    category_id = (
        None
        if plan.category is None
        else categories.category_id(session, plan.category, plan.kind, "category")
    )
    outcomes = {row["slug"] for row in categories.outcomes(session)}
    set_actor(session, actor)
    connection = session.connection()
    # Several imports may share one transaction (the demo's tests do): start afresh.
    connection.exec_driver_sql("DROP TABLE IF EXISTS import_staging")
    connection.exec_driver_sql(STAGING)
    mapper: _Mapper | None = None
    raw = cast(psycopg.Connection[Any], connection.connection.dbapi_connection)
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY import_staging ({', '.join(STAGED)}) FROM STDIN") as copy,
    ):
        for chunk in read_rows(path, plan.lon_field, plan.lat_field):
            if mapper is None and chunk:
                mapper = _Mapper(plan, chunk[0].attributes.keys())
            assert mapper is not None
            for row in chunk:
                copy.write_row(_stage(plan, mapper, row, extent, outcomes))
            if progress is not None:
                progress(len(chunk))
    report = _finish(session, plan, category_id, extent)
    return report


def _finish(
    session: Session, plan: AssetImport, category_id: int | None, extent: Extent
) -> ImportReport:
    run = session.execute
    # Points for rows that have only a postcode, from the offline lookup.
    run(
        text(
            "UPDATE import_staging AS s SET geom = p.geom FROM postcode AS p "
            "WHERE s.reason IS NULL AND s.geom IS NULL AND p.postcode = s.postcode"
        )
    )
    run(
        text(
            "UPDATE import_staging SET reason = 'unknown postcode ' || postcode "
            "WHERE reason IS NULL AND geom IS NULL"
        )
    )
    run(
        text(
            "UPDATE import_staging SET reason = 'outside the service extent' "
            "WHERE reason IS NULL AND NOT geom @ ST_MakeEnvelope(:a, :b, :c, :d, 4326)"
        ),
        dict(zip("abcd", extent, strict=True)),
    )
    run(
        text(
            "UPDATE import_staging AS s SET reason = 'duplicate source_ref ' || quote_literal("
            "s.source_ref) || ': row ' || f.first || ' has it too' "
            "FROM (SELECT row_no, min(row_no) OVER (PARTITION BY source_ref) AS first "
            "      FROM import_staging WHERE reason IS NULL) AS f "
            "WHERE s.row_no = f.row_no AND f.row_no > f.first"
        )
    )
    rejected = session.execute(
        text(
            "SELECT row_no, reason, original FROM import_staging "
            "WHERE reason IS NOT NULL ORDER BY row_no"
        )
    ).all()
    report = ImportReport(
        rejected=len(rejected),
        rejects=[Reject(row.row_no, row.reason, row.original) for row in rejected],
    )
    good = session.scalar(text("SELECT count(*) FROM import_staging WHERE reason IS NULL")) or 0
    if plan.atomic and report.rejected:
        report.committed = False
        report.notes.append("atomic: nothing was written because some rows were rejected")
        return report
    upsert = text(UPSERT)
    params = {"category_id": category_id, "kind": plan.kind, "source": plan.source}
    outcomes = session.execute(upsert, params).scalars().all()
    report.inserted = sum(1 for inserted in outcomes if inserted)
    report.updated = len(outcomes) - report.inserted
    report.unchanged = good - len(outcomes)
    return report
