"""What the Open Referral UK feed answers, for `/openapi.json`: its envelope and its
about document. The documents in `contents` are ORUK's own (app.io.oruk_documents; their
schemas are the standard's, served at `/oruk/openapi.json`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class OrukAbout(BaseModel):
    version: str = Field(description="The HSDS version of the feed")
    profile: str = Field(description="Where the profile it follows is described")
    openapi_url: str = Field(description="The OpenAPI description it conforms to")


class OrukPage(BaseModel):
    """A page of a list, in the ORUK envelope."""

    total_items: int
    total_pages: int
    page_number: int
    size: int = Field(description="How many items this page holds")
    first_page: bool
    last_page: bool
    empty: bool
    contents: list[dict[str, Any]]
