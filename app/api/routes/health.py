"""`/health`: is the database reachable, which PostGIS, which schema revision; with read
replicas, how each is and where reads go."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.api.deps import SessionsDep
from app.replicas import on_primary

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """How the service is: `ok`, or `unavailable` and why."""

    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unreachable"]
    postgis: str | None = None
    schema_revision: str | None = None
    detail: str | None = None
    # Only with read replicas (ASSETMAP_DATABASE_READ_URLS): where reads go now, and each
    # replica's state (ok, lagging, down), how far it has replayed and how far behind it is.
    reads: Literal["replicas", "primary"] | None = None
    replicas: list[ReplicaHealth] | None = None


class ReplicaHealth(BaseModel):
    """One read replica, as just asked."""

    name: str
    state: Literal["ok", "lagging", "down"]
    replay_lsn: str | None = None
    lag_s: float | None = None
    lag_bytes: int | None = None
    detail: str | None = None


@router.get(
    "/health",
    summary="Service health",
    response_model=Health,
    responses={503: {"model": Health, "description": "The database is down or not migrated"}},
)
def health(sessions: SessionsDep) -> JSONResponse:
    """200 with the PostGIS version and schema revision; 503 if the database is down or its
    schema has not been migrated. A replica down or lagging is said, with reads falling
    back to the primary, but the service still answers: 200."""
    try:
        with on_primary(), sessions.read() as session:
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
    if sessions.replicas is not None:
        replicas = sessions.replicas.check()
        body.update(
            reads=sessions.replicas.reads_from(),
            replicas=[replica.as_json() for replica in replicas],
        )
    if revision is None:
        body.update(status="unavailable", detail="the schema is not migrated: run assetmap migrate")
        return JSONResponse(body, status_code=503)
    return JSONResponse(body)
