"""Postcodes from the offline lookup (the `postcode` table): where one is, its neighbourhood
(LSOA) and, where the areas hold it, the ward that neighbourhood lies in."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from app.errors import Problem, invalid
from app.i18n import said
from app.models import Area, Postcode
from app.schemas import normalise_postcode

# A UK postcode once normalised: outward code, a space, inward code ("M32 0JT", "SW1A 1AA").
UK_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}")


@dataclass(frozen=True)
class PostcodePlace:
    """A postcode's point (lon, lat, EPSG:4326) and the areas it lies in; a code whose area
    the service does not hold has no name."""

    postcode: str
    lon: float
    lat: float
    lsoa_code: str | None
    lsoa_name: str | None
    ward_code: str | None
    ward_name: str | None


def checked(postcode: str) -> str:
    """The postcode normalised (`m32 0jt` -> `M32 0JT`); a 422 naming `postcode` when it
    is not shaped like a UK postcode."""
    compact = normalise_postcode(postcode)
    if not UK_POSTCODE.fullmatch(compact):
        raise invalid(
            "postcode", said("{value} is not a UK postcode", value=repr(postcode.strip()))
        )
    return compact


def look_up(session: Session, postcode: str) -> PostcodePlace:
    """Where `postcode` is, by the offline lookup; a 422 naming `postcode` when it is not
    one, a 404 naming it (normalised) when the lookup does not hold it."""
    compact = checked(postcode)
    lsoa, ward = aliased(Area), aliased(Area)
    found = session.execute(
        select(
            Postcode.geom.ST_X(),
            Postcode.geom.ST_Y(),
            Postcode.lsoa_code,
            lsoa.name,
            ward.code,
            ward.name,
        )
        .outerjoin(lsoa, and_(lsoa.code == Postcode.lsoa_code, lsoa.level == "lsoa"))
        .outerjoin(ward, and_(ward.code == lsoa.parent_code, ward.level == "ward"))
        .where(Postcode.postcode == compact)
    ).first()
    if found is None:
        raise Problem(404, said("postcode {compact} not found in the lookup", compact=compact))
    lon, lat, lsoa_code, lsoa_name, ward_code, ward_name = found
    return PostcodePlace(
        compact, float(lon), float(lat), lsoa_code, lsoa_name, ward_code, ward_name
    )
