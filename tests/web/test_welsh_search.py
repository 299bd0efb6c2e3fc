"""Searching in Welsh: a reader types "llyfrgell", "Canolfan", "Ty" or the first letters of
a word, with or without its accents, and finds the Welsh names on the map; English words
are still found by their stems."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import asset_feature

ABERYSTWYTH = (-4.0829, 52.4153)
# Real Welsh names, as a community builder in Ceredigion would type them.
NAMES = {
    "library": ("Llyfrgell Aberystwyth", "institution", "Llyfrgell y dref a'i chaffi"),
    "centre": ("Canolfan Gymunedol Penparcau", "physical", "Neuadd a chegin i'r gymuned"),
    "house": ("Tŷ Hafan", "association", "Grŵp cymorth i rieni ifanc"),
    "chapel": ("Capel Seion", "association", "Côr a chlwb ieuenctid bob nos Fercher"),
    "english": ("Stretford Library", "institution", "Books, computers and a knitting group"),
}


@pytest.fixture
def named(client: TestClient) -> dict[str, int]:
    ids: dict[str, int] = {}
    for key, (name, kind, description) in NAMES.items():
        feature = asset_feature(*ABERYSTWYTH, name=name, kind=kind, description=description)
        created = client.post("/assets", json=feature)
        assert created.status_code == 201, created.text
        ids[key] = created.json()["id"]
    return ids


def found(client: TestClient, words: str, **more: Any) -> set[int]:
    answer = client.get("/assets", params={"q": words, "limit": 100, **more})
    assert answer.status_code == 200, answer.text
    return {feature["id"] for feature in answer.json()["features"]}


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("llyfrgell", {"library"}),
        ("Llyfrgell Aberystwyth", {"library"}),
        # the first letters typed so far
        ("llyfr", {"library"}),
        ("Canolfan", {"centre"}),
        ("canolfan gymunedol", {"centre"}),
        ("Penparc", {"centre"}),
        # the to bach (circumflex) typed or not, on either side
        ("Tŷ", {"house"}),
        ("Ty Hafan", {"house"}),
        ("grwp", {"house"}),
        ("Grŵp cymorth", {"house"}),
        ("côr", {"chapel"}),
        ("cor", {"chapel"}),
        ("Fercher", {"chapel"}),
        # English still matches by its stems
        ("libraries", {"english"}),
        ("knitting", {"english"}),
    ],
)
def test_welsh_words_are_found_with_or_without_accents(
    client: TestClient, named: dict[str, int], words: str, expected: set[str]
) -> None:
    assert found(client, words) == {named[key] for key in expected}


def test_a_welsh_word_finds_nothing_it_should_not(
    client: TestClient, named: dict[str, int]
) -> None:
    assert found(client, "llyfrgellydd") == set()
    assert found(client, "Tŷ Capel") == set()


def test_the_open_referral_feed_searches_welsh_words_alike(
    client: TestClient, named: dict[str, int]
) -> None:
    answer = client.get("/oruk/services", params={"search": "llyfrg"})
    assert answer.status_code == 200, answer.text
    names = {service["name"] for service in answer.json()["contents"]}
    assert names == {"Llyfrgell Aberystwyth"}


def test_the_welsh_words_index_serves_a_search(session: Session, named: dict[str, int]) -> None:
    """The prefix search reads the expression index of migration 0015 (seq scans off, so the
    planner says whether it can use it at all)."""
    session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(
        session.execute(
            text(
                "EXPLAIN SELECT id FROM public_asset AS a "
                "WHERE asset_words(a.name, a.description) "
                "@@ to_tsquery('simple', search_fold('tŷ:*'))"
            )
        ).scalars()
    )
    assert "asset_words_idx" in plan
