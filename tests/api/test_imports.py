"""A council uploads its spreadsheet over HTTP and gets the same report as the CLI."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import count_assets

CSV = (
    "id,name,lon,lat\n"
    "1,Stretford lunch club,-2.3157,53.4466\n"
    "2,,-2.31,53.44\n"
    "3,Sale knitting circle,-2.3183,53.4250\n"
)
FORM = {
    "kind": "association",
    "source": "upload",
    "ref_field": "id",
    "lon_field": "lon",
    "lat_field": "lat",
    "category": "lunch-club",
}


def test_an_upload_takes_the_good_rows_and_reports_the_bad(
    client: TestClient, session: Session
) -> None:
    response = client.post("/imports", data=FORM, files={"file": ("clubs.csv", CSV)})

    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["inserted"], report["rejected"], report["committed"]) == (2, 1, True)
    assert report["rejects"][0]["row"] == 2
    assert "name" in report["rejects"][0]["reason"]
    assert report["rejects"][0]["original"]["id"] == "2"
    assert count_assets(session) == 2

    again = client.post("/imports", data=FORM, files={"file": ("clubs.csv", CSV)}).json()
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 2)


def test_atomic_upload_with_a_bad_row_writes_nothing(client: TestClient, session: Session) -> None:
    response = client.post("/imports?atomic=true", data=FORM, files={"file": ("clubs.csv", CSV)})

    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == "file.row[2]"
    assert body["report"]["committed"] is False
    assert count_assets(session) == 0


def test_an_upload_of_the_wrong_thing_is_a_clear_422(client: TestClient, session: Session) -> None:
    for data, files, field in [
        (FORM, {"file": ("clubs.docx", b"PK")}, "file"),
        (FORM, {"file": ("clubs.geojson", b'{"type": "Feat')}, "file"),
        (FORM | {"kind": "shop"}, {"file": ("clubs.csv", CSV)}, "kind"),
        (FORM | {"category": "gp-practice"}, {"file": ("clubs.csv", CSV)}, "category"),
        (FORM | {"map": "name=nope"}, {"file": ("clubs.csv", CSV)}, "map"),
        ({k: v for k, v in FORM.items() if k != "source"}, {"file": ("c.csv", CSV)}, "source"),
    ]:
        response = client.post("/imports", data=data, files=files)
        assert response.status_code == 422, (data, response.text)
        assert field in [e["field"] for e in response.json()["errors"]], response.text
    assert count_assets(session) == 0
