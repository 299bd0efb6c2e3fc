"""The category taxonomy and outcome domains, as stored (the defaults are in app.taxonomy).

Beside the shared taxonomy, each local authority may add categories of its own under the
six kinds (migration 0016): they are offered only within that authority, and an asset may
take one only inside it (the database's trigger `asset_category_authority` refuses the
rest, however the asset is written).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.auth.accounts import Account
from app.errors import FieldProblem, Problem, invalid, not_found
from app.i18n import said
from app.models import Area, Category, Outcome
from app.taxonomy import KINDS

SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def category_id(session: Session, slug: str, kind: str | None, field: str) -> int:
    """The id of the category `slug`; a 422 naming `field` if unknown or not under `kind`."""
    row = session.execute(select(Category.id, Category.kind).where(Category.slug == slug)).first()
    if row is None:
        raise invalid(field, said("unknown category {slug} (see GET /taxonomy)", slug=repr(slug)))
    if kind is not None and row.kind != kind:
        raise invalid(
            field,
            said(
                "category {slug} sits under kind {under}, not {kind}",
                slug=repr(slug),
                under=repr(row.kind),
                kind=repr(kind),
            ),
        )
    return int(row.id)


@dataclass(frozen=True)
class StoredCategory:
    id: int
    slug: str
    name: str
    kind: str


def all_categories(session: Session) -> dict[str, StoredCategory]:
    """Every category of the shared taxonomy, by slug (files and feeds are imported with
    these alone: an authority's own are taken through the API, where the asset is)."""
    rows = session.execute(
        select(Category.id, Category.slug, Category.name, Category.kind).where(
            Category.authority_code.is_(None)
        )
    )
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
        raise invalid(
            field, said("unknown outcome {slug} (see GET /outcomes)", slug=repr(unknown[0]))
        )


def offered(authorities: list[str]) -> ColumnElement[bool]:
    """Whether the category of the row is offered within `authorities` (local authority
    codes): the shared taxonomy, and those authorities' own."""
    return or_(Category.authority_code.is_(None), Category.authority_code.in_(authorities))


def category_tree(session: Session, authorities: list[str] | None = None) -> list[dict[str, Any]]:
    """The taxonomy offered within `authorities` (none: the shared one alone) as nested
    nodes: {slug, name, kind, authority, children}, by kind then name."""
    rows = session.execute(
        select(
            Category.id,
            Category.slug,
            Category.name,
            Category.kind,
            Category.parent_id,
            Category.authority_code,
        )
        .where(offered(authorities or []))
        .order_by(Category.kind, Category.name)
    ).all()
    nodes = {
        row.id: {
            "slug": row.slug,
            "name": row.name,
            "kind": row.kind,
            "authority": row.authority_code,
            "children": [],
        }
        for row in rows
    }
    roots: list[dict[str, Any]] = []
    for row in rows:
        siblings = roots if row.parent_id is None else nodes[row.parent_id]["children"]
        siblings.append(nodes[row.id])
    return roots


def authorities_at(session: Session, code: str, field: str = "within") -> list[str]:
    """The local authorities area `code` lies within (itself, if it is one); a 422 naming
    `field` if there is no such area."""
    area = select(Area.code, Area.level, Area.label_point).where(Area.code == code).subquery()
    if session.scalar(select(func.count()).select_from(area)) == 0:
        raise invalid(field, said("no area has the code {code}", code=repr(code)))
    authority = Area.__table__.alias("authority")
    inside = exists(
        select(area.c.code).where(
            or_(
                area.c.code == authority.c.code,
                and_(
                    area.c.level != "local_authority",
                    func.ST_Intersects(authority.c.geom, area.c.label_point),
                ),
            )
        )
    )
    return list(
        session.scalars(
            select(authority.c.code)
            .where(authority.c.level == "local_authority", inside)
            .order_by(authority.c.code)
        )
    )


def local_authorities(session: Session) -> list[dict[str, Any]]:
    """Every local authority: its code and name, by name."""
    rows = session.execute(
        select(Area.code, Area.name).where(Area.level == "local_authority").order_by(Area.name)
    )
    return [{"code": row.code, "name": row.name} for row in rows]


@dataclass(frozen=True)
class NewCategory:
    slug: str
    name: str
    kind: str
    parent: str | None = None


def _authority(session: Session, code: str) -> None:
    level = session.scalar(select(Area.level).where(Area.code == code))
    if level is None:
        raise not_found(f"area {code}")
    if level != "local_authority":
        raise invalid(
            "code", said("{code} is a {level}, not a local authority", code=code, level=level)
        )


def add_category(
    session: Session, account: Account, authority: str, new: NewCategory
) -> dict[str, Any]:
    """A category of `authority`'s own, under one of the six kinds (and under a `parent` of
    the same kind, shared or the authority's), added by an admin of it. A 403 for anyone
    else, a 422 naming `slug`, `name`, `kind` or `parent`, a 409 for a slug taken."""
    _authority(session, authority)
    if not (account.everywhere or (account.role == "admin" and authority in account.areas)):
        raise Problem(
            403,
            said("only admins of {code} add its categories", code=authority),
            [FieldProblem("code", said("you do not administer {code}", code=authority))],
        )
    if not SLUG.fullmatch(new.slug) or len(new.slug) > 60:
        raise invalid("slug", "must be lower-case letters and digits joined by hyphens")
    if not new.name.strip():
        raise invalid("name", "must not be empty")
    if new.kind not in KINDS:
        raise invalid("kind", said("must be one of {kinds}", kinds=", ".join(KINDS)))
    parent_id = None
    if new.parent is not None:
        parent = session.execute(
            select(Category.id, Category.kind).where(
                Category.slug == new.parent, offered([authority])
            )
        ).first()
        if parent is None:
            raise invalid(
                "parent",
                said(
                    "no category {slug} is offered in {code}", slug=repr(new.parent), code=authority
                ),
            )
        if parent.kind != new.kind:
            raise invalid(
                "parent",
                said(
                    "{slug} sits under kind {kind}", slug=repr(new.parent), kind=repr(parent.kind)
                ),
            )
        parent_id = parent.id
    if session.scalar(select(Category.id).where(Category.slug == new.slug)) is not None:
        raise Problem(
            409,
            said("slug: {slug} is taken", slug=repr(new.slug)),
            [FieldProblem("slug", "is taken: a slug is unique across every taxonomy")],
        )
    session.execute(
        insert(Category).values(
            slug=new.slug,
            name=new.name.strip(),
            kind=new.kind,
            parent_id=parent_id,
            authority_code=authority,
            added_by=account.email,
            added_at=datetime.now(UTC),
        )
    )
    return {
        "slug": new.slug,
        "name": new.name.strip(),
        "kind": new.kind,
        "parent": new.parent,
        "authority": authority,
    }


def authority_categories(session: Session, authority: str) -> list[dict[str, Any]]:
    """The categories `authority` added (a 404 if it is no area), by kind then name."""
    _authority(session, authority)
    parent = Category.__table__.alias("parent")
    rows = session.execute(
        select(
            Category.slug,
            Category.name,
            Category.kind,
            parent.c.slug.label("parent"),
            Category.authority_code.label("authority"),
        )
        .outerjoin(parent, parent.c.id == Category.parent_id)
        .where(Category.authority_code == authority)
        .order_by(Category.kind, Category.name)
    )
    return [dict(row._mapping) for row in rows]


def outcomes(session: Session) -> list[dict[str, str]]:
    rows = session.execute(select(Outcome.slug, Outcome.name).order_by(Outcome.slug)).all()
    return [{"slug": row.slug, "name": row.name} for row in rows]
