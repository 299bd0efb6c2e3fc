"""The Open Referral UK feed's reads: its services, organisations, service-at-locations and
taxonomies, from the public face only (app/sql/oruk_*.sql), a numbered page at a time.

What is a service: every published institution and association, and the assets of the
other kinds in a service-like category (SERVICE_CATEGORIES, and those below them). Never
a person. Which organisation runs a service: the group or institution with a `runs` link to
it that anyone may see, else the asset itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from app.domain import postcodes
from app.domain.feed_ids import Entity, FeedIds, slug_number
from app.errors import invalid, not_found
from app.i18n import said
from app.models import Category, Outcome, Postcode
from app.sql import statements
from app.taxonomy import KINDS

SERVICE_KINDS = ("institution", "association")
# Places and businesses that serve people as a service does: halls and community centres,
# sports facilities, post offices, banks and credit unions, markets, museums, arts venues.
SERVICE_CATEGORIES = (
    "community-building",
    "sports-facility",
    "post-office",
    "bank",
    "market",
    "museum",
    "arts-venue",
)

TaxonomyKey = Literal["kinds", "categories", "outcomes"]
TAXONOMIES: dict[TaxonomyKey, tuple[int, str, str]] = {
    "kinds": (1, "Asset kinds", "The six kinds of asset of asset-based community development"),
    "categories": (2, "Asset categories", "What an asset is: a hierarchy under the kinds"),
    "outcomes": (3, "Outcomes", "The whole-life outcome domains an asset contributes to"),
}


@dataclass(frozen=True)
class Term:
    """A taxonomy term of the feed: a kind, a category or an outcome."""

    id: UUID
    taxonomy: TaxonomyKey
    slug: str
    name: str
    description: str
    parent_id: UUID | None = None
    # a category's own id, for filtering
    category_id: int | None = None


@dataclass(frozen=True)
class Vocabulary:
    """The feed's taxonomies and their terms, with their ids."""

    ids: FeedIds
    terms: tuple[Term, ...]
    by_id: dict[UUID, Term]

    def taxonomy_id(self, key: TaxonomyKey) -> UUID:
        return self.ids.make(Entity.TAXONOMY, TAXONOMIES[key][0])

    def taxonomy_of(self, taxonomy_id: UUID) -> TaxonomyKey | None:
        number = self.ids.read(taxonomy_id, Entity.TAXONOMY)
        return next((key for key, (n, _, _) in TAXONOMIES.items() if n == number), None)

    def term(self, term_id: UUID) -> Term | None:
        return self.by_id.get(term_id)

    def kind(self, slug: str) -> Term:
        return next(t for t in self.terms if t.taxonomy == "kinds" and t.slug == slug)

    def category(self, slug: str) -> Term | None:
        return next((t for t in self.terms if t.taxonomy == "categories" and t.slug == slug), None)

    def outcome(self, slug: str) -> Term | None:
        return next((t for t in self.terms if t.taxonomy == "outcomes" and t.slug == slug), None)


def vocabulary(session: Session, ids: FeedIds) -> Vocabulary:
    """The kinds, the categories and the outcomes as the feed's taxonomy terms."""
    terms = [
        Term(ids.make(Entity.KIND_TERM, slug_number(kind)), "kinds", kind, kind.title(), about)
        for kind, about in KINDS.items()
    ]
    categories = session.execute(
        select(
            Category.id, Category.slug, Category.name, Category.kind, Category.parent_id
        ).order_by(Category.id)
    ).all()
    for row in categories:
        parent = None if row.parent_id is None else ids.make(Entity.CATEGORY_TERM, row.parent_id)
        terms.append(
            Term(
                ids.make(Entity.CATEGORY_TERM, row.id),
                "categories",
                row.slug,
                row.name,
                f"{row.name}: a category of {row.kind} assets",
                parent,
                row.id,
            )
        )
    for outcome in session.execute(select(Outcome.slug, Outcome.name).order_by(Outcome.slug)):
        terms.append(
            Term(
                ids.make(Entity.OUTCOME_TERM, slug_number(outcome.slug)),
                "outcomes",
                outcome.slug,
                outcome.name,
                f"Contributes to {outcome.name.lower()}",
            )
        )
    return Vocabulary(ids, tuple(terms), {term.id: term for term in terms})


@dataclass(frozen=True)
class ServiceFilter:
    """Which services: the ORUK filters, each None when not asked, combined as AND."""

    search: str | None = None
    kind: str | None = None
    category_id: int | None = None
    outcome: str | None = None
    has_category: bool = False
    has_outcome: bool = False
    organization_id: int | None = None
    modified_after: datetime | None = None
    # lon/lat (EPSG:4326) of a postcode, and how far from it, in metres
    near: tuple[float, float] | None = None
    proximity_m: float | None = None
    ids: list[int] | None = None
    # a filter naming something this feed does not have: nothing matches
    nothing: bool = False


def parse_uuid(value: str) -> UUID | None:
    """An id as a UUID, or None when it is not one."""
    try:
        return UUID(value)
    except ValueError:
        return None


def read_uuid(value: str, field_name: str) -> UUID:
    """A query's id: a 422 naming `field_name` if it is not a UUID."""
    found = parse_uuid(value)
    if found is None:
        raise invalid(field_name, said("{value} is not a UUID", value=repr(value)))
    return found


def term_filter(
    vocab: Vocabulary, wanted: ServiceFilter, term_id: str | None, taxonomy_id: str | None
) -> ServiceFilter:
    """`wanted` narrowed to the services with a term (`taxonomy_term_id`) and with any term
    of a taxonomy (`taxonomy_id`)."""
    if term_id is not None:
        term = vocab.term(read_uuid(term_id, "taxonomy_term_id"))
        if term is None:
            wanted = replace(wanted, nothing=True)
        elif term.taxonomy == "kinds":
            wanted = replace(wanted, kind=term.slug)
        elif term.taxonomy == "categories":
            wanted = replace(wanted, category_id=term.category_id)
        else:
            wanted = replace(wanted, outcome=term.slug)
    if taxonomy_id is not None:
        key = vocab.taxonomy_of(read_uuid(taxonomy_id, "taxonomy_id"))
        if key is None:
            wanted = replace(wanted, nothing=True)
        elif key == "categories":
            wanted = replace(wanted, has_category=True)
        elif key == "outcomes":
            wanted = replace(wanted, has_outcome=True)
    return wanted


def postcode_point(session: Session, postcode: str) -> tuple[float, float]:
    """Where a postcode is (lon, lat), from the offline lookup; a 422 naming `postcode`."""
    compact = postcodes.checked(postcode)
    point = session.execute(
        select(Postcode.geom.ST_X(), Postcode.geom.ST_Y()).where(Postcode.postcode == compact)
    ).first()
    if point is None:
        raise invalid("postcode", said("{compact} is not in the postcode lookup", compact=compact))
    return float(point[0]), float(point[1])


def _search_params(search: str | None) -> dict[str, Any]:
    words = re.findall(r"\w+", search or "")
    if not words:
        return {"search": None, "search_prefix": None}
    # Words typed so far also match as prefixes, as GET /assets?q= does.
    return {"search": search, "search_prefix": " & ".join(f"{word}:*" for word in words)}


def _service_params() -> dict[str, Any]:
    return {"service_kinds": list(SERVICE_KINDS), "service_categories": list(SERVICE_CATEGORIES)}


def _set_sql(name: str) -> Any:
    (fragment,) = statements("oruk_service_set")
    (query,) = statements(name, service_set=fragment.text)
    return query


def _numbered(
    session: Session, query: Any, params: dict[str, Any], page_number: int
) -> tuple[list[Row[Any]], int]:
    """A page's rows (each with the `total` of matches) and that total."""
    rows = list(session.execute(query, params).all())
    if rows or page_number == 1:
        return rows, int(rows[0].total) if rows else 0
    # past the last page: how many there are, from the first
    first = session.execute(query, {**params, "rows": 1, "skip": 0}).first()
    return [], 0 if first is None else int(first.total)


def services(
    session: Session, wanted: ServiceFilter, page_number: int, per_page: int
) -> tuple[list[Row[Any]], int]:
    """One page of services matching `wanted`, and how many match in all."""
    if wanted.nothing:
        return [], 0
    lon, lat = wanted.near if wanted.near is not None else (None, None)
    params = {
        **_service_params(),
        **_search_params(wanted.search),
        "kind": wanted.kind,
        "category_id": wanted.category_id,
        "outcome": wanted.outcome,
        "has_category": wanted.has_category,
        "has_outcome": wanted.has_outcome,
        "organization_id": wanted.organization_id,
        "modified_after": wanted.modified_after,
        "lon": lon,
        "lat": lat,
        "proximity_m": wanted.proximity_m,
        "ids": wanted.ids,
        "rows": per_page,
        "skip": (page_number - 1) * per_page,
    }
    return _numbered(session, _set_sql("oruk_services"), params, page_number)


def one_service(session: Session, service_id: int) -> Row[Any]:
    """The service of an asset id; a 404 when it is not one of the feed's."""
    rows, _ = services(session, ServiceFilter(ids=[service_id]), 1, 1)
    if not rows:
        raise not_found("service")
    return rows[0]


def organizations(
    session: Session,
    page_number: int,
    per_page: int,
    search: str | None = None,
    ids: list[int] | None = None,
) -> tuple[list[Row[Any]], int]:
    """One page of the organisations running the feed's services, and how many in all."""
    params = {
        **_service_params(),
        **_search_params(search),
        "ids": ids,
        "rows": per_page,
        "skip": (page_number - 1) * per_page,
    }
    return _numbered(session, _set_sql("oruk_organizations"), params, page_number)


def one_organization(session: Session, asset_id: int) -> Row[Any]:
    rows, _ = organizations(session, 1, 1, ids=[asset_id])
    if not rows:
        raise not_found("organization")
    return rows[0]
