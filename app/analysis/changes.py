"""What changed in a locality between two moments (each a snapshot, or a time; the end
left open is now): the assets published, changed (which fields), archived, newly verified
and gone stale, from every asset's revisions; for each standard question, coverage before
and after and the change by IMD decile, and the neighbourhoods that became covered or
uncovered; and the new innovations and leaders. Assets are named as the public sees them;
the rest are counted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import isodate
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.analysis.snapshots import STALE_AFTER, figures_now
from app.domain.asset_fields import public_asset
from app.domain.visibility import ASSET, PUBLIC_STATUSES
from app.errors import invalid, not_found
from app.models import Area, AreaSnapshot, AssetRevision
from app.settings import AnalysisSettings

# Changes to these fields are said as what they are (verified, archived, published), not
# as "changed".
OWN_WORDS = {"status", "verified_at", "verified_by"}


@dataclass(frozen=True)
class End:
    """One end of the comparison: a moment, and the snapshot taken then (if it is one)."""

    at: datetime
    snapshot: AreaSnapshot | None
    field: str

    def describe(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "snapshot": self.snapshot.id if self.snapshot else None}


def end(session: Session, area_code: str, given: str | None, field: str) -> End | None:
    """`given` (a snapshot's id, or an ISO 8601 time) as an end; None for none. A 404 for
    a snapshot of another area or none, a 422 naming `field` for anything else."""
    if given is None:
        return None
    if given.isdigit():
        found = session.get(AreaSnapshot, int(given))
        if found is None or found.area_code != area_code:
            raise not_found(f"snapshot {given} of area {area_code}")
        return End(found.taken_at, found, field)
    try:
        at = isodate.parse_datetime(given) if "T" in given else None
        if at is None:
            at = datetime.combine(isodate.parse_date(given), datetime.min.time())
    except (isodate.ISO8601Error, ValueError) as bad:
        raise invalid(field, "must be a snapshot's id or an ISO 8601 time") from bad
    return End(at if at.tzinfo else at.replace(tzinfo=UTC), None, field)


def changes(
    session: Session,
    area_code: str,
    since: End,
    until: End | None,
    settings: AnalysisSettings,
) -> dict[str, Any]:
    """The changes in the area after `since` and up to `until` (or now)."""
    if session.scalar(select(Area.id).where(Area.code == area_code)) is None:
        raise not_found(f"area {area_code}")
    until_at = until.at if until is not None else datetime.now(UTC)
    if since.at > until_at:
        raise invalid("since", "must be before until")
    before = _figures_at(session, area_code, since)
    after = (
        _figures_at(session, area_code, until)
        if until is not None
        else {"figures": figures_now(session, area_code, settings)[0], "from": "now"}
    )
    return {
        "area": area_code,
        "since": since.describe(),
        "until": until.describe()
        if until is not None
        else {"at": until_at.isoformat(), "snapshot": None},
        "assets": _assets(session, area_code, since.at, until_at),
        "questions": _questions(before, after),
        "innovations": _innovations(before, after),
        "figures_from": {"before": before["from"], "after": after["from"]},
    }


def _figures_at(session: Session, area_code: str, at: End) -> dict[str, Any]:
    """The figures of an end: its snapshot's, or the latest snapshot's at or before it."""
    found = at.snapshot or session.scalar(
        select(AreaSnapshot)
        .where(AreaSnapshot.area_code == area_code, AreaSnapshot.taken_at <= at.at)
        .order_by(AreaSnapshot.taken_at.desc())
        .limit(1)
    )
    if found is None:
        return {"figures": None, "from": None}
    return {"figures": found.figures, "from": f"snapshot {found.id}"}


def _assets(session: Session, area_code: str, since: datetime, until: datetime) -> dict[str, Any]:
    """The assets inside the area whose revisions fall after `since`, up to `until`."""
    inside = select(Area.geom).where(Area.code == area_code).scalar_subquery()
    rows = session.execute(
        select(
            AssetRevision.asset_id,
            AssetRevision.action,
            AssetRevision.before,
            AssetRevision.after,
            public_asset.c.name,
            public_asset.c.status,
        )
        .join(ASSET, ASSET.c.id == AssetRevision.asset_id)
        .outerjoin(public_asset, public_asset.c.id == AssetRevision.asset_id)
        .where(
            AssetRevision.changed_at > since,
            AssetRevision.changed_at <= until,
            func.ST_Covers(inside, ASSET.c.public_geom),
        )
        .order_by(AssetRevision.asset_id, AssetRevision.version)
    ).all()
    found: dict[str, dict[int, dict[str, Any]]] = {
        "published": {},
        "changed": {},
        "archived": {},
        "verified": {},
    }
    hidden: set[int] = set()
    created = _created_as(session, [row.asset_id for row in rows if row.action == "create"])
    for row in rows:
        if row.name is None:  # a person without consent: counted, not named
            hidden.add(row.asset_id)
            continue
        if row.status not in PUBLIC_STATUSES:  # waiting, or turned down: not on the map
            continue
        after, before = row.after or {}, row.before or {}
        if row.action == "create":  # a creation's revision keeps no copy: its status then
            after = {"status": created.get(row.asset_id, row.status)}
        entry = {"id": row.asset_id, "name": row.name}
        if after.get("status") == "published" and before.get("status") != "published":
            found["published"][row.asset_id] = entry
        if after.get("status") == "archived":
            found["archived"][row.asset_id] = entry
        if after.get("verified_at") is not None:
            found["verified"][row.asset_id] = entry
        fields = sorted(set(after) - OWN_WORDS)
        if fields and row.action != "create" and row.asset_id not in found["published"]:
            changed = found["changed"].setdefault(row.asset_id, entry | {"fields": []})
            changed["fields"] = sorted(set(changed["fields"]) | set(fields))
    stale = _gone_stale(session, inside, since, until)
    return {name: list(entries.values()) for name, entries in found.items()} | {
        "gone_stale": stale,
        "not_shown": len(hidden),
    }


def _created_as(session: Session, asset_ids: list[int]) -> dict[int, str]:
    """The status each asset was created with, where a later revision changed it (the
    others still have it)."""
    if not asset_ids:
        return {}
    rows = session.execute(
        select(AssetRevision.asset_id, AssetRevision.before["status"].astext)
        .where(AssetRevision.asset_id.in_(asset_ids), AssetRevision.before.has_key("status"))
        .order_by(AssetRevision.asset_id, AssetRevision.version)
        .distinct(AssetRevision.asset_id)
    ).all()
    return {asset_id: status for asset_id, status in rows}


def _gone_stale(
    session: Session, inside: Any, since: datetime, until: datetime
) -> list[dict[str, Any]]:
    """Published assets whose last confirmation turned 12 months old in the window."""
    confirmed = func.coalesce(public_asset.c.verified_at, public_asset.c.created_at)
    age = isodate.parse_duration(STALE_AFTER)
    rows = session.execute(
        select(public_asset.c.id, public_asset.c.name)
        .where(
            public_asset.c.status == "published",
            func.ST_Covers(inside, public_asset.c.geom),
            confirmed > since - age,
            confirmed <= until - age,
        )
        .order_by(public_asset.c.id)
    ).all()
    return [{"id": row.id, "name": row.name} for row in rows]


def _questions(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """Each standard question of the later end: coverage before and after (where the
    earlier end has it), the change by IMD decile, and the neighbourhoods that changed."""
    if after["figures"] is None:
        return []
    earlier = {_key(q): q for q in (before["figures"] or {}).get("questions", []) if "summary" in q}
    found = []
    for question in after["figures"]["questions"]:
        if "summary" not in question:
            continue
        then = earlier.get(_key(question))
        now_summary = question["summary"]
        entry: dict[str, Any] = {
            "label": question["label"],
            "category": question["category"],
            "outcome": question["outcome"],
            "distance_m": question["distance_m"],
            "after": _coverage(now_summary),
            "before": None if then is None else _coverage(then["summary"]),
        }
        if then is not None:
            was, now = then["summary"], now_summary
            entry["change"] = {
                "share_covered": _minus(now["share_covered"], was["share_covered"]),
                "population_uncovered": now["population_uncovered"] - was["population_uncovered"],
                "uncovered_by_imd_decile": {
                    decile: now["uncovered_by_imd_decile"][decile]
                    - was["uncovered_by_imd_decile"].get(decile, 0)
                    for decile in now["uncovered_by_imd_decile"]
                },
            }
            entry["became_covered"] = sorted(set(question["covered"]) - set(then["covered"]))
            entry["became_uncovered"] = sorted(set(question["uncovered"]) - set(then["uncovered"]))
        found.append(entry)
    return found


def _key(question: dict[str, Any]) -> tuple[Any, ...]:
    return (question["category"], question["outcome"], question["distance_m"])


def _coverage(summary: dict[str, Any]) -> dict[str, Any]:
    return {
        key: summary[key]
        for key in (
            "share_covered",
            "population_covered",
            "population_uncovered",
            "uncovered_by_imd_decile",
            "areas_covered",
            "assets",
        )
    }


def _minus(now: float | None, was: float | None) -> float | None:
    return None if now is None or was is None else round(now - was, 6)


def _innovations(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    if after["figures"] is None:
        return {"new": [], "new_leaders": []}
    was = before["figures"] or {"innovations": [], "network": {"leaders": []}}
    known = {i["id"] for i in was["innovations"]}
    leaders = {leader["id"] for leader in was["network"]["leaders"]}
    return {
        "new": [i for i in after["figures"]["innovations"] if i["id"] not in known],
        "new_leaders": [
            leader
            for leader in after["figures"]["network"]["leaders"]
            if leader["id"] not in leaders
        ],
    }
