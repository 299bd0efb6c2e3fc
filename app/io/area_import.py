"""Importing neighbourhoods, their need indicators, and the offline postcode lookup."""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.validation import explain_validity
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from app.domain.plain_text import control_problem
from app.errors import invalid
from app.io.report import ImportReport, Reject
from app.io.sources import SourceError
from app.schemas import normalise_postcode
from app.sql import statement

LEVELS = ("lsoa", "ward", "locality", "local_authority")
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")


@dataclass
class ParentLookup:
    """A CSV mapping each area's code to its parent's code."""

    path: Path
    child_field: str
    parent_field: str


def _column(columns: list[str], given: str | None, guesses: tuple[str, ...], what: str) -> str:
    if given is not None:
        if given not in columns:
            raise invalid(f"{what}_field", f"the file has no column {given!r}")
        return given
    lowered = {c.lower(): c for c in columns}
    for guess in guesses:
        if guess in lowered:
            return lowered[guess]
    ends = [c for c in columns if c.lower().endswith(guesses[-1])]
    if len(ends) == 1:
        return ends[0]
    raise invalid(f"{what}_field", f"cannot tell which column holds the {what}: name it")


def _polygonal(geometry: Any) -> tuple[MultiPolygon | None, str | None]:
    """The area's MultiPolygon, repaired if need be, and a note of any repair."""
    if geometry is None or geometry.is_empty:
        return None, "no geometry"
    if not isinstance(geometry, Polygon | MultiPolygon):
        return None, f"a {geometry.geom_type} is not a polygon"
    shape = MultiPolygon([geometry]) if isinstance(geometry, Polygon) else geometry
    if shape.is_valid:
        return shape, None
    problem = explain_validity(shape)
    repaired = shapely.make_valid(shape)
    parts = [
        g for g in getattr(repaired, "geoms", [repaired]) if isinstance(g, Polygon | MultiPolygon)
    ]
    polygons = [p for g in parts for p in (g.geoms if isinstance(g, MultiPolygon) else [g])]
    if not polygons:
        return None, f"invalid polygon that cannot be repaired ({problem})"
    return MultiPolygon(polygons), f"repaired: {problem}"


def import_areas(
    session: Session,
    path: Path,
    level: str,
    code_field: str | None = None,
    name_field: str | None = None,
    parent: str | None = None,
    parent_lookup: ParentLookup | None = None,
    parent_from: str | None = None,
) -> ImportReport:
    """Upsert the polygons of `path` as areas at `level`, by code, reprojected to EPSG:4326.

    Parents come from one code (`parent`), a lookup CSV, or the area at level `parent_from`
    that overlaps each most. Invalid polygons are repaired and the repair noted."""
    if level not in LEVELS:
        raise invalid("level", f"must be one of {', '.join(LEVELS)}")
    if sum(x is not None for x in (parent, parent_lookup, parent_from)) > 1:
        raise invalid("parent", "give one of a parent code, a lookup or a level to fit into")
    if (
        parent is not None
        and session.scalar(text("SELECT 1 FROM area WHERE code = :code"), {"code": parent}) is None
    ):
        raise invalid("parent", f"no stored area has code {parent!r}: import it first")
    if parent_from is not None and parent_from not in LEVELS:
        raise invalid("parent_from", f"must be one of {', '.join(LEVELS)}")
    import geopandas as gpd  # here, not at the top: it is slow to load, and only areas need it

    try:
        frame = gpd.read_file(path, engine="pyogrio")
    except Exception as unreadable:
        raise SourceError(f"{path.name}: not a file GDAL can read ({unreadable})") from None
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs(4326)
    columns = [c for c in frame.columns if c != frame.geometry.name]
    code_column = _column(columns, code_field, ("area_code", "code", "cd"), "code")
    name_column = _column(columns, name_field, ("area_name", "name", "nm"), "name")
    parents = _lookup(parent_lookup) if parent_lookup is not None else {}

    report = ImportReport()
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, (record, geometry) in enumerate(
        zip(frame[columns].to_dict("records"), frame.geometry, strict=True), start=1
    ):
        original = {
            k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in record.items()
        }
        code = str(record[code_column] or "").strip()
        name = str(record[name_column] or code).strip()
        shape, note = _polygonal(geometry)
        reason = None
        problem = control_problem(code, code_column) or control_problem(name, name_column)
        if problem is not None:
            reason = f"{problem.field}: {problem.message}"
        elif not code:
            reason = f"no code in column {code_column!r}"
        elif code in seen:
            reason = f"duplicate code {code}: row {seen[code]} has it too"
        elif shape is None:
            reason = note
        if reason is not None:
            report.rejects.append(Reject(number, reason or "", original))
            continue
        seen[code] = number
        if note is not None:
            report.notes.append(f"row {number} ({code}): {note}")
        assert shape is not None
        rows.append(
            {
                "code": code,
                "name": name,
                "parent": parent if parent is not None else parents.get(code),
                "wkb": shapely.to_wkb(shape, hex=True),
                "row": number,
            }
        )
    if parent_lookup is not None:
        rows = _check_parents(session, rows, report)
    report.rejected = len(report.rejects)

    _count_upserts(report, _write(session, "area_upsert", rows, level=level), len(rows))
    if parent_from is not None:
        _fit_parents(session, [r["code"] for r in rows], parent_from, report)
    return report


def _write(session: Session, name: str, rows: list[dict[str, Any]], **params: Any) -> list[Any]:
    """Run app/sql/<name>.sql with `rows` as its JSON :rows; what it returns, one per row."""
    query = statement(name).bindparams(bindparam("rows", type_=JSONB))
    return list(session.execute(query, {"rows": rows, **params}).scalars().all())


def _count_upserts(report: ImportReport, inserted_flags: list[bool], rows: int) -> None:
    """Counts from an upsert that returns `inserted` for each row it inserted or changed."""
    report.inserted = sum(1 for inserted in inserted_flags if inserted)
    report.updated = len(inserted_flags) - report.inserted
    report.unchanged = rows - len(inserted_flags)


def _lookup(lookup: ParentLookup) -> dict[str, str]:
    with lookup.path.open(newline="", encoding="utf-8-sig") as file:
        reader = csv.DictReader(file)
        for field in (lookup.child_field, lookup.parent_field):
            if field not in (reader.fieldnames or []):
                raise invalid("parent_lookup", f"{lookup.path.name} has no column {field!r}")
        return {
            row[lookup.child_field].strip(): row[lookup.parent_field].strip()
            for row in reader
            if row[lookup.child_field]
        }


def _check_parents(
    session: Session, rows: list[dict[str, Any]], report: ImportReport
) -> list[dict[str, Any]]:
    wanted = {r["parent"] for r in rows if r["parent"]}
    known = set(
        session.scalars(
            text("SELECT code FROM area WHERE code = ANY(:codes)"), {"codes": list(wanted)}
        )
    ) | {r["code"] for r in rows}
    kept = []
    for row in rows:
        if row["parent"] and row["parent"] not in known:
            report.rejects.append(
                Reject(
                    row["row"],
                    f"parent {row['parent']} is not a stored area",
                    {"code": row["code"], "name": row["name"]},
                )
            )
        else:
            kept.append(row)
    return kept


def _fit_parents(session: Session, codes: list[str], level: str, report: ImportReport) -> None:
    """Each area's parent: the area at `level` its polygon overlaps most."""
    session.execute(statement("area_fit_parents"), {"level": level, "codes": codes})
    orphans = session.scalars(
        text("SELECT code FROM area WHERE code = ANY(:codes) AND parent_code IS NULL"),
        {"codes": codes},
    ).all()
    if orphans:
        report.notes.append(
            f"{len(orphans)} areas overlap no {level}, so have no parent: {', '.join(orphans[:10])}"
        )


def _number(raw: str | None) -> float | None:
    if raw is None or not raw.strip():
        return None
    value = float(raw)
    if not math.isfinite(value):
        raise ValueError(raw)
    return value


def import_indicators(
    session: Session,
    path: Path,
    key: str,
    columns: dict[str, str],
    year: int | None = None,
    source: str | None = None,
) -> ImportReport:
    """Join a CSV's columns onto areas by code: `columns` is indicator name -> CSV column.
    The name `population` fills the area's population; others its indicators, each stored
    as {value, year, source}. Codes that match no area are rejected, never dropped."""
    if not columns:
        raise invalid("set", "name at least one indicator: --set name=COLUMN")
    with path.open(newline="", encoding="utf-8-sig") as file:
        reader = csv.DictReader(file)
        fields = reader.fieldnames or []
        for name, column in {"key": key, **columns}.items():
            if column not in fields:
                raise invalid(
                    "set" if name != "key" else "key", f"{path.name} has no column {column!r}"
                )
        records = list(enumerate(reader, start=1))
    known = set(session.scalars(text("SELECT code FROM area")))
    report = ImportReport()
    rows = []
    for number, record in records:
        code = (record[key] or "").strip()
        reason = None
        values: dict[str, float] = {}
        if code not in known:
            reason = f"no area has code {code!r}"
        else:
            for name, column in columns.items():
                try:
                    value = _number(record[column])
                except ValueError:
                    reason = f"{column}: {record[column]!r} is not a number"
                    break
                if value is None:
                    reason = f"{column} is empty"
                    break
                if name == "population" and (value < 0 or not value.is_integer()):
                    reason = f"{column}: a population must be a whole number >= 0"
                    break
                values[name] = value
        if reason is not None:
            report.rejects.append(Reject(number, reason, dict(record)))
            continue
        population = values.pop("population", None)
        indicators = {
            name: {"value": value, "year": year, "source": source} for name, value in values.items()
        }
        rows.append({"code": code, "population": population, "indicators": indicators})
    report.rejected = len(report.rejects)
    changed = _write(session, "area_indicators", rows)
    report.updated = len(changed)
    report.unchanged = len(rows) - len(changed)
    return report


def import_postcodes(
    session: Session,
    path: Path,
    extent: tuple[float, float, float, float],
    postcode_field: str = "postcode",
    lon_field: str = "lon",
    lat_field: str = "lat",
    lsoa_field: str | None = "lsoa_code",
) -> ImportReport:
    """The offline postcode lookup from a CSV (postcode, lon, lat, optional LSOA code).
    Postcodes are stored normalised (`m320jt` -> `M32 0JT`)."""
    report = ImportReport()
    rows = []
    seen: set[str] = set()
    with path.open(newline="", encoding="utf-8-sig") as file:
        reader = csv.DictReader(file)
        fields = reader.fieldnames or []
        for name, column in (
            ("postcode_field", postcode_field),
            ("lon_field", lon_field),
            ("lat_field", lat_field),
        ):
            if column not in fields:
                raise invalid(name, f"{path.name} has no column {column!r}")
        has_lsoa = lsoa_field is not None and lsoa_field in fields
        minlon, minlat, maxlon, maxlat = extent
        for number, record in enumerate(reader, start=1):
            postcode = normalise_postcode(record[postcode_field] or "")
            reason = None
            try:
                lon, lat = _number(record[lon_field]), _number(record[lat_field])
            except ValueError:
                lon = lat = None
                reason = "lon/lat are not numbers"
            if reason is None and not POSTCODE.match(postcode):
                reason = f"{record[postcode_field]!r} is not a UK postcode"
            elif reason is None and (lon is None or lat is None):
                reason = "no lon/lat (a postcode without a location)"
            elif reason is None and not (
                minlon <= (lon or 0) <= maxlon and minlat <= (lat or 0) <= maxlat
            ):
                reason = "outside the service extent"
            elif reason is None and postcode in seen:
                reason = f"duplicate postcode {postcode}"
            if reason is not None:
                report.rejects.append(Reject(number, reason, dict(record)))
                continue
            seen.add(postcode)
            lsoa = (record[lsoa_field] or "").strip() or None if has_lsoa and lsoa_field else None
            rows.append({"postcode": postcode, "lon": lon, "lat": lat, "lsoa": lsoa})
    report.rejected = len(report.rejects)
    _count_upserts(report, _write(session, "postcode_upsert", rows), len(rows))
    return report
