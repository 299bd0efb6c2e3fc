"""`assetmap subscriptions ...`: the weekly email digests of changes."""

from __future__ import annotations

from typing import Annotated

import typer

from app.cli.common import fail, out, sessions

subscriptions_cli = typer.Typer(help="Subscriptions to changes: send the email digests due.")


@subscriptions_cli.command("digest")
def digest(
    base_url: Annotated[
        str, typer.Option(help="Where the service is reached, for the links in the emails")
    ] = "http://127.0.0.1:8000",
) -> None:
    """Email every digest subscription whose week has passed the public changes to the
    assets in its area, through the SMTP server of ASSETMAP_SMTP_HOST; a week with nothing
    new sends nothing. Run it daily (cron, a systemd timer). Exit 1 if the mail server
    refused any (they are tried again on the next run)."""
    from app.domain.deliveries import send_digests
    from app.io.mail import MailError
    from app.settings import MailSettings, SubscriptionSettings

    try:
        run = send_digests(sessions(), SubscriptionSettings(), MailSettings(), base_url)
    except MailError as problem:
        raise fail(str(problem)) from problem
    out.print(f"digests: {run.sent} sent, {run.quiet} with nothing new")
    for failure in run.failed:
        out.print(f"  not sent: {failure}")
    if run.failed:
        raise typer.Exit(code=1)
