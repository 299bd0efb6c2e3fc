"""`/health`: is the database reachable, which PostGIS, which schema revision."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.api.deps import SessionsDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """How the service is: `ok`, or `unavailable` and why."""

    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unreachable"]
    postgis: str | None = None
    schema_revision: str | None = None
    detail: str | None = None


@router.get(
    "/health",
    summary="Service health",
    response_model=Health,
    responses={503: {"model": Health, "description": "The database is down or not migrated"}},
)
def health(sessions: SessionsDep) -> JSONResponse:
    """200 with the PostGIS version and schema revision; 503 if the database is down or its
    schema has not been migrated."""
    try:
        with sessions.read() as session:
            postgis = session.scalar(text("SELECT postgis_lib_version()"))
            revision = session.scalar(
                text("SELECT version_num FROM alembic_version")
                if session.scalar(text("SELECT to_regclass('alembic_version') IS NOT NULL"))
                else text("SELECT NULL")
            )
    except SQLAlchemyError as down:
        body: dict[str, Any] = {
            "status": "unavailable",
            "database": "unreachable",
            "detail": type(getattr(down, "orig", None) or down).__name__,
        }
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})
    body = {"status": "ok", "database": "ok", "postgis": postgis, "schema_revision": revision}
    if revision is None:
        body.update(status="unavailable", detail="the schema is not migrated: run assetmap migrate")
        return JSONResponse(body, status_code=503)
    return JSONResponse(body)
