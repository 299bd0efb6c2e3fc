"""The pages other than the map's, in Welsh for a reader in Wales: the reminder's answer
page (asked and answered), the scanning day's report, the network's page, the session's
page and the equal-say pages, each with its `lang`, the English/Cymraeg switch, and none
of the catalogue's English strings left on it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.api.conftest import room  # noqa: F401 - a fixture, of the session report's day
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
from tests.api.test_rounds import _round, runner  # noqa: F401 - runner is a fixture
from tests.api.test_session_report import day  # noqa: F401 - a fixture
from tests.mailbox import Mailbox
from tests.web.welsh_text import english_in, messages_of, without_messages

WELSH = {"Accept-Language": "cy"}


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


def test_the_scanning_days_report_in_welsh(
    demo_client: TestClient,
    day: dict[str, Any],  # noqa: F811 - the fixture
) -> None:
    answer = demo_client.anonymous.get(f"{day['base']}/report", headers=WELSH)

    assert answer.status_code == 200
    page = without_messages(answer.text)
    assert '<html lang="cy">' in page
    assert (
        "<title>Partington scanning day: beth a ganfu&#39;r diwrnod (Map Asedau Cymunedol)" in page
    )
    # what the room wrote stays as written; the report's own words are Welsh
    for shown in ("Knit and natter", "Seed swaps", "fed 300 families this winter"):
        assert shown in page
    assert '<h2 id="found-title">Beth a ganfuwyd</h2>' in page
    assert "Mae 1 person arall ynddo heb gael ei enwi." in page
    # kinds, outcomes and levers by their Welsh names
    assert "<dt>cymdeithas</dt>" in page or "<td>cymdeithas</td>" in page
    assert "<dt>Sut</dt><dd>ariannu</dd>" in page
    assert english_in(page) == []
    # the map's script gets its words
    assert '"confirmed today": "cadarnhawyd heddiw"' in answer.text
    # which English would have left: the check finds it
    english = demo_client.anonymous.get(f"{day['base']}/report").text
    assert {"What was found", "The network formed"} <= set(english_in(english))


def test_the_networks_page_in_welsh(demo_client: TestClient) -> None:
    answer = demo_client.anonymous.get("/network/E08000009", headers=WELSH)

    assert answer.status_code == 200
    page = without_messages(answer.text)
    assert '<html lang="cy">' in page
    assert "<h1>Rhwydwaith arweinyddiaeth systemau Trafford</h1>" in page
    assert 'aria-label="Llun o&#39;r rhwydwaith:' in page
    assert english_in(page) == []
    # the script's words: its legend's, its table's, and how a node reads
    messages = messages_of(answer.text)
    assert messages["Betweenness"] == "Rhyngoldeb"
    assert messages["Asset: {kind}"] == "Ased: {kind}"
    assert messages["Run by"] == "Yn cael ei redeg gan"


def test_the_scanning_days_page_in_welsh(
    demo_client: TestClient,
    room: dict[str, Any],  # noqa: F811 - the fixture
) -> None:
    answer = demo_client.anonymous.get(
        f"/sessions/{room['id']}", headers={"Accept": "text/html", **WELSH}
    )

    assert answer.status_code == 200
    page = without_messages(answer.text)
    assert '<html lang="cy">' in page
    assert "<h2>Ymuno â&#39;r diwrnod sganio</h2>" in page
    assert '<button id="sign-in-open" type="button">Hwylusydd? Mewngofnodwch</button>' in page
    assert re.search(r'<a href="\?lang=en" hreflang="en" lang="en">English</a>', page)
    assert english_in(page) == []
    # the scripts' words, the shared page's count of assets among them
    messages = messages_of(answer.text)
    assert messages["Confirmed today"] == "Cadarnhawyd heddiw"
    assert messages["{n} joined"] == "{n} wedi ymuno"
    assert messages["{n} assets shown"] == "{n} ased yn y golwg"
    # in English, the same check finds the page's words
    english = demo_client.anonymous.get(f"/sessions/{room['id']}", headers={"Accept": "text/html"})
    assert "Join the scanning day" in english_in(english.text)


def test_the_equal_say_pages_in_welsh(
    demo_client: TestClient,
    runner: dict[str, str],  # noqa: F811 - the fixture
) -> None:
    made = _round(demo_client, runner)
    pages = {
        "ballot": demo_client.anonymous.get(f"/rounds/{made['id']}/vote", headers=WELSH),
        "results": demo_client.get(
            f"/rounds/{made['id']}/results?f=html", headers={**runner, **WELSH}
        ),
        "over time": demo_client.anonymous.get("/assessments?area=E08000009&f=html", headers=WELSH),
    }

    for name, answer in pages.items():
        assert answer.status_code == 200, name
        assert '<html lang="cy">' in answer.text, name
        assert english_in(without_messages(answer.text)) == [], name
    ballot = without_messages(pages["ballot"].text)
    assert '<h2 id="ballot-title">Eich pleidlais</h2>' in ballot
    method = "pleidlais drefnus, wedi&#39;i chyfrif drwy gyfrif Borda"
    assert f"Dull penderfynu&#39;r rownd hon: {method}." in ballot
    assert '<h2 id="turnout-title">Nifer a bleidleisiodd</h2>' in pages["results"].text
    # the scripts' words, the characteristics the API names among them
    messages = messages_of(pages["over time"].text)
    assert messages["Move up: {title}"] == "Symud i fyny: {title}"
    assert messages["Supportive, fast and devolved processes"] == (
        "Prosesau cefnogol, cyflym a datganoledig"
    )
    over_time = without_messages(pages["over time"].text)
    assert "Prosesau cefnogol, cyflym a datganoledig" in over_time  # the chart's data, named
