"""The FastAPI app: settings, the database pool's lifespan, routers and error handlers."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sql_errors
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import errors, i18n
from app.api import openapi
from app.api.deps import HeavyWork, Sessions, plain_text_only
from app.api.public_reads import DriverReads
from app.api.routes import (
    areas,
    assessments,
    assets,
    auth,
    authorities,
    exports,
    feeds,
    gaps,
    health,
    imports,
    innovations,
    links,
    maps,
    moderation,
    network,
    ogc,
    oruk,
    page,
    people,
    postcodes,
    reminders,
    rounds,
    session_report,
    sessions,
    snapshots,
    subscriptions,
    taxonomy,
)
from app.api.security import SecurityHeaders
from app.api.session_stream import SessionEvents
from app.busy import Bound
from app.db import connect_args, database_url, make_engine, make_sessionmaker
from app.domain.deliveries import DeliveryWorker
from app.io import uploads
from app.io.spool import Spool
from app.replicas import ReadYourWrites, Replicas
from app.settings import (
    AnalysisSettings,
    ApiSettings,
    AuthSettings,
    DatabaseSettings,
    FeedSettings,
    MailSettings,
    ReminderSettings,
    SubscriptionSettings,
)
from app.web import vendor

log = logging.getLogger("assetmap")
# How soon a client should try again while the database is unreachable.
DATABASE_RETRY_AFTER_S = 5


class BodyTooLarge(HTTPException):
    """Raised while a body is read: an HTTPException, so the framework's body parsing
    passes it on rather than calling it a body it could not parse."""

    def __init__(self, limit: int) -> None:
        super().__init__(413)
        self.limit = limit


def _too_large(limit: int) -> errors.Problem:
    return errors.Problem(
        413,
        f"the request body is over {limit} bytes",
        [errors.FieldProblem("body", "is too large")],
    )


class BodyLimit:
    """Refuse request bodies over `max_bytes` (or a larger limit for the paths in `larger`)
    with a 413, whether or not they say their size."""

    def __init__(self, app: ASGIApp, max_bytes: int, larger: dict[str, int]) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = larger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"], self.max_bytes)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            answer = errors.problem_response(_too_large(limit), i18n.scope_language(scope))
            await answer(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)


def create_app(
    db_settings: DatabaseSettings | None = None,
    api_settings: ApiSettings | None = None,
    analysis_settings: AnalysisSettings | None = None,
) -> FastAPI:
    """The app; settings are read from the environment unless given."""
    db_settings = db_settings or DatabaseSettings()
    api_settings = api_settings or ApiSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = database_url(db_settings)
        engine = make_engine(
            url,
            db_settings.pool_size,
            db_settings.pool_timeout_s,
            db_settings.connect_timeout_s,
            db_settings.pooler,
        )
        replicas = None
        if db_settings.read_urls:
            replicas = Replicas(make_sessionmaker(engine, True), db_settings)
            replicas.start()
        app.state.sessions = Sessions(
            make_sessionmaker(engine), make_sessionmaker(engine, True), replicas
        )
        app.state.public_reads = DriverReads(
            url,
            db_settings.pool_size,
            db_settings.pool_timeout_s,
            connect_args(db_settings.connect_timeout_s, db_settings.pooler),
        )
        spool = Spool.for_database(
            api_settings.spool_dir or Path(tempfile.gettempdir()) / "assetmap-spool",
            url,
            api_settings.spool_max_bytes,
        )
        spool.clean()
        uploads.clean(api_settings.upload_dir)
        retry = api_settings.busy_retry_after_s
        app.state.heavy = HeavyWork(
            spool=spool,
            exports=Bound("export builds", api_settings.max_export_builds, retry),
            maps=Bound("map builds", api_settings.max_map_builds, retry),
            analyses=Bound("gap analyses", api_settings.max_analyses, retry),
        )
        app.state.session_events = SessionEvents(
            db_settings.listen_url or url,
            api_settings.session_streams_per_worker,
            api_settings.session_stream_backlog,
        )
        app.state.session_events.start()
        # this worker process's sender of webhooks
        deliveries = DeliveryWorker(make_sessionmaker(engine), app.state.subscription_settings)
        if app.state.subscription_settings.worker:
            deliveries.start()
        try:
            yield
        finally:
            await deliveries.stop()
            await app.state.session_events.stop()
            if replicas is not None:
                replicas.stop()
            engine.dispose()
            await app.state.public_reads.close()

    app = FastAPI(
        title="Community Asset Map",
        version="0.1.0",
        summary="Community assets, neighbourhoods and gap analyses for asset-based commissioning",
        lifespan=lifespan,
        # served from the app, not a CDN: see vendor.add_docs
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(plain_text_only)],
    )
    app.state.api_settings = api_settings
    app.state.analysis_settings = analysis_settings or AnalysisSettings()
    app.state.auth_settings = AuthSettings()
    app.state.feed_settings = FeedSettings()
    app.state.reminder_settings = ReminderSettings()
    app.state.mail_settings = MailSettings()
    app.state.subscription_settings = SubscriptionSettings()
    errors.install(app)
    openapi.describe(app)

    @app.exception_handler(BodyTooLarge)
    async def _body_too_large(request: Request, error: BodyTooLarge) -> JSONResponse:
        return errors.problem_response(_too_large(error.limit), i18n.request_language(request))

    @app.exception_handler(sql_errors.OperationalError)
    @app.exception_handler(sql_errors.InterfaceError)
    @app.exception_handler(sql_errors.TimeoutError)
    async def _database_unavailable(request: Request, error: Exception) -> JSONResponse:
        # The server is down, restarting or overloaded, or every pooled connection is busy:
        # the client should come back soon; nothing it sent was wrong.
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, error)
        return errors.problem_response(
            errors.Problem(
                503,
                "the database is unavailable for a moment; try again shortly",
                headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)},
            ),
            i18n.request_language(request),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        # Logged in full here; the client gets no stack trace.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return errors.problem_response(
            errors.Problem(500, "internal error"), i18n.request_language(request)
        )

    # The public reads' routers first: a request is matched against each router's routes
    # in turn, which costs a hot path as much as the query of a small tile.
    for module in (
        health,
        ogc,
        assets,
        auth,
        links,
        innovations,
        network,
        sessions,
        session_report,
        rounds,
        assessments,
        reminders,
        snapshots,
        subscriptions,
        feeds,
        moderation,
        people,
        authorities,
        areas,
        gaps,
        imports,
        exports,
        taxonomy,
        postcodes,
        oruk,
        maps,
        page,
    ):
        app.include_router(module.router)
    vendor.mount(app)
    vendor.add_docs(app)
    # cost matrices (travel times) for gap analyses
    costs_bytes = (analysis_settings or AnalysisSettings()).costs_max_bytes
    app.add_middleware(
        BodyLimit,
        max_bytes=api_settings.max_body_bytes,
        larger={
            "/imports": api_settings.max_import_bytes,
            "/gaps": costs_bytes,
            "/gaps/suggestions": costs_bytes,
        },
    )
    app.add_middleware(SecurityHeaders, basemap_url=api_settings.basemap_url)
    # the reader's language (English or Welsh), for every answer: app.i18n
    app.add_middleware(i18n.Language)
    if db_settings.read_urls:
        app.add_middleware(ReadYourWrites)
    if api_settings.cors_origins:
        # Bearer tokens, not cookies, so no credentials: other sites' pages may read what
        # any script could, and send tokens only if their users paste them in.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=api_settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "If-None-Match"],
            expose_headers=["ETag", "Location", "Content-Crs", "Retry-After", "Link"],
            max_age=600,
        )
    return app
