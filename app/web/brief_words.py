"""The brief's words and numbers: dates as read in England, changes in points, counts,
distances and scores, and how the kinds read in a sentence (filters of templates/brief.html)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup

from app.web.brief_svg import signed

# Dates as a partnership in England reads them (GMT or BST).
LOCAL_TIME = ZoneInfo("Europe/London")
# How the kinds read in a sentence.
KIND_WORDS = {
    "individual": ("person's gift or skill", "people's gifts and skills"),
    "association": ("association", "associations"),
    "institution": ("institution", "institutions"),
    "physical": ("physical asset", "physical assets"),
    "economic": ("economic asset", "economic assets"),
    "cultural": ("cultural asset", "cultural assets"),
}


def local(moment: datetime | str) -> datetime:
    at = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return at.astimezone(LOCAL_TIME)


def day(moment: datetime | str) -> str:
    """e.g. 1 December 2026."""
    at = local(moment)
    return f"{at.day} {at:%B %Y}"


def moment(moment: datetime | str) -> str:
    """e.g. 1 December 2026 at 11:53 GMT."""
    at = local(moment)
    return f"{day(at)} at {at:%H:%M %Z}"


def points(change: float | None) -> str:
    """A change of share (0 to 1) in percentage points, signed, e.g. +0.8 points."""
    if change is None:
        return "no change measured"
    if change == 0:
        return "no change"
    return signed(f"{change * 100:.1f}") + " points"


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def metres(value: float | None) -> str:
    return "none on the map" if value is None else f"{round(value):,} m"


def score(value: float | None) -> str:
    return "no responses" if value is None else f"{value:.2f} of 5"


def css_string(words: str) -> Markup:
    """`words` as a CSS string literal, safe inside a <style> element."""
    escaped = "".join(
        ch if ch.isalnum() or ch in " ,.:;()-" else f"\\{ord(ch):06x}" for ch in words
    )
    return Markup(f'"{escaped}"')  # noqa: S704 (only letters, digits and CSS escapes)
