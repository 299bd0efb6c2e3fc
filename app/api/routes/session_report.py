"""What a scanning day leaves behind: its report (a page to print or share, or JSON) and
everything it added as GeoJSON or CSV. Anyone with the link reads the public face of it;
the room and its facilitators see what waits too."""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from app.api.coproduction_answers import SessionReportOut
from app.api.deps import BEARER, ReadSessionDep, SettingsDep
from app.api.openapi import answer, problems
from app.api.responses import GEOJSON
from app.api.routes.sessions import SessionId, session_actor
from app.domain import session_report
from app.domain import sessions as scan_sessions
from app.domain.features import feature_collection, feature_text
from app.i18n import LanguageDep
from app.models import ScanSession

router = APIRouter(prefix="/sessions", tags=["scanning sessions"])


def reader(
    session_id: SessionId,
    request: Request,
    session: ReadSessionDep,
    bearer: Annotated[str | None, Depends(BEARER)],
    token: Annotated[
        str | None, Query(max_length=200, description="A token, for clients that send no headers")
    ] = None,
) -> tuple[ScanSession, bool]:
    """The session, and whether its reader is in the room (a participant, or one who
    facilitates it); without a token, anyone."""
    if not (bearer or token):
        return scan_sessions.get(session, session_id), False
    scan, actor, facilitator = session_actor(session_id, request, session, bearer, token)
    return scan, facilitator or actor.participant is not None


Reader = Annotated[tuple[ScanSession, bool], Depends(reader)]


@router.get(
    "/{session_id}/report",
    response_model=SessionReportOut,
    summary="What the day found: the report to print or share",
    responses=answer(200, "The report's page (the default), or JSON with f=json", "text/html")
    | problems(401, 403, 404),
)
def report(
    read: Reader,
    session: ReadSessionDep,
    settings: SettingsDep,
    language: LanguageDep,
    f: Annotated[Literal["html", "json"], Query(description="Output format")] = "html",
) -> Response:
    """The new assets and those confirmed today (by kind and outcome, on a map), the
    innovations with who got them going and how, the leaders flagged to celebrate, the
    network formed, and what was left for moderation (listed for the room, counted for
    others). People appear by name only with their agreement."""
    scan, in_room = read
    found = session_report.report(session, scan, in_room)
    if f == "json":
        shaped = SessionReportOut.model_validate(found)
        return JSONResponse(shaped.model_dump(mode="json"))
    from app.web.session_report_page import report_html

    here = f"/sessions/{scan.id}"
    links = {
        "geojson": f"{here}/additions.geojson",
        "csv": f"{here}/additions.csv",
        "json": f"{here}/report?f=json",
        "network": f"/network/{scan.area_code}?session={scan.id}",
    }
    return HTMLResponse(report_html(found, settings, links, language))


@router.get(
    "/{session_id}/additions.{fmt}",
    response_class=Response,
    summary="Everything the day added, as GeoJSON or CSV",
    responses=answer(200, "GeoJSON, or CSV", "text/csv; charset=utf-8", GEOJSON)
    | problems(401, 403, 404),
)
def download(
    fmt: Annotated[Literal["geojson", "csv"], Path(description="geojson or csv")],
    read: Reader,
    session: ReadSessionDep,
) -> Response:
    """One feature (row) per addition, oldest first: assets at their public points, links
    and innovations without a place; what the reader may not see, only its type and
    status."""
    scan, in_room = read
    found = session_report.additions(session, scan, in_room)
    name = f"session-{scan.id}-additions.{fmt}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=session_report.CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(_row(entry) for entry in found)
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=disposition)
    features = [
        feature_text(entry["addition"], _geometry(entry), _properties(entry)) for entry in found
    ]
    return Response(feature_collection(features), media_type=GEOJSON, headers=disposition)


def _geometry(entry: dict[str, Any]) -> str:
    if entry.get("lon") is None:
        return "null"
    return json.dumps({"type": "Point", "coordinates": [entry["lon"], entry["lat"]]})


def _properties(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in entry.items() if key not in ("lon", "lat")}


def _row(entry: dict[str, Any]) -> dict[str, Any]:
    return entry | {"outcomes": ";".join(entry.get("outcomes") or [])}
