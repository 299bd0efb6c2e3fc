"""One error shape for every 4xx: RFC 9457 problem details, naming each field at fault.

{"type": "about:blank", "title": "Unprocessable Content", "status": 422,
 "detail": "properties.name: must not be empty",
 "errors": [{"field": "properties.name", "message": "must not be empty"}]}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

PROBLEM_JSON = "application/problem+json"
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
# What FastAPI says of a JSON body it could not parse for a reason other than its syntax.
FRAMEWORK_UNREADABLE = "There was an error parsing the body"
UNREADABLE_JSON = (
    "could not be read as JSON: it must be UTF-8, nested fewer than 1,000 levels deep, "
    "with no number of 4,300 digits or more"
)


@dataclass(frozen=True)
class FieldProblem:
    """What is wrong with one field: `field` is a dotted path (`properties.name`, `bbox`)."""

    field: str
    message: str


@dataclass
class Problem(Exception):
    """An error the client can fix; raised anywhere below the routers, rendered here."""

    status: int
    detail: str
    errors: Sequence[FieldProblem] = field(default=())
    headers: dict[str, str] | None = None
    # More members of the problem body, e.g. an import's full report.
    extra: dict[str, Any] | None = None

    def __str__(self) -> str:
        return self.detail


def invalid(field_name: str, message: str) -> Problem:
    """A 422 naming one field."""
    return Problem(422, f"{field_name}: {message}", [FieldProblem(field_name, message)])


def not_found(what: str) -> Problem:
    return Problem(404, f"{what} not found")


def problem_response(problem: Problem) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(problem.status).phrase,
        "status": problem.status,
        "detail": problem.detail,
    }
    if problem.errors:
        body["errors"] = [{"field": e.field, "message": e.message} for e in problem.errors]
    body.update(problem.extra or {})
    return JSONResponse(
        body, status_code=problem.status, media_type=PROBLEM_JSON, headers=problem.headers
    )


def _field_path(loc: Sequence[int | str]) -> str:
    # FastAPI's locations start with where the value came from: body, query, path, header.
    parts = [str(part) for part in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:] or parts[:1]
    # geojson-pydantic names union members ("Point", "function-after[...]"): drop those.
    return ".".join(p for p in parts if not p[:1].isupper() and "[" not in p) or "body"


def _from_validation(error: RequestValidationError) -> Problem:
    problems: list[FieldProblem] = []
    for item in error.errors():
        message = str(item.get("msg", "is invalid"))
        if item.get("type") == "json_invalid":
            problems.append(FieldProblem("body", "is not valid JSON"))
            continue
        problems.append(FieldProblem(_field_path(item.get("loc", ())), message))
    unique = list(dict.fromkeys(problems))
    detail = "; ".join(f"{p.field}: {p.message}" for p in unique)
    return Problem(422, detail, unique)


def install(app: FastAPI) -> None:
    """Render every error, ours and the framework's, in the one shape."""

    @app.exception_handler(Problem)
    async def _problem(_: Request, problem: Problem) -> JSONResponse:
        return problem_response(problem)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, error: RequestValidationError) -> JSONResponse:
        return problem_response(_from_validation(error))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        headers = dict(error.headers) if error.headers else {}
        problems: list[FieldProblem] = []
        detail = str(error.detail)
        if error.status_code == 400:
            # the framework could not read the body: not UTF-8, nested too deep, a number
            # too long (its own words for these), or a broken multipart form
            message = UNREADABLE_JSON if detail == FRAMEWORK_UNREADABLE else detail
            detail = f"body: {message}"
            problems.append(FieldProblem("body", message))
        elif error.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(request))
        return problem_response(Problem(error.status_code, detail, problems, headers or None))


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at the request's path (the framework names only the
    first route's)."""
    allowed = []
    for method in METHODS:
        asked = {**request.scope, "method": method}
        if any(route.matches(asked)[0] == Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed
