"""`assetmap reminders send`: email the review reminders due (run it daily, from cron or a
timer) and mark as not confirmed the assets whose last reminder went unanswered."""

from __future__ import annotations

from typing import Annotated

import typer

from app.cli.common import fail, out, sessions

reminders_cli = typer.Typer(help="Review reminders about assets no one has confirmed lately.")


@reminders_cli.command("send")
def reminders_send(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what is due; send and record nothing")
    ] = False,
) -> None:
    """Send every review reminder due now, through the SMTP server of ASSETMAP_SMTP_*, and
    print each. A second run sends nothing again. Exits 1 when no SMTP server is configured
    (nothing is recorded then) or when a message could not be sent (it is tried again on
    the next run)."""
    from datetime import UTC, datetime

    from app.domain.reminders import send_due_reminders
    from app.io.mail import MailError
    from app.settings import MailSettings, ReminderSettings

    try:
        settings = ReminderSettings()
    except ValueError as bad:
        raise fail(f"ASSETMAP_REMINDER_*: {bad}") from bad
    mail = MailSettings()
    with sessions()() as session, session.begin():
        try:
            done = send_due_reminders(session, settings, mail, datetime.now(UTC), dry_run)
        except MailError as unsent:
            raise fail(str(unsent)) from unsent
    verb = "would send" if dry_run else "sent"
    failed = 0
    for item in done:
        about = f"asset {item.asset_id} ({item.asset_name})"
        if item.error is not None:
            failed += 1
            print(f"{about}: reminder {item.step} not sent: {item.error}")
        elif item.marked:
            print(f"{about}: {'would be marked' if dry_run else 'marked'} not confirmed")
        elif not item.recipients:
            print(f"{about}: reminder {item.step}: no one to ask")
        else:
            for email in item.recipients:
                print(f"{about}: {verb} reminder {item.step} to {email}")
    emails = sum(len(item.recipients) for item in done if item.error is None)
    marked = sum(1 for item in done if item.marked and item.error is None)
    out.print(
        f"{emails} reminder email(s) {verb}, {marked} asset(s) "
        f"{'would be ' if dry_run else ''}marked not confirmed"
        + (f", {failed} not sent" if failed else ""),
        highlight=False,
    )
    if failed:
        raise typer.Exit(code=1)
