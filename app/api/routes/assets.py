"""Assets: `/assets` and `/assets/{id}`. Parse, call the asset domain modules, shape the
response."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from app.api import public_reads
from app.api.answers import AssetFeature, AssetPage, Opening, Revision, Suggested
from app.api.deps import (
    AccountDep,
    After,
    Limit,
    ReaderAccountDep,
    ReadSessionDep,
    SessionDep,
    SessionsDep,
    SettingsDep,
    SignedInDep,
    stale_cutoff,
)
from app.api.filters import FilterDep
from app.api.openapi import answer, problems
from app.api.public_reads import ReadsDep
from app.api.responses import GeoJSONResponse, page_response
from app.domain import (
    access,
    asset_history,
    asset_search,
    asset_writes,
    contributions,
    links,
    moderation,
    opening,
)
from app.domain.geometry import AssetLocation, asset_location
from app.domain.visibility import PUBLIC_STATUSES, View
from app.errors import Problem
from app.i18n import said
from app.schemas import AssetFeatureIn, AssetPatch, Status
from app.settings import ApiSettings

router = APIRouter(prefix="/assets", tags=["assets"])

AssetId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The asset's id", examples=[1])]
IfMatch = Annotated[
    str | None, Header(description="ETag of the version you changed, to refuse lost updates")
]
_ETAG = re.compile(r'^(?:W/)?"(\d+)-(\d+)"$')


def _expected_version(if_match: str | None, asset_id: int) -> int | None:
    """The version an If-Match header names; None for no header or `*`."""
    if if_match is None or if_match.strip() == "*":
        return None
    for tag in (part.strip() for part in if_match.split(",")):
        found = _ETAG.match(tag)
        if found and int(found.group(1)) == asset_id:
            return int(found.group(2))
    raise Problem(
        412, said("If-Match does not name a version of asset {asset_id}", asset_id=asset_id)
    )


def _feature_response(stored: asset_search.StoredAsset, status_code: int = 200) -> GeoJSONResponse:
    return GeoJSONResponse(stored.feature, status_code=status_code, headers={"ETag": stored.etag})


@router.get(
    "",
    response_class=GeoJSONResponse,
    response_model=AssetPage,
    summary="Search assets",
    responses=problems(403),
)
async def search_assets(
    request: Request,
    sessions: SessionsDep,
    reads: ReadsDep,
    account: ReaderAccountDep,
    wanted: FilterDep,
    limit: Limit,
    after: After = None,
    status_: Annotated[Status, Query(alias="status")] = "published",
    stale_after: Annotated[
        str | None,
        Query(
            max_length=40,
            description="ISO 8601 duration, e.g. P12M: only assets not verified within it",
            examples=["P12M"],
        ),
    ] = None,
) -> Response:
    """A GeoJSON FeatureCollection of published assets, a page at a time (`next` link).
    Archived ones with `status=archived`; pending and draft ones are for admins (moderators
    find theirs in `GET /moderation/queue`).

    With `near`, assets within `within_m` metres (default 5 km) ordered by distance on the
    spheroid, each with `distance_m`.
    """
    if status_ not in PUBLIC_STATUSES and (account is None or not account.everywhere):
        raise access.forbidden(f"only admins of everything list {status_} assets", "status")
    wanted = replace(
        wanted,
        status=status_,
        verified_before=None if stale_after is None else stale_cutoff(stale_after),
    )
    if account is None:
        page = await public_reads.asset_page(reads, sessions, wanted, limit, after)
    else:
        page = await run_in_threadpool(public_reads.looked_up_page, sessions, wanted, limit, after)
    return page_response(request, page)


def change_locator(settings: ApiSettings) -> moderation.Locate:
    """Where a change moves an asset to (None: it does not), checked as a new one is."""

    def locate(patch: AssetPatch) -> AssetLocation | None:
        if patch.geometry is None:
            return None
        return asset_location(patch.geometry.model_dump(), settings.service_extent)

    return locate


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_class=GeoJSONResponse,
    response_model=AssetFeature,
    summary="Add an asset",
    responses=answer(202, "Suggested: it waits for a moderator", model=Suggested)
    | problems(403, 409),
)
def add_asset(
    feature: AssetFeatureIn,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    account: AccountDep,
) -> Response:
    """Store a GeoJSON Feature as a new asset. A Polygon or MultiPolygon is kept as the
    footprint, with a point inside it as the asset's location.

    A moderator of the area (or an admin) publishes it at once (201). Anyone else's asset
    waits as `pending` for a moderator (status `draft` keeps it back): a contributor gets
    201 with the asset, which they can read and change until it is published; an anonymous
    visitor gets 202, and nothing is kept about them. Only signed-in contributors add
    individuals (people), recording their consent."""
    location = asset_location(feature.geometry.model_dump(), settings.service_extent)
    outcome = contributions.add(session, account, feature.properties, location)
    if isinstance(outcome, contributions.Waiting) and account is None:
        return JSONResponse(
            {
                "id": outcome.request["asset_id"],
                "status": "pending",
                "detail": "thank you: a moderator of the area will check it before it is published",
                "moderation": jsonable_encoder(outcome.request),
            },
            status_code=status.HTTP_202_ACCEPTED,
        )
    stored = outcome.asset
    assert stored is not None  # a new asset is always its contributor's to read
    response = _feature_response(stored, status.HTTP_201_CREATED)
    response.headers["Location"] = str(request.url_for("read_asset", asset_id=stored.id))
    return response


@router.get(
    "/{asset_id}",
    response_class=GeoJSONResponse,
    response_model=AssetFeature,
    summary="Read an asset",
    responses=problems(404),
)
def read_asset(asset_id: AssetId, session: ReadSessionDep, account: AccountDep) -> Response:
    """One asset as a GeoJSON Feature, with its ETag. Its moderators and contributor read it
    whole (an individual's own point, contact and consent); everyone else as the public."""
    if account is None:
        return _feature_response(asset_search.get_asset(session, asset_id))
    allowed = access.access(session, account, asset_id)
    view: View = "full" if allowed.whole else "public"
    return _feature_response(asset_search.get_asset(session, asset_id, view))


@router.get(
    "/{asset_id}/opening",
    response_model=Opening,
    summary="Whether an asset is open",
    responses=problems(404),
)
def asset_opening(
    asset_id: AssetId,
    session: ReadSessionDep,
    at: Annotated[
        datetime | None,
        Query(description="When (default now); a time without an offset is Europe/London's"),
    ] = None,
) -> dict[str, Any]:
    """Whether the asset is open at `at` by its schedule, and its hours that local day: the
    page's "open now"."""
    return opening.opening(session, asset_id, at or datetime.now(UTC)).as_json()


@router.patch(
    "/{asset_id}",
    response_class=GeoJSONResponse,
    response_model=AssetFeature,
    summary="Change an asset",
    responses=answer(202, "Proposed: the change waits for a moderator", model=Suggested)
    | answer(204, "Changed, and no longer yours to read (a person's consent withdrawn)")
    | problems(403, 404, 409, 412),
)
def change_asset(
    asset_id: AssetId,
    patch: AssetPatch,
    session: SessionDep,
    settings: SettingsDep,
    account: SignedInDep,
    if_match: IfMatch = None,
) -> Response:
    """Change the properties sent (null clears one) and/or the geometry. With `If-Match`,
    a stale ETag gives 412 and changes nothing.

    A moderator of its area (or an admin) changes it at once, as does its contributor
    while it is not yet published: the answer is the asset. A move is theirs only if they
    moderate where it goes too. Anyone else's change to a published asset waits for a
    moderator (202, with the request), and the public keeps seeing the published version
    meanwhile."""
    outcome = contributions.change(
        session,
        account,
        asset_id,
        patch,
        change_locator(settings),
        _expected_version(if_match, asset_id),
    )
    if isinstance(outcome, contributions.Waiting):
        return JSONResponse(
            {
                "detail": "a moderator of the area will check the change before it is published",
                "moderation": jsonable_encoder(outcome.request),
            },
            status_code=status.HTTP_202_ACCEPTED,
        )
    if outcome.asset is None:
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    return _feature_response(outcome.asset)


@router.delete(
    "/{asset_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Archive or erase an asset",
    responses=problems(403, 404, 412),
)
def delete_asset(
    asset_id: AssetId,
    session: SessionDep,
    account: SignedInDep,
    if_match: IfMatch = None,
    erase: Annotated[
        bool, Query(description="Remove its personal data, from it and from its history")
    ] = False,
) -> Response:
    """Archive the asset: it leaves searches and maps, and its history is kept. Moderators
    of its area and admins archive; a contributor withdraws their own unpublished asset.

    With `erase=true` (an admin, or the contributor who added it) the personal data goes
    from the asset and from every revision; the history keeps only who erased it, when."""
    allowed = access.access(session, account, asset_id)
    if erase:
        if not ((account.role == "admin" and allowed.moderator) or allowed.contributor):
            raise access.forbidden("only an admin or the contributor who added it erases it")
        asset_history.erase_asset(session, asset_id, account.email)
        moderation.withdraw(session, asset_id, account.email, "the asset was erased")
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    if not allowed.direct:
        raise access.forbidden(f"only a moderator of its area archives asset {asset_id}")
    asset_writes.archive_asset(
        session, asset_id, _expected_version(if_match, asset_id), account.email
    )
    moderation.withdraw(session, asset_id, account.email, f"archived by {account.email}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{asset_id}/verify",
    response_class=GeoJSONResponse,
    response_model=AssetFeature,
    summary="It is still there",
    responses=problems(404),
)
def verify(asset_id: AssetId, account: SignedInDep, session: SessionDep) -> Response:
    """Record that you confirmed the asset is still there, now (`verified_at`,
    `verified_by`): a new version, in its history."""
    access.access(session, account, asset_id)
    return _feature_response(asset_writes.verify_asset(session, asset_id, account.email))


@router.get(
    "/{asset_id}/history",
    response_model=list[Revision],
    summary="Every change to an asset",
    responses=problems(404),
)
def history(
    asset_id: AssetId, account: SignedInDep, session: ReadSessionDep
) -> list[dict[str, Any]]:
    """Each revision, oldest first: version, action, when, by whom, the changed fields
    before and after. An individual's personal fields are shown only to those who read them
    whole: moderators of its area, admins and its contributor."""
    allowed = access.access(session, account, asset_id)
    revisions = asset_history.asset_history(session, asset_id, with_personal=allowed.whole)
    return sorted(
        revisions + links.link_events(session, asset_id), key=lambda entry: entry["changed_at"]
    )


@router.post(
    "/{asset_id}/restore/{revision}",
    response_class=GeoJSONResponse,
    response_model=AssetFeature,
    summary="Bring back an earlier version",
    responses=problems(403, 404),
)
def restore(
    asset_id: AssetId,
    revision: Annotated[int, Path(ge=1, le=2**31 - 1, description="The version to restore")],
    account: SignedInDep,
    session: SessionDep,
) -> Response:
    """Make the content of an earlier version current again, as a new version (action
    `restore`); whether it is published, and its verification, stay as they are. For
    moderators of its area and admins."""
    allowed = access.access(session, account, asset_id)
    if not allowed.moderator:
        raise access.forbidden(f"only a moderator of its area restores asset {asset_id}")
    return _feature_response(
        asset_history.restore_asset(session, asset_id, revision, account.email)
    )
