"""Response classes and link helpers shared by the routers."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.responses import JSONResponse

from app.domain.features import feature_collection
from app.domain.paging import Page

GEOJSON = "application/geo+json"
# For what must not be kept by a browser or a proxy: a secret shown once, a one-time page.
NO_STORE = {"Cache-Control": "no-store"}


class GeoJSONResponse(JSONResponse):
    """GeoJSON text made by the database, sent through as it is (a JSON answer, so the API
    description documents its route's model)."""

    media_type = GEOJSON

    def render(self, content: Any) -> bytes:
        if isinstance(content, str):
            return content.encode()
        return super().render(content)


def page_response(request: Request, page: Page, **members: Any) -> GeoJSONResponse:
    """A FeatureCollection of one page, with `self` and (when more follow) `next` links."""
    links = [{"rel": "self", "type": GEOJSON, "href": str(request.url)}]
    if page.next_cursor is not None:
        next_url = request.url.include_query_params(after=page.next_cursor)
        links.append({"rel": "next", "type": GEOJSON, "href": str(next_url)})
    body = feature_collection(
        page.features, numberReturned=len(page.features), links=links, **members
    )
    return GeoJSONResponse(body)
