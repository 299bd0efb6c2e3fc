"""Request and response shapes. An asset travels as a GeoJSON Feature everywhere."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from geojson_pydantic import MultiPolygon, Point, Polygon
from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)

Kind = Literal["individual", "association", "institution", "physical", "economic", "cultural"]
Status = Literal["draft", "pending", "published", "archived"]
AreaLevel = Literal["lsoa", "ward", "locality", "local_authority"]
# What a locality map shades its neighbourhoods by
MapLayer = Literal["imd", "gaps"]

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]
Postcode = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10)]

AssetGeometry = Annotated[Point | Polygon | MultiPolygon, Field(discriminator="type")]

# Properties a client may send back from a read; they are the server's to set.
READ_ONLY = frozenset(
    {
        "id",
        "version",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "footprint",
        "distance_m",
    }
)


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None = None
    email: EmailStr | None = None
    website: AnyHttpUrl | None = None


class Consent(BaseModel):
    """An individual's consent to publish: without it, or once expired, no public read shows
    the asset."""

    model_config = ConfigDict(extra="forbid")

    publish: bool
    given_at: datetime | None = None
    given_by: ShortText | None = None
    scope: ShortText | None = None
    expires_at: datetime | None = None


class AssetFields(BaseModel):
    """The properties of an asset as clients send them; every field optional (for PATCH)."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    description: LongText | None = None
    kind: Kind | None = None
    category: Slug | None = None
    outcomes: list[Slug] | None = Field(default=None, max_length=20)
    address: ShortText | None = None
    postcode: Postcode | None = None
    contact: Contact | None = None
    opening_hours: ShortText | None = None
    audience: ShortText | None = None
    cost: ShortText | None = None
    accessibility: ShortText | None = None
    reach_m: Annotated[float, Field(gt=0, le=100_000)] | None = None
    capacity: Annotated[float, Field(gt=0, le=1_000_000)] | None = None
    source: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
        | None
    ) = None
    source_ref: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
        | None
    ) = None
    status: Status | None = None
    verified_at: datetime | None = None
    verified_by: ShortText | None = None
    consent: Consent | None = None

    @model_validator(mode="before")
    @classmethod
    def _drop_read_only(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if key not in READ_ONLY}
        return data


class AssetProperties(AssetFields):
    """The properties of a new asset: `name` and `kind` are required."""

    name: Name
    kind: Kind


class AssetFeatureIn(BaseModel):
    """A new asset: a GeoJSON Feature with a Point, or a Polygon/MultiPolygon footprint."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "example": {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [-2.3372, 53.4494]},
                "properties": {
                    "name": "Stretford Food Bank",
                    "kind": "institution",
                    "category": "food-bank",
                    "outcomes": ["health-wellbeing", "money-work"],
                    "postcode": "M32 0JT",
                },
            }
        },
    )

    type: Literal["Feature"]
    geometry: AssetGeometry
    properties: AssetProperties


class AssetPatch(BaseModel):
    """A partial change: any of `geometry` and the properties; a property set to null is
    cleared."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["Feature"] | None = None
    geometry: AssetGeometry | None = None
    properties: AssetFields = Field(default_factory=AssetFields)


AreaCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
LonLat = tuple[
    Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)],
    Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)],
]


class SuggestionRequest(BaseModel):
    """`POST /gaps/suggestions`: the gap analysis' filter, and how many sites to add where."""

    model_config = ConfigDict(extra="forbid")

    within: AreaCode | None = Field(default=None, examples=["E08000009"])
    level: AreaLevel = "lsoa"
    kind: Kind | None = None
    category: Slug | None = Field(default=None, examples=["food-bank"])
    outcome: Slug | None = None
    distance_m: float | None = Field(default=None, description="Reach in metres")
    demand: Literal["centroid", "postcodes"] = "centroid"
    k: int = Field(ge=1, description="How many sites to add")
    candidates: (
        Literal["areas"] | Annotated[list[LonLat], Field(min_length=1, max_length=10_000)]
    ) = Field(default="areas", description='"areas" (their demand points) or [[lon, lat], ...]')
    weight: Literal["population", "need"] = "population"
