"""Innovations: asset-based practices and commissioning changes, where they happen, the
outcomes they serve, the assets they involve, who got them going and how, and where they
stand. Moderated like assets (a contributor's waits as `pending` for a moderator of one of
its areas) and versioned: every change is a revision, with what changed.

What the public reads of one: only a published innovation, and of its assets and leaders
only those in the public face (a person without consent is counted, never named).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, delete, false, func, or_, select, true, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.auth.accounts import Account
from app.domain import access, categories
from app.errors import Problem, invalid, not_found
from app.i18n import said
from app.models import (
    Area,
    Innovation,
    InnovationArea,
    InnovationAsset,
    InnovationParticipant,
    InnovationRevision,
    SessionParticipant,
)
from app.schemas import InnovationFields

# The row's own fields a client may send, as the table names them.
_OWN = ("name", "description", "outcomes", "levers", "status", "started_on", "evidence", "review")


@dataclass(frozen=True)
class InnovationFilter:
    """Which innovations: happening inside an area, serving an outcome, at a stage, with
    text in their name or description."""

    within: str | None = None
    outcome: str | None = None
    status: str | None = None
    q: str | None = None


def _moderated_by(account: Account | None, innovation_id: Any) -> ColumnElement[bool]:
    """Whether `account` moderates one of the areas of an innovation."""
    if account is not None and account.everywhere:
        return true()
    return (
        select(
            func.coalesce(
                func.bool_or(access.moderates_area(account, InnovationArea.area_code)), False
            )
        )
        .where(InnovationArea.innovation_id == innovation_id)
        .scalar_subquery()
    )


def stewards(account: Account | None) -> ColumnElement[bool]:
    """Whether `account` reads the innovation of the row whole: its moderators and writer."""
    if account is None:
        return false()
    return or_(_moderated_by(account, Innovation.id), Innovation.created_by == account.email)


def check(session: Session, account: Account | None, fields: InnovationFields) -> None:
    """A 422 naming the area, outcome or asset an innovation names that is not there (or
    that the writer may not see)."""
    for index, code in enumerate(fields.areas or []):
        if session.scalar(select(Area.id).where(Area.code == code)) is None:
            raise invalid(f"areas[{index}]", said("no area has the code {code}", code=repr(code)))
    if fields.outcomes:
        categories.check_outcomes(session, list(fields.outcomes), "outcomes")
    named = [(f"assets[{i}]", asset) for i, asset in enumerate(fields.assets or [])]
    named += [
        (f"leaders[{i}].asset", lead.asset)
        for i, lead in enumerate(fields.leaders or [])
        if lead.asset is not None
    ]
    for index, lead in enumerate(fields.leaders or []):
        if (
            lead.participant is not None
            and session.get(SessionParticipant, lead.participant) is None
        ):
            raise invalid(
                f"leaders[{index}].participant",
                said("no participant {participant}", participant=lead.participant),
            )
    for field, asset_id in named:
        try:
            access.access(session, account, asset_id)
        except Problem as unseen:
            raise invalid(field, said("no asset {asset_id}", asset_id=asset_id)) from unseen


def _own_values(fields: InnovationFields) -> dict[str, Any]:
    sent = fields.model_fields_set
    values = {name: getattr(fields, name) for name in _OWN if name in sent}
    if "evidence" in values:
        values["evidence"] = [item.model_dump(mode="json") for item in values["evidence"] or []]
    for listed in ("outcomes", "levers"):
        if listed in values:
            values[listed] = list(dict.fromkeys(values[listed] or []))
    for required in ("name", "status", "review"):
        if required in values and values[required] is None:
            raise invalid(required, "must not be null")
    return values


def _set_members(session: Session, innovation_id: int, fields: InnovationFields) -> None:
    """Its areas, assets and leaders as sent (those sent, replacing the old)."""
    sent = fields.model_fields_set
    if "areas" in sent:
        session.execute(delete(InnovationArea).where(InnovationArea.innovation_id == innovation_id))
        for code in dict.fromkeys(fields.areas or []):
            session.execute(
                insert(InnovationArea).values(innovation_id=innovation_id, area_code=code)
            )
    for role, field in (("involved", "assets"), ("leader", "leaders")):
        if field not in sent:
            continue
        session.execute(
            delete(InnovationAsset).where(
                InnovationAsset.innovation_id == innovation_id, InnovationAsset.role == role
            )
        )
        members = (
            fields.assets or []
            if role == "involved"
            else [leader.asset for leader in fields.leaders or [] if leader.asset is not None]
        )
        for asset_id in dict.fromkeys(members):
            session.execute(
                insert(InnovationAsset).values(
                    innovation_id=innovation_id, asset_id=asset_id, role=role
                )
            )
    if "leaders" in sent:
        session.execute(
            delete(InnovationParticipant).where(
                InnovationParticipant.innovation_id == innovation_id
            )
        )
        for leader in fields.leaders or []:
            if leader.participant is not None:
                session.execute(
                    insert(InnovationParticipant)
                    .values(innovation_id=innovation_id, participant_id=leader.participant)
                    .on_conflict_do_nothing()
                )


def content(session: Session, innovation_id: int) -> dict[str, Any]:
    """What a revision records of an innovation: its own fields, areas, assets, leaders."""
    row = session.get(Innovation, innovation_id)
    if row is None:
        raise not_found(f"innovation {innovation_id}")
    session.refresh(row)
    members = session.execute(
        select(InnovationAsset.role, InnovationAsset.asset_id)
        .where(InnovationAsset.innovation_id == innovation_id)
        .order_by(InnovationAsset.asset_id)
    ).all()
    participants = sorted(
        session.scalars(
            select(InnovationParticipant.participant_id).where(
                InnovationParticipant.innovation_id == innovation_id
            )
        )
    )
    return {name: _plain(getattr(row, name)) for name in _OWN} | {
        "participants": participants,
        "areas": sorted(
            session.scalars(
                select(InnovationArea.area_code).where(
                    InnovationArea.innovation_id == innovation_id
                )
            )
        ),
        "assets": [asset for role, asset in members if role == "involved"],
        "leaders": [asset for role, asset in members if role == "leader"],
    }


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _revise(
    session: Session,
    innovation_id: int,
    version: int,
    action: str,
    who: str | None,
    before: dict[str, Any] | None,
    after: dict[str, Any],
) -> None:
    if before is not None:
        changed = [key for key in after if after[key] != before.get(key)]
        before = {key: before.get(key) for key in changed}
        after = {key: after[key] for key in changed}
    session.execute(
        insert(InnovationRevision).values(
            innovation_id=innovation_id,
            version=version,
            action=action,
            changed_by=who,
            before=before,
            after=after,
        )
    )


@dataclass(frozen=True)
class Written:
    """An innovation as written: its id, and whether it is published (or waits)."""

    id: int
    published: bool


def create(session: Session, account: Account, fields: InnovationFields) -> Written:
    """A new innovation from `account`: published at once by a moderator of one of its
    areas (or an admin); anyone else's waits as `pending` (or stays a `draft`)."""
    check(session, account, fields)
    moderator = account.everywhere or any(
        session.scalar(select(access.moderates_area(account, code))) for code in fields.areas or []
    )
    asked = fields.review
    if not moderator:
        if asked not in (None, "pending", "draft"):
            raise access.forbidden("only a moderator of its area publishes an innovation", "review")
        asked = asked or "pending"
    return insert_innovation(session, fields, asked or "published", account.email)


def insert_innovation(
    session: Session, fields: InnovationFields, review: str, writer: str | None
) -> Written:
    """Store an innovation checked by the caller, as `review`, written by `writer` (an
    email; None for someone in a scanning session's room), with its first revision."""
    values = _own_values(fields) | {"review": review}
    new_id = session.execute(
        insert(Innovation)
        .values(**values, created_by=writer, updated_by=writer)
        .returning(Innovation.id)
    ).scalar_one()
    _set_members(session, new_id, fields)
    _revise(session, new_id, 1, "create", writer, None, content(session, new_id))
    return Written(new_id, review == "published")


def change(
    session: Session,
    account: Account,
    innovation_id: int,
    fields: InnovationFields,
    expected_version: int | None,
) -> int:
    """Change an innovation: its moderators change it at any time, its writer until it is
    published (403 otherwise; 412 if `expected_version` is not current). Returns the new
    version."""
    current = session.execute(
        select(
            Innovation.version,
            Innovation.review,
            Innovation.created_by,
            _moderated_by(account, Innovation.id).label("moderator"),
        )
        .where(Innovation.id == innovation_id)
        .with_for_update(of=Innovation)
    ).first()
    if current is None or not (
        current.moderator or current.created_by == account.email or current.review == "published"
    ):
        raise not_found(f"innovation {innovation_id}")
    writer = current.created_by == account.email and current.review != "published"
    if not (current.moderator or writer):
        raise access.forbidden(
            f"only a moderator of its area changes innovation {innovation_id} now it is published"
        )
    if expected_version is not None and expected_version != current.version:
        raise Problem(
            412,
            said(
                "innovation {innovation_id} has changed since (now version {version})",
                innovation_id=innovation_id,
                version=current.version,
            ),
        )
    asks_review = "review" in fields.model_fields_set and fields.review not in ("pending", "draft")
    if asks_review and not current.moderator:
        raise access.forbidden("only a moderator of its area publishes an innovation", "review")
    check(session, account, fields)
    before = content(session, innovation_id)
    values = _own_values(fields)
    session.execute(
        update(Innovation)
        .where(Innovation.id == innovation_id)
        .values(**values, updated_by=account.email, updated_at=func.clock_timestamp())
    )
    _set_members(session, innovation_id, fields)
    after = content(session, innovation_id)
    if after == before:
        return int(current.version)
    version = int(current.version) + 1
    session.execute(
        update(Innovation).where(Innovation.id == innovation_id).values(version=version)
    )
    _revise(session, innovation_id, version, "update", account.email, before, after)
    return version


def decide(
    session: Session, account: Account, innovation_id: int, approve: bool, reason: str | None
) -> None:
    """Publish a waiting innovation, or send it back to draft with a reason: for moderators
    of one of its areas (403), of one that waits (404)."""
    row = session.execute(
        select(Innovation.version, _moderated_by(account, Innovation.id).label("moderator"))
        .where(Innovation.id == innovation_id, Innovation.review == "pending")
        .with_for_update(of=Innovation)
    ).first()
    if row is None:
        raise not_found(f"an innovation {innovation_id} waiting for a moderator")
    if not row.moderator:
        raise access.forbidden(
            f"only a moderator of its area decides on innovation {innovation_id}"
        )
    settle(session, account, innovation_id, approve, reason)


def settle(
    session: Session, account: Account, innovation_id: int, approve: bool, reason: str | None
) -> None:
    """Publish a waiting innovation, or send it back to draft with a reason, on an authority
    the caller has checked (a moderator of one of its areas, or a scanning session's
    facilitator). A 404 if none waits."""
    version = session.scalar(
        select(Innovation.version)
        .where(Innovation.id == innovation_id, Innovation.review == "pending")
        .with_for_update()
    )
    if version is None:
        raise not_found(f"an innovation {innovation_id} waiting for a moderator")
    review = "published" if approve else "draft"
    session.execute(
        update(Innovation)
        .where(Innovation.id == innovation_id)
        .values(review=review, reason=reason, version=version + 1, updated_by=account.email)
    )
    _revise(
        session,
        innovation_id,
        version + 1,
        "approve" if approve else "reject",
        account.email,
        {"review": "pending"},
        {"review": review} | ({"reason": reason} if reason else {}),
    )


def history(session: Session, account: Account | None, innovation_id: int) -> list[dict[str, Any]]:
    """Every revision of an innovation the reader may see, oldest first."""
    readable(session, account, innovation_id)
    rows = session.execute(
        select(InnovationRevision)
        .where(InnovationRevision.innovation_id == innovation_id)
        .order_by(InnovationRevision.version, InnovationRevision.id)
    ).scalars()
    return [
        {
            "version": row.version,
            "action": row.action,
            "changed_at": row.changed_at.isoformat(),
            "changed_by": row.changed_by,
            "before": row.before,
            "after": row.after,
        }
        for row in rows
    ]


def readable(session: Session, account: Account | None, innovation_id: int) -> bool:
    """Whether `account` reads the innovation whole (its stewards); a 404 when it may not
    read it at all (not published, and not theirs)."""
    row = session.execute(
        select(Innovation.review, stewards(account).label("steward")).where(
            Innovation.id == innovation_id
        )
    ).first()
    if row is None or not (row.review == "published" or row.steward):
        raise not_found(f"innovation {innovation_id}")
    return bool(row.steward)


def ids(session: Session, account: Account | None, wanted: InnovationFilter) -> list[int]:
    """The innovations matching `wanted` that `account` may read: published ones, and (for
    stewards) the waiting ones theirs to see, by id. A 422 for an unknown area or outcome."""
    conditions: list[ColumnElement[bool]] = [
        or_(Innovation.review == "published", stewards(account))
    ]
    if wanted.within is not None:
        inside = select(Area.geom).where(Area.code == wanted.within).scalar_subquery()
        if session.scalar(select(Area.id).where(Area.code == wanted.within)) is None:
            raise invalid(
                "within", said("no area has the code {within}", within=repr(wanted.within))
            )
        conditions.append(
            select(InnovationArea.innovation_id)
            .join(Area, Area.code == InnovationArea.area_code)
            .where(
                InnovationArea.innovation_id == Innovation.id,
                func.ST_Covers(inside, func.ST_PointOnSurface(Area.geom)),
            )
            .exists()
        )
    if wanted.outcome is not None:
        categories.check_outcomes(session, [wanted.outcome], "outcome")
        conditions.append(Innovation.outcomes.contains([wanted.outcome]))
    if wanted.status is not None:
        conditions.append(Innovation.status == wanted.status)
    if wanted.q:
        pattern = "%" + wanted.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            or_(Innovation.name.ilike(pattern), Innovation.description.ilike(pattern))
        )
    return list(session.scalars(select(Innovation.id).where(*conditions).order_by(Innovation.id)))


def waiting(session: Session, account: Account, limit: int) -> list[int]:
    """The innovations waiting for `account` to decide, oldest first."""
    return list(
        session.scalars(
            select(Innovation.id)
            .where(Innovation.review == "pending", _moderated_by(account, Innovation.id))
            .order_by(Innovation.created_at, Innovation.id)
            .limit(limit)
        )
    )
