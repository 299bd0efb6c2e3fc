"""Links between assets (co-production): `/assets/{id}/links`, and their moderation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from app.api.coproduction_answers import AssetLinks, LinkOut, LinkWaiting
from app.api.deps import AccountDep, ReadSessionDep, SessionDep, SignedInDep
from app.api.openapi import answer, problems
from app.api.routes.moderation import Rejection
from app.domain import links
from app.domain.links import LinkType

router = APIRouter(tags=["links"])

AssetId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The asset's id", examples=[1])]
LinkId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The link's id", examples=[1])]


class LinkIn(BaseModel):
    """A link from this asset to another: `{"type": "meets_at", "to": 40}`."""

    model_config = ConfigDict(extra="forbid")

    type: LinkType
    to: Annotated[int, Field(ge=1, le=2**63 - 1, description="The other asset's id")]


@router.get(
    "/assets/{asset_id}/links",
    response_model=AssetLinks,
    summary="Who runs it, where it meets, its partners",
    responses=problems(404),
)
def asset_links(asset_id: AssetId, session: ReadSessionDep, account: AccountDep) -> AssetLinks:
    """The asset's links both ways, each with both its ends; only those whose both ends
    the reader may see (a person without consent to publish is nobody's end for the
    public), the others counted in `hidden`."""
    return AssetLinks.model_validate(links.asset_links(session, account, asset_id))


@router.post(
    "/assets/{asset_id}/links",
    status_code=status.HTTP_201_CREATED,
    response_model=LinkOut,
    summary="Link it to another asset",
    responses=answer(202, "The link waits for a moderator", model=LinkWaiting)
    | problems(403, 404, 409),
)
def add_link(
    asset_id: AssetId, body: LinkIn, session: SessionDep, account: SignedInDep
) -> Response:
    """A moderator of the asset's area (or an admin) links it at once (201); anyone else's
    link waits for them (202)."""
    outcome = links.add_link(session, account, asset_id, body.type, body.to)
    link = LinkOut.model_validate(outcome.link)
    if outcome.applied:
        return JSONResponse(link.model_dump(mode="json"), status_code=status.HTTP_201_CREATED)
    waiting = LinkWaiting(detail="a moderator of the area will check the link", link=link)
    return JSONResponse(waiting.model_dump(mode="json"), status_code=status.HTTP_202_ACCEPTED)


@router.delete(
    "/assets/{asset_id}/links/{link_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a link",
    responses=problems(403, 404),
)
def remove_link(
    asset_id: AssetId, link_id: LinkId, session: SessionDep, account: SignedInDep
) -> Response:
    """For moderators of its area and admins, and its writer while it waits; it is kept,
    as removed, in the assets' history."""
    links.remove_link(session, account, asset_id, link_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/moderation/links/{link_id}/approve",
    response_model=LinkOut,
    summary="Publish a waiting link",
    responses=problems(403, 404),
)
def approve_link(link_id: LinkId, session: SessionDep, account: SignedInDep) -> LinkOut:
    return LinkOut.model_validate(links.decide_link(session, account, link_id, approve=True))


@router.post(
    "/moderation/links/{link_id}/reject",
    response_model=LinkOut,
    summary="Turn down a waiting link",
    responses=problems(403, 404),
)
def reject_link(
    link_id: LinkId, body: Rejection, session: SessionDep, account: SignedInDep
) -> LinkOut:
    decided = links.decide_link(session, account, link_id, approve=False, reason=body.reason)
    return LinkOut.model_validate(decided)
