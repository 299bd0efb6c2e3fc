"""The Open Referral UK v3 feed (`/oruk`): the directory's services as other directories,
family hubs and social prescribers read them, open to anyone (any site's page may read it:
it holds only what the public sees).

Lists are paged by number (`page`, `per_page`, clamped to the most), in the ORUK envelope;
a page past the last is empty. Filters combine as AND. Ids are the feed's UUIDs
(app.domain.feed_ids); one that names nothing here is a 404 for a read and matches nothing
as a filter.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from sqlalchemy.orm import Session

from app.api.deps import FeedSettingsDep, ReadSessionDep
from app.api.openapi import problems
from app.api.oruk_answers import OrukAbout, OrukPage
from app.domain import oruk
from app.domain.feed_ids import Entity, FeedIds
from app.domain.oruk import ServiceFilter, Vocabulary
from app.domain.paging import NumberedPage
from app.errors import invalid, not_found
from app.i18n import said
from app.io import oruk_documents as documents
from app.settings import FeedSettings

router = APIRouter(prefix="/oruk", tags=["open referral uk"])

OPENAPI = Path(__file__).resolve().parents[2] / "standards" / "openreferral-uk-v3" / "openapi.json"
PROFILE = "https://github.com/openreferral/uk-profile"
VERSION = "3.0"

IdPath = Annotated[str, PathParam(max_length=64, description="The feed's UUID of it")]


@cache
def _openapi() -> dict[str, Any]:
    return dict(json.loads(OPENAPI.read_text()))


class Paging:
    """`page` and `per_page` of a list: a 422 for a page before the first, a size clamped
    to the most (FeedSettings.per_page_max)."""

    def __init__(self, page: int, per_page: int | None, settings: FeedSettings) -> None:
        if page < 1:
            raise invalid("page", "pages are numbered from 1")
        if per_page is not None and per_page < 1:
            raise invalid("per_page", "must be at least 1")
        self.page = page
        self.per_page = min(per_page or settings.per_page_default, settings.per_page_max)

    def envelope(self, contents: list[Any], total: int) -> dict[str, Any]:
        return NumberedPage(contents, self.page, self.per_page, total).envelope()

    def cut(self, every: list[Any]) -> dict[str, Any]:
        """The page of a list held whole (the taxonomies, their terms)."""
        start = (self.page - 1) * self.per_page
        return self.envelope(every[start : start + self.per_page], len(every))


async def paging(
    settings: FeedSettingsDep,
    page: Annotated[int, Query(description="Which page, from 1")] = 1,
    per_page: Annotated[
        int | None, Query(description="Items per page (clamped to the most, 200 by default)")
    ] = None,
) -> Paging:
    return Paging(page, per_page, settings)


PagingDep = Annotated[Paging, Depends(paging)]


async def feed_ids(settings: FeedSettingsDep) -> FeedIds:
    return FeedIds(settings.directory)


FeedIdsDep = Annotated[FeedIds, Depends(feed_ids)]


async def service_filter(
    session: ReadSessionDep,
    settings: FeedSettingsDep,
    ids: FeedIdsDep,
    search: Annotated[str | None, Query(max_length=200, description="Full text search")] = None,
    taxonomy_term_id: Annotated[
        str | None, Query(max_length=64, description="Services with this taxonomy term")
    ] = None,
    taxonomy_id: Annotated[
        str | None, Query(max_length=64, description="Services with any term of this taxonomy")
    ] = None,
    organization_id: Annotated[
        str | None, Query(max_length=64, description="Services this organisation runs")
    ] = None,
    modified_after: Annotated[
        datetime | None, Query(description="Services changed on or after this time")
    ] = None,
    postcode: Annotated[
        str | None,
        Query(max_length=10, description="Nearest first to this postcode (the offline lookup)"),
    ] = None,
    proximity: Annotated[
        float | None, Query(gt=0, description="With `postcode`: only within this many metres")
    ] = None,
) -> tuple[ServiceFilter, Vocabulary]:
    """The ORUK filters of a list of services, and the feed's vocabulary."""
    vocab = oruk.vocabulary(session, ids)
    wanted = ServiceFilter(search=search, modified_after=modified_after)
    wanted = oruk.term_filter(vocab, wanted, taxonomy_term_id, taxonomy_id)
    if organization_id is not None:
        number = ids.read(oruk.read_uuid(organization_id, "organization_id"), Entity.ORGANIZATION)
        # an id naming no organisation of this feed matches nothing (asset ids start at 1)
        wanted = replace(wanted, organization_id=number or 0)
    if proximity is not None and postcode is None:
        raise invalid("proximity", "is measured from a postcode: give one")
    if proximity is not None and proximity > settings.proximity_max_m:
        raise invalid(
            "proximity",
            said(
                "must be at most {proximity_max_m} metres",
                proximity_max_m=f"{settings.proximity_max_m:.0f}",
            ),
        )
    if postcode is not None:
        near = oruk.postcode_point(session, postcode)
        wanted = replace(wanted, near=near, proximity_m=proximity)
    return wanted, vocab


ServiceFilterDep = Annotated[tuple[ServiceFilter, Vocabulary], Depends(service_filter)]
Minimal = Annotated[bool, Query(description="Only each service's id and when it changed")]
Full = Annotated[bool, Query(description="Fully nested services")]


@router.get("/", response_model=OrukAbout, summary="About this feed")
def about(request: Request) -> dict[str, str]:
    """The HSDS version of the feed, its profile, and the OpenAPI description it conforms
    to."""
    return {
        "version": VERSION,
        "profile": PROFILE,
        "openapi_url": str(request.url_for("oruk_openapi")),
    }


@router.get("/openapi.json", name="oruk_openapi", summary="The ORUK OpenAPI description")
def openapi_document() -> dict[str, Any]:
    """The Open Referral UK v3 OpenAPI description this feed conforms to (CC BY-SA 4.0,
    the Open Referral project)."""
    return _openapi()


def _organizations_of(
    session: Session, vocab: Vocabulary, rows: list[Any]
) -> dict[int, dict[str, Any]]:
    """The organisations running the services of `rows`, as lists show them, by asset id."""
    wanted = sorted({row.organization_asset for row in rows})
    if not wanted:
        return {}
    found, _ = oruk.organizations(session, 1, len(wanted), ids=wanted)
    return {row.id: documents.organization_brief(vocab, row) for row in found}


def _services(
    session: Session, vocab: Vocabulary, rows: list[Any], full: bool
) -> list[dict[str, Any]]:
    organizations = _organizations_of(session, vocab, rows)
    if full:
        return [
            documents.service_full(vocab, row, organizations.get(row.organization_asset))
            for row in rows
        ]
    return [
        documents.service_brief(vocab, row, organizations.get(row.organization_asset))
        for row in rows
    ]


@router.get("/services", response_model=OrukPage, summary="List services", responses=problems())
def list_services(
    session: ReadSessionDep,
    paging: PagingDep,
    filtered: ServiceFilterDep,
    minimal: Minimal = False,
    full: Full = False,
) -> dict[str, Any]:
    """Services, a page at a time: each with its one-to-one fields, fully nested with
    `full=true`, or only its id and when it changed with `minimal=true`."""
    wanted, vocab = filtered
    rows, total = oruk.services(session, wanted, paging.page, paging.per_page)
    if minimal:
        contents = [documents.minimal_service(vocab, row) for row in rows]
    else:
        contents = _services(session, vocab, rows, full)
    return paging.envelope(contents, total)


def _service_row(ids: FeedIds, session: Session, service_id: str, entity: Entity) -> Any:
    number = ids.read(service_id, entity)
    if number is None:
        raise not_found(entity.name.lower().replace("_", " "))
    return oruk.one_service(session, number)


@router.get("/services/{id}", summary="Read a service", responses=problems(404))
def read_service(id: IdPath, session: ReadSessionDep, ids: FeedIdsDep) -> dict[str, Any]:
    """A service, fully nested: its organisation, place, schedules, phone and terms."""
    row = _service_row(ids, session, id, Entity.SERVICE)
    vocab = oruk.vocabulary(session, ids)
    (service,) = _services(session, vocab, [row], True)
    return service


@router.get(
    "/service_at_locations",
    response_model=OrukPage,
    summary="List services at their places",
    responses=problems(),
)
def list_service_at_locations(
    session: ReadSessionDep,
    paging: PagingDep,
    filtered: ServiceFilterDep,
    full: Full = False,
) -> dict[str, Any]:
    """Each service at its place, a page at a time; nearest first to a `postcode`, only
    within `proximity` metres of it when given."""
    wanted, vocab = filtered
    rows, total = oruk.services(session, wanted, paging.page, paging.per_page)
    organizations = _organizations_of(session, vocab, rows)
    contents = []
    for row in rows:
        organization = organizations.get(row.organization_asset)
        service = (
            documents.service_full(vocab, row, organization, with_locations=False)
            if full
            else documents.service_brief(vocab, row, organization)
        )
        contents.append(documents.service_at_location(vocab, row, service, full))
    return paging.envelope(contents, total)


@router.get(
    "/service_at_locations/{id}",
    summary="Read a service at its place",
    responses=problems(404),
)
def read_service_at_location(
    id: IdPath, session: ReadSessionDep, ids: FeedIdsDep
) -> dict[str, Any]:
    """A service at its place, both fully nested."""
    row = _service_row(ids, session, id, Entity.SERVICE_AT_LOCATION)
    vocab = oruk.vocabulary(session, ids)
    organization = _organizations_of(session, vocab, [row]).get(row.organization_asset)
    service = documents.service_full(vocab, row, organization, with_locations=False)
    return documents.service_at_location(vocab, row, service, True)


def _organization_full(session: Session, vocab: Vocabulary, row: Any) -> dict[str, Any]:
    """An organisation with every service it runs, fully nested."""
    document = documents.organization_brief(vocab, row)
    wanted = ServiceFilter(organization_id=row.id)
    services, _ = oruk.services(session, wanted, 1, max(int(row.services), 1))
    document["services"] = [documents.service_full(vocab, service, None) for service in services]
    document["organization_identifiers"] = []
    document["attributes"] = []
    return document


@router.get(
    "/organizations", response_model=OrukPage, summary="List organisations", responses=problems()
)
def list_organizations(
    session: ReadSessionDep,
    paging: PagingDep,
    ids: FeedIdsDep,
    search: Annotated[str | None, Query(max_length=200, description="Full text search")] = None,
    full: Full = False,
) -> dict[str, Any]:
    """The organisations running the services, a page at a time; with their services fully
    nested with `full=true`."""
    vocab = oruk.vocabulary(session, ids)
    rows, total = oruk.organizations(session, paging.page, paging.per_page, search)
    contents = [
        _organization_full(session, vocab, row)
        if full
        else documents.organization_brief(vocab, row)
        for row in rows
    ]
    return paging.envelope(contents, total)


@router.get("/organizations/{id}", summary="Read an organisation", responses=problems(404))
def read_organization(id: IdPath, session: ReadSessionDep, ids: FeedIdsDep) -> dict[str, Any]:
    """An organisation with every service it runs, fully nested."""
    number = ids.read(id, Entity.ORGANIZATION)
    if number is None:
        raise not_found("organization")
    vocab = oruk.vocabulary(session, ids)
    return _organization_full(session, vocab, oruk.one_organization(session, number))


@router.get("/taxonomies", response_model=OrukPage, summary="List taxonomies")
def list_taxonomies(session: ReadSessionDep, paging: PagingDep, ids: FeedIdsDep) -> dict[str, Any]:
    """The feed's taxonomies: the kinds of asset, the categories, the outcomes."""
    vocab = oruk.vocabulary(session, ids)
    every = [documents.taxonomy(vocab, key) for key in oruk.TAXONOMIES]
    return paging.cut(every)


@router.get("/taxonomies/{id}", summary="Read a taxonomy", responses=problems(404))
def read_taxonomy(id: IdPath, session: ReadSessionDep, ids: FeedIdsDep) -> dict[str, Any]:
    """A taxonomy with its terms."""
    vocab = oruk.vocabulary(session, ids)
    found = oruk.parse_uuid(id)
    key = None if found is None else vocab.taxonomy_of(found)
    if key is None:
        raise not_found("taxonomy")
    return documents.taxonomy(vocab, key, with_terms=True)


@router.get(
    "/taxonomy_terms", response_model=OrukPage, summary="List taxonomy terms", responses=problems()
)
def list_taxonomy_terms(
    session: ReadSessionDep,
    paging: PagingDep,
    ids: FeedIdsDep,
    taxonomy_id: Annotated[
        str | None, Query(max_length=64, description="Only the terms of this taxonomy")
    ] = None,
    search: Annotated[
        str | None, Query(max_length=200, description="Terms whose name holds this")
    ] = None,
) -> dict[str, Any]:
    """The terms of every taxonomy (or of one), a page at a time."""
    vocab = oruk.vocabulary(session, ids)
    terms = list(vocab.terms)
    if taxonomy_id is not None:
        key = vocab.taxonomy_of(oruk.read_uuid(taxonomy_id, "taxonomy_id"))
        terms = [term for term in terms if term.taxonomy == key]
    if search:
        terms = [term for term in terms if search.casefold() in term.name.casefold()]
    every = [documents.taxonomy_term(vocab, term) for term in terms]
    return paging.cut(every)


@router.get("/taxonomy_terms/{id}", summary="Read a taxonomy term", responses=problems(404))
def read_taxonomy_term(id: IdPath, session: ReadSessionDep, ids: FeedIdsDep) -> dict[str, Any]:
    """A taxonomy term: a kind, a category or an outcome."""
    vocab = oruk.vocabulary(session, ids)
    found = oruk.parse_uuid(id)
    term = None if found is None else vocab.term(found)
    if term is None:
        raise not_found("taxonomy term")
    return documents.taxonomy_term(vocab, term)
