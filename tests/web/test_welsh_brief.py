"""A partnership in Wales prints its commissioning brief in Welsh: the headings, sentences,
tables, dates and drawings are Welsh, the snapshot's figures the same as in English, and
only what the snapshot recorded in words (its questions' labels, its method) stays as it
was written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import bearer

TRAFFORD = "E08000009"
LONDON = ZoneInfo("Europe/London")
FRENCH = ("--lang", "fr")


class _Text(HTMLParser):
    """The text a reader sees: each text node outside <style> and <title>."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in {"style", "title"}

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in {"style", "title"}

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def _texts(page: str) -> list[str]:
    parser = _Text()
    parser.feed(page)
    return parser.texts


def test_the_brief_in_welsh(demo_client: TestClient, demo_session: Session) -> None:
    moderator = bearer(demo_session, "cy@example.org", "moderator", (TRAFFORD,))
    taken = demo_client.post(f"/areas/{TRAFFORD}/snapshots", headers=moderator)
    assert taken.status_code == 201, taken.text
    snapshot = taken.json()

    answer = demo_client.get(f"/areas/{TRAFFORD}/brief", headers={"Accept-Language": "cy"})
    assert answer.status_code == 200
    assert answer.headers["content-language"] == "cy"
    page = answer.text
    english = demo_client.get(f"/areas/{TRAFFORD}/brief").text

    # the day it was taken, in Welsh as Babel's CLDR data says it ("1 Rhagfyr 2026")
    taken_at = datetime.fromisoformat(snapshot["taken_at"]).astimezone(LONDON)
    day = format_date(taken_at, "d MMMM y", locale="cy")
    assert '<html lang="cy">' in page
    assert f"<title>Briff comisiynu: Trafford, ciplun {snapshot['id']} ({day})</title>" in page
    assert f"Ciplun {snapshot['id']} o Trafford, a dynnwyd {day}" in page
    texts = _texts(page)
    for heading in (
        "Beth sydd gan Trafford",
        "Y tri bwlch sy'n brifo fwyaf",
        "Ble mae'r bylchau",
        "Y cymdogaethau mwyaf anghenus",
        "Ffynonellau, trwyddedau a dull",
    ):
        assert heading in texts, heading
    # the tables' names of categories and outcomes, and the drawings' legends
    assert "Banc bwyd" in texts
    assert "Meddygfa" in texts
    assert "o fewn cyrraedd" in texts
    assert "y tu hwnt i gyrraedd" in texts
    assert "Degradd IMD 2019 (1 = y mwyaf difreintiedig)" in texts
    assert re.search(r"<title id=\"map-coverage-title\">Pwy sydd o fewn cyrraedd: ", page)
    # "Page 1 of 5" in the printed footer
    assert '"Tudalen " counter(page) " o " counter(pages)' in page

    # the same figures in both
    headline = re.compile(r'<span class="figure-value">([^<]*)</span>')
    assert headline.findall(page) == headline.findall(english)
    assert len(headline.findall(page)) == 4
    # and no sentence of the English brief is left in the Welsh one but what the snapshot
    # recorded in words: its questions' labels and methods, and its sources' licences
    recorded = _recorded_words(demo_client, snapshot["id"])
    left = [
        text
        for text in set(_texts(english)) & set(texts)
        if re.search(r"[a-z]{4,} [a-z]{3,}", text) and not any(words in text for words in recorded)
    ]
    assert left == []


def _words_in(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [words for each in value.values() for words in _words_in(each)]
    if isinstance(value, list):
        return [words for each in value for words in _words_in(each)]
    return []


def _recorded_words(client: TestClient, snapshot_id: int) -> list[str]:
    """The sentences the snapshot keeps as they were recorded (in English)."""
    answer = client.get(f"/areas/{TRAFFORD}/snapshots/{snapshot_id}")
    assert answer.status_code == 200, answer.text
    figures = answer.json()["figures"]
    said = _words_in([q.get("method") for q in figures["questions"]])
    said += [q["label"] for q in figures["questions"]]
    said += _words_in(figures["sources"])
    return [words for words in said if len(words) > 12]


def test_the_cli_prints_a_brief_only_in_a_language_it_has(demo_url: str, tmp_path: Path) -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "app.cli", "brief", TRAFFORD, "--output", "brief.html", *FRENCH],
        env=os.environ | {"DATABASE_URL": demo_url},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert printed.returncode == 1
    assert "--lang must be one of en, cy, not 'fr'" in printed.stderr
    assert not (tmp_path / "brief.html").exists()
