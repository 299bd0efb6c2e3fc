"""`assetmap rounds ...`: decision rounds with an equal say: make one, print invites for a
constituency, and print the results."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Literal

import typer
from rich.table import Table

from app.cli.common import fail, out, sessions
from app.errors import Problem

rounds_cli = typer.Typer(help="Decision rounds: make one, invite people, see the results.")

OPTION_HELP = (
    "An option (repeat it): gap:AREA:CATEGORY (or gap:AREA:outcome=SLUG), "
    "site:LON,LAT:CATEGORY, innovation:ID or free:TITLE"
)


def _option(spec: str) -> dict[str, object]:
    """An option as POST /rounds takes it, from its --option text."""
    kind, _, rest = spec.partition(":")
    if kind == "free" and rest:
        return {"kind": "free", "title": rest}
    if kind == "innovation" and rest.isdigit():
        return {"kind": "innovation", "innovation": int(rest)}
    where, _, what = rest.partition(":")
    about: dict[str, object] = (
        {"outcome": what.removeprefix("outcome=")}
        if what.startswith("outcome=")
        else {"category": what}
    )
    if kind == "gap" and where and what:
        return {"kind": "gap", "area": where} | about
    if kind == "site" and what:
        try:
            lon, lat = (float(part) for part in where.split(","))
        except ValueError:
            raise fail(f"--option {spec!r}: a site is site:LON,LAT:CATEGORY") from None
        return {"kind": "site", "lon": lon, "lat": lat} | about
    raise fail(f"--option {spec!r}: {OPTION_HELP}")


def _when(text: str, name: str) -> datetime:
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        raise fail(f"{name}: {text!r} is not a time as YYYY-MM-DDTHH:MM[+00:00]") from None
    return found if found.tzinfo else found.astimezone()


@rounds_cli.command("create")
def rounds_create(
    area: Annotated[str, typer.Option(help="The area's code, e.g. E08000009")],
    question: Annotated[str, typer.Option(help="What is to be decided")],
    opens: Annotated[str, typer.Option(help="When it opens, e.g. 2026-12-01T09:00")],
    closes: Annotated[str, typer.Option(help="When it closes")],
    by: Annotated[str, typer.Option(help="The email of the moderator or admin who runs it")],
    option: Annotated[list[str], typer.Option(help=OPTION_HELP)],
    method: Annotated[
        Literal["borda", "approval", "points"], typer.Option(help="How ballots are counted")
    ] = "borda",
    constituency: Annotated[
        list[str] | None,
        typer.Option(help="A constituency (repeat it; residents and practitioners if none)"),
    ] = None,
    points_total: Annotated[int, typer.Option(help="For points: how many to share")] = 100,
) -> None:
    """Make a decision round; prints its id and its options with their evidence."""
    from app.auth.accounts import account_by_email
    from app.domain import rounds, say
    from app.domain.round_options import OptionAsked
    from app.settings import AnalysisSettings

    asked = rounds.RoundAsked(
        area=area,
        question=question,
        description=None,
        method=method,
        points_total=points_total,
        opens_at=_when(opens, "--opens"),
        closes_at=_when(closes, "--closes"),
        constituencies=list(constituency or say.DEFAULT_CONSTITUENCIES),
        options=[OptionAsked(**_option(spec)) for spec in option],  # type: ignore[arg-type]
    )
    with sessions()() as session, session.begin():
        account = account_by_email(session, by)
        if account is None:
            raise fail(f"--by: no account has the email {by}")
        try:
            made = rounds.create(session, account, asked, AnalysisSettings())
        except Problem as problem:
            raise fail(problem.detail) from problem
        described = rounds.describe(session, made)
    out.print(f"made round {described['id']}: {question} ({described['state']})")
    for listed in described["options"]:
        out.print(f"  option {listed['id']}: {listed['title']}")


@rounds_cli.command("invites")
def rounds_invites(
    round_id: Annotated[int, typer.Argument(help="The round's id")],
    constituency: Annotated[str, typer.Option(help="Whose invites, by its name")],
    count: Annotated[int, typer.Option(help="How many")],
    base_url: Annotated[
        str, typer.Option(help="Where the service is reached, for the links")
    ] = "http://127.0.0.1:8000",
) -> None:
    """Print `count` invites for a constituency, a code and its link per line (shown this
    once: only their digests are kept)."""
    from app.domain import rounds, say

    with sessions()() as session, session.begin():
        try:
            found = rounds.get(session, round_id)
            group = say.named(say.constituencies(session, round_id=found.id), constituency)
            codes = say.invite(session, group, count)
        except Problem as problem:
            raise fail(problem.detail) from problem
    for code in codes:
        print(f"{code}\t{base_url.rstrip('/')}/rounds/{round_id}/vote?code={code}")


@rounds_cli.command("results")
def rounds_results(
    round_id: Annotated[int, typer.Argument(help="The round's id")],
    format_: Annotated[
        Literal["text", "json"], typer.Option("--format", help="text or json")
    ] = "text",
) -> None:
    """The results: each constituency's, combined with equal weight, and the head count."""
    from app.domain import round_results, rounds

    with sessions()() as session:
        try:
            found = rounds.get(session, round_id)
        except Problem as problem:
            raise fail(problem.detail) from problem
        results = round_results.results(session, found)
    if format_ == "json":
        print(json.dumps(results, indent=2))
        return
    table = Table(
        "option",
        *(c["constituency"] for c in results["constituencies"]),
        "equal weight",
        "head count",
    )
    share = {
        c["constituency"]: {r["option"]: r["share"] for r in c["results"]}
        for c in results["constituencies"]
    }
    head = {r["option"]: r["share"] for r in results["head_count"]}
    for row in results["combined"]:
        table.add_row(
            f"{row['rank']}. {row['title']}",
            *(f"{share[c['constituency']][row['option']]:.3f}" for c in results["constituencies"]),
            f"{row['share']:.3f}",
            f"{head[row['option']]:.3f}",
        )
    out.print(f"round {round_id}: {results['state']}; {results['method']['formula']}")
    out.print(table)
    turnout = ", ".join(
        f"{t['constituency']} {t['ballots']}/{t['invites']}" for t in results["turnout"]
    )
    out.print(f"turnout: {turnout}")
    winner = results["winner"]
    if winner["differ"]:
        out.print("equal weight and a head count choose differently")
