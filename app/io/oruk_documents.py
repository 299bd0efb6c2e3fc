"""The Open Referral UK (HSDS 3.0 UK profile) documents of the feed, built from the rows of
app.domain.oruk: services (as a list shows them, or fully nested), locations,
service-at-locations, organisations, taxonomies and their terms. Every id is the feed's
(app.domain.feed_ids); personal data never reaches here (the rows are the public face's).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Row

from app.domain.feed_ids import Entity
from app.domain.oruk import TAXONOMIES, TaxonomyKey, Term, Vocabulary
from app.domain.schedule_exchange import to_hsds
from app.schemas import Schedule

Document = dict[str, Any]


def _present(document: Document) -> Document:
    """A document without the fields it has no value for."""
    return {key: value for key, value in document.items() if value is not None}


def taxonomy(vocab: Vocabulary, key: TaxonomyKey, with_terms: bool = False) -> Document:
    _, name, description = TAXONOMIES[key]
    document: Document = {
        "id": str(vocab.taxonomy_id(key)),
        "name": name,
        "description": description,
        "version": "1",
    }
    if with_terms:
        document["taxonomy_terms"] = [
            taxonomy_term(vocab, term) for term in vocab.terms if term.taxonomy == key
        ]
    return document


def taxonomy_term(vocab: Vocabulary, term: Term) -> Document:
    return _present(
        {
            "id": str(term.id),
            "name": term.name,
            "description": term.description,
            "parent_id": None if term.parent_id is None else str(term.parent_id),
            "taxonomy": TAXONOMIES[term.taxonomy][1],
            "taxonomy_id": str(vocab.taxonomy_id(term.taxonomy)),
            "term": term.slug,
        }
    )


def service_terms(vocab: Vocabulary, row: Row[Any]) -> list[Term]:
    """The terms of a service: its kind, its category, its outcomes."""
    found = [vocab.kind(row.kind)]
    if row.category is not None and (category := vocab.category(row.category)) is not None:
        found.append(category)
    found += [term for slug in row.outcomes if (term := vocab.outcome(slug)) is not None]
    return found


def _contact(row: Row[Any]) -> dict[str, Any]:
    return dict(row.contact or {})


def organization_brief(vocab: Vocabulary, row: Row[Any]) -> Document:
    """An organisation as lists show it (its one-to-one fields); `row` is an asset's row
    with `id`, `name`, `description`, `contact`."""
    contact = _contact(row)
    return _present(
        {
            "id": str(vocab.ids.make(Entity.ORGANIZATION, row.id)),
            "name": row.name,
            "description": row.description or row.name,
            "email": contact.get("email"),
            "website": contact.get("website"),
        }
    )


def service_brief(vocab: Vocabulary, row: Row[Any], organization: Document | None) -> Document:
    """A service as lists show it: its one-to-one fields, and its organisation's."""
    contact = _contact(row)
    document = _present(
        {
            "id": str(vocab.ids.make(Entity.SERVICE, row.id)),
            "organization_id": str(vocab.ids.make(Entity.ORGANIZATION, row.organization_asset)),
            "name": row.name,
            "description": row.description,
            "url": contact.get("website"),
            "email": contact.get("email"),
            "status": "active",
            "fees": row.cost,
            "last_modified": row.updated_at.isoformat(),
        }
    )
    if organization is not None:
        document["organization"] = organization
    return document


def _address(vocab: Vocabulary, location_id: UUID, row: Row[Any]) -> list[Document]:
    """The location's street address, when it has one and a postcode: `address_1` and
    `city` from its text (the city is its last comma-separated part)."""
    if not row.address or not row.postcode:
        return []
    *street, last = [part.strip() for part in row.address.split(",") if part.strip()] or [""]
    address_1, city = (", ".join(street), last) if street else (last, row.authority or "")
    return [
        {
            "id": str(vocab.ids.part(location_id, "address")),
            "location_id": str(location_id),
            "address_1": address_1,
            "city": city,
            "state_province": row.authority or "",
            "postal_code": row.postcode,
            "country": "GB",
            "address_type": "physical",
        }
    ]


def location(vocab: Vocabulary, row: Row[Any], full: bool) -> Document:
    """The place a service is at: its point, and with `full` its address and access."""
    location_id = vocab.ids.make(Entity.LOCATION, row.id)
    document: Document = {
        "id": str(location_id),
        "location_type": "physical",
        "name": row.name,
        "latitude": round(row.lat, 7),
        "longitude": round(row.lon, 7),
    }
    if full:
        document["addresses"] = _address(vocab, location_id, row)
        document["accessibility"] = (
            []
            if not row.accessibility
            else [
                {
                    "id": str(vocab.ids.part(location_id, "accessibility")),
                    "location_id": str(location_id),
                    "description": row.accessibility,
                }
            ]
        )
        document["attributes"] = []
    return document


def service_at_location(
    vocab: Vocabulary, row: Row[Any], service: Document | None, full: bool
) -> Document:
    """A service at its place; `service` is the service as it should be nested (or None)."""
    document: Document = {
        "id": str(vocab.ids.make(Entity.SERVICE_AT_LOCATION, row.id)),
        "service_id": str(vocab.ids.make(Entity.SERVICE, row.id)),
        "location_id": str(vocab.ids.make(Entity.LOCATION, row.id)),
        "location": location(vocab, row, full),
    }
    if service is not None:
        document["service"] = service
    return document


def service_full(
    vocab: Vocabulary,
    row: Row[Any],
    organization: Document | None,
    with_locations: bool = True,
) -> Document:
    """A service fully nested: its organisation, schedules, place, phone, terms."""
    service_id = vocab.ids.make(Entity.SERVICE, row.id)
    document = service_brief(vocab, row, organization)
    schedule = None if row.schedule is None else Schedule.model_validate(row.schedule)
    document["schedules"] = [] if schedule is None else to_hsds(schedule, service_id)
    document["service_areas"] = []
    if with_locations:
        document["service_at_locations"] = [service_at_location(vocab, row, None, True)]
    document["languages"] = []
    document["funding"] = []
    document["cost_options"] = []
    document["contacts"] = []
    phone = _contact(row).get("phone")
    # HSDS 3.0's own service phones (the UK profile names none; it allows more fields)
    document["phones"] = (
        [] if phone is None else [{"id": str(vocab.ids.part(service_id, "phone")), "number": phone}]
    )
    document["attributes"] = [
        {
            "id": str(vocab.ids.part(service_id, f"attribute {term.id}")),
            "link_id": str(service_id),
            "link_type": "service",
            "taxonomy_term_id": str(term.id),
            "taxonomy_term": taxonomy_term(vocab, term),
        }
        for term in service_terms(vocab, row)
    ]
    if row.opening_hours and not document["schedules"]:
        # free text only: as an ORUK schedule's description
        document["schedules"] = [
            {
                "id": str(vocab.ids.part(service_id, "opening hours")),
                "service_id": str(service_id),
                "description": row.opening_hours,
            }
        ]
    return document


def minimal_service(vocab: Vocabulary, row: Row[Any]) -> Document:
    """A service as `minimal=true` lists it: its id and when it last changed (with its
    name and status, which every service carries)."""
    return {
        "id": str(vocab.ids.make(Entity.SERVICE, row.id)),
        "name": row.name,
        "status": "active",
        "last_modified": row.updated_at.isoformat(),
    }
