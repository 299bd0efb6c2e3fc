"""The declarative base every table shares, and the values some columns take."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

KIND_VALUES = ("individual", "association", "institution", "physical", "economic", "cultural")
STATUS_VALUES = ("draft", "pending", "published", "archived")
AREA_LEVELS = ("lsoa", "ward", "locality", "local_authority")


class Base(DeclarativeBase):
    pass
