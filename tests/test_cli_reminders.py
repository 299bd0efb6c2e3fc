"""`assetmap reminders send`: the daily run that emails the review reminders due, as an
operator runs it from cron: refused without a mail server, a dry run first, then the real
one, then the next day's, which sends nothing again."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import Engine, text

from app.db import make_engine
from app.settings import PROJECT_ROOT
from tests.conftest import alembic_config, create_database, drop_database
from tests.mailbox import mailbox


@pytest.fixture
def old_asset(base_url: str) -> Iterator[tuple[str, Engine]]:
    """A database of its own (the command commits, in its own process) holding a food bank
    Ann added 13 months ago, which no one has confirmed since."""
    url = create_database(base_url, "assetmap_reminders")
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url, pool_size=1)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO app_user (email, password_hash, role) "
                "VALUES ('ann@example.org', '!', 'contributor')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO asset (name, kind, geom, created_by, created_at) VALUES "
                "('Sale Food Bank', 'institution', 'SRID=4326;POINT(-2.3183 53.4250)', "
                "'ann@example.org', now() - interval '13 months')"
            )
        )
    try:
        yield url, engine
    finally:
        engine.dispose()
        drop_database(url)


def _send(url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("ASSETMAP_")}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "reminders", "send", *args],
        env=clean | {"DATABASE_URL": url, "COLUMNS": "200"} | env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _recorded(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(text("SELECT count(*) FROM review_reminder")) or 0)


def test_the_daily_run_sends_each_reminder_once(old_asset: tuple[str, Engine]) -> None:
    url, engine = old_asset

    without_smtp = _send(url)
    dry_run = _send(url, "--dry-run")

    assert without_smtp.returncode == 1
    assert "no SMTP server is configured" in without_smtp.stderr
    assert dry_run.returncode == 0, dry_run.stderr
    assert "asset 1 (Sale Food Bank): would send reminder 1 to ann@example.org" in dry_run.stdout
    assert _recorded(engine) == 0

    with mailbox() as box:
        smtp = {
            "ASSETMAP_SMTP_HOST": "127.0.0.1",
            "ASSETMAP_SMTP_PORT": str(box.settings.port),
            "ASSETMAP_REMINDER_BASE_URL": "https://assets.example.org",
        }
        sent = _send(url, **smtp)
        next_day = _send(url, **smtp)

        assert sent.returncode == 0, sent.stderr
        assert "asset 1 (Sale Food Bank): sent reminder 1 to ann@example.org" in sent.stdout
        assert "1 reminder email(s) sent" in sent.stdout
        (email,) = box.to("ann@example.org")
        assert email["Subject"] == "Is Sale Food Bank still there?"
        body = email.get_payload(decode=True)
        assert isinstance(body, bytes)
        assert b"https://assets.example.org/reminders/answer?token=" in body
        assert next_day.returncode == 0, next_day.stderr
        assert "0 reminder email(s) sent" in next_day.stdout
        assert len(box.messages) == 1
    assert _recorded(engine) == 1


def test_a_bad_setting_is_named(old_asset: tuple[str, Engine]) -> None:
    url, engine = old_asset

    refused = _send(url, "--dry-run", ASSETMAP_REMINDER_INTERVAL="two weeks")

    assert refused.returncode == 1
    assert "interval" in refused.stderr and "ISO 8601" in refused.stderr
    assert _recorded(engine) == 0
