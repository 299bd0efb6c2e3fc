"""A partnership in Wales opens its locality map in Welsh: the legends, the layers, the
neighbourhoods' tooltips and the words the popups use are Welsh, and the English map is
built apart from it."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

TRAFFORD = "E08000009"


def _words(page: str) -> dict[str, object]:
    """What the page hands its script for the popups (static/locality-map.js)."""
    found = re.search(r"assetmapLoadInnovations\([^,]+, [^,]+, [^,]+, (\{.*\})\)\);", page)
    assert found is not None
    words: dict[str, object] = json.loads(found.group(1))
    return words


def test_the_locality_map_in_welsh(demo_client: TestClient) -> None:
    answer = demo_client.get(f"/maps/{TRAFFORD}", headers={"Accept-Language": "cy"})

    assert answer.status_code == 200
    assert answer.headers["content-language"] == "cy"
    page = answer.text
    assert '<html lang="cy">' in page
    assert "<title>Trafford (E08000009): asedau cymunedol</title>" in page
    for welsh in (
        "Asedau yn ôl math",
        "Degradd IMD 2019 (1 = y mwyaf difreintiedig)",
        "Briff comisiynu",
        "heb ei gadarnhau ers blwyddyn",
        "sefydliad",
        "diwylliannol",
        '"Cymdogaethau"',
        '"Asedau"',
        '"Arloesiadau"',
    ):
        assert welsh in page, welsh
    for english in ("Assets by kind", "Commissioning brief", "most deprived", '"Neighbourhoods"'):
        assert english not in page, english
    assert re.search(r"Trafford \d{3}[A-Z]: degradd IMD 2019 \d+", page)
    words = _words(page)
    assert words["verified"] == "cadarnhawyd ddiwethaf: {x}"
    assert words["kinds"] == {
        "individual": "unigolyn",
        "association": "cymdeithas",
        "institution": "sefydliad",
        "physical": "ffisegol",
        "economic": "economaidd",
        "cultural": "diwylliannol",
    }
    assert isinstance(words["categories"], dict)
    assert words["categories"]["food-bank"] == "Banc bwyd"
    assert isinstance(words["outcomeNames"], dict)
    assert words["outcomeNames"]["money-work"] == "Arian a gwaith"


def test_the_gap_map_in_welsh_and_the_english_one_apart(demo_client: TestClient) -> None:
    welsh = demo_client.get(
        f"/maps/{TRAFFORD}", params={"layer": "gaps", "category": "food-bank", "lang": "cy"}
    ).text
    assert "<strong>O fewn 1000 m i ased sy&#x27;n cyfateb</strong>" in welsh
    assert "heb fod o fewn cyrraedd, blaenoriaeth uchel" in welsh
    assert re.search(r": safle \d+, (heb fod )?o fewn cyrraedd, yr agosaf", welsh)

    english = demo_client.get(
        f"/maps/{TRAFFORD}", params={"layer": "gaps", "category": "food-bank", "lang": "en"}
    ).text
    assert '<html lang="en">' in english
    assert "Within 1000 m of a matching asset" in english
    assert "not covered, high priority" in english
    assert "blaenoriaeth" not in english
