"""The Welsh catalogue covers every string the sources mark: extracted afresh here, as
`pybabel extract -F babel.cfg` does, each has a non-empty, non-fuzzy Welsh translation that
keeps its placeholders; and the template in the repository is up to date."""

from __future__ import annotations

import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from app import i18n
from app.settings import PROJECT_ROOT

PLACEHOLDER = re.compile(r"\{\w*\}|%\(\w+\)s")


def extracted() -> dict[str, list[str]]:
    """Every msgid the sources hold, with the files it is in."""
    with (PROJECT_ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str, list[str]] = {}
    for path, _, message, _, _ in extract_from_dir(
        PROJECT_ROOT, method_map, options_map, keywords={"_": None, "N_": None}
    ):
        if isinstance(message, str) and message:
            found.setdefault(message, []).append(path)
    return found


@pytest.mark.fast
def test_every_extracted_string_has_a_welsh_translation() -> None:
    welsh = {message.id: message for message in i18n.catalog(i18n.WELSH) if message.id}
    strings = extracted()
    # the page, its scripts, the maps, the errors and the taxonomy are all in it
    for somewhere in (
        "app/web/templates/index.html",
        "app/web/static/page/form.js",
        "app/web/maps.py",
        "app/errors.py",
        "app/taxonomy.py",
    ):
        assert any(somewhere in files for files in strings.values()), somewhere
    untranslated = [
        f"{msgid!r} ({', '.join(files)})"
        for msgid, files in strings.items()
        if msgid not in welsh or not welsh[msgid].string or welsh[msgid].fuzzy
    ]
    assert untranslated == [], "\n".join(untranslated)


@pytest.mark.fast
def test_translations_keep_their_placeholders() -> None:
    changed = [
        f"{message.id!r} -> {message.string!r}"
        for message in i18n.catalog(i18n.WELSH)
        if message.id
        and sorted(PLACEHOLDER.findall(str(message.id)))
        != sorted(PLACEHOLDER.findall(str(message.string)))
    ]
    assert changed == []


@pytest.mark.fast
def test_the_template_in_the_repository_holds_what_the_sources_mark() -> None:
    with (PROJECT_ROOT / "app" / "locale" / "messages.pot").open("rb") as pot:
        template = {message.id for message in read_po(pot) if message.id}
    assert set(extracted()) == template
