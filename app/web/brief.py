"""The commissioning brief: one snapshot of a locality as a page to print and cite
(templates/brief.html, Jinja2, every value escaped; maps and charts from brief_svg).

Every figure comes from the snapshot's stored figures, or from the change between it and
the area's previous snapshot (app.analysis.changes, which reads both snapshots' figures and
the assets' revisions between them); nothing is worked out again. What is read live is only
what draws and names: the neighbourhoods' boundaries and IMD deciles for the maps, the
snapshot's asset points, and the names of categories and outcomes.

The page holds no script and fetches nothing (styles inline, drawings inline), so Chromium
prints it to PDF with no network (`assetmap brief CODE --output brief.pdf`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from app.analysis import changes
from app.domain.categories import subtree_ids
from app.errors import Problem, not_found
from app.models import Area, AreaSnapshot, Category, Outcome
from app.settings import PROJECT_ROOT, AnalysisSettings
from app.taxonomy import KINDS
from app.web import brief_svg
from app.web.brief_svg import CoverageChange, Dot, Extent, Shape, people, share, signed

TEMPLATES = PROJECT_ROOT / "app" / "web" / "templates"
# Dates as a partnership in England reads them (GMT or BST).
LOCAL_TIME = ZoneInfo("Europe/London")
# The three gaps: ranked by the people out of reach in these IMD deciles (the most
# deprived fifth of neighbourhoods in England).
MOST_DEPRIVED = ("1", "2")
GAPS = 3
# How many names a list of changed assets shows before "and N more".
NAMES_SHOWN = 6
# How the kinds read in a sentence.
KIND_WORDS = {
    "individual": ("person's gift or skill", "people's gifts and skills"),
    "association": ("association", "associations"),
    "institution": ("institution", "institutions"),
    "physical": ("physical asset", "physical assets"),
    "economic": ("economic asset", "economic assets"),
    "cultural": ("cultural asset", "cultural assets"),
}


@cache
def _environment() -> Environment:
    made = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    made.filters.update(
        people=people,
        share=share,
        signed=signed,
        points=_points,
        day=_day,
        moment=_moment,
        css_string=_css_string,
        plural=_plural,
        metres=_metres,
        score=_score,
    )
    return made


def brief_html(session: Session, area_code: str, snapshot_id: int | None) -> str:
    """The brief of snapshot `snapshot_id` of area `area_code` (its latest if None), with
    the change since the area's previous snapshot. A 404 for an unknown area, for an area
    with no snapshot, and for a snapshot of another area."""
    if session.scalar(select(Area.id).where(Area.code == area_code)) is None:
        raise not_found(f"area {area_code}")
    this = _chosen(session, area_code, snapshot_id)
    earlier = _earlier(session, this)
    change = (
        None
        if earlier is None
        else changes.changes(
            session,
            area_code,
            changes.End(earlier.taken_at, earlier, "since"),
            changes.End(this.taken_at, this, "until"),
            AnalysisSettings(),
        )
    )
    figures = this.figures
    questions = [q for q in figures["questions"] if "summary" in q]
    headline = questions[0] if questions else None
    names = _names(session, figures)
    template = _environment().get_template("brief.html")
    return template.render(
        snapshot=this,
        figures=figures,
        area=figures["area"],
        cite=_cite(this),
        headline=headline,
        has=_what_it_has(figures, headline, names),
        gaps=hardest_gaps(figures["questions"]),
        gaps_rule=GAPS_RULE,
        unmeasured=[q for q in questions if q["summary"]["assets"] == 0],
        failed=[q for q in figures["questions"] if "summary" not in q],
        earlier=earlier,
        change=None if change is None else _change(change),
        drawings=_drawings(session, this, headline, questions, change, names),
        in_need=[q for q in questions if q["summary"]["assets"] > 0],
        assessment=_assessment(figures.get("assessment")),
        methods=_methods(figures["questions"]),
        snapshots=_all_snapshots(session, area_code),
        names=names,
    )


def _chosen(session: Session, area_code: str, snapshot_id: int | None) -> AreaSnapshot:
    if snapshot_id is None:
        found = session.scalar(
            select(AreaSnapshot)
            .where(AreaSnapshot.area_code == area_code)
            .order_by(AreaSnapshot.taken_at.desc(), AreaSnapshot.id.desc())
            .limit(1)
        )
        if found is None:
            raise Problem(
                404,
                f"area {area_code} has no snapshot yet: take one with POST "
                f"/areas/{area_code}/snapshots or `assetmap snapshots take {area_code}`",
            )
        return found
    chosen = session.get(AreaSnapshot, snapshot_id)
    if chosen is None or chosen.area_code != area_code:
        raise not_found(f"snapshot {snapshot_id} of area {area_code}")
    return chosen


def _earlier(session: Session, this: AreaSnapshot) -> AreaSnapshot | None:
    """The area's snapshot just before `this` (by time taken, then id)."""
    return session.scalar(
        select(AreaSnapshot)
        .where(
            AreaSnapshot.area_code == this.area_code,
            or_(
                AreaSnapshot.taken_at < this.taken_at,
                (AreaSnapshot.taken_at == this.taken_at) & (AreaSnapshot.id < this.id),
            ),
        )
        .order_by(AreaSnapshot.taken_at.desc(), AreaSnapshot.id.desc())
        .limit(1)
    )


def _all_snapshots(session: Session, area_code: str) -> list[dict[str, Any]]:
    rows = session.execute(
        select(
            AreaSnapshot.id,
            AreaSnapshot.taken_at,
            AreaSnapshot.figures["assets"]["total"].as_integer(),
        )
        .where(AreaSnapshot.area_code == area_code)
        .order_by(AreaSnapshot.taken_at.desc(), AreaSnapshot.id.desc())
        .limit(500)
    ).all()
    return [
        {
            "id": row[0],
            "taken_at": row[1],
            "assets": row[2],
            "brief": f"/areas/{area_code}/brief?snapshot={row[0]}",
        }
        for row in rows
    ]


def _cite(snapshot: AreaSnapshot) -> str:
    name = snapshot.figures["area"]["name"]
    return f"Snapshot {snapshot.id} of {name}, taken {_day(snapshot.taken_at)}"


# --- words and numbers ---------------------------------------------------------------------


def _local(moment: datetime | str) -> datetime:
    at = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return at.astimezone(LOCAL_TIME)


def _day(moment: datetime | str) -> str:
    """e.g. 1 December 2026."""
    at = _local(moment)
    return f"{at.day} {at:%B %Y}"


def _moment(moment: datetime | str) -> str:
    """e.g. 1 December 2026 at 11:53 GMT."""
    at = _local(moment)
    return f"{_day(at)} at {at:%H:%M %Z}"


def _points(change: float | None) -> str:
    """A change of share (0 to 1) in percentage points, signed, e.g. +0.8 points."""
    if change is None:
        return "no change measured"
    if change == 0:
        return "no change"
    return signed(f"{change * 100:.1f}") + " points"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _metres(value: float | None) -> str:
    return "none on the map" if value is None else f"{round(value):,} m"


def _score(value: float | None) -> str:
    return "no responses" if value is None else f"{value:.2f} of 5"


def _css_string(words: str) -> Markup:
    """`words` as a CSS string literal, safe inside a <style> element."""
    escaped = "".join(
        ch if ch.isalnum() or ch in " ,.:;()-" else f"\\{ord(ch):06x}" for ch in words
    )
    return Markup(f'"{escaped}"')  # noqa: S704 (only letters, digits and CSS escapes)


def _names(session: Session, figures: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The names of the categories and outcomes the figures count (slugs where unknown)."""
    categories = set(figures["assets"]["by_category"]) | {
        q["category"] for q in figures["questions"] if q.get("category")
    }
    outcomes = set(figures["assets"]["by_outcome"]) | {
        q["outcome"] for q in figures["questions"] if q.get("outcome")
    }
    found_categories = {
        slug: name
        for slug, name in session.execute(
            select(Category.slug, Category.name).where(Category.slug.in_(categories))
        )
    }
    found_outcomes = {
        slug: name
        for slug, name in session.execute(
            select(Outcome.slug, Outcome.name).where(Outcome.slug.in_(outcomes))
        )
    }
    return {
        "category": {s: found_categories.get(s, s.replace("-", " ")) for s in categories},
        "outcome": {s: found_outcomes.get(s, s.replace("-", " ")) for s in outcomes},
    }


# --- what the brief says -------------------------------------------------------------------


def _what_it_has(
    figures: dict[str, Any], headline: dict[str, Any] | None, names: dict[str, dict[str, str]]
) -> dict[str, Any]:
    counts = figures["assets"]
    summary = headline["summary"] if headline else None
    by_category = sorted(counts["by_category"].items(), key=lambda item: (-item[1], item[0]))
    return {
        "total": counts["total"],
        "kinds": [
            {
                "kind": kind,
                "count": counts["by_kind"].get(kind, 0),
                "words": KIND_WORDS[kind][0 if counts["by_kind"].get(kind, 0) == 1 else 1],
            }
            for kind in KINDS
        ],
        "categories": [
            {"name": names["category"].get(slug, slug), "count": n} for slug, n in by_category
        ],
        "outcomes": sorted(
            (
                {"name": names["outcome"].get(s, s), "count": n}
                for s, n in counts["by_outcome"].items()
            ),
            key=lambda row: (-row["count"], row["name"]),
        ),
        "verified": counts["verified"],
        "stale": counts["stale"],
        "population": None if summary is None else summary["population_total"],
        "neighbourhoods": None if summary is None else summary["areas"],
        "level": None if headline is None else headline["method"]["areas"]["level"],
    }


GAPS_RULE = (
    "The three gaps are the standard questions, of those some asset on the map answers, "
    "that leave the most people out of reach in the most deprived fifth of "
    "neighbourhoods (IMD 2019 deciles 1 and 2); equal ones go to the question leaving more "
    "people out of reach in all, then to the question listed first."
)


def deprived_out_of_reach(question: dict[str, Any]) -> float:
    """The people a question leaves out of reach in IMD deciles 1 and 2 (the snapshot's
    figures for the two deciles, added)."""
    by_decile = question["summary"]["uncovered_by_imd_decile"]
    return float(sum(by_decile.get(decile, 0) for decile in MOST_DEPRIVED))


def hardest_gaps(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The three gaps that hurt most, by GAPS_RULE; each question's answer with
    `deprived_out_of_reach` and its first neighbourhood in need."""
    answered = [
        (index, q)
        for index, q in enumerate(questions)
        if "summary" in q
        and q["summary"]["assets"] > 0
        and q["summary"]["population_uncovered"] > 0
    ]
    ranked = sorted(
        answered,
        key=lambda item: (
            -deprived_out_of_reach(item[1]),
            -item[1]["summary"]["population_uncovered"],
            item[0],
        ),
    )
    return [
        q
        | {
            "deprived_out_of_reach": deprived_out_of_reach(q),
            "worst": q["most_in_need"][0] if q["most_in_need"] else None,
        }
        for _, q in ranked[:GAPS]
    ]


def _change(change: dict[str, Any]) -> dict[str, Any]:
    """The change's figures, as the brief says them: the asset edits with names and the
    questions whose coverage moved."""
    assets = change["assets"]
    questions = change["questions"]
    moved = [
        q
        for q in questions
        if q.get("change")
        and (
            q["change"]["share_covered"] not in (0, None)
            or q["change"]["population_uncovered"] != 0
        )
    ]
    return {
        "assets": assets,
        "edits": [
            (word, assets[key])
            for key, word in (
                ("published", "published"),
                ("changed", "changed"),
                ("archived", "archived"),
                ("verified", "verified as still there"),
                ("gone_stale", "gone unconfirmed for a year"),
            )
        ],
        "questions": questions,
        "moved": moved,
        "new_questions": [q for q in questions if q["before"] is None],
        "innovations": change["innovations"],
        "names_shown": NAMES_SHOWN,
    }


def _assessment(found: dict[str, Any] | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return found | {
        "rows": [
            {"name": c["name"], "score": found["combined"].get(c["slug"])}
            for c in found["characteristics"]
        ]
    }


METHOD_SHARED = ("distance", "demand_method", "need", "priority", "projected_crs")


def _methods(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The questions' methods, each distinct one once with the questions that share it."""
    found: list[dict[str, Any]] = []
    for question in questions:
        method = question.get("method")
        if not method:
            continue
        shared = {key: method.get(key) for key in METHOD_SHARED}
        for entry in found:
            if entry["method"] == shared:
                entry["questions"].append(question["label"])
                break
        else:
            found.append(
                {
                    "method": shared,
                    "two_step_fca": method.get("two_step_fca"),
                    "counted": method.get("assets", {}).get("counted"),
                    "questions": [question["label"]],
                }
            )
    return found


def _key(question: dict[str, Any]) -> tuple[Any, ...]:
    """What a question asks (as the changes match them): its category, outcome, distance."""
    return (question["category"], question["outcome"], question["distance_m"])


# --- the drawings --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Neighbourhoods:
    outline: str
    shapes: list[Shape]
    extent: Extent


def _neighbourhoods(session: Session, area_code: str, codes: list[str]) -> _Neighbourhoods:
    """The area's outline and its neighbourhoods (LSOAs inside it, and any the question
    analysed), simplified and projected to British National Grid for drawing."""
    bounds = session.execute(
        text(
            "SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) "
            "FROM (SELECT ST_Transform(geom, 27700)::box2d AS b FROM area WHERE code = :code) AS t"
        ),
        {"code": area_code},
    ).one()
    extent = Extent(*(float(v) for v in bounds))
    # about a fifth of a printed pixel: invisible, and the page stays small
    tolerance = max(extent.xmax - extent.xmin, extent.ymax - extent.ymin) / 3000
    outline = session.execute(
        text(
            "SELECT ST_AsSVG(ST_SimplifyPreserveTopology(ST_Transform(geom, 27700), :tol), 0, 0) "
            "FROM area WHERE code = :code"
        ),
        {"code": area_code, "tol": tolerance},
    ).scalar_one()
    rows = session.execute(
        text(
            "SELECT l.code, l.name, "
            "CASE WHEN jsonb_typeof(l.indicators #> '{imd_decile,value}') = 'number' "
            "THEN round((l.indicators #>> '{imd_decile,value}')::float8)::integer END, "
            "ST_AsSVG(ST_SimplifyPreserveTopology(ST_Transform(l.geom, 27700), :tol), 0, 0) "
            "FROM area AS l, (SELECT geom FROM area WHERE code = :code) AS a "
            "WHERE l.level = 'lsoa' "
            "AND (l.code = ANY(:codes) OR ST_Covers(a.geom, ST_PointOnSurface(l.geom))) "
            "ORDER BY l.code"
        ),
        {"code": area_code, "codes": codes, "tol": tolerance},
    ).all()
    return _Neighbourhoods(
        outline or "",
        [Shape(code, name, decile, path or "") for code, name, decile, path in rows],
        extent,
    )


def _dots(session: Session, snapshot_id: int, question: dict[str, Any] | None) -> list[Dot]:
    """The snapshot's assets in British National Grid, marked if they answer `question`
    (its category or one below it, or its outcome)."""
    answering: set[str] = set()
    if question is not None and question.get("category"):
        top = select(Category.id).where(Category.slug == question["category"]).scalar_subquery()
        below = select(Category.slug).where(Category.id.in_(subtree_ids(top)))
        answering = set(session.scalars(below))
    outcome = None if question is None else question.get("outcome")
    rows = session.execute(
        text(
            "SELECT ST_X(p), ST_Y(p), category, outcomes FROM ("
            "SELECT ST_Transform(ST_SetSRID(ST_MakePoint(lon, lat), 4326), 27700) AS p, "
            "category, outcomes FROM snapshot_asset WHERE snapshot_id = :id) AS t"
        ),
        {"id": snapshot_id},
    ).all()
    return [
        Dot(x, y, (category in answering) or (outcome is not None and outcome in (outcomes or [])))
        for x, y, category, outcomes in rows
    ]


@dataclass(frozen=True)
class Figure:
    """A drawing, with the title printed above it (and inside it, as its text alternative)."""

    title: str
    svg: Markup


def _drawings(
    session: Session,
    this: AreaSnapshot,
    headline: dict[str, Any] | None,
    questions: list[dict[str, Any]],
    change: dict[str, Any] | None,
    names: dict[str, dict[str, str]],
) -> dict[str, Any]:
    """The maps (of the headline question: the first standard question answered), the
    charts of people out of reach by IMD decile (the headline and the three gaps), and the
    charts of the change since the previous snapshot."""
    codes = [] if headline is None else headline["covered"] + headline["uncovered"]
    places = _neighbourhoods(session, this.area_code, codes)
    # need as the snapshot recorded it (boundaries are drawn as they are now)
    then = {n["code"]: n["imd_decile"] for n in this.figures.get("neighbourhoods", [])}
    if then:
        places.shapes[:] = [
            replace(shape, imd_decile=then.get(shape.code)) for shape in places.shapes
        ]
    uncovered = set() if headline is None else set(headline["uncovered"])
    drawn: dict[str, Any] = {"neighbourhoods": len(places.shapes)}
    if headline is not None:
        matching = (
            names["category"].get(headline["category"], headline["category"])
            if headline.get("category")
            else f"assets for {names['outcome'].get(headline['outcome'], headline['outcome'])}"
        )
        title = f"Who is within reach: {headline['label']}"
        drawn["coverage"] = Figure(
            title,
            brief_svg.coverage_map(
                "map-coverage",
                title,
                places.outline,
                places.shapes,
                _dots(session, this.id, headline),
                uncovered,
                set(codes),
                places.extent,
                matching,
            ),
        )
    title = "Need: the neighbourhoods by IMD 2019 decile"
    drawn["deprivation"] = Figure(
        title,
        brief_svg.deprivation_map(
            "map-deprivation", title, places.outline, places.shapes, uncovered, places.extent
        ),
    )
    charted = ([headline] if headline else []) + hardest_gaps(questions)
    seen: set[tuple[Any, ...]] = set()
    drawn["deciles"] = []
    for index, question in enumerate(charted):
        if _key(question) in seen:
            continue
        seen.add(_key(question))
        title = f"People out of reach by IMD decile: {question['label']}"
        drawn["deciles"].append(
            Figure(
                title,
                brief_svg.decile_bars(
                    f"chart-deciles-{index}", title, question["summary"]["uncovered_by_imd_decile"]
                ),
            )
        )
    if change is not None:
        drawn |= _change_drawings(change, headline)
    return drawn


def _change_drawings(change: dict[str, Any], headline: dict[str, Any] | None) -> dict[str, Any]:
    """Coverage before and after for each question some asset answers at either end, and
    the change by IMD decile of the headline question."""
    compared = [
        q
        for q in change["questions"]
        if q["after"]["assets"] > 0 or (q["before"] and q["before"]["assets"] > 0)
    ]
    drawn: dict[str, Any] = {"unmeasured_in_change": len(change["questions"]) - len(compared)}
    if compared:
        title = "Share of people within reach, then and now"
        drawn["coverage_change"] = Figure(
            title,
            brief_svg.coverage_change(
                "chart-coverage-change",
                title,
                [
                    CoverageChange(
                        q["label"],
                        None if q["before"] is None else q["before"]["share_covered"],
                        q["after"]["share_covered"],
                    )
                    for q in compared
                ],
            ),
        )
    first = next(
        (
            q
            for q in change["questions"]
            if headline is not None and _key(q) == _key(headline) and q.get("change")
        ),
        None,
    )
    if first is not None:
        title = f"Change in people out of reach by IMD decile: {first['label']}"
        drawn["decile_change"] = Figure(
            title,
            brief_svg.decile_change(
                "chart-decile-change", title, first["change"]["uncovered_by_imd_decile"]
            ),
        )
    return drawn
