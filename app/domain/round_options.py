"""A decision round's options and their evidence, taken from the product's own analyses
when the round is made and kept as it was: a gap (a neighbourhood short of a kind of asset:
its people out of reach, need and IMD decile, from the gap analysis), a candidate site
(the people one more asset there would newly bring within reach, from the siting
analysis), an innovation to spread (as the public reads it), or a free option."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.asset_search import AssetMatch
from app.domain.innovation_reads import described
from app.errors import FieldProblem, Problem, invalid
from app.i18n import said
from app.models import Area, Category, Innovation
from app.settings import AnalysisSettings

OptionKind = Literal["gap", "site", "innovation", "free"]


@dataclass(frozen=True)
class OptionAsked:
    """An option as a round's maker gives it (see app.api.routes.rounds' OptionIn)."""

    kind: OptionKind
    title: str | None = None
    description: str | None = None
    area: str | None = None
    category: str | None = None
    outcome: str | None = None
    distance_m: float | None = None
    lon: float | None = None
    lat: float | None = None
    innovation: int | None = None


@dataclass
class OptionMade:
    """An option ready to store: its title, where it is, and its evidence."""

    kind: OptionKind
    title: str
    description: str | None
    area_code: str | None = None
    innovation_id: int | None = None
    point: tuple[float, float] | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


def make_options(
    session: Session, round_area: str, asked: list[OptionAsked], settings: AnalysisSettings
) -> list[OptionMade]:
    """Each option with its evidence, as the analyses say now; a 422 naming
    `options[i].<field>` for one that cannot be."""
    if len(asked) < 2:
        raise invalid("options", "at least two options, or there is nothing to decide")
    made = []
    for index, option in enumerate(asked):
        try:
            made.append(_make(session, round_area, option, settings))
        except Problem as problem:
            raise _within(problem, f"options[{index}]") from problem
    return made


def _within(problem: Problem, prefix: str) -> Problem:
    """`problem` with its fields named inside `prefix`."""
    fields = [FieldProblem(f"{prefix}.{e.field}", e.message) for e in problem.errors]
    detail = f"{prefix}: {problem.detail}"
    return Problem(problem.status, detail, fields or [FieldProblem(prefix, problem.detail)])


def _make(
    session: Session, round_area: str, option: OptionAsked, settings: AnalysisSettings
) -> OptionMade:
    if option.kind == "free":
        if not option.title:
            raise invalid("title", "a free option needs a title")
        return OptionMade("free", option.title, option.description)
    if option.kind == "innovation":
        return _innovation(session, option)
    what = _what(session, option)
    if option.kind == "gap":
        return _gap(session, round_area, option, what, settings)
    return _site(session, round_area, option, what, settings)


def _what(session: Session, option: OptionAsked) -> dict[str, str]:
    """The category or outcome a gap or site is about, with its name."""
    if (option.category is None) == (option.outcome is None):
        raise invalid("category", "name a category or an outcome (one of them)")
    if option.category is not None:
        name = session.scalar(select(Category.name).where(Category.slug == option.category))
        if name is None:
            raise invalid(
                "category", said("no category is called {category}", category=repr(option.category))
            )
        return {"category": option.category, "name": name}
    from app.domain.categories import outcomes

    names = {o["slug"]: o["name"] for o in outcomes(session)}
    if option.outcome not in names:
        raise invalid(
            "outcome", said("no outcome is called {outcome}", outcome=repr(option.outcome))
        )
    return {"outcome": option.outcome, "name": names[option.outcome]}


def _question(round_area: str, option: OptionAsked, settings: AnalysisSettings) -> Any:
    from app.analysis.question import GapQuestion

    match = AssetMatch(category=option.category, outcome=option.outcome)
    return GapQuestion.asked(settings, within=round_area, match=match, distance_m=option.distance_m)


def _gap(
    session: Session,
    round_area: str,
    option: OptionAsked,
    what: dict[str, str],
    settings: AnalysisSettings,
) -> OptionMade:
    from app.analysis.gaps import analyse_gaps

    if option.area is None:
        raise invalid("area", "a gap is of an area: give its code")
    question = _question(round_area, option, settings)
    report = analyse_gaps(session, question, settings)
    row = next((r for r in report.areas if r["code"] == option.area), None)
    if row is None:
        raise invalid(
            "area",
            said(
                "{area} is not an area analysed inside {round_area}",
                area=option.area,
                round_area=round_area,
            ),
        )
    uncovered = None
    if row["population"] is not None and row["population_covered"] is not None:
        uncovered = round(row["population"] - row["population_covered"], 2)
    evidence = {
        "about": what,
        "area": {"code": row["code"], "name": row["name"]},
        "distance_m": question.distance_m,
        "population": row["population"],
        "people_uncovered": uncovered,
        "need": row["need"],
        "imd_decile": row["imd_decile"],
        "nearest_m": row["nearest_m"],
        "rank": row["rank"],
        "of_areas": len(report.areas),
        "source": "GET /gaps, when the round was made",
    }
    title = option.title or f"{what['name']} within reach of {row['name']}"
    return OptionMade("gap", title, option.description, area_code=row["code"], evidence=evidence)


def _site(
    session: Session,
    round_area: str,
    option: OptionAsked,
    what: dict[str, str],
    settings: AnalysisSettings,
) -> OptionMade:
    from app.analysis.gaps import suggest_sites

    if option.lon is None or option.lat is None:
        raise invalid("lon", "a site is a place: give its lon and lat")
    question = _question(round_area, option, settings)
    found = suggest_sites(
        session, question, 1, [(option.lon, option.lat)], "population", settings, None
    )
    area = session.execute(
        select(Area.code, Area.name)
        .where(
            Area.level == "lsoa",
            func.ST_Covers(
                Area.geom, func.ST_SetSRID(func.ST_MakePoint(option.lon, option.lat), 4326)
            ),
        )
        .limit(1)
    ).first()
    site = found["sites"][0] if found["sites"] else None
    evidence = {
        "about": what,
        "distance_m": question.distance_m,
        "area": {"code": area.code, "name": area.name} if area else None,
        "newly_covered_people": site["newly_covered_people"] if site else 0,
        "newly_covered_areas": site["newly_covered_areas"] if site else [],
        "source": "GET /gaps/suggestions, when the round was made",
    }
    place = area.name if area else f"{option.lat:.4f}, {option.lon:.4f}"
    title = option.title or f"A new {what['name'].lower()} at {place}"
    return OptionMade(
        "site",
        title,
        option.description,
        area_code=area.code if area else None,
        point=(option.lon, option.lat),
        evidence=evidence,
    )


def _innovation(session: Session, option: OptionAsked) -> OptionMade:
    if option.innovation is None:
        raise invalid("innovation", "give the innovation's id")
    published = session.scalar(
        select(Innovation.id).where(
            Innovation.id == option.innovation, Innovation.review == "published"
        )
    )
    if published is None:
        raise invalid(
            "innovation",
            said("no published innovation has the id {innovation}", innovation=option.innovation),
        )
    (read,) = described(session, None, [option.innovation])
    leaders = [
        leader["asset"]["name"] if "asset" in leader else leader["participant"]["display_name"]
        for leader in read["leaders"]
    ]
    evidence = {
        "innovation": {
            "id": read["id"],
            "name": read["name"],
            "status": read["status"],
            "outcomes": read["outcomes"],
            "levers": read["levers"],
            "areas": read["areas"],
            "leaders": leaders,
            "leaders_not_shown": read["leaders_not_shown"],
        },
        "points": read["points"],
        "source": "GET /innovations/{id}, when the round was made",
    }
    title = option.title or f"Spread {read['name']}"
    return OptionMade(
        "innovation",
        title,
        option.description or read["description"],
        innovation_id=read["id"],
        evidence=json.loads(json.dumps(evidence, default=str)),
    )
