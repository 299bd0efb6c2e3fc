"""The demo locality: Trafford's real open data, shipped in data/trafford/ (see its README)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain import schedules
from app.domain.opening import LONDON
from app.io.area_import import import_areas, import_indicators, import_postcodes
from app.io.asset_import import import_assets
from app.io.asset_rows import AssetImport
from app.io.report import ImportReport, Reject
from app.models import Asset
from app.settings import PROJECT_ROOT

DEMO_DIR = PROJECT_ROOT / "data" / "trafford"
LOCAL_AUTHORITY = "E08000009"

Extent = tuple[float, float, float, float]


@dataclass(frozen=True)
class Step:
    label: str
    run: Callable[[Session, Extent], ImportReport]


def _assets(file: str, plan: AssetImport) -> Step:
    return Step(file, lambda s, extent: import_assets(s, DEMO_DIR / "assets" / file, plan, extent))


def _food_bank_hours(session: Session, _: Extent) -> ImportReport:
    """The food banks' schedules: their opening times as OpenStreetMap writes them
    (assets/food_bank_hours.csv, by the name and postcode the food banks are imported by)."""
    today = datetime.now(LONDON).date()
    report = ImportReport()
    with (DEMO_DIR / "assets" / "food_bank_hours.csv").open(newline="") as file:
        for number, row in enumerate(csv.DictReader(file), start=1):
            schedule = schedules.from_osm(row["opening_hours"], today)
            if schedule is None:
                report.rejects.append(Reject(number, "not in OpenStreetMap's syntax", dict(row)))
                continue
            ref = Asset.source_ref == f"{row['Name']} | {row['Postcode']}"
            food_bank = session.execute(
                select(Asset.id, Asset.schedule).where(Asset.source == "trafford-food-banks", ref)
            ).first()
            wanted = schedule.model_dump(mode="json", exclude_none=True)
            if food_bank is None:
                report.rejects.append(Reject(number, "no such food bank", dict(row)))
            elif food_bank.schedule == wanted:
                report.unchanged += 1
            else:
                session.execute(
                    update(Asset).where(Asset.id == food_bank.id).values(schedule=wanted)
                )
                report.updated += 1
    report.rejected = len(report.rejects)
    return report


def steps(data: Path = DEMO_DIR) -> Iterator[Step]:
    """Each import of the demo, in order: areas first, their parents before them."""
    yield Step(
        "local authority",
        lambda s, _: import_areas(
            s,
            data / "local_authority_boundary.geojson",
            "local_authority",
            code_field="area_code",
            name_field="area_name",
        ),
    )
    yield Step(
        "wards 2023",
        lambda s, _: import_areas(
            s,
            data / "wards2023_boundaries.geojson",
            "ward",
            code_field="area_code",
            name_field="area_name",
            parent=LOCAL_AUTHORITY,
        ),
    )
    yield Step(
        "LSOAs 2011",
        lambda s, _: import_areas(
            s,
            data / "lsoa2011_boundaries.geojson",
            "lsoa",
            code_field="area_code",
            name_field="area_name",
            parent_from="ward",
        ),
    )
    yield Step(
        "IMD 2019",
        lambda s, _: import_indicators(
            s,
            data / "imd2019_lsoa2011.csv",
            key="lsoa",
            columns={"imd_score": "overall_local_score", "imd_decile": "original_decile"},
            year=2019,
            source="MHCLG English Indices of Deprivation 2019",
        ),
    )
    yield Step(
        "population 2019",
        lambda s, _: import_indicators(
            s,
            data / "population2019_lsoa2011.csv",
            key="lsoa",
            columns={"population": "pop"},
            year=2019,
            source="ONS mid-2019 population estimates",
        ),
    )
    yield Step(
        "postcodes",
        lambda s, extent: import_postcodes(
            s, data / "postcodes.csv", extent, lsoa_field="lsoa_code"
        ),
    )
    yield _assets(
        "gp_practices.geojson",
        AssetImport(
            kind="institution",
            category="gp-practice",
            source="nhs-gp-practices",
            ref_fields=["name", "postcode"],
        ),
    )
    yield _assets(
        "libraries.geojson",
        AssetImport(
            kind="institution",
            category="library",
            source="trafford-libraries",
            ref_fields=["Name"],
            mapping={"description": "Type"},
        ),
    )
    yield _assets(
        "food_banks.geojson",
        AssetImport(
            kind="institution",
            category="food-bank",
            source="trafford-food-banks",
            ref_fields=["Name", "Postcode"],
            mapping={"contact.email": "Contact"},
        ),
    )
    yield Step("food bank hours", _food_bank_hours)
    yield _assets(
        "care_homes.geojson",
        AssetImport(
            kind="institution",
            category="care-home",
            source="cqc-care-homes",
            ref_fields=["cqc_id"],
            mapping={"description": "type"},
        ),
    )
    yield _assets(
        "childrens_centres.geojson",
        AssetImport(
            kind="institution",
            category="childrens-centre",
            source="trafford-childrens-centres",
            ref_fields=["unique_reference_number"],
        ),
    )
    yield _assets(
        "places_of_worship.geojson",
        AssetImport(
            kind="association",
            category="place-of-worship",
            source="os-openmap-local",
            ref_fields=["ID"],
            mapping={"name": "DISTNAME"},
            default_name="Place of worship",
            na_values=frozenset({"Unknown"}),
        ),
    )
    yield _assets(
        "post_offices.geojson",
        AssetImport(
            kind="economic",
            category="post-office",
            source="os-openmap-local",
            ref_fields=["ID"],
            mapping={"name": "DISTNAME"},
            default_name="Post Office",
            na_values=frozenset({"Unknown"}),
        ),
    )
    yield _assets(
        "charities.csv",
        AssetImport(
            kind="institution",
            category="charity",
            source="charity-commission",
            ref_fields=["registered_charity_number"],
            mapping={
                "name": "charity_name",
                "description": "charity_activities",
                "address": "charity_contact_address",
                "postcode": "charity_contact_postcode",
                "contact.phone": "charity_contact_phone",
                "contact.email": "charity_contact_email",
                "contact.website": "charity_contact_web",
            },
            na_values=frozenset({"NA"}),
        ),
    )
