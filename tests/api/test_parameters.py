"""What a request's parameters become before any query runs, without a database: the page
size (clamped to the maximum), the cursor of the next page, an OGC CRS and `datetime`."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.api.deps import limit_param
from app.domain import ogc
from app.domain.paging import cut_page, decode_cursor, encode_cursor
from app.errors import Problem
from app.settings import ApiSettings
from tests.io.test_spool import run

pytestmark = pytest.mark.fast

BNG_URI = "http://www.opengis.net/def/crs/EPSG/0/27700"
MAY_DAY = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def _refusal(refused: pytest.ExceptionInfo[Problem]) -> tuple[int, list[str]]:
    """The status of a refusal and the fields it names."""
    return refused.value.status, [problem.field for problem in refused.value.errors]


@pytest.mark.parametrize(("asked", "given"), [(None, 20), (7, 7), (50, 50), (1_000_000, 50)])
def test_the_page_size_is_the_default_or_as_asked_up_to_the_maximum(
    asked: int | None, given: int
) -> None:
    settings = ApiSettings(page_default=20, page_max=50)

    assert run(limit_param(settings, asked)) == given


def test_a_cursor_gives_back_the_key_it_was_made_from() -> None:
    key = (1234, "2024-05-01T10:00:00+00:00")

    token = encode_cursor(key)

    assert decode_cursor(token, [int, str]) == key
    assert set(token) <= set(string.ascii_letters + string.digits + "-_")  # fits in a URL


@pytest.mark.parametrize(
    "token", ["not-a-cursor", "", encode_cursor((1,)), encode_cursor(("a", 2))]
)
def test_any_other_cursor_is_422_naming_the_parameter(token: str) -> None:
    with pytest.raises(Problem) as refused:
        decode_cursor(token, [int, str], "after")

    assert _refusal(refused) == (422, ["after"])


def test_a_page_holds_the_limit_and_has_a_cursor_only_when_more_follow() -> None:
    # rows as fetched: a feature and its key, one more than the limit
    rows = [(f"feature {n}", n) for n in range(6)]

    page = cut_page(rows, 5)
    last = cut_page(rows[:5], 5)

    assert page.features == [f"feature {n}" for n in range(5)]
    assert page.next_cursor is not None and decode_cursor(page.next_cursor, [int]) == (4,)
    assert (last.features, last.next_cursor) == (page.features, None)


@pytest.mark.parametrize(
    ("asked", "srid"),
    [
        (None, 4326),
        (ogc.CRS84, 4326),
        ("CRS84", 4326),
        ("OGC:CRS84", 4326),
        (BNG_URI, 27700),
        ("EPSG:27700", 27700),
        ("[EPSG:27700]", 27700),
    ],
)
def test_a_crs_is_named_by_its_uri_or_its_short_form(asked: str | None, srid: int) -> None:
    assert ogc.crs_code(asked, "crs") == srid


@pytest.mark.parametrize(
    "asked",
    [
        # EPSG:4326 is latitude first: only CRS84 means lon/lat
        "EPSG:4326",
        "http://www.opengis.net/def/crs/EPSG/0/4326",
        "EPSG:3857",
        "27700",
    ],
)
def test_a_crs_not_offered_is_400_naming_the_parameter(asked: str) -> None:
    with pytest.raises(Problem) as refused:
        ogc.crs_code(asked, "bbox-crs")

    assert _refusal(refused) == (400, ["bbox-crs"])


@pytest.mark.parametrize(
    ("asked", "since", "before"),
    [
        ("2024-05-01T10:00:00Z", MAY_DAY, MAY_DAY),
        ("2024-05-01T10:00:00Z/..", MAY_DAY, None),
        ("../2024-05-01T10:00:00Z", None, MAY_DAY),
        ("2024-05-01T10:00:00Z/", MAY_DAY, None),
        # a time without a zone is UTC; one with a zone keeps it
        (
            "2024-05-01T10:00:00/2024-05-01T12:00:00+01:00",
            MAY_DAY,
            datetime(2024, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=1))),
        ),
    ],
)
def test_datetime_is_an_instant_or_an_interval_open_at_either_end(
    asked: str, since: datetime | None, before: datetime | None
) -> None:
    assert ogc.datetime_range(asked) == (since, before)


@pytest.mark.parametrize(
    "asked", ["yesterday", "2024-05-02T00:00:00Z/2024-05-01T00:00:00Z", "2024/2025/2026"]
)
def test_any_other_datetime_is_400_naming_the_parameter(asked: str) -> None:
    with pytest.raises(Problem) as refused:
        ogc.datetime_range(asked)

    assert _refusal(refused) == (400, ["datetime"])
