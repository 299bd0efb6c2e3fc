"""`assetmap rounds create|invites|results`: a moderator runs a decision round from a
terminal: makes it, prints invites for each constituency, and reads the results."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
from sqlalchemy import text

from app.db import make_engine
from app.settings import PROJECT_ROOT
from tests.conftest import serving


def _run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=os.environ | {"DATABASE_URL": url},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_round_from_the_terminal(demo_url: str) -> None:
    """Against the demo database (committed: the CLI runs in its own process); the round
    and the account are removed after."""
    made = _run(
        demo_url,
        "users",
        "create",
        "--email",
        "cli-ro@example.org",
        "--role",
        "moderator",
        "--area",
        "E08000009",
    )
    assert made.returncode == 0, made.stderr
    try:
        created = _run(
            demo_url,
            "rounds",
            "create",
            "--area",
            "E08000009",
            "--question",
            "Which first?",
            "--opens",
            "2026-01-01T09:00+00:00",
            "--closes",
            "2099-01-01T09:00+00:00",
            "--by",
            "cli-ro@example.org",
            "--option",
            "gap:E01006108:gp-practice",
            "--option",
            "free:A youth club",
        )
        round_id = created.stdout.split("made round ")[1].split(":")[0]
        invites = _run(
            demo_url,
            "rounds",
            "invites",
            round_id,
            "--constituency",
            "residents and community members",
            "--count",
            "3",
            "--base-url",
            "https://say.example.org",
        )
        codes = [line.split("\t") for line in invites.stdout.strip().splitlines()]
        with serving(demo_url) as base:
            options = httpx.get(f"{base}/rounds/{round_id}").json()["options"]
            cast = httpx.post(
                f"{base}/rounds/{round_id}/ballot",
                json={"ranking": [options[1]["id"], options[0]["id"]]},
                headers={"Authorization": f"Bearer {codes[0][0]}"},
            )
        results = _run(demo_url, "rounds", "results", round_id)
        as_json = _run(demo_url, "rounds", "results", round_id, "--format", "json")
        bad_option = _run(
            demo_url,
            "rounds",
            "create",
            "--area",
            "E08000009",
            "--question",
            "x",
            "--opens",
            "2026-01-01T09:00",
            "--closes",
            "2099-01-01T09:00",
            "--by",
            "cli-ro@example.org",
            "--option",
            "nonsense",
            "--option",
            "free:y",
        )
        one_group = _run(
            demo_url,
            "rounds",
            "create",
            "--area",
            "E08000009",
            "--question",
            "x",
            "--opens",
            "2026-01-01T09:00",
            "--closes",
            "2099-01-01T09:00",
            "--by",
            "cli-ro@example.org",
            "--option",
            "free:x",
            "--option",
            "free:y",
            "--constituency",
            "Only us",
        )
        unknown_group = _run(
            demo_url, "rounds", "invites", round_id, "--constituency", "Nobody", "--count", "1"
        )
    finally:
        engine = make_engine(demo_url, pool_size=1)
        with engine.begin() as connection:
            connection.execute(
                text("DELETE FROM decision_round WHERE created_by = 'cli-ro@example.org'")
            )
            connection.execute(text("DELETE FROM app_user WHERE email = 'cli-ro@example.org'"))
        engine.dispose()

    assert created.returncode == 0, created.stderr
    assert "A youth club" in created.stdout
    assert len(codes) == 3
    assert codes[0][1] == f"https://say.example.org/rounds/{round_id}/vote?code={codes[0][0]}"
    assert cast.status_code == 201, cast.text
    assert results.returncode == 0 and "equal weight" in results.stdout
    combined = json.loads(as_json.stdout)["combined"]
    assert next(row["title"] for row in combined) == "A youth club"  # the one ballot's first
    assert "1/3" in results.stdout  # the residents' turnout
    assert bad_option.returncode == 1 and "--option" in bad_option.stderr
    assert one_group.returncode == 1 and "constituencies" in one_group.stderr
    assert unknown_group.returncode == 1 and "Nobody" in unknown_group.stderr
