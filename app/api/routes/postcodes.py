"""`GET /postcodes/{postcode}`: where a postcode is, from the offline lookup."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Path

from app.api.answers import PostcodeOut
from app.api.deps import ReadSessionDep
from app.api.openapi import problems
from app.domain import postcodes

router = APIRouter(prefix="/postcodes", tags=["postcodes"])


@router.get(
    "/{postcode}",
    response_model=PostcodeOut,
    summary="Find a postcode",
    responses=problems(404),
)
def find_postcode(
    postcode: Annotated[
        str, Path(max_length=10, description="Any case and spacing", examples=["m32 0jt"])
    ],
    session: ReadSessionDep,
) -> dict[str, Any]:
    """The postcode normalised, its point (lon, lat), its neighbourhood (LSOA) and the
    ward that holds it; 404 when the lookup has no such postcode, 422 when it is not one."""
    return asdict(postcodes.look_up(session, postcode))
