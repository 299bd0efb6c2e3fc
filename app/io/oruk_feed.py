"""Another directory's Open Referral UK feed (HSDS 3.0, UK profile) read as rows of assets.

`read_feed` reads every service of a feed, from an ORUK API or a JSON file, before anything
is written, so a feed that fails half-way writes nothing. `service_rows` maps the services
onto our assets' properties (the import's column names), one row per place a service is
offered, with notes for a person on what did not map; `load_mapping` reads the user's file
placing the feed's taxonomy terms in our categories.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections import Counter
from collections.abc import Collection, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple, cast
from urllib.parse import quote

import httpx
import shapely
from shapely.geometry.base import BaseGeometry

from app.domain.schedules import describe, from_hsds
from app.io.sources import SourceError, SourceRow

# How long one page may take to start answering, and between its bytes (seconds).
TIMEOUT_S = 30.0
# A listed service without these is the list's short form: its full form is fetched.
_NESTED = ("service_at_locations", "schedules", "attributes")
# Statuses of a service that no longer runs (HSDS 3.0's service.status).
_NOT_RUNNING = {"inactive", "defunct"}
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# from_hsds' note on an entry it keeps as text only, numbered from 1 in the order given:
# "schedule 3 (MONTHLY) is kept as text only: first Monday of the month".
_KEPT_AS_TEXT = re.compile(r"schedule (\d+) \(.*?\) is kept as text only: ")
# What makes an HSDS schedule entry more than a description.
_SCHEDULE_DATA = (
    "freq",
    "interval",
    "byday",
    "bymonthday",
    "dtstart",
    "valid_from",
    "valid_to",
    "opens_at",
    "closes_at",
)
# How many examples a note lists before "and N more".
_LISTED = 5


class FeedError(SourceError):
    """The feed as a whole cannot be read: the message, for a person, names the URL or page
    (or the file) and says why."""


def read_feed(
    source: str,
    modified_after: datetime | None = None,
    *,
    client: httpx.Client | None = None,
    per_page: int = 100,
    max_pages: int = 10_000,
) -> list[dict[str, Any]]:
    """Every service of a feed, fully nested, in the feed's order.

    `source` is the base URL of an ORUK API (`https://example.org/oruk`), the URL of its
    `/services` list, or the path of a JSON file holding a list of services, a page of them
    (`contents`) or one service. From an API, pages of `per_page` services are read (only
    those changed on or after `modified_after`, when given) until the last, and a service
    listed in short form is fetched whole from `/services/{id}`. `client` (for tests and
    proxies) replaces the default one, which waits at most TIMEOUT_S seconds.

    Raises FeedError when any page, service or the file cannot be read: an HTTP error, a
    body that is not JSON or is cut off, a page without `contents`, a feed that loops or
    has more than `max_pages` pages, a service without an `id`, no connection in time.
    """
    if re.match(r"^https?://", source, re.IGNORECASE) is None:
        return _read_file(Path(source))
    if per_page < 1 or max_pages < 1:
        raise ValueError("per_page and max_pages must be at least 1")
    services_url = _services_url(source)
    opened = (
        nullcontext(client)
        if client is not None
        else httpx.Client(
            timeout=TIMEOUT_S,
            follow_redirects=True,
            headers={"Accept": "application/json", "User-Agent": "community-asset-map"},
        )
    )
    with opened as http:
        listed = _listed_services(http, services_url, modified_after, per_page, max_pages)
        return [
            _full_service(http, services_url, service_id, service) for service_id, service in listed
        ]


def _services_url(source: str) -> httpx.URL:
    """The `/services` list of the API at `source` (the base URL or the list's own), with any
    query the user gave (a filter the API takes) kept."""
    try:
        url = httpx.URL(source)
    except httpx.InvalidURL as broken:
        raise FeedError(f"{source}: is not a URL ({broken})") from None
    path = url.path.rstrip("/")
    if not path.endswith("/services"):
        path += "/services"
    return url.copy_with(path=path)


def _listed_services(
    http: httpx.Client,
    services_url: httpx.URL,
    modified_after: datetime | None,
    per_page: int,
    max_pages: int,
) -> list[tuple[str, dict[str, Any]]]:
    """(id, service) of every service the pages list, each once, in order."""
    query = {"per_page": str(per_page), "full": "true"}
    if modified_after is not None:
        query["modified_after"] = modified_after.isoformat()
    services: list[tuple[str, dict[str, Any]]] = []
    seen_ids: set[str] = set()
    seen_pages: set[int] = set()
    page = 1
    while True:
        if page > max_pages:
            raise FeedError(f"{services_url} has more than {max_pages} pages: stopped reading")
        where = f"page {page} of {services_url}"
        body = _get_json(http, services_url.copy_merge_params({**query, "page": str(page)}), where)
        contents = _contents(body, where)
        number = _whole(body.get("page_number"))
        total = _whole(body.get("total_pages"))
        if page == 1 and total is not None and total > max_pages:
            raise FeedError(f"{services_url} has {total} pages, more than {max_pages} read at most")
        number = page if number is None else number
        if number in seen_pages:
            raise FeedError(f"{where} says it is page {number} again: the feed loops")
        seen_pages.add(number)
        ids = [
            _service_id(service, f"service {index} on {where}")
            for index, service in enumerate(contents, start=1)
        ]
        if ids and seen_ids.issuperset(ids):
            raise FeedError(f"{where} lists only services read already: the feed loops")
        for service_id, service in zip(ids, contents, strict=True):
            # A service moved to a later page by a change while the feed is read is the
            # same service, read once.
            if service_id not in seen_ids:
                seen_ids.add(service_id)
                services.append((service_id, service))
        more = total is not None and number < total
        if body.get("last_page") is True or (total is not None and not more):
            return services
        if not contents and not more:
            return services
        page += 1


def _full_service(
    http: httpx.Client, services_url: httpx.URL, service_id: str, service: dict[str, Any]
) -> dict[str, Any]:
    """A listed service, fetched whole from `/services/{id}` when the list gave it short
    (without its locations, schedules or taxonomy terms)."""
    if all(key in service for key in _NESTED):
        return service
    url = services_url.copy_with(
        path=f"{services_url.path}/{quote(service_id, safe='')}", query=None
    )
    where = f"service {service_id} ({url})"
    body = _get_json(http, url, where)
    answered = _service_id(body, where)
    if answered != service_id:
        raise FeedError(f"{where} answered with service {answered}")
    return cast(dict[str, Any], body)  # _service_id saw it is an object


def _get_json(http: httpx.Client, url: httpx.URL, where: str) -> Any:
    """The JSON `url` answers; FeedError naming `where` for anything else."""
    try:
        response = http.get(url)
    except httpx.TimeoutException as slow:
        limit = http.timeout.read
        within = "in time" if limit is None else f"within {limit:g} s"
        raise FeedError(f"{where} did not answer {within} ({type(slow).__name__})") from None
    except (httpx.HTTPError, httpx.InvalidURL) as broken:
        raise FeedError(f"{where} could not be read ({type(broken).__name__}: {broken})") from None
    if not response.is_success:
        raise FeedError(
            f"{where} answered HTTP {response.status_code} {response.reason_phrase}".rstrip()
        )
    try:
        return json.loads(response.content)
    except ValueError as broken:  # JSONDecodeError, or bytes that are not text
        raise FeedError(f"{where} is not JSON, or was cut off half-way ({broken})") from None


def _contents(body: Any, where: str) -> list[Any]:
    """The services of an ORUK page envelope."""
    if not isinstance(body, dict) or "contents" not in body:
        raise FeedError(f"{where} is not a page of services: it has no `contents`")
    contents = body["contents"]
    if not isinstance(contents, list):
        raise FeedError(f"{where} is not a page of services: its `contents` is not a list")
    return contents


def _service_id(service: Any, where: str) -> str:
    if not isinstance(service, dict):
        raise FeedError(f"{where} is not a service (an object) but {type(service).__name__}")
    service_id = service.get("id")
    if isinstance(service_id, bool) or not isinstance(service_id, str | int):
        service_id = None
    if service_id is None or not str(service_id).strip():
        named = f" ({service['name']!r})" if isinstance(service.get("name"), str) else ""
        raise FeedError(f"{where}{named} has no `id`")
    return str(service_id)


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _read_file(path: Path) -> list[dict[str, Any]]:
    """The services of a JSON file: a list of them, a page envelope, or one service."""
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise FeedError(f"{path.name}: no such file") from None
    except OSError as broken:
        raise FeedError(f"{path.name}: cannot be read ({broken.strerror})") from None
    try:
        body = json.loads(text)
    except ValueError as broken:
        raise FeedError(f"{path.name}: is not valid JSON ({broken})") from None
    if isinstance(body, list):
        services = body
    elif isinstance(body, dict) and "contents" in body:
        services = _contents(body, path.name)
    elif isinstance(body, dict) and "id" in body:
        services = [body]
    else:
        raise FeedError(
            f"{path.name}: holds no services: neither a list of them, a page of them "
            "(`contents`) nor one service (an object with an `id`)"
        )
    for index, service in enumerate(services, start=1):
        _service_id(service, f"{path.name}: service {index}")
    return services


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


def _place(location: dict[str, Any]) -> dict[str, Any]:
    """A location's address, postcode and accessibility (None: absent)."""
    addresses = _objects(location.get("addresses"))
    # The first physical address, else the first postal one, else the first of any type.
    rank = {"physical": 0, "postal": 1}
    address = min(addresses, key=lambda a: rank.get(str(a.get("address_type")), 2), default={})
    lines: list[str] = []
    for part in (address.get("address_1"), address.get("address_2"), address.get("city")):
        text = _text(part)
        # A feed that puts the whole address on its first line often repeats the city.
        if text is not None and not ", ".join(lines).casefold().endswith(text.casefold()):
            lines.append(text)
    access = _unique(
        text
        for item in _objects(location.get("accessibility"))
        if (text := _text(item.get("description")) or _text(item.get("accessibility")))
    )
    return {
        "address": ", ".join(lines) or None,
        "postcode": _text(address.get("postal_code")),
        "accessibility": _sentences(access),
    }


@dataclass
class _Hours:
    """A row's `schedule` and `opening_hours`; from_hsds' notes on the entries; whether
    some were only ever text (a description and nothing else), carried over whole."""

    properties: dict[str, Any]
    notes: list[str]
    plain_text: bool


def _hours(items: list[dict[str, Any]]) -> _Hours:
    """`schedule` and `opening_hours` from HSDS schedule entries: `opening_hours` is the
    descriptions of the entries a Schedule cannot hold (kept as text only), else the
    schedule described."""
    if not items:
        return _Hours({}, [], plain_text=False)
    schedule, notes = from_hsds(items)
    kept = {int(found[1]) for note in notes if (found := _KEPT_AS_TEXT.match(note))}
    described = {
        number: text
        for number, item in enumerate(items, start=1)
        if number in kept and (text := _text(item.get("description")))
    }
    # An entry that is a description alone loses nothing as opening_hours: no note on it.
    plain = {
        number
        for number in described
        if all(_text(items[number - 1].get(key)) is None for key in _SCHEDULE_DATA)
    }
    notes = [
        note
        for note in notes
        if not ((found := _KEPT_AS_TEXT.match(note)) and int(found[1]) in plain)
    ]
    properties: dict[str, Any] = {"opening_hours": _sentences(_unique(described.values()))}
    if schedule is not None:
        properties["schedule"] = schedule.model_dump(mode="json", exclude_defaults=True)
        properties["opening_hours"] = properties["opening_hours"] or describe(schedule) or None
    return _Hours(properties, notes, plain_text=bool(plain))


def _phone(service: dict[str, Any]) -> str | None:
    """The first number of the service's own phones (HSDS core; the UK profile has none),
    else of its contacts'."""
    phones = _objects(service.get("phones")) + [
        phone
        for contact in _objects(service.get("contacts"))
        for phone in _objects(contact.get("phones"))
    ]
    return next((number for p in phones if (number := _text(p.get("number")))), None)


def _cost(service: dict[str, Any]) -> str | None:
    """The fees as the feed words them, else its cost options as text: "£35 per 1 hour
    session (Under 18s and Over 60s)"."""
    fees = _text(service.get("fees"))
    if fees is not None:
        return fees
    options = []
    for option in _objects(service.get("cost_options")):
        amount = _number(option.get("amount"))
        currency = _text(option.get("currency"))
        if amount is None:
            price = None
        elif amount == 0:
            price = "Free"
        elif currency in (None, "GBP"):
            price = f"£{_shown(amount, money=True)}"
        else:
            price = f"{_shown(amount, money=True)} {currency}"
        described = " ".join(
            part for part in (price, _text(option.get("amount_description"))) if part
        )
        condition = _text(option.get("option"))
        if described and condition:
            options.append(f"{described} ({condition})")
        elif described or condition:
            options.append(described or condition or "")
    return "; ".join(options) or None


def _audience(minimum: Any, maximum: Any) -> str | None:
    """Who a service is for, by age (years): "Ages 5 to 11"."""
    low, high = _number(minimum), _number(maximum)
    if low is not None and high is not None:
        return f"Ages {_shown(low)} to {_shown(high)}"
    if low is not None:
        return f"Ages {_shown(low)} and over"
    if high is not None:
        return f"Ages up to {_shown(high)}"
    return None


def _point(location: dict[str, Any]) -> BaseGeometry | None:
    """The location's point (lon, lat in EPSG:4326), when it has usable coordinates."""
    latitude, longitude = _number(location.get("latitude")), _number(location.get("longitude"))
    if latitude is None or longitude is None:
        return None
    # 0, 0 (in the Gulf of Guinea) is what many feeds write for coordinates they do not know;
    # beyond the poles (the standard's own example has latitude 100) they are wrong.
    if (latitude == 0 and longitude == 0) or abs(latitude) > 90 or abs(longitude) > 180:
        return None
    return shapely.Point(longitude, latitude)


def _location(at_location: dict[str, Any] | None) -> dict[str, Any]:
    location = (at_location or {}).get("location")
    return location if isinstance(location, dict) else {}


def _location_ref(at_location: dict[str, Any] | None, position: int) -> str:
    """What tells a service's places apart in its rows' refs: the location's id (else the
    service-at-location's, else its position)."""
    return (
        _text(_location(at_location).get("id"))
        or _text((at_location or {}).get("location_id"))
        or _text((at_location or {}).get("id"))
        or str(position)
    )


def _objects(value: Any) -> list[dict[str, Any]]:
    """The objects of a list the feed gives (anything else in it left out)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool | dict | list):
        return None
    return str(value).strip() or None


def _folded(value: str | None) -> str | None:
    return None if value is None else value.casefold()


def _number(value: Any) -> float | None:
    """A finite number the feed gives (some feeds write numbers as text)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _shown(number: float, money: bool = False) -> str:
    if number.is_integer():
        return str(int(number))
    return f"{number:.2f}" if money else f"{number:g}"


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _sentences(parts: list[str]) -> str | None:
    """Texts joined: sentences by a space, phrases by a semicolon."""
    joined = ""
    for part in parts:
        if joined:
            joined += " " if joined[-1] in ".!?" else "; "
        joined += part
    return joined or None


def _present(attributes: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in attributes.items() if value is not None}
