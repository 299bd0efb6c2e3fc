"""The category taxonomy and outcome domains."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.api.answers import OutcomeOut, Taxonomy
from app.api.deps import ReadSessionDep
from app.domain import categories
from app.domain.links import LINK_TYPES
from app.taxonomy import KINDS

router = APIRouter(tags=["taxonomy"])


@router.get("/taxonomy", response_model=Taxonomy, summary="The category tree")
def taxonomy(session: ReadSessionDep) -> dict[str, Any]:
    """The six kinds of asset, each with its tree of categories (slug, name, children), and
    the kinds of link between assets with how each reads from either end."""
    tree = categories.category_tree(session)
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
