"""`assetmap users ...`: accounts, administered from a terminal by the service's operator
(an admin of everything, audited as `cli:<login>`)."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer
from sqlalchemy.orm import Session

from app.cli.common import fail, out, sessions
from app.errors import Problem
from app.settings import AuthSettings, MailSettings, ReminderSettings

if TYPE_CHECKING:
    from app.auth.accounts import Account

users_cli = typer.Typer(help="Accounts: contributors, moderators, analysts, admins.")

Email = Annotated[str, typer.Argument(help="Their email")]
Areas = Annotated[
    list[str] | None,
    typer.Option(
        "--area", help="An area they look after (a moderator's), or authority (an admin's)"
    ),
]
Authority = Annotated[
    str | None,
    typer.Option(help="For a contributor or analyst: the local authority they belong to"),
]


def _operator() -> Account:
    from app.auth.accounts import Account

    return Account(0, f"cli:{getpass.getuser()}", "admin", ())


@contextmanager
def _work() -> Iterator[Session]:
    """A transaction, committed when the block ends; a refusal's reason printed, exit 1."""
    with sessions()() as session, session.begin():
        try:
            yield session
        except Problem as problem:
            raise fail(problem.detail) from problem


def _user_id(session: Session, email: str) -> int:
    from app.auth import people

    return int(people.user_by_email(session, _operator(), email)["id"])


def _show(user: dict[str, Any]) -> str:
    parts = [user["email"], user["role"]]
    if user["areas"]:
        parts.append("areas " + ",".join(user["areas"]))
    if user["authority"]:
        parts.append(f"authority {user['authority']}")
    if user["disabled_at"] is not None:
        parts.append(f"disabled {user['disabled_at']:%Y-%m-%d %H:%M}")
    return "  ".join(parts)


@users_cli.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="Their email: what they sign in with")],
    role: Annotated[str, typer.Option(help="contributor, moderator, analyst or admin")],
    area: Areas = None,
    authority: Authority = None,
    token: Annotated[
        bool, typer.Option("--token", help="Print an API token (alone, last line) instead")
    ] = False,
) -> None:
    """Create an account. Prints a one-time password to pass on, or with --token an API token
    for scripts (shown this once; only its digest is kept). An admin with --area is an
    authority admin: their areas are local authorities."""
    from app.auth import accounts, audit, people

    with _work() as session:
        user_id, password = accounts.create_user(
            session, email, role, list(area or []), authority=authority
        )
        made = people.get_user(session, _operator(), user_id)
        audit.record(session, _operator().email, "create", made, None, people.state(made), made)
        issued = (
            accounts.issue_token(session, user_id, "api", AuthSettings(), "created with CLI")
            if token
            else None
        )
    out.print(f"created {accounts.normalise_email(email)} ({role})")
    if issued is not None:
        print(issued.token)
    else:
        out.print("one-time password (pass it on; they can sign in with it):")
        print(password)


@users_cli.command("list")
def users_list(
    q: Annotated[str | None, typer.Option(help="Part of their email")] = None,
    role: Annotated[str | None, typer.Option(help="Only this role")] = None,
    area: Annotated[str | None, typer.Option(help="Who looks after, or belongs to, it")] = None,
    disabled: Annotated[
        bool | None, typer.Option("--disabled/--enabled", help="Only disabled, or enabled")
    ] = None,
) -> None:
    """Every account that matches, by email, one a line."""
    from app.auth import people

    wanted = people.UserQuery(q, role, area, disabled)
    after = None
    with _work() as session:
        while True:
            page = people.list_users(session, _operator(), wanted, 500, after)
            for user in page["users"]:
                print(_show(user))
            after = page["next"]
            if after is None:
                break


def _change(email: str, change: Callable[[Session, int], dict[str, Any]]) -> None:
    with _work() as session:
        user = change(session, _user_id(session, email))
    print(_show(user))


@users_cli.command("role")
def users_role(
    email: Email,
    role: Annotated[str, typer.Argument(help="contributor, moderator, analyst or admin")],
    area: Areas = None,
    authority: Authority = None,
) -> None:
    """Give them a role (a moderator's or authority admin's areas with --area)."""
    from app.auth import people

    _change(
        email,
        lambda session, user_id: people.change_role(
            session,
            _operator(),
            user_id,
            role,
            None if area is None else list(area),
            people.UNCHANGED if authority is None else authority,
        ),
    )


@users_cli.command("areas")
def users_areas(email: Email, area: Areas = None) -> None:
    """Set the areas a moderator looks after (an authority admin's authorities)."""
    from app.auth import people

    if not area:
        raise fail("name at least one --area")
    _change(
        email,
        lambda session, user_id: people.change_role(
            session, _operator(), user_id, None, list(area)
        ),
    )


@users_cli.command("disable")
def users_disable(email: Email) -> None:
    """Disable the account: every token of theirs is refused from its next use on."""
    from app.auth import people

    _change(email, lambda session, uid: people.set_disabled(session, _operator(), uid, True))


@users_cli.command("enable")
def users_enable(email: Email) -> None:
    """Enable a disabled account again (they sign in afresh)."""
    from app.auth import people

    _change(email, lambda session, uid: people.set_disabled(session, _operator(), uid, False))


@users_cli.command("reset")
def users_reset(email: Email) -> None:
    """Print a one-time link to choose a new password (the last line); emailed to them as
    well when an SMTP server is configured (ASSETMAP_SMTP_HOST)."""
    from app.auth import resets
    from app.io.mail import MailError

    mail = MailSettings()
    with _work() as session:
        link = resets.create_link(
            session,
            _operator(),
            _user_id(session, email),
            AuthSettings(),
            ReminderSettings().base_url,
        )
        if mail.configured:
            try:
                resets.email_link(mail, link)
            except MailError as failed:
                raise fail(f"the link could not be emailed: {failed}") from failed
            out.print(f"emailed to {link.email}")
    out.print(f"works once, until {link.expires_at:%Y-%m-%d %H:%M} UTC:")
    print(link.link)


@users_cli.command("audit")
def users_audit(
    email: Annotated[str | None, typer.Option(help="Only about this account")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="The most entries")] = 100,
) -> None:
    """The changes to accounts, newest first: when, who, what, to whom, before and after."""
    from app.auth import audit

    with _work() as session:
        page = audit.entries(session, _operator(), email, limit, None)
    for entry in page["entries"]:
        print(
            f"{entry['at']:%Y-%m-%d %H:%M:%S}  {entry['actor']}  {entry['action']}  "
            f"{entry['email']}  before={entry['before']}  after={entry['after']}"
        )
