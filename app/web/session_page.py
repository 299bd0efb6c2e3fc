"""The scanning session's live map page (placeholder until its front end lands)."""

from __future__ import annotations

import html


def session_page_html(session_id: int, title: str, area_code: str) -> str:
    """The page of session `session_id`."""
    return f"<!doctype html><title>{html.escape(title)}</title><p>{html.escape(area_code)}</p>"
