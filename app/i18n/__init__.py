"""Welsh and English: the gettext catalogues, the reader's language, and its headers.

The catalogues are the `.po` files under app/locale (`pybabel extract -F babel.cfg` makes
the template, app/locale/messages.pot, from the Python, the templates and the page's
scripts); they are compiled in memory when the app builds its middleware (the Language
middleware, before the first answer), so no build output is kept and a broken catalogue
answers nothing. English is the source language: its catalogue is the msgids themselves.

The language of a request: a `lang` query parameter (the page's English/Cymraeg switch, which
also sets a `lang` cookie), else the `lang` cookie, else `Accept-Language` (Babel's
negotiation), else English. A language the service does not have falls back to English.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs

from babel.core import negotiate_locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from fastapi import Depends, Request
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.settings import PROJECT_ROOT

LOCALE_DIR = PROJECT_ROOT / "app" / "locale"
ENGLISH = "en"
WELSH = "cy"
LANGUAGES = (ENGLISH, WELSH)
# The switch's words: each language named in itself.
NAMES = {ENGLISH: "English", WELSH: "Cymraeg"}
COOKIE = "lang"
COOKIE_MAX_AGE_S = 365 * 24 * 3600


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


@cache
def catalog(language: str) -> Catalog:
    """The catalogue of `language` as its `.po` file says it (Welsh: app/locale/cy)."""
    with catalogue_path(language).open("rb") as po:
        return read_po(po, locale=language)


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalogue of `language` (English, or one not kept: the msgids)."""
    if language == ENGLISH or language not in LANGUAGES:
        return NullTranslations()
    catalog_ = catalog(language)
    compiled = io.BytesIO()
    # fuzzy entries are left out, as msgfmt does: a guess is not a translation
    write_mo(compiled, catalog_, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled)


# A message in the reader's language: what translator gives.
Translate = Callable[[str], str]


def translator(language: str) -> Translate:
    """`_`: a message in `language` (the message itself when the catalogue lacks it)."""
    return translations(language).gettext


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "translated later"
    """Marks `message` for the catalogue where it is defined; it is translated where shown."""
    return message


class Said(str):
    """A message with values in it, as English says it (the str itself), which keeps its
    catalogue entry (`template`, with `{name}` placeholders) and `values`, so that it can be
    said in another language where it is shown (`say`)."""

    template: str
    values: dict[str, object]


def said(template: str, **values: object) -> Said:
    """`template` with `values` put in: `said("unknown category {slug}", slug="'x'")` is the
    English "unknown category 'x'", and Welsh where `say` shows it. `pybabel extract` takes
    `template` into the catalogue (babel.cfg names `said`)."""
    message = Said(template.format(**values))
    message.template = template
    message.values = values
    return message


def say(message: str, language: str) -> str:
    """`message` in `language`: a `said` message's template through the catalogue with its
    values put in again, any other through the catalogue as it is."""
    _ = translator(language)
    if not isinstance(message, Said):
        return _(message)
    try:
        return _(message.template).format(**message.values)
    except (KeyError, IndexError, ValueError):  # a translation that lost a placeholder
        return str(message)


def as_written(message: str) -> str:
    """A Translate that says each message as it is written (English)."""
    return message


@cache
def script_messages(language: str, where: str) -> dict[str, str]:
    """The translations of the strings of the scripts in `where` (a folder or a file, from
    the repository's root: "app/web/static/page"), msgid to msgstr, for the page's t()."""
    if language == ENGLISH or language not in LANGUAGES:
        return {}
    return {
        str(message.id): str(message.string)
        for message in catalog(language)
        if message.id
        and message.string
        and not message.fuzzy
        and any(path == where or path.startswith(where + "/") for path, _ in message.locations)
    }


@cache
def script_json(language: str, *where: str) -> str:
    """script_messages of each of `where`, as JSON to write into a page's
    <script type="application/json">."""
    messages = {
        key: value for place in where for key, value in script_messages(language, place).items()
    }
    return json.dumps(messages, ensure_ascii=False).replace("</", "<\\/")


def page_words(language: str) -> dict[str, Any]:
    """What every translated template is given: `_`, `say` (for a `said` message), `lang`
    and the switch's languages."""
    return {
        "_": translator(language),
        "say": lambda message: say(message, language),
        "lang": language,
        "languages": [(code, NAMES[code]) for code in LANGUAGES],
    }


def supported(language: str | None) -> str | None:
    """`language` (e.g. "cy", "CY", "cy-GB") as one the service has, or None."""
    if not language:
        return None
    return negotiate_locale([language.strip().replace("_", "-").lower()], LANGUAGES, sep="-")


def _preferred(accept_language: str) -> list[str]:
    """The languages of an Accept-Language header, most wanted first (q=0 left out)."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept_language.split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag.strip() and tag.strip() != "*" and quality > 0:
            ranked.append((-quality, position, tag.strip().lower()))
    return [tag for _, _, tag in sorted(ranked)]


# Choices no longer than this are kept once negotiated (browsers send a few forms of
# Accept-Language, each well under it); a longer one is negotiated each time, so no header
# an attacker makes up can fill the cache.
KEPT_CHOICE_CHARS = 200


def negotiate(chosen: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The reader's language: the switch's choice, the cookie, Accept-Language, English."""
    if max(len(chosen or ""), len(cookie or ""), len(accept_language or "")) > KEPT_CHOICE_CHARS:
        return _negotiate(chosen, cookie, accept_language)
    return _kept_negotiation(chosen, cookie, accept_language)


@lru_cache(maxsize=1024)
def _kept_negotiation(chosen: str | None, cookie: str | None, accept_language: str | None) -> str:
    return _negotiate(chosen, cookie, accept_language)


def _negotiate(chosen: str | None, cookie: str | None, accept_language: str | None) -> str:
    for asked in (chosen, cookie):
        found = supported(asked)
        if found:
            return found
    if accept_language:
        found = negotiate_locale(_preferred(accept_language), LANGUAGES, sep="-")
        if found:
            return found
    return ENGLISH


def scope_language(scope: Scope) -> str:
    """The language the Language middleware chose for this request (English outside it)."""
    return str(scope.get("state", {}).get("language", ENGLISH))


def request_language(connection: HTTPConnection) -> str:
    """scope_language, of a request."""
    return scope_language(connection.scope)


def language(request: Request) -> str:
    """The request's language, as a route's parameter (LanguageDep)."""
    return request_language(request)


LanguageDep = Annotated[str, Depends(language)]


class Language:
    """Chooses each request's language (kept in the request's state as `language`), sets the
    `lang` cookie when the switch chose one, and says `Content-Language` and
    `Vary: Accept-Language, Cookie` on every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        for language in LANGUAGES:
            translations(language)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_query = scope.get("query_string", b"")
        switched = None
        if b"lang=" in raw_query:  # the switch's choice (most requests ask none)
            query = parse_qs(raw_query.decode("latin-1"))
            switched = supported((query.get("lang") or [None])[-1])
        headers = dict(_headers(scope["headers"]))
        cookie = _cookie_language(headers.get("cookie"))
        language = negotiate(switched, cookie, headers.get("accept-language"))
        scope.setdefault("state", {})["language"] = language

        async def told(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer = MutableHeaders(scope=message)
                answer["Content-Language"] = language
                vary = [v.strip() for v in answer.get("Vary", "").split(",") if v.strip()]
                for name in ("Accept-Language", "Cookie"):
                    if name.lower() not in {v.lower() for v in vary}:
                        vary.append(name)
                answer["Vary"] = ", ".join(vary)
                if switched and switched != cookie:
                    answer.append(
                        "Set-Cookie",
                        f"{COOKIE}={switched}; Path=/; Max-Age={COOKIE_MAX_AGE_S}; SameSite=Lax",
                    )
            await send(message)

        await self.app(scope, receive, told)


def _cookie_language(header: str | None) -> str | None:
    """The language cookie's value in a Cookie header, if any."""
    if not header or COOKIE not in header:
        return None
    cookies: SimpleCookie = SimpleCookie()
    try:
        cookies.load(header)
    except CookieError:  # a cookie we cannot read is no choice
        return None
    return cookies[COOKIE].value if COOKIE in cookies else None


def _headers(raw: Iterable[tuple[bytes, bytes]]) -> Iterable[tuple[str, str]]:
    for name, value in raw:
        yield name.decode("latin-1").lower(), value.decode("latin-1")
