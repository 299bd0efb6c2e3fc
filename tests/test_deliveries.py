"""A group's own system hears of each change in its neighbourhood by webhook, sent by the
service as users run it (`assetmap serve`, real uvicorn processes on a database of their
own) to a real HTTP receiver on loopback: once each, signed with the subscription's
secret; after the receiver failed; after the service restarted; with two workers and two
servers sharing the queue. A receiver that keeps failing pauses its subscription until it
is resumed. The weekly digest goes out from the command line, through a real SMTP server."""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app.cli import cli
from app.db import make_engine
from app.main import create_app
from app.settings import PROJECT_ROOT, DatabaseSettings
from tests.conftest import (
    alembic_config,
    api_token,
    asset_feature,
    create_database,
    drop_database,
    free_port,
    load_trafford_lsoas,
    server_process,
)
from tests.mailbox import mailbox

STRETFORD_LSOA, SALE_LSOA = "E01006183", "E01006161"
STRETFORD = (-2.3157, 53.4466)
SALE = (-2.3183, 53.4250)
# Fast enough for tests: the worker looks every 0.1 s and tries again after 0.2 s, 0.4 s,
# ... up to 1 s; four failures in a row pause a subscription.
FAST = {
    "ASSETMAP_SUBSCRIPTION_POLL_S": "0.1",
    "ASSETMAP_SUBSCRIPTION_RETRY_BASE_S": "0.2",
    "ASSETMAP_SUBSCRIPTION_RETRY_MAX_S": "1",
    "ASSETMAP_SUBSCRIPTION_PAUSE_AFTER": "4",
    "ASSETMAP_SUBSCRIPTION_TIMEOUT_S": "2",
}
DEADLINE_S = 30.0


@dataclass
class Received:
    """One POST the receiver was sent: its headers and its raw body."""

    headers: dict[str, str]
    body: bytes

    @property
    def payload(self) -> dict[str, Any]:
        return dict(json.loads(self.body))


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1 that keeps every POST it is sent and answers the
    n-th (from 1) with `answer(n)`; `accepted` are those it answered 2xx."""

    url: str = ""
    answer: Callable[[int], int] = lambda _: 200
    sent: list[Received] = field(default_factory=list)
    accepted: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, received: Received) -> int:
        with self.lock:
            self.sent.append(received)
            status = self.answer(len(self.sent))
            if 200 <= status < 300:
                self.accepted.append(received)
            return status

    def changes(self) -> list[tuple[str, int, int]]:
        """(event, asset id, revision) of each delivery accepted, by asset and revision."""
        return sorted(
            (
                (r.payload["event"], r.payload["asset_id"], r.payload["revision"])
                for r in self.accepted
            ),
            key=lambda change: (change[1], change[2]),
        )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A receiver on a free loopback port, for as long as the test runs."""
    found = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status = found.take(Received(dict(self.headers.items()), body))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    found.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/assets"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True)
class World:
    """A database of its own, whose writes are committed (the servers read them): two
    Trafford neighbourhoods, an admin who writes assets and a community builder who
    subscribes."""

    url: str
    engine: Engine
    admin: dict[str, str]
    builder: dict[str, str]

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def run(self, sql: str, **params: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(sql), params)


@pytest.fixture(scope="module")
def world(base_url: str) -> Iterator[World]:
    url = create_database(base_url, "assetmap_hooks")
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url, pool_size=1)
    with Session(engine) as session:
        load_trafford_lsoas(session, [STRETFORD_LSOA, SALE_LSOA])
        admin = api_token(session, "admin@example.org", "admin")
        builder = api_token(session, "ann@example.org", "contributor")
        session.commit()
    yield World(
        url,
        engine,
        {"Authorization": f"Bearer {admin}"},
        {"Authorization": f"Bearer {builder}"},
    )
    engine.dispose()
    drop_database(url)


@pytest.fixture(autouse=True)
def no_subscriptions_left(world: World) -> Iterator[None]:
    """Each test's subscriptions end with it (its receiver does)."""
    yield
    world.run("DELETE FROM subscription")


@contextmanager
def serving(world: World, **env: str) -> Iterator[str]:
    """`assetmap serve` on the world's database, fast settings and `env`; its base URL."""
    with server_process(world.url, FAST | env) as (base, _):
        yield base


def wait_for(what: str, done: Callable[[], Any]) -> Any:
    """Poll `done` until it answers something true (returned), failing after the deadline."""
    deadline = time.monotonic() + DEADLINE_S
    while not (found := done()):
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.05)
    return found


def subscribe(base: str, world: World, url: str, **filters: str) -> tuple[int, str]:
    """A webhook of the builder's in Stretford (unless `within` says otherwise): its id
    and secret."""
    made = httpx.post(
        f"{base}/subscriptions",
        json={"url": url, "within": STRETFORD_LSOA} | filters,
        headers=world.builder,
    )
    assert made.status_code == 201, made.text
    return int(made.json()["id"]), str(made.json()["secret"])


def add(base: str, world: World, lon: float, lat: float, **properties: Any) -> int:
    made = httpx.post(
        f"{base}/assets", json=asset_feature(lon, lat, **properties), headers=world.admin
    )
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def log(base: str, world: World, subscription: int) -> list[dict[str, Any]]:
    answer = httpx.get(f"{base}/subscriptions/{subscription}/deliveries", headers=world.builder)
    assert answer.status_code == 200, answer.text
    return list(answer.json())


def described(base: str, world: World, subscription: int) -> dict[str, Any]:
    answer = httpx.get(f"{base}/subscriptions/{subscription}", headers=world.builder)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def signed_by(secret: str, received: Received) -> bool:
    expected = hmac.new(secret.encode(), received.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(received.headers["X-Signature"], f"sha256={expected}")


def test_a_webhook_hears_of_each_change_in_its_area_once_signed_with_its_secret(
    world: World, receiver: Receiver
) -> None:
    with serving(world) as base:
        hook, secret = subscribe(base, world, receiver.url)
        club = add(base, world, *STRETFORD, name="Stretford lunch club")
        patched = httpx.patch(
            f"{base}/assets/{club}", json={"properties": {"cost": "Free"}}, headers=world.admin
        )
        assert patched.status_code == 200, patched.text
        assert httpx.delete(f"{base}/assets/{club}", headers=world.admin).status_code < 300
        add(base, world, *SALE, name="Sale choir")  # another neighbourhood's

        wait_for("three deliveries", lambda: len(receiver.accepted) >= 3)
        wait_for("the log to say so", lambda: described(base, world, hook)["waiting"] == 0)
        logged = log(base, world, hook)

    assert receiver.changes() == [
        ("asset.added", club, 1),
        ("asset.changed", club, 2),
        ("asset.archived", club, 3),
    ]
    assert len(receiver.sent) == 3
    for received in receiver.accepted:
        assert signed_by(secret, received)
        assert received.headers["Content-Type"] == "application/json"
        assert received.headers["X-Delivery-Id"] == str(received.payload["delivery"])
        feature = received.payload["asset"]
        assert feature["id"] == club and feature["type"] == "Feature"
        assert feature["properties"]["name"] == "Stretford lunch club"
    changed = next(r for r in receiver.accepted if r.payload["event"] == "asset.changed")
    assert changed.payload["fields"] == ["cost"]
    assert datetime.fromisoformat(changed.payload["at"]) <= datetime.now(UTC)
    assert len({r.headers["X-Delivery-Id"] for r in receiver.accepted}) == 3
    assert [(d["state"], d["status_code"], d["attempts"]) for d in logged] == [("sent", 200, 1)] * 3


def test_a_receiver_that_fails_twice_still_gets_the_change_once_it_recovers(
    world: World, receiver: Receiver
) -> None:
    receiver.answer = lambda n: 500 if n <= 2 else 200
    with serving(world) as base:
        hook, secret = subscribe(base, world, receiver.url)
        pantry = add(base, world, *STRETFORD, name="Community pantry")

        wait_for("the delivery", lambda: receiver.accepted)
        wait_for("the log", lambda: log(base, world, hook)[0]["state"] == "sent")
        [delivery] = log(base, world, hook)
        subscription = described(base, world, hook)

    assert receiver.changes() == [("asset.added", pantry, 1)]
    assert len(receiver.sent) == 3
    assert len({r.headers["X-Delivery-Id"] for r in receiver.sent}) == 1
    assert all(signed_by(secret, r) for r in receiver.sent)
    assert (delivery["attempts"], delivery["status_code"], delivery["error"]) == (3, 200, None)
    assert (subscription["failures"], subscription["paused"]) == (0, False)


def test_people_are_sent_only_as_the_public_sees_them(world: World, receiver: Receiver) -> None:
    home = (STRETFORD[0] + 0.0012, STRETFORD[1] - 0.0004)
    with serving(world) as base:
        hook, _ = subscribe(base, world, receiver.url)
        add(
            base,
            world,
            *home,
            name="Harriet's harp",
            kind="individual",
            category="skill",
            contact={"phone": "07700 900111"},
        )
        olu = add(
            base,
            world,
            *home,
            name="Olu's oud lessons",
            kind="individual",
            category="skill",
            address="34 Private Rd",
            consent={"publish": True, "given_by": "Olu"},
        )
        hall = add(base, world, *STRETFORD, name="Church hall", kind="physical")

        wait_for("two deliveries", lambda: len(receiver.accepted) >= 2)
        wait_for("the log to say so", lambda: described(base, world, hook)["waiting"] == 0)
        logged = log(base, world, hook)
    label = world.scalar(
        "SELECT ST_AsGeoJSON(label_point) FROM area WHERE code = :code", code=STRETFORD_LSOA
    )

    assert receiver.changes() == [("asset.added", olu, 1), ("asset.added", hall, 1)]
    assert len(logged) == 2
    person = next(r.payload["asset"] for r in receiver.accepted if r.payload["asset_id"] == olu)
    assert person["properties"]["address"] is None and person["properties"]["contact"] is None
    assert person["geometry"]["coordinates"] == pytest.approx(json.loads(label)["coordinates"])
    everything = b"".join(r.body for r in receiver.sent).decode()
    for secret in ("Harriet", "07700", "Private Rd", "given_by", "consent"):
        assert secret not in everything


def _import_file(path: Path, rows: list[tuple[int, str, float, float]]) -> Path:
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "name", "lon", "lat"])
        writer.writerows(rows)
    return path


def test_deliveries_wait_out_a_restart_of_the_service(
    world: World, receiver: Receiver, tmp_path: Path
) -> None:
    receiver.answer = lambda _: 503  # the receiver is down for maintenance
    with serving(world) as base:
        hook, _ = subscribe(base, world, receiver.url)
        garden = add(base, world, *STRETFORD, name="Community garden", kind="physical")
        wait_for("a first attempt", lambda: log(base, world, hook)[0]["status_code"] == 503)
    # while the service is stopped, a council's file is imported from the command line
    imported = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "import",
            "assets",
            str(_import_file(tmp_path / "groups.csv", [(1, "Walking group", *STRETFORD)])),
            "--kind",
            "association",
            "--source",
            "council",
            "--ref-field",
            "id",
            "--lon-field",
            "lon",
            "--lat-field",
            "lat",
        ],
        env=os.environ | {"DATABASE_URL": world.url},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr
    walking = world.scalar("SELECT id FROM asset WHERE name = 'Walking group'")
    waiting = world.scalar("SELECT count(*) FROM subscription_delivery WHERE state = 'pending'")
    receiver.answer = lambda _: 200

    with serving(world) as base:
        wait_for("both deliveries", lambda: len(receiver.accepted) >= 2)
        wait_for("the log to say so", lambda: described(base, world, hook)["waiting"] == 0)

    assert waiting == 2
    assert receiver.changes() == [("asset.added", garden, 1), ("asset.added", walking, 1)]


def test_two_workers_and_two_servers_never_send_one_change_twice(
    world: World, receiver: Receiver
) -> None:
    def slowly(_: int) -> int:
        time.sleep(0.005)  # a receiver's own work, so sends from the workers overlap
        return 200

    receiver.answer = slowly
    rows = "".join(
        f"{n},Group {n},{STRETFORD[0] + n * 1e-5:.6f},{STRETFORD[1]:.6f}\n" for n in range(150)
    )
    form = {"kind": "association", "source": "upload", "ref_field": "id"}
    form |= {"lon_field": "lon", "lat_field": "lat"}
    small_batches = {"ASSETMAP_SUBSCRIPTION_BATCH": "3"}
    with (
        serving(world, ASSETMAP_WORKERS="2", **small_batches) as first,
        serving(world, **small_batches) as second,
    ):
        hook, _ = subscribe(first, world, receiver.url)
        imported = httpx.post(
            f"{second}/imports",
            data=form,
            files={"file": ("groups.csv", "id,name,lon,lat\n" + rows)},
            headers=world.admin,
            timeout=60,
        )
        assert imported.status_code == 200, imported.text
        wait_for("150 deliveries", lambda: len(receiver.accepted) >= 150)
        wait_for("the log to say so", lambda: described(first, world, hook)["waiting"] == 0)

    per_change = Counter((r.payload["asset_id"], r.payload["revision"]) for r in receiver.sent)
    assert len(per_change) == 150
    assert set(per_change.values()) == {1}
    assert len(receiver.sent) == 150


def test_a_receiver_that_keeps_failing_pauses_its_subscription_until_resumed(
    world: World, receiver: Receiver
) -> None:
    receiver.answer = lambda _: 500
    with serving(world) as base:
        hook, _ = subscribe(base, world, receiver.url)
        bench = add(base, world, *STRETFORD, name="Memorial bench", kind="physical")

        paused = wait_for(
            "the pause", lambda: (found := described(base, world, hook))["paused"] and found
        )
        [failed] = log(base, world, hook)
        tries = len(receiver.sent)
        receiver.answer = lambda _: 200
        resumed = httpx.post(f"{base}/subscriptions/{hook}/resume", headers=world.builder)
        wait_for("the delivery", lambda: receiver.accepted)
        wait_for("the log", lambda: described(base, world, hook)["waiting"] == 0)
        after = described(base, world, hook)

    assert "4 failed deliveries in a row" in paused["paused_reason"]
    assert "HTTP 500" in paused["paused_reason"]
    assert (failed["state"], failed["attempts"], failed["status_code"]) == ("pending", 4, 500)
    assert tries == 4
    assert resumed.status_code == 200 and resumed.json()["paused"] is False
    assert receiver.changes() == [("asset.added", bench, 1)]
    assert len(receiver.sent) == 5
    assert (after["paused"], after["paused_reason"], after["failures"]) == (False, None, 0)


def test_the_weekly_digest_goes_out_from_the_command_line(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TestClient(create_app(DatabaseSettings(url=world.url))) as app:
        digest = app.post(
            "/subscriptions",
            json={"email_digest": True, "within": STRETFORD_LSOA},
            headers=world.builder,
        )
        assert digest.status_code == 201, digest.text
        world.run(
            "UPDATE subscription SET created_at = :at WHERE id = :id",
            at=datetime.now(UTC) - timedelta(days=8),
            id=digest.json()["id"],
        )
        app.post(
            "/assets", json=asset_feature(*STRETFORD, name="Repair cafe"), headers=world.admin
        ).raise_for_status()
    monkeypatch.setenv("DATABASE_URL", world.url)
    runner = CliRunner()
    unconfigured = runner.invoke(cli, ["subscriptions", "digest"])

    with mailbox() as box:
        monkeypatch.setenv("ASSETMAP_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("ASSETMAP_SMTP_PORT", str(box.settings.port))
        first = runner.invoke(
            cli, ["subscriptions", "digest", "--base-url", "https://maps.example.org"]
        )
        again = runner.invoke(cli, ["subscriptions", "digest"])

    assert unconfigured.exit_code == 1 and "ASSETMAP_SMTP_HOST" in unconfigured.output
    assert first.exit_code == 0, first.output
    assert "1 sent" in first.output and "0 sent" in again.output
    [message] = box.to("ann@example.org")
    body = message.get_payload(decode=True).decode()
    assert "Repair cafe" in body and "https://maps.example.org/assets/" in body
