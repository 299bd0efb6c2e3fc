"""The scanning day's report as a page to print or share, in the reader's language: the
template templates/session_report.html (Jinja2, every value escaped), its map drawn by
static/session-report.js from the report's JSON written into the page as data."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from app import i18n
from app.i18n import N_
from app.settings import ApiSettings
from app.taxonomy import KIND_NAMES, OUTCOMES, flatten
from app.web import brief_words
from app.web.page import translated_html

# its script, whose strings the catalogue translates for t()
SCRIPT = "app/web/static/session-report.js"
# the words for what the report counts
TYPES = {"asset": N_("assets"), "link": N_("links"), "innovation": N_("innovations")}
NODES = {
    "asset": N_("assets"),
    "innovation": N_("innovations"),
    "participant": N_("people of the day"),
}
# how an innovation got going (schemas.Lever), and its stage (schemas.InnovationStatus)
LEVERS = {
    "influencing": N_("influencing"),
    "mediating": N_("mediating"),
    "brokering": N_("brokering"),
    "funding": N_("funding"),
    "training": N_("training"),
    "equipment": N_("equipment"),
    "volunteering": N_("volunteering"),
    "space": N_("space"),
    "commissioning": N_("commissioning"),
}
STAGES = {
    "idea": N_("idea"),
    "started": N_("started"),
    "spreading": N_("spreading"),
    "stopped": N_("stopped"),
}
# the statuses of what the day added, and the kinds of what waits
STATUSES = (N_("draft"), N_("pending"), N_("published"), N_("archived"))
WAITING = (N_("asset"), N_("link"), N_("innovation"))


def report_html(
    report: dict[str, Any],
    settings: ApiSettings,
    links: dict[str, str],
    language: str = i18n.ENGLISH,
) -> str:
    """The page of `report` (session_report.report's answer) in `language`, with the map's
    basemap and the `links` to its downloads and network. Kinds, categories, outcomes,
    levers and stages are named in `language`; a locality's own category by its slug."""
    _ = i18n.translator(language)
    categories = {slug: name for slug, name, _kind, _parent in flatten()}
    outcome = _namer(OUTCOMES, _)
    data = json.dumps(
        {
            "basemap": settings.basemap_url,
            "new": report["found"]["new"],
            "confirmed": report["found"]["confirmed"],
        },
        default=str,
    ).replace("<", "\\u003c")
    return translated_html(
        "session_report.html",
        language,
        SCRIPT,
        report=report,
        data=data,
        links=links,
        types=TYPES,
        nodes=NODES,
        kind=_namer(KIND_NAMES, _),
        category=_namer(categories, _),
        outcome=outcome,
        outcomes=lambda slugs: ", ".join(map(outcome, slugs)),
        levers=lambda slugs: ", ".join(map(_namer(LEVERS, _), slugs)),
        stage=_namer(STAGES, _),
        day=lambda held_on: brief_words.day(f"{held_on}T12:00:00+00:00", language),
    )


def _namer(names: Mapping[str, str], _: i18n.Translate) -> Callable[[str], str]:
    """A slug's name in the language of `_` (one `names` lacks: the slug itself)."""
    return lambda slug: _(names[slug]) if slug in names else slug
