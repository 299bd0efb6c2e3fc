"""Innovations as readers see them: as JSON, as GeoJSON (at the public points of the
assets they involve, or else at their areas' points) and as CSV rows. Their assets and
leaders are shown as the reader may see them (the public: through the public face), the
rest only counted."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.auth.accounts import Account
from app.domain import access
from app.domain.asset_fields import public_asset
from app.domain.features import feature_text
from app.domain.innovations import stewards
from app.domain.visibility import ASSET
from app.models import (
    Area,
    Innovation,
    InnovationArea,
    InnovationAsset,
    InnovationParticipant,
    SessionParticipant,
)

_OWN_OUT = (
    "name",
    "description",
    "outcomes",
    "levers",
    "status",
    "started_on",
    "evidence",
    "review",
    "reason",
    "version",
    "created_at",
    "updated_at",
)
# A CSV's columns, one row per innovation.
CSV_COLUMNS = (
    "id",
    "name",
    "status",
    "outcomes",
    "levers",
    "areas",
    "leaders",
    "leaders_not_shown",
    "assets",
    "assets_not_shown",
    "started_on",
    "review",
    "updated_at",
)


def _seen(account: Account | None) -> Any:
    """Whether the reader may see the member asset of the row, and its point as shown."""
    if account is None:
        return and_(public_asset.c.id.isnot(None), public_asset.c.status == "published")
    return access.sees(account, ASSET)


def described(
    session: Session, account: Account | None, innovation_ids: list[int]
) -> list[dict[str, Any]]:
    """The innovations with these ids (in that order) as `account` (None: anonymous) reads
    them, each with its areas, the assets it involves and its leaders that the reader may
    see, how many more there are, and `points`: the public points of those assets (or,
    with none, its areas' points), for a map."""
    if not innovation_ids:
        return []
    rows = {
        row.Innovation.id: row
        for row in session.execute(
            select(Innovation, stewards(account).label("steward")).where(
                Innovation.id.in_(innovation_ids)
            )
        )
    }
    areas: dict[int, list[dict[str, Any]]] = {}
    for row in session.execute(
        select(
            InnovationArea.innovation_id,
            Area.code,
            Area.name,
            func.ST_AsGeoJSON(Area.label_point, 7).label("point"),
        )
        .join(Area, Area.code == InnovationArea.area_code)
        .where(InnovationArea.innovation_id.in_(innovation_ids))
        .order_by(Area.code)
    ):
        areas.setdefault(row.innovation_id, []).append(
            {"code": row.code, "name": row.name, "point": json.loads(row.point)}
        )
    members: dict[int, dict[str, Any]] = {}
    seen = _seen(account).label("seen")
    for row in session.execute(
        select(
            InnovationAsset.innovation_id,
            InnovationAsset.role,
            ASSET.c.id,
            ASSET.c.name,
            ASSET.c.kind,
            seen,
            func.ST_AsGeoJSON(public_asset.c.geom, 7).label("point"),
        )
        .join(ASSET, ASSET.c.id == InnovationAsset.asset_id)
        .outerjoin(public_asset, public_asset.c.id == ASSET.c.id)
        .where(InnovationAsset.innovation_id.in_(innovation_ids))
        .order_by(ASSET.c.id)
    ):
        found = members.setdefault(
            row.innovation_id,
            {"leader": [], "involved": [], "hidden": {}, "points": [], "placed": set()},
        )
        if not row.seen:
            found["hidden"][row.role] = found["hidden"].get(row.role, 0) + 1
            continue
        found[row.role].append({"id": row.id, "name": row.name, "kind": row.kind})
        if row.point is not None and row.id not in found["placed"]:
            found["placed"].add(row.id)  # a leader it also involves is placed once
            found["points"].append(json.loads(row.point)["coordinates"])
    for row in session.execute(
        select(
            InnovationParticipant.innovation_id,
            SessionParticipant.id,
            SessionParticipant.display_name,
            SessionParticipant.consent_to_network,
        )
        .join(SessionParticipant, SessionParticipant.id == InnovationParticipant.participant_id)
        .where(InnovationParticipant.innovation_id.in_(innovation_ids))
        .order_by(SessionParticipant.id)
    ):
        found = members.setdefault(
            row.innovation_id,
            {"leader": [], "involved": [], "hidden": {}, "points": [], "placed": set()},
        )
        if row.consent_to_network:
            found.setdefault("participants", []).append(
                {"id": row.id, "display_name": row.display_name}
            )
        else:
            found["hidden"]["leader"] = found["hidden"].get("leader", 0) + 1
    answers = []
    for innovation_id in innovation_ids:
        row = rows[innovation_id]
        found = members.get(
            innovation_id, {"leader": [], "involved": [], "hidden": {}, "points": []}
        )
        own = {name: getattr(row.Innovation, name) for name in _OWN_OUT}
        where = areas.get(innovation_id, [])
        points = found["points"] or [area["point"]["coordinates"] for area in where]
        answers.append(
            {"id": innovation_id}
            | own
            | {
                "areas": [{"code": a["code"], "name": a["name"]} for a in where],
                "assets": found["involved"],
                "assets_not_shown": found["hidden"].get("involved", 0),
                "leaders": [{"asset": leader} for leader in found["leader"]]
                + [{"participant": who} for who in found.get("participants", [])],
                "leaders_not_shown": found["hidden"].get("leader", 0),
                "created_by": row.Innovation.created_by if row.steward else None,
                "points": points,
            }
        )
    return answers


def as_feature(innovation: dict[str, Any]) -> str:
    """An innovation as a GeoJSON Feature's text, at its points (a MultiPoint)."""
    points = innovation["points"]
    geometry = json.dumps({"type": "MultiPoint", "coordinates": points})
    properties = {key: value for key, value in innovation.items() if key not in ("id", "points")}
    return feature_text(
        innovation["id"], geometry, json.loads(json.dumps(properties, default=_iso))
    )


def _iso(value: Any) -> str:
    """Times and dates as ISO 8601, as JSON writes them elsewhere."""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _leader_name(leader: dict[str, Any]) -> str:
    if "asset" in leader:
        return str(leader["asset"]["name"])
    return str(leader["participant"]["display_name"])


def as_row(innovation: dict[str, Any]) -> dict[str, Any]:
    """An innovation as a CSV row of CSV_COLUMNS: lists joined with `;`."""
    return {
        "id": innovation["id"],
        "name": innovation["name"],
        "status": innovation["status"],
        "outcomes": ";".join(innovation["outcomes"]),
        "levers": ";".join(innovation["levers"]),
        "areas": ";".join(area["code"] for area in innovation["areas"]),
        "leaders": ";".join(_leader_name(leader) for leader in innovation["leaders"]),
        "leaders_not_shown": innovation["leaders_not_shown"],
        "assets": ";".join(asset["name"] for asset in innovation["assets"]),
        "assets_not_shown": innovation["assets_not_shown"],
        "started_on": innovation["started_on"],
        "review": innovation["review"],
        "updated_at": _iso(innovation["updated_at"]),
    }
