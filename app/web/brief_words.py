"""The brief's words and numbers in its language (English or Welsh: app.i18n): dates as read
in England and Wales, changes in points, counts, distances and scores, and how the kinds
read in a sentence (filters of templates/brief.html)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from markupsafe import Markup

from app import i18n
from app.i18n import N_
from app.web.brief_svg import signed

# Dates as a partnership in England or Wales reads them (GMT or BST).
LOCAL_TIME = ZoneInfo("Europe/London")
# How the kinds read in a sentence: after a number of one, after any other.
KIND_WORDS = {
    "individual": (N_("person's gift or skill"), N_("people's gifts and skills")),
    "association": (N_("association"), N_("associations")),
    "institution": (N_("institution"), N_("institutions")),
    "physical": (N_("physical asset"), N_("physical assets")),
    "economic": (N_("economic asset"), N_("economic assets")),
    "cultural": (N_("cultural asset"), N_("cultural assets")),
}
# The levels of area, as the brief names them.
LEVEL_NAMES = (N_("Lsoa"), N_("Ward"), N_("Locality"), N_("Local authority"))


def local(moment: datetime | str) -> datetime:
    at = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return at.astimezone(LOCAL_TIME)


def day(moment: datetime | str, language: str = i18n.ENGLISH) -> str:
    """e.g. 1 December 2026 (in Welsh, 1 Rhagfyr 2026)."""
    at = local(moment)
    if language == i18n.ENGLISH:
        return f"{at.day} {at:%B %Y}"
    return format_date(at, "d MMMM y", locale=language)


def moment(moment: datetime | str, language: str = i18n.ENGLISH) -> str:
    """e.g. 1 December 2026 at 11:53 GMT."""
    at = local(moment)
    _ = i18n.translator(language)
    return _("{day} at {time}").format(day=day(at, language), time=f"{at:%H:%M %Z}")


def points(change: float | None, language: str = i18n.ENGLISH) -> str:
    """A change of share (0 to 1) in percentage points, signed, e.g. +0.8 points."""
    _ = i18n.translator(language)
    if change is None:
        return _("no change measured")
    if change == 0:
        return _("no change")
    return _("{n} points").format(n=signed(f"{change * 100:.1f}"))


def plural(n: int, one: str, many: str | None = None, language: str = i18n.ENGLISH) -> str:
    """`n` things: `one` or `many` in English; Welsh says the noun in the singular after any
    number ("3 cwestiwn"), so `one` there."""
    if language != i18n.ENGLISH:
        return f"{n:,} {one}"
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def metres(value: float | None, language: str = i18n.ENGLISH) -> str:
    _ = i18n.translator(language)
    return _("none on the map") if value is None else f"{round(value):,} m"


def score(value: float | None, language: str = i18n.ENGLISH) -> str:
    _ = i18n.translator(language)
    return _("no responses") if value is None else _("{score} of 5").format(score=f"{value:.2f}")


def kind_words(kind: str, count: int, language: str = i18n.ENGLISH) -> tuple[str, str]:
    """How `count` assets of `kind` read after their number, and the kind named among those
    with none ("none recorded yet of ...")."""
    one, many = KIND_WORDS[kind]
    _ = i18n.translator(language)
    after_number = one if count == 1 or language != i18n.ENGLISH else many
    return _(after_number), _(many)


def css_string(words: str) -> Markup:
    """`words` as a CSS string literal, safe inside a <style> element."""
    escaped = "".join(
        ch if ch.isalnum() or ch in " ,.:;()-" else f"\\{ord(ch):06x}" for ch in words
    )
    return Markup(f'"{escaped}"')  # noqa: S704 (only letters, digits and CSS escapes)
