"""What the API answers about a locality over time: its standard questions, its snapshots
and what changed (see app.api.answers for how these models are used). A snapshot's figures
are described in app.analysis.snapshots."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class QuestionOut(BaseModel):
    label: str
    category: str | None
    outcome: str | None
    distance_m: float


class QuestionsOut(BaseModel):
    area: str
    default: bool = Field(description="Whether these are the defaults, not yet changed")
    questions: list[QuestionOut]


class SnapshotAssetOut(BaseModel):
    id: int
    version: int = Field(description="Its version then: its history shows it as it was")
    name: str
    kind: str
    category: str | None
    outcomes: list[str]
    verified_at: datetime | None
    stale: bool
    lon: float
    lat: float
    history: str


class SnapshotOut(BaseModel):
    """A locality frozen at one moment: `figures` holds the assets by kind, category and
    outcome, each standard question's answer, the innovations, the leaders' network, the
    decisions and the latest self-assessment, and the sources."""

    id: int
    area: str
    taken_at: datetime
    taken_by: str | None
    figures: dict[str, Any]
    brief: str
    assets: list[SnapshotAssetOut] | None = None


class SnapshotList(BaseModel):
    area: str
    snapshots: list[SnapshotOut]


class ChangeEnd(BaseModel):
    at: datetime
    snapshot: int | None


class ChangedAsset(BaseModel):
    id: int
    name: str
    fields: list[str] | None = None


class AssetChanges(BaseModel):
    published: list[ChangedAsset]
    changed: list[ChangedAsset]
    archived: list[ChangedAsset]
    verified: list[ChangedAsset]
    gone_stale: list[ChangedAsset]
    not_shown: int = Field(description="Changes to people's assets shown to no one: counted")


class QuestionChange(BaseModel):
    label: str
    category: str | None
    outcome: str | None
    distance_m: float
    before: dict[str, Any] | None
    after: dict[str, Any]
    change: dict[str, Any] | None = None
    became_covered: list[str] | None = None
    became_uncovered: list[str] | None = None


class InnovationChanges(BaseModel):
    new: list[dict[str, Any]]
    new_leaders: list[dict[str, Any]]


class ChangesOut(BaseModel):
    area: str
    since: ChangeEnd
    until: ChangeEnd
    assets: AssetChanges
    questions: list[QuestionChange]
    innovations: InnovationChanges
    figures_from: dict[str, str | None]
