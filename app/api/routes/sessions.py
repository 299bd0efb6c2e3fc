"""Scanning sessions (the rapid scanning day): open one, join it, add to its live map, hear
everyone's additions as they happen, decide on them, and close it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from app.api.coproduction_answers import (
    Added,
    AdditionOut,
    Decided,
    Flagged,
    Joined,
    SessionOpened,
    SessionOut,
)
from app.api.deps import BEARER, ReadSessionDep, SessionDep, SessionsDep, SettingsDep, SignedInDep
from app.api.openapi import answer, problems
from app.api.routes.moderation import Rejection
from app.api.session_stream import SessionEvents, stream
from app.auth.accounts import account_for
from app.domain import session_additions, sessions
from app.domain.geometry import asset_location
from app.domain.links import LinkType
from app.domain.sessions import Actor
from app.errors import Problem
from app.i18n import LanguageDep
from app.models import ScanSession
from app.schemas import AreaCode, AssetFeatureIn, AssetRef, InnovationIn, Name, ShortText

router = APIRouter(prefix="/sessions", tags=["scanning sessions"])

SessionId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The session's id", examples=[1])]
EVENT_STREAM = "text/event-stream"


class SessionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    area: AreaCode = Field(examples=["E08000009"])
    title: Name
    held_on: date
    facilitators: Annotated[list[EmailStr], Field(max_length=20)] = []


class JoinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, Field(min_length=4, max_length=20)]
    display_name: Annotated[str, Field(min_length=1, max_length=60)]
    consent_to_network: bool = False


class SessionLinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: AssetRef = Field(alias="from")
    type: LinkType
    to: AssetRef


class LeaderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    asset: AssetRef
    note: ShortText | None = None


def session_actor(
    session_id: SessionId,
    request: Request,
    session: SessionDep,
    bearer: Annotated[str | None, Depends(BEARER)],
    token: Annotated[
        str | None, Query(max_length=200, description="A token, for clients that send no headers")
    ] = None,
) -> tuple[ScanSession, Actor, bool]:
    """The session, who acts in it (someone in the room by their token, or a signed-in
    account), and whether they facilitate it. A 401 for no one, a 403 for another
    session's token or an ended one."""
    scan = sessions.get(session, session_id)
    # from `Authorization: Bearer`, or (as EventSource sends no headers) the query
    given = bearer or token
    if not given:
        raise Problem(
            401,
            "join the session (POST /sessions/{id}/join) or sign in first",
            headers={"WWW-Authenticate": "Bearer"},
        )
    participant = sessions.participant_for(session, session_id, given)
    if participant is not None:
        return scan, Actor(participant=participant), False
    account = account_for(session, given)
    if account is None:
        raise Problem(
            401, "the token is unknown, expired or revoked", headers={"WWW-Authenticate": "Bearer"}
        )
    return scan, Actor(account=account), sessions.facilitates(session, account, scan)


InRoom = Annotated[tuple[ScanSession, Actor, bool], Depends(session_actor)]


def _writing(
    session: SessionDep, in_room: InRoom, settings: SettingsDep
) -> tuple[ScanSession, Actor, bool]:
    """Who writes, if they may now: the session open, and a participant within their rate."""
    scan, actor, facilitator = in_room
    sessions.check_open(scan)
    if actor.participant is not None:
        sessions.count_write(session, actor.participant, settings.session_writes_per_minute)
    return scan, actor, facilitator


Writing = Annotated[tuple[ScanSession, Actor, bool], Depends(_writing)]


def _facilitating(in_room: InRoom) -> tuple[ScanSession, Actor, bool]:
    if not in_room[2]:
        raise Problem(403, "only the session's facilitators do this")
    return in_room


Facilitating = Annotated[tuple[ScanSession, Actor, bool], Depends(_facilitating)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionOpened,
    summary="Open a scanning session",
    responses=problems(403),
)
def open_session(
    body: SessionIn, request: Request, session: SessionDep, account: SignedInDep
) -> dict[str, Any]:
    """For a moderator of the area or an admin: the session, and its join code (shown this
    once) with a link to join it."""
    made, code = sessions.create(
        session, account, body.area, body.title, body.held_on, [str(e) for e in body.facilitators]
    )
    join_url = str(
        request.url_for("session_page", session_id=made.id).include_query_params(code=code)
    )
    return sessions.describe(session, made, True) | {"code": code, "join_url": join_url}


@router.get(
    "/{session_id}",
    response_model=SessionOut,
    summary="A session (its live map, for a browser)",
    responses=answer(200, "The live map, when a browser asks for HTML", "text/html")
    | problems(404),
    name="session_page",
)
def read_session(
    session_id: SessionId,
    session: ReadSessionDep,
    settings: SettingsDep,
    bearer: Annotated[str | None, Depends(BEARER)],
    language: LanguageDep,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    """What the session is (its facilitators named to them alone); a browser asking for
    HTML gets its live map page."""
    scan = sessions.get(session, session_id)
    if accept is not None and "text/html" in accept:
        from app.web.session_page import session_page_html

        return HTMLResponse(
            session_page_html(scan.id, scan.title, scan.area_code, settings.basemap_url, language)
        )
    account = None
    if bearer and not bearer.startswith(sessions.PARTICIPANT_PREFIX):
        account = account_for(session, bearer)
    facilitator = sessions.facilitates(session, account, scan)
    described = SessionOut.model_validate(sessions.describe(session, scan, facilitator))
    return JSONResponse(described.model_dump(mode="json"))


@router.post(
    "/{session_id}/join",
    status_code=status.HTTP_201_CREATED,
    response_model=Joined,
    summary="Join with the session's code",
    responses=problems(403, 404, 409),
)
def join(session_id: SessionId, body: JoinIn, session: SessionDep) -> dict[str, Any]:
    """No account: a name to show, and whether you agree to be named in the leaders'
    network; a token that works in this session only, until it closes. A wrong code: 403;
    a closed session: 409."""
    participant, token = sessions.join(
        session, session_id, body.code, body.display_name.strip(), body.consent_to_network
    )
    scan = sessions.get(session, session_id)
    return {
        "participant": {
            "id": participant.id,
            "display_name": participant.display_name,
            "consent_to_network": participant.consent_to_network,
        },
        "token": token,
        "session": sessions.describe(session, scan, False),
    }


@router.get(
    "/{session_id}/events",
    response_class=StreamingResponse,
    summary="Everyone's additions as they happen (server-sent events)",
    responses=answer(200, "An event stream", EVENT_STREAM) | problems(403, 404, 503),
)
async def events(
    request: Request,
    sessions_: SessionsDep,
    in_room: InRoom,
    last_event_id: Annotated[str | None, Header()] = None,
    after: Annotated[int | None, Query(ge=0, description="Events after this id")] = None,
) -> StreamingResponse:
    """Each event (`asset_added`, `link_added`, `innovation_added`, `decided`, `confirmed`,
    `leader_flagged`, `joined`, `closed`) with its id; reconnect with `Last-Event-ID` (or
    `after`) and get every event after it, none lost, none repeated."""
    session_id = in_room[0].id  # read now: the stream outlives the request's session
    start = after if after is not None else _event_id(last_event_id)
    listener: SessionEvents = request.app.state.session_events
    if listener.full:
        raise Problem(
            503,
            "too many event streams are open here: try again shortly",
            headers={"Retry-After": "5"},
        )

    async def read_after(event_id: int) -> list[dict[str, Any]]:
        def read() -> list[dict[str, Any]]:
            with sessions_.read() as session:
                return sessions.events_after(session, session_id, event_id)

        return await run_in_threadpool(read)

    return StreamingResponse(
        stream(listener, session_id, start, read_after),
        media_type=EVENT_STREAM,
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _event_id(last_event_id: str | None) -> int:
    """The id a reconnecting client had last (0: none)."""
    return int(last_event_id) if last_event_id is not None and last_event_id.isdigit() else 0


@router.get(
    "/{session_id}/additions",
    response_model=list[AdditionOut],
    summary="What the session added",
    responses=problems(403, 404),
)
def additions(in_room: InRoom, session: SessionDep) -> list[dict[str, Any]]:
    scan, _, _ = in_room
    return session_additions.additions(session, scan)


def _added(found: dict[str, Any]) -> JSONResponse:
    code = status.HTTP_201_CREATED if found["status"] == "published" else status.HTTP_202_ACCEPTED
    return JSONResponse(Added.model_validate(found).model_dump(mode="json"), status_code=code)


@router.post(
    "/{session_id}/assets",
    status_code=status.HTTP_201_CREATED,
    response_model=Added,
    summary="Add an asset to the session's map",
    responses=answer(202, "It waits for the facilitators", model=Added)
    | problems(403, 404, 409, 429),
)
def add_asset(
    feature: AssetFeatureIn,
    writing: Writing,
    session: SessionDep,
    settings: SettingsDep,
    confirmed: Annotated[
        bool, Query(description="It is another place, though one nearby has a like name")
    ] = False,
) -> JSONResponse:
    """A facilitator's is published at once (201), anyone else's waits for them (202). One
    near an asset of a like name (on the map, or added by the session) is a 409 listing
    them, unless `confirmed`."""
    scan, actor, facilitator = writing
    location = asset_location(feature.geometry.model_dump(), settings.service_extent)
    found = session_additions.add_asset(
        session, scan, actor, facilitator, feature.properties, location, confirmed
    )
    return _added(found)


@router.post(
    "/{session_id}/links",
    status_code=status.HTTP_201_CREATED,
    response_model=Added,
    summary="Link two assets (who runs, meets at, supports what)",
    responses=answer(202, "It waits for the facilitators", model=Added)
    | problems(403, 404, 409, 429),
)
def add_link(body: SessionLinkIn, writing: Writing, session: SessionDep) -> JSONResponse:
    scan, actor, facilitator = writing
    return _added(
        session_additions.add_link(
            session, scan, actor, facilitator, body.from_, body.type, body.to
        )
    )


@router.post(
    "/{session_id}/innovations",
    status_code=status.HTTP_201_CREATED,
    response_model=Added,
    summary="Record an innovation, and who got it going",
    responses=answer(202, "It waits for the facilitators", model=Added) | problems(403, 404, 429),
)
def add_innovation(body: InnovationIn, writing: Writing, session: SessionDep) -> JSONResponse:
    """Someone in the room may name themselves among those who got it going (`leaders`:
    `{"participant": <their id>}`)."""
    scan, actor, facilitator = writing
    return _added(session_additions.add_innovation(session, scan, actor, facilitator, body))


@router.post(
    "/{session_id}/additions/{addition_id}/approve",
    response_model=Decided,
    summary="Publish what the session added",
    responses=problems(403, 404),
)
def approve(
    addition_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    facilitating: Facilitating,
    session: SessionDep,
) -> dict[str, Any]:
    scan, actor, _ = facilitating
    return session_additions.decide(session, scan, actor, addition_id, True, None)


@router.post(
    "/{session_id}/additions/{addition_id}/reject",
    response_model=Decided,
    summary="Turn down what the session added",
    responses=problems(403, 404),
)
def reject(
    addition_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    body: Rejection,
    facilitating: Facilitating,
    session: SessionDep,
) -> dict[str, Any]:
    scan, actor, _ = facilitating
    return session_additions.decide(session, scan, actor, addition_id, False, body.reason)


@router.post(
    "/{session_id}/confirm/{asset_id}",
    response_model=Flagged,
    summary="An asset is still there: confirmed today",
    responses=problems(403, 404, 409),
)
def confirm(
    asset_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    facilitating: Facilitating,
    session: SessionDep,
) -> dict[str, Any]:
    scan, actor, _ = facilitating
    sessions.check_open(scan)
    return session_additions.confirm(session, scan, actor, asset_id)


@router.post(
    "/{session_id}/leaders",
    response_model=Flagged,
    summary="Flag a leader to celebrate",
    responses=problems(403, 404, 409),
)
def flag_leader(body: LeaderIn, facilitating: Facilitating, session: SessionDep) -> dict[str, Any]:
    scan, actor, _ = facilitating
    sessions.check_open(scan)
    return session_additions.flag_leader(session, scan, actor, body.asset, body.note)


@router.post(
    "/{session_id}/close",
    response_model=SessionOut,
    summary="End the session: its tokens end with it",
    responses=problems(403, 404, 409),
)
def close(facilitating: Facilitating, session: SessionDep) -> dict[str, Any]:
    scan, actor, _ = facilitating
    assert actor.account is not None
    sessions.close(session, actor.account, scan)
    return sessions.describe(session, sessions.get(session, scan.id), True)
