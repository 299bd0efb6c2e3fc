"""A community builder knows a postcode and asks where it is: `GET /postcodes/{postcode}`
answers from the offline lookup, in any case and spacing, with its neighbourhood (LSOA) and
the ward that holds it; a postcode the lookup lacks, or something that is no postcode, says
so in the one problem shape."""

from __future__ import annotations

import csv
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import data_path


def _directory(postcode: str) -> dict[str, Any]:
    """The ONS Postcode Directory extract's row for `postcode`: the figures to expect."""
    with data_path("postcodes.csv").open(newline="", encoding="utf-8") as rows:
        return next(row for row in csv.DictReader(rows) if row["postcode"] == postcode)


@pytest.mark.parametrize("typed", ["M32 0JT", "m32 0jt", "m320jt", " M32  0JT "])
def test_a_postcode_in_any_case_and_spacing_is_found_with_its_neighbourhood_and_ward(
    demo_client: TestClient, typed: str
) -> None:
    expected = _directory("M32 0JT")

    found = demo_client.get(f"/postcodes/{typed}")

    assert found.status_code == 200, found.text
    assert found.json() == {
        "postcode": "M32 0JT",
        "lon": float(expected["lon"]),
        "lat": float(expected["lat"]),
        "lsoa_code": expected["lsoa_code"],
        "lsoa_name": expected["lsoa_name"],
        "ward_code": expected["ward_code"],
        "ward_name": expected["ward_name"],
    }


def test_a_neighbourhood_the_service_does_not_hold_comes_without_a_name_or_ward(
    demo_client: TestClient,
) -> None:
    # the directory places M15 4AB in a 2021 LSOA; the demo holds the 2011 ones
    expected = _directory("M15 4AB")

    found = demo_client.get("/postcodes/M15 4AB").json()

    assert (found["lon"], found["lat"]) == (float(expected["lon"]), float(expected["lat"]))
    assert found["lsoa_code"] == expected["lsoa_code"] == "E01034001"
    assert (found["lsoa_name"], found["ward_code"], found["ward_name"]) == (None, None, None)


def test_a_postcode_the_lookup_lacks_is_a_404_naming_it_normalised(
    demo_client: TestClient,
) -> None:
    missing = demo_client.get("/postcodes/m32 9zz")

    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["detail"] == "postcode M32 9ZZ not found in the lookup"


@pytest.mark.parametrize("typed", ["Stretford", "M32", "12345", "M32 0JTX"])
def test_what_is_no_postcode_is_a_422_naming_postcode(demo_client: TestClient, typed: str) -> None:
    refused = demo_client.get(f"/postcodes/{typed}")

    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert [problem["field"] for problem in refused.json()["errors"]] == ["postcode"]
