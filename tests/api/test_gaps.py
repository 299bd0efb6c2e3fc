"""A locality partnership asks the API where Trafford's gaps are: the answer's shape, its
formats, how filters change it, and the errors for questions it cannot answer."""

from __future__ import annotations

import io
import itertools
import json
import re
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from shapely.geometry import shape
from sqlalchemy import Connection, text

from tests.conftest import asset_feature

GP = "/gaps?within=E08000009&category=gp-practice"
AREA_FIELDS = {
    "code",
    "name",
    "population",
    "imd_score",
    "imd_decile",
    "nearest_m",
    "count_within",
    "per_1000",
    "covered",
    "access_2sfca",
    "priority",
    "rank",
}
SUMMARY_FIELDS = {
    "population_total",
    "population_covered",
    "share_covered",
    "uncovered_by_imd_decile",
}


def _gaps(client: TestClient, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _by_code(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["code"]: row for row in body["areas"]}


def _centre_of(client: TestClient, code: str) -> tuple[float, float]:
    area = client.get(f"/areas/{code}").json()
    centre = shape(area["geometry"]).centroid
    return centre.x, centre.y


def test_a_partnership_reads_which_neighbourhoods_lack_a_gp_most_urgent_first(
    demo_client: TestClient,
) -> None:
    body = _gaps(demo_client, GP)

    assert set(body) == {"method", "summary", "areas"}
    assert set(body["summary"]) >= SUMMARY_FIELDS
    assert len(body["areas"]) == 138
    assert all(set(row) >= AREA_FIELDS for row in body["areas"])
    assert [row["rank"] for row in body["areas"]] == list(range(1, 139))
    assert body["summary"]["population_total"] == 237_354
    assert body["method"]["projected_crs"] == "EPSG:27700"
    assert body["method"]["demand"] == "centroid"
    assert "priority" in body["method"] and "need" in body["method"]

    covered = [row["covered"] for row in body["areas"]]
    assert covered == sorted(covered)  # every uncovered area ranks above every covered one
    uncovered = [row for row in body["areas"] if not row["covered"]]
    assert uncovered and all(row["count_within"] == 0 for row in uncovered)
    assert all(row["nearest_m"] > 1000 for row in uncovered)
    for a, b in itertools.permutations(uncovered, 2):
        more_deprived = a["imd_decile"] <= b["imd_decile"]
        if more_deprived and a["population"] >= b["population"] and a != b:
            assert a["rank"] < b["rank"] or a["priority"] == b["priority"]
    decile_sum = sum(body["summary"]["uncovered_by_imd_decile"].values())
    assert decile_sum == sum(row["population"] for row in uncovered)


def test_a_new_gp_practice_covers_the_most_urgent_neighbourhood(
    demo_client: TestClient,
) -> None:
    first = _gaps(demo_client, GP)["areas"][0]
    lon, lat = _centre_of(demo_client, first["code"])
    created = demo_client.post(
        "/assets",
        json=asset_feature(
            lon, lat, name="New practice", kind="institution", category="gp-practice"
        ),
    )
    assert created.status_code == 201

    now = _by_code(_gaps(demo_client, GP))[first["code"]]

    assert now["covered"] and now["count_within"] == 1 and now["nearest_m"] < 5
    assert now["rank"] > first["rank"]


def test_only_published_public_matching_assets_count(
    demo_client: TestClient, demo_connection: Connection
) -> None:
    first = _gaps(demo_client, GP)["areas"][0]
    lon, lat = _centre_of(demo_client, first["code"])
    for status in ("draft", "pending"):
        created = demo_client.post(
            "/assets",
            json=asset_feature(
                lon,
                lat,
                name=f"A {status} practice",
                kind="institution",
                category="gp-practice",
                status=status,
            ),
        )
        assert created.status_code == 201 and created.json()["properties"]["status"] == status
    archived = demo_client.post(
        "/assets",
        json=asset_feature(
            lon, lat, name="Closed practice", kind="institution", category="gp-practice"
        ),
    ).json()
    assert demo_client.delete(f"/assets/{archived['id']}").status_code == 204
    # a person's skill without consent to publish, or with it expired, is nobody's supply
    for consent in (None, {"publish": True, "expires_at": "2020-01-01T00:00:00Z"}):
        person = asset_feature(lon, lat, name="Retired GP", kind="individual", category="skill")
        if consent is not None:
            person["properties"]["consent"] = consent
        assert demo_client.post("/assets", json=person).status_code == 201
    health = _gaps(demo_client, "/gaps?within=E08000009&category=health")
    skills = _gaps(demo_client, "/gaps?within=E08000009&kind=individual")

    assert _by_code(_gaps(demo_client, GP))[first["code"]]["covered"] is False
    published_health = demo_connection.scalar(
        text(
            "SELECT count(*) FROM asset a JOIN category c ON c.id = a.category_id "
            "WHERE a.status = 'published' AND c.slug IN ('health', 'gp-practice', "
            "'pharmacy', 'dentist', 'hospital', 'mental-health-service')"
        )
    )
    assert health["method"]["assets"]["count"] == published_health == 26
    assert skills["method"]["assets"]["count"] == 0


# The published assets whose catchment (their reach_m, else the question's distance_m,
# times `stretch`: 2 for 3SFCA's choice) reaches the centroid of one of Trafford's LSOAs:
# those a straight-line analysis counts.
IN_REACH_OF_TRAFFORD = """
SELECT count(*) FROM public_asset AS a
 WHERE a.status = 'published'
   AND EXISTS (SELECT FROM area AS lsoa JOIN area AS ward ON ward.code = lsoa.parent_code
                WHERE lsoa.level = 'lsoa' AND ward.parent_code = 'E08000009'
                  AND ST_DWithin(lsoa.centroid_bng, a.geom_bng,
                                 coalesce(a.reach_m, :distance_m) * :stretch))"""


def test_kind_category_and_outcome_filters_change_the_answer(
    demo_client: TestClient, demo_connection: Connection
) -> None:
    first = _gaps(demo_client, GP)["areas"][0]
    lon, lat = _centre_of(demo_client, first["code"])
    demo_client.post(
        "/assets",
        json=asset_feature(
            lon,
            lat,
            name="Corner pharmacy",
            kind="institution",
            category="pharmacy",
            outcomes=["health-wellbeing"],
        ),
    )

    gp = _by_code(_gaps(demo_client, GP))[first["code"]]
    health = _by_code(_gaps(demo_client, "/gaps?within=E08000009&category=health"))
    wellbeing = _gaps(demo_client, "/gaps?within=E08000009&outcome=health-wellbeing")
    institutions = _gaps(demo_client, "/gaps?within=E08000009&kind=institution")

    assert gp["covered"] is False  # a pharmacy is not a GP practice
    assert health[first["code"]]["covered"] is True  # but it is a health service
    assert wellbeing["method"]["assets"]["count"] == demo_connection.scalar(
        text("SELECT count(*) FROM asset WHERE 'health-wellbeing' = ANY(outcomes)")
    )
    assert _by_code(wellbeing)[first["code"]]["count_within"] >= 1
    assert institutions["method"]["assets"]["count"] == demo_connection.scalar(
        text(IN_REACH_OF_TRAFFORD + " AND a.kind = 'institution'"),
        {"distance_m": institutions["method"]["distance_m"], "stretch": 1},
    )
    health_covered = _gaps(demo_client, "/gaps?within=E08000009&category=health")["summary"]
    assert institutions["summary"]["population_covered"] > health_covered["population_covered"]


def test_assets_far_off_are_not_read_but_the_nearest_is_wherever_it_lies(
    demo_client: TestClient, demo_connection: Connection
) -> None:
    """An analysis of Trafford counts the assets whose catchment reaches it, not those
    far off (on a national map, not England's every one), yet gives each area its
    distance to the nearest matching asset however far."""
    youth = "/gaps?within=E08000009&category=youth-group&distance_m=1500"

    def added(lon: float, lat: float, name: str, **more: Any) -> None:
        feature = asset_feature(lon, lat, name=name, kind="association", category="youth-group")
        feature["properties"] |= more
        assert demo_client.post("/assets", json=feature).status_code == 201

    def nearest_by_sql() -> dict[str, float]:
        return dict(
            demo_connection.execute(
                text(
                    "SELECT lsoa.code, min(ST_Distance(lsoa.centroid_bng, a.geom_bng)) "
                    "FROM area AS lsoa JOIN area AS ward ON ward.code = lsoa.parent_code "
                    "CROSS JOIN public_asset AS a JOIN category AS c ON c.id = a.category_id "
                    "WHERE lsoa.level = 'lsoa' AND ward.parent_code = 'E08000009' "
                    "AND a.status = 'published' AND c.slug = 'youth-group' GROUP BY lsoa.code"
                )
            ).all()
        )

    def counted_by_sql(stretch: float) -> int:
        youth_groups = " AND a.category_id = (SELECT id FROM category WHERE slug = 'youth-group')"
        found = demo_connection.scalar(
            text(IN_REACH_OF_TRAFFORD + youth_groups), {"distance_m": 1500, "stretch": stretch}
        )
        return int(found)

    # in Cheshire and Tameside, 5 to 15 km off (and inside the box the demo's collections
    # are checked to lie in: the extent each test's rolled-back data leaves cached)
    added(-2.58, 53.32, "Youth club")
    added(-2.12, 53.49, "Youth club")
    widest = demo_connection.scalar(text("SELECT coalesce(max(reach_m), 0) FROM asset"))
    clubs_only = _gaps(demo_client, youth)
    nearest = nearest_by_sql()

    assert clubs_only["method"]["assets"]["count"] == counted_by_sql(1)
    for row in clubs_only["areas"]:
        assert row["nearest_m"] == pytest.approx(nearest[row["code"]], abs=0.01)
    # the clubs are the nearest of some areas, beyond the widest catchment the analysis
    # first read around its areas: found by reading wider
    assert max(row["nearest_m"] for row in clubs_only["areas"]) > max(1500, widest)

    # a network reaching 40 km counts, and 3SFCA's choice (twice each catchment) counts
    # what that reaches
    added(-2.58, 53.32, "Regional youth network", reach_m=40_000)
    answer = _gaps(demo_client, youth)
    three_step = _gaps(demo_client, youth + "&method=3sfca")

    assert answer["method"]["assets"]["count"] == counted_by_sql(1)
    assert three_step["method"]["assets"]["count"] == counted_by_sql(2)
    assert counted_by_sql(1) == clubs_only["method"]["assets"]["count"] + 1
    assert counted_by_sql(1) < demo_connection.scalar(
        text(
            "SELECT count(*) FROM public_asset WHERE status = 'published' AND category_id = "
            "(SELECT id FROM category WHERE slug = 'youth-group')"
        )
    )
    for row in (*answer["areas"], *three_step["areas"]):
        assert row["nearest_m"] == pytest.approx(nearest[row["code"]], abs=0.01)


def test_geojson_is_rfc_7946_with_the_same_fields(demo_client: TestClient) -> None:
    as_json = _gaps(demo_client, GP)
    response = demo_client.get(GP + "&f=geojson")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    collection = response.json()
    assert collection["type"] == "FeatureCollection" and "crs" not in collection
    assert len(collection["features"]) == 138
    for feature, row in zip(collection["features"], as_json["areas"], strict=True):
        assert feature["type"] == "Feature" and feature["properties"] == row
        geometry = shape(feature["geometry"])
        assert geometry.geom_type in {"Polygon", "MultiPolygon"} and geometry.is_valid
        for polygon in getattr(geometry, "geoms", [geometry]):
            assert polygon.exterior.is_ccw  # right-hand rule: exterior counter-clockwise
            assert all(not ring.is_ccw for ring in polygon.interiors)
        minx, miny, maxx, maxy = geometry.bounds
        assert -2.5 < minx < maxx < -2.2 and 53.3 < miny < maxy < 53.5  # lon/lat, Trafford
    decimals = re.findall(r"-?\d+\.(\d+)", json.dumps(collection["features"][0]["geometry"]))
    assert max(len(digits) for digits in decimals) <= 7


def test_csv_opens_in_pandas_with_the_same_numbers(demo_client: TestClient) -> None:
    as_json = _gaps(demo_client, GP)
    response = demo_client.get(GP + "&f=csv")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "gaps.csv" in response.headers["content-disposition"]
    table = pd.read_csv(io.StringIO(response.text))
    assert set(table.columns) >= AREA_FIELDS
    expected = pd.DataFrame(as_json["areas"])
    assert list(table["code"]) == list(expected["code"])
    assert list(table["covered"]) == list(expected["covered"])
    assert table["access_2sfca"].tolist() == expected["access_2sfca"].tolist()
    assert table["nearest_m"].tolist() == expected["nearest_m"].tolist()


def test_postcode_demand_is_finer_and_says_so(demo_client: TestClient) -> None:
    body = _gaps(demo_client, GP + "&demand=postcodes")

    assert body["method"]["demand"] == "postcodes"
    assert "postcode" in body["method"]["demand_method"]
    assert body["method"]["demand_points"] > 10_000
    assert body["summary"]["population_total"] == 237_354
    partly = [r for r in body["areas"] if 0 < r["population_covered"] < r["population"]]
    assert partly and all(not row["covered"] for row in partly)


def test_gaussian_decay_changes_scores_but_not_coverage(demo_client: TestClient) -> None:
    binary = _by_code(_gaps(demo_client, GP))
    decayed = _gaps(demo_client, GP + "&decay=gaussian&sigma_m=400")

    assert decayed["method"]["two_step_fca"]["sigma_m"] == 400
    assert any(
        row["access_2sfca"] != binary[row["code"]]["access_2sfca"] for row in decayed["areas"]
    )
    assert all(row["covered"] == binary[row["code"]]["covered"] for row in decayed["areas"])


def test_where_two_more_food_banks_would_help_most(demo_client: TestClient) -> None:
    gaps = _gaps(demo_client, "/gaps?within=E08000009&category=food-bank")
    response = demo_client.post(
        "/gaps/suggestions",
        json={"within": "E08000009", "category": "food-bank", "k": 2},
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert {"solver", "sites", "newly_covered", "covered_before", "covered_after"} <= set(body)
    assert body["solver"] == "exact"
    assert body["covered_before"] == gaps["summary"]["population_covered"]
    assert body["covered_after"] == pytest.approx(
        body["covered_before"] + body["newly_covered"], abs=0.01
    )
    assert len(body["sites"]) == 2
    uncovered = {row["code"] for row in gaps["areas"] if not row["covered"]}
    for site in body["sites"]:
        assert {"lon", "lat", "area_code", "newly_covered", "areas"} <= set(site)
        assert set(site["newly_covered_areas"]) <= uncovered
        assert site["area_code"] in site["areas"]

    need = demo_client.post(
        "/gaps/suggestions",
        json={"within": "E08000009", "category": "food-bank", "k": 2, "weight": "need"},
    ).json()
    assert need["method"]["weight"] == "need"


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/gaps?within=E99999999", "within"),
        ("/gaps?within=E08000009&category=unicorn-stables", "category"),
        ("/gaps?within=E08000009&outcome=world-peace", "outcome"),
        ("/gaps?within=E08000009&kind=spaceship", "kind"),
        ("/gaps?within=E08000009&distance_m=0", "distance_m"),
        ("/gaps?within=E08000009&distance_m=-50", "distance_m"),
        ("/gaps?within=E08000009&distance_m=5000000", "distance_m"),
        ("/gaps?within=E08000009&distance_m=nan", "distance_m"),
        ("/gaps?within=E08000009&distance_m=far", "distance_m"),
        ("/gaps?within=E01006108&level=ward", "level"),
        ("/gaps?within=E08000009&decay=gaussian&sigma_m=0", "sigma_m"),
        ("/gaps?within=E08000009&decay=gaussian&sigma_m=1e-200", "sigma_m"),
        ("/gaps?within=E08000009&decay=gaussian&sigma_m=inf", "sigma_m"),
        ("/gaps?within=E08000009&sigma_m=300", "sigma_m"),
        ("/gaps?within=E08000009&demand=households", "demand"),
        ("/gaps?within=E08000009&f=xlsx", "f"),
    ],
)
def test_questions_it_cannot_answer_get_a_422_naming_the_parameter(
    demo_client: TestClient, url: str, field: str
) -> None:
    response = demo_client.get(url)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"k": 0}, "k"),
        ({"k": 1000}, "k"),
        ({}, "k"),
        ({"k": 1, "candidates": [[10.0, 60.0]]}, "candidates.0"),
        ({"k": 1, "candidates": [[-2.3, 53.4], [-2.3, 95.0]]}, "candidates.1.1"),
        ({"k": 1, "candidates": []}, "candidates"),
        ({"k": 3, "candidates": [[-2.3, 53.4]]}, "k"),
        ({"k": 1, "category": "unicorn-stables"}, "category"),
        ({"k": 1, "distance_m": -1}, "distance_m"),
        ({"k": 1, "weight": "votes"}, "weight"),
        ({"k": 1, "within": "E99999999"}, "within"),
        ({"k": 1, "budget": 100}, "budget"),
        # 11,264 postcodes as candidates, each within 100 km of all 11,264 postcodes: more
        # pairs than one request may hold
        ({"k": 1, "demand": "postcodes", "distance_m": 100_000}, "distance_m"),
    ],
)
def test_suggestions_it_cannot_make_get_a_422_naming_the_field(
    demo_client: TestClient, body: dict[str, Any], field: str
) -> None:
    response = demo_client.post(
        "/gaps/suggestions", json={"within": "E08000009", "category": "food-bank"} | body
    )

    assert response.status_code == 422, response.text
    fields = [error["field"] for error in response.json()["errors"]]
    assert any(name == field or name.startswith(field + ".") for name in fields), fields


def test_a_consented_individual_counts_only_at_their_neighbourhoods_point(
    demo_client: TestClient,
) -> None:
    code = "E01006145"
    home = _centre_of(demo_client, code)
    person = asset_feature(
        home[0] + 0.003,
        home[1],
        name="Retired nurse: blood pressure checks",
        kind="individual",
        category="skill",
        consent={"publish": True},
    )
    assert demo_client.post("/assets", json=person).status_code == 201

    row = _by_code(_gaps(demo_client, f"/gaps?within={code}&kind=individual"))[code]

    # the supply point is the neighbourhood's representative point, not the home
    area = shape(demo_client.get(f"/areas/{code}").json()["geometry"])
    polygon, label = gpd.GeoSeries([area, area.representative_point()], crs=4326).to_crs(27700)
    assert row["nearest_m"] == pytest.approx(polygon.centroid.distance(label), abs=0.01)


def test_areas_without_population_or_imd_are_reported_not_dropped(
    demo_client: TestClient, demo_connection: Connection
) -> None:
    first = _gaps(demo_client, GP)["areas"][0]
    demo_connection.execute(
        text("UPDATE area SET population = NULL, indicators = '{}' WHERE code = :code"),
        {"code": first["code"]},
    )
    demo_connection.execute(
        text(
            "UPDATE area SET indicators = jsonb_set(indicators, '{imd_decile,value}', '11') "
            "WHERE code = 'E01006108'"
        )
    )

    body = _gaps(demo_client, GP)
    row = _by_code(body)[first["code"]]
    odd = _by_code(body)["E01006108"]

    assert len(body["areas"]) == 138
    assert (row["population"], row["imd_score"], row["imd_decile"]) == (None, None, None)
    assert (row["per_1000"], row["population_covered"], row["priority"]) == (None, None, 0)
    assert row["nearest_m"] == first["nearest_m"] and row["covered"] is False
    assert odd["imd_decile"] is None  # a decile outside 1-10 is not a decile
    summary = body["summary"]
    assert summary["population_total"] == 237_354 - first["population"]
    by_decile = sum(summary["uncovered_by_imd_decile"].values())
    assert by_decile + summary["uncovered_without_imd_decile"] == summary["population_uncovered"]
