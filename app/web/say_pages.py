"""The equal-say pages: a decision round's ballot, its results and its frozen decision record,
and the partnership's self-assessment form and its change over time. Templates
templates/say_*.html (Jinja2, every value escaped); the scripts in static/say/ read the API
(GET /rounds/{id}, /rounds/{id}/results, /assessments/{id}, /assessments?area=) and send
ballots and responses with the holder's invite code. Only the record is drawn here in full,
so that it prints as it was frozen."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from typing import Any

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from app import i18n
from app.domain.assessments import CHARACTERISTICS
from app.i18n import N_
from app.models import Assessment, DecisionRound
from app.settings import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "app" / "web" / "templates"
# how each method reads to a participant
METHODS = {
    "borda": N_("a ranked ballot, counted by Borda count"),
    "approval": N_("approval: choose every option you support"),
    "points": N_("points to share among the options"),
}
# what each score of a characteristic means
SCALE = [
    (1, N_("not yet")),
    (2, N_("a little")),
    (3, N_("partly")),
    (4, N_("mostly")),
    (5, N_("fully")),
]


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"])
    )
    environment.filters["number"] = _number
    environment.filters["percent"] = _percent
    environment.filters["when"] = _when
    return environment


# the equal-say pages' scripts, whose strings the catalogue translates for t(), and the
# characteristics the API names in English, which they name in the reader's language
SCRIPTS = ("app/web/static/say", "app/domain/assessments.py")


def _number(value: float | int | None, decimals: int = 0) -> str:
    """A figure as people read it: thousands separated, `decimals` places ("" for none)."""
    if value is None:
        return ""
    return f"{value:,.{decimals}f}"


def _percent(share: float | None) -> str:
    """A share (0 to 1) as a percentage with one decimal."""
    return "" if share is None else f"{share * 100:.1f}%"


@pass_context
def _when(context: Context, value: str | datetime | None) -> str:
    """A time (ISO 8601 text, as a record keeps it, or a datetime) as people read it, in UTC,
    in the page's language: "1 December 2026, 11:40 UTC" (in Welsh, "1 Rhagfyr 2026, ...")."""
    if value is None:
        return ""
    moment = (datetime.fromisoformat(value) if isinstance(value, str) else value).astimezone(UTC)
    language = context.get("lang", i18n.ENGLISH)
    if language == i18n.ENGLISH:
        return f"{moment:%-d %B %Y, %H:%M} UTC"
    return f"{format_date(moment, 'd MMMM y', locale=language)}, {moment:%H:%M} UTC"


def _data(value: Any) -> str:
    """`value` as JSON to write into a <script type="application/json"> block: every "<"
    escaped, so no text in it can end the block."""
    return json.dumps(value, default=str).replace("<", "\\u003c")


def _render(template: str, language: str, **values: Any) -> str:
    """`template` in `language`, given `values`, the words every translated page has, and
    the translations of the scripts' strings."""
    return (
        _environment()
        .get_template(template)
        .render(
            **i18n.page_words(language),
            messages=i18n.script_json(language, *SCRIPTS),
            **values,
        )
    )


def ballot_page(found: DecisionRound, basemap_url: str = "", language: str = i18n.ENGLISH) -> str:
    """The ballot page of round `found` (served at /rounds/{id}/vote; an invite's link adds
    ?code=...): its question, each option with its evidence and a map, the ballot the
    round's method asks for, and the comments; over the basemap's tile URL `basemap_url`
    (empty: the neighbourhoods' outlines only)."""
    return _render(
        "say_ballot.html",
        language,
        found=found,
        method=METHODS.get(found.method, found.method),
        basemap=basemap_url,
    )


def results_page(found: DecisionRound, language: str = i18n.ENGLISH) -> str:
    """The results page of round `found` (served at /rounds/{id}/results?f=html): its
    script draws GET /rounds/{id}/results, each constituency side by side with the combined
    result and a head count."""
    return _render("say_results.html", language, found=found)


def record_page(record: dict[str, Any]) -> str:
    """The frozen decision record `record` (round_results.record's answer) as a page to
    print or cite, drawn here in full."""
    results = record["results"]
    title = {option["id"]: option["title"] for option in record["options"]}
    winner = results["winner"]
    return _render(
        "say_record.html",
        i18n.ENGLISH,  # as it was frozen: a record to cite is not translated
        record=record,
        results=results,
        title=title,
        winner=winner,
        method=METHODS.get(results["method"]["name"], results["method"]["name"]),
    )


def assessment_page(found: Assessment, language: str = i18n.ENGLISH) -> str:
    """The self-assessment `found` (served at /assessments/{id}?f=html; an invite's link adds
    &code=...): the form for the six characteristics and the two open questions, and its
    results per constituency and combined."""
    return _render(
        "say_assessment.html", language, found=found, characteristics=CHARACTERISTICS, scale=SCALE
    )


def assessments_page(area: str, language: str = i18n.ENGLISH) -> str:
    """The assessments of the area `area` (a GSS code) over time, as a chart and a table of
    each characteristic's combined score (served at /assessments?area=...&f=html)."""
    _ = i18n.translator(language)
    names = [{"slug": slug, "name": _(name)} for slug, name in CHARACTERISTICS.items()]
    return _render(
        "say_assessments.html", language, area=area, data=_data({"characteristics": names})
    )
