"""Importing another directory's Open Referral UK feed (a council's directory, a family
hub's): every service read first (app.io.oruk_feed), then placed in our taxonomy and
written through the assets' one import (app.io.asset_import) in the caller's transaction:
idempotent on the feed's service ids, every row it cannot take reported.

A re-run asks the feed only for the services modified after the last import of the same
source started (`feed_import`); `incremental=False` reads it whole again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.domain import categories
from app.errors import invalid
from app.io.asset_import import import_assets
from app.io.asset_rows import AssetImport, Extent
from app.io.oruk_feed import read_feed
from app.io.oruk_rows import Vocabulary, load_mapping, service_rows
from app.io.report import ImportReport
from app.models import FeedImport
from app.settings import FeedSettings
from app.taxonomy import KINDS


@dataclass(frozen=True)
class FeedPlan:
    """What to import: a feed's URL (its base, e.g. https://example.org/oruk) or a JSON
    file of services; the source its assets are kept under (by default `oruk:` and the
    feed's host, or the file's name); a mapping file of its taxonomy terms to our
    categories; the kind of a service nothing places."""

    location: str
    source: str | None = None
    mapping: Path | None = None
    default_kind: str = "institution"
    incremental: bool = True
    atomic: bool = False

    @property
    def source_name(self) -> str:
        if self.source:
            return self.source
        if re.match(r"^https?://", self.location, re.IGNORECASE):
            return f"oruk:{urlsplit(self.location).netloc}"
        return f"oruk:{Path(self.location).stem}"


def import_feed(
    session: Session,
    plan: FeedPlan,
    extent: Extent,
    settings: FeedSettings,
    client: httpx.Client | None = None,
    actor: str | None = None,
) -> ImportReport:
    """Import a feed into the session's transaction; the report says what was read and
    what each service became. Raises app.io.oruk_feed.FeedError (a SourceError) for a feed
    that cannot be read whole: then nothing is written."""
    if plan.default_kind not in KINDS:
        raise invalid("default_kind", f"unknown kind {plan.default_kind!r}")
    started = datetime.now(UTC)
    source = plan.source_name
    previous = session.get(FeedImport, source) if plan.incremental else None
    since = None
    if previous is not None and previous.location == plan.location:
        since = previous.last_started_at
    services = read_feed(
        plan.location,
        since,
        client=client,
        per_page=min(100, settings.per_page_max),
        max_pages=settings.max_pages,
    )
    known = categories.all_categories(session)
    vocabulary = Vocabulary(
        categories={slug: (found.name, found.kind) for slug, found in known.items()},
        outcomes={row["slug"] for row in categories.outcomes(session)},
        kinds=set(KINDS),
        mapping={} if plan.mapping is None else load_mapping(plan.mapping, categories=known),
        default_kind=plan.default_kind,
    )
    rows, notes = service_rows(services, vocabulary)
    report = import_assets(
        session,
        # one chunk: a feed is read whole, and its services' fields vary
        [rows] if rows else [],
        AssetImport(
            kind=plan.default_kind,
            source=source,
            ref_fields=["oruk_ref"],
            row_kinds=True,
            atomic=plan.atomic,
        ),
        extent,
        actor=actor,
    )
    asked = "" if since is None else f" modified after {since.isoformat(timespec='seconds')}"
    read = f"read {len(services)} services{asked} from {plan.location} as source {source!r}"
    report.notes = [read, *notes, *report.notes]
    if report.committed:
        remembered = {"location": plan.location, "last_started_at": started}
        session.execute(
            insert(FeedImport)
            .values(source=source, services=len(services), **remembered)
            .on_conflict_do_update(
                index_elements=[FeedImport.source],
                set_={**remembered, "services": len(services)},
            )
        )
    return report
