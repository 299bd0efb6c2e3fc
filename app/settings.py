"""Settings, read once from the environment and passed in; one class per concern."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Great Britain and Northern Ireland, with a margin for the islands (lon/lat, EPSG:4326).
GB_NI_EXTENT = (-8.8, 49.8, 2.0, 61.0)


class DatabaseSettings(BaseSettings):
    """Where the database is: `DATABASE_URL`, or else the project-local cluster."""

    model_config = SettingsConfigDict(
        env_prefix="ASSETMAP_DB_", extra="ignore", populate_by_name=True
    )

    url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    # The project-local cluster, used only when DATABASE_URL is not set.
    dir: Path = PROJECT_ROOT / ".data" / "pg"
    port: int = 54329
    name: str = "assetmap"
    user: str = "assetmap"
    pool_size: int = 10
    # How long a request waits for a free pooled connection before a 503; and for a new
    # connection to the server.
    pool_timeout_s: float = 5.0
    connect_timeout_s: int = 5
    # Read-only streaming replicas, comma-separated: searches, tiles, exports, maps and gap
    # analyses read from one of them (app/replicas.py); writes go to the primary.
    read_urls: Annotated[list[str], NoDecode] = Field(
        default=[],
        validation_alias=AliasChoices("ASSETMAP_DATABASE_READ_URLS", "ASSETMAP_DB_READ_URLS"),
    )
    # A replica further behind the primary than this (seconds of replay) is not read from.
    replica_max_lag_s: float = 10.0
    # How often each worker asks its replicas how far they have replayed.
    replica_poll_s: float = 1.0
    # The project-local replica (`assetmap db replica up`): its port; its folder is beside
    # the primary's (`.data/pg-replica`).
    replica_port: int = 54330
    # The URLs lead to a transaction-pooling PgBouncer: no server-side prepared statements.
    pooler: bool = False
    # With a pooler in front: the primary itself, for the connection each worker keeps
    # LISTENing for live sessions' events (LISTEN needs a server session of its own).
    listen_url: str | None = None

    @field_validator("url", "listen_url")
    @classmethod
    def _use_psycopg3(cls, url: str | None) -> str | None:
        """Accept plain `postgresql://` URLs, as libpq tools print them."""
        if url is None or url == "":
            return None
        return _psycopg3(url)

    @field_validator("read_urls", mode="before")
    @classmethod
    def _comma_separated(cls, urls: str | list[str]) -> list[str]:
        if isinstance(urls, str):
            urls = [url.strip() for url in urls.split(",")]
        return [_psycopg3(url) for url in urls if url]

    @property
    def replica_dir(self) -> Path:
        return self.dir.parent / (self.dir.name + "-replica")


def _psycopg3(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class ApiSettings(BaseSettings):
    """How the HTTP API behaves."""

    model_config = SettingsConfigDict(env_prefix="ASSETMAP_", extra="ignore")

    # minlon, minlat, maxlon, maxlat in EPSG:4326: points outside are refused.
    service_extent: tuple[float, float, float, float] = GB_NI_EXTENT
    max_body_bytes: int = 1_000_000
    # Uploads to POST /imports may be larger than other bodies.
    max_import_bytes: int = 200_000_000
    page_default: int = 100
    page_max: int = 10_000
    near_default_m: float = 5_000.0
    near_max_m: float = 100_000.0
    # The most features one vector tile holds (the oldest first): bounds a tile's size.
    tile_max_features: int = 20_000
    # The basemap's tile URL template for maps; empty for none (the neighbourhood boundaries
    # keep a map readable without one, on a network with no open internet).
    basemap_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    # Origins whose pages may call the API from a browser (CORS), as a JSON list, e.g.
    # ASSETMAP_CORS_ORIGINS='["https://maps.example.gov.uk"]'; none by default.
    cors_origins: list[str] = []
    # Origins whose pages may show the embeddable map (/embed) in an <iframe>, as a JSON
    # list, e.g. ASSETMAP_EMBED_ORIGINS='["https://www.trafford.gov.uk"]'; none by default
    # (this service's own pages may always frame it).
    embed_origins: list[str] = []
    # Where exports, map pages and gap analyses are built and kept (by the data's version),
    # and how much of them to keep; the system's temporary folder by default.
    spool_dir: Path | None = None
    spool_max_bytes: int = 2_000_000_000
    # Uploads being imported are kept here until the import ends (cleared at start-up of
    # what a crash left); the system's temporary folder by default.
    upload_dir: Path | None = None
    # How many of each expensive answer one worker builds at once; beyond, a 503 with
    # Retry-After (these seconds) comes back at once.
    max_export_builds: int = 2
    max_map_builds: int = 2
    max_analyses: int = 2
    busy_retry_after_s: int = 5
    # How many additions someone in a scanning session's room may make a minute.
    session_writes_per_minute: int = 30
    # How many scanning-session event streams one worker keeps open at once (a fast 503
    # beyond), and how many events wait for a slow reader before it re-reads them instead.
    session_streams_per_worker: int = 2000
    session_stream_backlog: int = 200

    @field_validator("service_extent")
    @classmethod
    def _ordered(cls, extent: tuple[float, float, float, float]) -> tuple[float, ...]:
        minlon, minlat, maxlon, maxlat = extent
        if not (minlon < maxlon and minlat < maxlat):
            raise ValueError("service_extent must be minlon,minlat,maxlon,maxlat")
        return extent

    @field_validator("embed_origins")
    @classmethod
    def _bare_origins(cls, origins: list[str]) -> list[str]:
        """Each a scheme and host (and port) alone, as a Content-Security-Policy names it."""
        for origin in origins:
            if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?", origin):
                raise ValueError(f"embed_origins: {origin!r} is not an origin (https://host)")
        return origins


class AnalysisSettings(BaseSettings):
    """How gap analyses measure and solve."""

    model_config = SettingsConfigDict(env_prefix="ASSETMAP_ANALYSIS_", extra="ignore")

    # Distances are straight lines in this projected CRS, in metres: British National Grid
    # for Great Britain. Elsewhere, set a local projected CRS (a UTM zone, say).
    projected_srid: int = 27700
    distance_default_m: float = 1_000.0
    # Further than anyone walks or drives to a neighbourhood asset: larger asks are refused.
    distance_max_m: float = 100_000.0
    # The most pairs of points within reach one analysis may hold (about 100 bytes each
    # while they are found): asks beyond it are refused, naming distance_m.
    max_links: int = 5_000_000
    # The narrowest gaussian decay, in metres.
    sigma_min_m: float = 1.0
    # "Where next" is solved exactly as an integer program up to this many candidate sites
    # and candidate-to-person links, with this time limit; greedily beyond.
    exact_max_candidates: int = 5_000
    exact_max_links: int = 500_000
    exact_time_limit_s: float = 20.0
    max_sites: int = 100
    # Travel times an analyst brings (POST /gaps, `assetmap gaps --costs`): the largest
    # matrix read, in bytes and rows (413 and 422 beyond), and the longest threshold.
    costs_max_bytes: int = 100_000_000
    costs_max_rows: int = 2_000_000
    threshold_max_minutes: float = 600.0


class FeedSettings(BaseSettings):
    """The Open Referral UK feed this service publishes, and the feeds it reads."""

    model_config = SettingsConfigDict(env_prefix="ASSETMAP_FEED_", extra="ignore")

    # Names this directory in its feed's ids, so two directories' ids never clash: keep it
    # once the feed is published (other directories hold on to the ids).
    directory: str = "community-asset-map"
    per_page_default: int = 50
    # Asks for more are clamped to this.
    per_page_max: int = 200
    proximity_max_m: float = 100_000.0
    # The most pages an import of another directory's feed reads.
    max_pages: int = 10_000


class MailSettings(BaseSettings):
    """The SMTP server emails go through (digests, reminders); none configured, none sent."""

    model_config = SettingsConfigDict(env_prefix="ASSETMAP_SMTP_", extra="ignore")

    host: str | None = None
    port: int = 25
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    sender: str = "Community Asset Map <assetmap@localhost>"
    timeout_s: float = 10.0

    @property
    def configured(self) -> bool:
        return self.host is not None


class AuthSettings(BaseSettings):
    """Signing in and tokens."""

    model_config = SettingsConfigDict(env_prefix="ASSETMAP_AUTH_", extra="ignore")

    # How long a token from signing in lasts; API tokens last until revoked.
    access_token_minutes: int = 30
    # Failed sign-ins for one email before each further try must wait, doubling each time
    # from `lockout_base_s` up to `lockout_max_s`.
    free_failures: int = 5
    lockout_base_s: float = 2.0
    lockout_max_s: float = 900.0
    # How long a password-reset link works (it works once).
    reset_link_minutes: int = 60


class ServerSettings(BaseSettings):
    """Where `assetmap serve` listens."""

    model_config = SettingsConfigDict(env_prefix="ASSETMAP_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    # How long a stop waits for open requests and streams before ending them (seconds).
    graceful_shutdown_s: int = 5


class SubscriptionSettings(BaseSettings):
    """Subscriptions to changes: how many each user may have, and how the delivery worker
    sends webhooks (every API worker process runs one)."""

    model_config = SettingsConfigDict(env_prefix="ASSETMAP_SUBSCRIPTION_", extra="ignore")

    max_per_user: int = 20
    # Whether this process's app runs the delivery worker.
    worker: bool = True
    # How often the worker looks for deliveries due, and how many it takes at once.
    poll_s: float = 2.0
    batch: int = 20
    # How long a receiver has to answer (seconds).
    timeout_s: float = 5.0
    # A failed delivery is tried again after retry_base_s, doubling each time up to
    # retry_max_s; this many failures in a row pause the subscription.
    retry_base_s: float = 10.0
    retry_max_s: float = 3600.0
    pause_after: int = 10
    # How often an email digest is sent (days).
    digest_days: int = 7


# An ISO 8601 duration of whole numbers (P3M, P1Y6M, P90D, PT12H), as review periods are
# written; migration 0013 checks the same.
WHOLE_DURATION = re.compile(r"P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?")


class ReminderSettings(BaseSettings):
    """Review reminders: when an asset no one has confirmed is asked about, and the links
    the emails carry."""

    model_config = SettingsConfigDict(env_prefix="ASSETMAP_REMINDER_", extra="ignore")

    # How long an asset may go unconfirmed (verified, or else added) before its contributor
    # is asked; a category's own period (PUT /reminders/periods/{category}) comes first.
    review_after: str = "P12M"
    # How long each reminder waits for an answer before the next one goes (to the area's
    # moderators), and the third before the asset is shown as not confirmed.
    interval: str = "P14D"
    # How long a reminder's links work.
    link_valid: str = "P60D"
    # Where the service is reached from an email: the links start with it.
    base_url: str = "http://127.0.0.1:8000"

    @field_validator("review_after", "interval", "link_valid")
    @classmethod
    def _whole_duration(cls, duration: str) -> str:
        if not WHOLE_DURATION.fullmatch(duration) or not re.search(r"[1-9]", duration):
            raise ValueError(f"{duration!r} is not a positive ISO 8601 duration such as P14D")
        return duration
