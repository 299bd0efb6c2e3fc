"""Moderation: what contributors and visitors suggest waits for a moderator of its area.

A new asset waits as `pending` with a `create` request; a change to a published asset waits
as an `edit` request holding the change, while the public keeps seeing the published
version. Approving publishes the asset or applies the change; rejecting (with a reason the
contributor reads in `GET /moderation/mine`) sends a new asset back to `draft` and drops a
change.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.accounts import Account
from app.db import set_actor
from app.domain import access, innovations
from app.domain.asset_history import revision_action
from app.domain.asset_search import asset_category, asset_feature, get_asset
from app.domain.asset_writes import update_asset
from app.domain.geometry import AssetLocation
from app.domain.innovation_reads import described
from app.domain.links import waiting_links
from app.errors import Problem, not_found
from app.i18n import said
from app.models import Asset, ModerationRequest
from app.schemas import AssetPatch

# A change's geometry and properties, parsed and checked again when it is applied.
Locate = Callable[[AssetPatch], AssetLocation | None]


def submit_new(session: Session, asset_id: int, account: Account | None) -> dict[str, Any]:
    """Queue a new (pending) asset for a moderator."""
    session.execute(
        insert(ModerationRequest)
        .values(
            asset_id=asset_id,
            action="create",
            base_version=select(Asset.version).where(Asset.id == asset_id).scalar_subquery(),
            submitted_by=None if account is None else account.email,
        )
        .on_conflict_do_nothing(
            index_elements=[ModerationRequest.asset_id],
            index_where=ModerationRequest.decision.is_(None),
        )
    )
    return open_request(session, asset_id)


def propose_edit(
    session: Session,
    allowed: access.AssetAccess,
    patch: AssetPatch,
    locate: Locate,
    account: Account,
) -> dict[str, Any]:
    """Queue a change to a published asset. It is tried first (and undone), so a change
    that could never apply is refused now, naming the field; a 409 while another change to
    the asset waits."""
    trial = session.begin_nested()
    try:
        update_asset(
            session, allowed.asset_id, patch.properties, locate(patch), None, account.email, "full"
        )
    finally:
        trial.rollback()
    changes = {
        "properties": patch.properties.model_dump(mode="json", exclude_unset=True),
        "geometry": None
        if patch.geometry is None
        else patch.geometry.model_dump(mode="json", exclude_none=True),
    }
    try:
        with session.begin_nested():
            session.execute(
                insert(ModerationRequest).values(
                    asset_id=allowed.asset_id,
                    action="edit",
                    changes=changes,
                    base_version=allowed.version,
                    submitted_by=account.email,
                )
            )
    except IntegrityError as clash:
        raise Problem(
            409,
            said(
                "an earlier change to asset {asset_id} still waits for a moderator",
                asset_id=allowed.asset_id,
            ),
        ) from clash
    return open_request(session, allowed.asset_id)


def withdraw(session: Session, asset_id: int, who: str, reason: str) -> None:
    """Close what waits about an asset that no longer needs a decision (archived, or taken
    back to draft by its contributor)."""
    session.execute(
        update(ModerationRequest)
        .where(ModerationRequest.asset_id == asset_id, ModerationRequest.decision.is_(None))
        .values(decision="rejected", decided_by=who, decided_at=func.now(), reason=reason)
    )


def open_request(session: Session, asset_id: int) -> dict[str, Any]:
    row = session.execute(
        select(ModerationRequest).where(
            ModerationRequest.asset_id == asset_id, ModerationRequest.decision.is_(None)
        )
    ).scalar_one_or_none()
    if row is None:
        raise Problem(
            404, said("nothing about asset {asset_id} waits for a moderator", asset_id=asset_id)
        )
    return _request(row)


def _request(row: ModerationRequest) -> dict[str, Any]:
    return {
        "id": row.id,
        "asset_id": row.asset_id,
        "action": row.action,
        "changes": row.changes,
        "base_version": row.base_version,
        "submitted_by": row.submitted_by,
        "submitted_at": row.submitted_at,
        "decision": row.decision or "pending",
        "decided_by": row.decided_by,
        "decided_at": row.decided_at,
        "reason": row.reason,
    }


def _decidable(session: Session, asset_id: int, account: Account) -> ModerationRequest:
    """The open request on an asset, if `account` moderates it: 404 for none, 403 if the
    account does not moderate the asset's area."""
    allowed = access.access(session, account, asset_id)
    found = session.execute(
        select(ModerationRequest)
        .where(ModerationRequest.asset_id == asset_id, ModerationRequest.decision.is_(None))
        .with_for_update()
    ).scalar_one_or_none()
    if not allowed.moderator:
        raise access.forbidden(f"only a moderator of asset {asset_id}'s area decides on it")
    if found is None:
        raise not_found(f"a change to asset {asset_id} waiting for a moderator")
    return found


def approve(session: Session, asset_id: int, account: Account, locate: Locate) -> dict[str, Any]:
    """Publish a new asset, or apply a waiting change, as `account`; a change that moves
    the asset needs a moderator of where it goes too (403 otherwise)."""
    found = _decidable(session, asset_id, account)
    set_actor(session, account.email)
    with revision_action(session, "approve"):
        if found.action == "create":
            session.execute(update(Asset).where(Asset.id == asset_id).values(status="published"))
        else:
            patch = AssetPatch.model_validate(found.changes)
            destination = locate(patch)
            if destination is not None and not access.moderates_point(
                session, account, destination.point_wkt
            ):
                raise access.forbidden(
                    f"the change moves asset {asset_id} into an area you do not moderate: "
                    "a moderator of both places decides it"
                )
            update_asset(
                session, asset_id, patch.properties, destination, None, account.email, "full"
            )
    return _decide(session, found, "approved", account, None)


def settle_new(
    session: Session, asset_id: int, account: Account, approve: bool, reason: str | None
) -> dict[str, Any]:
    """Publish a new asset waiting for a moderator, or send it back to draft with a reason,
    on an authority the caller has checked (a scanning session's facilitator decides on
    what the session added). A 404 when no new asset waits."""
    found = session.execute(
        select(ModerationRequest)
        .where(
            ModerationRequest.asset_id == asset_id,
            ModerationRequest.decision.is_(None),
            ModerationRequest.action == "create",
        )
        .with_for_update()
    ).scalar_one_or_none()
    if found is None:
        raise not_found(f"a new asset {asset_id} waiting for a moderator")
    set_actor(session, account.email)
    with revision_action(session, "approve" if approve else "reject"):
        status = "published" if approve else "draft"
        session.execute(update(Asset).where(Asset.id == asset_id).values(status=status))
    return _decide(session, found, "approved" if approve else "rejected", account, reason)


def reject(session: Session, asset_id: int, account: Account, reason: str) -> dict[str, Any]:
    """Turn down a new asset (back to `draft`, seen only by its contributor and moderators)
    or a waiting change (dropped), with a reason the contributor reads."""
    found = _decidable(session, asset_id, account)
    if found.action == "create":
        set_actor(session, account.email)
        with revision_action(session, "reject"):
            session.execute(update(Asset).where(Asset.id == asset_id).values(status="draft"))
    return _decide(session, found, "rejected", account, reason)


def _decide(
    session: Session,
    found: ModerationRequest,
    decision: str,
    account: Account,
    reason: str | None,
) -> dict[str, Any]:
    found.decision = decision
    found.decided_by = account.email
    found.decided_at = session.scalar(select(func.now()))
    found.reason = reason
    session.flush()
    answer = _request(found)
    answer["asset"] = json.loads(get_asset(session, found.asset_id, "full").feature)
    return answer


def queue(session: Session, account: Account, stale_before: datetime, limit: int) -> dict[str, Any]:
    """What `account` may decide (oldest first): new assets and changes, with each asset as
    it now stands, links and innovations; and the published assets of their areas last confirmed
    before `stale_before`, for review."""
    mine = access.moderates(account)
    moved_to = ModerationRequest.changes["geometry"]
    # a move is for those who moderate where the asset goes, too
    theirs = or_(
        func.coalesce(func.jsonb_typeof(moved_to), "null") == "null",
        access.moderates_geojson(account, moved_to),
    )
    waiting = session.execute(
        select(ModerationRequest, cast(asset_feature("full"), Text))
        .join(Asset, Asset.id == ModerationRequest.asset_id)
        .outerjoin(asset_category, asset_category.id == Asset.category_id)
        .where(ModerationRequest.decision.is_(None), mine, theirs)
        .order_by(ModerationRequest.submitted_at, ModerationRequest.id)
        .limit(limit)
    ).all()
    stale = session.scalars(
        select(cast(asset_feature("full"), Text))
        .select_from(Asset)
        .outerjoin(asset_category, asset_category.id == Asset.category_id)
        .where(
            mine,
            Asset.status == "published",
            func.coalesce(Asset.verified_at, Asset.created_at) < stale_before,
        )
        .order_by(func.coalesce(Asset.verified_at, Asset.created_at), Asset.id)
        .limit(limit)
    ).all()
    return {
        "requests": [_request(row) | {"asset": json.loads(feature)} for row, feature in waiting],
        "links": waiting_links(session, account, limit),
        "innovations": described(session, account, innovations.waiting(session, account, limit)),
        "stale_before": stale_before,
        "stale": [json.loads(feature) for feature in stale],
    }


def mine(session: Session, account: Account, limit: int) -> list[dict[str, Any]]:
    """What `account` submitted, newest first, with each decision and its reason, and the
    asset's name as it now stands."""
    rows = session.execute(
        select(ModerationRequest, Asset.name)
        .join(Asset, Asset.id == ModerationRequest.asset_id)
        .where(ModerationRequest.submitted_by == account.email)
        .order_by(ModerationRequest.submitted_at.desc(), ModerationRequest.id.desc())
        .limit(limit)
    ).all()
    return [_request(row) | {"asset_name": name} for row, name in rows]
