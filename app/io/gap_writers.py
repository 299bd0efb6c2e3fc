"""A gap analysis written as CSV (one row per area) or GeoJSON (the areas' polygons, with
the same fields as properties), in rank order."""

from __future__ import annotations

import csv
import io

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from app.analysis.gaps import GapReport
from app.domain.features import feature_collection, feature_text, geojson
from app.models import Area

AREA_FIELDS = (
    "code",
    "name",
    "population",
    "imd_score",
    "imd_decile",
    "nearest_m",
    "nearest_minutes",
    "count_within",
    "per_1000",
    "covered",
    "population_covered",
    "access_2sfca",
    "access",
    "need",
    "priority",
    "rank",
    "demand_points",
)


def gaps_csv(report: GapReport) -> str:
    """One row per area, AREA_FIELDS as columns; unknown values are empty cells."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=AREA_FIELDS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(report.areas)
    return out.getvalue()


def gaps_geojson(session: Session, report: GapReport) -> str:
    """An RFC 7946 FeatureCollection of the analysed areas (polygons from PostGIS, lon/lat,
    counter-clockwise exteriors), each area's results as properties; `method` and
    `summary` travel as foreign members."""
    ids = [report.area_ids[row["code"]] for row in report.areas]
    query = select(Area.id, cast(geojson(Area.geom, polygons=True), Text)).where(Area.id.in_(ids))
    geometry = dict(session.execute(query).tuples().all())
    features = [
        # null geometry for an area deleted since the analysis read it
        feature_text(row["code"], geometry.get(area_id, "null"), row)
        for row, area_id in zip(report.areas, ids, strict=True)
    ]
    return feature_collection(features, method=report.method, summary=report.summary)
