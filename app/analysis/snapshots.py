"""Snapshots: a locality frozen at one consistent moment (run in one REPEATABLE READ
transaction), so a partnership can say what it had and where the gaps were, meeting after
meeting: the published assets inside it by kind, category and outcome (each with its
version), the answer to every standard question (coverage, people out of reach by IMD
decile, the neighbourhoods most in need), the innovations, the size of the leaders'
network, the decisions taken and the latest self-assessment, with the data's sources and
the method. The database never changes a snapshot."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Any

import isodate
from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.domain import innovations, localities
from app.domain.asset_fields import public_asset
from app.domain.asset_search import AssetMatch
from app.errors import Problem, not_found
from app.models import (
    Area,
    AreaSnapshot,
    Assessment,
    Category,
    DecisionRound,
    SnapshotAsset,
)
from app.settings import AnalysisSettings

# An asset not confirmed (verified, or else added) for this long is stale, as the review
# queue counts it.
STALE_AFTER = "P12M"
# How many of the neighbourhoods most in need each question keeps.
MOST_IN_NEED = 5
ATTRIBUTION = (
    "Contains National Statistics data © Crown copyright and database right 2025. Contains "
    "OS data © Crown copyright and database right 2025. Contains Royal Mail data © Royal Mail "
    "copyright and database right 2025. Contains GeoPlace data © Local Government "
    "Information House Limited copyright and database right 2025. IMD 2019: MHCLG English "
    "Indices of Deprivation 2019. Open Government Licence v3.0."
)


def take(
    session: Session, area_code: str, taken_by: str | None, settings: AnalysisSettings
) -> AreaSnapshot:
    """Freeze the area now. Run it in a REPEATABLE READ transaction: every figure is of
    the same moment. A 404 for an unknown area."""
    figures, assets = figures_now(session, area_code, settings, seed=True)
    made = AreaSnapshot(
        area_code=area_code,
        taken_at=datetime.fromisoformat(figures["taken_at"]),
        taken_by=taken_by,
        figures=figures,
    )
    session.add(made)
    session.flush()
    if assets:
        session.execute(insert(SnapshotAsset), [a | {"snapshot_id": made.id} for a in assets])
    return made


def figures_now(
    session: Session, area_code: str, settings: AnalysisSettings, seed: bool = False
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """What a snapshot of the area would hold now: its figures, and its assets' rows. The
    standard questions are stored first if `seed` (else the defaults are only read)."""
    area = session.scalar(select(Area).where(Area.code == area_code))
    if area is None:
        raise not_found(f"area {area_code}")
    # the moment of the first read: in REPEATABLE READ, every read sees the database then
    taken_at: datetime = session.execute(text("SELECT clock_timestamp()")).scalar_one()
    notes: list[str] = []
    assets = _assets(session, area_code, taken_at)
    if not assets:
        notes.append("no published assets lie inside the area")
    asked = (
        localities.seed(session, area_code) if seed else localities.questions(session, area_code)[0]
    )
    answers = [_answer(session, area_code, q, settings) for q in asked]
    # the neighbourhoods analysed (their population and need then), from the first answer
    neighbourhoods: list[dict[str, Any]] = next((a["areas"] for a in answers if a.get("areas")), [])
    for answer in answers:
        answer.pop("areas", None)
    people = sum(n["population"] or 0 for n in neighbourhoods)
    if not people:
        notes.append(
            "the neighbourhoods inside have no population figures: coverage counts no people"
        )
    figures = {
        "area": {
            "code": area.code,
            "name": area.name,
            "level": area.level,
            # its own figure, or else its neighbourhoods' together
            "population": area.population or people or None,
        },
        "taken_at": taken_at.isoformat(),
        "assets": _counts(assets),
        "questions": answers,
        "neighbourhoods": neighbourhoods,
        "innovations": _innovations(session, area_code),
        "network": _network(session, area_code),
        "decisions": _decisions(session, area_code),
        "assessment": _assessment(session, area_code),
        "sources": _sources(session, area_code),
        "notes": notes,
    }
    return json.loads(json.dumps(figures, default=_iso)), assets


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _assets(session: Session, area_code: str, taken_at: datetime) -> list[dict[str, Any]]:
    """The published assets inside the area, as the public sees them, with their versions."""
    inside = select(Area.geom).where(Area.code == area_code).scalar_subquery()
    confirmed = func.coalesce(public_asset.c.verified_at, public_asset.c.created_at)
    rows = session.execute(
        select(
            public_asset.c.id,
            public_asset.c.version,
            public_asset.c.name,
            public_asset.c.kind,
            Category.slug.label("category"),
            public_asset.c.outcomes,
            public_asset.c.verified_at,
            (confirmed < taken_at - isodate.parse_duration(STALE_AFTER)).label("stale"),
            func.ST_X(public_asset.c.geom).label("lon"),
            func.ST_Y(public_asset.c.geom).label("lat"),
        )
        .outerjoin(Category, Category.id == public_asset.c.category_id)
        .where(public_asset.c.status == "published", func.ST_Covers(inside, public_asset.c.geom))
        .order_by(public_asset.c.id)
    ).all()
    return [
        {
            "asset_id": row.id,
            "version": row.version,
            "name": row.name,
            "kind": row.kind,
            "category": row.category,
            "outcomes": list(row.outcomes or []),
            "verified_at": row.verified_at,
            "stale": bool(row.stale),
            "lon": round(row.lon, 7),
            "lat": round(row.lat, 7),
        }
        for row in rows
    ]


def _counts(assets: list[dict[str, Any]]) -> dict[str, Any]:
    def counted(values: Any) -> dict[str, int]:
        return dict(sorted(Counter(values).items()))

    return {
        "total": len(assets),
        "by_kind": counted(a["kind"] for a in assets),
        "by_category": counted(a["category"] or "uncategorised" for a in assets),
        "by_outcome": counted(o for a in assets for o in a["outcomes"]),
        "stale": sum(1 for a in assets if a["stale"]),
        "verified": sum(1 for a in assets if a["verified_at"] is not None),
    }


def _answer(
    session: Session, area_code: str, question: localities.Question, settings: AnalysisSettings
) -> dict[str, Any]:
    """One standard question's answer: coverage, people out of reach by IMD decile, the
    neighbourhoods most in need, and which are covered."""
    from app.analysis.gaps import analyse_gaps
    from app.analysis.question import GapQuestion

    asked = GapQuestion.asked(
        settings,
        within=area_code,
        match=AssetMatch(category=question.category, outcome=question.outcome),
        distance_m=question.distance_m,
    )
    answer: dict[str, Any] = question.as_json()
    try:
        report = analyse_gaps(session, asked, settings)
    except Problem as problem:
        return answer | {"error": problem.detail}
    in_need = [row for row in report.areas if not row["covered"]][:MOST_IN_NEED]
    return answer | {
        "summary": report.summary,
        "most_in_need": [
            {
                key: row[key]
                for key in (
                    "code",
                    "name",
                    "population",
                    "population_covered",
                    "imd_decile",
                    "need",
                    "priority",
                    "nearest_m",
                    "rank",
                )
            }
            for row in in_need
        ],
        "covered": sorted(row["code"] for row in report.areas if row["covered"]),
        "areas": [
            {key: row[key] for key in ("code", "name", "population", "imd_decile")}
            for row in sorted(report.areas, key=lambda row: row["code"])
        ],
        "uncovered": sorted(row["code"] for row in report.areas if not row["covered"]),
        "method": report.method,
    }


def _innovations(session: Session, area_code: str) -> list[dict[str, Any]]:
    from app.domain.innovation_reads import described

    found = described(
        session,
        None,
        innovations.ids(session, None, innovations.InnovationFilter(within=area_code)),
    )
    return [
        {
            "id": i["id"],
            "name": i["name"],
            "status": i["status"],
            "leaders": [
                leader["asset"]["name"]
                if "asset" in leader
                else leader["participant"]["display_name"]
                for leader in i["leaders"]
            ],
            "leaders_not_shown": i["leaders_not_shown"],
        }
        for i in found
    ]


def _network(session: Session, area_code: str) -> dict[str, Any]:
    from app.analysis.network import leaders_network

    found = leaders_network(session, area_code)
    leaders = sorted({edge["source"] for edge in found.edges if edge["type"] == "got_going"})
    label = {node["id"]: node["label"] for node in found.nodes}
    return {
        "nodes": len(found.nodes),
        "edges": len(found.edges),
        "people_not_shown": found.people_not_shown,
        "leaders": [{"id": key, "name": label[key]} for key in leaders],
    }


def _decisions(session: Session, area_code: str) -> list[dict[str, Any]]:
    """The closed decision rounds of the area, with what each chose."""
    from app.domain import round_results, rounds

    found = []
    for decided in session.scalars(
        select(DecisionRound).where(DecisionRound.area_code == area_code).order_by(DecisionRound.id)
    ):
        if rounds.state(decided) != "closed":
            continue
        results = round_results.results(session, decided)
        combined = results["combined"]
        first = combined[0] if results["winner"]["equal_weight"] else None
        tied = first is not None and len(combined) > 1 and combined[1]["share"] == first["share"]
        found.append(
            {
                "round": decided.id,
                "question": decided.question,
                "closed_at": (decided.closed_at or decided.closes_at).isoformat(),
                "chosen": None if first is None else first["title"],
                # how: "equal weight", "a tie broken by the stated rule", or "no ballots"
                "how": "no ballots"
                if first is None
                else ("a tie broken by the stated rule" if tied else "equal weight"),
                "head_count_differs": results["winner"]["differ"],
                "ballots": sum(t["ballots"] for t in results["turnout"]),
                "record": f"/rounds/{decided.id}/record",
            }
        )
    return found


def _assessment(session: Session, area_code: str) -> dict[str, Any] | None:
    from app.domain import assessments

    latest = session.scalar(
        select(Assessment)
        .where(Assessment.area_code == area_code)
        .order_by(Assessment.created_at.desc(), Assessment.id.desc())
        .limit(1)
    )
    if latest is None:
        return None
    read = assessments.results(session, latest)
    return {
        "assessment": latest.id,
        "title": latest.title,
        "created_at": latest.created_at,
        "closed_at": latest.closed_at,
        "responses": sum(c["responses"] for c in read["constituencies"]),
        "combined": read["combined"],
        "next_area": read["next_area"],
        "characteristics": read["characteristics"],
    }


def _sources(session: Session, area_code: str) -> dict[str, Any]:
    """Where the figures come from: the indicators of the areas inside it (their sources
    and years) and the assets' sources, with the data's attribution."""
    inside = select(Area.geom).where(Area.code == area_code).scalar_subquery()
    indicators = session.execute(
        text(
            "SELECT DISTINCT i.key, i.value->>'source', i.value->>'year' "
            "FROM area a, jsonb_each(a.indicators) AS i "
            "WHERE ST_Covers((SELECT geom FROM area WHERE code = :code), "
            "ST_PointOnSurface(a.geom)) "
            "ORDER BY 1, 2, 3"
        ),
        {"code": area_code},
    ).all()
    asset_sources = session.execute(
        select(public_asset.c.source, func.count())
        .where(public_asset.c.status == "published", func.ST_Covers(inside, public_asset.c.geom))
        .group_by(public_asset.c.source)
        .order_by(public_asset.c.source)
    ).all()
    return {
        "indicators": [{"key": k, "source": s, "year": y} for k, s, y in indicators],
        "assets": {(source or "unrecorded"): int(n) for source, n in asset_sources},
        "attribution": ATTRIBUTION,
    }
