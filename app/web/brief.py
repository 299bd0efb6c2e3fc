"""The commissioning brief: one snapshot of a locality as a page to print and cite
(templates/brief.html, Jinja2, every value escaped; maps and charts from brief_svg).

Every figure comes from the snapshot's stored figures, or from the change between it and
the area's previous snapshot (app.analysis.changes, which reads both snapshots' figures and
the assets' revisions between them); nothing is worked out again. What is read live is only
what draws and names: the neighbourhoods' boundaries and IMD deciles for the maps, the
snapshot's asset points, and the names of categories and outcomes.

Its parts: the words and numbers (brief_words), the three gaps (brief_gaps), the maps and
charts (brief_drawings, drawn by brief_svg).

The page holds no script and fetches nothing (styles inline, drawings inline), so Chromium
prints it to PDF with no network (`assetmap brief CODE --output brief.pdf`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app import i18n
from app.analysis import changes
from app.errors import Problem, not_found
from app.i18n import N_
from app.models import Area, AreaSnapshot, Category, Outcome
from app.settings import PROJECT_ROOT, AnalysisSettings
from app.taxonomy import KINDS
from app.web.brief_drawings import drawings
from app.web.brief_gaps import GAPS_RULE, hardest_gaps
from app.web.brief_svg import people, share, signed
from app.web.brief_words import (
    css_string,
    day,
    kind_words,
    metres,
    moment,
    plural,
    points,
    score,
)

TEMPLATES = PROJECT_ROOT / "app" / "web" / "templates"
# How many names a list of changed assets shows before "and N more".
NAMES_SHOWN = 6


@cache
def _environment() -> Environment:
    made = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    made.filters.update(
        people=_in_language(lambda value, lang: i18n.translator(lang)(people(value))),
        share=_in_language(lambda value, lang: i18n.translator(lang)(share(value))),
        signed=signed,
        points=_in_language(points),
        day=_in_language(day),
        moment=_in_language(moment),
        css_string=css_string,
        plural=pass_context(
            lambda context, n, one, many=None: plural(n, one, many, context["lang"])
        ),
        metres=_in_language(metres),
        score=_in_language(score),
    )
    return made


def _in_language(said: Callable[[Any, str], str]) -> Callable[[Context, Any], str]:
    """A filter of one value, said in the brief's language (the template's `lang`)."""
    return pass_context(lambda context, value: said(value, context["lang"]))


def brief_html(
    session: Session, area_code: str, snapshot_id: int | None, language: str = i18n.ENGLISH
) -> str:
    """The brief of snapshot `snapshot_id` of area `area_code` (its latest if None), with
    the change since the area's previous snapshot, in `language` (English or Welsh; the
    snapshot's own words, such as its questions' labels, as they were recorded). A 404 for
    an unknown area, for an area with no snapshot, and for a snapshot of another area."""
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
    _ = i18n.translator(language)
    names = _names(session, figures, _)
    template = _environment().get_template("brief.html")
    return template.render(
        **i18n.page_words(language),
        # English as a partnership in England reads it
        html_lang="en-GB" if language == i18n.ENGLISH else language,
        snapshot=this,
        figures=figures,
        area=figures["area"],
        cite=_cite(this, language),
        headline=headline,
        has=_what_it_has(figures, headline, names, language),
        gaps=hardest_gaps(figures["questions"]),
        gaps_rule=GAPS_RULE,
        unmeasured=[q for q in questions if q["summary"]["assets"] == 0],
        failed=[q for q in figures["questions"] if "summary" not in q],
        earlier=earlier,
        change=None if change is None else _change(change),
        drawings=drawings(session, this, headline, questions, change, names, _),
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


def _cite(snapshot: AreaSnapshot, language: str) -> str:
    _ = i18n.translator(language)
    area = snapshot.figures["area"]["name"]
    return _("Snapshot {id} of {area}, taken {day}").format(
        id=snapshot.id, area=area, day=day(snapshot.taken_at, language)
    )


def _names(
    session: Session, figures: dict[str, Any], _: i18n.Translate
) -> dict[str, dict[str, str]]:
    """The names of the categories and outcomes the figures count, in the brief's language
    (slugs where unknown)."""
    categories = set(figures["assets"]["by_category"]) | {
        q["category"] for q in figures["questions"] if q.get("category")
    }
    outcomes = set(figures["assets"]["by_outcome"]) | {
        q["outcome"] for q in figures["questions"] if q.get("outcome")
    }
    found_categories = {
        slug: _(name)
        for slug, name in session.execute(
            select(Category.slug, Category.name).where(Category.slug.in_(categories))
        )
    }
    found_outcomes = {
        slug: _(name)
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
    figures: dict[str, Any],
    headline: dict[str, Any] | None,
    names: dict[str, dict[str, str]],
    language: str,
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
                "words": words,
                "none": none,
            }
            for kind in KINDS
            for words, none in [kind_words(kind, counts["by_kind"].get(kind, 0), language)]
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
                ("published", N_("published")),
                ("changed", N_("changed")),
                ("archived", N_("archived")),
                ("verified", N_("verified as still there")),
                ("gone_stale", N_("gone unconfirmed for a year")),
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
