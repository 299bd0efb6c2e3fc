"""What the API answers about co-production: links between assets, innovations and who
got them going, the systems leaders' network, and scanning sessions (see app.api.answers
for the rest, and for how these models are used).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.api.answers import AssetFeature, Link, ModerationRequestOut, Position
from app.schemas import Kind


class LinkEnd(BaseModel):
    id: int
    name: str
    kind: Kind
    category: str | None


class LinkOut(BaseModel):
    """A link between two assets: `from` `type` `to` (a group meets at a hall)."""

    id: int
    type: Literal["runs", "meets_at", "part_of", "partners_with", "supports", "funds"]
    status: Literal["pending", "published", "rejected"]
    from_: LinkEnd = Field(alias="from")
    to: LinkEnd
    created_at: datetime
    created_by: str | None = Field(description="Who wrote it: for the asset's stewards only")

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class LineGeometry(BaseModel):
    type: Literal["LineString"]
    coordinates: list[Position]


class LinkFeatureProperties(BaseModel):
    type: str
    from_: LinkEnd = Field(alias="from")
    to: LinkEnd
    created_at: datetime


class LinkFeature(BaseModel):
    type: Literal["Feature"]
    id: int
    geometry: LineGeometry
    properties: LinkFeatureProperties


class LinkExport(BaseModel):
    """The public links between the assets exported, each a line between their points."""

    type: Literal["FeatureCollection"]
    features: list[LinkFeature]


class AssetLinks(BaseModel):
    asset_id: int
    links: list[LinkOut]
    hidden: int = Field(description="Links not shown: an end the reader may not see")


class LinkWaiting(BaseModel):
    detail: str
    link: LinkOut


class AreaRef(BaseModel):
    code: str
    name: str


class AssetRefOut(BaseModel):
    id: int
    name: str
    kind: Kind


class ParticipantRef(BaseModel):
    id: int
    display_name: str


class LeaderOut(BaseModel):
    """One of those who got an innovation going: a person or a group (an asset), or someone
    in a scanning session's room who agreed to be named (a participant)."""

    asset: AssetRefOut | None = None
    participant: ParticipantRef | None = None


class EvidenceOut(BaseModel):
    title: str
    url: str


class InnovationOut(BaseModel):
    """An innovation: what it is, where it happens, what it serves, the assets it involves,
    who got it going and how, where it stands, and its moderation (`review`)."""

    id: int
    name: str
    description: str | None
    outcomes: list[str]
    levers: list[str]
    status: Literal["idea", "started", "spreading", "stopped"]
    started_on: date | None
    evidence: list[EvidenceOut]
    review: Literal["draft", "pending", "published", "archived"]
    reason: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    created_by: str | None = Field(description="Who wrote it: for its stewards only")
    areas: list[AreaRef]
    assets: list[AssetRefOut]
    assets_not_shown: int
    leaders: list[LeaderOut]
    leaders_not_shown: int = Field(description="Leaders not named: people without consent")
    points: list[Position] = Field(
        description="Where it is on a map: its assets' public points, or its areas' points"
    )


class InnovationPage(BaseModel):
    innovations: list[InnovationOut]
    links: list[Link]


class MultiPointGeometry(BaseModel):
    type: Literal["MultiPoint"]
    coordinates: list[Position]


class InnovationFeatureProperties(InnovationOut):
    id: int | None = None  # type: ignore[assignment]  # the Feature's, not repeated
    points: list[Position] | None = None  # type: ignore[assignment]  # its geometry


class InnovationFeature(BaseModel):
    type: Literal["Feature"]
    id: int
    geometry: MultiPointGeometry
    properties: InnovationFeatureProperties


class InnovationCollection(BaseModel):
    type: Literal["FeatureCollection"]
    features: list[InnovationFeature]
    links: list[Link]


class NetworkNode(BaseModel):
    id: str = Field(description="`asset:12`, `innovation:3`")
    type: Literal["asset", "innovation", "participant"]
    label: str
    asset_kind: Kind | None = None
    status: str | None = None
    degree: int
    betweenness: float


class NetworkEdge(BaseModel):
    source: str
    target: str
    type: str = Field(
        description="got_going, involves, added (on a scanning day), or a link's type"
    )


class NetworkOut(BaseModel):
    """The systems leadership network of an area."""

    within: str
    session: int | None = Field(description="The scanning session whose part this is, if one")
    nodes: list[NetworkNode]
    edges: list[NetworkEdge]
    people_not_shown: int = Field(description="People in it who have not agreed to be named")
    method: str


class SessionOut(BaseModel):
    """A scanning session as the room sees it (its facilitators' emails for them only)."""

    id: int
    area: str
    title: str
    held_on: date
    facilitators: list[str] | None
    participants: int
    closed_at: datetime | None
    created_at: datetime


class SessionOpened(SessionOut):
    code: str = Field(description="The join code: shown this once")
    join_url: str


class ParticipantOut(BaseModel):
    id: int
    display_name: str
    consent_to_network: bool


class Joined(BaseModel):
    participant: ParticipantOut
    token: str = Field(description="For `Authorization: Bearer`, in this session only")
    session: SessionOut


class RoomAsset(BaseModel):
    id: int
    name: str
    kind: Kind
    status: str
    lon: float
    lat: float


class AdditionOut(BaseModel):
    """Something the session added, as the room sees it."""

    id: int
    type: Literal["asset", "link", "innovation"]
    status: str
    added_at: datetime
    asset: RoomAsset | None = None
    link: dict[str, Any] | None = None
    innovation: dict[str, Any] | None = None


class Added(BaseModel):
    """What became of an addition: published at once (a facilitator's) or waiting."""

    addition: int
    status: str
    asset_id: int | None = None
    link_id: int | None = None
    innovation_id: int | None = None


class Decided(BaseModel):
    addition: int
    decision: Literal["approved", "rejected"]


class Flagged(BaseModel):
    asset: RoomAsset
    note: str | None = None


class Queue(BaseModel):
    requests: list[ModerationRequestOut]
    links: list[LinkOut]
    innovations: list[InnovationOut]
    stale_before: datetime
    stale: list[AssetFeature]


class AddedEntry(BaseModel):
    """Something a session added, as its report and downloads give it: what the reader may
    see of it (an asset's public face, a link's ends), else only its type and status."""

    addition: int
    type: Literal["asset", "link", "innovation"]
    status: str
    added_by: str = Field(description="A name only with its holder's agreement")
    added_at: datetime
    id: int | None = None
    name: str | None = None
    kind: Kind | None = None
    category: str | None = None
    outcomes: list[str] = []
    lon: float | None = None
    lat: float | None = None
    link_type: str | None = None
    link_from: int | None = None
    link_to: int | None = None


class ReportAsset(BaseModel):
    id: int
    name: str
    kind: Kind
    category: str | None
    outcomes: list[str]
    status: str
    lon: float
    lat: float
    note: str | None = None


class ReportFound(BaseModel):
    new: list[AddedEntry]
    confirmed: list[ReportAsset]
    by_kind: dict[str, int]
    by_outcome: dict[str, int]


class ReportWaiting(BaseModel):
    count: int
    by_type: dict[str, int]
    items: list[AddedEntry] = Field(description="Listed for the room and its facilitators")


class ReportNetwork(BaseModel):
    nodes: dict[str, int] = Field(description="How many nodes of each type")
    edges: int
    people_not_shown: int
    named: list[str] = Field(description="The people of the day named, with their agreement")


class SessionReportOut(BaseModel):
    """What a scanning day found, for the partnership to keep."""

    session: SessionOut
    area: AreaRef
    found: ReportFound
    innovations: list[InnovationOut]
    links: list[AddedEntry]
    leaders: list[ReportAsset]
    waiting: ReportWaiting
    network: ReportNetwork
    not_shown: int = Field(description="Additions the reader may not see, counted")
