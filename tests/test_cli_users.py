"""`assetmap users ...`: the service's operator makes accounts from a terminal, lists and
searches them, changes a role and a moderator's areas, disables and enables them, prints a
one-time reset link (emailed too when an SMTP server is configured), and reads the audit,
which names the operator as `cli:<login>`.

These run against a database of their own (they commit), holding Trafford and a second
authority."""

from __future__ import annotations

import getpass
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.db import make_engine
from app.io.area_import import import_areas
from app.main import create_app
from app.settings import PROJECT_ROOT, DatabaseSettings
from tests.api.two_authorities import MANCHESTER_LSOA, TRAFFORD, add_second_authority
from tests.conftest import (
    TRAFFORD as TRAFFORD_DATA,
)
from tests.conftest import (
    alembic_config,
    create_database,
    drop_database,
    load_trafford_lsoas,
)
from tests.mailbox import mailbox

TRAFFORD_LSOA = "E01006108"


@pytest.fixture(scope="module")
def users_url(base_url: str) -> Iterator[str]:
    url = create_database(base_url, "assetmap_users")
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url, pool_size=1)
    with Session(engine) as session, session.begin():
        import_areas(
            session,
            TRAFFORD_DATA / "local_authority_boundary.geojson",
            "local_authority",
            code_field="area_code",
            name_field="area_name",
        )
        load_trafford_lsoas(session, [TRAFFORD_LSOA])
        add_second_authority(session)
    engine.dispose()
    yield url
    drop_database(url)


@pytest.fixture(scope="module")
def api(users_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(DatabaseSettings(url=users_url))) as client:
        yield client


def _users(
    url: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "users", *args],
        env=os.environ | {"DATABASE_URL": url} | (env or {}),
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _ok(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()


def test_create_prints_a_one_time_password_or_an_api_token(users_url: str, api: TestClient) -> None:
    moderator = _users(
        users_url,
        "create",
        "--email",
        "Mo@Example.org",
        "--role",
        "moderator",
        "--area",
        TRAFFORD,
    )
    script = _users(
        users_url, "create", "--email", "robot@example.org", "--role", "analyst", "--token"
    )

    password = _ok(moderator)[-1]
    signed_in = api.post("/auth/token", data={"username": "mo@example.org", "password": password})
    assert signed_in.status_code == 200
    token = _ok(script)[-1]
    me = api.get("/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert (me["email"], me["role"]) == ("robot@example.org", "analyst")

    again = _users(users_url, "create", "--email", "mo@example.org", "--role", "contributor")
    assert again.returncode == 1 and "already has an account" in again.stderr
    nobody = _users(users_url, "create", "--email", "x@example.org", "--role", "moderator")
    assert nobody.returncode == 1 and "at least one area" in nobody.stderr
    not_authority = _users(
        users_url,
        "create",
        "--email",
        "x@example.org",
        "--role",
        "admin",
        "--area",
        TRAFFORD_LSOA,
    )
    assert not_authority.returncode == 1 and "local authorities" in not_authority.stderr


def test_the_operator_lists_changes_disables_enables_and_resets_and_it_is_all_audited(
    users_url: str, api: TestClient
) -> None:
    _ok(
        _users(
            users_url,
            "create",
            "--email",
            "ta@trafford.example",
            "--role",
            "admin",
            "--area",
            TRAFFORD,
        )
    )
    password = _ok(
        _users(
            users_url,
            "create",
            "--email",
            "cy@trafford.example",
            "--role",
            "contributor",
            "--authority",
            TRAFFORD,
        )
    )[-1]
    token = api.post(
        "/auth/token", data={"username": "cy@trafford.example", "password": password}
    ).json()["access_token"]
    hers = {"Authorization": f"Bearer {token}"}

    listed = _ok(_users(users_url, "list", "--q", "trafford.example"))
    promoted = _ok(
        _users(users_url, "role", "cy@trafford.example", "moderator", "--area", TRAFFORD_LSOA)
    )
    moved = _ok(
        _users(
            users_url, "areas", "cy@trafford.example", "--area", TRAFFORD_LSOA, "--area", TRAFFORD
        )
    )
    me = api.get("/auth/me", headers=hers).json()
    disabled = _ok(_users(users_url, "disable", "cy@trafford.example"))
    refused = api.get("/auth/me", headers=hers)
    only_disabled = _ok(_users(users_url, "list", "--disabled"))
    enabled = _ok(_users(users_url, "enable", "cy@trafford.example"))
    reset = _ok(_users(users_url, "reset", "cy@trafford.example"))
    link = reset[-1]
    used = api.post(
        "/auth/reset",
        json={"token": link.split("#token=")[1], "password": "a brand new pass phrase"},
    )
    again = api.post(
        "/auth/reset",
        json={"token": link.split("#token=")[1], "password": "a second new pass phrase"},
    )
    audit = _ok(_users(users_url, "audit", "--email", "cy@trafford.example"))

    assert listed == [
        "cy@trafford.example  contributor  authority " + TRAFFORD,
        "ta@trafford.example  admin  areas " + TRAFFORD,
    ]
    assert promoted == ["cy@trafford.example  moderator  areas " + TRAFFORD_LSOA]
    assert moved == [f"cy@trafford.example  moderator  areas {TRAFFORD_LSOA},{TRAFFORD}"]
    assert (me["role"], me["areas"]) == ("moderator", sorted([TRAFFORD_LSOA, TRAFFORD]))
    assert disabled[0].startswith("cy@trafford.example  moderator") and "disabled" in disabled[0]
    assert refused.status_code == 401
    assert [line.split()[0] for line in only_disabled] == ["cy@trafford.example"]
    assert "disabled" not in enabled[0]
    assert link.startswith("http://127.0.0.1:8000/people/reset#token=")
    assert (used.status_code, again.status_code) == (204, 410)
    signed_in = api.post(
        "/auth/token",
        data={"username": "cy@trafford.example", "password": "a brand new pass phrase"},
    )
    assert signed_in.status_code == 200
    actions = [line.split("  ")[1:3] for line in audit]
    operator = f"cli:{getpass.getuser()}"
    assert actions == [
        ["cy@trafford.example", "reset_password"],
        [operator, "reset_link"],
        [operator, "enable"],
        [operator, "disable"],
        [operator, "areas"],
        [operator, "role"],
        [operator, "create"],
    ]
    assert f"before={{'role': 'contributor', 'areas': [], 'authority': '{TRAFFORD}'}}" in audit[-2]


def test_what_the_operator_cannot_do_is_said_with_a_non_zero_exit(users_url: str) -> None:
    _ok(_users(users_url, "create", "--email", "dee@example.org", "--role", "contributor"))

    nobody = _users(users_url, "disable", "nobody@example.org")
    mayor = _users(users_url, "role", "dee@example.org", "mayor")
    nowhere = _users(users_url, "role", "dee@example.org", "moderator", "--area", "E99999999")
    no_areas = _users(users_url, "areas", "dee@example.org")

    assert nobody.returncode == 1 and "user nobody@example.org not found" in nobody.stderr
    assert mayor.returncode == 1 and "role: must be one of" in mayor.stderr
    assert nowhere.returncode == 1 and "E99999999" in nowhere.stderr
    assert no_areas.returncode == 1 and "--area" in no_areas.stderr


def test_reset_emails_the_link_when_an_smtp_server_is_configured(
    users_url: str, api: TestClient
) -> None:
    _ok(
        _users(
            users_url,
            "create",
            "--email",
            "eve@example.org",
            "--role",
            "moderator",
            "--area",
            MANCHESTER_LSOA,
        )
    )
    with mailbox() as box:
        printed = _ok(
            _users(
                users_url,
                "reset",
                "eve@example.org",
                env={
                    "ASSETMAP_SMTP_HOST": "127.0.0.1",
                    "ASSETMAP_SMTP_PORT": str(box.settings.port),
                },
            )
        )

    (message,) = box.to("eve@example.org")
    body = message.get_payload(decode=True).decode()
    assert printed[-1] in body and "emailed to eve@example.org" in printed[0]
    token = printed[-1].split("#token=")[1]
    assert (
        api.post(
            "/auth/reset", json={"token": token, "password": "eve's new pass phrase"}
        ).status_code
        == 204
    )
    audit = _ok(_users(users_url, "audit", "--email", "eve@example.org"))
    assert [line.split("  ")[2] for line in audit] == ["reset_password", "reset_link", "create"]
    listed = _ok(_users(users_url, "list", "--area", MANCHESTER_LSOA))
    assert listed == [f"eve@example.org  moderator  areas {MANCHESTER_LSOA}"]
