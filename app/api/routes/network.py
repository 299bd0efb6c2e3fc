"""The systems leadership network: `GET /network?within=CODE` (JSON, GraphML), built once
per version of the data and kept, and its page `/network/{code}`."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from app.api.coproduction_answers import NetworkOut
from app.api.deps import HeavyDep, ReadSessionDep, SessionsDep
from app.api.openapi import answer, not_modified, problems
from app.api.spooled import Spooled, spooled_response
from app.domain import areas
from app.domain import sessions as scan_sessions
from app.errors import invalid
from app.i18n import LanguageDep
from app.io.spool import check

router = APIRouter(tags=["network"])

GRAPHML = "application/graphml+xml"


@router.get(
    "/network",
    response_class=Response,
    summary="The systems leadership network of an area",
    responses=answer(200, "JSON, or GraphML", GRAPHML, shapes={"application/json": NetworkOut})
    | not_modified()
    | problems(404),
)
async def network(
    request: Request,
    sessions: SessionsDep,
    heavy: HeavyDep,
    within: Annotated[
        str | None,
        Query(max_length=20, description="The area, e.g. E08000009", examples=["E08000009"]),
    ] = None,
    session_id: Annotated[
        int | None,
        Query(
            alias="session",
            ge=1,
            le=2**63 - 1,
            description="Only this scanning session's part (its area, unless `within`)",
        ),
    ] = None,
    f: Annotated[Literal["json", "graphml"], Query(description="Output format")] = "json",
) -> Response:
    """The published innovations inside the area, the people and groups who got them going,
    the assets involved and the leaders' public links, and the people of scanning days
    with what they added there, each node with its degree and betweenness; people only with
    their consent (the rest counted in `people_not_shown`). With `session`, that session's
    part. GraphML opens in Gephi. One of `within` and `session` is needed."""

    def area_asked() -> str:
        with sessions.read() as session:
            return _area_of(session, within, session_id)

    area = await run_in_threadpool(area_asked)

    def build(session: Session, path: Path, cancel: threading.Event) -> None:
        from app.analysis.network import graphml, leaders_network  # networkx, on first ask

        found = leaders_network(session, area, session_id)
        check(cancel)
        if f == "graphml":
            path.write_bytes(graphml(found))
        else:
            path.write_text(json.dumps(found.as_json()), encoding="utf-8")

    answer_ = Spooled(
        what="network",
        params={"within": area, "session": session_id, "format": f},
        suffix=f".{f}",
        media_type=GRAPHML if f == "graphml" else "application/json",
        build=build,
        check=lambda session: areas.check_code(session, area, "within"),
        filename="network.graphml" if f == "graphml" else None,
    )
    return await spooled_response(request, sessions, heavy.spool, heavy.analyses, answer_)


def _area_of(session: Session, within: str | None, session_id: int | None) -> str:
    """The area asked for: `within`, or else the session's (a 404 for no such session, a
    422 naming `within` for neither)."""
    if session_id is not None:
        scan = scan_sessions.get(session, session_id)
        return within or scan.area_code
    if within is None:
        raise invalid("within", "name an area (or a session)")
    return within


@router.get(
    "/network/{area_code}",
    response_class=HTMLResponse,
    summary="The network's page",
    responses=problems(404),
)
def network_page(
    area_code: Annotated[
        str, PathParam(max_length=20, description="e.g. E08000009", examples=["E08000009"])
    ],
    session: ReadSessionDep,
    language: LanguageDep,
) -> HTMLResponse:
    """The network drawn (people and groups, innovations, assets; the connectors largest),
    with a list of its nodes beside it for keyboard and screen-reader users."""
    from app.web.network_page import network_page_html

    area = json.loads(areas.get_area(session, area_code))
    return HTMLResponse(network_page_html(area_code, area["properties"]["name"], language))
