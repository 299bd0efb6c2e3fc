"""`assetmap sessions create|list|report`: a moderator opens a scanning day from a
terminal, and prints or saves the report it leaves behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import text

from app.db import make_engine
from app.settings import PROJECT_ROOT


def test_the_cli_opens_a_day_and_reports_on_it(demo_url: str, tmp_path: Path) -> None:
    """`assetmap sessions create|list|report` against the demo database (committed: the CLI
    runs in its own process), then the session is removed again."""
    env = {"DATABASE_URL": demo_url}
    run = _cli(env)
    made = run(
        "users",
        "create",
        "--email",
        "cli-fa@example.org",
        "--role",
        "moderator",
        "--area",
        "E08000009",
    )
    assert made.returncode == 0, made.stderr
    try:
        opened = run(
            "sessions",
            "create",
            "--area",
            "E08000009",
            "--title",
            "Sale scanning day",
            "--date",
            "2026-12-05",
            "--by",
            "cli-fa@example.org",
            "--base-url",
            "https://assets.example.org",
        )
        join_url = opened.stdout.strip().splitlines()[-1]
        session_id = join_url.split("/sessions/")[1].split("?")[0]
        listed = run("sessions", "list")
        text_report = run("sessions", "report", session_id)
        saved = tmp_path / "report.html"
        html_report = run("sessions", "report", session_id, "--format", "html", "--out", str(saved))
        json_report = run("sessions", "report", session_id, "--format", "json", "--public")
        bad_date = run(
            "sessions",
            "create",
            "--area",
            "E08000009",
            "--title",
            "x",
            "--date",
            "soon",
            "--by",
            "cli-fa@example.org",
        )
        bad_area = run(
            "sessions",
            "create",
            "--area",
            "E99999999",
            "--title",
            "x",
            "--date",
            "2026-12-05",
            "--by",
            "cli-fa@example.org",
        )
        missing = run("sessions", "report", "999999")
    finally:
        _cleanup(demo_url)

    assert opened.returncode == 0, opened.stderr
    assert join_url.startswith(f"https://assets.example.org/sessions/{session_id}?code=")
    assert "Sale scanning day" in listed.stdout and "open" in listed.stdout
    assert text_report.returncode == 0 and "Sale scanning day" in text_report.stdout
    assert "new assets: 0" in text_report.stdout
    assert html_report.returncode == 0 and "<h1>Sale scanning day</h1>" in saved.read_text()
    assert json.loads(json_report.stdout)["session"]["title"] == "Sale scanning day"
    assert bad_date.returncode == 1 and "--date" in bad_date.stderr
    assert bad_area.returncode == 1 and "area" in bad_area.stderr
    assert missing.returncode == 1 and "not found" in missing.stderr


def _cli(env: dict[str, str]) -> Any:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            env=os.environ | env,
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


def _cleanup(url: str) -> None:
    engine = make_engine(url, pool_size=1)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM scan_session WHERE created_by = 'cli-fa@example.org'"))
        connection.execute(text("DELETE FROM app_user WHERE email = 'cli-fa@example.org'"))
    engine.dispose()
