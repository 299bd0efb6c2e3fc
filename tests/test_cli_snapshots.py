"""`assetmap snapshots take|list`: what a scheduler runs, and what it says when it cannot.
(A snapshot taken and printed as a brief: tests/browser/test_brief.py, on its own database,
since snapshots are never removed.)"""

from __future__ import annotations

import os
import subprocess
import sys

from app.settings import PROJECT_ROOT


def _run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "snapshots", *args],
        env=os.environ | {"DATABASE_URL": url},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_unknown_area_is_an_error_and_nothing_is_listed_for_it(demo_url: str) -> None:
    taken = _run(demo_url, "take", "E99999999")
    listed = _run(demo_url, "list", "E99999999")

    assert taken.returncode == 1 and "area E99999999 not found" in taken.stderr
    assert listed.returncode == 0 and "E99999999" not in listed.stdout
