"""Links between assets: who co-produces what. A typed, directed link (a group `runs` a
club, `meets_at` a hall, is `part_of` a network, `partners_with`, `supports` or `funds`
another) is seen only by a reader who may see both its ends: the public through the view
`public_link` (both ends in the public face), stewards as they see each end. A link from
anyone but a moderator of its first end waits for one, as assets do; removed and rejected
links are kept, and an asset's history shows its links' comings and goings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    DateTime,
    MetaData,
    Table,
    Text,
    and_,
    cast,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.accounts import Account
from app.domain import access
from app.domain.asset_fields import public_asset
from app.domain.features import feature
from app.domain.visibility import ASSET
from app.errors import FieldProblem, Problem, invalid, not_found
from app.i18n import N_, said
from app.models import AssetLink, Category

LinkType = Literal["runs", "meets_at", "part_of", "partners_with", "supports", "funds"]


@dataclass(frozen=True)
class LinkWords:
    """How a link reads from its first end (`label`) and from its second (`inverse`)."""

    type: LinkType
    label: str
    inverse: str


LINK_TYPES = (
    LinkWords("runs", N_("runs"), N_("run by")),
    LinkWords("meets_at", N_("meets at"), N_("hosts")),
    LinkWords("part_of", N_("is part of"), N_("includes")),
    LinkWords("partners_with", N_("partners with"), N_("partners with")),
    LinkWords("supports", N_("supports"), N_("supported by")),
    LinkWords("funds", N_("funds"), N_("funded by")),
)

# Migration 0007's view: the links anyone may see (both ends published and shown).
public_link = Table(
    "public_link",
    MetaData(),  # of its own: Alembic makes no table of a view
    Column("id", BigInteger, primary_key=True),
    Column("from_id", BigInteger),
    Column("to_id", BigInteger),
    Column("type", Text),
    Column("created_at", DateTime(timezone=True)),
)

_FROM, _TO = ASSET.alias("link_from"), ASSET.alias("link_to")
_FROM_CATEGORY, _TO_CATEGORY = (
    Category.__table__.alias("from_category"),
    (Category.__table__.alias("to_category")),
)
LINKS = AssetLink.__table__


def _end(table: Any, category: Any) -> ColumnElement[Any]:
    return func.json_build_object(
        "id", table.c.id, "name", table.c.name, "kind", table.c.kind, "category", category.c.slug
    )


def _links(account: Account | None, standing_only: bool = True) -> Any:
    """Links with both their ends (id, name, kind, category) as `account` sees them: the
    published ones with both ends visible to them, and the waiting ones they may decide or
    sent themselves (with `standing_only`; else every one); and the columns that say
    whether each end is visible."""
    pending_theirs = and_(
        LINKS.c.status == "pending",
        or_(
            access.moderates(account, _FROM),
            LINKS.c.created_by == (account.email if account else None),
        ),
    )
    query = (
        select(
            LINKS.c.id,
            LINKS.c.type,
            LINKS.c.status,
            LINKS.c.from_id,
            LINKS.c.to_id,
            LINKS.c.created_at,
            LINKS.c.created_by,
            _end(_FROM, _FROM_CATEGORY).label("from_end"),
            _end(_TO, _TO_CATEGORY).label("to_end"),
            access.sees(account, _FROM).label("from_seen"),
            access.sees(account, _TO).label("to_seen"),
            access.moderates(account, _FROM).label("moderator"),
        )
        .join(_FROM, _FROM.c.id == LINKS.c.from_id)
        .join(_TO, _TO.c.id == LINKS.c.to_id)
        .outerjoin(_FROM_CATEGORY, _FROM_CATEGORY.c.id == _FROM.c.category_id)
        .outerjoin(_TO_CATEGORY, _TO_CATEGORY.c.id == _TO.c.category_id)
    )
    if standing_only:
        query = query.where(or_(LINKS.c.status == "published", pending_theirs))
    return query


def _shape(row: Any, steward: bool) -> dict[str, Any]:
    return {
        "id": row.id,
        "type": row.type,
        "status": row.status,
        "from": row.from_end,
        "to": row.to_end,
        "created_at": row.created_at,
        "created_by": row.created_by if steward else None,
    }


def _public_links(asset_id: int) -> Any:
    """The links of an asset anyone may see (`public_link`), with their ends' public faces."""
    start, end = public_asset.alias("link_from"), public_asset.alias("link_to")
    return (
        select(
            public_link.c.id,
            public_link.c.type,
            literal("published").label("status"),
            public_link.c.created_at,
            literal(None).label("created_by"),
            _end(start, _FROM_CATEGORY).label("from_end"),
            _end(end, _TO_CATEGORY).label("to_end"),
        )
        .join(start, start.c.id == public_link.c.from_id)
        .join(end, end.c.id == public_link.c.to_id)
        .outerjoin(_FROM_CATEGORY, _FROM_CATEGORY.c.id == start.c.category_id)
        .outerjoin(_TO_CATEGORY, _TO_CATEGORY.c.id == end.c.category_id)
        .where(or_(public_link.c.from_id == asset_id, public_link.c.to_id == asset_id))
        .order_by(public_link.c.id)
    )


# A links table's columns (CSV, GeoPackage), before the line between its ends.
EXPORT_COLUMNS = ("id", "type", "from_id", "from_name", "to_id", "to_name", "created_at")


def export_query(kind: Literal["features", "rows"], among: Any = None) -> Any:
    """Every public link (of those whose ends are both among the ids `among` selects, if
    given), by id: as Feature texts (a line from one end's public point to the other's),
    or as rows of EXPORT_COLUMNS then the line as WKB."""
    start, end = public_asset.alias("link_from"), public_asset.alias("link_to")
    line = func.ST_MakeLine(start.c.geom, end.c.geom)
    if kind == "features":
        columns: list[Any] = [
            cast(
                feature(
                    public_link.c.id,
                    line,
                    [
                        ("type", public_link.c.type),
                        ("from", _end(start, _FROM_CATEGORY)),
                        ("to", _end(end, _TO_CATEGORY)),
                        ("created_at", public_link.c.created_at),
                    ],
                ),
                Text,
            )
        ]
    else:
        columns = [
            public_link.c.id,
            public_link.c.type,
            start.c.id,
            start.c.name,
            end.c.id,
            end.c.name,
            public_link.c.created_at,
            func.ST_AsBinary(line),
        ]
    query = (
        select(*columns)
        .select_from(public_link)
        .join(start, start.c.id == public_link.c.from_id)
        .join(end, end.c.id == public_link.c.to_id)
        .outerjoin(_FROM_CATEGORY, _FROM_CATEGORY.c.id == start.c.category_id)
        .outerjoin(_TO_CATEGORY, _TO_CATEGORY.c.id == end.c.category_id)
        .order_by(public_link.c.id)
    )
    if among is not None:
        query = query.where(public_link.c.from_id.in_(among), public_link.c.to_id.in_(among))
    return query


def asset_links(session: Session, account: Account | None, asset_id: int) -> dict[str, Any]:
    """The links of an asset (both ways) that `account` (None: anonymous) may see, and how
    many more there are that it may not (an end it may not see). A 404 for an asset it
    may not see."""
    allowed = access.access(session, account, asset_id)
    touching = or_(LINKS.c.from_id == asset_id, LINKS.c.to_id == asset_id)
    standing = session.scalar(
        select(func.count()).where(touching, LINKS.c.status.in_(("pending", "published")))
    )
    if account is None:
        shown = [_shape(row, False) for row in session.execute(_public_links(asset_id))]
    else:
        rows = session.execute(_links(account).where(touching).order_by(LINKS.c.id)).all()
        shown = [
            _shape(row, allowed.whole or row.moderator)
            for row in rows
            if row.from_seen and row.to_seen
        ]
    return {"asset_id": asset_id, "links": shown, "hidden": int(standing or 0) - len(shown)}


@dataclass(frozen=True)
class LinkOutcome:
    """A link as written: at once (`applied`), or waiting for a moderator."""

    link: dict[str, Any]
    applied: bool


def add_link(
    session: Session, account: Account, from_id: int, link_type: str, to_id: int
) -> LinkOutcome:
    """Link `from_id` to `to_id` as `account`: published at once for a moderator of the
    first end's place (or an admin), else waiting. A 422 naming `to` for a link to itself,
    a 404 naming it for an end the writer may not see, a 409 for the same link twice."""
    if from_id == to_id:
        raise invalid("to", "an asset is not linked to itself")
    first = access.access(session, account, from_id)
    try:
        access.access(session, account, to_id)
    except Problem as unseen:
        raise Problem(
            404, said("asset {to_id} not found", to_id=to_id), [FieldProblem("to", "no such asset")]
        ) from (unseen)
    status = "published" if first.moderator else "pending"
    link_id = insert_link(session, from_id, link_type, to_id, status, account.email)
    return LinkOutcome(_one(session, account, link_id), status == "published")


def insert_link(
    session: Session, from_id: int, link_type: str, to_id: int, status: str, writer: str | None
) -> int:
    """Store a link the caller has checked, as `status`, written by `writer` (an email;
    None for someone in a scanning session's room). A 409 for the same link twice."""
    try:
        with session.begin_nested():
            return int(
                session.execute(
                    insert(AssetLink)
                    .values(
                        from_id=from_id,
                        to_id=to_id,
                        type=link_type,
                        status=status,
                        created_by=writer,
                    )
                    .returning(AssetLink.id)
                ).scalar_one()
            )
    except IntegrityError as clash:
        raise Problem(
            409,
            said(
                "asset {from_id} already {value} asset {to_id}",
                from_id=from_id,
                value=link_type.replace("_", " "),
                to_id=to_id,
            ),
            [FieldProblem("to", "is linked so already")],
        ) from clash


def _one(session: Session, account: Account | None, link_id: int) -> dict[str, Any]:
    """A link as its writer or decider sees it, whatever became of it."""
    row = session.execute(_links(account, standing_only=False).where(LINKS.c.id == link_id)).first()
    if row is None:
        raise not_found(f"link {link_id}")
    return _shape(row, True)


def remove_link(session: Session, account: Account, asset_id: int, link_id: int) -> None:
    """Remove a link of an asset (it is kept, as removed): for moderators of its first
    end's place and admins, and its writer while it waits. 404 for no such link of the
    asset, 403 for anyone else."""
    access.access(session, account, asset_id)
    row = session.execute(
        select(
            LINKS.c.status, LINKS.c.created_by, access.moderates(account, _FROM).label("moderator")
        )
        .join(_FROM, _FROM.c.id == LINKS.c.from_id)
        .where(
            LINKS.c.id == link_id,
            or_(LINKS.c.from_id == asset_id, LINKS.c.to_id == asset_id),
            LINKS.c.status.in_(("pending", "published")),
        )
        .with_for_update(of=LINKS)
    ).first()
    if row is None:
        raise not_found(f"link {link_id} of asset {asset_id}")
    writer = row.status == "pending" and row.created_by == account.email
    if not (row.moderator or writer):
        raise access.forbidden("only a moderator of the linking asset's area removes a link")
    session.execute(
        update(AssetLink)
        .where(AssetLink.id == link_id)
        .values(status="removed", removed_at=func.clock_timestamp(), removed_by=account.email)
    )


def waiting_links(session: Session, account: Account, limit: int) -> list[dict[str, Any]]:
    """The links waiting for `account` to decide, oldest first."""
    rows = session.execute(
        _links(account)
        .where(LINKS.c.status == "pending", access.moderates(account, _FROM))
        .order_by(LINKS.c.created_at, LINKS.c.id)
        .limit(limit)
    ).all()
    return [_shape(row, True) for row in rows]


def decide_link(
    session: Session, account: Account, link_id: int, approve: bool, reason: str | None = None
) -> dict[str, Any]:
    """Publish a waiting link, or turn it down with a reason: for moderators of its first
    end's place. 404 for no waiting link, 403 for anyone else."""
    row = session.execute(
        select(access.moderates(account, _FROM).label("moderator"))
        .select_from(LINKS)
        .join(_FROM, _FROM.c.id == LINKS.c.from_id)
        .where(LINKS.c.id == link_id, LINKS.c.status == "pending")
        .with_for_update(of=LINKS)
    ).first()
    if row is None:
        raise not_found(f"a link {link_id} waiting for a moderator")
    if not row.moderator:
        raise access.forbidden(f"only a moderator of its area decides on link {link_id}")
    settle(session, account, link_id, approve, reason)
    return _one(session, account, link_id)


def settle(
    session: Session, account: Account, link_id: int, approve: bool, reason: str | None
) -> None:
    """Publish or turn down a waiting link, on an authority the caller has checked (a
    moderator of its area, or a scanning session's facilitator). A 404 if none waits."""
    done = session.execute(
        update(AssetLink)
        .where(AssetLink.id == link_id, AssetLink.status == "pending")
        .values(
            status="published" if approve else "rejected",
            decided_at=func.clock_timestamp(),
            decided_by=account.email,
            reason=reason,
        )
        .returning(AssetLink.id)
    ).first()
    if done is None:
        raise not_found(f"a link {link_id} waiting for a moderator")


def link_events(session: Session, asset_id: int) -> list[dict[str, Any]]:
    """An asset's links' comings and goings, as entries of its history: each link's
    writing, the moderator's decision, its removal (when, by whom), oldest first."""
    links = session.execute(
        select(LINKS).where(or_(LINKS.c.from_id == asset_id, LINKS.c.to_id == asset_id))
    ).all()
    events: list[tuple[datetime, dict[str, Any]]] = []
    for link in links:
        what = {"id": link.id, "type": link.type, "from": link.from_id, "to": link.to_id}
        first = "pending" if link.decided_at is not None else "published"
        events.append(
            (link.created_at, _event("link", link.created_at, link.created_by, None, what, first))
        )
        if link.decided_at is not None:
            decided = "published" if link.status in ("published", "removed") else "rejected"
            events.append(
                (
                    link.decided_at,
                    _event(
                        f"link {decided}", link.decided_at, link.decided_by, what, what, decided
                    ),
                )
            )
        if link.removed_at is not None:
            events.append(
                (
                    link.removed_at,
                    _event("link removed", link.removed_at, link.removed_by, what, None, "removed"),
                )
            )
    return [event for _, event in sorted(events, key=lambda pair: pair[0])]


def _event(
    action: str,
    when: datetime,
    who: str | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    status: str,
) -> dict[str, Any]:
    return {
        "version": None,
        "action": action,
        "changed_at": when.isoformat(),
        "changed_by": who,
        "before": None if before is None else {"link": before},
        "after": None if after is None else {"link": after | {"status": status}},
    }
