"""SQL injection attempts in every filter parameter are refused (4xx) and change nothing.

Every query binds its parameters, so none of these can run; each structured parameter (a
number, a date, a code, a slug) refuses them as malformed. `q` is free text, so there they
are searched for as words: they match nothing and run nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import asset_feature, load_trafford_lsoas

ATTEMPTS = (
    "'; DROP TABLE asset; --",
    "1) OR (1=1",
    "x' OR '1'='1",
    "1; UPDATE asset SET name = 'pwned'",
    "$$; DELETE FROM asset; $$",
    "E01006108' UNION SELECT password_hash FROM app_user --",
)

# (path, parameter, other parameters the path needs)
PARAMETERS: list[tuple[str, str, dict[str, str]]] = [
    ("/assets", "bbox", {}),
    ("/assets", "near", {}),
    ("/assets", "within_m", {"near": "-2.3,53.45"}),
    ("/assets", "kind", {}),
    ("/assets", "category", {}),
    ("/assets", "outcome", {}),
    ("/assets", "status", {}),
    ("/assets", "updated_since", {}),
    ("/assets", "stale_after", {}),
    ("/assets", "after", {}),
    ("/assets", "limit", {}),
    ("/areas", "level", {}),
    ("/areas", "parent", {}),
    ("/areas", "bbox", {}),
    ("/exports/assets.csv", "bbox", {}),
    ("/exports/assets.csv", "kind", {}),
    ("/exports/assets.csv", "category", {}),
    ("/exports/assets.csv", "updated_since", {}),
    ("/exports/areas.csv", "parent", {}),
    ("/exports/areas.csv", "level", {}),
    ("/ogc/collections/assets/items", "bbox", {}),
    ("/ogc/collections/assets/items", "bbox-crs", {}),
    ("/ogc/collections/assets/items", "crs", {}),
    ("/ogc/collections/assets/items", "datetime", {}),
    ("/ogc/collections/assets/items", "limit", {}),
    ("/ogc/collections/assets/items", "kind", {}),
    ("/ogc/collections/assets/items", "category", {}),
    ("/ogc/collections/areas/items", "parent", {}),
    ("/ogc/collections/areas/items", "level", {}),
    ("/gaps", "within", {}),
    ("/gaps", "level", {"within": "E01006108"}),
    ("/gaps", "category", {"within": "E01006108"}),
    ("/gaps", "distance_m", {"within": "E01006108"}),
    ("/gaps", "demand", {"within": "E01006108"}),
    ("/gaps", "decay", {"within": "E01006108"}),
    ("/gaps", "sigma_m", {"within": "E01006108", "decay": "gaussian"}),
    ("/gaps", "f", {"within": "E01006108"}),
    ("/moderation/queue", "stale_after", {}),
    ("/moderation/queue", "limit", {}),
]
PATHS = [
    "/assets/{}",
    "/areas/{}",
    "/areas/{}/assets",
    "/maps/{}",
    "/ogc/collections/{}/items",
    "/ogc/collections/assets/items/{}",
    "/ogc/collections/assets/tiles/WebMercatorQuad/{}/0/0",
]


@pytest.fixture
def guarded(client: TestClient, session: Session) -> dict[str, Any]:
    """Some rows for an attack to change, and a way to see that none did."""
    load_trafford_lsoas(session, ["E01006108"])
    client.post("/assets", json=asset_feature(-2.3, 53.45, name="Library")).raise_for_status()
    return {"before": _state(session)}


def _state(session: Session) -> list[Any]:
    return [
        session.execute(text("SELECT count(*), string_agg(name, ',') FROM asset")).one(),
        session.execute(text("SELECT count(*) FROM area")).one(),
        session.execute(text("SELECT count(*) FROM app_user")).one(),
    ]


@pytest.mark.parametrize(("path", "name", "others"), PARAMETERS)
def test_injection_in_a_filter_is_refused(
    client: TestClient,
    session: Session,
    guarded: dict[str, Any],
    path: str,
    name: str,
    others: dict[str, str],
) -> None:
    for attempt in ATTEMPTS:
        response = client.get(path, params=others | {name: attempt})

        assert 400 <= response.status_code < 500, (attempt, response.text[:200])
        assert "$argon2" not in response.text  # no password hash came back
    assert _state(session) == guarded["before"]


@pytest.mark.parametrize("path", PATHS)
def test_injection_in_a_path_is_refused(
    client: TestClient, session: Session, guarded: dict[str, Any], path: str
) -> None:
    for attempt in ATTEMPTS:
        response = client.get(path.format(attempt.replace("/", "%2F")))

        assert 400 <= response.status_code < 500, (attempt, response.text[:200])
    assert _state(session) == guarded["before"]


@pytest.mark.parametrize(
    "path", ["/assets", "/exports/assets.csv", "/ogc/collections/assets/items"]
)
def test_injection_in_free_text_is_only_searched_for(
    client: TestClient, session: Session, guarded: dict[str, Any], path: str
) -> None:
    for attempt in ATTEMPTS:
        response = client.get(path, params={"q": attempt})

        assert response.status_code == 200
        assert "Library" not in response.text
    assert "Library" in client.get(path, params={"q": "library"}).text
    assert _state(session) == guarded["before"]
