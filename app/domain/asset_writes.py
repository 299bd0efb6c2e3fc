"""Writing assets: add, change, archive, and confirm they are still there. Which columns a
client's properties fill is derived from their declaration (app.domain.asset_fields); the
revision trigger keeps every version.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, null, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import set_actor
from app.domain import categories
from app.domain.asset_fields import BY_NAME, WRITTEN
from app.domain.asset_search import StoredAsset, asset_category, get_asset
from app.domain.geometry import AssetLocation
from app.domain.visibility import ASSET, View, shown
from app.errors import Problem, invalid, not_found
from app.i18n import said
from app.models import Asset
from app.schemas import AssetFields

# The columns a client's property may not empty: the table's own NOT NULL ones.
REQUIRED = frozenset(
    prop.name
    for prop in WRITTEN
    if len(prop.columns) == 1 and not ASSET.c[prop.column].nullable and not prop.parts
) - {"outcomes"}  # no outcomes is an empty list
CONSENT = BY_NAME["consent"]


def _columns(
    session: Session, fields: AssetFields, kind: str, field_prefix: str = "properties"
) -> dict[str, Any]:
    """Table columns for the properties a client sent (only those it sent)."""
    sent = fields.model_fields_set
    values: dict[str, Any] = {}
    for prop in WRITTEN:
        if prop.name not in sent:
            continue
        value = getattr(fields, prop.name)
        where = f"{field_prefix}.{prop.name}"
        if value is None and prop.name in REQUIRED:
            raise invalid(where, "must not be null")
        if prop.name == "category":
            values[prop.column] = (
                None if value is None else categories.category_id(session, value, kind, where)
            )
        elif prop.name == "outcomes":
            slugs = list(dict.fromkeys(value or []))
            categories.check_outcomes(session, slugs, where)
            values[prop.column] = slugs
        elif prop.stored.flattened:
            if kind != "individual" and value is not None:
                raise invalid(where, "is recorded only for kind 'individual'")
            for part in prop.parts:
                values[part.column] = None if value is None else getattr(value, part.name)
        elif prop.parts or prop.stored.whole:
            whole = None if value is None else value.model_dump(mode="json", exclude_none=True)
            # SQL NULL, not a JSON null, for none (or only empty parts)
            values[prop.column] = whole or null()
        else:
            values[prop.column] = value
    return values


def _no_consent() -> dict[str, None]:
    return dict.fromkeys(CONSENT.columns)


def create_asset(
    session: Session, fields: AssetFields, location: AssetLocation, actor: str | None = None
) -> StoredAsset:
    """Store a new asset, added by `actor`; a 409 if its (source, source_ref) is taken.
    Returns the full view."""
    set_actor(session, actor)
    kind = fields.kind or ""
    values = _columns(session, fields, kind)
    values.update(geom=location.point_wkt, footprint=location.footprint_wkt)
    if kind == "individual" and values.get("consent_publish") is None:
        values["consent_publish"] = False
    try:
        with session.begin_nested():
            new_id = session.execute(
                insert(Asset).values(**values).returning(Asset.id)
            ).scalar_one()
    except IntegrityError as clash:
        raise _integrity_problem(clash) from clash
    return get_asset(session, new_id, "full")


def update_asset(
    session: Session,
    asset_id: int,
    fields: AssetFields,
    location: AssetLocation | None,
    expected_version: int | None,
    actor: str | None = None,
    view: View = "public",
) -> StoredAsset | None:
    """Change the sent fields of an asset; a 412 if `expected_version` is not current.

    The asset must be visible in `view` (else 404: no one changes what they cannot see).
    Returns it in that view afterwards, or None once it is no longer visible there (an
    individual whose consent was withdrawn)."""
    set_actor(session, actor)
    query = (
        select(Asset.kind, Asset.version, Asset.consent_publish, asset_category.slug)
        .outerjoin(asset_category, asset_category.id == Asset.category_id)
        .where(Asset.id == asset_id)
        .with_for_update(of=Asset)
    )
    if view == "public":
        query = query.where(shown())
    current = session.execute(query).first()
    if current is None:
        raise not_found(f"asset {asset_id}")
    if expected_version is not None and expected_version != current.version:
        raise Problem(
            412,
            said(
                "asset {asset_id} has changed since (now version {version})",
                asset_id=asset_id,
                version=current.version,
            ),
        )
    kind = fields.kind if "kind" in fields.model_fields_set and fields.kind else current.kind
    if kind != current.kind and "category" not in fields.model_fields_set and current.slug:
        # the old category belongs to the old kind: check it still fits
        categories.category_id(session, current.slug, kind, "properties.kind")
    values = _columns(session, fields, kind)
    if kind != "individual" and current.kind == "individual":
        # a person's consent means nothing on an asset that is no longer a person
        values.update(_no_consent())
    if kind == "individual" and current.consent_publish is None and "consent" not in values:
        values["consent_publish"] = False
    if location is not None:
        values.update(geom=location.point_wkt, footprint=location.footprint_wkt)
    if values:
        try:
            with session.begin_nested():
                session.execute(update(Asset).where(Asset.id == asset_id).values(**values))
        except IntegrityError as clash:
            raise _integrity_problem(clash) from clash
    try:
        return get_asset(session, asset_id, view)
    except Problem:
        return None


def archive_asset(
    session: Session, asset_id: int, expected_version: int | None, actor: str | None = None
) -> None:
    """Archive an asset (it keeps its history); a 412 if `expected_version` is stale."""
    update_asset(
        session, asset_id, AssetFields(status="archived"), None, expected_version, actor, "full"
    )


def _integrity_problem(clash: IntegrityError) -> Problem:
    message = str(clash.orig)
    if "asset_source_source_ref_key" in message:
        return Problem(
            409,
            "another asset already has this source and source_ref",
            [invalid("properties.source_ref", "is already used for this source").errors[0]],
        )
    if "asset_category_authority" in message:
        # migration 0016: an authority's own category is for assets inside it
        return invalid("properties.category", message.splitlines()[0])
    return invalid("properties", "breaks a rule of the data: " + message.splitlines()[0])


def verify_asset(session: Session, asset_id: int, who: str) -> StoredAsset:
    """Record that `who` confirmed the asset is still there, now; a new version. A 404 if
    there is no such asset."""
    set_actor(session, who)
    done = session.execute(
        update(Asset)
        .where(Asset.id == asset_id)
        .values(verified_at=func.now(), verified_by=who)
        .returning(Asset.id)
    ).first()
    if done is None:
        raise not_found(f"asset {asset_id}")
    return get_asset(session, asset_id, "full")
