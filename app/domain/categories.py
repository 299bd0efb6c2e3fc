"""The category taxonomy and outcome domains, as stored (the defaults are in app.taxonomy)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.errors import invalid
from app.models import Category, Outcome


def category_id(session: Session, slug: str, kind: str | None, field: str) -> int:
    """The id of the category `slug`; a 422 naming `field` if unknown or not under `kind`."""
    row = session.execute(select(Category.id, Category.kind).where(Category.slug == slug)).first()
    if row is None:
        raise invalid(field, f"unknown category {slug!r} (see GET /taxonomy)")
    if kind is not None and row.kind != kind:
        raise invalid(field, f"category {slug!r} sits under kind {row.kind!r}, not {kind!r}")
    return int(row.id)


@dataclass(frozen=True)
class StoredCategory:
    id: int
    slug: str
    name: str
    kind: str


def all_categories(session: Session) -> dict[str, StoredCategory]:
    """Every category, by slug."""
    rows = session.execute(select(Category.id, Category.slug, Category.name, Category.kind))
    return {row.slug: StoredCategory(row.id, row.slug, row.name, row.kind) for row in rows}


def subtree_ids(top_id: Any) -> Select[tuple[int]]:
    """A query of the ids of category `top_id` (an id or a bound parameter) and of every
    category below it."""
    tree = select(Category.id).where(Category.id == top_id).cte("subtree", recursive=True)
    tree = tree.union_all(select(Category.id).where(Category.parent_id == tree.c.id))
    return select(tree.c.id)


def check_outcomes(session: Session, slugs: list[str], field: str) -> None:
    """A 422 naming `field` if any slug is not a known outcome domain."""
    known = set(session.scalars(select(Outcome.slug).where(Outcome.slug.in_(slugs))))
    unknown = [slug for slug in slugs if slug not in known]
    if unknown:
        raise invalid(field, f"unknown outcome {unknown[0]!r} (see GET /outcomes)")


def category_tree(session: Session) -> list[dict[str, Any]]:
    """The taxonomy as nested nodes: {slug, name, kind, children}, by kind then name."""
    rows = session.execute(
        select(
            Category.id, Category.slug, Category.name, Category.kind, Category.parent_id
        ).order_by(Category.kind, Category.name)
    ).all()
    nodes = {
        row.id: {"slug": row.slug, "name": row.name, "kind": row.kind, "children": []}
        for row in rows
    }
    roots: list[dict[str, Any]] = []
    for row in rows:
        siblings = roots if row.parent_id is None else nodes[row.parent_id]["children"]
        siblings.append(nodes[row.id])
    return roots


def outcomes(session: Session) -> list[dict[str, str]]:
    rows = session.execute(select(Outcome.slug, Outcome.name).order_by(Outcome.slug)).all()
    return [{"slug": row.slug, "name": row.name} for row in rows]
