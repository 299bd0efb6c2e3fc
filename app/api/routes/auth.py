"""Signing in (`POST /auth/token`, the OAuth2 password flow), who am I, API tokens, and
passwords: changing one's own, and choosing a new one from a reset link."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, status
from pydantic import BaseModel, ConfigDict, Field

from app.api.answers import AccountOut, TokenOut
from app.api.deps import AuthSettingsDep, SessionDep, SessionsDep, SignedInDep
from app.api.openapi import Responses, problems
from app.api.people_answers import PasswordChange, PasswordReset
from app.auth import accounts, resets

router = APIRouter(prefix="/auth", tags=["accounts"])


class TokenAnswer(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth2 token type, not a secret)
    expires_at: datetime | None


class NewApiToken(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=100)]


@router.post("/token", summary="Sign in (OAuth2 password flow)", responses=problems(401, 429))
def sign_in(
    sessions: SessionsDep,
    settings: AuthSettingsDep,
    username: Annotated[str, Form(max_length=254, description="Your email")],
    password: Annotated[str, Form(max_length=1000)],
) -> TokenAnswer:
    """A short-lived access token for `Authorization: Bearer`; repeated failures for one
    email must wait longer each time (429 with Retry-After), however many are sent at
    once."""
    # counted, and kept, before the password is checked, whatever becomes of the check
    with sessions.read() as counting:
        accounts.claim_attempt(counting, username, settings)
    with sessions.write() as session:
        issued = accounts.sign_in(session, username, password, settings)
    return TokenAnswer(access_token=issued.token, expires_at=issued.expires_at)


@router.get("/me", response_model=AccountOut, summary="Who the token belongs to")
def me(account: SignedInDep) -> dict[str, Any]:
    return {
        "id": account.id,
        "email": account.email,
        "role": account.role,
        "areas": account.areas,
        "authority": account.authority,
    }


@router.post("/tokens", status_code=status.HTTP_201_CREATED, summary="A new API token")
def new_api_token(
    body: NewApiToken, account: SignedInDep, session: SessionDep, settings: AuthSettingsDep
) -> TokenAnswer:
    """A long-lived token for scripts, shown this once; revoke it with DELETE."""
    issued = accounts.issue_token(session, account.id, "api", settings, body.name)
    return TokenAnswer(access_token=issued.token, expires_at=None)


@router.get("/tokens", response_model=list[TokenOut], summary="Your tokens (never their secrets)")
def my_tokens(account: SignedInDep, session: SessionDep) -> list[dict[str, object]]:
    return accounts.list_tokens(session, account.id)


@router.delete(
    "/tokens/{token_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke a token",
    responses=problems(404),
)
def revoke(
    token_id: Annotated[int, Path(ge=1, le=2**31 - 1)], account: SignedInDep, session: SessionDep
) -> None:
    accounts.revoke_token(session, account.id, token_id)


GONE: Responses = {410: {"description": "The link was used already, or has expired"}}


@router.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Change your own password",
    responses=problems(401, 422),
)
def change_password(body: PasswordChange, account: SignedInDep, session: SessionDep) -> None:
    """Your current password, and a new one of at least 10 characters."""
    resets.change_own(session, account, body.current_password, body.new_password)


@router.post(
    "/reset",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Choose a new password with a reset link's token",
    responses={**problems(422), **GONE},
)
def use_reset_link(body: PasswordReset, session: SessionDep) -> None:
    """The token from the link an admin sent (it works once, until it expires) and a new
    password of at least 10 characters; every token of the account is revoked, so sign in
    again with it."""
    resets.use_link(session, body.token, body.password)
