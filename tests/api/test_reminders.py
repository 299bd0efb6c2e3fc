"""Review reminders: an asset no one has confirmed for a year is asked about by email, its
contributor first, then the moderators of its neighbourhood, then both a last time; an
answer is one click (and a button) away, and an asset no one answers for is shown as not
confirmed and ranked after the rest.

The emails go to a real SMTP server on loopback (tests/mailbox.py); time moves on by
calling send_due_reminders with a later `now`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import Point, shape
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.api.answers import ReminderAnswerOut
from app.domain.reminders import Reminded, send_due_reminders
from app.io.mail import MailError
from app.settings import MailSettings, ReminderSettings
from tests.conftest import asset_feature, bearer, free_port, load_trafford_lsoas
from tests.mailbox import Mailbox, mailbox

# A Stretford neighbourhood the moderator looks after.
STRETFORD = "E01006108"
SERVICE = "https://assets.example.org"
ANN, MO = "ann@example.org", "mo@example.org"


@pytest.fixture
def box() -> Iterator[Mailbox]:
    with mailbox() as running:
        yield running


@pytest.fixture
def neighbourhood(session: Session) -> Any:
    """The moderator's neighbourhood, stored; its outline (shapely)."""
    return shape(load_trafford_lsoas(session, [STRETFORD])[STRETFORD]["geometry"])


@pytest.fixture
def place(neighbourhood: Any) -> tuple[float, float]:
    """A point inside the moderator's neighbourhood."""
    point = neighbourhood.representative_point()
    return point.x, point.y


def _further_off(
    neighbourhood: Any, place: tuple[float, float], count: int
) -> list[tuple[float, float]]:
    """`count` points inside the neighbourhood, each further from `place` than the last."""
    spots = [(place[0] + 0.0001 * step, place[1]) for step in range(1, count + 1)]
    assert all(neighbourhood.contains(Point(*spot)) for spot in spots)
    return spots


@pytest.fixture
def people(session: Session, place: tuple[float, float]) -> dict[str, dict[str, str]]:
    """Ann, a contributor; Mo, who moderates the neighbourhood."""
    return {
        "ann": bearer(session, ANN, "contributor"),
        "mo": bearer(session, MO, "moderator", (STRETFORD,)),
    }


def _added_by_ann(
    client: TestClient,
    session: Session,
    people: dict[str, Any],
    place: tuple[float, float],
    ago: str,
    **properties: Any,
) -> int:
    """An asset Ann suggested and the moderator published, `ago` (an SQL interval)."""
    added = client.post("/assets", json=asset_feature(*place, **properties), headers=people["ann"])
    assert added.status_code == 201, added.text
    asset_id = int(added.json()["id"])
    client.post(f"/moderation/{asset_id}/approve", headers=people["mo"]).raise_for_status()
    _set_added(session, asset_id, ago)
    return asset_id


def _set_added(session: Session, asset_id: int, ago: str) -> None:
    session.execute(
        text("UPDATE asset SET created_at = now() - CAST(:ago AS interval) WHERE id = :id"),
        {"ago": ago, "id": asset_id},
    )


def _send(session: Session, box: Mailbox, days: float = 0) -> list[Reminded]:
    """Send what is due `days` from now, in a transaction of its own as the daily run's
    (its writes move the data's version on: migration 0006)."""
    session.execute(text("SELECT set_config('assetmap.data_changed', '', true)"))
    return send_due_reminders(
        session,
        ReminderSettings(base_url=SERVICE),
        box.settings,
        datetime.now(UTC) + timedelta(days=days),
    )


def _body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def _links(message: Message) -> dict[str, str]:
    """The one-click links of a reminder email, by answer, as paths on this service."""
    found = re.findall(rf"{re.escape(SERVICE)}(/reminders/answer\?\S+)", _body(message))
    return {parse_qs(urlsplit(link).query)["answer"][0]: link for link in found}


def _token(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def _stale_names(client: TestClient) -> set[str]:
    stale = client.anonymous.get("/assets?stale_after=P12M&limit=1000").json()["features"]
    return {feature["properties"]["name"] for feature in stale}


def test_a_contributor_confirms_her_year_old_food_bank_with_one_click(
    client: TestClient,
    session: Session,
    box: Mailbox,
    people: dict[str, Any],
    place: tuple[float, float],
) -> None:
    food_bank = _added_by_ann(
        client, session, people, place, "13 months", name="Stretford Food Bank", postcode="M32 0JT"
    )
    assert _stale_names(client) == {"Stretford Food Bank"}

    sent = _send(session, box)

    assert [(r.asset_id, r.step, r.recipients) for r in sent] == [(food_bank, 1, (ANN,))]
    (email,) = box.to(ANN)
    assert email["Subject"] == "Is Stretford Food Bank still there?"
    assert "M32 0JT" in _body(email) and "you added it to the map" in _body(email)
    links = _links(email)
    assert sorted(links) == ["changed", "closed", "still_there"]
    assert len({_token(link) for link in links.values()}) == 1  # one token, three answers
    assert box.to(MO) == []

    # her browser opens the link: a page with a button, and nothing recorded yet
    page = client.anonymous.get(links["still_there"], headers={"Accept": "text/html"})
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "Is Stretford Food Bank still there?" in page.text
    assert 'method="post"' in page.text and 'value="still_there" required checked' in page.text
    assert _stale_names(client) == {"Stretford Food Bank"}

    # she presses it: the form is posted, with no sign-in
    answered = client.anonymous.post(
        "/reminders/answer",
        data={"token": _token(links["still_there"]), "answer": "still_there", "note": ""},
    )

    assert answered.status_code == 200, answered.text
    assert "Thank you" in answered.text
    asset = client.get(f"/assets/{food_bank}", headers=people["ann"]).json()["properties"]
    assert asset["verified_by"] == ANN
    verified_at = datetime.fromisoformat(asset["verified_at"])
    assert abs(verified_at - session.scalar(text("SELECT now()"))) < timedelta(seconds=1)
    assert _stale_names(client) == set()
    # confirmed now: nothing more is due, even long after the reminders would have gone on
    assert _send(session, box, days=60) == []
    assert len(box.messages) == 1


def test_running_the_reminders_twice_sends_nothing_twice(
    client: TestClient,
    session: Session,
    box: Mailbox,
    people: dict[str, Any],
    place: tuple[float, float],
) -> None:
    _added_by_ann(client, session, people, place, "13 months", name="Knit and natter")

    first = _send(session, box)
    second = _send(session, box)
    a_day_on = _send(session, box, days=1)

    assert [r.recipients for r in first] == [(ANN,)]
    assert second == [] and a_day_on == []
    assert len(box.messages) == 1


def test_unanswered_reminders_reach_the_moderators_and_then_mark_it_not_confirmed(
    client: TestClient,
    session: Session,
    box: Mailbox,
    people: dict[str, Any],
    neighbourhood: Any,
    place: tuple[float, float],
) -> None:
    # the silent one is the oldest, and the nearest: by id or by distance it comes first
    silent = _added_by_ann(client, session, people, place, "13 months", name="Tuesday choir")
    confirmed = [
        _added_by_ann(client, session, people, spot, "1 month", name=name)
        for name, spot in zip(
            ("Seed library", "Repair cafe", "Chess club"),
            _further_off(neighbourhood, place, 3),
            strict=True,
        )
    ]

    first = _send(session, box)
    too_soon = _send(session, box, days=13)
    second = _send(session, box, days=15)
    third = _send(session, box, days=30)
    listed_before = client.anonymous.get("/assets").json()["features"]
    exported_before = client.anonymous.get("/exports/assets.geojson").json()["features"]
    marked = _send(session, box, days=45)

    assert [(r.step, r.recipients) for r in first] == [(1, (ANN,))]
    assert too_soon == []
    assert [(r.step, r.recipients) for r in second] == [(2, (MO,))]
    assert "you look after the area it is in" in _body(box.to(MO)[0])
    assert [(r.step, r.recipients) for r in third] == [(3, (ANN, MO))]
    assert box.to(ANN)[-1]["Subject"] == "Last reminder: is Tuesday choir still there?"
    assert "the map will show it as not confirmed" in _body(box.to(ANN)[-1])
    assert [f["id"] for f in listed_before] == [silent, *confirmed]
    assert [(r.asset_id, r.marked, r.recipients) for r in marked] == [(silent, True, ())]
    assert len(box.messages) == 4
    assert _send(session, box, days=90) == []

    listed = client.anonymous.get("/assets").json()["features"]
    assert [f["id"] for f in listed] == [*confirmed, silent]
    assert [f["properties"]["not_confirmed"] for f in listed] == [False, False, False, True]
    exported = client.anonymous.get("/exports/assets.geojson").json()["features"]
    assert not any(f["properties"]["not_confirmed"] for f in exported_before)
    assert {f["id"]: f["properties"]["not_confirmed"] for f in exported} == {
        silent: True
    } | dict.fromkeys(confirmed, False)
    one = client.anonymous.get(f"/assets/{silent}").json()["properties"]
    assert one["not_confirmed"] is True
    # paging keeps that order, each asset once, whatever the page size
    for limit in (1, 2, 3):
        assert [f["id"] for f in _every_page(client, f"/assets?limit={limit}")] == [
            *confirmed,
            silent,
        ]
    # and so does a search near the choir: the confirmed by distance, then the choir
    near = f"/assets?near={place[0]},{place[1]}&within_m=5000"
    assert [f["id"] for f in client.anonymous.get(near).json()["features"]] == [
        *confirmed,
        silent,
    ]
    for limit in (1, 2):
        paged = _every_page(client, f"{near}&limit={limit}")
        assert [f["id"] for f in paged] == [*confirmed, silent]
        assert [f["properties"]["not_confirmed"] for f in paged] == [False, False, False, True]

    # OGC API readers (QGIS, GDAL) page the same way, a filter (CQL2) included
    for limit in (2, 10):
        items = f"/ogc/collections/assets/items?limit={limit}&filter=kind = 'association'"
        assert [f["id"] for f in _every_page(client, items)] == [*confirmed, silent]

    # a moderator confirms it at last: it is confirmed, and first again
    client.post(f"/assets/{silent}/verify", headers=people["mo"]).raise_for_status()
    listed = client.anonymous.get("/assets").json()["features"]
    assert [f["id"] for f in listed] == [silent, *confirmed]
    assert not any(f["properties"]["not_confirmed"] for f in listed)


def _every_page(client: TestClient, path: str) -> list[dict[str, Any]]:
    """Every feature, following the `next` links."""
    features: list[dict[str, Any]] = []
    while True:
        page = client.anonymous.get(path)
        assert page.status_code == 200, page.text
        features += page.json()["features"]
        following = [link for link in page.json()["links"] if link["rel"] == "next"]
        if not following:
            return features
        path = following[0]["href"]


def test_the_moderator_who_answers_closed_archives_it(
    client: TestClient,
    session: Session,
    box: Mailbox,
    people: dict[str, Any],
    place: tuple[float, float],
) -> None:
    youth_club = _added_by_ann(client, session, people, place, "13 months", name="Youth club")
    _send(session, box)
    _send(session, box, days=15)
    (to_mo,) = box.to(MO)

    answered = client.anonymous.post(
        "/reminders/answer", json={"token": _token(_links(to_mo)["closed"]), "answer": "closed"}
    )

    assert answered.status_code == 200, answered.text
    assert (answered.json()["outcome"], answered.json()["answered_by"]) == ("archived", MO)
    assert answered.json()["asset"]["properties"]["status"] == "archived"
    assert client.anonymous.get("/assets").json()["features"] == []
    assert client.get(f"/assets/{youth_club}/history", headers=people["mo"]).json()[-1][
        "action"
    ] == ("archive")
    assert _send(session, box, days=60) == []


def test_the_contributor_who_answers_closed_asks_the_moderators(
    client: TestClient,
    session: Session,
    box: Mailbox,
    people: dict[str, Any],
    place: tuple[float, float],
) -> None:
    lunch_club = _added_by_ann(client, session, people, place, "13 months", name="Lunch club")
    _send(session, box)
    (to_ann,) = box.to(ANN)

    answered = client.anonymous.post(
        "/reminders/answer",
        json={
            "token": _token(_links(to_ann)["closed"]),
            "answer": "closed",
            "note": "The hall shut in March",
        },
    )

    assert answered.status_code == 200, answered.text
    assert ReminderAnswerOut.model_validate(answered.json()).outcome == "queued"
    assert client.anonymous.get(f"/assets/{lunch_club}").json()["properties"]["status"] == (
        "published"
    )
    (waiting,) = client.get("/moderation/queue", headers=people["mo"]).json()["requests"]
    assert (waiting["asset_id"], waiting["action"], waiting["submitted_by"]) == (
        lunch_club,
        "edit",
        ANN,
    )
    assert waiting["changes"]["properties"] == {"status": "archived"}
    assert waiting["changes"]["note"] == (
        "It has closed (an answer to a review reminder): The hall shut in March"
    )
    # answered: the moderators are not reminded; approving the proposal archives it
    assert _send(session, box, days=15) == []
    client.post(f"/moderation/{lunch_club}/approve", headers=people["mo"]).raise_for_status()
    assert client.anonymous.get(f"/assets/{lunch_club}").json()["properties"]["status"] == (
        "archived"
    )


def test_changed_puts_a_note_in_the_moderation_queue(
    client: TestClient,
    session: Session,
    box: Mailbox,
    people: dict[str, Any],
    place: tuple[float, float],
) -> None:
    cafe = _added_by_ann(client, session, people, place, "13 months", name="Community cafe")
    _send(session, box)
    token = _token(_links(box.to(ANN)[0])["changed"])

    answered = client.anonymous.post(
        "/reminders/answer",
        json={"token": token, "answer": "changed", "note": "Open Thursdays now, not Fridays"},
    )

    assert answered.status_code == 200, answered.text
    assert answered.json()["moderation"]["asset_id"] == cafe
    (waiting,) = client.get("/moderation/queue", headers=people["mo"]).json()["requests"]
    assert waiting["changes"]["note"].endswith("Open Thursdays now, not Fridays")
    assert waiting["changes"]["properties"] == {}


def test_changed_while_a_change_already_waits_is_a_409_and_keeps_the_link(
    client: TestClient,
    session: Session,
    box: Mailbox,
    people: dict[str, Any],
    place: tuple[float, float],
) -> None:
    cafe = _added_by_ann(client, session, people, place, "13 months", name="Community cafe")
    proposal = {"properties": {"opening_hours": "Thursdays 10:00-14:00"}}
    waits = client.patch(f"/assets/{cafe}", json=proposal, headers=people["ann"])
    assert waits.status_code == 202, waits.text
    _send(session, box)
    token = _token(_links(box.to(ANN)[0])["changed"])

    clash = client.anonymous.post("/reminders/answer", json={"token": token, "answer": "changed"})
    instead = client.anonymous.post(
        "/reminders/answer", json={"token": token, "answer": "still_there"}
    )

    assert clash.status_code == 409
    assert "still waits for a moderator" in clash.json()["detail"]
    assert instead.status_code == 200, instead.text
    assert instead.json()["outcome"] == "verified"


def test_a_link_works_once_and_mail_scanners_record_nothing(
    client: TestClient,
    session: Session,
    box: Mailbox,
    people: dict[str, Any],
    place: tuple[float, float],
) -> None:
    choir = _added_by_ann(client, session, people, place, "13 months", name="Choir")
    _send(session, box)
    links = _links(box.to(ANN)[0])

    # a scanner fetches every link in the email: each only describes itself
    for answer, link in links.items():
        described = client.anonymous.get(link)
        assert described.status_code == 200, described.text
        assert described.json()["answer"] == answer
        assert (described.json()["asset_id"], described.json()["reminder"]) == (choir, 1)
    assert "Choir" in _stale_names(client)

    token = _token(links["still_there"])
    first = client.anonymous.post(
        "/reminders/answer", json={"token": token, "answer": "still_there"}
    )
    again = client.anonymous.post("/reminders/answer", json={"token": token, "answer": "closed"})
    reopened = client.anonymous.get(links["closed"])

    assert first.status_code == 200, first.text
    for refused in (again, reopened):
        assert refused.status_code == 410
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["errors"][0]["field"] == "token"
        assert "works once" in refused.json()["detail"]
    assert client.anonymous.get(f"/assets/{choir}").json()["properties"]["status"] == "published"


def test_expired_unknown_and_malformed_answers_are_refused_naming_the_field(
    client: TestClient,
    session: Session,
    box: Mailbox,
    people: dict[str, Any],
    place: tuple[float, float],
) -> None:
    _added_by_ann(client, session, people, place, "13 months", name="Allotments")
    _send(session, box)
    token = _token(_links(box.to(ANN)[0])["still_there"])
    answer = "/reminders/answer"

    wrong_answer = client.anonymous.post(answer, json={"token": token, "answer": "maybe"})
    no_token = client.anonymous.post(answer, json={"answer": "closed"})
    long_note = client.anonymous.post(
        answer, json={"token": token, "answer": "changed", "note": "x" * 2001}
    )
    not_json = client.anonymous.post(
        answer, content=b"{", headers={"Content-Type": "application/json"}
    )
    unknown = client.anonymous.post(answer, json={"token": "not-a-token", "answer": "closed"})
    bad_link = client.anonymous.get(answer, params={"token": token, "answer": "gone"})
    session.execute(text("UPDATE review_reminder SET expires_at = now() - interval '1 day'"))
    expired = client.anonymous.post(answer, json={"token": token, "answer": "still_there"})

    fields = {
        "answer": wrong_answer,
        "token": no_token,
        "note": long_note,
        "body": not_json,
    }
    for field, response in fields.items():
        assert response.status_code == 422, (field, response.text)
        assert [e["field"] for e in response.json()["errors"]] == [field]
    assert (bad_link.status_code, bad_link.json()["errors"][0]["field"]) == (422, "answer")
    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (404, "token")
    assert (expired.status_code, expired.json()["errors"][0]["field"]) == (410, "token")
    assert "expired" in expired.json()["detail"]


def test_a_link_is_no_longer_needed_once_someone_else_confirmed_the_asset(
    client: TestClient,
    session: Session,
    box: Mailbox,
    people: dict[str, Any],
    place: tuple[float, float],
) -> None:
    garden = _added_by_ann(client, session, people, place, "13 months", name="Garden")
    _send(session, box)
    token = _token(_links(box.to(ANN)[0])["closed"])
    client.post(f"/assets/{garden}/verify", headers=people["mo"]).raise_for_status()

    late = client.anonymous.post("/reminders/answer", json={"token": token, "answer": "closed"})

    assert late.status_code == 410
    assert "no answer is needed" in late.json()["detail"]
    assert client.anonymous.get(f"/assets/{garden}").json()["properties"]["status"] == "published"


def test_food_banks_are_asked_about_after_three_months(
    client: TestClient,
    session: Session,
    box: Mailbox,
    people: dict[str, Any],
    place: tuple[float, float],
) -> None:
    food_support = {"kind": "institution"}
    food_bank = _added_by_ann(
        client,
        session,
        people,
        place,
        "4 months",
        name="Food bank",
        category="food-bank",
        **food_support,
    )
    pantry = _added_by_ann(
        client,
        session,
        people,
        place,
        "4 months",
        name="Pantry",
        category="community-pantry",
        **food_support,
    )
    _added_by_ann(
        client,
        session,
        people,
        place,
        "4 months",
        name="Library",
        category="library",
        **food_support,
    )
    assert _send(session, box) == []  # a year by default

    # the admin gives food support six months, and food banks, within it, three
    for category, period in (("food-support", "P6M"), ("food-bank", "p3m")):
        put = client.put(f"/reminders/periods/{category}", json={"review_after": period})
        assert put.status_code == 200, put.text
    periods = client.anonymous.get("/reminders/periods").json()

    assert periods["default"] == "P12M" and periods["interval"] == "P14D"
    assert [(p["category"], p["review_after"]) for p in periods["categories"]] == [
        ("food-bank", "P3M"),
        ("food-support", "P6M"),
    ]
    assert [r.asset_id for r in _send(session, box)] == [food_bank]
    _set_added(session, pantry, "7 months")  # past food support's six months
    assert [r.asset_id for r in _send(session, box)] == [pantry]

    # back to the default: a food bank follows food support's six months again
    assert client.delete("/reminders/periods/food-bank").status_code == 204
    assert client.delete("/reminders/periods/food-bank").status_code == 404
    assert [p["category"] for p in client.get("/reminders/periods").json()["categories"]] == [
        "food-support"
    ]


def test_only_admins_set_review_periods_and_bad_ones_name_the_field(
    client: TestClient, people: dict[str, Any]
) -> None:
    period = "/reminders/periods/food-bank"

    by_moderator = client.put(period, json={"review_after": "P3M"}, headers=people["mo"])
    anonymous = client.anonymous.put(period, json={"review_after": "P3M"})
    refused = {
        duration: client.put(period, json={"review_after": duration})
        for duration in ("3 months", "P0M", "-P3M", "P1.5M", "P99999Y", "PT")
    }
    unknown = client.put("/reminders/periods/soup-kitchen", json={"review_after": "P3M"})
    not_a_slug = client.put("/reminders/periods/Food Bank", json={"review_after": "P3M"})

    assert by_moderator.status_code == 403
    assert anonymous.status_code == 401
    for duration, response in refused.items():
        assert response.status_code == 422, duration
        assert response.json()["errors"][0]["field"] == "review_after", duration
    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (422, "category")
    assert (not_a_slug.status_code, not_a_slug.json()["errors"][0]["field"]) == (422, "category")


def test_without_a_contributor_account_the_moderators_are_asked_first(
    client: TestClient,
    session: Session,
    box: Mailbox,
    people: dict[str, Any],
    place: tuple[float, float],
) -> None:
    # added by a visitor, who left no account
    suggested = client.anonymous.post("/assets", json=asset_feature(*place, name="Bench"))
    assert suggested.status_code == 202, suggested.text
    bench = suggested.json()["id"]
    client.post(f"/moderation/{bench}/approve", headers=people["mo"]).raise_for_status()
    _set_added(session, bench, "13 months")

    assert [(r.step, r.recipients) for r in _send(session, box)] == [(1, (MO,))]


def test_a_dry_run_and_a_mail_server_that_is_down_record_nothing(
    client: TestClient,
    session: Session,
    box: Mailbox,
    people: dict[str, Any],
    place: tuple[float, float],
) -> None:
    _added_by_ann(client, session, people, place, "13 months", name="Walking group")
    now = datetime.now(UTC)
    down = MailSettings(host="127.0.0.1", port=free_port())

    planned = send_due_reminders(session, ReminderSettings(), MailSettings(), now, dry_run=True)
    failed = send_due_reminders(session, ReminderSettings(), down, now)
    with pytest.raises(MailError, match="no SMTP server is configured"):
        send_due_reminders(session, ReminderSettings(), MailSettings(), now)

    assert [(r.step, r.recipients, r.error) for r in planned] == [(1, (ANN,), None)]
    assert [r.recipients for r in failed] == [(ANN,)]
    assert failed[0].error is not None and "127.0.0.1" in failed[0].error
    assert session.scalar(text("SELECT count(*) FROM review_cycle")) == 0
    assert session.scalar(text("SELECT count(*) FROM review_reminder")) == 0
    # the server is back: the next run sends it
    assert [r.recipients for r in _send(session, box)] == [(ANN,)]
