"""The pages other than the map's, in Welsh for a reader in Wales: the reminder's answer
page (asked and answered), ... each with its `lang`, the English/Cymraeg switch, and none of
the catalogue's English strings on it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.api.test_reminders import (  # noqa: F401 - box, neighbourhood, people and place are fixtures
    _added_by_ann,
    _links,
    _send,
    _token,
    box,
    neighbourhood,
    people,
    place,
)
from tests.mailbox import Mailbox

WELSH = {"Accept-Language": "cy"}


def _without_messages(page: str) -> str:
    return re.sub(r'<script id="messages".*?</script>', "", page, flags=re.S)


@pytest.fixture
def remind(
    client: TestClient,
    session: Session,
    box: Mailbox,  # noqa: F811 - the fixture
    people: dict[str, Any],  # noqa: F811 - the fixture
    place: tuple[float, float],  # noqa: F811 - the fixture
) -> Callable[[str], str]:
    """Ann is sent a reminder about an asset she added a year ago, named as asked: its
    "still there" link."""

    def reminded(name: str) -> str:
        _added_by_ann(client, session, people, place, "13 months", name=name)
        _send(session, box)
        (email,) = box.messages
        return _links(email)["still_there"]

    return reminded


def test_a_reminder_is_answered_on_a_welsh_page(
    client: TestClient, remind: Callable[[str], str]
) -> None:
    link = remind("Banc Bwyd Stretford")

    asked = client.anonymous.get(link, headers={"Accept": "text/html", **WELSH})

    assert asked.status_code == 200
    page = asked.text
    assert '<html lang="cy">' in page
    assert "<title>Ydy Banc Bwyd Stretford yno o hyd? (Map Asedau Cymunedol)</title>" in page
    assert "<legend>Eich ateb</legend>" in page
    assert 'value="still_there" required checked> Mae yno o hyd</label>' in page
    assert "Anfon fy ateb" in page and "Send my answer" not in page
    # the day the link lasts to, in Welsh (a Welsh month's name)
    assert re.search(
        r"Derbynnir un ateb, hyd at \d{1,2} (Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|"
        r"Gorffennaf|Awst|Medi|Hydref|Tachwedd|Rhagfyr) \d{4}\.",
        page,
    )
    assert re.search(r'<a href="\?lang=en" hreflang="en" lang="en">English</a>', page)

    answered = client.anonymous.post(
        "/reminders/answer",
        data={"token": _token(link), "answer": "still_there", "note": ""},
        headers=WELSH,
    )

    assert answered.status_code == 200
    assert "<h1>Diolch</h1>" in answered.text
    assert "Cadarnhawyd bod Banc Bwyd Stretford yno o hyd." in answered.text
    assert "Eich ateb: mae yno o hyd." in answered.text
    assert "Thank you" not in answered.text


def test_the_reminders_json_says_what_was_done_in_english(
    client: TestClient, remind: Callable[[str], str]
) -> None:
    link = remind("Stretford Food Bank")

    done = client.anonymous.post(
        "/reminders/answer", json={"token": _token(link), "answer": "still_there"}
    )

    assert done.json()["detail"] == "Stretford Food Bank is confirmed as still there"
