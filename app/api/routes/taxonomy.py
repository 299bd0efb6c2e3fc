"""The category taxonomy and outcome domains."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.api.answers import OutcomeOut, Taxonomy
from app.api.deps import ReadSessionDep
from app.domain import categories
from app.domain.links import LINK_TYPES
from app.taxonomy import KINDS

router = APIRouter(tags=["taxonomy"])


@router.get("/taxonomy", response_model=Taxonomy, summary="The category tree")
def taxonomy(
    session: ReadSessionDep,
    within: Annotated[
        str | None,
        Query(
            max_length=20,
            description="An area's code: its local authority's own categories are offered too",
            examples=["E08000009"],
        ),
    ] = None,
) -> dict[str, Any]:
    """The six kinds of asset, each with its tree of categories (slug, name, children), and
    the kinds of link between assets with how each reads from either end. The shared
    taxonomy, and with `within` the categories of the local authority holding that area."""
    authorities = [] if within is None else categories.authorities_at(session, within)
    tree = categories.category_tree(session, authorities)
    return {
        "kinds": [
            {
                "kind": kind,
                "description": description,
                "categories": [node for node in tree if node["kind"] == kind],
            }
            for kind, description in KINDS.items()
        ],
        "link_types": [
            {"type": words.type, "label": words.label, "inverse": words.inverse}
            for words in LINK_TYPES
        ],
    }


@router.get("/outcomes", response_model=list[OutcomeOut], summary="Outcome domains")
def outcomes(session: ReadSessionDep) -> list[dict[str, str]]:
    """The whole-life outcome domains assets contribute to."""
    return categories.outcomes(session)
