"""Moderation: the queue of what waits for a moderator, their decisions, and what a
contributor submitted."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, StringConstraints

from app.api.answers import ModerationRequestOut
from app.api.coproduction_answers import Queue
from app.api.deps import SessionDep, SettingsDep, SignedInDep, stale_cutoff
from app.api.openapi import problems
from app.api.routes.assets import change_locator
from app.domain import access, moderation

router = APIRouter(prefix="/moderation", tags=["moderation"])

AssetId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The asset's id", examples=[1])]
QueueLimit = Annotated[int, Query(ge=1, le=1000, description="The most entries of each list")]


class Rejection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


@router.get(
    "/queue",
    response_model=Queue,
    summary="What waits for you to decide, and what is stale",
    responses=problems(403),
)
def queue(
    account: SignedInDep,
    session: SessionDep,
    stale_after: Annotated[
        str, Query(max_length=40, description="ISO 8601 duration: not confirmed within it")
    ] = "P12M",
    limit: QueueLimit = 200,
) -> dict[str, Any]:
    """For a moderator, the new assets and changes waiting in their areas (for an admin,
    everywhere), oldest first, each with the asset as it now stands; and the published
    assets there last confirmed (verified, or else added) longer ago than `stale_after`."""
    if account.role not in ("moderator", "admin"):
        raise access.forbidden("the moderation queue is for moderators and admins")
    return moderation.queue(session, account, stale_cutoff(stale_after), limit)


@router.post(
    "/{asset_id}/approve",
    response_model=ModerationRequestOut,
    summary="Publish a new asset, or apply a change",
    responses=problems(403, 404),
)
def approve(
    asset_id: AssetId, account: SignedInDep, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """For a moderator of the asset's area, or an admin: the request, now approved, with the
    asset as it now stands."""
    return moderation.approve(session, asset_id, account, change_locator(settings))


@router.post(
    "/{asset_id}/reject",
    response_model=ModerationRequestOut,
    summary="Turn down a new asset or a change",
    responses=problems(403, 404),
)
def reject(
    asset_id: AssetId, body: Rejection, account: SignedInDep, session: SessionDep
) -> dict[str, Any]:
    """For a moderator of the asset's area, or an admin. The contributor reads the reason in
    `GET /moderation/mine`; a new asset goes back to `draft`, a change is dropped."""
    return moderation.reject(session, asset_id, account, body.reason)


@router.get(
    "/mine",
    response_model=list[ModerationRequestOut],
    summary="What you submitted, and what became of it",
)
def mine(account: SignedInDep, session: SessionDep, limit: QueueLimit = 200) -> list[Any]:
    """Your new assets and changes, newest first: pending, approved or rejected (with the
    moderator's reason)."""
    return moderation.mine(session, account, limit)
