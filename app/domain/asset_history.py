"""An asset's history: every revision (kept by the database's triggers; its creation read
from the row itself, migration 0014), going back to an earlier version, and erasing a
person's data from the asset and from all of its history.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import case, func, null, select, text, update
from sqlalchemy.orm import Session

from app.db import set_actor
from app.domain.asset_fields import ERASED_COLUMNS, ERASED_PROPERTIES, POINT, PRIVATE_COLUMNS
from app.domain.asset_search import StoredAsset, get_asset
from app.domain.visibility import ASSET
from app.errors import invalid, not_found
from app.i18n import said
from app.models import Asset, AssetRevision


def asset_history(session: Session, asset_id: int, with_personal: bool) -> list[dict[str, Any]]:
    """Every revision of an asset, oldest first: version, action, when, by whom, and the
    changed fields before and after. A person's private columns are left out unless
    `with_personal`. A 404 if there is no such asset."""
    kind = session.scalar(select(Asset.kind).where(Asset.id == asset_id))
    if kind is None:
        raise not_found(f"asset {asset_id}")
    rows = session.execute(
        select(
            AssetRevision.version,
            AssetRevision.action,
            AssetRevision.changed_at,
            AssetRevision.changed_by,
            AssetRevision.before,
            AssetRevision.after,
        )
        .where(AssetRevision.asset_id == asset_id)
        .order_by(AssetRevision.version, AssetRevision.id)
    ).all()
    hide = PRIVATE_COLUMNS if kind == "individual" and not with_personal else frozenset()

    def shown(fields: dict[str, Any] | None) -> dict[str, Any] | None:
        if fields is None:
            return None
        return {key: value for key, value in fields.items() if key not in hide}

    return [
        {
            "version": row.version,
            "action": row.action,
            "changed_at": row.changed_at.isoformat(),
            "changed_by": row.changed_by,
            "before": shown(row.before),
            "after": shown(row.after),
        }
        for row in rows
    ]


@contextmanager
def revision_action(session: Session, action: str) -> Iterator[None]:
    """Name the action the revisions of the statements inside record (`restore`, `erase`)."""
    session.execute(text("SELECT set_config('assetmap.action', :action, true)"), {"action": action})
    yield
    session.execute(text("SELECT set_config('assetmap.action', '', true)"))


# What a restore brings back: every column a reader sees, but whether it is published (a
# decision of its own) and when it was last verified (a fact about now, not then).
_BOOKKEEPING = (
    "id",
    "version",
    "created_at",
    "created_by",
    "created_revision",
    "updated_at",
    "updated_by",
)
_RESTORED = tuple(
    column.name
    for column in ASSET.columns
    if column.name not in _BOOKKEEPING
    and column.name
    not in {"public_geom", "public_bng", "search", "status", "verified_at", "verified_by"}
)


def restore_asset(session: Session, asset_id: int, version: int, who: str) -> StoredAsset:
    """Bring back the content of an earlier version as a new version (its revision's action
    is `restore`). A 404 if the asset has no such version; a 422 for the current one.

    A version's content is the current row with the `before` of every later revision
    applied, newest first: revisions keep only what changed."""
    current = session.execute(
        text("SELECT version, asset_content(a) FROM asset AS a WHERE id = :id FOR UPDATE"),
        {"id": asset_id},
    ).first()
    if current is None:
        raise not_found(f"asset {asset_id}")
    latest, content = current
    known = session.scalar(
        select(AssetRevision.id).where(
            AssetRevision.asset_id == asset_id, AssetRevision.version == version
        )
    )
    if known is None:
        raise not_found(f"version {version} of asset {asset_id}")
    if version == latest:
        raise invalid("revision", said("version {version} is the current version", version=version))
    befores = session.scalars(
        select(AssetRevision.before)
        .where(AssetRevision.asset_id == asset_id, AssetRevision.version > version)
        .order_by(AssetRevision.version.desc(), AssetRevision.id.desc())
    )
    then = dict(content)
    for before in befores:
        then.update(before or {})
    changed = [name for name in _RESTORED if then.get(name) != content.get(name)]
    set_actor(session, who)
    if changed:
        names = ", ".join(changed)  # column names from the table itself, never from input
        with revision_action(session, "restore"):
            session.execute(
                text(
                    f"UPDATE asset SET ({names}) = (SELECT {names} FROM "  # noqa: S608
                    "jsonb_populate_record(NULL::asset, CAST(:content AS jsonb))) WHERE id = :id"
                ),
                {"content": json.dumps(then), "id": asset_id},
            )
    return get_asset(session, asset_id, "full")


ERASED_NAME = "Erased asset"


def erase_asset(session: Session, asset_id: int, who: str) -> None:
    """Remove a person's data from an asset and from its history: the columns their
    properties' declaration calls personal (name, description, address, postcode, contact,
    consent details, footprint) are emptied; a person is moved to their neighbourhood's
    point; it is archived and no longer published. The history keeps only that `who`
    erased it, and when. (Closing what still waits for a moderator is
    moderation.withdraw's.)"""
    # SQL NULL, never a JSON null for the JSON ones
    emptied = {column: null() for column in ERASED_COLUMNS - {POINT, "name"}}
    set_actor(session, who)
    with revision_action(session, "erase"):
        session.execute(
            update(Asset)
            .where(Asset.id == asset_id)
            .values(
                **emptied,
                name=ERASED_NAME,
                consent_publish=case((Asset.kind == "individual", False), else_=None),
                geom=func.asset_public_point(Asset.geom, Asset.kind),
                status="archived",
            )
        )
    keys = sorted(ERASED_COLUMNS)
    session.execute(
        text(
            "UPDATE asset_revision_stored SET before = before - CAST(:keys AS text[]), "
            "after = after - CAST(:keys AS text[]) WHERE asset_id = :id"
        ),
        {"keys": keys, "id": asset_id},
    )
    session.execute(
        text(
            "UPDATE moderation_request SET changes = jsonb_build_object('properties', "
            "coalesce(changes -> 'properties', '{}') - CAST(:keys AS text[])) "
            "WHERE asset_id = :id AND changes IS NOT NULL"
        ),
        {"keys": list(ERASED_PROPERTIES), "id": asset_id},
    )
