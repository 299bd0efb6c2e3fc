"""`assetmap serve`: the HTTP API under uvicorn."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from app.settings import ServerSettings


def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes")] = None,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs)."""
    server = ServerSettings()
    # uvicorn replaces this process, so the server holds only what the app imports, not the
    # importers and analyses this command line loads (150 MB less per server).
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "app.main:create_app",
        "--factory",
        "--host",
        host or server.host,
        "--port",
        str(port or server.port),
        "--workers",
        str(workers or server.workers),
        "--proxy-headers",
        # live streams (a scanning day's events) never end by themselves: a stop waits
        # this long for them, then ends them
        "--timeout-graceful-shutdown",
        str(server.graceful_shutdown_s),
    ]
    os.execv(sys.executable, command)  # noqa: S606 (fixed arguments, no shell)
