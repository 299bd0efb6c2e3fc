"""What a scanning day leaves behind, its report: the new assets found and the existing
ones confirmed (by kind and outcome, with their public points for a map), the innovations
with who got them going and how, the leaders flagged to celebrate, the network it formed,
and what still waits for moderation; with everything it added as GeoJSON and CSV rows.

Everything goes through the one privacy rule: a reader outside the room (anyone with the
link) sees the public face of what was published, and only counts of the rest; the room
and its facilitators see what waits too, each asset as `room_asset` shows it. Someone in
the room who did not agree to be named is UNNAMED everywhere.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import areas
from app.domain.asset_fields import public_asset
from app.domain.innovation_reads import described
from app.domain.links import public_link
from app.domain.session_additions import room_asset
from app.domain.sessions import describe, shown_name
from app.models import (
    AssetLink,
    Category,
    Innovation,
    ScanSession,
    SessionAddition,
    SessionConfirmation,
    SessionLeader,
    SessionParticipant,
)

# The columns of the CSV of what a session added, one row per addition.
CSV_COLUMNS = (
    "addition",
    "type",
    "status",
    "name",
    "kind",
    "category",
    "outcomes",
    "link_type",
    "link_from",
    "link_to",
    "lon",
    "lat",
    "added_by",
    "added_at",
)


def report(session: Session, scan: ScanSession, in_room: bool) -> dict[str, Any]:
    """The report of session `scan`, as a reader in the room (`in_room`: a participant or a
    facilitator) or anyone else reads it."""
    found = additions(session, scan, in_room)
    new_assets = [entry for entry in found if entry["type"] == "asset" and "name" in entry]
    confirmed = _assets_of(session, SessionConfirmation, scan.id, in_room)
    shown_assets = [entry for entry in new_assets if entry["status"] == "published"]
    innovation_ids = [
        entry["id"] for entry in found if entry["type"] == "innovation" and "name" in entry
    ]
    waiting = [entry for entry in found if entry["status"] == "pending"]
    area = json.loads(areas.get_area(session, scan.area_code))["properties"]
    return {
        "session": describe(session, scan, False),
        "area": {"code": scan.area_code, "name": area["name"]},
        "found": {
            "new": new_assets,
            "confirmed": confirmed,
            "by_kind": _count(entry["kind"] for entry in [*shown_assets, *confirmed]),
            "by_outcome": _count(
                outcome for entry in [*shown_assets, *confirmed] for outcome in entry["outcomes"]
            ),
        },
        "innovations": described(session, None, _published(session, innovation_ids)),
        "links": [entry for entry in found if entry["type"] == "link" and "link_type" in entry],
        "leaders": _assets_of(session, SessionLeader, scan.id, in_room),
        "waiting": {
            "count": len(waiting),
            "by_type": _count(entry["type"] for entry in waiting),
            "items": waiting if in_room else [],
        },
        "network": _network(session, scan),
        "not_shown": sum(1 for entry in found if "name" not in entry and "link_type" not in entry),
    }


def _network(session: Session, scan: ScanSession) -> dict[str, Any]:
    """The size of the part of the leaders' network the session formed."""
    from app.analysis.network import leaders_network  # networkx, on first ask

    formed = leaders_network(session, scan.area_code, scan.id)
    return {
        "nodes": _count(node["type"] for node in formed.nodes),
        "edges": len(formed.edges),
        "people_not_shown": formed.people_not_shown,
        "named": sorted(node["label"] for node in formed.nodes if node["type"] == "participant"),
    }


def additions(session: Session, scan: ScanSession, in_room: bool) -> list[dict[str, Any]]:
    """Everything session `scan` added, oldest first, one flat entry each (the CSV's
    columns): what the reader may see of it, else only its type and status."""
    rows = session.execute(
        select(
            SessionAddition,
            SessionParticipant.display_name,
            SessionParticipant.consent_to_network,
        )
        .outerjoin(SessionParticipant, SessionParticipant.id == SessionAddition.participant_id)
        .where(SessionAddition.session_id == scan.id)
        .order_by(SessionAddition.id)
    ).all()
    found = []
    for row in rows:
        added: SessionAddition = row.SessionAddition
        if row.display_name is not None:
            by = shown_name(row.display_name, row.consent_to_network)
        else:
            by = "a facilitator" if added.added_by in scan.facilitators else "a contributor"
        entry = {"addition": added.id, "added_by": by, "added_at": added.added_at.isoformat()}
        if added.asset_id is not None:
            entry |= _asset_entry(session, added.asset_id, in_room)
        elif added.link_id is not None:
            entry |= _link_entry(session, added.link_id, in_room)
        else:
            assert added.innovation_id is not None
            innovation = session.get(Innovation, added.innovation_id)
            assert innovation is not None
            entry |= {"type": "innovation", "status": innovation.review}
            if in_room or innovation.review == "published":
                entry |= {"id": innovation.id, "name": innovation.name}
        found.append(entry)
    return found


def _asset_entry(session: Session, asset_id: int, in_room: bool) -> dict[str, Any]:
    """An added asset: its public face, if it has one; else for the room as `room_asset`
    shows it, and for others only its status."""
    public = session.execute(
        select(
            public_asset.c.id,
            public_asset.c.name,
            public_asset.c.kind,
            Category.slug.label("category"),
            public_asset.c.outcomes,
            public_asset.c.status,
            func.ST_X(public_asset.c.geom).label("lon"),
            func.ST_Y(public_asset.c.geom).label("lat"),
        )
        .outerjoin(Category, Category.id == public_asset.c.category_id)
        .where(public_asset.c.id == asset_id, public_asset.c.status == "published")
    ).first()
    if public is not None:
        return {"type": "asset"} | _rounded(public._asdict())
    seen = room_asset(session, asset_id)
    if not in_room:
        return {"type": "asset", "status": seen["status"]}
    more = session.execute(
        select(Category.slug.label("category"), public_asset.c.outcomes)
        .outerjoin(Category, Category.id == public_asset.c.category_id)
        .where(public_asset.c.id == asset_id)
    ).first()
    return (
        {"type": "asset"}
        | seen
        | {
            "category": more.category if more else None,
            "outcomes": list(more.outcomes or []) if more else [],
        }
    )


def _link_entry(session: Session, link_id: int, in_room: bool) -> dict[str, Any]:
    """An added link: its type and ends, if the reader may see both; else its status."""
    link = session.get(AssetLink, link_id)
    assert link is not None
    entry: dict[str, Any] = {"type": "link", "status": link.status}
    public = session.scalar(select(public_link.c.id).where(public_link.c.id == link_id))
    if in_room or public is not None:
        entry |= {"link_type": link.type, "link_from": link.from_id, "link_to": link.to_id}
    return entry


def _assets_of(
    session: Session,
    table: type[SessionConfirmation] | type[SessionLeader],
    scan_id: int,
    in_room: bool,
) -> list[dict[str, Any]]:
    """The assets a session confirmed, or flagged as leaders, as the reader may see them
    (with a leader's note); those the reader may not see are left out."""
    rows: list[SessionConfirmation | SessionLeader] = list(
        session.scalars(select(table).where(table.session_id == scan_id).order_by(table.asset_id))
    )
    found = []
    for row in rows:
        entry = _asset_entry(session, row.asset_id, in_room)
        if "name" not in entry:
            continue
        if isinstance(row, SessionLeader):
            entry["note"] = row.note
        found.append(entry)
    return found


def _published(session: Session, innovation_ids: list[int]) -> list[int]:
    if not innovation_ids:
        return []
    return list(
        session.scalars(
            select(Innovation.id)
            .where(Innovation.id.in_(innovation_ids), Innovation.review == "published")
            .order_by(Innovation.id)
        )
    )


def _count(values: Any) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))


def _rounded(row: dict[str, Any]) -> dict[str, Any]:
    return row | {
        "lon": round(row["lon"], 7),
        "lat": round(row["lat"], 7),
        "outcomes": list(row["outcomes"] or []),
    }
