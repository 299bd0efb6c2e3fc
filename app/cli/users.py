"""`assetmap users ...`: accounts."""

from __future__ import annotations

from typing import Annotated

import typer

from app.cli.common import fail, out, sessions
from app.errors import Problem
from app.settings import AuthSettings

users_cli = typer.Typer(help="Accounts: contributors, moderators, analysts, admins.")


@users_cli.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="Their email: what they sign in with")],
    role: Annotated[str, typer.Option(help="contributor, moderator, analyst or admin")],
    area: Annotated[
        list[str] | None, typer.Option(help="For a moderator: an area they look after")
    ] = None,
    token: Annotated[
        bool, typer.Option("--token", help="Print an API token (alone, last line) instead")
    ] = False,
) -> None:
    """Create an account. Prints a one-time password to pass on, or with --token an API token
    for scripts (shown this once; only its digest is kept)."""
    from app.auth import accounts

    with sessions()() as session, session.begin():
        try:
            user_id, password = accounts.create_user(session, email, role, list(area or []))
            issued = (
                accounts.issue_token(session, user_id, "api", AuthSettings(), "created with CLI")
                if token
                else None
            )
        except Problem as problem:
            raise fail(problem.detail) from problem
    out.print(f"created {accounts.normalise_email(email)} ({role})")
    if issued is not None:
        print(issued.token)
    else:
        out.print("one-time password (pass it on; they can sign in with it):")
        print(password)
