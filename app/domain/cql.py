"""OGC API - Features Part 3 filters: CQL2 (text or JSON), parsed by the `cql2` library and
translated here into a SQL condition with bound parameters only, on a collection's
queryables only. Nothing of the filter's text ever reaches SQL as text.

Supported: comparisons (=, <>, <, <=, >, >=), LIKE, BETWEEN, IN, IS NULL, CASEI, AND, OR,
NOT, and S_INTERSECTS of the geometry with a point, a polygon, a line or a BBOX given in
`filter-crs` (CRS84 by default).
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import cql2
from sqlalchemy import (
    Boolean,
    ColumnElement,
    DateTime,
    Float,
    Text,
    and_,
    bindparam,
    func,
    not_,
    or_,
)

from app.domain.asset_fields import public_asset
from app.domain.asset_search import asset_category
from app.domain.features import WGS84
from app.errors import FieldProblem, Problem
from app.models import Area

# `cql-text` is the draft's name for CQL2 text, which GDAL's OAPIF driver (3.6) still sends.
FilterLang = Literal["cql2-text", "cql2-json", "cql-text"]
JsonType = Literal["string", "number", "integer", "boolean", "date-time", "geometry"]
# The most nodes one filter may hold: a filter is a question, not a program.
MAX_NODES = 500

COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "=": operator.eq,
    "<>": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass(frozen=True)
class Queryable:
    """A property a filter may name: its column, its JSON Schema type, and its title."""

    column: Any
    type: JsonType
    title: str

    def schema(self) -> dict[str, Any]:
        if self.type == "geometry":
            return {"title": self.title, "$ref": "https://geojson.org/schema/Geometry.json"}
        if self.type == "date-time":
            return {"title": self.title, "type": "string", "format": "date-time"}
        return {"title": self.title, "type": self.type}


_asset = public_asset.c

ASSET_QUERYABLES: dict[str, Queryable] = {
    "geometry": Queryable(_asset.geom, "geometry", "Where it is (a person: their neighbourhood)"),
    "name": Queryable(_asset.name, "string", "Name"),
    "description": Queryable(_asset.description, "string", "Description"),
    "kind": Queryable(_asset.kind, "string", "Kind of asset"),
    "category": Queryable(asset_category.slug, "string", "Category (slug)"),
    "postcode": Queryable(_asset.postcode, "string", "Postcode"),
    "opening_hours": Queryable(_asset.opening_hours, "string", "Opening hours (text)"),
    "audience": Queryable(_asset.audience, "string", "Who it is for"),
    "cost": Queryable(_asset.cost, "string", "Cost"),
    "accessibility": Queryable(_asset.accessibility, "string", "Accessibility"),
    "reach_m": Queryable(_asset.reach_m, "number", "How far people come to it (metres)"),
    "capacity": Queryable(_asset.capacity, "number", "Capacity"),
    "source": Queryable(_asset.source, "string", "Where the record came from"),
    "status": Queryable(_asset.status, "string", "Status"),
    "verified_at": Queryable(_asset.verified_at, "date-time", "Last confirmed"),
    "created_at": Queryable(_asset.created_at, "date-time", "Added"),
    "updated_at": Queryable(_asset.updated_at, "date-time", "Last changed"),
}

_area = Area.__table__.c
AREA_QUERYABLES: dict[str, Queryable] = {
    "geometry": Queryable(_area.geom, "geometry", "The neighbourhood's polygon"),
    "code": Queryable(_area.code, "string", "Code (ONS)"),
    "name": Queryable(_area.name, "string", "Name"),
    "level": Queryable(_area.level, "string", "Level (lsoa, ward, locality, local_authority)"),
    "parent_code": Queryable(_area.parent_code, "string", "The code of the area it is in"),
    "population": Queryable(_area.population, "integer", "Population"),
    "imd_decile": Queryable(
        _area.indicators["imd_decile"]["value"].as_float(),
        "number",
        "IMD 2019 decile (1: the most deprived tenth)",
    ),
    "imd_score": Queryable(
        _area.indicators["imd_score"]["value"].as_float(), "number", "IMD 2019 score"
    ),
    "updated_at": Queryable(_area.updated_at, "date-time", "Last changed"),
}

QUERYABLES = {"assets": ASSET_QUERYABLES, "areas": AREA_QUERYABLES}


def queryables_schema(collection_id: str, url: str) -> dict[str, Any]:
    """The collection's queryables as a JSON Schema (OGC API - Features Part 3)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url,
        "type": "object",
        "title": f"The queryables of {collection_id}",
        "properties": {
            name: queryable.schema() for name, queryable in QUERYABLES[collection_id].items()
        },
        "additionalProperties": False,
    }


def _refused(message: str, field: str = "filter") -> Problem:
    return Problem(400, f"{field}: {message}", [FieldProblem(field, message)])


def parse(text: str, lang: FilterLang) -> dict[str, Any]:
    """A filter as CQL2 JSON; a 400 naming `filter` when it cannot be read."""
    try:
        read = cql2.parse_json if lang == "cql2-json" else cql2.parse_text
        expression = read(text)
        tree: dict[str, Any] = expression.to_json()
    except (cql2.ParseError, cql2.ValidationError, ValueError) as unreadable:
        detail = " ".join(str(unreadable).split())[:300]
        raise _refused(f"is not {lang}: {detail}") from None
    return tree


def condition(
    tree: Any, queryables: Mapping[str, Queryable], filter_srid: int = WGS84
) -> ColumnElement[bool]:
    """The SQL condition of a CQL2 JSON tree, its values bound, on `queryables` only (a 400
    naming the property for any other); geometries given in EPSG:`filter_srid`."""
    return _Translator(queryables, filter_srid).predicate(tree)


class _Translator:
    def __init__(self, queryables: Mapping[str, Queryable], filter_srid: int) -> None:
        self.queryables = queryables
        self.filter_srid = filter_srid
        self.nodes = 0

    def _count(self) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _refused(f"holds more than {MAX_NODES} terms")

    def predicate(self, node: Any) -> ColumnElement[bool]:
        self._count()
        if isinstance(node, bool):
            return bindparam(None, node, Boolean)
        if not isinstance(node, dict) or "op" not in node:
            raise _refused(f"{json.dumps(node)[:80]} is not a condition")
        op, args = str(node["op"]).lower(), node.get("args", [])
        if op in ("and", "or"):
            parts = [self.predicate(arg) for arg in args]
            return and_(*parts) if op == "and" else or_(*parts)
        if op == "not":
            (inner,) = args
            return not_(self.predicate(inner))
        if op in COMPARISONS:
            left, right = args
            return self._compare(op, left, right)
        if op == "like":
            left, right = args
            if self._queryable(left) is None:
                raise _refused("LIKE compares a property (see the queryables)")
            return self._text(left).like(self._text(right))  # type: ignore[no-any-return]
        if op == "between":
            value, low, high = args
            queryable = self._queryable(value)
            column = self.value(value)
            return column.between(  # type: ignore[no-any-return]
                self._literal(low, queryable), self._literal(high, queryable)
            )
        if op == "in":
            value, options = args
            queryable = self._queryable(value)
            if not isinstance(options, list) or not options:
                raise _refused("IN takes a list of values")
            return self.value(value).in_(  # type: ignore[no-any-return]
                [self._literal(option, queryable) for option in options]
            )
        if op == "isnull":
            (value,) = args
            return self.value(value).is_(None)  # type: ignore[no-any-return]
        if op == "s_intersects":
            return self._intersects(*args)
        raise _refused(f"the operator {node['op']!r} is not supported")

    def _queryable(self, node: Any) -> Queryable | None:
        if isinstance(node, dict) and "property" in node:
            name = str(node["property"])
            if name not in self.queryables:
                known = ", ".join(self.queryables)
                raise _refused(f"unknown property {name!r} (queryables: {known})", "filter")
            return self.queryables[name]
        if isinstance(node, dict) and node.get("op") == "casei":
            return self._queryable(node["args"][0])
        return None

    def value(self, node: Any) -> Any:
        """A property's column, CASEI of text, or a bound literal."""
        self._count()
        queryable = self._queryable(node)
        if isinstance(node, dict) and "property" in node and queryable is not None:
            return queryable.column
        if isinstance(node, dict) and "op" in node:
            if str(node["op"]).lower() != "casei":
                raise _refused(f"the function {node['op']!r} is not supported")
            (inner,) = node["args"]
            return func.lower(self._text(inner))
        return self._literal(node, None)

    def _text(self, node: Any) -> Any:
        queryable = self._queryable(node)
        if queryable is not None and queryable.type != "string":
            raise _refused(f"{node.get('property', 'it')!r} is not text")
        if isinstance(node, str):
            return bindparam(None, node, Text)
        if not isinstance(node, dict):
            raise _refused(f"{json.dumps(node)[:80]} is not text")
        return self.value(node)

    def _literal(self, node: Any, queryable: Queryable | None) -> Any:
        """A value of the filter, bound; checked against the property it is compared with."""
        if isinstance(node, dict) and ("property" in node or "op" in node):
            return self.value(node)
        if isinstance(node, dict) and "timestamp" in node:
            return bindparam(None, _moment(node["timestamp"]), DateTime(timezone=True))
        if isinstance(node, dict) and "date" in node:
            return bindparam(None, _day(node["date"]))
        kind = None if queryable is None else queryable.type
        if isinstance(node, bool):
            if kind not in (None, "boolean"):
                raise _refused(f"{node} is not a {kind}")
            return bindparam(None, node, Boolean)
        if isinstance(node, int | float):
            if kind not in (None, "number", "integer"):
                raise _refused(f"{node} is not a {kind}")
            return bindparam(None, float(node), Float)
        if isinstance(node, str):
            if kind in ("number", "integer"):
                raise _refused(f"{node!r} is not a number")
            if kind == "date-time":
                return bindparam(None, _moment(node), DateTime(timezone=True))
            return bindparam(None, node, Text)
        raise _refused(f"{json.dumps(node)[:80]} is not a value this filter takes")

    def _compare(self, op: str, left: Any, right: Any) -> ColumnElement[bool]:
        queryable = self._queryable(left) or self._queryable(right)
        if queryable is None:
            raise _refused("a comparison names a property (see the queryables)")
        if queryable is not None and queryable.type == "geometry":
            raise _refused("compare geometries with S_INTERSECTS")
        compared = COMPARISONS[op](self._side(left, queryable), self._side(right, queryable))
        return compared  # type: ignore[no-any-return]

    def _side(self, node: Any, queryable: Queryable | None) -> Any:
        if isinstance(node, dict) and ("property" in node or "op" in node):
            return self.value(node)
        return self._literal(node, queryable)

    def _intersects(self, *args: Any) -> ColumnElement[bool]:
        if len(args) != 2:
            raise _refused("S_INTERSECTS takes the geometry and a shape")
        first, second = args
        if not (isinstance(first, dict) and "property" in first):
            first, second = second, first  # the shape first, then the geometry
        queryable = self._queryable(first)
        if queryable is None or queryable.type != "geometry":
            raise _refused("S_INTERSECTS needs the property `geometry`")
        column, given = queryable.column, self._shape(second)
        return and_(column.op("&&")(given), func.ST_Intersects(column, given))

    def _shape(self, node: Any) -> Any:
        """A shape of the filter, in lon/lat (EPSG:4326), from EPSG:filter_srid."""
        self._count()
        if isinstance(node, dict) and "bbox" in node:
            box = node["bbox"]
            if len(box) != 4 or not all(isinstance(n, int | float) for n in box):
                raise _refused("a BBOX takes four numbers")
            shape = func.ST_MakeEnvelope(
                *(bindparam(None, float(n), Float) for n in box), self.filter_srid
            )
        elif isinstance(node, dict) and "type" in node and "coordinates" in node:
            text = bindparam(None, json.dumps(node), Text)
            shape = func.ST_SetSRID(func.ST_GeomFromGeoJSON(text), self.filter_srid)
        else:
            raise _refused("S_INTERSECTS takes a geometry or a BBOX")
        if self.filter_srid != WGS84:
            shape = func.ST_Transform(func.ST_Segmentize(shape, 100.0), WGS84)
        return shape


def _moment(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        raise _refused(f"{value!r} is not an RFC 3339 time") from None


def _day(value: Any) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise _refused(f"{value!r} is not a date") from None
