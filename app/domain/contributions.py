"""What becomes of a new asset or a change someone sends: applied at once (by a moderator
of the place, or by its contributor while it is not yet published), or queued for a
moderator (app.domain.moderation). The decision lives here, so every surface that takes
contributions (the API, a scanning day's live map) decides alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.auth.accounts import Account
from app.domain import access, asset_writes, moderation
from app.domain.asset_search import StoredAsset
from app.domain.geometry import AssetLocation
from app.errors import FieldProblem, Problem
from app.i18n import said
from app.schemas import AssetFields, AssetPatch


@dataclass(frozen=True)
class Applied:
    """Written at once: the asset as its writer now reads it (None: they no longer may, as
    a person whose consent was withdrawn)."""

    asset: StoredAsset | None


@dataclass(frozen=True)
class Waiting:
    """Queued for a moderator: the request, and the asset as stored meanwhile (a new one,
    pending; None for a change, while the public keeps the published version)."""

    request: dict[str, Any]
    asset: StoredAsset | None = None


Outcome = Applied | Waiting


def _unmoderated_fields(fields: AssetFields, statuses: tuple[str, ...]) -> None:
    """Refuse what only a moderator may set: publishing, archiving, and verification."""
    if fields.status is not None and fields.status not in statuses:
        raise access.forbidden(
            "only a moderator of its area publishes or archives an asset; "
            f"send status {' or '.join(statuses)}, or leave it out",
            "properties.status",
        )
    for name in ("verified_at", "verified_by"):
        if name in fields.model_fields_set:
            raise access.forbidden(
                "verification is recorded by POST /assets/{id}/verify", f"properties.{name}"
            )


def add(
    session: Session, account: Account | None, fields: AssetFields, location: AssetLocation
) -> Outcome:
    """A new asset from `account` (None: an anonymous visitor): published at once by a
    moderator of where it is (or an admin); anyone else's waits as `pending` (or stays a
    `draft` they keep back). Only signed-in contributors add people (401 otherwise)."""
    if not access.moderates_point(session, account, location.point_wkt):
        if account is None and fields.kind == "individual":
            raise Problem(
                401,
                "sign in to add a person: their consent must be recorded by someone known",
                [FieldProblem("properties.kind", "needs a signed-in contributor")],
                headers={"WWW-Authenticate": "Bearer"},
            )
        _unmoderated_fields(fields, ("pending", "draft") if account else ("pending",))
        fields = fields.model_copy(update={"status": fields.status or "pending"})
    stored = asset_writes.create_asset(
        session, fields, location, None if account is None else account.email
    )
    if fields.status == "pending":
        return Waiting(moderation.submit_new(session, stored.id, account), stored)
    return Applied(stored)


def change(
    session: Session,
    account: Account,
    asset_id: int,
    patch: AssetPatch,
    locate: moderation.Locate,
    expected_version: int | None,
) -> Outcome:
    """A change to an asset from `account`: applied at once by a moderator of where it is
    and of where it goes (if it moves), or by its contributor while it is not published;
    anyone else's change to a published asset waits for a moderator (a 403 for one not
    published, a 412 if `expected_version` is not current)."""
    destination = locate(patch)
    allowed = access.for_change(
        session, account, access.access(session, account, asset_id), destination
    )
    if not allowed.direct:
        if allowed.status != "published":
            raise access.forbidden(f"asset {asset_id} is {allowed.status}: it cannot be changed")
        if expected_version is not None and expected_version != allowed.version:
            raise Problem(
                412,
                said(
                    "asset {asset_id} has changed since (now version {version})",
                    asset_id=asset_id,
                    version=allowed.version,
                ),
            )
        _unmoderated_fields(patch.properties, ("published",))
        return Waiting(moderation.propose_edit(session, allowed, patch, locate, account))
    if not allowed.moderator:
        _unmoderated_fields(patch.properties, ("pending", "draft"))
    stored = asset_writes.update_asset(
        session, asset_id, patch.properties, destination, expected_version, account.email, "full"
    )
    if stored is None:
        return Applied(None)
    if not allowed.moderator and stored.status == "pending":
        moderation.submit_new(session, asset_id, account)
    elif stored.status != allowed.status and stored.status in ("draft", "archived"):
        moderation.withdraw(session, asset_id, account.email, f"{stored.status} by {account.email}")
    return Applied(stored)
