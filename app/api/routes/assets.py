"""Assets: `/assets` and `/assets/{id}`. Parse, call app.domain.assets, shape the response."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

import isodate
from fastapi import APIRouter, Header, Path, Query, Request, Response, status

from app.api.deps import (
    After,
    BBox,
    Limit,
    Near,
    ReadSessionDep,
    SessionDep,
    SettingsDep,
    SignedInDep,
    WithinM,
)
from app.api.responses import GeoJSONResponse, page_response
from app.domain import assets
from app.domain.geometry import asset_location
from app.errors import Problem, invalid
from app.schemas import AssetFeatureIn, AssetPatch, Kind, Slug, Status

router = APIRouter(prefix="/assets", tags=["assets"])

AssetId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The asset's id")]
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
    raise Problem(412, f"If-Match does not name a version of asset {asset_id}")


def _feature_response(stored: assets.StoredAsset, status_code: int = 200) -> GeoJSONResponse:
    return GeoJSONResponse(stored.feature, status_code=status_code, headers={"ETag": stored.etag})


@router.get("", response_class=GeoJSONResponse, summary="Search assets")
def search_assets(
    request: Request,
    session: ReadSessionDep,
    settings: SettingsDep,
    bbox: BBox,
    near: Near,
    limit: Limit,
    within_m: WithinM,
    after: After = None,
    kind: Kind | None = None,
    category: Annotated[
        Slug | None, Query(description="A category slug; includes its sub-categories")
    ] = None,
    outcome: Slug | None = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Text in name or description")
    ] = None,
    status_: Annotated[Status, Query(alias="status")] = "published",
    updated_since: datetime | None = None,
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

    With `near`, assets within `within_m` metres (default 5 km) ordered by distance on the
    spheroid, each with `distance_m`.
    """
    wanted = assets.AssetFilter(
        bbox=bbox,
        near=near,
        within_m=within_m,
        kind=kind,
        category=category,
        outcome=outcome,
        q=q,
        status=status_,
        updated_since=updated_since,
        verified_before=None if stale_after is None else _stale_cutoff(stale_after),
    )
    return page_response(request, assets.list_assets(session, wanted, limit, after))


def _stale_cutoff(duration: str) -> datetime:
    """Now less an ISO 8601 duration (P12M, P1Y6M, P90D); a 422 naming `stale_after`."""
    now = datetime.now(UTC)
    try:
        cutoff: datetime = now - isodate.parse_duration(duration)
    except (isodate.ISO8601Error, ValueError, OverflowError) as bad:
        raise invalid("stale_after", "must be an ISO 8601 duration such as P12M") from bad
    if cutoff >= now:
        raise invalid("stale_after", "must be a positive duration")
    return cutoff


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_class=GeoJSONResponse,
    summary="Add an asset",
)
def add_asset(
    feature: AssetFeatureIn, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """Store a GeoJSON Feature as a new asset. A Polygon or MultiPolygon is kept as the
    footprint, with a point inside it as the asset's location."""
    location = asset_location(feature.geometry.model_dump(), settings.service_extent)
    stored = assets.create_asset(session, feature.properties, location)
    response = _feature_response(stored, status.HTTP_201_CREATED)
    response.headers["Location"] = str(request.url_for("read_asset", asset_id=stored.id))
    return response


@router.get("/{asset_id}", response_class=GeoJSONResponse, summary="Read an asset")
def read_asset(asset_id: AssetId, session: ReadSessionDep) -> Response:
    """One asset as a GeoJSON Feature, with its ETag."""
    return _feature_response(assets.get_asset(session, asset_id))


@router.patch("/{asset_id}", response_class=GeoJSONResponse, summary="Change an asset")
def change_asset(
    asset_id: AssetId,
    patch: AssetPatch,
    session: SessionDep,
    settings: SettingsDep,
    if_match: IfMatch = None,
) -> Response:
    """Change the properties sent (null clears one) and/or the geometry. With `If-Match`,
    a stale ETag gives 412 and changes nothing. Answers with the asset as the public now
    sees it, or 204 when the public no longer may (an individual's consent withdrawn)."""
    location = (
        None
        if patch.geometry is None
        else asset_location(patch.geometry.model_dump(), settings.service_extent)
    )
    stored = assets.update_asset(
        session, asset_id, patch.properties, location, _expected_version(if_match, asset_id)
    )
    if stored is None:
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    return _feature_response(stored)


@router.delete("/{asset_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Archive an asset")
def delete_asset(asset_id: AssetId, session: SessionDep, if_match: IfMatch = None) -> Response:
    """Archive the asset: it leaves searches and maps, and its history is kept."""
    assets.archive_asset(session, asset_id, _expected_version(if_match, asset_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{asset_id}/verify", response_class=GeoJSONResponse, summary="It is still there")
def verify(asset_id: AssetId, account: SignedInDep, session: SessionDep) -> Response:
    """Record that you confirmed the asset is still there, now (`verified_at`,
    `verified_by`): a new version, in its history."""
    return _feature_response(assets.verify_asset(session, asset_id, account.email))


@router.get("/{asset_id}/history", summary="Every change to an asset")
def history(
    asset_id: AssetId, account: SignedInDep, session: ReadSessionDep
) -> list[dict[str, Any]]:
    """Each revision, oldest first: version, action, when, by whom, the changed fields
    before and after. An individual's personal fields are shown to admins only."""
    return assets.asset_history(session, asset_id, with_personal=account.role == "admin")
