"""Two local authorities for the tests of tenants: Trafford (E08000009, from the demo
data) and a second one these tests make beside it, a square east of Trafford named for
Manchester (E08000003), with one neighbourhood (an LSOA) inside it."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

TRAFFORD = "E08000009"
TRAFFORD_LSOA = "E01006108"
ALTRINCHAM_WARD = "E05015239"
STRETFORD = (-2.3157, 53.4466)
MANCHESTER = "E08000003"
MANCHESTER_LSOA = "E01099001"
# inside the second authority's square, and its LSOA
PICCADILLY = (-2.15, 53.45)


def _square(minx: float, miny: float, maxx: float, maxy: float) -> str:
    ring = f"{minx} {miny},{maxx} {miny},{maxx} {maxy},{minx} {maxy},{minx} {miny}"
    return f"SRID=4326;MULTIPOLYGON((({ring})))"


def add_second_authority(session: Session) -> None:
    """Store the second authority and its LSOA (1,500 people); checks it does not touch
    Trafford, so what is in one is never in the other."""
    session.execute(
        text(
            "INSERT INTO area (code, name, level, parent_code, population, geom) VALUES "
            "(:la, 'Manchester (a square for the tests)', 'local_authority', NULL, 550000, "
            " ST_GeomFromEWKT(:la_geom)), "
            "(:lsoa, 'Piccadilly (a square for the tests)', 'lsoa', :la, 1500, "
            " ST_GeomFromEWKT(:lsoa_geom))"
        ),
        {
            "la": MANCHESTER,
            "la_geom": _square(-2.20, 53.40, -2.10, 53.50),
            "lsoa": MANCHESTER_LSOA,
            "lsoa_geom": _square(-2.16, 53.44, -2.14, 53.46),
        },
    )
    touching = session.scalar(
        text(
            "SELECT ST_Intersects(a.geom, b.geom) FROM area a, area b "
            "WHERE a.code = :one AND b.code = :other"
        ),
        {"one": TRAFFORD, "other": MANCHESTER},
    )
    assert touching is False
