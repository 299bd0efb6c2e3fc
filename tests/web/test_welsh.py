"""A reader in Wales: the page, the errors and the names of kinds, categories and outcomes in
Welsh when asked for (Accept-Language, or the page's English/Cymraeg switch), English for
any language the service does not have, and the slugs the same in both."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app import i18n
from tests.conftest import asset_feature

WELSH = {"Accept-Language": "cy"}
STRETFORD = (-2.3213, 53.4466)


@pytest.mark.fast
@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("cy", "cy"),
        ("cy-GB", "cy"),
        ("CY-gb,en;q=0.8", "cy"),
        ("en-GB,en;q=0.9,cy;q=0.8", "en"),
        # the first language the service has, in the reader's order of preference
        ("fr-FR,fr;q=0.9,cy;q=0.5,en;q=0.1", "cy"),
        ("de, fr", "en"),
        ("cy;q=0, fr", "en"),
        ("*", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_the_language_is_chosen_from_accept_language(
    accept_language: str | None, expected: str
) -> None:
    assert i18n.negotiate(None, None, accept_language) == expected


@pytest.mark.fast
def test_the_switch_outranks_the_cookie_which_outranks_accept_language() -> None:
    assert i18n.negotiate("en", "cy", "cy") == "en"
    assert i18n.negotiate(None, "cy", "en") == "cy"
    assert i18n.negotiate("cy", None, "en-GB") == "cy"
    # a language the service does not have is no choice: the next one counts
    assert i18n.negotiate("fr", None, "cy") == "cy"
    assert i18n.negotiate("fr", "de", None) == "en"


def test_a_welsh_reader_gets_the_page_in_welsh(client: TestClient) -> None:
    answer = client.get("/", headers=WELSH)

    assert answer.status_code == 200
    assert answer.headers["content-language"] == "cy"
    assert "Accept-Language" in answer.headers["vary"]
    # the scripts' catalogue holds English msgids as its keys: the rest of the page, here
    page = re.sub(r'<script id="messages".*?</script>', "", answer.text, flags=re.S)
    assert '<html lang="cy">' in page
    assert "<title>Map Asedau Cymunedol</title>" in page
    for words in ("Chwilio", "Hidlwyr", "Ychwanegu ased", "Mewngofnodi", "Cymraeg"):
        assert words in page
    for words in ("Search", "Filters", "Add an asset", "Sign in<"):
        assert words not in page
    # the switch says which language is shown, and links to the other
    assert re.search(r'<a href="\?lang=cy" hreflang="cy" lang="cy"\s+aria-current="true">', page)
    assert '<a href="?lang=en" hreflang="en" lang="en">English</a>' in page


def test_english_is_the_default_and_the_fallback(client: TestClient) -> None:
    for headers in ({}, {"Accept-Language": "fr-FR, de;q=0.5"}, {"Accept-Language": "cy;q=0"}):
        answer = client.get("/", headers=headers)
        assert answer.headers["content-language"] == "en"
        assert '<html lang="en">' in answer.text
        assert "<h1>Community Asset Map</h1>" in answer.text
    assert client.get("/?lang=fr").headers["content-language"] == "en"


def test_the_switch_sets_a_cookie_that_keeps_the_choice(client: TestClient) -> None:
    switched = client.get("/?lang=cy", headers={"Accept-Language": "en-GB"})
    assert switched.headers["content-language"] == "cy"
    assert "lang=cy" in switched.headers["set-cookie"]
    assert "Path=/" in switched.headers["set-cookie"]

    # the next page, and the API the page calls, without the parameter
    again = client.get("/", headers={"Accept-Language": "en-GB"})
    assert again.headers["content-language"] == "cy"
    assert '<html lang="cy">' in again.text
    assert client.get("/outcomes").headers["content-language"] == "cy"

    back = client.get("/?lang=en")
    assert back.headers["content-language"] == "en"
    assert "lang=en" in back.headers["set-cookie"]
    assert client.get("/").headers["content-language"] == "en"


def test_the_page_scripts_get_their_welsh_words(client: TestClient) -> None:
    page = client.get("/?lang=cy").text
    messages = re.search(r'<script id="messages" type="application/json">(.*?)</script>', page)
    assert messages is not None
    assert '"{n} assets shown": "{n} ased yn y golwg"' in messages.group(1)
    assert '"Dydd Llun"' in messages.group(1)
    # the English page carries none
    english = client.get("/?lang=en").text
    assert '<script id="messages" type="application/json">{}</script>' in english


def test_kinds_categories_and_outcomes_are_named_in_welsh_their_slugs_unchanged(
    client: TestClient,
) -> None:
    welsh = client.get("/taxonomy", headers=WELSH).json()
    english = client.get("/taxonomy").json()

    kinds = {kind["kind"]: kind for kind in welsh["kinds"]}
    assert [k["kind"] for k in welsh["kinds"]] == [k["kind"] for k in english["kinds"]]
    assert kinds["institution"]["name"] == "sefydliad"
    assert kinds["association"]["name"] == "cymdeithas"
    assert kinds["physical"]["description"] == "Parc, neuadd, adeilad neu ardd"
    institutions = {node["slug"]: node for node in kinds["institution"]["categories"]}
    assert institutions["library"]["name"] == "Llyfrgell"
    health = {node["slug"]: node["name"] for node in institutions["health"]["children"]}
    assert health["gp-practice"] == "Meddygfa"
    assert health["pharmacy"] == "Fferyllfa"
    links = {words["type"]: words for words in welsh["link_types"]}
    assert links["meets_at"] == {
        "type": "meets_at",
        "label": "yn cyfarfod yn",
        "inverse": "yn croesawu",
    }

    outcomes = {row["slug"]: row["name"] for row in client.get("/outcomes", headers=WELSH).json()}
    assert outcomes["health-wellbeing"] == "Iechyd a llesiant"
    assert outcomes["culture-leisure"] == "Diwylliant a hamdden"
    english_outcomes = {row["slug"]: row["name"] for row in client.get("/outcomes").json()}
    assert english_outcomes["health-wellbeing"] == "Health and wellbeing"
    assert set(outcomes) == set(english_outcomes)


def test_errors_say_their_message_in_welsh_and_keep_their_fields(client: TestClient) -> None:
    off_the_map = asset_feature(200.0, 53.4466, name="Llyfrgell Stretford", kind="institution")
    english = client.post("/assets", json=off_the_map)
    welsh = client.post("/assets", json=off_the_map, headers=WELSH)

    assert english.status_code == welsh.status_code == 422
    assert welsh.headers["content-type"] == "application/problem+json"
    assert welsh.headers["content-language"] == "cy"
    said, meant = welsh.json(), english.json()
    assert said["title"] == meant["title"] == "Unprocessable Entity"
    assert meant["errors"] == [
        {"field": "geometry.coordinates", "message": "longitude must lie between -180 and 180"}
    ]
    assert said["errors"] == [
        {"field": "geometry.coordinates", "message": "rhaid i'r hydred fod rhwng -180 a 180"}
    ]
    assert said["detail"] == "geometry.coordinates: rhaid i'r hydred fod rhwng -180 a 180"

    nameless = client.post(
        "/assets", json=asset_feature(*STRETFORD, name="  ", kind="institution"), headers=WELSH
    ).json()
    assert nameless["errors"] == [
        {"field": "properties.name", "message": "Dylai fod o leiaf 1 nod yn y testun"}
    ]


def test_the_frameworks_errors_are_in_welsh_too(client: TestClient) -> None:
    said = client.get("/assets?limit=lots", headers=WELSH).json()
    assert said["errors"] == [
        {
            "field": "limit",
            "message": "Dylai'r mewnbwn fod yn gyfanrif dilys; nid oedd modd darllen y testun "
            "fel cyfanrif",
        }
    ]
    too_many = client.get("/assets?limit=0", headers=WELSH).json()
    assert too_many["errors"][0]["field"] == "limit"
    assert too_many["errors"][0]["message"] == "Dylai'r mewnbwn fod yn fwy na neu'n hafal i 1"

    nowhere = client.get("/no-such-page", headers=WELSH)
    assert nowhere.status_code == 404
    assert nowhere.json()["detail"] == "Heb ei ganfod"
    assert client.get("/no-such-page").json()["detail"] == "Not Found"


def test_an_unsupported_language_gets_english_errors(client: TestClient) -> None:
    said = client.get("/assets?limit=lots", headers={"Accept-Language": "fr"})
    assert said.headers["content-language"] == "en"
    assert said.json()["errors"][0]["message"].startswith("Input should be a valid integer")


def test_the_embedded_map_in_welsh(client: TestClient) -> None:
    answer = client.get("/embed", headers=WELSH)

    assert answer.status_code == 200
    assert answer.headers["content-language"] == "cy"
    page = answer.text
    assert '<html lang="cy">' in page
    assert "<title>Asedau cymunedol</title>" in page
    assert "Agor y map llawn" in page
    assert '<h2 id="legend-title">Mathau o ased</h2>' in page
    messages = re.search(r'<script id="messages" type="application/json">(.*?)</script>', page)
    assert messages is not None
    # its own script's words, and those of the markers it draws with
    assert '"{n} assets on the map": "{n} ased ar y map"' in messages.group(1)
    assert '"waiting for a moderator": "yn aros am gymedrolwr"' in messages.group(1)
    # the page's other words are not sent to it
    assert "Dydd Llun" not in messages.group(1)

    english = client.get("/embed").text
    assert "<title>Community assets</title>" in english
    assert "Open the full map" in english
