"""`assetmap brief CODE --output brief.pdf`: a snapshot's commissioning brief, printed to
PDF by headless Chromium (Debian's, or ASSETMAP_CHROMIUM), or written as its HTML."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from app import i18n
from app.cli.common import fail, out, sessions
from app.errors import Problem

CHROMIUM = "/usr/bin/chromium"


def brief(
    area: Annotated[str, typer.Argument(help="The area's code, e.g. E08000009")],
    output: Annotated[
        Path, typer.Option(help="The file to write: brief.pdf (printed) or brief.html")
    ],
    snapshot: Annotated[
        int | None, typer.Option(help="The snapshot's id; the area's latest if not given")
    ] = None,
    lang: Annotated[str, typer.Option(help="The brief's language: en (English) or cy (Welsh)")] = (
        "en"
    ),
) -> None:
    """Print the commissioning brief of a snapshot: the locality in plain words, its maps
    and charts, the neighbourhoods most in need, and its sources and method."""
    from app.web.brief import brief_html

    kind = output.suffix.lower()
    if kind not in (".pdf", ".html", ".htm"):
        raise fail(f"--output must end in .pdf or .html, not {output.name!r}")
    language = i18n.supported(lang)
    if language is None:
        raise fail(f"--lang must be one of {', '.join(i18n.LANGUAGES)}, not {lang!r}")
    with sessions()() as session:
        try:
            page = brief_html(session, area, snapshot, language)
        except Problem as problem:
            raise fail(problem.detail) from problem
    if kind == ".pdf":
        _print_pdf(page, output)
    else:
        output.write_text(page, encoding="utf-8")
    out.print(f"the brief of {area} is in {output}")


def _print_pdf(page: str, output: Path) -> None:
    """Print `page` to an A4 PDF at `output` in headless Chromium, with no network: the
    brief fetches nothing."""
    from playwright.sync_api import Error, sync_playwright

    executable = os.environ.get("ASSETMAP_CHROMIUM", CHROMIUM)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable)
            try:
                tab = browser.new_page()
                tab.route("**/*", lambda route: route.abort())
                tab.set_content(page, wait_until="load")
                tab.pdf(
                    path=str(output), format="A4", print_background=True, prefer_css_page_size=True
                )
            finally:
                browser.close()
    except Error as problem:
        raise fail(
            f"Chromium at {executable} could not print the brief (set ASSETMAP_CHROMIUM to "
            f"another): {problem.message.splitlines()[0]}"
        ) from None
