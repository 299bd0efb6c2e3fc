"""`assetmap users create`: an admin makes accounts from a terminal."""

from __future__ import annotations

import os
import subprocess
import sys

from fastapi.testclient import TestClient

from app.settings import PROJECT_ROOT


def _users(demo_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "users", "create", *args],
        env=os.environ | {"DATABASE_URL": demo_url},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_create_prints_a_one_time_password_or_an_api_token(
    demo_url: str, demo_client: TestClient
) -> None:
    moderator = _users(
        demo_url, "--email", "Mo@Example.org", "--role", "moderator", "--area", "E08000009"
    )
    script = _users(demo_url, "--email", "robot@example.org", "--role", "analyst", "--token")

    assert moderator.returncode == 0, moderator.stderr
    password = moderator.stdout.strip().splitlines()[-1]
    signed_in = demo_client.post(
        "/auth/token", data={"username": "mo@example.org", "password": password}
    )
    assert signed_in.status_code == 200
    token = script.stdout.strip().splitlines()[-1]
    me = demo_client.get("/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert (me["email"], me["role"]) == ("robot@example.org", "analyst")

    again = _users(demo_url, "--email", "mo@example.org", "--role", "contributor")
    assert again.returncode == 1 and "already has an account" in again.stderr
    nobody = _users(demo_url, "--email", "x@example.org", "--role", "moderator")
    assert nobody.returncode == 1 and "at least one area" in nobody.stderr
