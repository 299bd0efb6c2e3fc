"""Change feeds: `GET /feeds/assets.atom`, the assets added, changed and archived, newest
first, as an Atom 1.0 feed for any feed reader, with the filters of `GET /assets`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response

from app.api.deps import ReadSessionDep
from app.api.filters import MatchDep
from app.api.openapi import answer
from app.api.responses import GEOJSON
from app.domain.asset_search import AssetFilter
from app.domain.subscriptions import PublicChange, public_changes
from app.io import atom

router = APIRouter(prefix="/feeds", tags=["feeds"])

LIMIT_DEFAULT = 50
LIMIT_MAX = 500
# The year in the feed's tag: URIs (RFC 4151): when this service began naming them so.
TAG_YEAR = 2026
TITLES = {"added": "Added", "changed": "Changed", "archived": "Archived"}


def _summary(change: PublicChange) -> str:
    what = change.category or change.kind
    if change.event == "added":
        return f"{change.name} ({what}) is on the map."
    if change.event == "archived":
        return f"{change.name} ({what}) was archived: it is no longer listed."
    return f"{change.name} ({what}) changed: {', '.join(change.field_names)}."


@router.get(
    "/assets.atom",
    response_class=Response,
    summary="Changes to assets, as an Atom feed",
    responses=answer(200, "An Atom 1.0 feed, newest entry first", atom.MEDIA_TYPE),
)
def assets_feed(
    request: Request,
    session: ReadSessionDep,
    match: MatchDep,
    q: Annotated[
        str | None, Query(max_length=200, description="Text in name or description")
    ] = None,
    within: Annotated[
        str | None,
        Query(max_length=20, description="Only assets inside this area, e.g. E08000009"),
    ] = None,
    limit: Annotated[
        int | None,
        Query(ge=1, description=f"Entries (default {LIMIT_DEFAULT}); above {LIMIT_MAX} clamped"),
    ] = None,
) -> Response:
    """The newest changes to the assets anyone may see: each added (or published again),
    changed (naming the fields) or archived, one entry per change, with a stable id, the
    time, a title ("Added: ...", "Changed: ...", "Archived: ..."), a link to the asset and
    a summary. Assets are named as the public sees them now; the filters are those of
    `GET /assets`."""
    wanted = AssetFilter.matching(match, q=q, area_code=within)
    changes = public_changes(session, wanted, min(limit or LIMIT_DEFAULT, LIMIT_MAX))
    base = str(request.base_url).rstrip("/")
    tag = f"tag:{request.url.hostname or 'localhost'},{TAG_YEAR}:"
    asked = {
        key: value
        for key, value in (
            ("kind", match.kind),
            ("category", match.category),
            ("outcome", match.outcome),
            ("q", q),
            ("within", within),
        )
        if value is not None
    }
    query = f"?{urlencode(asked)}" if asked else ""
    feed = atom.Feed(
        id=f"{tag}feeds/assets{query}",
        title="Changes to community assets",
        updated=changes[0].changed_at if changes else datetime.now(UTC),
        self_link=str(request.url),
        alternate=f"{base}/assets{query}",
        alternate_type=GEOJSON,
        author="Community Asset Map",
    )
    entries = [
        atom.Entry(
            id=f"{tag}asset-revisions/{change.revision_id}",
            title=f"{TITLES[change.event]}: {change.name}",
            updated=change.changed_at,
            link=f"{base}/assets/{change.asset_id}",
            summary=_summary(change),
            category=change.kind,
        )
        for change in changes
    ]
    return Response(atom.document(feed, entries), media_type=atom.MEDIA_TYPE)
