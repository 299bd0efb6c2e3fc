"""What the API answers: a model for every JSON and GeoJSON answer, so `/openapi.json`
describes it and a client generator or a contract tester can check it. An asset's
properties are app.schemas' one declaration of them; errors are app.api.openapi's problem.

GeoJSON is built by PostgreSQL and sent through as text: these models document it (the
tests hold real answers to them), they do not build it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.schemas import AssetPropertiesOut, Kind

# Coordinates: [x, y] (lon, lat in EPSG:4326 unless a `crs` says otherwise).
Position = list[float]


class Link(BaseModel):
    rel: str
    type: str
    href: str
    title: str | None = None


class PointGeometry(BaseModel):
    type: Literal["Point"]
    coordinates: Position


class PolygonalGeometry(BaseModel):
    type: Literal["MultiPolygon", "Polygon"]
    coordinates: list[Any]


class AssetFeature(BaseModel):
    """An asset: a GeoJSON Feature; its properties as the reader may see them."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["Feature"]
    id: int
    geometry: PointGeometry
    properties: AssetPropertiesOut
    links: list[Link] | None = None


class Page(BaseModel):
    """A page of a list: how many it holds, `self` and `next` links (keyset paging), and
    how many match in all when one page holds them all."""

    type: Literal["FeatureCollection"]
    numberReturned: int  # noqa: N815 (OGC API's name)
    numberMatched: int | None = None  # noqa: N815
    links: list[Link]


class AssetPage(Page):
    features: list[AssetFeature]


class AssetExport(BaseModel):
    """Every asset a filter matches, as one FeatureCollection (RFC 7946)."""

    type: Literal["FeatureCollection"]
    features: list[AssetFeature]


class Indicator(BaseModel):
    value: float | None
    year: int | None = None
    source: str | None = None


class AreaProperties(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    name: str
    level: Literal["lsoa", "ward", "locality", "local_authority"]
    parent_code: str | None
    population: int | None
    indicators: dict[str, Indicator]
    updated_at: datetime


class AreaFeature(BaseModel):
    """A neighbourhood: a GeoJSON Feature, its id its code."""

    type: Literal["Feature"]
    id: str
    geometry: PolygonalGeometry
    properties: AreaProperties
    links: list[Link] | None = None


class AreaPage(Page):
    features: list[AreaFeature]


class AreaExport(BaseModel):
    type: Literal["FeatureCollection"]
    features: list[AreaFeature]


class ModerationRequestOut(BaseModel):
    """A new asset or a change, waiting for a moderator or decided."""

    id: int
    asset_id: int
    action: Literal["create", "edit"]
    changes: dict[str, Any] | None
    base_version: int
    submitted_by: str | None
    submitted_at: datetime
    decision: Literal["pending", "approved", "rejected"]
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    asset: AssetFeature | None = None
    asset_name: str | None = None


class Suggested(BaseModel):
    """A contribution that waits for a moderator."""

    id: int | None = Field(default=None, description="The new asset's id")
    status: Literal["pending"] | None = None
    detail: str
    moderation: ModerationRequestOut


class Revision(BaseModel):
    """One change to an asset: its fields before and after (a person's private ones only
    for their stewards; none at all for an erasure), or to one of its links (`link`,
    `link approved`, `link rejected`, `link removed`: no version of its own)."""

    version: int | None
    action: str
    changed_at: datetime
    changed_by: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AccountOut(BaseModel):
    id: int
    email: str
    role: Literal["contributor", "moderator", "analyst", "admin"]
    areas: list[str]
    authority: str | None = None


class TokenOut(BaseModel):
    """A token, never its secret."""

    id: int
    kind: Literal["access", "api"]
    name: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class Rejected(BaseModel):
    row: int
    reason: str
    original: dict[str, Any]


class ImportReportOut(BaseModel):
    rows: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    committed: bool
    notes: list[str]
    rejects: list[Rejected]


class CategoryNode(BaseModel):
    slug: str
    name: str
    kind: Kind
    authority: str | None = Field(
        default=None, description="The local authority whose own category it is; none: shared"
    )
    children: list[CategoryNode]


class KindOut(BaseModel):
    kind: Kind
    name: str = Field(description="The kind's name in the answer's language (Content-Language)")
    description: str
    categories: list[CategoryNode]


class LinkTypeOut(BaseModel):
    type: str
    label: str = Field(description="How a link reads from its first end: `meets at`")
    inverse: str = Field(description="How it reads from its second: `hosts`")


class Taxonomy(BaseModel):
    kinds: list[KindOut]
    link_types: list[LinkTypeOut]


class OutcomeOut(BaseModel):
    slug: str
    name: str


class GapArea(BaseModel):
    """One analysed area: its people and need, its nearest matching asset (metres), how
    many are within reach, whether it is covered, its 2SFCA score, priority and rank."""

    code: str
    name: str
    population: int | None
    imd_score: float | None
    imd_decile: int | None
    nearest_m: float | None
    nearest_minutes: float | None = Field(
        default=None, description="With travel times: the quickest matching asset, minutes"
    )
    count_within: int
    per_1000: float | None
    covered: bool
    population_covered: int | None
    access_2sfca: float
    access: float = Field(description="The score of the method asked (method.accessibility)")
    need: float
    priority: float
    rank: int
    demand_points: int


class GapSummary(BaseModel):
    areas: int
    areas_covered: int
    population_total: int
    population_covered: int
    population_uncovered: int
    share_covered: float | None
    uncovered_by_imd_decile: dict[str, int]
    uncovered_without_imd_decile: int
    assets: int
    reachable_supply: float


class GapReportOut(BaseModel):
    """A gap analysis: `method` says how it was computed, in words and figures."""

    method: dict[str, Any]
    summary: GapSummary
    areas: list[GapArea]


class GapAreaFeature(BaseModel):
    type: Literal["Feature"]
    id: str
    geometry: PolygonalGeometry
    properties: GapArea


class GapCollection(BaseModel):
    """A gap analysis as GeoJSON: the areas' polygons, each with its figures."""

    type: Literal["FeatureCollection"]
    features: list[GapAreaFeature]
    method: dict[str, Any]
    summary: GapSummary


class Site(BaseModel):
    lon: float
    lat: float
    area_code: str | None
    newly_covered: float
    newly_covered_people: float
    areas: list[str]
    newly_covered_areas: list[str]


class SuggestionsOut(BaseModel):
    """Where k more assets would newly bring the most people (or need-weighted people)
    within reach; `solver` says whether exactly or greedily."""

    solver: Literal["exact", "greedy"]
    sites: list[Site]
    newly_covered: float
    covered_before: float
    covered_after: float
    total: float
    people: dict[str, float]
    method: dict[str, Any]


class Landing(BaseModel):
    title: str
    description: str
    links: list[Link]


class Conformance(BaseModel):
    conformsTo: list[str]  # noqa: N815 (OGC API's name)


class Extent(BaseModel):
    spatial: dict[str, Any]
    temporal: dict[str, Any]


class CollectionOut(BaseModel):
    id: str
    title: str
    description: str
    itemType: Literal["feature"]  # noqa: N815 (OGC API's name)
    extent: Extent
    crs: list[str]
    storageCrs: str  # noqa: N815
    links: list[Link]


class Collections(BaseModel):
    links: list[Link]
    collections: list[CollectionOut]


class VectorLayer(BaseModel):
    id: str
    fields: dict[str, str]
    minzoom: int


class TileJSON(BaseModel):
    tilejson: Literal["3.0.0"]
    name: str
    tiles: list[str]
    minzoom: int
    maxzoom: int
    vector_layers: list[VectorLayer]
    bounds: list[float] | None = None


class OpeningHoursToday(BaseModel):
    opens: str = Field(description="HH:MM, Europe/London")
    closes: str = Field(description="HH:MM; before `opens` means past midnight")


class Opening(BaseModel):
    """Whether an asset is open at a moment, by its schedule, and that local day's hours."""

    asset: int
    at: datetime
    open: bool | None = Field(description="None when the asset has no schedule")
    day: str = Field(description="The local date (Europe/London) of `at`")
    hours: list[OpeningHoursToday]
    scheduled: bool


class PostcodeOut(BaseModel):
    """Where a postcode is, by the offline lookup, and the areas it lies in: a code the
    service holds no area for comes without a name; a ward only where the LSOA's parent
    area is one."""

    postcode: str = Field(description="Normalised: upper case, one space before the last three")
    lon: float = Field(description="EPSG:4326")
    lat: float = Field(description="EPSG:4326")
    lsoa_code: str | None
    lsoa_name: str | None
    ward_code: str | None
    ward_name: str | None


class SubscriptionOut(BaseModel):
    """A subscription to the changes to assets: a webhook's `url`, or a weekly email
    digest; whether it is paused (after failed deliveries in a row), and why."""

    id: int
    url: str | None
    email_digest: bool
    within: str = Field(description="The area's code")
    kind: Kind | None
    category: str | None
    outcome: str | None
    created_at: datetime
    paused: bool
    paused_at: datetime | None
    paused_reason: str | None
    failures: int = Field(description="Deliveries that failed in a row")
    last_sent_at: datetime | None = Field(description="The last delivery received, or digest")
    waiting: int = Field(description="Deliveries not yet received")


class NewSubscriptionOut(SubscriptionOut):
    secret: str | None = Field(
        description="Signs each webhook (X-Signature: sha256=HMAC-SHA256 of the body): "
        "shown this once; none for a digest"
    )


class DeliveryOut(BaseModel):
    """One change sent (or to send) to a webhook, and how it went."""

    id: int = Field(description="Sent as X-Delivery-Id, the same on every attempt")
    event: Literal["asset.added", "asset.changed", "asset.archived", "asset.removed"]
    asset_id: int
    revision: int = Field(description="The asset's version the change made")
    changed_at: datetime
    state: Literal["pending", "sent"]
    attempts: int
    last_attempt_at: datetime | None
    status_code: int | None = Field(description="The receiver's answer to the last attempt")
    error: str | None = Field(description="Why the last attempt failed")
    sent_at: datetime | None
    next_attempt_at: datetime | None


class ReviewPeriodOut(BaseModel):
    """A category's own review period."""

    category: str = Field(description="The category's slug")
    review_after: str = Field(description="An ISO 8601 duration, e.g. P3M")
    set_at: datetime


class ReviewPeriodsOut(BaseModel):
    """How long assets may go unconfirmed before their review reminders start."""

    default: str = Field(description="An ISO 8601 duration: for categories without their own")
    interval: str = Field(description="An ISO 8601 duration: between one reminder and the next")
    categories: list[ReviewPeriodOut]


ReminderAnswerName = Literal["still_there", "changed", "closed"]


class ReminderLinkOut(BaseModel):
    """What a review reminder's link is about, and the answers it takes."""

    asset_id: int
    asset_name: str
    reminder: int = Field(description="1: to its contributor; 2: its moderators; 3: the last")
    sent_at: datetime
    expires_at: datetime
    answers: list[ReminderAnswerName]
    answer: ReminderAnswerName | None = Field(description="The answer the link was for")


class ReminderAnswerOut(BaseModel):
    """An answer to a review reminder, recorded, and what it did."""

    asset_id: int
    answer: ReminderAnswerName
    outcome: Literal["verified", "archived", "queued"]
    detail: str
    answered_by: str
    answered_at: datetime
    asset: AssetFeature = Field(description="The asset now, as the person may see it")
    moderation: ModerationRequestOut | None = Field(
        description="With `queued`: the change waiting for a moderator"
    )
