"""The people pages in Welsh: an admin in Wales opens /people and a reset link's page in
Welsh (their `lang`, the switch, the scripts' words), and the API's refusals with values in
them (an unknown area, a short password, an unknown category, a short bbox, a point far off)
say them in Welsh, the values as given."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.conftest import asset_feature
from tests.web.welsh_text import messages_of, without_messages

WELSH = {"Accept-Language": "cy"}
STRETFORD = (-2.3213, 53.4466)


def test_the_people_page_in_welsh(client: TestClient) -> None:
    answer = client.get("/people", headers=WELSH)

    assert answer.status_code == 200
    assert answer.headers["content-language"] == "cy"
    page = without_messages(answer.text)
    assert '<html lang="cy">' in page
    assert "<title>Pobl: Map Asedau Cymunedol</title>" in page
    for words in ("Mewngofnodi", "Eich cyfrinair nawr", "Ychwanegu rhywun"):
        assert words in page
    for words in ("Sign in<", "Users you administer", "Add someone", "Back to the map"):
        assert words not in page
    # the roles are named in Welsh, their values (what the API is sent) unchanged
    assert '<option value="moderator">cymedrolwr</option>' in page
    assert re.search(r'<a href="\?lang=en" hreflang="en" lang="en">English</a>', page)
    # the scripts' words: the people scripts' own, and the roles they name
    messages = messages_of(answer.text)
    assert messages["{n} users shown"] == "{n} defnyddiwr yn y golwg"
    assert messages["Disable their account"] == "Analluogi eu cyfrif"
    assert messages["admin"] == "gweinyddwr"


def test_the_people_page_stays_english_for_others(client: TestClient) -> None:
    page = client.get("/people", headers={"Accept-Language": "en-GB"}).text

    assert '<html lang="en">' in page
    assert "<title>People: Community Asset Map</title>" in page
    assert '<option value="moderator">moderator</option>' in page
    assert messages_of(page) == {}


def test_the_reset_page_in_welsh(client: TestClient) -> None:
    answer = client.get("/people/reset?lang=cy")

    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    page = without_messages(answer.text)
    assert '<html lang="cy">' in page
    for words in ("Dewis cyfrinair newydd", "Cyfrinair newydd (10 nod o leiaf)", "Ei osod"):
        assert words in page
    assert "Set it" not in page and "Choose a new password" not in page
    assert "lang=cy" in answer.headers["set-cookie"]


def test_a_refused_area_is_named_in_welsh(client: TestClient) -> None:
    someone = {"email": "cy.mod@example.org", "role": "moderator", "areas": ["E99999999"]}
    english = client.post("/people/users", json=someone)
    welsh = client.post("/people/users", json=someone, headers=WELSH)

    assert english.status_code == welsh.status_code == 422
    assert english.json()["errors"] == [
        {"field": "area", "message": "no area has the code 'E99999999'"}
    ]
    assert welsh.json()["errors"] == [
        {"field": "area", "message": "nid oes gan unrhyw ardal y cod 'E99999999'"}
    ]
    assert welsh.json()["detail"] == "area: nid oes gan unrhyw ardal y cod 'E99999999'"


def test_a_short_password_is_refused_in_welsh(client: TestClient) -> None:
    refused = client.post(
        "/auth/reset", json={"token": "x" * 40, "password": "short"}, headers=WELSH
    )

    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "password", "message": "rhaid iddo fod yn 10 nod o leiaf"}
    ]


def test_an_unknown_category_is_named_in_welsh(client: TestClient) -> None:
    asset = asset_feature(*STRETFORD, name="Clwb Cinio", category="no-such-thing")
    english = client.post("/assets", json=asset).json()
    welsh = client.post("/assets", json=asset, headers=WELSH).json()

    assert english["errors"] == [
        {
            "field": "properties.category",
            "message": "unknown category 'no-such-thing' (see GET /taxonomy)",
        }
    ]
    assert welsh["errors"] == [
        {
            "field": "properties.category",
            "message": "categori anhysbys 'no-such-thing' (gweler GET /taxonomy)",
        }
    ]


def test_a_bounding_box_and_a_far_off_point_are_refused_in_welsh(client: TestClient) -> None:
    short = client.get("/assets?bbox=-2.4,53.4", headers=WELSH).json()
    far = client.post(
        "/assets", json=asset_feature(150.0, -33.9, name="Tŷ Opera"), headers=WELSH
    ).json()

    assert short["errors"] == [
        {"field": "bbox", "message": "mae angen 4 rhif wedi'u gwahanu gan atalnodau"}
    ]
    (problem,) = far["errors"]
    assert problem["field"] == "geometry.coordinates"
    assert problem["message"].startswith("y tu allan i ardal y gwasanaeth [")
    assert problem["message"].endswith("(trefn lon, lat: ydyn nhw wedi'u cyfnewid?)")
