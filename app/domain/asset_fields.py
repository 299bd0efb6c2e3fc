"""An asset's properties, as app.schemas declares them once (a `Stored` on each property of
AssetPropertiesOut): every list of them the code needs is derived here, never written out
again. Adding a property is its column (a migration), its line in app.schemas, and tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from sqlalchemy import Column, MetaData, Table

from app.models import Asset
from app.schemas import AssetPropertiesBase, AssetPropertiesOut, Stored


@dataclass(frozen=True)
class AssetProperty:
    """One property of an asset: its name, how it is stored, the columns it is kept in, and
    for a model (contact, consent) its parts."""

    name: str
    stored: Stored
    columns: tuple[str, ...]
    parts: tuple[AssetProperty, ...] = ()
    written: bool = True
    # its Python type, as declared (`float | None`, `list[str] | None`, ...)
    annotation: Any = None

    @property
    def column(self) -> str:
        """The one column of a property kept in one."""
        (only,) = self.columns
        return only


def _stored(info: FieldInfo) -> Stored | None:
    return next((m for m in info.metadata if isinstance(m, Stored)), None)


def _model(info: FieldInfo) -> type[BaseModel] | None:
    for candidate in getattr(info.annotation, "__args__", (info.annotation,)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _properties(model: type[BaseModel], prefix: str = "") -> tuple[AssetProperty, ...]:
    """The properties of `model` (or, with a `prefix`, the parts of a model property)."""
    found = []
    for name, info in model.model_fields.items():
        stored = _stored(info) or (Stored() if prefix else None)
        if stored is None:
            continue  # computed for one answer (distance_m), never stored
        inner = None if stored.whole else _model(info)
        parts = () if inner is None else _properties(inner, f"{name}_")
        if stored.flattened:
            columns = tuple(column for part in parts for column in part.columns)
        else:
            columns = (stored.column or f"{prefix}{name}",)
        written = model is not AssetPropertiesOut or name in AssetPropertiesBase.model_fields
        found.append(AssetProperty(name, stored, columns, parts, written, info.annotation))
    return tuple(found)


PROPERTIES = _properties(AssetPropertiesOut)
BY_NAME = {prop.name: prop for prop in PROPERTIES}
# What the public reads of an asset: the properties of its public face.
PUBLIC = tuple(prop for prop in PROPERTIES if prop.stored.public)
# What clients send.
WRITTEN = tuple(prop for prop in PROPERTIES if prop.written)

# An asset's own point: where a person lives, never public.
POINT = "geom"


def _personal_columns(*levels: str) -> frozenset[str]:
    columns: set[str] = set()
    for prop in PROPERTIES:
        if prop.stored.personal in levels:
            columns.update(prop.columns)
        columns.update(
            c for part in prop.parts if part.stored.personal in levels for c in part.columns
        )
    return frozenset(columns)


# A person's columns their revisions show only to their stewards: where they live, how to
# reach them, and their consent's details.
PRIVATE_COLUMNS = _personal_columns("private") | {POINT}
# What erasing a person's data empties (columns, and properties of a waiting change).
ERASED_COLUMNS = _personal_columns("private", "erased") | {POINT}
ERASED_PROPERTIES = tuple(
    prop.name
    for prop in WRITTEN
    if prop.stored.personal or any(part.stored.personal for part in prop.parts)
)


@dataclass(frozen=True)
class ExportColumn:
    """A column of a table export: its name, and the property (and part) it comes from."""

    name: str
    prop: AssetProperty
    part: AssetProperty | None = None


def _export_columns() -> tuple[ExportColumn, ...]:
    columns = []
    for prop in PUBLIC:
        if not prop.stored.exported or prop.name == "footprint":
            continue
        if prop.parts and not prop.stored.flattened:
            columns += [ExportColumn(part.name, prop, part) for part in prop.parts]
        else:
            columns.append(ExportColumn(prop.name, prop))
    return tuple(columns)


# A table export's columns (CSV, GeoPackage): the id, the exported public properties (a
# contact as its parts), then the point as lon and lat, and the footprint as WKT.
EXPORT_COLUMNS = _export_columns()
EXPORT_NAMES = ("id", *(column.name for column in EXPORT_COLUMNS), "lon", "lat", "footprint_wkt")


@dataclass(frozen=True)
class ImportTarget:
    """What a file's column may fill: a property, or a part of one (`contact.phone`)."""

    name: str
    aliases: tuple[str, ...]
    prop: AssetProperty
    part: AssetProperty | None = None


def _import_targets() -> tuple[ImportTarget, ...]:
    targets = []
    for prop in WRITTEN:
        if prop.stored.imported:
            targets.append(ImportTarget(prop.name, prop.stored.imported, prop))
        for part in prop.parts:
            if part.stored.imported:
                name = f"{prop.name}.{part.name}"
                targets.append(ImportTarget(name, part.stored.imported, prop, part))
    return tuple(targets)


# What an import fills from a file's columns, with the column names found without a --map.
IMPORT_TARGETS = _import_targets()
# The asset columns a file fills, each once (a contact's parts share one), then its place.
IMPORTED_COLUMNS = (
    *dict.fromkeys(column for target in IMPORT_TARGETS for column in target.prop.columns),
    POINT,
    "footprint",
)


def column_ddl(column: str) -> str:
    """The PostgreSQL type of an asset column, as a table of the same columns declares it."""
    from sqlalchemy.dialects import postgresql

    type_: Any = Asset.__table__.c[column].type
    return str(type_.compile(dialect=postgresql.dialect()))  # type: ignore[no-untyped-call]


# The public face's columns: the id, the public point (also in British National Grid), the
# public properties' columns, and the text search (see migration 0006's view).
public_asset = Table(
    "public_asset",
    MetaData(),  # of its own: Alembic makes no table of a view
    Column("id", Asset.__table__.c.id.type, primary_key=True),
    Column("geom", Asset.__table__.c.public_geom.type),
    Column("geom_bng", Asset.__table__.c.public_bng.type),
    *(Column(column, Asset.__table__.c[column].type) for prop in PUBLIC for column in prop.columns),
    Column("search", Asset.__table__.c.search.type),
)
