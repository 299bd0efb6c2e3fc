"""Accounts: signing in with the OAuth2 password flow, API tokens for scripts, and what is
refused: wrong passwords (slowed down when repeated), expired and revoked tokens."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.auth import accounts
from app.errors import Problem
from tests.conftest import load_trafford_lsoas

PASSWORD = "correct horse battery staple"


def _user(session: Session, email: str = "ann@example.org", role: str = "contributor") -> int:
    user_id, _ = accounts.create_user(session, email, role, [], PASSWORD)
    session.flush()
    return user_id


def _sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    response = client.post("/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def test_a_contributor_signs_in_and_is_known_by_the_token(
    client: TestClient, session: Session
) -> None:
    _user(session)

    answer = client.post("/auth/token", data={"username": "Ann@Example.org", "password": PASSWORD})
    me = client.get(
        "/auth/me", headers={"Authorization": f"Bearer {answer.json()['access_token']}"}
    )

    assert answer.json()["token_type"] == "bearer" and answer.json()["expires_at"]
    assert me.json() == {
        "id": me.json()["id"],
        "email": "ann@example.org",
        "role": "contributor",
        "areas": [],
        "authority": None,
    }
    stored = session.execute(
        text("SELECT password_hash FROM app_user WHERE email = 'ann@example.org'")
    ).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(
    client: TestClient, session: Session
) -> None:
    _user(session)

    wrong = client.post("/auth/token", data={"username": "ann@example.org", "password": "x"})
    nobody = client.post("/auth/token", data={"username": "bob@example.org", "password": "x"})

    assert wrong.status_code == nobody.status_code == 401
    assert wrong.json()["detail"] == nobody.json()["detail"]
    assert wrong.headers["www-authenticate"] == "Bearer"


def test_repeated_failures_are_slowed_down(client: TestClient, session: Session) -> None:
    _user(session)
    for _ in range(5):
        failed = client.post("/auth/token", data={"username": "ann@example.org", "password": "x"})
        assert failed.status_code == 401

    waiting = client.post("/auth/token", data={"username": "ann@example.org", "password": PASSWORD})

    assert waiting.status_code == 429  # even the right password must wait now
    assert int(waiting.headers["retry-after"]) >= 1
    session.execute(text("UPDATE sign_in_failure SET last_failed_at = now() - interval '1 hour'"))
    assert _sign_in(client, "ann@example.org")


def test_an_api_token_is_shown_once_listed_without_its_secret_and_revocable(
    client: TestClient, session: Session
) -> None:
    _user(session)
    signed_in = {"Authorization": f"Bearer {_sign_in(client, 'ann@example.org')}"}

    made = client.post("/auth/tokens", json={"name": "nightly import"}, headers=signed_in)
    api_token = made.json()["access_token"]
    script = {"Authorization": f"Bearer {api_token}"}
    listed = client.get("/auth/tokens", headers=script).json()

    assert made.status_code == 201 and made.json()["expires_at"] is None
    assert client.get("/auth/me", headers=script).status_code == 200
    assert api_token not in str(listed)
    stored = session.execute(text("SELECT digest FROM auth_token")).scalars().all()
    assert all(api_token.encode() not in bytes(digest) for digest in stored)
    api_id = next(t["id"] for t in listed if t["name"] == "nightly import")
    assert client.delete(f"/auth/tokens/{api_id}", headers=signed_in).status_code == 204
    assert client.get("/auth/me", headers=script).status_code == 401


def test_expired_and_made_up_tokens_are_refused(client: TestClient, session: Session) -> None:
    _user(session)
    token = _sign_in(client, "ann@example.org")
    session.execute(text("UPDATE auth_token SET expires_at = now() - interval '1 second'"))

    expired = client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    made_up = client.get("/auth/me", headers={"Authorization": "Bearer not-a-token"})
    not_bearer = client.get("/auth/me", headers={"Authorization": f"Basic {token}"})
    anonymous = client.get("/auth/me")

    assert [r.status_code for r in (expired, made_up, not_bearer, anonymous)] == [401] * 4


@pytest.mark.parametrize(
    ("email", "role", "areas", "field"),
    [
        ("not-an-email", "contributor", [], "email"),
        ("ann@example.org", "mayor", [], "role"),
        ("ann@example.org", "moderator", [], "area"),
        ("ann@example.org", "moderator", ["E99999999"], "area"),
        ("ann@example.org", "analyst", ["E01006108"], "area"),
    ],
)
def test_accounts_that_cannot_be_made(
    session: Session, email: str, role: str, areas: list[str], field: str
) -> None:
    load_trafford_lsoas(session, ["E01006108"])
    with pytest.raises(Problem) as refused:
        accounts.create_user(session, email, role, areas)
    assert refused.value.errors[0].field == field


def test_a_moderator_looks_after_areas(client: TestClient, session: Session) -> None:
    load_trafford_lsoas(session, ["E01006108"])
    accounts.create_user(session, "mo@example.org", "moderator", ["E01006108"], PASSWORD)
    session.flush()

    token = _sign_in(client, "mo@example.org")
    me = client.get("/auth/me", headers={"Authorization": f"Bearer {token}"}).json()

    assert me["role"] == "moderator" and me["areas"] == ["E01006108"]


def test_an_authority_admin_looks_after_local_authorities_and_others_belong_to_one(
    session: Session,
) -> None:
    load_trafford_lsoas(session, ["E01006108"])
    session.execute(
        text(
            "INSERT INTO area (code, name, level, geom) SELECT 'E08000009', 'Trafford', "
            "'local_authority', geom FROM area WHERE code = 'E01006108'"
        )
    )
    refused = []
    for role, areas, authority in [
        ("admin", ["E01006108"], None),  # an LSOA is no authority
        ("contributor", [], "E01006108"),
        ("moderator", ["E01006108"], "E08000009"),  # a moderator's follows from their areas
    ]:
        with pytest.raises(Problem) as problem:
            accounts.create_user(session, "x@example.org", role, areas, authority=authority)
        refused.append(problem.value.errors[0].field)
    accounts.create_user(session, "ta@example.org", "admin", ["E08000009"], PASSWORD)
    accounts.create_user(session, "cy@example.org", "analyst", [], PASSWORD, "E08000009")
    session.flush()

    assert refused == ["area", "authority", "authority"]
    admin = accounts.account_by_email(session, "ta@example.org")
    analyst = accounts.account_by_email(session, "cy@example.org")
    assert admin is not None and (admin.areas, admin.everywhere) == (("E08000009",), False)
    assert analyst is not None and analyst.authority == "E08000009"
