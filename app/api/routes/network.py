"""The systems leadership network: `GET /network?within=CODE` (JSON, GraphML), built once
per version of the data and kept, and its page `/network/{code}`."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from app.api.answers import NetworkOut
from app.api.deps import HeavyDep, ReadSessionDep, SessionsDep
from app.api.openapi import answer, not_modified, problems
from app.api.spooled import Spooled, spooled_response
from app.domain import areas
from app.io.spool import check

router = APIRouter(tags=["network"])

GRAPHML = "application/graphml+xml"


@router.get(
    "/network",
    response_class=Response,
    summary="The systems leadership network of an area",
    responses=answer(200, "JSON, or GraphML", GRAPHML, shapes={"application/json": NetworkOut})
    | not_modified(),
)
async def network(
    request: Request,
    sessions: SessionsDep,
    heavy: HeavyDep,
    within: Annotated[
        str, Query(max_length=20, description="The area, e.g. E08000009", examples=["E08000009"])
    ],
    f: Annotated[Literal["json", "graphml"], Query(description="Output format")] = "json",
) -> Response:
    """The published innovations inside the area, the people and groups who got them going,
    the assets involved and the leaders' public links, each node with its degree and
    betweenness; people only with their consent (the rest counted in `people_not_shown`).
    GraphML opens in Gephi."""

    def build(session: Session, path: Path, cancel: threading.Event) -> None:
        from app.analysis.network import graphml, leaders_network  # networkx, on first ask

        found = leaders_network(session, within)
        check(cancel)
        if f == "graphml":
            path.write_bytes(graphml(found))
        else:
            path.write_text(json.dumps(found.as_json()), encoding="utf-8")

    answer_ = Spooled(
        what="network",
        params={"within": within, "format": f},
        suffix=f".{f}",
        media_type=GRAPHML if f == "graphml" else "application/json",
        build=build,
        check=lambda session: areas.check_code(session, within, "within"),
        filename="network.graphml" if f == "graphml" else None,
    )
    return await spooled_response(request, sessions, heavy.spool, heavy.analyses, answer_)


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
) -> HTMLResponse:
    """The network drawn (people and groups, innovations, assets; the connectors largest),
    with a list of its nodes beside it for keyboard and screen-reader users."""
    from app.web.network_page import network_page_html

    area = json.loads(areas.get_area(session, area_code))
    return HTMLResponse(network_page_html(area_code, area["properties"]["name"]))
