"""Whatever a visitor or an admin sends, inside what `/openapi.json` describes or just outside
it, the API answers without a server error, with a status code the description declares for
the operation, in the content type and the shape it declares for that status.

Schemathesis generates the requests from the description the app serves. Each is sent
through FastAPI's test client to the app on the demo locality (Trafford), on the test's
rolled-back transaction and in a savepoint of its own, rolled back after it: an admin's
writes neither last nor change what the next request finds. Every operation runs twice,
anonymously and signed in as an admin (an API token). The run is bounded and repeatable: the
examples the description gives, then a fixed number of generated requests per operation
(schema-conforming and not), derandomised, with no shrinking and no example database.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from schemathesis import Case, GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from app.main import create_app
from tests.conftest import api_token

# 38 operations, each anonymously and as an admin, make some 600 requests: well under two
# minutes on two cores.
GENERATED_PER_OPERATION = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
BASE_URL = "http://testserver"
ADMIN = "schemathesis.admin@example.org"


def served_description() -> dict[str, Any]:
    """`/openapi.json` as the app serves it (serving it needs no database)."""
    response = TestClient(create_app()).get("/openapi.json")
    response.raise_for_status()
    description: dict[str, Any] = response.json()
    return description


DESCRIPTION = served_description()
schema = schemathesis.openapi.from_dict(DESCRIPTION)
schema.config.phases.update(phases=["examples", "fuzzing"])
schema.config.generation.update(
    modes=list(GenerationMode),
    max_examples=GENERATED_PER_OPERATION,
    deterministic=True,
    database="none",
    # anonymous means no Authorization header at all; the admin's comes from `visitor`
    with_security_parameters=False,
)


@pytest.fixture(params=["anonymous", "admin"])
def visitor(request: pytest.FixtureRequest, demo_session: Session) -> dict[str, str]:
    """The headers of who asks: nobody, or an admin with an API token."""
    if request.param == "anonymous":
        return {}
    token = api_token(demo_session, ADMIN, "admin")
    demo_session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def app_client(demo_client: TestClient) -> Iterator[TestClient]:
    """The app of `demo_client` (the demo locality, on the test's transaction) through a test
    client that adds no credentials of its own and answers a server error with the 500 a
    client would get, rather than raising it. An operation that sent nothing fails."""
    sent: list[httpx.Request] = []
    client = TestClient(demo_client.app, raise_server_exceptions=False)
    client.event_hooks = {"request": [sent.append]}
    yield client
    assert sent, "no request was sent: the operation went untested"


def send(client: TestClient, case: Case, headers: dict[str, str]) -> httpx.Response:
    """Send `case` byte for byte as schemathesis serialises it (path, query, headers, and a
    JSON, form or multipart body), with `headers` added, through `client`."""
    kwargs = case.as_transport_kwargs(base_url=BASE_URL, headers=headers)
    kwargs.pop("auth", None)
    prepared = requests.Request(**kwargs).prepare()
    body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
    return client.request(
        prepared.method or case.method,
        prepared.url or BASE_URL,
        headers={
            name: value if isinstance(value, bytes) else value.encode("latin-1")
            for name, value in prepared.headers.items()
        },
        content=body,
    )


@pytest.mark.fast
def test_every_documented_operation_is_exercised() -> None:
    documented = {
        (method.upper(), path)
        for path, operations in DESCRIPTION["paths"].items()
        for method in operations
    }
    exercised = {
        (result.ok().method.upper(), result.ok().path) for result in schema.get_all_operations()
    }

    assert documented
    assert exercised == documented


@schema.parametrize()
# The fixtures (the test's transaction, its client, its admin) are shared by its requests on
# purpose: each request runs in a savepoint of its own. Shrinking is left out, and so is a
# health check that times the machine.
@settings(
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_answers_as_its_description_says(
    case: Case, app_client: TestClient, visitor: dict[str, str], demo_connection: Connection
) -> None:
    request = demo_connection.begin_nested()
    try:
        response = send(app_client, case, visitor)
    finally:
        request.rollback()

    case.validate_response(response, checks=CHECKS, headers=dict(response.request.headers))
