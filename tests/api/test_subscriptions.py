"""A community builder subscribes to the changes in their neighbourhood: a webhook for their
group's own system, or a weekly email. What they may subscribe to, what is queued for them
as the map changes (and what never is), and the digest they are emailed (through a real
SMTP server on loopback). Sending webhooks is tested in tests/test_deliveries.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session, sessionmaker

from app.domain.deliveries import send_digests
from app.settings import SubscriptionSettings
from tests.conftest import asset_feature, bearer, load_trafford_lsoas
from tests.mailbox import mailbox

STRETFORD_LSOA, SALE_LSOA = "E01006183", "E01006161"
STRETFORD = (-2.3157, 53.4466)
SALE = (-2.3183, 53.4250)
HOOK = "https://hooks.example.org/stretford"


@pytest.fixture
def builder(session: Session) -> dict[str, str]:
    """A community builder's headers; their neighbourhoods are stored."""
    load_trafford_lsoas(session, [STRETFORD_LSOA, SALE_LSOA])
    return bearer(session, "ann@example.org", "contributor")


def _fields(response: Any) -> list[str]:
    return [problem["field"] for problem in response.json().get("errors", [])]


def _log(client: TestClient, who: dict[str, str], subscription: int) -> list[dict[str, Any]]:
    response = client.get(f"/subscriptions/{subscription}/deliveries", headers=who)
    assert response.status_code == 200, response.text
    return list(response.json())


def test_a_builder_subscribes_a_webhook_and_sees_its_secret_only_once(
    client: TestClient, builder: dict[str, str]
) -> None:
    made = client.post(
        "/subscriptions",
        json={"url": HOOK, "within": STRETFORD_LSOA, "category": "food-support"},
        headers=builder,
    )
    assert made.status_code == 201, made.text
    subscription = made.json()

    listed = client.get("/subscriptions", headers=builder).json()
    one = client.get(made.headers["location"], headers=builder).json()

    assert len(subscription["secret"]) >= 32
    assert subscription["url"] == HOOK and subscription["within"] == STRETFORD_LSOA
    assert subscription["category"] == "food-support" and not subscription["paused"]
    assert [item["id"] for item in listed] == [subscription["id"]]
    assert "secret" not in listed[0] and "secret" not in one
    assert one == listed[0]
    assert subscription["secret"] not in client.get("/subscriptions", headers=builder).text


def test_only_its_owner_sees_or_ends_a_subscription(
    client: TestClient, session: Session, builder: dict[str, str]
) -> None:
    made = client.post(
        "/subscriptions", json={"url": HOOK, "within": STRETFORD_LSOA}, headers=builder
    ).json()
    someone_else = bearer(session, "bob@example.org", "contributor")
    at = f"/subscriptions/{made['id']}"

    assert client.anonymous.get("/subscriptions").status_code == 401
    assert client.get(at, headers=someone_else).status_code == 404
    assert client.delete(at, headers=someone_else).status_code == 404
    assert client.get("/subscriptions", headers=someone_else).json() == []
    assert client.delete(at, headers=builder).status_code == 204
    assert client.get(at, headers=builder).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://hooks.example.org/x", "within": STRETFORD_LSOA}, "url"),
        ({"url": "javascript:alert(1)", "within": STRETFORD_LSOA}, "url"),
        ({"url": "https://", "within": STRETFORD_LSOA}, "url"),
        ({"url": "http://testserver/assets", "within": STRETFORD_LSOA}, "url"),
        ({"url": "http://testserver:80/hook", "within": STRETFORD_LSOA}, "url"),
        ({"url": "http://localhost/hook", "within": STRETFORD_LSOA}, "url"),
        ({"within": STRETFORD_LSOA}, "url"),
        ({"url": HOOK, "email_digest": True, "within": STRETFORD_LSOA}, "url"),
        ({"url": HOOK, "within": "E00000000"}, "within"),
        ({"url": HOOK, "within": STRETFORD_LSOA, "category": "no-such-thing"}, "category"),
        (
            {"url": HOOK, "within": STRETFORD_LSOA, "kind": "physical", "category": "library"},
            "category",
        ),
        ({"url": HOOK, "within": STRETFORD_LSOA, "outcome": "no-such-outcome"}, "outcome"),
    ],
    ids=[
        "not http",
        "a script",
        "no host",
        "the service itself",
        "the service at its port",
        "loopback at the service's port",
        "neither a url nor a digest",
        "both",
        "an unknown area",
        "an unknown category",
        "a category of another kind",
        "an unknown outcome",
    ],
)
def test_a_subscription_that_cannot_work_is_a_422_naming_the_field(
    client: TestClient, builder: dict[str, str], body: dict[str, Any], field: str
) -> None:
    response = client.post("/subscriptions", json=body, headers=builder)

    assert response.status_code == 422, response.text
    assert _fields(response) == [field]
    assert client.get("/subscriptions", headers=builder).json() == []


def test_a_twenty_first_subscription_is_a_429_in_the_problem_shape(
    client: TestClient, builder: dict[str, str]
) -> None:
    most = SubscriptionSettings().max_per_user
    for number in range(most):
        made = client.post(
            "/subscriptions",
            json={"url": f"{HOOK}/{number}", "within": STRETFORD_LSOA},
            headers=builder,
        )
        assert made.status_code == 201, made.text

    refused = client.post(
        "/subscriptions", json={"email_digest": True, "within": SALE_LSOA}, headers=builder
    )

    assert most == 20
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["status"] == 429 and "20" in refused.json()["detail"]
    assert len(client.get("/subscriptions", headers=builder).json()) == 20


def test_each_public_change_in_the_area_is_queued_once_for_each_webhook(
    client: TestClient, builder: dict[str, str]
) -> None:
    everything = client.post(
        "/subscriptions", json={"url": HOOK, "within": STRETFORD_LSOA}, headers=builder
    ).json()["id"]
    food = client.post(
        "/subscriptions",
        json={"url": HOOK + "/food", "within": STRETFORD_LSOA, "category": "food-support"},
        headers=builder,
    ).json()["id"]
    club = client.post("/assets", json=asset_feature(*STRETFORD, name="Lunch club")).json()["id"]
    client.patch(f"/assets/{club}", json={"properties": {"cost": "Free"}}).raise_for_status()
    client.post(
        "/assets",
        json=asset_feature(*STRETFORD, name="Food bank", kind="institution", category="food-bank"),
    ).raise_for_status()
    client.post("/assets", json=asset_feature(*SALE, name="Sale choir")).raise_for_status()
    client.post(
        "/assets",
        json=asset_feature(*STRETFORD, name="Harriet's harp", kind="individual", category="skill"),
    ).raise_for_status()
    client.anonymous.post(
        "/assets", json=asset_feature(*STRETFORD, name="Waiting")
    ).raise_for_status()

    logged = _log(client, builder, everything)
    food_log = _log(client, builder, food)

    assert [(d["event"], d["revision"]) for d in logged] == [
        ("asset.added", 1),
        ("asset.changed", 2),
        ("asset.added", 1),
    ]
    assert [d["event"] for d in food_log] == ["asset.added"]
    assert all(d["state"] == "pending" and d["attempts"] == 0 for d in logged)
    described = client.get(f"/subscriptions/{everything}", headers=builder).json()
    assert described["waiting"] == 3


def test_a_person_who_withdraws_consent_is_told_as_gone_without_a_trace(
    client: TestClient, builder: dict[str, str]
) -> None:
    hook = client.post(
        "/subscriptions", json={"url": HOOK, "within": STRETFORD_LSOA}, headers=builder
    ).json()["id"]
    person = client.post(
        "/assets",
        json=asset_feature(
            *STRETFORD,
            name="Olu's oud lessons",
            kind="individual",
            category="skill",
            consent={"publish": True},
        ),
    ).json()["id"]
    client.patch(
        f"/assets/{person}", json={"properties": {"contact": {"phone": "07700 900222"}}}
    ).raise_for_status()
    client.patch(
        f"/assets/{person}", json={"properties": {"consent": {"publish": False}}}
    ).raise_for_status()

    assert [d["event"] for d in reversed(_log(client, builder, hook))] == [
        "asset.added",
        "asset.removed",
    ]


def test_a_weekly_digest_emails_the_weeks_changes_in_the_area(
    client: TestClient, connection: Connection, session: Session, builder: dict[str, str]
) -> None:
    digest = client.post(
        "/subscriptions", json={"email_digest": True, "within": STRETFORD_LSOA}, headers=builder
    ).json()
    assert digest["url"] is None and digest["secret"] is None
    a_week_ago = datetime.now(UTC) - timedelta(days=7, minutes=1)
    session.execute(
        text("UPDATE subscription SET created_at = :at WHERE id = :id"),
        {"at": a_week_ago, "id": digest["id"]},
    )
    session.commit()
    club = client.post("/assets", json=asset_feature(*STRETFORD, name="Lunch club")).json()["id"]
    client.patch(
        f"/assets/{club}", json={"properties": {"opening_hours": "Tu 12:00-14:00"}}
    ).raise_for_status()
    library = client.post(
        "/assets",
        json=asset_feature(*STRETFORD, name="Library", kind="institution", category="library"),
    ).json()["id"]
    client.delete(f"/assets/{library}").raise_for_status()
    client.post("/assets", json=asset_feature(*SALE, name="Sale choir")).raise_for_status()
    client.post(
        "/assets",
        json=asset_feature(*STRETFORD, name="Harriet's harp", kind="individual", category="skill"),
    ).raise_for_status()
    # the digest run's own sessions, on the test's transaction
    sessions = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")

    with mailbox() as box:
        first = send_digests(
            sessions, SubscriptionSettings(), box.settings, "https://maps.example.org"
        )
        again = send_digests(
            sessions, SubscriptionSettings(), box.settings, "https://maps.example.org"
        )

    assert (first.sent, first.failed) == (1, [])
    assert (again.sent, again.quiet) == (0, 0)
    [message] = box.to("ann@example.org")
    body = message.get_payload(decode=True).decode().replace("\r\n", "\n")
    assert "Trafford 006E" in str(message["Subject"])
    assert f"Added (1)\n- Lunch club (association): https://maps.example.org/assets/{club}" in body
    assert "Archived (1)\n- Library (Library)" in body
    assert "Changed" not in body  # added this week: its later change is part of it
    assert "Sale choir" not in body and "Harriet" not in body
    assert f"/subscriptions/{digest['id']}" in body


def test_an_erased_person_is_told_as_gone_and_a_never_shown_one_not_at_all(
    client: TestClient, builder: dict[str, str]
) -> None:
    hook = client.post(
        "/subscriptions", json={"url": HOOK, "within": STRETFORD_LSOA}, headers=builder
    ).json()["id"]
    person = {"kind": "individual", "category": "skill", "address": "34 Private Rd"}
    shown = client.post(
        "/assets",
        json=asset_feature(*STRETFORD, name="Olu's oud", consent={"publish": True}, **person),
    ).json()["id"]
    never = client.post("/assets", json=asset_feature(*STRETFORD, name="Hidden harp", **person))
    for erased in (shown, never.json()["id"]):
        assert client.delete(f"/assets/{erased}?erase=true").status_code < 300

    logged = _log(client, builder, hook)

    assert [(d["event"], d["asset_id"]) for d in reversed(logged)] == [
        ("asset.added", shown),
        ("asset.removed", shown),
    ]
