"""One error shape for every 4xx: RFC 9457 problem details, naming each field at fault.

{"type": "about:blank", "title": "Unprocessable Content", "status": 422,
 "detail": "properties.name: must not be empty",
 "errors": [{"field": "properties.name", "message": "must not be empty"}]}

The messages (each field's, and the detail) are said in the reader's language (app.i18n):
the catalogue holds the messages written here and where `invalid`, `FieldProblem` and
`Problem` are called with words, and the framework's, by their type. The fields, the
status and the title stay as they are, for programs to read.
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

from app import i18n
from app.i18n import N_

PROBLEM_JSON = "application/problem+json"
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
# What FastAPI says of a JSON body it could not parse for a reason other than its syntax.
FRAMEWORK_UNREADABLE = "There was an error parsing the body"
UNREADABLE_JSON = N_(
    "could not be read as JSON: it must be UTF-8, nested fewer than 1,000 levels deep, "
    "with no number of 4,300 digits or more"
)
# What the framework says of a path it has no route for, or a method it does not take.
FRAMEWORK_DETAILS = (N_("Not Found"), N_("Method Not Allowed"))
# The framework's (pydantic's) messages by their type, with its own {placeholders}; English
# answers keep the framework's words, which also say the plural right.
FRAMEWORK_MESSAGES = {
    "missing": N_("Field required"),
    "extra_forbidden": N_("Extra inputs are not permitted"),
    "string_type": N_("Input should be a valid string"),
    "string_too_short": N_("String should have at least {min_length} characters"),
    "string_too_long": N_("String should have at most {max_length} characters"),
    "string_pattern_mismatch": N_("String should match pattern '{pattern}'"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_type": N_("Input should be a valid integer"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "float_type": N_("Input should be a valid number"),
    "finite_number": N_("Input should be a finite number"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "bool_type": N_("Input should be a valid boolean"),
    "greater_than": N_("Input should be greater than {gt}"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "less_than": N_("Input should be less than {lt}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "literal_error": N_("Input should be {expected}"),
    "enum": N_("Input should be {expected}"),
    "list_type": N_("Input should be a valid list"),
    "dict_type": N_("Input should be a valid dictionary"),
    "model_type": N_("Input should be a valid dictionary or instance of {class_name}"),
    "model_attributes_type": N_(
        "Input should be a valid dictionary or object to extract fields from"
    ),
    "too_short": N_(
        "List should have at least {min_length} items after validation, not {actual_length}"
    ),
    "too_long": N_(
        "List should have at most {max_length} items after validation, not {actual_length}"
    ),
    "date_parsing": N_("Input should be a valid date in the format YYYY-MM-DD, {error}"),
    "date_from_datetime_parsing": N_("Input should be a valid date or datetime, {error}"),
    "datetime_parsing": N_("Input should be a valid datetime, {error}"),
    "datetime_from_date_parsing": N_("Input should be a valid datetime or date, {error}"),
    "time_parsing": N_("Input should be in a valid time format, {error}"),
    "url_parsing": N_("Input should be a valid URL, {error}"),
    "url_scheme": N_("URL scheme should be {expected_schemes}"),
    "uuid_parsing": N_("Input should be a valid UUID, {error}"),
}


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


def translated(problem: Problem, language: str) -> Problem:
    """`problem` with its messages in `language`: each field's through the catalogue, and the
    detail rebuilt from them when it is their list, else itself through the catalogue."""
    if language == i18n.ENGLISH:
        return problem
    errors = [FieldProblem(e.field, i18n.say(e.message, language)) for e in problem.errors]
    listed = "; ".join(f"{e.field}: {e.message}" for e in problem.errors)
    if errors and problem.detail == listed:
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
    else:
        detail = i18n.say(problem.detail, language)
    return Problem(problem.status, detail, errors, problem.headers, problem.extra)


def problem_response(problem: Problem, language: str = i18n.ENGLISH) -> JSONResponse:
    """The problem's answer, its messages in `language`."""
    problem = translated(problem, language)
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


def _framework_message(item: dict[str, Any], language: str) -> str:
    """The framework's message of one error, in `language` where its type is one we have."""
    said = str(item.get("msg", "is invalid"))
    kind = str(item.get("type", ""))
    if language == i18n.ENGLISH:
        return said
    _ = i18n.translator(language)
    context = {
        key: int(value) if isinstance(value, float) and value.is_integer() else value
        for key, value in (item.get("ctx") or {}).items()
    }
    if kind == "value_error" and "error" in context:
        # our own validators' words, which the catalogue holds
        return _(str(context["error"]))
    template = FRAMEWORK_MESSAGES.get(kind)
    if template is None:
        return said
    try:
        return _(template).format(**context)
    except (KeyError, IndexError, ValueError):
        return said


def _from_validation(error: RequestValidationError, language: str = i18n.ENGLISH) -> Problem:
    problems: list[FieldProblem] = []
    for item in error.errors():
        message = _framework_message(item, language)
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
    async def _problem(request: Request, problem: Problem) -> JSONResponse:
        return problem_response(problem, i18n.request_language(request))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> JSONResponse:
        language = i18n.request_language(request)
        return problem_response(_from_validation(error, language), language)

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
        return problem_response(
            Problem(error.status_code, detail, problems, headers or None),
            i18n.request_language(request),
        )


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at the request's path (the framework names only the
    first route's)."""
    allowed = []
    for method in METHODS:
        asked = {**request.scope, "method": method}
        if any(route.matches(asked)[0] == Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed
