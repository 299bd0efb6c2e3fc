"""The cost matrix of `POST /gaps`, read from its body: a multipart form's file `costs`
(CSV or Parquet), the file itself (text/csv, application/vnd.apache.parquet), or JSON rows
({"costs": [{"origin", "destination", "minutes"}, ...]})."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from app.analysis.costs import CostRows, matrix_rows, read_matrix
from app.errors import invalid
from app.schemas import CostRow, GapCostsRequest

FILE_TYPES = ("text/csv", "application/vnd.apache.parquet", "application/octet-stream")
MATRIX_FILE = (
    "The cost matrix, CSV (UTF-8, a header row) or Parquet: columns origin (or from_id: an "
    "area code or a postcode), destination (or to_id: an asset id or source_ref, or an "
    "analysed area's code as a candidate site) and minutes (or travel_time; empty: not "
    "reachable). A pair the matrix does not give is not reachable."
)


def request_body(json_schema: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI description of the body `costs_in` reads."""
    binary = {"type": "string", "format": "binary", "description": MATRIX_FILE}
    return {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["costs"],
                    "properties": {"costs": binary},
                }
            },
            "application/json": {
                "schema": {key: value for key, value in json_schema.items() if key != "$defs"}
            },
            "text/csv": {"schema": binary},
            "application/vnd.apache.parquet": {"schema": binary},
        },
    }


async def costs_in(request: Request) -> bytes | list[CostRow]:
    """The matrix as sent: a file's bytes, or JSON rows checked against CostRow (a 422
    naming `costs.<row>.<field>`). A 422 naming `body` for another content type."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        async with request.form(max_files=1, max_fields=10) as form:
            upload = form.get("costs")
            if not isinstance(upload, UploadFile):
                raise invalid("costs", "send the cost matrix as the form's file field costs")
            return await upload.read()
    if content_type in FILE_TYPES:
        return await request.body()
    if content_type == "application/json":
        try:
            return GapCostsRequest.model_validate_json(await request.body()).costs
        except ValidationError as error:
            located = [
                {**item, "loc": ("body", *item.get("loc", ()))}
                for item in error.errors(include_url=False)
            ]
            raise RequestValidationError(located) from error
    raise invalid(
        "body",
        "send the cost matrix as multipart/form-data (file costs), text/csv, "
        "application/vnd.apache.parquet or application/json rows",
    )


def matrix(sent: bytes | list[CostRow], max_rows: int) -> CostRows:
    """The matrix read and checked (see app.analysis.costs)."""
    if isinstance(sent, bytes):
        return read_matrix(sent, max_rows)
    return matrix_rows([(r.origin, str(r.destination), r.minutes) for r in sent], max_rows)
