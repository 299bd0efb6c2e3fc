"""A neighbour follows what changes on the map in a feed reader: the Atom feed of the assets
added, changed and archived, newest first, read back with feedparser (as readers parse
feeds), with the filters of `GET /assets`, and never a person without their consent."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import feedparser
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import asset_feature, load_trafford_lsoas

STRETFORD_LSOA, SALE_LSOA = "E01006183", "E01006161"
STRETFORD = (-2.3157, 53.4466)
SALE = (-2.3183, 53.4250)
FEED = "/feeds/assets.atom"


@pytest.fixture
def neighbourhoods(session: Session) -> None:
    load_trafford_lsoas(session, [STRETFORD_LSOA, SALE_LSOA])


def _read(client: TestClient, **query: Any) -> Any:
    """The feed as a reader gets it: fetched anonymously, parsed by feedparser."""
    response = client.anonymous.get(FEED, params=query)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def _add(client: TestClient, lon: float, lat: float, **properties: Any) -> int:
    made = client.post("/assets", json=asset_feature(lon, lat, **properties))
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def test_a_neighbour_reads_what_was_added_changed_and_archived_in_stretford_newest_first(
    client: TestClient, neighbourhoods: None
) -> None:
    club = _add(client, *STRETFORD, name="Stretford lunch club")
    knitters = _add(client, STRETFORD[0] + 0.001, STRETFORD[1], name="Knit and natter")
    _add(client, *SALE, name="Sale food bank", kind="institution", category="food-bank")
    changed = client.patch(
        f"/assets/{club}",
        json={"properties": {"name": "Stretford Tuesday lunch club", "opening_hours": "Tu 12-2"}},
    )
    assert changed.status_code == 200, changed.text
    assert client.delete(f"/assets/{knitters}").status_code in (200, 204)

    feed = _read(client, within=STRETFORD_LSOA)

    assert [entry.title for entry in feed.entries] == [
        "Archived: Knit and natter",
        "Changed: Stretford Tuesday lunch club",
        "Added: Knit and natter",
        "Added: Stretford Tuesday lunch club",
    ]
    archived, change = feed.entries[0], feed.entries[1]
    assert "archived" in archived.summary
    assert "name" in change.summary and "opening_hours" in change.summary
    assert change.link == f"http://testserver/assets/{club}"
    assert archived.link == f"http://testserver/assets/{knitters}"
    assert feed.feed.updated_parsed == feed.entries[0].updated_parsed
    updated = [entry.updated_parsed for entry in feed.entries]
    assert updated == sorted(updated, reverse=True)
    assert datetime(*updated[0][:6], tzinfo=UTC) <= datetime.now(UTC)
    assert feed.feed.id.startswith("tag:") and all(e.id.startswith("tag:") for e in feed.entries)
    assert any(link.rel == "self" for link in feed.feed.links)
    # a reader asking again sees the same entries under the same ids
    again = _read(client, within=STRETFORD_LSOA)
    assert [entry.id for entry in again.entries] == [entry.id for entry in feed.entries]
    assert len({entry.id for entry in feed.entries}) == 4


def test_the_feed_takes_the_filters_of_the_search(client: TestClient, neighbourhoods: None) -> None:
    _add(client, *STRETFORD, name="Stretford lunch club", outcomes=["social-connection"])
    _add(client, *SALE, name="Sale food bank", kind="institution", category="food-bank")
    _add(client, *SALE, name="Sale library", kind="institution", category="library")

    everything = _read(client)
    food = _read(client, category="food-support")  # food banks sit under food support
    institutions = _read(client, kind="institution", within=SALE_LSOA)
    lunch = _read(client, q="lunch")
    connection = _read(client, outcome="social-connection")
    newest = _read(client, limit=1)

    assert len(everything.entries) == 3
    assert [e.title for e in food.entries] == ["Added: Sale food bank"]
    assert [e.title for e in institutions.entries] == [
        "Added: Sale library",
        "Added: Sale food bank",
    ]
    assert [e.title for e in lunch.entries] == ["Added: Stretford lunch club"]
    assert [e.title for e in connection.entries] == ["Added: Stretford lunch club"]
    assert [e.title for e in newest.entries] == ["Added: Sale library"]


def test_a_suggestion_appears_once_a_moderator_publishes_it(
    client: TestClient, neighbourhoods: None
) -> None:
    suggested = client.anonymous.post("/assets", json=asset_feature(*STRETFORD, name="Seed swap"))
    assert suggested.status_code == 202, suggested.text
    waiting = _read(client)

    approved = client.post(f"/moderation/{suggested.json()['id']}/approve")
    assert approved.status_code == 200, approved.text
    published = _read(client)

    assert waiting.entries == []
    assert [entry.title for entry in published.entries] == ["Added: Seed swap"]


def test_a_person_without_consent_never_appears_and_a_consented_ones_home_never_does(
    client: TestClient, neighbourhoods: None
) -> None:
    private = {"address": "12 Secret St", "contact": {"phone": "07700 900111"}}
    hidden = _add(
        client, *STRETFORD, name="Harriet's harp", kind="individual", category="skill", **private
    )
    shown = _add(
        client,
        STRETFORD[0] + 0.001,
        STRETFORD[1],
        name="Olu's oud lessons",
        kind="individual",
        category="skill",
        consent={"publish": True, "given_by": "Olu"},
        address="34 Private Rd",
    )
    for person in (hidden, shown):
        moved_home = client.patch(f"/assets/{person}", json={"properties": {"address": "1 New St"}})
        assert moved_home.status_code == 200, moved_home.text

    feed = _read(client, within=STRETFORD_LSOA, kind="individual")
    whole = client.anonymous.get(FEED).text

    assert [entry.title for entry in feed.entries] == ["Added: Olu's oud lessons"]
    for secret in ("Harriet", "harp", "Secret St", "07700", "Private Rd", "New St", "address"):
        assert secret not in whole


def test_an_unknown_area_or_category_is_named(client: TestClient) -> None:
    area = client.anonymous.get(FEED, params={"within": "E00000000"})
    category = client.anonymous.get(FEED, params={"category": "no-such-thing"})

    assert area.status_code == 422
    assert [problem["field"] for problem in area.json()["errors"]] == ["within"]
    assert category.status_code == 422
    assert [problem["field"] for problem in category.json()["errors"]] == ["category"]
