"""People administration for admins (an authority admin within their authorities): list
and search users, make one, change a role, areas or authority, disable and enable, send a
one-time password-reset link, and read the audit of it all; and its pages, /people and
/people/reset."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse

from app.api.deps import (
    AuthSettingsDep,
    Limit,
    MailSettingsDep,
    ReadSessionDep,
    ReminderSettingsDep,
    SessionDep,
    SignedInDep,
)
from app.api.openapi import problems
from app.api.people_answers import AuditPage, NewUser, ResetOut, UserChange, UserOut, UsersPage
from app.api.responses import NO_STORE
from app.auth import audit, people, resets
from app.errors import Problem
from app.i18n import LanguageDep
from app.io.mail import MailError
from app.web.people_page import people_page_html, reset_page_html

router = APIRouter(prefix="/people", tags=["people"])

UserId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The user's id", examples=[1])]
Cursor = Annotated[
    str | None, Query(max_length=200, description="Cursor from the previous page's `next`")
]


@router.get("", response_class=HTMLResponse, summary="The people administration page")
def people_page(language: LanguageDep) -> HTMLResponse:
    return HTMLResponse(people_page_html(language))


@router.get("/reset", response_class=HTMLResponse, summary="Choose a new password from a link")
def reset_page(language: LanguageDep) -> HTMLResponse:
    """The page a reset link opens; its token stays in the link's fragment."""
    return HTMLResponse(reset_page_html(language), headers=NO_STORE)


@router.get(
    "/users", response_model=UsersPage, summary="Users you administer", responses=problems(403)
)
def list_users(
    account: SignedInDep,
    session: ReadSessionDep,
    limit: Limit,
    q: Annotated[str | None, Query(max_length=254, description="Part of their email")] = None,
    role: Annotated[
        str | None, Query(pattern="^(contributor|moderator|analyst|admin)$", description="Role")
    ] = None,
    area: Annotated[
        str | None, Query(max_length=20, description="Who looks after, or belongs to, this area")
    ] = None,
    disabled: Annotated[bool | None, Query(description="Disabled ones, or enabled ones")] = None,
    after: Cursor = None,
) -> dict[str, Any]:
    """The accounts you administer (an authority admin: those of their authorities alone),
    by email, a page at a time."""
    wanted = people.UserQuery(q, role, area, disabled)
    return people.list_users(session, account, wanted, limit, after)


@router.post(
    "/users",
    response_model=UserOut,
    status_code=status.HTTP_201_CREATED,
    summary="Make an account",
    responses=problems(403, 409),
)
def create_user(body: NewUser, account: SignedInDep, session: SessionDep) -> dict[str, Any]:
    """A new account within your authorities, with a password no one knows: send them a
    reset link (`POST /people/users/{id}/reset`) to choose their own."""
    return people.create(session, account, body.email, body.role, body.areas, body.authority)


@router.get(
    "/users/{user_id}",
    response_model=UserOut,
    summary="One user you administer",
    responses=problems(403, 404),
)
def get_user(user_id: UserId, account: SignedInDep, session: ReadSessionDep) -> dict[str, Any]:
    return people.get_user(session, account, user_id)


@router.patch(
    "/users/{user_id}",
    response_model=UserOut,
    summary="Change a role, a moderator's areas, an authority",
    responses=problems(403, 404),
)
def change_user(
    user_id: UserId, body: UserChange, account: SignedInDep, session: SessionDep
) -> dict[str, Any]:
    """Change what is sent; areas go with a role that has none. An authority admin gives
    only roles, areas and authorities within theirs (403 naming the field otherwise)."""
    sent = body.model_fields_set
    return people.change_role(
        session,
        account,
        user_id,
        body.role,
        body.areas,
        body.authority if "authority" in sent else people.UNCHANGED,
    )


@router.post(
    "/users/{user_id}/disable",
    response_model=UserOut,
    summary="Disable an account: its tokens are refused at once",
    responses=problems(403, 404),
)
def disable_user(user_id: UserId, account: SignedInDep, session: SessionDep) -> dict[str, Any]:
    return people.set_disabled(session, account, user_id, True)


@router.post(
    "/users/{user_id}/enable",
    response_model=UserOut,
    summary="Enable a disabled account again",
    responses=problems(403, 404),
)
def enable_user(user_id: UserId, account: SignedInDep, session: SessionDep) -> dict[str, Any]:
    """They sign in again (their old tokens stay revoked)."""
    return people.set_disabled(session, account, user_id, False)


@router.post(
    "/users/{user_id}/reset",
    response_model=ResetOut,
    status_code=status.HTTP_201_CREATED,
    summary="A one-time link to choose a new password",
    responses=problems(403, 404, 409, 503),
)
def send_reset(
    user_id: UserId,
    account: SignedInDep,
    session: SessionDep,
    settings: AuthSettingsDep,
    mail: MailSettingsDep,
    reminder: ReminderSettingsDep,
) -> Any:
    """A link that works once, until it expires (older ones stop working). Emailed to them
    when an SMTP server is configured; otherwise shown here, once, to pass on."""
    # links lead where reminders' do (ASSETMAP_REMINDER_BASE_URL)
    link = resets.create_link(session, account, user_id, settings, reminder.base_url)
    if not mail.configured:
        answer = {"email": link.email, "expires_at": link.expires_at, "emailed_to": None}
        return _no_store(answer | {"link": link.link})
    try:
        sent = resets.email_link(mail, link)
    except MailError as failed:
        problem = f"the link could not be emailed: {failed}"
        raise Problem(503, problem, headers={"Retry-After": "60"}) from failed
    return _no_store(
        {"email": sent.email, "expires_at": sent.expires_at, "emailed_to": sent.emailed_to}
        | {"link": None}
    )


def _no_store(answer: dict[str, Any]) -> JSONResponse:
    return JSONResponse(jsonable_encoder(answer), status_code=201, headers=NO_STORE)


@router.get(
    "/audit",
    response_model=AuditPage,
    summary="Who changed which account, when, and how",
    responses=problems(403),
)
def read_audit(
    account: SignedInDep,
    session: ReadSessionDep,
    limit: Limit,
    email: Annotated[str | None, Query(max_length=254, description="About this account")] = None,
    after: Cursor = None,
) -> dict[str, Any]:
    """The changes to accounts, newest first: an authority admin reads those about their
    authorities' people alone."""
    people.require_admin(account)
    return audit.entries(session, account, email, limit, after)
