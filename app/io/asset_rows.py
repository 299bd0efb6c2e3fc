"""A file's rows as assets: mapped onto the properties app.schemas declares, checked as
the API checks them, and staged as rows of the import's working table (app.io.asset_import
writes them).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import UnionType
from typing import Annotated, Any, Union, cast, get_args, get_origin

import numpy as np
import orjson
import shapely
from pydantic import BaseModel, TypeAdapter, ValidationError
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from app.domain import schedules
from app.domain.asset_fields import IMPORT_TARGETS, IMPORTED_COLUMNS, POINT, ImportTarget
from app.domain.categories import StoredCategory
from app.domain.opening import LONDON
from app.domain.plain_text import ESCAPED_CONTROL, control_problem, first_control_problem
from app.errors import invalid
from app.io.report import Reject
from app.io.sources import SourceRow
from app.schemas import WEEKDAYS, AssetProperties, Schedule, Weekday

Extent = tuple[float, float, float, float]

# What a file's columns may fill (`contact.phone` a part of a property), with the column
# names taken for each when no --map says otherwise: from the assets' declaration.
TARGETS: dict[str, ImportTarget] = {target.name: target for target in IMPORT_TARGETS}
# A file's column of one day's opening hours: opening_hours_monday (or _mon), ...
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_COLUMN = re.compile(
    r"opening[ _]hours[ _](mon(?:day)?|tue(?:sday)?|wed(?:nesday)?|thu(?:rsday)?"
    r"|fri(?:day)?|sat(?:urday)?|sun(?:day)?)"
)
# The property each imported column holds (a point and a footprint hold none).
_HOLDS = {target.prop.column: target.prop.name for target in IMPORT_TARGETS}
# Where in a staged row (row_no, source_ref, kind, category_id, then IMPORTED_COLUMNS) each
# property goes, and the place's point and footprint.
_STAGED_AT: dict[str, list[int]] = {}
for _at, _column in enumerate(IMPORTED_COLUMNS, start=4):
    if _column not in (POINT, "footprint"):
        _STAGED_AT.setdefault(_HOLDS[_column], []).append(_at)
_POINT_AT, _FOOTPRINT_AT = (
    4 + IMPORTED_COLUMNS.index(POINT),
    4 + IMPORTED_COLUMNS.index("footprint"),
)
_STAGED_WIDTH = 4 + len(IMPORTED_COLUMNS)


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
    # Each row names its own kind and category (`kind`, `category`: a feed's rows); `kind`
    # is then the kind of a row naming none.
    row_kinds: bool = False


@dataclass(frozen=True)
class Taxonomy:
    """What rows are checked against: the outcome slugs and the categories by slug."""

    outcomes: frozenset[str]
    categories: Mapping[str, StoredCategory]


def parse_pairs(values: list[str], field: str) -> dict[str, str]:
    """`name=COLUMN` options (--map, --set) as a dict; a 422 naming `field` for a bad one."""
    pairs = {}
    for value in values:
        name, sep, column = value.partition("=")
        if not sep or not name.strip() or not column.strip():
            raise invalid(field, f"takes name=COLUMN, not {value!r}")
        pairs[name.strip()] = column.strip()
    return pairs


class Mapper:
    """Turns a file's rows into asset properties, given its column names."""

    def __init__(self, plan: AssetImport, columns: Iterable[str]) -> None:
        by_lower = {column.lower(): column for column in columns}
        self.columns: dict[str, str] = {}
        for target in TARGETS.values():
            if target.name in plan.mapping:
                wanted = plan.mapping[target.name]
                if wanted.lower() not in by_lower:
                    message = f"the file has no column {wanted!r} (for {target.name})"
                    raise invalid("map", message)
                self.columns[target.name] = by_lower[wanted.lower()]
                continue
            for alias in target.aliases:
                if alias in by_lower:
                    self.columns[target.name] = by_lower[alias]
                    break
        if "name" not in self.columns and plan.default_name is None:
            raise invalid("map", "no column gives the name: say which with name=COLUMN")
        for ref in plan.ref_fields:
            if ref.lower() not in by_lower:
                raise invalid("ref_field", f"the file has no column {ref!r}")
        self.ref_columns = [by_lower[ref.lower()] for ref in plan.ref_fields]
        self.na_values = plan.na_values
        # A day's opening hours, each in a column of its own (opening_hours_monday, ...).
        self.day_columns: dict[Weekday, str] = {}
        for column in columns:
            found = DAY_COLUMN.fullmatch(column.strip().lower())
            if found is not None:
                self.day_columns[WEEKDAYS[DAY_NAMES.index(found.group(1)[:3])]] = column
        self.today = datetime.now(LONDON).date()
        # The targets this file fills, in the order of TARGETS, each with its column.
        self.filled = [
            (target, self.columns[target.name], _cell_kind(target.prop.annotation))
            for target in TARGETS.values()
            if target.name in self.columns
        ]

    def value(self, attributes: dict[str, Any], column: str) -> Any:
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
        if plan.row_kinds:
            props["kind"] = self.value(attributes, "kind") or plan.kind
            if (category := self.value(attributes, "category")) is not None:
                props["category"] = category
        for target, column, cell_kind in self.filled:
            value = self.value(attributes, column)
            if value is None:
                continue
            if target.part is not None:
                parts = props.setdefault(target.prop.name, {})
                parts[target.part.name] = _part_value(target.part.name, value)
            else:
                try:
                    props[target.prop.name] = _cell(cell_kind, value)
                except ValueError as unreadable:
                    raise ValueError(f"{target.prop.name}: {unreadable}") from None
        if props.get("name") is None and plan.default_name is not None:
            props["name"] = plan.default_name
        if "schedule" not in props:
            schedule = self._schedule(attributes, props.get("opening_hours"))
            if schedule is not None:
                props["schedule"] = schedule.model_dump(mode="json", exclude_none=True)
        return props

    def _schedule(self, attributes: dict[str, Any], opening_hours: Any) -> Schedule | None:
        """A schedule from a row's day columns, or else from its opening hours written in
        OpenStreetMap's syntax ("Mo-Fr 09:00-17:00; Sa 10:00-14:00"); None when it has
        neither. Raises ValueError naming a day column it cannot read."""
        if self.day_columns:
            cells = {day: _text(self.value(attributes, c)) for day, c in self.day_columns.items()}
            return schedules.from_day_columns(cells, self.day_columns)
        if isinstance(opening_hours, str):
            return schedules.from_osm(opening_hours, self.today)
        return None

    def unchecked(self, row: SourceRow, plan: AssetImport) -> dict[str, Any] | str:
        """A row's properties before the API's checks, or the reason it cannot have any."""
        try:
            return self.properties(row.attributes, plan)
        except ValueError as unreadable:
            return str(unreadable)


def _types(annotation: Any) -> set[Any]:
    """The types a property's declared type allows: `Annotated[float, ...] | None` ->
    {float, NoneType}."""
    if get_origin(annotation) is Annotated:
        return _types(get_args(annotation)[0])
    if get_origin(annotation) in (Union, UnionType):
        return {kind for arg in get_args(annotation) for kind in _types(arg)}
    return {annotation}


def _cell_kind(annotation: Any) -> str:
    """How a property's cells are read (`model`, `list`, `number`, `time` or `text`),
    worked out once per file (Mapper.filled) rather than once per cell."""
    kinds = _types(annotation)
    if any(isinstance(kind, type) and issubclass(kind, BaseModel) for kind in kinds):
        return "model"
    if any(get_origin(kind) is list for kind in kinds):
        return "list"
    if float in kinds:
        return "number"
    if datetime in kinds:
        return "time"
    return "text"


def _cell(kind: str, value: Any) -> Any:
    """A cell as its property takes it (`kind`, from _cell_kind): a list from
    comma-separated text, a number or a time as the file has it, a model (a schedule) from
    its JSON, text otherwise."""
    if kind == "model":
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except json.JSONDecodeError as broken:
            raise ValueError(f"is not JSON ({broken.msg})") from None
    if kind == "list":
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value
    if kind == "number":
        return value
    if kind == "time":
        return value.isoformat() if isinstance(value, date) else value
    return _text(value)


def _text(value: Any) -> str | None:
    """A cell as text: whole numbers lose their `.0`, as spreadsheets and GDAL add it."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip() or None


def _part_value(key: str, value: Any) -> str | None:
    """A cell holding a part of a contact."""
    found = _text(value)
    if found is None:
        return None
    if key == "phone" and re.fullmatch(r"[1-9]\d{9}", found):
        # A UK number stored as a number has lost its leading zero (1617486414).
        return "0" + found
    if key == "website" and not re.match(r"^[a-z][a-z0-9+.-]*://", found, re.I):
        return "http://" + found
    return found


def _locations(
    rows: list[SourceRow], extent: Extent
) -> tuple[list[str | None], list[str | None], list[str | None]]:
    """For a chunk of rows: each one's point and footprint as EWKB hex, or the reason it has
    none usable (None, None, None: no geometry at all). Worked out for the chunk at once."""
    count = len(rows)
    points: list[str | None] = [None] * count
    footprints: list[str | None] = [None] * count
    reasons: list[str | None] = [row.geometry_problem for row in rows]
    # heights dropped, as the API drops them (app.domain.geometry)
    geometries = shapely.force_2d(np.array([row.geometry for row in rows], dtype=object))
    present = ~shapely.is_missing(geometries) & ~shapely.is_empty(geometries)
    kinds = shapely.get_type_id(geometries)
    bounds = shapely.bounds(geometries)
    emin_lon, emin_lat, emax_lon, emax_lat = extent
    inside = (
        (bounds[:, 0] >= emin_lon)
        & (bounds[:, 2] <= emax_lon)
        & (bounds[:, 1] >= emin_lat)
        & (bounds[:, 3] <= emax_lat)
    )
    is_point = kinds == shapely.GeometryType.POINT
    is_area = (kinds == shapely.GeometryType.POLYGON) | (kinds == shapely.GeometryType.MULTIPOLYGON)
    point_rows = np.flatnonzero(present & inside & is_point)
    hexes = shapely.to_wkb(
        shapely.set_srid(geometries[point_rows], 4326), hex=True, include_srid=True
    )
    for index, value in zip(point_rows, hexes, strict=True):
        points[index] = value
    for index in np.flatnonzero(present):
        if reasons[index] is not None:
            continue
        if not (is_point[index] or is_area[index]):
            reasons[index] = f"a {rows[index].geometry.geom_type} is not a point or polygon"  # type: ignore[union-attr]
        elif not inside[index]:
            reasons[index] = "outside the service extent (are lon/lat swapped?)"
        elif is_area[index]:
            point, footprint, reasons[index] = _footprint(geometries[index])
            points[index], footprints[index] = _ewkb(point), _ewkb(footprint)
    return points, footprints, reasons


def _footprint(geometry: BaseGeometry) -> tuple[Point | None, MultiPolygon | None, str | None]:
    """A (repaired if need be) footprint and a point inside it."""
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


# The rows' properties checked all at once, as the API checks one asset's.
_ALL_PROPERTIES = TypeAdapter(list[AssetProperties])


def _may_hold_control(value: Any) -> bool:
    """Whether `value` (properties, or a list of them) may hold a control character."""
    try:
        dumped = orjson.dumps(value, default=str)
    except (orjson.JSONEncodeError, TypeError):
        dumped = json.dumps(value, default=str).encode()
    return ESCAPED_CONTROL.search(dumped) is not None


# How many rows are checked in one call of the validator, which holds the interpreter
# throughout: short enough that the thread writing the chunk before never waits long for
# its turn (a whole chunk's check would keep it waiting some 50 ms).
CHECKED_AT_ONCE = 250


def _checked_all(properties: list[dict[str, Any]]) -> list[dict[str, Any] | str]:
    """Rows' properties as the API would store them, or for each row the reason it refuses
    them (each problem as `field: message`), CHECKED_AT_ONCE at a time."""
    return [
        answer
        for start in range(0, len(properties), CHECKED_AT_ONCE)
        for answer in _checked_together(properties[start : start + CHECKED_AT_ONCE])
    ]


def _checked_together(properties: list[dict[str, Any]]) -> list[dict[str, Any] | str]:
    """_checked_all's answers for a few rows, checked as one list (again without the rows
    it refused, for the good rows' values); only rows that may hold a control character
    are walked one by one."""
    answers: list[dict[str, Any] | str | None] = [None] * len(properties)
    if _may_hold_control(properties):
        for index, row in enumerate(properties):
            if _may_hold_control(row) and (problem := first_control_problem(row, "")):
                answers[index] = f"{problem.field}: {problem.message}"
    good = [index for index, answer in enumerate(answers) if answer is None]
    try:
        models = _ALL_PROPERTIES.validate_python([properties[index] for index in good])
    except ValidationError as error:
        problems: dict[int, list[str]] = {}
        for item in error.errors():
            position, *where = item["loc"]
            problems.setdefault(good[cast(int, position)], []).append(
                f"{'.'.join(str(part) for part in where)}: {item['msg']}"
            )
        for index, found in problems.items():
            answers[index] = "; ".join(found)
        good = [index for index in good if index not in problems]
        models = _ALL_PROPERTIES.validate_python([properties[index] for index in good])
    for index, value in zip(
        good, _ALL_PROPERTIES.dump_python(models, exclude_none=True, mode="json"), strict=True
    ):
        answers[index] = value
    return cast(list[dict[str, Any] | str], answers)


def _staged(value: Any) -> Any:
    """A checked property as COPY takes it: a model (a contact) as JSON."""
    return orjson.dumps(value).decode() if isinstance(value, dict) else value


def _original(row: SourceRow) -> dict[str, Any]:
    """A row as the file had it, for the reject report (values JSON cannot hold as text)."""
    return cast(dict[str, Any], json.loads(json.dumps(row.attributes, default=str)))


@dataclass
class Chunk:
    """A chunk on its way to the database: its rows, the good ones' `import_chunk` columns,
    and whether any needs a point from its postcode."""

    rows: list[SourceRow]
    staged: list[tuple[Any, ...]]
    geocode: bool
    # whether the staged rows' references all differ (a chunk rarely repeats one)
    refs_differ: bool = False

    def refused(self, refused: list[tuple[int, str]]) -> list[Reject]:
        """Rejects for the rows the database refused, given as (row number, reason)."""
        by_number = {row.number: row for row in self.rows} if refused else {}
        return [Reject(number, reason, _original(by_number[number])) for number, reason in refused]


def stage_chunk(
    plan: AssetImport,
    mapper: Mapper,
    rows: list[SourceRow],
    extent: Extent,
    taxonomy: Taxonomy,
    rejects: list[Reject],
) -> Chunk:
    """A chunk's good rows as `import_chunk` columns; each row Python refuses goes to
    `rejects` with the reason."""
    points, footprints, geometry_reasons = _locations(rows, extent)
    unchecked = [mapper.unchecked(row, plan) for row in rows]
    readable = [index for index, props in enumerate(unchecked) if not isinstance(props, str)]
    checked = list(unchecked)
    found = _checked_all([cast(dict[str, Any], unchecked[index]) for index in readable])
    for index, answer in zip(readable, found, strict=True):
        checked[index] = answer
    staged = []
    geocode = False
    for row, point, footprint, geometry_reason, values in zip(
        rows, points, footprints, geometry_reasons, checked, strict=True
    ):
        reason: str | None = None
        if isinstance(values, str):
            reason, values = values, {}
        unknown = [slug for slug in values.get("outcomes", ()) if slug not in taxonomy.outcomes]
        if reason is None and unknown:
            reason = f"outcomes: unknown outcome {unknown[0]!r}"
        kind = values.get("kind", plan.kind)
        category = taxonomy.categories.get(values.get("category", ""))
        if reason is None and "category" in values:
            if category is None:
                reason = f"category: unknown category {values['category']!r}"
            elif category.kind != kind:
                under = f"sits under kind {category.kind!r}, not {kind!r}"
                reason = f"category: {category.slug!r} {under}"
        source_ref = mapper.source_ref(row)
        if reason is None and source_ref is None:
            reason = f"no source_ref: {', '.join(mapper.ref_columns)} is empty"
        if reason is None and (problem := control_problem(source_ref or "", "source_ref")):
            reason = f"{problem.field}: {problem.message}"
        if reason is None and geometry_reason is not None:
            reason = geometry_reason
        postcode = values.get("postcode")
        if reason is None and point is None and postcode is None:
            reason = "no geometry and no postcode"
        if reason is not None:
            rejects.append(Reject(row.number, reason, _original(row)))
            continue
        geocode = geocode or point is None
        columns: list[Any] = [None] * _STAGED_WIDTH
        columns[:4] = row.number, source_ref, kind, None if category is None else category.id
        columns[_POINT_AT], columns[_FOOTPRINT_AT] = point, footprint
        for name, value in values.items():
            for at in _STAGED_AT.get(name, ()):
                columns[at] = _staged(value)
        staged.append(tuple(columns))
    refs_differ = len({columns[1] for columns in staged}) == len(staged)
    return Chunk(rows, staged, geocode, refs_differ)
