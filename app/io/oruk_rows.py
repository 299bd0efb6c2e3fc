"""Another directory's Open Referral UK services as rows of assets: `service_rows` maps the
services app.io.oruk_feed read onto our assets' properties (the import's column names), one
row per place a service is offered, with notes for a person on what did not map;
`load_mapping` reads the user's file placing the feed's taxonomy terms in our categories.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from app.io.oruk_feed import FeedError
from app.io.oruk_fields import (
    _audience,
    _cost,
    _folded,
    _hours,
    _location,
    _location_ref,
    _objects,
    _phone,
    _place,
    _point,
    _present,
    _text,
    _unique,
)
from app.io.sources import SourceRow

# Statuses of a service that no longer runs (HSDS 3.0's service.status).
_NOT_RUNNING = {"inactive", "defunct"}
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# How many examples a note lists before "and N more".
_LISTED = 5


@dataclass
class Vocabulary:
    """What a feed's taxonomy terms are matched against: our categories by slug (their
    name and kind), outcome slugs and kinds; the user's mapping of terms (an id, a `term`
    code or a name, compared case-blind) to category slugs; the kind of a service no term
    places."""

    categories: dict[str, tuple[str, str]]
    outcomes: set[str]
    kinds: set[str]
    mapping: dict[str, str] = field(default_factory=dict)
    default_kind: str = "institution"


def load_mapping(path: Path, *, categories: Collection[str] | None = None) -> dict[str, str]:
    """A mapping file: a CSV with columns `term` (a taxonomy term's id, its `term` code or
    its name) and `category` (one of our category slugs; when `categories` is given, one of
    them). Returns term (casefolded) -> category slug; FeedError naming the line for a bad
    line."""
    mapping: dict[str, str] = {}
    first_line: dict[str, int] = {}
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            reader = csv.DictReader(file)
            columns = {name.strip().casefold(): name for name in reader.fieldnames or ()}
            if "term" not in columns or "category" not in columns:
                raise FeedError(f"{path.name}: needs the columns term and category")
            for record in reader:
                line = reader.line_num
                if None in record:
                    raise FeedError(f"{path.name}: line {line} has more values than columns")
                term = (record[columns["term"]] or "").strip()
                category = (record[columns["category"]] or "").strip()
                if not term and not category:
                    continue
                if not term:
                    raise FeedError(f"{path.name}: line {line} names no term")
                if not category:
                    raise FeedError(f"{path.name}: line {line} names no category for {term!r}")
                if not _SLUG.fullmatch(category):
                    raise FeedError(
                        f"{path.name}: line {line}: {category!r} is not a category slug "
                        "(lower-case words joined by hyphens, such as food-bank)"
                    )
                if categories is not None and category not in categories:
                    raise FeedError(f"{path.name}: line {line}: there is no category {category!r}")
                key = term.casefold()
                if key in first_line and mapping[key] != category:
                    raise FeedError(
                        f"{path.name}: line {line} maps {term!r} to {category!r}, but line "
                        f"{first_line[key]} maps it to {mapping[key]!r}"
                    )
                first_line.setdefault(key, line)
                mapping[key] = category
    except FileNotFoundError:
        raise FeedError(f"{path.name}: no such file") from None
    except UnicodeDecodeError:
        raise FeedError(f"{path.name}: is not UTF-8 text") from None
    except csv.Error as broken:
        raise FeedError(f"{path.name}: is not a readable CSV ({broken})") from None
    return mapping


class _Term(NamedTuple):
    """A taxonomy term as the service's attribute gives it (casefolded keys)."""

    id: str | None
    code: str | None
    name: str | None
    shown: str


@dataclass
class _Placing:
    """Where a service's terms put it."""

    kind: str
    # No category and no kind term: the kind is the vocabulary's default.
    defaulted: bool
    category: str | None
    outcomes: list[str]
    # The terms that matched nothing of ours, as the feed shows them.
    unmatched: list[str]
    # Categories other terms matched, after the one taken.
    other_categories: list[str]
    # A kind term the category's kind overruled.
    overruled_kind: str | None


@dataclass
class _Notes:
    """What a person should know about how the feed mapped, counted over services."""

    default_kind: str
    unmatched_terms: Counter[str] = field(default_factory=Counter)
    unmatched_services: int = 0
    no_category_term: int = 0
    default_kinds: int = 0
    several_categories: list[str] = field(default_factory=list)
    overruled_kinds: list[str] = field(default_factory=list)
    not_running: list[str] = field(default_factory=list)
    virtual_left_out: int = 0
    unplaced_rows: int = 0
    text_hours: int = 0
    schedules: list[str] = field(default_factory=list)

    def sentences(self) -> list[str]:
        notes = []
        if self.unmatched_services:
            terms = _counted(self.unmatched_terms)
            notes.append(
                f"{_services(self.unmatched_services)} had taxonomy terms matching no category: "
                f"{terms}; a mapping file (columns term, category) can place them"
            )
        if self.no_category_term:
            notes.append(
                f"{_services(self.no_category_term)} had no taxonomy term naming a category"
            )
        if self.default_kinds:
            notes.append(
                f"{_services(self.default_kinds)} had neither a category nor a kind term, "
                f"so came as kind {self.default_kind!r}"
            )
        if self.several_categories:
            notes.append(
                f"{_services(len(self.several_categories))} matched more than one category, "
                f"and the first was taken: {_examples(self.several_categories)}"
            )
        if self.overruled_kinds:
            notes.append(
                f"{_services(len(self.overruled_kinds))} had a kind term other than their "
                f"category's kind, and the category's was taken: {_examples(self.overruled_kinds)}"
            )
        if self.not_running:
            notes.append(
                f"{_services(len(self.not_running))} the feed marks inactive or defunct came "
                f"all the same: {_examples(self.not_running)}"
            )
        if self.virtual_left_out:
            notes.append(
                f"{_services(self.virtual_left_out)} offered online (a virtual location) as "
                "well as at places came at their places only"
            )
        if self.unplaced_rows == 1:
            notes.append(
                "1 row had no usable latitude and longitude: its postcode places it, if it has one"
            )
        elif self.unplaced_rows:
            notes.append(
                f"{self.unplaced_rows} rows had no usable latitude and longitude: their "
                "postcodes place them, if they have one"
            )
        if self.text_hours:
            notes.append(
                f"{_services(self.text_hours)} gave opening hours as text only, without days "
                "and times as data: the text came as it is"
            )
        return notes + self.schedules


def _services(count: int) -> str:
    return f"{count} service" if count == 1 else f"{count} services"


def _counted(counts: Counter[str]) -> str:
    shown = [f"{term!r} ({count})" for term, count in counts.most_common(_LISTED)]
    more = len(counts) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more else "")


def _examples(examples: list[str]) -> str:
    more = len(examples) - _LISTED
    return "; ".join(examples[:_LISTED]) + (f"; and {more} more" if more > 0 else "")


def service_rows(
    services: list[dict[str, Any]], vocabulary: Vocabulary
) -> tuple[list[SourceRow], list[str]]:
    """A feed's services as rows of assets, and notes for a person on how they mapped.

    One row per place a service is offered (its `service_at_locations`; one row without a
    place when it has none), numbered from 1, with our properties as the import's column
    names (`oruk_ref` the service's id, or `{service id}/{location id}` for a service at
    several places) and a point in EPSG:4326 from the location's latitude and longitude
    (None without usable ones: the importer then places the row by its postcode). Raises
    FeedError when the mapping names a category we do not have.
    """
    mapping = {key.strip().casefold(): slug for key, slug in vocabulary.mapping.items()}
    unknown = sorted({slug for slug in mapping.values() if slug not in vocabulary.categories})
    if unknown:
        raise FeedError(f"the mapping names categories we do not have: {', '.join(unknown)}")
    notes = _Notes(vocabulary.default_kind)
    rows: list[SourceRow] = []
    for service in services:
        rows += _service_rows(service, _placing(_terms(service), vocabulary, mapping), notes)
    for number, row in enumerate(rows, start=1):
        row.number = number
    return rows, notes.sentences()


def _service_rows(service: dict[str, Any], placing: _Placing, notes: _Notes) -> list[SourceRow]:
    """One service's rows (numbered from 1), one per place it is offered at; what a person
    should know about it goes to `notes`."""
    service_id = str(service["id"])
    name = _text(service.get("name")) or service_id
    _note_placing(notes, name, placing)
    if (status := _text(service.get("status"))) in _NOT_RUNNING:
        notes.not_running.append(f"{name!r} ({status})")
    shared = _service_properties(service, placing)
    at_locations = _objects(service.get("service_at_locations"))
    places = [sal for sal in at_locations if _location(sal).get("location_type") != "virtual"]
    if places and len(places) < len(at_locations):
        notes.virtual_left_out += 1
    rows: list[SourceRow] = []
    schedule_notes: list[str] = []
    plain_text = False
    sites: list[dict[str, Any] | None] = [*places] or [None]
    for position, at_location in enumerate(sites, start=1):
        location = _location(at_location)
        ref = service_id
        if len(places) > 1:
            ref = f"{service_id}/{_location_ref(at_location, position)}"
        items = _objects(service.get("schedules"))
        if at_location is not None:
            items += _objects(at_location.get("schedules"))
        hours = _hours(items)
        schedule_notes.extend(hours.notes)
        plain_text = plain_text or hours.plain_text
        point = _point(location)
        if point is None and at_location is not None:
            notes.unplaced_rows += 1
        attributes = {"oruk_ref": ref, **shared, **_place(location), **hours.properties}
        rows.append(SourceRow(position, _present(attributes), point))
    notes.schedules.extend(f"{name}: {note}" for note in _unique(schedule_notes))
    if plain_text:
        notes.text_hours += 1
    return rows


def _terms(service: dict[str, Any]) -> list[_Term]:
    terms = []
    for attribute in _objects(service.get("attributes")):
        term = attribute.get("taxonomy_term")
        term = term if isinstance(term, dict) else {}
        term_id = _text(term.get("id")) or _text(attribute.get("taxonomy_term_id"))
        code, name = _text(term.get("term")), _text(term.get("name"))
        shown = name or code or term_id
        if shown is not None:
            terms.append(_Term(_folded(term_id), _folded(code), _folded(name), shown))
    return terms


def _placing(terms: list[_Term], vocabulary: Vocabulary, mapping: dict[str, str]) -> _Placing:
    """The kind, category and outcomes a service's terms give it.

    A category comes from the user's mapping first (by a term's id, then its code, then its
    name), then from a term whose code is a category's slug, then from one whose name is a
    category's name (case-blind); the kind is the category's, else a kind term's, else the
    default."""
    slugs = {slug.casefold(): slug for slug in vocabulary.categories}
    names = {name.casefold(): slug for slug, (name, _) in vocabulary.categories.items()}
    kinds = {kind.casefold(): kind for kind in vocabulary.kinds}
    outcomes = {outcome.casefold(): outcome for outcome in vocabulary.outcomes}
    mapped = [
        next(
            (mapping[key] for key in (t.id, t.code, t.name) if key is not None and key in mapping),
            None,
        )
        for t in terms
    ]
    by_code = [slugs.get(t.code or "") for t in terms]
    # A kind's or an outcome's term is that, whatever a category may be called.
    by_name = [
        None if t.code in kinds or t.code in outcomes else names.get(t.name or "") for t in terms
    ]
    candidates = _unique(found for found in (*mapped, *by_code, *by_name) if found is not None)
    kind_terms = _unique(kinds[t.code] for t in terms if t.code in kinds)
    outcome_slugs = _unique(outcomes[t.code] for t in terms if t.code in outcomes)
    unmatched = [
        t.shown
        for t, own_mapping, own_code, own_name in zip(terms, mapped, by_code, by_name, strict=True)
        if own_mapping is None
        and own_code is None
        and own_name is None
        and t.code not in kinds
        and t.code not in outcomes
    ]
    category = candidates[0] if candidates else None
    if category is not None:
        kind = vocabulary.categories[category][1]
    else:
        kind = kind_terms[0] if kind_terms else vocabulary.default_kind
    overruled = next((k for k in kind_terms if k != kind), None) if category is not None else None
    defaulted = category is None and not kind_terms
    return _Placing(kind, defaulted, category, outcome_slugs, unmatched, candidates[1:], overruled)


def _note_placing(notes: _Notes, name: str, placing: _Placing) -> None:
    if placing.category is None:
        if placing.unmatched:
            notes.unmatched_services += 1
            notes.unmatched_terms.update(set(placing.unmatched))
        else:
            notes.no_category_term += 1
        if placing.defaulted:
            notes.default_kinds += 1
    if placing.other_categories:
        others = ", ".join(placing.other_categories)
        notes.several_categories.append(f"{name!r} ({placing.category}, not {others})")
    if placing.overruled_kind is not None:
        notes.overruled_kinds.append(f"{name!r} ({placing.kind}, not {placing.overruled_kind})")


def _service_properties(service: dict[str, Any], placing: _Placing) -> dict[str, Any]:
    """The properties every row of a service shares (None: absent)."""
    return {
        "name": _text(service.get("name")),
        "description": _text(service.get("description")),
        "phone": _phone(service),
        "email": _text(service.get("email")),
        "website": _text(service.get("url")),
        "cost": _cost(service),
        "audience": _audience(service.get("minimum_age"), service.get("maximum_age")),
        "kind": placing.kind,
        "category": placing.category,
        "outcomes": placing.outcomes or None,
    }
