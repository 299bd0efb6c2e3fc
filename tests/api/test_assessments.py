"""Trafford's partnership asks itself how asset-based its commissioning is: each
constituency scores the six characteristics, combined with equal weight; the lowest is the
next area for development, and a second assessment shows what changed."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import bearer

TRAFFORD = "E08000009"
RESIDENTS, PRACTITIONERS = "Residents and community members", "Practitioners and commissioners"
SIX = [
    "whole_life_outcomes",
    "co_produced_outcomes",
    "equal_say",
    "shared_expertise",
    "devolved_processes",
    "reshaping_assets",
]


@pytest.fixture
def runner(demo_session: Session) -> dict[str, str]:
    return bearer(demo_session, "as@example.org", "moderator", (TRAFFORD,))


def _start(demo_client: TestClient, runner: dict[str, str], title: str) -> dict[str, Any]:
    made = demo_client.post("/assessments", json={"area": TRAFFORD, "title": title}, headers=runner)
    assert made.status_code == 201, made.text
    return dict(made.json())


def _invites(
    demo_client: TestClient, runner: dict[str, str], made: dict[str, Any], group: str, n: int
) -> list[dict[str, str]]:
    answer = demo_client.post(
        f"/assessments/{made['assessment']}/invites",
        json={"constituency": group, "count": n},
        headers=runner,
    )
    assert answer.status_code == 201, answer.text
    return [{"Authorization": f"Bearer {i['code']}"} for i in answer.json()["invites"]]


def _respond(
    demo_client: TestClient,
    made: dict[str, Any],
    who: dict[str, str],
    scores: list[int],
    **more: Any,
) -> Any:
    body = {"scores": {slug: {"score": s} for slug, s in zip(SIX, scores, strict=True)}} | more
    return demo_client.anonymous.post(
        f"/assessments/{made['assessment']}/response", json=body, headers=who
    )


def test_each_constituency_scores_and_the_lowest_combined_is_next(
    demo_client: TestClient, runner: dict[str, str]
) -> None:
    made = _start(demo_client, runner, "Winter 2026")
    residents = _invites(demo_client, runner, made, RESIDENTS, 4)
    (practitioner,) = _invites(demo_client, runner, made, PRACTITIONERS, 1)
    # four residents: equal say scored 1, 1, 2, 2 (mean 1.5); everything else 4
    for n, who in enumerate(residents):
        scores = [4, 4, 1 if n < 2 else 2, 4, 4, 4]
        assert _respond(demo_client, made, who, scores).status_code == 201
    # one practitioner: equal say 5, devolved processes 1, the rest 3
    answered = _respond(
        demo_client,
        made,
        practitioner,
        [3, 3, 5, 3, 1, 3],
        value_answer="People stay well for longer",
        next_answer="Fast, local grants",
    )
    assert answered.status_code == 201

    results = demo_client.get(f"/assessments/{made['assessment']}").json()

    by_group = {c["constituency"]: c for c in results["constituencies"]}
    assert by_group[RESIDENTS]["scores"]["equal_say"] == 1.5
    assert by_group[RESIDENTS]["responses"] == 4
    assert by_group[PRACTITIONERS]["scores"]["devolved_processes"] == 1
    # combined: the mean of the two groups, whatever their turnout
    # equal_say (1.5 + 5)/2 = 3.25; devolved_processes (4 + 1)/2 = 2.5; others (4 + 3)/2 = 3.5
    assert results["combined"] == {
        "whole_life_outcomes": 3.5,
        "co_produced_outcomes": 3.5,
        "equal_say": 3.25,
        "shared_expertise": 3.5,
        "devolved_processes": 2.5,
        "reshaping_assets": 3.5,
    }
    assert results["next_area"]["slug"] == "devolved_processes"
    assert by_group[PRACTITIONERS]["next_answers"] == ["Fast, local grants"]
    assert [c["slug"] for c in results["characteristics"]] == SIX


def test_a_response_is_checked_changed_once_and_closed(
    demo_client: TestClient, runner: dict[str, str]
) -> None:
    made = _start(demo_client, runner, "Spring 2027")
    (me,) = _invites(demo_client, runner, made, RESIDENTS, 1)
    at = f"/assessments/{made['assessment']}"

    before = demo_client.anonymous.get(f"{at}/response", headers=me).json()
    missing = demo_client.anonymous.post(
        f"{at}/response", json={"scores": {"equal_say": {"score": 3}}}, headers=me
    )
    too_high = _respond(demo_client, made, me, [6, 3, 3, 3, 3, 3])
    first = _respond(demo_client, made, me, [3, 3, 3, 3, 3, 3])
    again = _respond(demo_client, made, me, [1, 1, 1, 1, 1, 1])
    changed = demo_client.anonymous.put(
        f"{at}/response",
        json={"scores": {slug: {"score": 2} for slug in SIX}},
        headers=me,
    )
    mine = demo_client.anonymous.get(f"{at}/response", headers=me).json()
    demo_client.post(f"{at}/close", headers=runner).raise_for_status()
    late = demo_client.anonymous.put(
        f"{at}/response", json={"scores": {slug: {"score": 5} for slug in SIX}}, headers=me
    )

    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"].startswith("scores.")
    assert too_high.status_code == 422
    assert first.status_code == 201 and again.status_code == 403
    assert changed.status_code == 200
    assert (before["responded"], before["constituency"]) == (False, RESIDENTS)
    assert mine["responded"] and mine["scores"]["equal_say"] == {"score": 2, "comment": None}
    assert late.status_code == 409
    final = demo_client.get(at).json()
    assert final["combined"]["equal_say"] == 2  # one constituency responded: its scores


def test_repeated_assessments_show_the_change(
    demo_client: TestClient, runner: dict[str, str]
) -> None:
    for title, residents, practitioners in (
        ("2026", [2, 2, 2, 2, 2, 2], [3, 3, 3, 3, 3, 3]),
        ("2027", [3, 4, 2, 2, 2, 5], [3, 3, 4, 3, 3, 3]),
    ):
        made = _start(demo_client, runner, title)
        for group, scores in ((RESIDENTS, residents), (PRACTITIONERS, practitioners)):
            (who,) = _invites(demo_client, runner, made, group, 1)
            assert _respond(demo_client, made, who, scores).status_code == 201

    series = demo_client.get(f"/assessments?area={TRAFFORD}").json()["assessments"]

    assert [point["title"] for point in series] == ["2026", "2027"]
    assert series[0]["change"] is None
    assert series[1]["change"] == {
        "whole_life_outcomes": 0.5,
        "co_produced_outcomes": 1.0,
        "equal_say": 0.5,
        "shared_expertise": 0.0,
        "devolved_processes": 0.0,
        "reshaping_assets": 1.5,
    }
    assert series[1]["next_area"]["slug"] == "shared_expertise"  # 2.5, first of the lowest
