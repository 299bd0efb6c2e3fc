"""The API's description (`/openapi.json`) says what comes back, errors included: every
error is the one problem shape (app.errors), documented once and referred to from each
operation, for the statuses it can answer with.

Routers declare the errors particular to them (`problems(404, 409)`); the ones every
operation can give are added here: 422 (a parameter, or text with a control character),
503 (the database is unavailable, or a bound is full), 401 where a token may be sent, and
400 and 413 where a body is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

from app.errors import PROBLEM_JSON

COMPONENTS = "#/components/schemas/"
PROBLEM_REF = f"{COMPONENTS}Problem"


class FieldProblemOut(BaseModel):
    field: str = Field(description="The field at fault, as a dotted path: properties.name")
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details, naming each field at fault."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldProblemOut] | None = None


# Said of each status wherever it is documented.
MEANINGS = {
    400: "The body could not be read (not UTF-8, nested too deep, a broken form)",
    401: "The token is unknown, expired or revoked, or signing in is needed",
    403: "The account may not do this",
    404: "No such thing, or not one the reader may see",
    409: "It clashes with what is stored",
    412: "If-Match names a version that is no longer current",
    413: "The body is too large",
    422: "A parameter or field is invalid; each is named",
    429: "Too many failed sign-ins for this email: wait Retry-After seconds",
    503: "The database is unavailable, or too many such answers are being built: "
    "try again in Retry-After seconds",
}


# A route's `responses=`: more statuses than its own, each with what it means.
Responses = dict[int | str, dict[str, Any]]


def problems(*statuses: int) -> Responses:
    """The `responses=` of a route that can answer with these error statuses."""
    return {status: {"description": MEANINGS[status]} for status in statuses}


def not_modified() -> Responses:
    """The `responses=` of a route that answers If-None-Match with 304."""
    return {304: {"description": "Not modified: the ETag named is still current"}}


# Models answers refer to that no route names as its own: put in the description's
# components when it is made.
_REFERRED: dict[str, type[BaseModel]] = {}


def answer(
    status: int,
    description: str,
    *media_types: str,
    model: type[BaseModel] | None = None,
    shapes: Mapping[str, type[BaseModel]] | None = None,
) -> Responses:
    """The `responses=` of a route that can also answer `status`, as these media types;
    with `model`, as JSON in its shape; with `shapes`, each media type named in the shape
    given."""
    described: dict[str, Any] = {"description": description}
    content: dict[str, Any] = {media_type: {} for media_type in media_types}
    shaped = dict(shapes or {})
    if model is not None:
        shaped["application/json"] = model
    for media_type, shape in shaped.items():
        _REFERRED[shape.__name__] = shape
        content[media_type] = {"schema": {"$ref": f"{COMPONENTS}{shape.__name__}"}}
    if content:
        described["content"] = content
    return {status: described}


def describe(app: FastAPI) -> None:
    """Make `app.openapi()` document the problem shape for every error."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                routes=app.routes,
            )
            _complete(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _complete(document: dict[str, Any]) -> None:
    """Errors as problems, each documented once."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    models: list[type[BaseModel]] = [Problem, *_REFERRED.values()]
    for model in models:
        schema = model.model_json_schema(ref_template=COMPONENTS + "{model}")
        for name, inner in schema.pop("$defs", {}).items():
            schemas.setdefault(name, inner)
        schemas.setdefault(model.__name__, schema)
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            common = [422, 503]
            if operation.get("security"):
                common.append(401)
            if "requestBody" in operation:
                common += [400, 413]
            for status in common:
                responses.setdefault(str(status), {"description": MEANINGS[status]})
            if responses.get("422", {}).get("description") == "Validation Error":
                responses["422"]["description"] = MEANINGS[422]
            for status, response in responses.items():
                described = response.get("content", {}).get("application/json", {})
                own_shape = (
                    "$ref" in described.get("schema", {})
                    and "HTTPValidationError" not in (described["schema"]["$ref"])
                )
                if status.isdigit() and int(status) >= 400 and not own_shape:
                    response["description"] = (
                        response.get("description") or HTTPStatus(int(status)).phrase
                    )
                    response["content"] = {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}}
