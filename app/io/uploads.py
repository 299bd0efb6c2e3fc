"""Uploads being imported: each in a folder of its own, named after the process that took
it, so that what a crash or a kill leaves behind is removed when the service starts again."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PREFIX = "assetmap-import-"


def process_running(pid: int) -> bool:
    """Whether a process with this id runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's
    return True


@contextmanager
def upload_folder(base: Path | None) -> Iterator[Path]:
    """A new folder for one upload, under `base` (the system's temporary folder if None),
    removed with what it holds when the block ends."""
    with tempfile.TemporaryDirectory(prefix=f"{PREFIX}{os.getpid()}-", dir=base) as folder:
        yield Path(folder)


def clean(base: Path | None) -> int:
    """Remove the upload folders under `base` whose process is no longer running; returns
    how many."""
    removed = 0
    for folder in Path(base or tempfile.gettempdir()).glob(f"{PREFIX}*"):
        pid = folder.name.removeprefix(PREFIX).split("-")[0]
        if pid.isdigit() and process_running(int(pid)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    return removed
