"""A locality over time: the standard questions it tracks, its snapshots (frozen at one
moment), what changed between two moments, and the brief a partnership prints and cites."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.api.deps import (
    AnalysisSettingsDep,
    ConsistentSessionDep,
    HeavyDep,
    ReadSessionDep,
    SessionDep,
    SignedInDep,
    SnapshotSessionDep,
)
from app.api.openapi import answer, problems
from app.api.snapshot_answers import ChangesOut, QuestionsOut, SnapshotList, SnapshotOut
from app.auth.accounts import Account
from app.domain import access, localities
from app.errors import not_found
from app.i18n import LanguageDep
from app.models import AreaSnapshot, SnapshotAsset
from app.schemas import Name, Slug

router = APIRouter(prefix="/areas/{area_code}", tags=["briefs"])

AreaCodePath = Annotated[
    str, Path(max_length=20, description="e.g. E08000009", examples=["E08000009"])
]


class QuestionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: Name
    category: Slug | None = None
    outcome: Slug | None = None
    distance_m: Annotated[float, Field(gt=0, le=100_000)]


class QuestionsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    questions: Annotated[list[QuestionIn], Field(max_length=localities.MOST_QUESTIONS)]


def _check_area(session: Session, area_code: str) -> None:
    from app.domain.areas import require_area

    require_area(session, area_code)


def _moderates(session: Session, account: Account, area_code: str) -> None:
    if not session.scalar(select(access.moderates_area(account, area_code))):
        raise access.forbidden("only a moderator of the area does this")


@router.get(
    "/questions",
    response_model=QuestionsOut,
    summary="The questions a locality tracks",
    responses=problems(404),
)
def read_questions(area_code: AreaCodePath, session: ReadSessionDep) -> dict[str, Any]:
    """Each a gap question (a category or an outcome within a distance) its snapshots
    answer; the defaults until its moderators change them."""
    _check_area(session, area_code)
    found, default = localities.questions(session, area_code)
    return {"area": area_code, "default": default, "questions": [q.as_json() for q in found]}


@router.put(
    "/questions",
    response_model=QuestionsOut,
    summary="Change the questions tracked",
    responses=problems(403, 404),
)
def change_questions(
    area_code: AreaCodePath, body: QuestionsIn, session: SessionDep, account: SignedInDep
) -> dict[str, Any]:
    _check_area(session, area_code)
    _moderates(session, account, area_code)
    wanted = [
        localities.Question(q.label, q.distance_m, q.category, q.outcome) for q in body.questions
    ]
    localities.replace(session, area_code, wanted)
    return {"area": area_code, "default": False, "questions": [q.as_json() for q in wanted]}


def _described(snapshot: AreaSnapshot, assets: list[SnapshotAsset] | None = None) -> dict[str, Any]:
    answer_ = {
        "id": snapshot.id,
        "area": snapshot.area_code,
        "taken_at": snapshot.taken_at,
        "taken_by": snapshot.taken_by,
        "figures": snapshot.figures,
        "brief": f"/areas/{snapshot.area_code}/brief?snapshot={snapshot.id}",
    }
    if assets is not None:
        answer_["assets"] = [
            {
                "id": a.asset_id,
                "version": a.version,
                "name": a.name,
                "kind": a.kind,
                "category": a.category,
                "outcomes": list(a.outcomes),
                "verified_at": a.verified_at,
                "stale": a.stale,
                "lon": a.lon,
                "lat": a.lat,
                "history": f"/assets/{a.asset_id}/history",
            }
            for a in assets
        ]
    return answer_


@router.post(
    "/snapshots",
    status_code=status.HTTP_201_CREATED,
    response_model=SnapshotOut,
    summary="Take a snapshot: the locality frozen now",
    responses=problems(403, 404),
)
def take(
    area_code: AreaCodePath,
    session: ConsistentSessionDep,
    account: SignedInDep,
    settings: AnalysisSettingsDep,
    heavy: HeavyDep,
) -> dict[str, Any]:
    """For a moderator of the area, an analyst or an admin: every figure of one moment
    (one REPEATABLE READ transaction); never changed afterwards."""
    from app.analysis import snapshots

    _check_area(session, area_code)
    if account.role != "analyst":
        _moderates(session, account, area_code)
    with heavy.analyses.slot():
        made = snapshots.take(session, area_code, account.email, settings)
    return _described(made, _assets_of(session, made.id))


def _assets_of(session: Session, snapshot_id: int) -> list[SnapshotAsset]:
    return list(
        session.scalars(
            select(SnapshotAsset)
            .where(SnapshotAsset.snapshot_id == snapshot_id)
            .order_by(SnapshotAsset.asset_id)
        )
    )


@router.get(
    "/snapshots",
    response_model=SnapshotList,
    summary="The locality's snapshots",
    responses=problems(404),
)
def list_snapshots(area_code: AreaCodePath, session: ReadSessionDep) -> dict[str, Any]:
    """Newest first, each with its figures and its brief's link."""
    _check_area(session, area_code)
    found = session.scalars(
        select(AreaSnapshot)
        .where(AreaSnapshot.area_code == area_code)
        .order_by(AreaSnapshot.taken_at.desc(), AreaSnapshot.id.desc())
        .limit(500)
    )
    return {"area": area_code, "snapshots": [_described(s) for s in found]}


def _snapshot(session: Session, area_code: str, snapshot_id: int) -> AreaSnapshot:
    found = session.get(AreaSnapshot, snapshot_id)
    if found is None or found.area_code != area_code:
        raise not_found(f"snapshot {snapshot_id} of area {area_code}")
    return found


@router.get(
    "/snapshots/{snapshot_id}",
    response_model=SnapshotOut,
    summary="One snapshot, with its assets as they were",
    responses=problems(404),
)
def read_snapshot(
    area_code: AreaCodePath,
    snapshot_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    session: ReadSessionDep,
) -> dict[str, Any]:
    found = _snapshot(session, area_code, snapshot_id)
    return _described(found, _assets_of(session, found.id))


@router.get(
    "/changes",
    response_model=ChangesOut,
    summary="What changed since a snapshot or a time",
    responses=problems(404),
)
def changes(
    area_code: AreaCodePath,
    session: SnapshotSessionDep,
    settings: AnalysisSettingsDep,
    heavy: HeavyDep,
    since: Annotated[str, Query(max_length=40, description="A snapshot's id, or an ISO 8601 time")],
    until: Annotated[
        str | None, Query(max_length=40, description="A snapshot's id, or a time; now if not")
    ] = None,
) -> dict[str, Any]:
    """Assets published, changed (which fields), archived, newly verified and gone stale;
    for each standard question coverage before and after (from the snapshots at each end,
    or the latest before it; now is worked out afresh) and the change by IMD decile,
    neighbourhoods that became covered or uncovered; new innovations and leaders."""
    from app.analysis import changes as changed

    _check_area(session, area_code)
    start = changed.end(session, area_code, since, "since")
    assert start is not None
    stop = changed.end(session, area_code, until, "until")
    with heavy.analyses.slot():
        return changed.changes(session, area_code, start, stop, settings)


@router.get(
    "/brief",
    response_class=HTMLResponse,
    summary="The brief to print and cite",
    responses=answer(200, "The brief (HTML built for print)", "text/html") | problems(404),
)
def brief(
    area_code: AreaCodePath,
    session: ReadSessionDep,
    language: LanguageDep,
    snapshot: Annotated[
        int | None, Query(ge=1, le=2**63 - 1, description="Of this snapshot; the latest if not")
    ] = None,
) -> HTMLResponse:
    """A first page in plain words, then maps, charts, the neighbourhoods most in need,
    the partnership's self-assessment, and the sources, licences, method and date: every
    figure from the snapshot, in English or Welsh (Accept-Language or `lang`). `assetmap
    brief CODE --output brief.pdf` prints it."""
    from app.web.brief import brief_html

    _check_area(session, area_code)
    return HTMLResponse(brief_html(session, area_code, snapshot, language))
