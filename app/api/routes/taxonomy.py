"""The category taxonomy and outcome domains, named in the reader's language (English or
Welsh: app.i18n); the slugs stay as they are."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.api.answers import OutcomeOut, Taxonomy
from app.api.deps import ReadSessionDep
from app.domain import categories
from app.domain.links import LINK_TYPES
from app.i18n import LanguageDep, translator
from app.taxonomy import KIND_NAMES, KINDS

router = APIRouter(tags=["taxonomy"])


def _named(nodes: list[dict[str, Any]], _: Callable[[str], str]) -> list[dict[str, Any]]:
    """Category nodes with their names through the catalogue (a locality's own: as kept)."""
    return [
        {**node, "name": _(node["name"]), "children": _named(node["children"], _)} for node in nodes
    ]


@router.get("/taxonomy", response_model=Taxonomy, summary="The category tree")
def taxonomy(
    session: ReadSessionDep,
    language: LanguageDep,
    within: Annotated[
        str | None,
        Query(
            max_length=20,
            description="An area's code: its local authority's own categories are offered too",
            examples=["E08000009"],
        ),
    ] = None,
) -> dict[str, Any]:
    """The six kinds of asset, each with its name and tree of categories (slug, name,
    children), and the kinds of link between assets with how each reads from either end;
    names in English or Welsh (Accept-Language or `lang`). The shared taxonomy, and with
    `within` the categories of the local authority holding that area."""
    _ = translator(language)
    authorities = [] if within is None else categories.authorities_at(session, within)
    tree = _named(categories.category_tree(session, authorities), _)
    return {
        "kinds": [
            {
                "kind": kind,
                "name": _(KIND_NAMES[kind]),
                "description": _(description),
                "categories": [node for node in tree if node["kind"] == kind],
            }
            for kind, description in KINDS.items()
        ],
        "link_types": [
            {"type": words.type, "label": _(words.label), "inverse": _(words.inverse)}
            for words in LINK_TYPES
        ],
    }


@router.get("/outcomes", response_model=list[OutcomeOut], summary="Outcome domains")
def outcomes(session: ReadSessionDep, language: LanguageDep) -> list[dict[str, str]]:
    """The whole-life outcome domains assets contribute to, named in the reader's language."""
    _ = translator(language)
    return [{**row, "name": _(row["name"])} for row in categories.outcomes(session)]
