"""The OGC API's own OpenAPI description (`/ogc/api`), cut from the service's whole one:
the `/ogc` paths, relative to the landing page, their collection parameter named
`collectionId` as the standard's examples name it, and on items each queryable as a query
parameter and the filter languages listed, which is how clients (GDAL's OAPIF driver) learn
what they may ask the server rather than filter themselves."""

from __future__ import annotations

import copy
from typing import Any

from app.domain import cql

PREFIX = "/ogc"
ITEMS = "/collections/{collectionId}/items"


def describe(whole: dict[str, Any], landing_url: str) -> dict[str, Any]:
    """The description of the `/ogc` paths of `whole`, served from `landing_url`."""
    paths: dict[str, Any] = {}
    for path, operations in whole["paths"].items():
        if path != PREFIX and not path.startswith(PREFIX + "/"):
            continue
        relative = path.removeprefix(PREFIX) or "/"
        relative = relative.replace("{collection_id}", "{collectionId}")
        paths[relative] = _renamed(copy.deepcopy(operations))
    items = paths.get(ITEMS, {}).get("get")
    if items is not None:
        _declare_filters(items)
    return {
        "openapi": whole["openapi"],
        "info": {**whole["info"], "title": f"{whole['info']['title']}: OGC API - Features"},
        "servers": [{"url": landing_url}],
        "paths": paths,
        "components": whole.get("components", {}),
    }


def _renamed(operations: dict[str, Any]) -> dict[str, Any]:
    for operation in operations.values():
        for parameter in operation.get("parameters", []):
            if parameter.get("name") == "collection_id":
                parameter["name"] = "collectionId"
    return operations


def _declare_filters(items: dict[str, Any]) -> None:
    parameters = items.setdefault("parameters", [])
    named = {parameter.get("name") for parameter in parameters}
    for parameter in parameters:
        if parameter.get("name") == "filter-lang":
            # the draft's name of CQL2 text too: GDAL 3.6 looks for it
            parameter["schema"] = {
                "type": "string",
                "enum": ["cql2-text", "cql2-json", "cql-text"],
                "default": "cql2-text",
            }
    queryables: dict[str, cql.Queryable] = {}
    for collection in cql.QUERYABLES.values():
        queryables.update(collection)
    for name, queryable in queryables.items():
        if name in named or queryable.type == "geometry":
            continue
        schema = queryable.schema()
        schema.pop("title", None)
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": f"{queryable.title}: only items whose {name} is this",
                "schema": schema,
            }
        )
