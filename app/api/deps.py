"""What routes depend on: the settings, a database session, and parsed query parameters.

Dependencies that only parse are `async`, so FastAPI runs them on the event loop rather than
handing each to a worker thread.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

import isodate
from fastapi import Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session, sessionmaker

from app.auth.accounts import Account, account_for
from app.busy import Bound
from app.domain.features import WGS84
from app.domain.plain_text import ESCAPED_CONTROL, control_problem, first_control_problem
from app.errors import FieldProblem, Problem, invalid
from app.i18n import said
from app.io.spool import Spool
from app.replicas import Replicas, on_primary
from app.settings import (
    AnalysisSettings,
    ApiSettings,
    AuthSettings,
    FeedSettings,
    MailSettings,
    ReminderSettings,
)


async def plain_text_only(request: Request) -> None:
    """Every route's first check: a 422 naming the field when any text the request sends (a
    path segment, a query parameter, a form field, a string or key of a JSON body) holds a
    NUL or another control character (app.domain.plain_text)."""
    problem: FieldProblem | None = None
    for name, value in request.path_params.items():
        problem = problem or (control_problem(value, name) if isinstance(value, str) else None)
    for name, value in request.query_params.multi_items():
        problem = problem or control_problem(name, name) or control_problem(value, name)
    content_type = request.headers.get("content-type", "")
    if problem is None and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        for name, value in (await request.form()).multi_items():
            if isinstance(value, str):
                problem = problem or control_problem(name, name) or control_problem(value, name)
    elif problem is None and "json" in content_type:
        body = await request.body()
        # JSON writes control characters escaped: only a body with one is walked
        if ESCAPED_CONTROL.search(body):
            try:
                problem = first_control_problem(json.loads(body), "")
            except (ValueError, RecursionError):
                problem = None  # not JSON: the route's own parsing says why
    if problem is not None:
        raise Problem(422, f"{problem.field}: {problem.message}", [problem])


async def api_settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.api_settings
    return settings


async def auth_settings(request: Request) -> AuthSettings:
    settings: AuthSettings = request.app.state.auth_settings
    return settings


async def feed_settings(request: Request) -> FeedSettings:
    settings: FeedSettings = request.app.state.feed_settings
    return settings


async def analysis_settings(request: Request) -> AnalysisSettings:
    settings: AnalysisSettings = request.app.state.analysis_settings
    return settings


async def reminder_settings(request: Request) -> ReminderSettings:
    settings: ReminderSettings = request.app.state.reminder_settings
    return settings


async def mail_settings(request: Request) -> MailSettings:
    settings: MailSettings = request.app.state.mail_settings
    return settings


class Sessions:
    """Where sessions come from: `write` ones in one transaction, `read` ones in autocommit
    and `snapshot` ones that see one REPEATABLE READ view. Routes that wait (for a build, a
    slow client) open them only for the work itself, so they hold no pooled connection
    while they wait. With `replicas`, a request that only reads reads from one of them
    (app/replicas.py); one that writes uses the primary for everything."""

    replicas: Replicas | None = None

    def __init__(
        self,
        write: sessionmaker[Session],
        read: sessionmaker[Session],
        replicas: Replicas | None = None,
    ) -> None:
        self._write = write
        self._read = read
        self.replicas = replicas

    @contextmanager
    def write(self) -> Iterator[Session]:
        """Committed when the block ends, rolled back on any error."""
        if self.replicas is not None:
            self.replicas.writing()
        with self._write() as session, session.begin():
            yield session
        if self.replicas is not None:
            self.replicas.wrote()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """Autocommit: a read costs no BEGIN/COMMIT round trips."""
        replica = self.replicas.session() if self.replicas is not None else None
        with replica or self._read() as session:
            yield session

    @contextmanager
    def consistent(self) -> Iterator[Session]:
        """A write that reads one REPEATABLE READ view of the database, so what it reads
        is all of one moment (a locality's snapshot); committed when the block ends."""
        if self.replicas is not None:
            self.replicas.writing()
        with self._write() as session, session.begin():
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            yield session
        if self.replicas is not None:
            self.replicas.wrote()

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """Read-only; every statement sees the same snapshot of the database, for answers
        built from several reads, such as a gap analysis."""
        options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        replica = self.replicas.session(options) if self.replicas is not None else None
        if replica is not None:
            with replica as session:
                yield session
            return
        with self._write() as session, session.begin():
            session.connection(execution_options=options)
            yield session


async def get_sessions(request: Request) -> Sessions:
    sessions: Sessions = request.app.state.sessions
    return sessions


def get_session(sessions: Annotated[Sessions, Depends(get_sessions)]) -> Iterator[Session]:
    """A session in one transaction, committed when the route returns, before the response
    is sent; rolled back on any error."""
    with sessions.write() as session:
        yield session


def get_read_session(sessions: Annotated[Sessions, Depends(get_sessions)]) -> Iterator[Session]:
    """A session for reads alone: autocommit, so a read costs no BEGIN/COMMIT round trips."""
    with sessions.read() as session:
        yield session


def get_snapshot_session(
    sessions: Annotated[Sessions, Depends(get_sessions)],
) -> Iterator[Session]:
    """A read-only session whose statements all see one snapshot of the database (REPEATABLE
    READ), for answers built from several reads, such as a gap analysis."""
    with sessions.snapshot() as session:
        yield session


def get_consistent_session(
    sessions: Annotated[Sessions, Depends(get_sessions)],
) -> Iterator[Session]:
    """A write session whose reads all see one moment (REPEATABLE READ)."""
    with sessions.consistent() as session:
        yield session


@dataclass(frozen=True)
class HeavyWork:
    """What bounds the expensive answers: the spool they are built into, and how many of
    each kind may be built or run at once."""

    spool: Spool
    exports: Bound
    maps: Bound
    analyses: Bound


async def heavy_work(request: Request) -> HeavyWork:
    heavy: HeavyWork = request.app.state.heavy
    return heavy


# Documents the bearer token in the OpenAPI description (and lets /docs sign in); the
# header itself is checked by current_account.
BEARER = OAuth2PasswordBearer(
    tokenUrl="/auth/token",
    auto_error=False,
    description="Sign in with your email and password, or send an API token as Bearer",
)


def current_account(
    request: Request,
    session: Annotated[Session, Depends(get_read_session, scope="function")],
    sessions: Annotated[Sessions, Depends(get_sessions)],
    token: Annotated[str | None, Depends(BEARER)],
) -> Account | None:
    """Who is asking: the account of the `Authorization: Bearer` token, or None for an
    anonymous request. A token that is unknown, expired or revoked is a 401, never read as
    anonymous."""
    if token is None:
        if request.headers.get("authorization") is None:
            return None
        raise _unauthorised("Authorization must be `Bearer <token>`")
    if not token.strip():
        raise _unauthorised("Authorization must be `Bearer <token>`")
    account = account_for(session, token.strip())
    if account is None and sessions.replicas is not None:
        # a token issued a moment ago may not have reached the replica yet
        with on_primary(), sessions.read() as primary:
            account = account_for(primary, token.strip())
    if account is None:
        raise _unauthorised("the token is unknown, expired or revoked")
    return account


async def reader_account(
    request: Request,
    sessions: Annotated[Sessions, Depends(get_sessions)],
    token: Annotated[str | None, Depends(BEARER)],
) -> Account | None:
    """current_account for the public reads: None at once for a request without credentials
    (no session, no worker thread); otherwise the account, looked up as current_account
    does."""
    if token is None and request.headers.get("authorization") is None:
        return None

    def look_up() -> Account | None:
        with sessions.read() as session:
            return current_account(request, session, sessions, token)

    return await run_in_threadpool(look_up)


def _unauthorised(detail: str) -> Problem:
    return Problem(401, detail, headers={"WWW-Authenticate": "Bearer"})


def signed_in(account: Annotated[Account | None, Depends(current_account)]) -> Account:
    if account is None:
        raise _unauthorised("sign in first: send `Authorization: Bearer <token>`")
    return account


SettingsDep = Annotated[ApiSettings, Depends(api_settings)]
AuthSettingsDep = Annotated[AuthSettings, Depends(auth_settings)]
AccountDep = Annotated[Account | None, Depends(current_account)]
ReaderAccountDep = Annotated[Account | None, Depends(reader_account)]
SignedInDep = Annotated[Account, Depends(signed_in)]
AnalysisSettingsDep = Annotated[AnalysisSettings, Depends(analysis_settings)]
FeedSettingsDep = Annotated[FeedSettings, Depends(feed_settings)]
ReminderSettingsDep = Annotated[ReminderSettings, Depends(reminder_settings)]
MailSettingsDep = Annotated[MailSettings, Depends(mail_settings)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ReadSessionDep = Annotated[Session, Depends(get_read_session, scope="function")]
SnapshotSessionDep = Annotated[Session, Depends(get_snapshot_session, scope="function")]
ConsistentSessionDep = Annotated[Session, Depends(get_consistent_session, scope="function")]
SessionsDep = Annotated[Sessions, Depends(get_sessions)]
HeavyDep = Annotated[HeavyWork, Depends(heavy_work)]


def _numbers(raw: str, count: int, field: str, status: int = 422) -> list[float]:
    parts = raw.split(",")
    if len(parts) != count:
        raise _bad(field, said("needs {count} comma-separated numbers", count=count), status)
    try:
        values = [float(part) for part in parts]
    except ValueError as bad:
        raise _bad(
            field, said("needs {count} comma-separated numbers", count=count), status
        ) from bad
    if not all(math.isfinite(value) for value in values):
        raise _bad(field, "numbers must be finite", status)
    return values


def _bad(field: str, message: str, status: int) -> Problem:
    return Problem(status, f"{field}: {message}", [FieldProblem(field, message)])


def _check_lonlat(lon: float, lat: float, field: str, status: int = 422) -> None:
    if not -180 <= lon <= 180:
        raise _bad(field, "longitude must lie between -180 and 180", status)
    if not -90 <= lat <= 90:
        raise _bad(field, "latitude must lie between -90 and 90", status)


Box = tuple[float, float, float, float]


def parse_bbox(raw: str, srid: int = WGS84, status: int = 422, field: str = "bbox") -> Box:
    """`minx,miny,maxx,maxy` in EPSG:`srid` (a 3-D box's heights are dropped); lon/lat in
    range when `srid` is 4326. A `status` naming `field` otherwise: 422, or the 400 that OGC
    API asks for."""
    count = 6 if raw.count(",") == 5 else 4
    numbers = _numbers(raw, count, field, status)
    if count == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    minx, miny, maxx, maxy = numbers
    if srid == WGS84:
        _check_lonlat(minx, miny, field, status)
        _check_lonlat(maxx, maxy, field, status)
    if minx > maxx or miny > maxy:
        raise _bad(field, "must be minx,miny,maxx,maxy with min <= max", status)
    return minx, miny, maxx, maxy


async def bbox_param(
    bbox: Annotated[
        str | None,
        Query(
            description="minlon,minlat,maxlon,maxlat in EPSG:4326",
            examples=["-2.48,53.40,-2.25,53.48"],
        ),
    ] = None,
) -> Box | None:
    return None if bbox is None else parse_bbox(bbox)


async def near_param(
    near: Annotated[
        str | None, Query(description="lon,lat in EPSG:4326", examples=["-2.3372,53.4494"])
    ] = None,
) -> tuple[float, float] | None:
    if near is None:
        return None
    lon, lat = _numbers(near, 2, "near")
    _check_lonlat(lon, lat, "near")
    return lon, lat


async def limit_param(
    settings: SettingsDep,
    limit: Annotated[
        int | None, Query(ge=1, description="Page size; above the maximum it is clamped")
    ] = None,
) -> int:
    return min(settings.page_default if limit is None else limit, settings.page_max)


BBox = Annotated[Box | None, Depends(bbox_param)]
Near = Annotated[tuple[float, float] | None, Depends(near_param)]


async def within_param(
    settings: SettingsDep,
    near: Near,
    within_m: Annotated[
        float | None,
        Query(gt=0, description="With `near`: the search radius in metres (default 5 km)"),
    ] = None,
) -> float:
    if within_m is not None and near is None:
        raise invalid("within_m", "needs `near`")
    if within_m is not None and within_m > settings.near_max_m:
        raise invalid(
            "within_m", said("must be at most {metres} metres", metres=f"{settings.near_max_m:g}")
        )
    return within_m or settings.near_default_m


WithinM = Annotated[float, Depends(within_param)]
Limit = Annotated[int, Depends(limit_param)]
After = Annotated[
    str | None,
    Query(max_length=200, description="Cursor from the previous page's `next` link"),
]


def stale_cutoff(duration: str, field: str = "stale_after") -> datetime:
    """Now less an ISO 8601 duration (P12M, P1Y6M, P90D); a 422 naming `field`."""
    now = datetime.now(UTC)
    try:
        cutoff: datetime = now - isodate.parse_duration(duration)
    except (isodate.ISO8601Error, ValueError, OverflowError) as bad:
        raise invalid(field, "must be an ISO 8601 duration such as P12M") from bad
    if cutoff >= now:
        raise invalid(field, "must be a positive duration")
    return cutoff
