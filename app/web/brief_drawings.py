"""The brief's drawings: the maps of who is within reach and of need, and the charts of
people out of reach by IMD decile and of the change since the previous snapshot, drawn in
British National Grid from the snapshot's figures (brief_svg draws each)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from markupsafe import Markup
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.domain.categories import subtree_ids
from app.i18n import Translate
from app.models import AreaSnapshot, Category
from app.web import brief_svg
from app.web.brief_gaps import hardest_gaps, question_key
from app.web.brief_svg import CoverageChange, Dot, Extent, Shape


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


def drawings(
    session: Session,
    this: AreaSnapshot,
    headline: dict[str, Any] | None,
    questions: list[dict[str, Any]],
    change: dict[str, Any] | None,
    names: dict[str, dict[str, str]],
    _: Translate,
) -> dict[str, Any]:
    """The maps (of the headline question: the first standard question answered), the
    charts of people out of reach by IMD decile (the headline and the three gaps), and the
    charts of the change since the previous snapshot; their words through `_`."""
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
            else _("assets for {outcome}").format(
                outcome=names["outcome"].get(headline["outcome"], headline["outcome"])
            )
        )
        title = _("Who is within reach: {question}").format(question=headline["label"])
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
                _,
            ),
        )
    title = _("Need: the neighbourhoods by IMD 2019 decile")
    drawn["deprivation"] = Figure(
        title,
        brief_svg.deprivation_map(
            "map-deprivation", title, places.outline, places.shapes, uncovered, places.extent, _
        ),
    )
    charted = ([headline] if headline else []) + hardest_gaps(questions)
    seen: set[tuple[Any, ...]] = set()
    drawn["deciles"] = []
    for index, question in enumerate(charted):
        if question_key(question) in seen:
            continue
        seen.add(question_key(question))
        title = _("People out of reach by IMD decile: {question}").format(
            question=question["label"]
        )
        drawn["deciles"].append(
            Figure(
                title,
                brief_svg.decile_bars(
                    f"chart-deciles-{index}",
                    title,
                    question["summary"]["uncovered_by_imd_decile"],
                    _,
                ),
            )
        )
    if change is not None:
        drawn |= _change_drawings(change, headline, _)
    return drawn


def _change_drawings(
    change: dict[str, Any], headline: dict[str, Any] | None, _: Translate
) -> dict[str, Any]:
    """Coverage before and after for each question some asset answers at either end, and
    the change by IMD decile of the headline question."""
    compared = [
        q
        for q in change["questions"]
        if q["after"]["assets"] > 0 or (q["before"] and q["before"]["assets"] > 0)
    ]
    drawn: dict[str, Any] = {"unmeasured_in_change": len(change["questions"]) - len(compared)}
    if compared:
        title = _("Share of people within reach, then and now")
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
                _,
            ),
        )
    first = next(
        (
            q
            for q in change["questions"]
            if headline is not None
            and question_key(q) == question_key(headline)
            and q.get("change")
        ),
        None,
    )
    if first is not None:
        title = _("Change in people out of reach by IMD decile: {question}").format(
            question=first["label"]
        )
        drawn["decile_change"] = Figure(
            title,
            brief_svg.decile_change(
                "chart-decile-change", title, first["change"]["uncovered_by_imd_decile"], _
            ),
        )
    return drawn
