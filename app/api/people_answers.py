"""The shapes of people administration's requests and answers: users as admins see them,
changes to them, reset links, the audit, and an authority's own categories."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.schemas import Kind

Role = Literal["contributor", "moderator", "analyst", "admin"]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]


class UserOut(BaseModel):
    """An account as its admins see it: never its password or tokens."""

    id: int
    email: str
    role: Role
    areas: list[str] = Field(description="A moderator's areas; an authority admin's authorities")
    authority: str | None = Field(description="The authority a contributor or analyst belongs to")
    authorities: list[str] = Field(description="Every local authority the account is tied to")
    created_at: datetime
    disabled_at: datetime | None


class UsersPage(BaseModel):
    users: list[UserOut]
    next: str | None = Field(description="The cursor of the next page (`after=`), if any")


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254)]
    role: Role
    areas: Annotated[list[Code], Field(max_length=50)] = []
    authority: Code | None = None


class UserChange(BaseModel):
    """What to change: a role, areas (a moderator's or an authority admin's), an authority
    (a contributor's or analyst's); what is not sent stays."""

    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    areas: Annotated[list[Code], Field(max_length=50)] | None = None
    authority: Code | None = None


class ResetOut(BaseModel):
    """A reset link: emailed when an SMTP server is configured (`link` is then withheld),
    else shown here once for the admin to pass on."""

    email: str
    expires_at: datetime
    emailed_to: str | None
    link: str | None


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    actor: str = Field(description="Who: an email, or `cli:<login>` at the command line")
    action: Literal[
        "create",
        "role",
        "areas",
        "disable",
        "enable",
        "reset_link",
        "reset_password",
        "change_password",
    ]
    user_id: int | None
    email: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    authorities: list[str]


class AuditPage(BaseModel):
    entries: list[AuditEntryOut]
    next: str | None


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: Annotated[str, Field(max_length=1000)]
    new_password: Annotated[str, Field(max_length=1000)]


class PasswordReset(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: Annotated[str, Field(min_length=1, max_length=200)]
    password: Annotated[str, Field(max_length=1000)]


class AuthorityOut(BaseModel):
    code: str
    name: str


class NewCategoryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    kind: Kind
    parent: Annotated[str, StringConstraints(max_length=60)] | None = None


class AuthorityCategoryOut(BaseModel):
    slug: str
    name: str
    kind: Kind
    parent: str | None
    authority: str
