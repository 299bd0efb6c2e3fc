"""`assetmap sessions ...`: scanning days: open one, list them, and print or save the
report a day leaves behind."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.table import Table

from app.cli.common import fail, out, sessions
from app.errors import Problem

sessions_cli = typer.Typer(help="Scanning days: open one, list them, report on one.")


@sessions_cli.command("create")
def sessions_create(
    area: Annotated[str, typer.Option(help="The area's code, e.g. E08000009")],
    title: Annotated[str, typer.Option(help="What the day is called")],
    held_on: Annotated[str, typer.Option("--date", help="The day it is held, as YYYY-MM-DD")],
    by: Annotated[str, typer.Option(help="The email of the moderator or admin who opens it")],
    facilitator: Annotated[
        list[str] | None, typer.Option(help="The email of another facilitator (repeat it)")
    ] = None,
    base_url: Annotated[
        str, typer.Option(help="Where the service is reached, for the join link")
    ] = "http://127.0.0.1:8000",
) -> None:
    """Open a scanning day. Prints its id, its join code (shown this once: only its digest
    is kept) and the link people join with."""
    from app.auth.accounts import account_by_email
    from app.domain import sessions as scan_sessions

    try:
        day = date.fromisoformat(held_on)
    except ValueError:
        raise fail(f"--date: {held_on!r} is not a date as YYYY-MM-DD") from None
    with sessions()() as session, session.begin():
        account = account_by_email(session, by)
        if account is None:
            raise fail(f"--by: no account has the email {by}")
        try:
            made, code = scan_sessions.create(
                session, account, area, title, day, list(facilitator or [])
            )
        except Problem as problem:
            raise fail(problem.detail) from problem
        made_id = made.id
    out.print(f"opened session {made_id}: {title} ({area}, {day.isoformat()})")
    out.print(f"join code: [bold]{code}[/]")
    print(f"{base_url.rstrip('/')}/sessions/{made_id}?code={code}")


@sessions_cli.command("list")
def sessions_list() -> None:
    """The scanning days, newest first: id, day, area, title, people, open or closed."""
    from sqlalchemy import func, select

    from app.models import ScanSession, SessionParticipant

    people = (
        select(func.count())
        .where(SessionParticipant.session_id == ScanSession.id)
        .scalar_subquery()
    )
    table = Table("id", "day", "area", "title", "people", "state")
    with sessions()() as session:
        for row in session.execute(
            select(ScanSession, people.label("people")).order_by(ScanSession.id.desc())
        ):
            scan = row.ScanSession
            state = "closed" if scan.closed_at else "open"
            table.add_row(
                str(scan.id), str(scan.held_on), scan.area_code, scan.title, str(row.people), state
            )
    out.print(table)


@sessions_cli.command("report")
def sessions_report(
    session_id: Annotated[int, typer.Argument(help="The session's id")],
    format_: Annotated[
        Literal["text", "json", "html"],
        typer.Option("--format", help="text (to read here), json, or html (to print)"),
    ] = "text",
    output: Annotated[
        Path | None, typer.Option("--out", help="Write it to this file instead")
    ] = None,
    public: Annotated[
        bool,
        typer.Option("--public", help="Only what anyone with the link sees (not what still waits)"),
    ] = False,
) -> None:
    """What a scanning day found, as its facilitators read it (or, with --public, as anyone
    does): the same report as GET /sessions/{id}/report."""
    from app.domain import session_report
    from app.domain import sessions as scan_sessions

    with sessions()() as session:
        try:
            scan = scan_sessions.get(session, session_id)
        except Problem as problem:
            raise fail(problem.detail) from problem
        found = session_report.report(session, scan, not public)
        area_code = scan.area_code
    if format_ == "json":
        text = json.dumps(found, indent=2, default=str)
    elif format_ == "html":
        from app.settings import ApiSettings
        from app.web.session_report_page import report_html

        here = f"/sessions/{session_id}"
        links = {
            "geojson": f"{here}/additions.geojson",
            "csv": f"{here}/additions.csv",
            "json": f"{here}/report?f=json",
            "network": f"/network/{area_code}?session={session_id}",
        }
        text = report_html(found, ApiSettings(), links)
    else:
        text = _as_text(found)
    if output is None:
        print(text)
    else:
        output.write_text(text, encoding="utf-8")
        out.print(f"wrote {output}")


def _as_text(found: dict[str, Any]) -> str:
    """The report in a few plain lines."""
    day = found["session"]
    new = found["found"]["new"]
    lines = [
        f"{day['title']}: {found['area']['name']}, {day['held_on']}; "
        f"{day['participants']} joined; {'closed' if day['closed_at'] else 'open'}",
        f"new assets: {len(new)}",
        *(f"  {a['name']} ({a['kind']}, {a['status']}, added by {a['added_by']})" for a in new),
        f"confirmed today: {len(found['found']['confirmed'])}",
        *(f"  {a['name']}" for a in found["found"]["confirmed"]),
        f"innovations: {len(found['innovations'])}",
        *(f"  {i['name']}" for i in found["innovations"]),
        f"leaders to celebrate: {len(found['leaders'])}",
        *(f"  {a['name']}: {a['note'] or ''}" for a in found["leaders"]),
        f"network: {found['network']['edges']} connections; named: "
        + (", ".join(found["network"]["named"]) or "no one")
        + f"; not named: {found['network']['people_not_shown']}",
        f"waiting for moderation: {found['waiting']['count']}",
    ]
    return "\n".join(lines)
