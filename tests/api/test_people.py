"""People administration through the API, with two authorities: an authority admin lists,
searches and changes only their authority's people, and is told why not for the rest;
disabling stops a live token on its next use; a reset link works once; every change is in
the audit, which each authority's admins read for their own people alone."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth import accounts
from tests.api.two_authorities import (
    ALTRINCHAM_WARD,
    MANCHESTER,
    MANCHESTER_LSOA,
    TRAFFORD,
    TRAFFORD_LSOA,
    add_second_authority,
)
from tests.conftest import bearer
from tests.mailbox import mailbox

PASSWORD = "a pass phrase long enough"
NEW_PASSWORD = "another pass phrase, longer"


@dataclass
class People:
    trafford_admin: dict[str, str]
    manchester_admin: dict[str, str]
    root: dict[str, str]
    trafford_moderator: dict[str, str]
    ids: dict[str, int]


def _id(session: Session, email: str) -> int:
    return int(session.scalar(text("SELECT id FROM app_user WHERE email = :e"), {"e": email}))


@pytest.fixture
def people(demo_session: Session) -> People:
    add_second_authority(demo_session)
    trafford_admin = bearer(demo_session, "ta@trafford.example", "admin", (TRAFFORD,))
    manchester_admin = bearer(demo_session, "ma@manchester.example", "admin", (MANCHESTER,))
    root = bearer(demo_session, "root@example.org", "admin")
    trafford_moderator = bearer(
        demo_session, "tmod@trafford.example", "moderator", (TRAFFORD_LSOA,)
    )
    bearer(demo_session, "wmod@trafford.example", "moderator", (ALTRINCHAM_WARD,))
    bearer(demo_session, "mmod@manchester.example", "moderator", (MANCHESTER_LSOA,))
    bearer(demo_session, "both@example.org", "moderator", (TRAFFORD_LSOA, MANCHESTER_LSOA))
    accounts.create_user(
        demo_session, "ann@trafford.example", "contributor", [], PASSWORD, authority=TRAFFORD
    )
    accounts.create_user(demo_session, "loose@example.org", "contributor", [], PASSWORD)
    demo_session.flush()
    emails = demo_session.scalars(text("SELECT email FROM app_user")).all()
    return People(
        trafford_admin,
        manchester_admin,
        root,
        trafford_moderator,
        {email: _id(demo_session, email) for email in emails},
    )


def _emails(client: TestClient, headers: dict[str, str], query: str = "") -> list[str]:
    answer = client.get(f"/people/users{query}", headers=headers)
    assert answer.status_code == 200, answer.text
    return [user["email"] for user in answer.json()["users"]]


def _sign_in(client: TestClient, email: str, password: str) -> int:
    return client.post("/auth/token", data={"username": email, "password": password}).status_code


def test_an_authority_admin_lists_and_searches_their_authoritys_people_alone(
    demo_client: TestClient, people: People
) -> None:
    trafford = _emails(demo_client, people.trafford_admin)
    manchester = _emails(demo_client, people.manchester_admin)
    everyone = _emails(demo_client, people.root)

    # a moderator of both, the admins of everything and someone of no authority are
    # neither authority's to manage
    assert trafford == [
        "ann@trafford.example",
        "ta@trafford.example",
        "tmod@trafford.example",
        "wmod@trafford.example",
    ]
    assert manchester == ["ma@manchester.example", "mmod@manchester.example"]
    assert {"both@example.org", "loose@example.org", "root@example.org"} <= set(everyone)
    assert _emails(demo_client, people.trafford_admin, "?q=MOD") == [
        "tmod@trafford.example",
        "wmod@trafford.example",
    ]
    assert _emails(demo_client, people.trafford_admin, "?role=contributor") == [
        "ann@trafford.example"
    ]
    assert _emails(demo_client, people.root, f"?area={MANCHESTER_LSOA}") == [
        "both@example.org",
        "mmod@manchester.example",
    ]
    first = demo_client.get("/people/users?limit=2", headers=people.trafford_admin).json()
    rest = demo_client.get(
        f"/people/users?limit=2&after={first['next']}", headers=people.trafford_admin
    ).json()
    assert [u["email"] for u in first["users"] + rest["users"]] == trafford
    assert rest["next"] is None
    shown = demo_client.get(
        f"/people/users/{people.ids['both@example.org']}", headers=people.root
    ).json()
    assert shown["authorities"] == [MANCHESTER, TRAFFORD]
    assert "password" not in str(shown)


def test_an_authority_admin_is_refused_other_peoples_accounts_and_told_why(
    demo_client: TestClient, people: People
) -> None:
    theirs = people.ids["mmod@manchester.example"]
    shared = people.ids["both@example.org"]
    loose = people.ids["loose@example.org"]
    mine = people.ids["tmod@trafford.example"]

    read = demo_client.get(f"/people/users/{theirs}", headers=people.trafford_admin)
    change = demo_client.patch(
        f"/people/users/{shared}", json={"areas": [TRAFFORD_LSOA]}, headers=people.trafford_admin
    )
    disable = demo_client.post(f"/people/users/{loose}/disable", headers=people.trafford_admin)
    beyond = demo_client.patch(
        f"/people/users/{mine}", json={"areas": [MANCHESTER_LSOA]}, headers=people.trafford_admin
    )
    everything = demo_client.patch(
        f"/people/users/{mine}", json={"role": "admin", "areas": []}, headers=people.trafford_admin
    )
    other_authority = demo_client.patch(
        f"/people/users/{mine}",
        json={"role": "admin", "areas": [MANCHESTER]},
        headers=people.trafford_admin,
    )
    moderator = demo_client.get("/people/users", headers=people.trafford_moderator)

    assert read.status_code == 403
    assert read.json()["detail"] == (
        f"you administer {TRAFFORD}; this account belongs to {MANCHESTER}, not yours alone"
    )
    assert change.status_code == 403 and f"{MANCHESTER}, {TRAFFORD}" in change.json()["detail"]
    assert disable.status_code == 403 and "belongs to no authority" in disable.json()["detail"]
    assert beyond.status_code == 403 and beyond.json()["errors"][0]["field"] == "areas"
    assert f"{MANCHESTER_LSOA} is not within them" in beyond.json()["detail"]
    assert everything.status_code == 403 and "admin of everything" in everything.json()["detail"]
    assert other_authority.status_code == 403 and other_authority.json()["errors"][0]["field"] == (
        "areas"
    )
    assert moderator.status_code == 403 and moderator.json()["detail"] == (
        "only admins administer people"
    )
    after = demo_client.get(f"/people/users/{mine}", headers=people.root).json()
    assert (after["role"], after["areas"]) == ("moderator", [TRAFFORD_LSOA])


def test_an_authority_admin_changes_a_role_and_a_moderators_areas_and_both_are_audited(
    demo_client: TestClient, people: People
) -> None:
    ann = people.ids["ann@trafford.example"]
    tmod = people.ids["tmod@trafford.example"]

    promoted = demo_client.patch(
        f"/people/users/{ann}",
        json={"role": "moderator", "areas": [ALTRINCHAM_WARD]},
        headers=people.trafford_admin,
    )
    moved = demo_client.patch(
        f"/people/users/{tmod}",
        json={"areas": [TRAFFORD_LSOA, ALTRINCHAM_WARD]},
        headers=people.trafford_admin,
    )
    signed_in = demo_client.post(
        "/auth/token", data={"username": "ann@trafford.example", "password": PASSWORD}
    ).json()["access_token"]
    me = demo_client.get("/auth/me", headers={"Authorization": f"Bearer {signed_in}"}).json()

    assert promoted.status_code == 200, promoted.text
    assert (promoted.json()["role"], promoted.json()["areas"]) == ("moderator", [ALTRINCHAM_WARD])
    assert promoted.json()["authority"] is None  # a moderator's follows from their areas
    assert moved.json()["areas"] == sorted([TRAFFORD_LSOA, ALTRINCHAM_WARD])
    assert (me["role"], me["areas"]) == ("moderator", [ALTRINCHAM_WARD])
    entries = demo_client.get("/people/audit", headers=people.trafford_admin).json()["entries"]
    assert [(e["action"], e["email"], e["actor"]) for e in entries[:2]] == [
        ("areas", "tmod@trafford.example", "ta@trafford.example"),
        ("role", "ann@trafford.example", "ta@trafford.example"),
    ]
    assert entries[1]["before"] == {"role": "contributor", "areas": [], "authority": TRAFFORD}
    assert entries[1]["after"] == {
        "role": "moderator",
        "areas": [ALTRINCHAM_WARD],
        "authority": None,
    }
    assert entries[0]["before"]["areas"] == [TRAFFORD_LSOA]
    assert entries[0]["authorities"] == [TRAFFORD]
    assert entries[0]["at"] >= entries[1]["at"]


def test_bad_changes_are_refused_naming_the_field(demo_client: TestClient, people: People) -> None:
    ann = people.ids["ann@trafford.example"]

    cases = [
        ({"role": "mayor"}, "role"),
        ({"role": "moderator"}, "areas"),  # a moderator looks after at least one area
        ({"role": "moderator", "areas": ["E99999999"]}, "areas"),
        ({"role": "admin", "areas": [TRAFFORD_LSOA]}, "areas"),  # not a local authority
        ({"authority": "E99999999"}, "authority"),
        ({"colour": "red"}, "colour"),
    ]
    for body, field in cases:
        answer = demo_client.patch(f"/people/users/{ann}", json=body, headers=people.root)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json()["errors"][0]["field"] == field, body
    assert demo_client.get("/people/users/999999", headers=people.root).status_code == 404
    assert (
        demo_client.get("/people/users?after=nonsense", headers=people.root).json()["errors"][0][
            "field"
        ]
        == "after"
    )
    own = demo_client.post(
        f"/people/users/{people.ids['ta@trafford.example']}/disable",
        headers=people.trafford_admin,
    )
    assert own.status_code == 403 and "yourself" in own.json()["detail"]


def test_a_disabled_users_live_token_is_refused_on_its_next_use_until_enabled_and_signed_in(
    demo_client: TestClient, people: People
) -> None:
    ann = people.ids["ann@trafford.example"]
    token = demo_client.post(
        "/auth/token", data={"username": "ann@trafford.example", "password": PASSWORD}
    ).json()["access_token"]
    hers = {"Authorization": f"Bearer {token}"}
    assert demo_client.get("/auth/me", headers=hers).status_code == 200

    disabled = demo_client.post(f"/people/users/{ann}/disable", headers=people.trafford_admin)
    refused = demo_client.get("/auth/me", headers=hers)
    no_sign_in = _sign_in(demo_client, "ann@trafford.example", PASSWORD)
    enabled = demo_client.post(f"/people/users/{ann}/enable", headers=people.trafford_admin)

    assert disabled.status_code == 200 and disabled.json()["disabled_at"]
    assert refused.status_code == 401
    assert no_sign_in == 401
    assert enabled.json()["disabled_at"] is None
    assert demo_client.get("/auth/me", headers=hers).status_code == 401  # stays revoked
    assert _sign_in(demo_client, "ann@trafford.example", PASSWORD) == 200
    assert _emails(demo_client, people.trafford_admin, "?disabled=true") == []
    entries = demo_client.get(
        "/people/audit?email=ann@trafford.example", headers=people.trafford_admin
    ).json()["entries"]
    assert [e["action"] for e in entries] == ["enable", "disable"]
    assert entries[1]["after"]["tokens_revoked"] == 1 and entries[1]["before"] == {
        "disabled_at": None
    }


def test_a_reset_link_works_once_then_is_gone_and_signs_them_out_everywhere(
    demo_client: TestClient, demo_session: Session, people: People
) -> None:
    ann = people.ids["ann@trafford.example"]
    old = demo_client.post(
        "/auth/token", data={"username": "ann@trafford.example", "password": PASSWORD}
    ).json()["access_token"]

    made = demo_client.post(f"/people/users/{ann}/reset", headers=people.trafford_admin)
    link = made.json()["link"]
    token = link.split("#token=", 1)[1]
    too_short = demo_client.post("/auth/reset", json={"token": token, "password": "short"})
    used = demo_client.post("/auth/reset", json={"token": token, "password": NEW_PASSWORD})
    again = demo_client.post("/auth/reset", json={"token": token, "password": NEW_PASSWORD})

    assert made.status_code == 201 and made.json()["emailed_to"] is None
    assert link.startswith("http://127.0.0.1:8000/people/reset#token=")
    assert made.headers["cache-control"] == "no-store"
    assert too_short.status_code == 422 and too_short.json()["errors"][0]["field"] == "password"
    assert used.status_code == 204
    assert again.status_code == 410 and again.json()["errors"][0]["field"] == "token"
    assert demo_client.get("/auth/me", headers={"Authorization": f"Bearer {old}"}).status_code == (
        401
    )
    assert _sign_in(demo_client, "ann@trafford.example", PASSWORD) == 401
    assert _sign_in(demo_client, "ann@trafford.example", NEW_PASSWORD) == 200
    stored = demo_session.scalars(text("SELECT digest FROM password_reset")).all()
    assert all(token.encode() not in bytes(digest) for digest in stored)

    # a link past its time, and one a newer link replaced, are gone too
    expired = demo_client.post(f"/people/users/{ann}/reset", headers=people.root).json()
    demo_session.execute(text("UPDATE password_reset SET expires_at = now() - interval '1 s'"))
    replaced = demo_client.post(f"/people/users/{ann}/reset", headers=people.root).json()
    newest = demo_client.post(f"/people/users/{ann}/reset", headers=people.root).json()
    for gone in (expired, replaced):
        answer = demo_client.post(
            "/auth/reset",
            json={"token": gone["link"].split("#token=")[1], "password": NEW_PASSWORD},
        )
        assert answer.status_code == 410
    assert (
        demo_client.post(
            "/auth/reset", json={"token": newest["link"].split("#token=")[1], "password": PASSWORD}
        ).status_code
        == 204
    )
    actions = [
        (e["action"], e["actor"])
        for e in demo_client.get(
            "/people/audit?email=ann@trafford.example", headers=people.root
        ).json()["entries"]
    ]
    assert actions == [
        ("reset_password", "ann@trafford.example"),
        ("reset_link", "root@example.org"),
        ("reset_link", "root@example.org"),
        ("reset_link", "root@example.org"),
        ("reset_password", "ann@trafford.example"),
        ("reset_link", "ta@trafford.example"),
    ]


def test_with_an_smtp_server_the_reset_link_is_emailed_not_shown(
    demo_client: TestClient, people: People
) -> None:
    ann = people.ids["ann@trafford.example"]
    with mailbox() as box:
        demo_client.app.state.mail_settings = box.settings  # type: ignore[attr-defined]
        made = demo_client.post(f"/people/users/{ann}/reset", headers=people.trafford_admin)

    assert made.status_code == 201, made.text
    assert made.json()["emailed_to"] == "ann@trafford.example" and made.json()["link"] is None
    (message,) = box.to("ann@trafford.example")
    assert message["Subject"] == "Choose a new password for the Community Asset Map"
    body = message.get_payload(decode=True).decode()
    token = body.split("#token=", 1)[1].split()[0]
    answer = demo_client.post("/auth/reset", json={"token": token, "password": NEW_PASSWORD})
    assert answer.status_code == 204
    assert _sign_in(demo_client, "ann@trafford.example", NEW_PASSWORD) == 200


def test_a_user_changes_their_own_password(demo_client: TestClient, people: People) -> None:
    token = demo_client.post(
        "/auth/token", data={"username": "ann@trafford.example", "password": PASSWORD}
    ).json()["access_token"]
    hers = {"Authorization": f"Bearer {token}"}

    wrong = demo_client.post(
        "/auth/password",
        json={"current_password": "not it at all", "new_password": NEW_PASSWORD},
        headers=hers,
    )
    short = demo_client.post(
        "/auth/password",
        json={"current_password": PASSWORD, "new_password": "short"},
        headers=hers,
    )
    changed = demo_client.post(
        "/auth/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=hers,
    )

    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "current_password"
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "new_password"
    assert changed.status_code == 204
    assert _sign_in(demo_client, "ann@trafford.example", PASSWORD) == 401
    assert _sign_in(demo_client, "ann@trafford.example", NEW_PASSWORD) == 200
    entry = demo_client.get("/people/audit", headers=people.trafford_admin).json()["entries"][0]
    assert (entry["action"], entry["actor"], entry["email"]) == (
        "change_password",
        "ann@trafford.example",
        "ann@trafford.example",
    )
    assert "password" not in str(entry["after"]) and entry["before"] is None


def test_an_authority_admin_makes_accounts_within_theirs_alone(
    demo_client: TestClient, people: People
) -> None:
    made = demo_client.post(
        "/people/users",
        json={"email": "Bea@Trafford.example", "role": "contributor", "authority": TRAFFORD},
        headers=people.trafford_admin,
    )
    elsewhere = demo_client.post(
        "/people/users",
        json={"email": "cy@example.org", "role": "moderator", "areas": [MANCHESTER_LSOA]},
        headers=people.trafford_admin,
    )
    nobodys = demo_client.post(
        "/people/users",
        json={"email": "di@example.org", "role": "analyst"},
        headers=people.trafford_admin,
    )
    taken = demo_client.post(
        "/people/users",
        json={"email": "ann@trafford.example", "role": "contributor", "authority": TRAFFORD},
        headers=people.trafford_admin,
    )

    assert made.status_code == 201, made.text
    assert (made.json()["email"], made.json()["authorities"]) == (
        "bea@trafford.example",
        [TRAFFORD],
    )
    assert elsewhere.status_code == 403 and elsewhere.json()["errors"][0]["field"] == "areas"
    assert nobodys.status_code == 403 and nobodys.json()["errors"][0]["field"] == "authority"
    assert taken.status_code == 409
    assert "bea@trafford.example" in _emails(demo_client, people.trafford_admin)
    assert "bea@trafford.example" not in _emails(demo_client, people.manchester_admin)
    entry = demo_client.get("/people/audit", headers=people.trafford_admin).json()["entries"][0]
    assert (entry["action"], entry["email"]) == ("create", "bea@trafford.example")


def test_each_authoritys_admins_read_the_audit_of_their_own_people_alone(
    demo_client: TestClient, people: People
) -> None:
    refused = demo_client.get("/people/audit", headers=people.trafford_moderator)
    nothing_yet = demo_client.get("/people/audit", headers=people.manchester_admin).json()
    for who, headers in [
        ("tmod@trafford.example", people.trafford_admin),
        ("mmod@manchester.example", people.manchester_admin),
        ("both@example.org", people.root),
    ]:
        answer = demo_client.post(f"/people/users/{people.ids[who]}/disable", headers=headers)
        assert answer.status_code == 200, answer.text

    def audited(headers: dict[str, str]) -> set[str]:
        entries = demo_client.get("/people/audit", headers=headers).json()["entries"]
        return {entry["email"] for entry in entries}

    assert refused.status_code == 403
    assert nothing_yet == {"entries": [], "next": None}
    assert audited(people.trafford_admin) == {"tmod@trafford.example"}
    assert audited(people.manchester_admin) == {"mmod@manchester.example"}
    assert {"tmod@trafford.example", "mmod@manchester.example", "both@example.org"} <= audited(
        people.root
    )


def test_an_authority_with_admins_is_not_removed_so_they_never_become_admins_of_everything(
    demo_session: Session, people: People
) -> None:
    with pytest.raises(IntegrityError) as refused, demo_session.begin_nested():
        demo_session.execute(text("DELETE FROM area WHERE code = :code"), {"code": MANCHESTER})

    assert "has admins of its own" in str(refused.value)
    areas = demo_session.scalars(
        text("SELECT area_code FROM user_area WHERE user_id = :id"),
        {"id": people.ids["ma@manchester.example"]},
    ).all()
    assert areas == [MANCHESTER]
