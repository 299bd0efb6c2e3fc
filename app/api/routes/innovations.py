"""Innovations: asset-based practices and commissioning changes, and who got them going.
`/innovations` (JSON, GeoJSON, CSV), one at a time with its history, and their moderation."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from app.api.answers import Revision
from app.api.coproduction_answers import InnovationCollection, InnovationOut, InnovationPage
from app.api.deps import AccountDep, Limit, ReadSessionDep, SessionDep, SignedInDep
from app.api.openapi import answer, problems
from app.api.responses import GEOJSON
from app.api.routes.moderation import Rejection
from app.auth.accounts import Account
from app.domain import innovations
from app.domain.features import feature_collection
from app.domain.innovation_reads import CSV_COLUMNS, as_feature, as_row, described
from app.domain.paging import decode_cursor, encode_cursor
from app.errors import Problem
from app.i18n import said
from app.schemas import InnovationFields, InnovationIn, InnovationStatus, Slug

router = APIRouter(tags=["innovations"])

InnovationId = Annotated[
    int, Path(ge=1, le=2**63 - 1, description="The innovation's id", examples=[1])
]
Format = Literal["json", "geojson", "csv"]


def _one(session: Session, account: Account | None, innovation_id: int) -> Response:
    innovations.readable(session, account, innovation_id)
    (found,) = described(session, account, [innovation_id])
    body = InnovationOut.model_validate(found).model_dump(mode="json")
    return JSONResponse(body, headers={"ETag": f'"{innovation_id}-{found["version"]}"'})


@router.post(
    "/innovations",
    status_code=status.HTTP_201_CREATED,
    response_model=InnovationOut,
    summary="Record an innovation",
    responses=problems(403),
)
def add(body: InnovationIn, session: SessionDep, account: SignedInDep) -> Response:
    """A moderator of one of its areas (or an admin) publishes it at once; anyone else's
    waits as `pending` for them (`review`), readable by its writer meanwhile."""
    written = innovations.create(session, account, body)
    response = _one(session, account, written.id)
    response.status_code = status.HTTP_201_CREATED
    return response


@router.get(
    "/innovations",
    response_model=InnovationPage,
    summary="Innovations",
    responses=answer(
        200,
        "JSON, GeoJSON or CSV",
        "text/csv; charset=utf-8",
        shapes={GEOJSON: InnovationCollection},
    ),
)
def list_innovations(
    request: Request,
    session: ReadSessionDep,
    account: AccountDep,
    limit: Limit,
    after: Annotated[str | None, Query(max_length=200, description="The `next` link's")] = None,
    within: Annotated[
        str | None, Query(max_length=20, description="Happening inside this area")
    ] = None,
    outcome: Slug | None = None,
    status_: Annotated[InnovationStatus | None, Query(alias="status")] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Text in name or description")
    ] = None,
    f: Annotated[Format, Query(description="Output format")] = "json",
) -> Response:
    """Published innovations (and, for their stewards, the waiting ones) matching the
    filters, by id, a page at a time; as GeoJSON at their assets' public points (or their
    areas'), or as CSV."""
    wanted = innovations.InnovationFilter(within=within, outcome=outcome, status=status_, q=q)
    matching = innovations.ids(session, account, wanted)
    if after is not None:
        (last,) = decode_cursor(after, (int,))
        matching = [found for found in matching if found > last]
    page = described(session, account, matching[:limit])
    links = [{"rel": "self", "type": "application/json", "href": str(request.url)}]
    if len(matching) > limit:
        next_url = request.url.include_query_params(after=encode_cursor((page[-1]["id"],)))
        links.append({"rel": "next", "type": "application/json", "href": str(next_url)})
    if f == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(as_row(found) for found in page)
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8")
    if f == "geojson":
        body = feature_collection([as_feature(found) for found in page], links=links)
        return Response(body, media_type=GEOJSON)
    shaped = InnovationPage.model_validate({"innovations": page, "links": links})
    return JSONResponse(shaped.model_dump(mode="json"))


@router.get(
    "/innovations/{innovation_id}",
    response_model=InnovationOut,
    summary="One innovation",
    responses=problems(404),
)
def read(innovation_id: InnovationId, session: ReadSessionDep, account: AccountDep) -> Response:
    return _one(session, account, innovation_id)


@router.patch(
    "/innovations/{innovation_id}",
    response_model=InnovationOut,
    summary="Change an innovation",
    responses=problems(403, 404, 412),
)
def change(
    innovation_id: InnovationId,
    body: InnovationFields,
    session: SessionDep,
    account: SignedInDep,
    if_match: Annotated[str | None, Header(description="ETag of the version you changed")] = None,
) -> Response:
    """Change the fields sent (the areas, assets or leaders sent replace the old): its
    moderators at any time, its writer until it is published. A stale If-Match: 412."""
    innovations.change(session, account, innovation_id, body, _version(if_match, innovation_id))
    return _one(session, account, innovation_id)


def _version(if_match: str | None, innovation_id: int) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    tag = if_match.strip().removeprefix("W/").strip('"')
    found, _, version = tag.partition("-")
    if found != str(innovation_id) or not version.isdigit():
        raise Problem(
            412,
            said(
                "If-Match does not name a version of innovation {innovation_id}",
                innovation_id=innovation_id,
            ),
        )
    return int(version)


@router.get(
    "/innovations/{innovation_id}/history",
    response_model=list[Revision],
    summary="Every change to an innovation",
    responses=problems(404),
)
def history(
    innovation_id: InnovationId, session: ReadSessionDep, account: AccountDep
) -> list[dict[str, object]]:
    return innovations.history(session, account, innovation_id)


@router.post(
    "/moderation/innovations/{innovation_id}/approve",
    response_model=InnovationOut,
    summary="Publish a waiting innovation",
    responses=problems(403, 404),
)
def approve(innovation_id: InnovationId, session: SessionDep, account: SignedInDep) -> Response:
    innovations.decide(session, account, innovation_id, approve=True, reason=None)
    return _one(session, account, innovation_id)


@router.post(
    "/moderation/innovations/{innovation_id}/reject",
    response_model=InnovationOut,
    summary="Send a waiting innovation back to its writer",
    responses=problems(403, 404),
)
def reject(
    innovation_id: InnovationId, body: Rejection, session: SessionDep, account: SignedInDep
) -> Response:
    innovations.decide(session, account, innovation_id, approve=False, reason=body.reason)
    return _one(session, account, innovation_id)
