"""An operator lists replicas in one variable, and a client's WAL position is read the way
PostgreSQL prints it, whatever else the client sends."""

from __future__ import annotations

import pytest

from app.replicas import parse_lsn, seen_lsn
from app.settings import DatabaseSettings

pytestmark = pytest.mark.fast


def test_replicas_are_listed_comma_separated_as_libpq_tools_print_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "ASSETMAP_DATABASE_READ_URLS",
        "postgresql://reader:pw@replica-1:5432/assetmap, postgres://reader:pw@replica-2/assetmap",
    )

    assert DatabaseSettings().read_urls == [
        "postgresql+psycopg://reader:pw@replica-1:5432/assetmap",
        "postgresql+psycopg://reader:pw@replica-2/assetmap",
    ]


def test_no_replicas_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSETMAP_DATABASE_READ_URLS", raising=False)
    monkeypatch.delenv("ASSETMAP_DB_READ_URLS", raising=False)

    assert DatabaseSettings().read_urls == []


@pytest.mark.parametrize(
    ("printed", "number"),
    [
        ("0/0", 0),
        ("0/4000000", 0x4000000),
        ("16/B374D848", (0x16 << 32) + 0xB374D848),
        ("FFFFFFFF/FFFFFFFF", 2**64 - 1),
    ],
)
def test_a_wal_position_reads_as_postgresql_prints_it(printed: str, number: int) -> None:
    assert parse_lsn(printed) == number


@pytest.mark.parametrize("garbage", ["", "16", "/1", "1/", "G/1", "1/2/3", "123456789/0", "-1/0"])
def test_anything_else_is_no_position(garbage: str) -> None:
    assert parse_lsn(garbage) is None


def test_the_newest_position_the_client_carries_counts() -> None:
    headers = [
        (b"cookie", b'theme="dark; broken; assetmap_lsn=0/5000000; other=1'),
        (b"assetmap-lsn", b"0/3000000"),
    ]

    assert seen_lsn(headers) == 0x5000000


def test_a_client_carrying_nothing_usable_has_seen_nothing() -> None:
    headers = [(b"cookie", b"assetmap_lsn=nonsense"), (b"assetmap-lsn", b"zz/zz")]

    assert seen_lsn(headers) is None
