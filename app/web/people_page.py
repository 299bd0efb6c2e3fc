"""The people administration page (/people) and the page a reset link opens
(/people/reset): static HTML whose scripts (static/people/) talk to the API."""

from __future__ import annotations

from functools import cache

from app.settings import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "app" / "web" / "templates"


@cache
def people_page_html() -> str:
    return (TEMPLATES / "people.html").read_text(encoding="utf-8")


@cache
def reset_page_html() -> str:
    return (TEMPLATES / "people_reset.html").read_text(encoding="utf-8")
