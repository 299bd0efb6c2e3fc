"""The `assetmap` command: the local database, migrations and the server, imports, exports,
gap analyses, accounts, scanning days and decision rounds; one module per command or group
of commands."""

from __future__ import annotations

import typer

# Each command imports the analyses, importers and exporters it runs when it runs: loading
# them all would add two seconds to every command (an import of 100,000 rows takes five).
# So these modules import only what their options need; keep it that way in new commands.
from app.cli import (
    brief,
    db,
    demo,
    exports,
    gaps,
    imports,
    reminders,
    rounds,
    serve,
    sessions,
    snapshots,
    subscriptions,
    users,
)

cli = typer.Typer(
    pretty_exceptions_enable=False,
    help="Community Asset Map: assets, areas and gap analyses on PostGIS.",
)
# `assetmap --help` lists them in this order.
cli.command()(db.migrate)
cli.command()(serve.serve)
cli.command()(demo.demo)
cli.command()(gaps.gaps)
cli.command()(brief.brief)
cli.add_typer(db.db_cli, name="db")
cli.add_typer(imports.import_cli, name="import")
cli.add_typer(exports.export_cli, name="export")
cli.add_typer(users.users_cli, name="users")
cli.add_typer(sessions.sessions_cli, name="sessions")
cli.add_typer(rounds.rounds_cli, name="rounds")
cli.add_typer(snapshots.snapshots_cli, name="snapshots")
cli.add_typer(reminders.reminders_cli, name="reminders")
cli.add_typer(subscriptions.subscriptions_cli, name="subscriptions")


def main() -> None:
    """Run the `assetmap` command line (the entry point in pyproject.toml)."""
    cli()
