"""An analyst sends Trafford's travel times to the API: `POST /gaps` takes the matrix as a
form's file, the file itself or JSON rows and answers as `GET /gaps` does; bad rows are
refused naming row and column; an unpublished asset is unknown; where next takes them too."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.main import create_app
from app.settings import AnalysisSettings, DatabaseSettings
from tests.analysis import travel

QUESTION = {"within": "E08000009", "category": "gp-practice", "threshold_minutes": 15}
HEADER = "origin,destination,minutes\n"


def _json_rows(frame: pd.DataFrame) -> dict[str, Any]:
    return {
        "costs": [
            {
                "origin": origin,
                "destination": destination,
                "minutes": None if math.isnan(minutes) else minutes,
            }
            for origin, destination, minutes in frame.itertuples(index=False)
        ]
    }


def _post(client: TestClient, csv: bytes | str, **params: Any) -> Any:
    data = csv.encode() if isinstance(csv, str) else csv
    return client.post(
        "/gaps", params=QUESTION | params, files={"costs": ("times.csv", data, "text/csv")}
    )


def test_the_matrix_as_a_file_a_body_or_json_rows_gives_one_answer(
    demo_client: TestClient, demo_session: Session
) -> None:
    frame = travel.matrix(demo_session, "gp-practice", unreachable_rows=12)
    asked = QUESTION | {"method": "e2sfca"}

    by_form = _post(demo_client, travel.as_csv(frame), method="e2sfca")
    by_parquet = demo_client.post(
        "/gaps",
        params=asked,
        content=travel.as_parquet(frame),
        headers={"Content-Type": "application/vnd.apache.parquet"},
    )
    by_rows = demo_client.post("/gaps", params=asked, json=_json_rows(frame))

    assert by_form.status_code == 200, by_form.text
    answer = by_form.json()
    assert by_parquet.json()["areas"] == answer["areas"]
    assert by_rows.json()["areas"] == answer["areas"]
    assert by_rows.json()["method"]["travel_times"]["format"] == "json"
    quickest = frame.groupby("origin")["minutes"].min()
    covered = {code for code, minutes in quickest.items() if minutes <= 15}
    assert {row["code"] for row in answer["areas"] if row["covered"]} == covered
    assert answer["method"]["threshold_minutes"] == 15
    assert answer["method"]["travel_times"]["not_reachable"] == 12
    assert answer["method"]["accessibility"]["method"] == "e2sfca"
    assert [band["up_to"] for band in answer["method"]["accessibility"]["bands"]] == [10, 20, 30]


def test_csv_and_geojson_answers_carry_the_travel_times(
    demo_client: TestClient, demo_session: Session
) -> None:
    matrix = travel.as_csv(travel.matrix(demo_session, "gp-practice"))
    as_json = _post(demo_client, matrix).json()
    as_csv = _post(demo_client, matrix, f="csv")
    as_geojson = _post(demo_client, matrix, f="geojson")

    assert as_csv.headers["content-type"].startswith("text/csv")
    table = pd.read_csv(pd.io.common.StringIO(as_csv.text))
    assert table["code"].tolist() == [row["code"] for row in as_json["areas"]]
    assert table["nearest_minutes"].round(2).tolist() == [
        row["nearest_minutes"] for row in as_json["areas"]
    ]
    features = as_geojson.json()["features"]
    assert [f["properties"] for f in features] == as_json["areas"]


def _gp_ids(session: Session) -> list[int]:
    return [int(i) for i in travel.assets(session, "gp-practice")["id"]]


def _refused(response: Any) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [(e["field"], e["message"]) for e in response.json()["errors"]]


def test_bad_rows_are_named_by_row_and_column(
    demo_client: TestClient, demo_session: Session
) -> None:
    gp = _gp_ids(demo_session)[0]
    rows = [
        f"E01006074,{gp},5",  # row 0: fine
        f"E09999999,{gp},5",  # row 1: no such area
        "E01006074,99999999,5",  # row 2: no such asset
        f"E01006075,{gp},-3",  # row 3: negative
        f"E01006076,{gp},ten",  # row 4: not a number
        f"E01006074,{gp},7",  # row 5: row 0's pair again
        f"ZZ1 1ZZ,{gp},4",  # row 6: a postcode the table does not hold
    ]
    problems = _refused(_post(demo_client, HEADER + "\n".join(rows)))
    fields = [field for field, _ in problems]

    assert fields == [
        "costs.3.minutes",
        "costs.4.minutes",
    ]
    # values first: the rows' places are checked once every value reads
    fixed = [*rows[:3], f"E01006075,{gp},3", f"E01006076,{gp},10", *rows[5:]]
    problems = dict(_refused(_post(demo_client, HEADER + "\n".join(fixed))))
    assert problems.keys() == {"costs.1.origin", "costs.2.destination", "costs.6.origin"}
    assert "neither an area code nor a postcode" in problems["costs.1.origin"]
    assert "no published asset has id or source_ref '99999999'" in problems["costs.2.destination"]
    assert "not in the postcodes table" in problems["costs.6.origin"]
    placed = fixed[:1] + fixed[3:6]
    problems = dict(_refused(_post(demo_client, HEADER + "\n".join(placed))))
    assert problems.keys() == {"costs.3.destination"}
    assert "given already by row 0" in problems["costs.3.destination"]


@pytest.mark.parametrize(
    ("matrix", "field", "words"),
    [
        ("from,to,minutes\nE01006074,1,5\n", "costs", "no origin column"),
        ("origin,destination,minutes\n", "costs", "no rows"),
        (b"\xff\xfe\x00binary", "costs", "neither Parquet nor UTF-8 CSV"),
        ("origin,destination,minutes\nE01006074,1,inf\n", "costs.0.minutes", "finite"),
    ],
)
def test_a_matrix_that_cannot_be_read_is_named(
    demo_client: TestClient, matrix: str | bytes, field: str, words: str
) -> None:
    problems = dict(_refused(_post(demo_client, matrix)))

    assert field in problems and words in problems[field]


def test_an_unpublished_asset_is_as_unknown_as_one_that_does_not_exist(
    demo_client: TestClient, demo_session: Session
) -> None:
    hidden, shown = _gp_ids(demo_session)[:2]
    demo_session.execute(text("UPDATE asset SET status = 'draft' WHERE id = :id"), {"id": hidden})
    matrix = HEADER + f"E01006074,{shown},5\nE01006075,{hidden},5\nE01006076,88888888,5\n"

    problems = dict(_refused(_post(demo_client, matrix)))

    assert problems["costs.1.destination"] == (
        f"no published asset has id or source_ref '{hidden}'"
    )
    assert problems["costs.2.destination"] == "no published asset has id or source_ref '88888888'"


def test_a_matrix_naming_more_places_than_a_statement_takes_parameters_is_read(
    demo_client: TestClient, demo_session: Session
) -> None:
    """70,000 destinations by id and as many by source_ref, more than PostgreSQL's 65,535
    parameters of one statement: every one is looked up, and those no asset has named."""
    (gp, *_) = _gp_ids(demo_session)
    numbers = "".join(f"E01006074,{90_000_000 + n},5\n" for n in range(70_000))
    refs = "".join(f"E01006074,nowhere-{n},5\n" for n in range(70_000))

    response = _post(demo_client, HEADER + f"E01006074,{gp},5\n" + numbers + refs)

    assert response.status_code == 422, response.text
    problems = dict(_refused(response))
    assert problems["costs.1.destination"] == ("no published asset has id or source_ref '90000000'")
    assert "costs.0.destination" not in problems


def test_assets_by_source_ref_and_rows_outside_the_question_set_aside(
    demo_client: TestClient, demo_session: Session
) -> None:
    gp, other = demo_session.execute(
        text(
            "SELECT (SELECT min(a.id) FROM asset a JOIN category c ON c.id = a.category_id "
            "WHERE c.slug = 'gp-practice'), (SELECT min(a.id) FROM asset a JOIN category c "
            "ON c.id = a.category_id WHERE c.slug = 'library')"
        )
    ).one()
    demo_session.execute(text("UPDATE asset SET source_ref = 'gp-one' WHERE id = :id"), {"id": gp})
    # a Salford LSOA held as an area, outside Trafford: set aside, as the library is
    demo_session.execute(
        text(
            "INSERT INTO area (code, name, level, geom) SELECT 'E01005001', 'Salford 001A', "
            "'lsoa', geom FROM area WHERE code = 'E01006074'"
        )
    )
    matrix = HEADER + "E01006074,gp-one,5\nE01006075,gp-one,25\n"
    matrix += f"E01006076,{other},3\nE01005001,gp-one,2\n"

    answer = _post(demo_client, matrix).json()

    rows = {row["code"]: row for row in answer["areas"]}
    assert [code for code, row in rows.items() if row["covered"]] == ["E01006074"]
    assert rows["E01006075"]["nearest_minutes"] == 25
    counts = answer["method"]["travel_times"]
    assert counts["destination_not_matching"] == 1
    assert counts["origin_outside_the_analysed_areas"] == 1
    assert counts["to_assets"] == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"threshold_minutes": 0}, "threshold_minutes"),
        ({"threshold_minutes": 10_000}, "threshold_minutes"),
        ({"demand": "postcodes"}, "demand"),
        ({"decay": "gaussian"}, "decay"),
        ({"method": "4sfca"}, "method"),
    ],
)
def test_questions_travel_times_cannot_answer_are_named(
    demo_client: TestClient, params: dict[str, Any], field: str
) -> None:
    problems = dict(_refused(_post(demo_client, HEADER + "E01006074,1,5\n", **params)))

    assert field in problems


def test_a_body_without_a_matrix_is_named(demo_client: TestClient) -> None:
    plain = demo_client.post(
        "/gaps", params=QUESTION, content=b"x", headers={"Content-Type": "text/plain"}
    )
    no_file = demo_client.post(
        "/gaps", params=QUESTION, files={"times": ("t.csv", HEADER.encode(), "text/csv")}
    )
    bad_row = demo_client.post(
        "/gaps",
        params=QUESTION,
        json={"costs": [{"origin": "E01006074", "destination": 1, "minutes": -2}]},
    )

    assert dict(_refused(plain)).keys() == {"body"}
    assert "costs" in dict(_refused(no_file))
    assert "costs.0.minutes" in dict(_refused(bad_row))


def test_too_many_rows_is_a_422_and_too_many_bytes_a_413(
    demo_client: TestClient, demo_url: str
) -> None:
    demo_client.app.state.analysis_settings = AnalysisSettings(costs_max_rows=2)  # type: ignore[attr-defined]
    three = HEADER + "E01006074,1,5\nE01006075,1,5\nE01006076,1,5\n"
    assert "3 rows, over the 2" in dict(_refused(_post(demo_client, three)))["costs"]

    small = create_app(
        DatabaseSettings(url=demo_url), analysis_settings=AnalysisSettings(costs_max_bytes=100)
    )
    with TestClient(small) as client:
        response = _post(client, HEADER + "E01006074,1,5\n" * 20)
    assert response.status_code == 413
    assert response.json()["errors"] == [{"field": "body", "message": "is too large"}]


def test_where_next_takes_travel_times_as_json_rows(
    demo_client: TestClient, demo_session: Session
) -> None:
    frame = travel.matrix(demo_session, "gp-practice", seed=11, candidates=True)
    body = {"within": "E08000009", "category": "gp-practice", "k": 2, "threshold_minutes": 10}

    answer = demo_client.post("/gaps/suggestions", json=body | _json_rows(frame))
    without_threshold = demo_client.post(
        "/gaps/suggestions", json=body | _json_rows(frame) | {"threshold_minutes": None}
    )
    points = demo_client.post(
        "/gaps/suggestions", json=body | _json_rows(frame) | {"candidates": [[-2.3, 53.45]]}
    )

    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["solver"] == "exact" and len(found["sites"]) == 2
    lsoa_codes = set(frame["origin"])
    assert {site["area_code"] for site in found["sites"]} <= lsoa_codes
    assert found["method"]["threshold_minutes"] == 10
    assert "threshold_minutes" in dict(_refused(without_threshold))
    assert "candidates" in dict(_refused(points))


def test_sql_in_a_matrix_is_a_place_no_one_knows_and_runs_nothing(
    demo_client: TestClient, demo_session: Session
) -> None:
    before = demo_session.scalar(text("SELECT count(*) FROM asset"))
    attempts = ["'; DROP TABLE asset; --", "1) OR (1=1", "x' OR '1'='1"]
    matrix = HEADER + "".join(f'"{attempt}","{attempt}",5\n' for attempt in attempts)

    problems = dict(_refused(_post(demo_client, matrix)))

    for row, attempt in enumerate(attempts):
        assert problems[f"costs.{row}.origin"] == (
            f"{attempt!r} is neither an area code nor a postcode"
        )
        assert problems[f"costs.{row}.destination"] == (
            f"no published asset has id or source_ref {attempt!r}"
        )
    assert demo_session.scalar(text("SELECT count(*) FROM asset")) == before


def test_analyses_by_travel_time_share_the_analyses_bound(
    demo_client: TestClient, demo_session: Session
) -> None:
    matrix = travel.as_csv(travel.matrix(demo_session, "gp-practice"))
    heavy = demo_client.app.state.heavy  # type: ignore[attr-defined]
    holding = [heavy.analyses.slot() for _ in range(heavy.analyses.limit)]
    for slot in holding:
        slot.__enter__()
    try:
        busy = _post(demo_client, matrix)
    finally:
        for slot in holding:
            slot.__exit__(None, None, None)
    afterwards = _post(demo_client, matrix)

    assert busy.status_code == 503
    assert busy.headers["content-type"] == "application/problem+json"
    assert int(busy.headers["retry-after"]) >= 1
    assert afterwards.status_code == 200
