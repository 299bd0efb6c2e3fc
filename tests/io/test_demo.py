"""A new user's first look: the demo locality is real Trafford, loaded completely."""

from __future__ import annotations

import csv

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.io.demo import steps
from app.io.report import ImportReport
from app.settings import ApiSettings
from tests.conftest import data_path

EXTENT = ApiSettings().service_extent


def _load(session: Session) -> dict[str, ImportReport]:
    return {step.label: step.run(session, EXTENT) for step in steps()}


def test_the_demo_loads_trafford_and_a_second_run_changes_nothing(session: Session) -> None:
    first = _load(session)

    lsoas = session.execute(
        text(
            "SELECT count(*), sum(population), count(*) FILTER (WHERE indicators ? 'imd_score' "
            "AND indicators ? 'imd_decile' AND population IS NOT NULL), count(parent_code) "
            "FROM area WHERE level = 'lsoa'"
        )
    ).one()
    assert tuple(lsoas) == (138, 237_354, 138, 138)  # the published count and total
    assert (
        session.scalar(text("SELECT parent_code FROM area WHERE level = 'ward' LIMIT 1"))
        == "E08000009"
    )
    counts = dict(
        session.execute(
            text(
                "SELECT c.slug, count(*) FROM asset a JOIN category c ON c.id = a.category_id "
                "GROUP BY c.slug"
            )
        ).all()
    )
    # the row counts of the source files (data/trafford/README.md)
    assert counts["gp-practice"] == 26
    assert counts["library"] == 13
    assert counts["food-bank"] == 7
    assert counts["care-home"] == 56
    assert counts["childrens-centre"] == 2
    assert counts["place-of-worship"] == 118
    assert counts["post-office"] == 27
    with data_path("assets", "charities.csv").open() as file:
        charities = sum(1 for _ in csv.DictReader(file))
    report = first["charities.csv"]
    assert charities == 736
    assert report.inserted + report.rejected == charities
    assert counts["charity"] == report.inserted
    assert all(reject.reason for reject in report.rejects)
    footprints = session.scalar(
        text("SELECT count(footprint) FROM asset WHERE source = 'os-openmap-local'")
    )
    assert footprints == 118 + 27

    second = _load(session)

    assert sum(r.inserted for r in second.values()) == 0
    assert sum(r.updated for r in second.values()) == 0
