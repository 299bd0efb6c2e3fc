"""What a scanning session adds: assets, links and innovations, each waiting for the
session's facilitators (who may publish their own at once), checked for near-duplicates
against the map and the session's own additions, and announced to the room; existing assets
confirmed "still there" on the day, and leaders flagged to celebrate.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from sqlalchemy import Float, bindparam, func, literal, select, union_all
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.domain import access, asset_writes, innovations, links, moderation
from app.domain.asset_fields import public_asset
from app.domain.geometry import AssetLocation
from app.domain.sessions import Actor, emit
from app.domain.visibility import ASSET, shown
from app.errors import FieldProblem, Problem, invalid, not_found
from app.i18n import said
from app.models import (
    AssetLink,
    Innovation,
    ScanSession,
    SessionAddition,
    SessionConfirmation,
    SessionLeader,
)
from app.schemas import AssetFields, InnovationFields

# A new asset this near (metres) an existing one of a like name may be the same one.
SAME_PLACE_M = 100.0


def _words(name: str) -> set[str]:
    return {word for word in re.findall(r"[a-z0-9]+", name.lower()) if len(word) >= 4}


def alike(first: str, second: str) -> bool:
    """Whether two names may name the same place: one holds the other, they share a word of
    four letters or more, or they read nearly the same."""
    a, b = first.lower().strip(), second.lower().strip()
    if a in b or b in a or _words(a) & _words(b):
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.8


def near_duplicates(
    session: Session, scan: ScanSession, name: str, lon: float, lat: float
) -> list[dict[str, Any]]:
    """Assets within SAME_PLACE_M of (lon, lat) with a name like `name`: on the public map,
    or added by this session (whatever became of them), nearest first."""
    here = func.ST_SetSRID(
        func.ST_MakePoint(bindparam("lon", type_=Float), bindparam("lat", type_=Float)), 4326
    )
    metres = func.ST_Distance(func.geography(here), func.geography(public_asset.c.geom))
    on_map = select(
        public_asset.c.id,
        public_asset.c.name,
        metres.label("distance_m"),
        literal(False).label("ours"),
    ).where(
        public_asset.c.status == "published",
        func.ST_DWithin(func.geography(public_asset.c.geom), func.geography(here), SAME_PLACE_M),
    )
    ours_metres = func.ST_Distance(func.geography(here), func.geography(ASSET.c.public_geom))
    in_session = (
        select(
            ASSET.c.id, ASSET.c.name, ours_metres.label("distance_m"), literal(True).label("ours")
        )
        .join(SessionAddition, SessionAddition.asset_id == ASSET.c.id)
        .where(
            SessionAddition.session_id == scan.id,
            ASSET.c.status != "archived",
            func.ST_DWithin(
                func.geography(ASSET.c.public_geom), func.geography(here), SAME_PLACE_M
            ),
        )
    )
    rows = session.execute(
        union_all(on_map, in_session).order_by("distance_m"), {"lon": lon, "lat": lat}
    ).all()
    seen: set[int] = set()
    found = []
    for row in rows:
        if row.id in seen or not alike(name, row.name):
            continue
        seen.add(row.id)
        found.append(
            {
                "id": row.id,
                "name": row.name,
                "distance_m": round(row.distance_m, 1),
                "in_session": row.ours,
            }
        )
    return found


def _record(session: Session, scan: ScanSession, actor: Actor, **added: int) -> int:
    return int(
        session.execute(
            insert(SessionAddition)
            .values(
                session_id=scan.id,
                participant_id=None if actor.participant is None else actor.participant.id,
                added_by=actor.email,
                **added,
            )
            .returning(SessionAddition.id)
        ).scalar_one()
    )


def room_asset(session: Session, asset_id: int) -> dict[str, Any]:
    """An asset as the room is told of it: its name, kind, category, status and public
    point (a person's only with their consent; else as "a person's skill")."""
    row = session.execute(
        select(
            ASSET.c.id,
            ASSET.c.name,
            ASSET.c.kind,
            ASSET.c.status,
            func.ST_X(ASSET.c.public_geom).label("lon"),
            func.ST_Y(ASSET.c.public_geom).label("lat"),
            shown(ASSET).label("shown"),
        ).where(ASSET.c.id == asset_id)
    ).one()
    return {
        "id": row.id,
        "name": row.name if row.shown else "a person's skill",
        "kind": row.kind,
        "status": row.status,
        "lon": round(row.lon, 7),
        "lat": round(row.lat, 7),
    }


def add_asset(
    session: Session,
    scan: ScanSession,
    actor: Actor,
    facilitator: bool,
    fields: AssetFields,
    location: AssetLocation,
    confirmed: bool,
) -> dict[str, Any]:
    """A new asset from the room: published at once when a facilitator adds it, otherwise
    waiting for them. A 409 listing the near-duplicates unless `confirmed`; only signed-in
    people record a person (their consent), 403 for a participant."""
    if fields.kind == "individual" and actor.account is None:
        raise access.forbidden(
            "a facilitator records a person's skill, with their consent", "properties.kind"
        )
    if not confirmed:
        same = near_duplicates(session, scan, fields.name or "", location.point.x, location.point.y)
        if same:
            raise Problem(
                409,
                f"is this {same[0]['name']}, {same[0]['distance_m']:g} m away? "
                "Send it again with confirmed=true if it is another",
                [FieldProblem("properties.name", said("looks like {name}", name=same[0]["name"]))],
                extra={"duplicates": same},
            )
    status = "published" if facilitator else "pending"
    stored = asset_writes.create_asset(
        session, fields.model_copy(update={"status": status}), location, actor.email
    )
    if status == "pending":
        moderation.submit_new(session, stored.id, actor.account)
    addition = _record(session, scan, actor, asset_id=stored.id)
    event = {"addition": addition, "asset": room_asset(session, stored.id), "by": actor.name}
    emit(session, scan.id, "asset_added", event)
    return {"addition": addition, "status": status, "asset_id": stored.id}


def add_link(
    session: Session,
    scan: ScanSession,
    actor: Actor,
    facilitator: bool,
    start: int,
    link_type: str,
    end: int,
) -> dict[str, Any]:
    """A link from the room, waiting for the facilitators unless one of them adds it."""
    if start == end:
        raise invalid("to", "an asset is not linked to itself")
    for field, asset_id in (("from", start), ("to", end)):
        try:
            access.access(session, actor.account, asset_id)
        except Problem as unseen:
            raise Problem(
                404,
                said("asset {asset_id} not found", asset_id=asset_id),
                [FieldProblem(field, "no such asset")],
            ) from unseen
    link_id = links.insert_link(
        session, start, link_type, end, "published" if facilitator else "pending", actor.email
    )
    addition = _record(session, scan, actor, link_id=link_id)
    emit(
        session,
        scan.id,
        "link_added",
        {
            "addition": addition,
            "link": {"id": link_id, "type": link_type, "from": start, "to": end},
            "status": "published" if facilitator else "pending",
            "by": actor.name,
        },
    )
    return {
        "addition": addition,
        "status": "published" if facilitator else "pending",
        "link_id": link_id,
    }


def add_innovation(
    session: Session, scan: ScanSession, actor: Actor, facilitator: bool, fields: InnovationFields
) -> dict[str, Any]:
    """An innovation from the room (someone in it may name themselves among those who got it
    going), waiting for the facilitators unless one of them adds it."""
    for index, leader in enumerate(fields.leaders or []):
        ours = actor.participant is not None and leader.participant == actor.participant.id
        if leader.participant is not None and not ours:
            raise invalid(f"leaders[{index}].participant", "people name only themselves")
    innovations.check(session, actor.account, fields)
    review = "published" if facilitator else "pending"
    written = innovations.insert_innovation(session, fields, review, actor.email)
    addition = _record(session, scan, actor, innovation_id=written.id)
    emit(
        session,
        scan.id,
        "innovation_added",
        {
            "addition": addition,
            "innovation": {"id": written.id, "name": fields.name},
            "status": review,
            "by": actor.name,
        },
    )
    return {"addition": addition, "status": review, "innovation_id": written.id}


def decide(
    session: Session,
    scan: ScanSession,
    actor: Actor,
    addition_id: int,
    approve: bool,
    reason: str | None,
) -> dict[str, Any]:
    """A facilitator's decision on what the session added: published, or turned down."""
    assert actor.account is not None  # the route lets only facilitators through
    found = session.get(SessionAddition, addition_id)
    if found is None or found.session_id != scan.id:
        raise not_found(f"addition {addition_id} of session {scan.id}")
    if found.asset_id is not None:
        moderation.settle_new(session, found.asset_id, actor.account, approve, reason)
    elif found.link_id is not None:
        links.settle(session, actor.account, found.link_id, approve, reason)
    else:
        assert found.innovation_id is not None
        innovations.settle(session, actor.account, found.innovation_id, approve, reason)
    decision = "approved" if approve else "rejected"
    emit(
        session,
        scan.id,
        "decided",
        {"addition": addition_id, "decision": decision, "by": actor.name},
    )
    return {"addition": addition_id, "decision": decision}


def confirm(session: Session, scan: ScanSession, actor: Actor, asset_id: int) -> dict[str, Any]:
    """A facilitator marks an existing asset as confirmed today (its verification)."""
    assert actor.account is not None
    access.access(session, actor.account, asset_id)
    asset_writes.verify_asset(session, asset_id, actor.account.email)
    session.execute(
        insert(SessionConfirmation)
        .values(session_id=scan.id, asset_id=asset_id, confirmed_by=actor.account.email)
        .on_conflict_do_nothing()
    )
    asset = room_asset(session, asset_id)
    emit(session, scan.id, "confirmed", {"asset": asset, "by": actor.name})
    return {"asset": asset}


def flag_leader(
    session: Session, scan: ScanSession, actor: Actor, asset_id: int, note: str | None
) -> dict[str, Any]:
    """A facilitator flags a person or group as a leader to celebrate."""
    assert actor.account is not None
    access.access(session, actor.account, asset_id)
    session.execute(
        insert(SessionLeader)
        .values(session_id=scan.id, asset_id=asset_id, note=note, flagged_by=actor.account.email)
        .on_conflict_do_update(index_elements=["session_id", "asset_id"], set_={"note": note})
    )
    asset = room_asset(session, asset_id)
    emit(session, scan.id, "leader_flagged", {"asset": asset, "note": note, "by": actor.name})
    return {"asset": asset, "note": note}


def room_status(status: str) -> str:
    """How the room reads where an addition stands: published, pending, or rejected (a
    turned-down asset or innovation goes back to draft)."""
    return "rejected" if status == "draft" else status


def additions(session: Session, scan: ScanSession) -> list[dict[str, Any]]:
    """Everything the session added, oldest first, as the room sees it."""
    rows = session.scalars(
        select(SessionAddition)
        .where(SessionAddition.session_id == scan.id)
        .order_by(SessionAddition.id)
    ).all()
    found = []
    for row in rows:
        entry: dict[str, Any] = {"id": row.id, "added_at": row.added_at}
        if row.asset_id is not None:
            entry |= {"type": "asset", "asset": room_asset(session, row.asset_id)}
            entry["status"] = room_status(entry["asset"]["status"])
        elif row.link_id is not None:
            link = session.get(AssetLink, row.link_id)
            assert link is not None
            entry |= {
                "type": "link",
                "link": {"id": link.id, "type": link.type, "from": link.from_id, "to": link.to_id},
                "status": room_status(link.status),
            }
        else:
            assert row.innovation_id is not None
            innovation = session.get(Innovation, row.innovation_id)
            assert innovation is not None
            entry |= {
                "type": "innovation",
                "innovation": {"id": innovation.id, "name": innovation.name},
                "status": room_status(innovation.review),
            }
        found.append(entry)
    return found
