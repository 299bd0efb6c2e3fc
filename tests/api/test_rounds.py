"""Decision rounds in Trafford: residents and practitioners rank, approve or share points
among the options, each constituency with an equal say whatever its turnout; the results
beside a head count, the frozen record, and the anonymised ballots."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import shape
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import bearer

TRAFFORD, LSOA = "E08000009", "E01006108"
RESIDENTS, PRACTITIONERS = "Residents and community members", "Practitioners and commissioners"


def _when(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


@pytest.fixture
def runner(demo_session: Session) -> dict[str, str]:
    return bearer(demo_session, "ro@example.org", "moderator", (TRAFFORD,))


def _far_from_a_gp(demo_client: TestClient) -> tuple[float, float]:
    """A point inside the neighbourhood the gap analysis puts first for GP practices."""
    first = demo_client.get(f"/gaps?within={TRAFFORD}&category=gp-practice").json()["areas"][0]
    area = demo_client.get(f"/areas/{first['code']}").json()
    inside = shape(area["geometry"]).representative_point()
    return round(inside.x, 6), round(inside.y, 6)


def _options(demo_client: TestClient) -> list[dict[str, Any]]:
    lon, lat = _far_from_a_gp(demo_client)
    innovation = demo_client.post(
        "/innovations",
        json={"name": "Social prescribing", "areas": [LSOA], "levers": ["brokering"]},
    )
    assert innovation.status_code == 201, innovation.text
    return [
        {"kind": "gap", "area": LSOA, "category": "gp-practice"},
        {"kind": "site", "lon": lon, "lat": lat, "category": "gp-practice"},
        {"kind": "innovation", "innovation": innovation.json()["id"]},
        {"kind": "free", "title": "A youth club in Partington"},
    ]


def _round(
    demo_client: TestClient, runner: dict[str, str], method: str = "borda", **more: Any
) -> dict[str, Any]:
    body = {
        "area": TRAFFORD,
        "question": "Which gaps do we act on first this year?",
        "method": method,
        "opens_at": _when(-1),
        "closes_at": _when(24),
        "options": _options(demo_client),
    } | more
    made = demo_client.post("/rounds", json=body, headers=runner)
    assert made.status_code == 201, made.text
    return dict(made.json())


def _invites(
    demo_client: TestClient, runner: dict[str, str], made: dict[str, Any], group: str, n: int
) -> list[dict[str, str]]:
    answer = demo_client.post(
        f"/rounds/{made['id']}/invites", json={"constituency": group, "count": n}, headers=runner
    )
    assert answer.status_code == 201, answer.text
    return [{"Authorization": f"Bearer {i['code']}"} for i in answer.json()["invites"]]


def _vote(demo_client: TestClient, made: dict[str, Any], who: dict[str, str], **ballot: Any) -> Any:
    return demo_client.anonymous.post(f"/rounds/{made['id']}/ballot", json=ballot, headers=who)


def test_thirty_residents_and_five_practitioners_weigh_the_same(
    demo_client: TestClient, runner: dict[str, str]
) -> None:
    made = _round(demo_client, runner)
    a, b, c, d = (option["id"] for option in made["options"])
    residents = _invites(demo_client, runner, made, RESIDENTS, 30)
    practitioners = _invites(demo_client, runner, made, PRACTITIONERS, 5)
    # residents: 20 rank A > B > C > D, 10 rank A > C > B > D; practitioners: all C > B > D > A
    for n, who in enumerate(residents):
        ranking = [a, b, c, d] if n < 20 else [a, c, b, d]
        assert _vote(demo_client, made, who, ranking=ranking).status_code == 201
    for who in practitioners:
        assert _vote(demo_client, made, who, ranking=[c, b, d, a]).status_code == 201
    demo_client.post(f"/rounds/{made['id']}/close", headers=runner).raise_for_status()

    results = demo_client.anonymous.get(f"/rounds/{made['id']}/results").json()

    # Borda with four options: first 3, second 2, third 1, last 0.
    # Residents: A 30*3 = 90; B 20*2 + 10*1 = 50; C 20*1 + 10*2 = 40; D 0; of 180.
    # Practitioners: C 5*3 = 15; B 5*2 = 10; D 5*1 = 5; A 0; of 30.
    residents_shares = {a: Fraction(90, 180), b: Fraction(50, 180), c: Fraction(40, 180), d: 0}
    practitioners_shares = {a: 0, b: Fraction(10, 30), c: Fraction(15, 30), d: Fraction(5, 30)}
    # Equal weight: the mean of the two groups' shares. A 1/4, B 11/36, C 13/36, D 1/12.
    combined = {o: (residents_shares[o] + practitioners_shares[o]) / 2 for o in (a, b, c, d)}
    assert combined == {
        a: Fraction(1, 4),
        b: Fraction(11, 36),
        c: Fraction(13, 36),
        d: Fraction(1, 12),
    }
    # A head count pools the 35 ballots: A 90, B 60, C 55, D 5, of 210.
    head = {a: Fraction(90, 210), b: Fraction(60, 210), c: Fraction(55, 210), d: Fraction(5, 210)}

    def shares(rows: list[dict[str, Any]]) -> dict[int, float]:
        return {row["option"]: row["share"] for row in rows}

    def order(rows: list[dict[str, Any]]) -> list[int]:
        return [row["option"] for row in sorted(rows, key=lambda row: row["rank"])]

    by_group = {g["constituency"]: g for g in results["constituencies"]}
    for group, expected in ((RESIDENTS, residents_shares), (PRACTITIONERS, practitioners_shares)):
        assert shares(by_group[group]["results"]) == pytest.approx(
            {o: float(v) for o, v in expected.items()}, abs=1e-6
        )
    assert {r["option"]: r["score"] for r in by_group[RESIDENTS]["results"]} == {
        a: 90,
        b: 50,
        c: 40,
        d: 0,
    }
    assert shares(results["combined"]) == pytest.approx(
        {o: float(v) for o, v in combined.items()}, abs=1e-6
    )
    assert order(results["combined"]) == [c, b, a, d]
    assert shares(results["head_count"]) == pytest.approx(
        {o: float(v) for o, v in head.items()}, abs=1e-6
    )
    assert order(results["head_count"]) == [a, b, c, d]
    assert results["winner"] == {"equal_weight": c, "head_count": a, "differ": True}
    assert [(t["constituency"], t["invites"], t["ballots"]) for t in results["turnout"]] == [
        (RESIDENTS, 30, 30),
        (PRACTITIONERS, 5, 5),
    ]
    # they disagree most on A (first for residents, last for practitioners)
    spread = {entry["option"]: entry["spread"] for entry in results["agreement"]["options"]}
    assert spread[a] == 3 and spread[b] == 0
    assert results["agreement"]["pairs"][0]["kendall_tau"] < 0
    assert "n - r" in results["method"]["formula"] and "mean" in results["method"]["equal_weight"]


def test_approval_and_points_and_a_tie_broken_as_stated(
    demo_client: TestClient, runner: dict[str, str]
) -> None:
    approval = _round(demo_client, runner, "approval")
    a, b, *_ = (option["id"] for option in approval["options"])
    for who, approve in zip(
        _invites(demo_client, runner, approval, RESIDENTS, 2), ([a, b], [b]), strict=True
    ):
        assert _vote(demo_client, approval, who, approve=approve).status_code == 201
    (practitioner,) = _invites(demo_client, runner, approval, PRACTITIONERS, 1)
    assert _vote(demo_client, approval, practitioner, approve=[a]).status_code == 201
    demo_client.post(f"/rounds/{approval['id']}/close", headers=runner).raise_for_status()
    approved = demo_client.get(f"/rounds/{approval['id']}/results").json()

    # residents: A 1, B 2 of 3 approvals; practitioners: A 1 of 1.
    # combined: A (1/3 + 1)/2 = 2/3, B (2/3 + 0)/2 = 1/3; head count: A 2, B 2 of 4 (a tie)
    assert {r["option"]: r["share"] for r in approved["combined"]}[a] == pytest.approx(2 / 3)
    assert [r["option"] for r in approved["head_count"]][:2] == [a, b]  # tie: listed first
    assert "place in the list" in approved["method"]["ties"]

    points = _round(demo_client, runner, "points", points_total=100)
    p = [option["id"] for option in points["options"]]
    (resident,) = _invites(demo_client, runner, points, RESIDENTS, 1)
    (other,) = _invites(demo_client, runner, points, PRACTITIONERS, 1)
    too_many = _vote(demo_client, points, resident, points={str(p[0]): 80, str(p[1]): 30})
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "points"
    assert (
        _vote(demo_client, points, resident, points={str(p[0]): 60, str(p[1]): 40}).status_code
        == 201
    )
    assert _vote(demo_client, points, other, points={str(p[1]): 100}).status_code == 201
    demo_client.post(f"/rounds/{points['id']}/close", headers=runner).raise_for_status()
    shared = demo_client.get(f"/rounds/{points['id']}/results").json()
    # A (0.6 + 0)/2 = 0.3; B (0.4 + 1)/2 = 0.7
    assert {r["option"]: r["share"] for r in shared["combined"]} == pytest.approx(
        {p[0]: 0.3, p[1]: 0.7, p[2]: 0.0, p[3]: 0.0}
    )


def test_a_ballot_is_checked_changed_and_cast_once(
    demo_client: TestClient, runner: dict[str, str], demo_session: Session
) -> None:
    made = _round(demo_client, runner)
    a, b, c, d = (option["id"] for option in made["options"])
    (me,) = _invites(demo_client, runner, made, RESIDENTS, 1)
    base = f"/rounds/{made['id']}"

    not_yet = demo_client.anonymous.get(f"{base}/ballot", headers=me).json()
    twice = _vote(demo_client, made, me, ranking=[a, a, b])
    unknown = _vote(demo_client, made, me, ranking=[a, 999999])
    wrong_kind = _vote(demo_client, made, me, approve=[a])
    first = _vote(demo_client, made, me, ranking=[a, b, c, d])
    again = _vote(demo_client, made, me, ranking=[d, c, b, a])
    changed = demo_client.anonymous.put(f"{base}/ballot", json={"ranking": [d, c]}, headers=me)
    mine = demo_client.anonymous.get(f"{base}/ballot", headers=me).json()
    stranger = _vote(demo_client, made, {"Authorization": "Bearer inv_not-a-code"}, ranking=[a])

    assert twice.status_code == 422 and twice.json()["errors"][0]["field"] == "ranking[1]"
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "ranking[1]"
    assert wrong_kind.status_code == 422 and wrong_kind.json()["errors"][0]["field"] == "approve"
    assert first.status_code == 201
    assert (not_yet["cast"], not_yet["constituency"]) == (False, RESIDENTS)
    assert again.status_code == 403  # used: change it instead
    assert changed.status_code == 200
    assert (mine["ranking"], mine["changes"], mine["constituency"]) == ([d, c], 1, RESIDENTS)
    assert stranger.status_code == 403
    assert (
        demo_session.scalar(
            text("SELECT count(*) FROM ballot WHERE round_id = :r"), {"r": made["id"]}
        )
        == 1
    )


def test_a_round_takes_ballots_only_while_open_and_its_own_invites(
    demo_client: TestClient, runner: dict[str, str]
) -> None:
    later = _round(demo_client, runner, opens_at=_when(2), closes_at=_when(5))
    now = _round(demo_client, runner)
    (early,) = _invites(demo_client, runner, later, RESIDENTS, 1)
    (mine,) = _invites(demo_client, runner, now, RESIDENTS, 1)
    first = now["options"][0]["id"]

    assert _vote(demo_client, later, early, ranking=[later["options"][0]["id"]]).status_code == 409
    assert _vote(demo_client, later, mine, ranking=[first]).status_code == 403  # another's
    assert demo_client.anonymous.get(f"/rounds/{now['id']}/results").status_code == 403
    assert demo_client.get(f"/rounds/{now['id']}/results", headers=runner).status_code == 200
    assert demo_client.get(f"/rounds/{now['id']}/record").status_code == 409
    demo_client.post(f"/rounds/{now['id']}/close", headers=runner).raise_for_status()
    assert _vote(demo_client, now, mine, ranking=[first]).status_code == 409
    assert demo_client.post(f"/rounds/{now['id']}/close", headers=runner).status_code == 409


def test_a_round_needs_two_constituencies_and_two_options_and_real_evidence(
    demo_client: TestClient, runner: dict[str, str], demo_session: Session
) -> None:
    body = {
        "area": TRAFFORD,
        "question": "What first?",
        "opens_at": _when(-1),
        "closes_at": _when(1),
        "options": [{"kind": "free", "title": "One"}, {"kind": "free", "title": "Two"}],
    }
    contributor = bearer(demo_session, "co@example.org", "contributor")
    for change, field in (
        ({"constituencies": ["Only us"]}, "constituencies"),
        ({"options": [{"kind": "free", "title": "One"}]}, "options"),
        ({"closes_at": _when(-2)}, "closes_at"),
        (
            {
                "options": [
                    {"kind": "gap", "area": LSOA, "category": "nope"},
                    {"kind": "free", "title": "x"},
                ]
            },
            "options[0].category",
        ),
        (
            {
                "options": [
                    {"kind": "gap", "area": "E01099999", "category": "gp-practice"},
                    {"kind": "free", "title": "x"},
                ]
            },
            "options[0].area",
        ),
        (
            {
                "options": [
                    {"kind": "innovation", "innovation": 999999},
                    {"kind": "free", "title": "x"},
                ]
            },
            "options[0].innovation",
        ),
    ):
        refused = demo_client.post("/rounds", json=body | change, headers=runner)
        assert refused.status_code == 422, (change, refused.text)
        assert field in [e["field"] for e in refused.json()["errors"]], refused.json()
    assert demo_client.post("/rounds", json=body, headers=contributor).status_code == 403


def test_the_options_carry_their_evidence_from_the_analyses(
    demo_client: TestClient, runner: dict[str, str]
) -> None:
    made = _round(demo_client, runner)
    gap, site, innovation, free = made["options"]
    gaps = demo_client.get(f"/gaps?within={TRAFFORD}&category=gp-practice").json()
    row = next(area for area in gaps["areas"] if area["code"] == LSOA)

    assert gap["evidence"]["imd_decile"] == row["imd_decile"]
    assert gap["evidence"]["need"] == row["need"]
    assert gap["evidence"]["people_uncovered"] == pytest.approx(
        row["population"] - row["population_covered"]
    )
    assert gap["title"].endswith(row["name"])
    suggested = demo_client.post(
        "/gaps/suggestions",
        json={
            "within": TRAFFORD,
            "category": "gp-practice",
            "k": 1,
            "candidates": [[site["lon"], site["lat"]]],
        },
    ).json()
    assert site["evidence"]["newly_covered_people"] == suggested["sites"][0]["newly_covered_people"]
    assert site["evidence"]["newly_covered_people"] > 0
    assert (site["lon"], site["lat"]) == _far_from_a_gp(demo_client)
    assert innovation["evidence"]["innovation"]["name"] == "Social prescribing"
    assert innovation["title"] == "Spread Social prescribing"
    assert free["evidence"] == {}


def test_the_record_is_frozen_and_the_audit_file_names_no_one(
    demo_client: TestClient, runner: dict[str, str], demo_session: Session
) -> None:
    made = _round(demo_client, runner)
    ids = [option["id"] for option in made["options"]]
    for who in _invites(demo_client, runner, made, RESIDENTS, 3):
        _vote(demo_client, made, who, ranking=ids)
    (practitioner,) = _invites(demo_client, runner, made, PRACTITIONERS, 1)
    _vote(demo_client, made, practitioner, ranking=ids[::-1])
    demo_client.anonymous.post(
        f"/rounds/{made['id']}/options/{ids[0]}/comments",
        json={"body": "Our surgery is two buses away"},
        headers=practitioner,
    )
    closed = demo_client.post(f"/rounds/{made['id']}/close", headers=runner).json()
    # the assets and the innovation behind the evidence change afterwards
    innovation = made["options"][2]["innovation"]
    demo_session.execute(
        text("UPDATE innovation SET name = 'Renamed' WHERE id = :id"), {"id": innovation}
    )
    demo_session.execute(text("DELETE FROM asset WHERE id IN (SELECT id FROM asset LIMIT 20)"))

    record = demo_client.anonymous.get(f"/rounds/{made['id']}/record").json()
    audit = demo_client.anonymous.get(f"/rounds/{made['id']}/ballots.csv")
    rows = list(csv.DictReader(io.StringIO(audit.text)))
    comments = demo_client.anonymous.get(f"/rounds/{made['id']}/comments").json()

    assert record == closed
    assert record["options"][2]["evidence"]["innovation"]["name"] == "Social prescribing"
    assert record["ran_by"] == "ro@example.org"
    assert record["results"]["turnout"][0]["ballots"] == 3
    with pytest.raises(Exception, match="frozen"), demo_session.begin_nested():
        demo_session.execute(text("UPDATE round_record SET record = '{}'"))
    assert len(rows) == 4
    assert set(rows[0]) == {"ballot", "constituency", *(f"option_{i}" for i in ids)}
    assert sorted(row["constituency"] for row in rows) == [PRACTITIONERS] + [RESIDENTS] * 3
    practitioners = next(
        c for c in comments[0]["by_constituency"] if c["constituency"] == PRACTITIONERS
    )
    assert [c["body"] for c in practitioners["comments"]] == ["Our surgery is two buses away"]
