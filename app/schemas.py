"""Request and response shapes. An asset travels as a GeoJSON Feature everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

from geojson_pydantic import MultiPolygon, Point, Polygon
from pydantic import (
    AfterValidator,
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


def normalise_postcode(postcode: str) -> str:
    """`m32 0jt`, `M320JT` -> `M32 0JT` (a UK postcode's inward code is its last 3 chars)."""
    compact = "".join(postcode.split()).upper()
    return compact if len(compact) < 5 else f"{compact[:-3]} {compact[-3:]}"


Postcode = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=10), AfterValidator(normalise_postcode)
]

AssetGeometry = Annotated[Point | Polygon | MultiPolygon, Field(discriminator="type")]

Personal = Literal["private", "erased"]


@dataclass(frozen=True)
class Stored:
    """How one property of an asset is kept, shown and exchanged. The models below, with a
    `Stored` on each property, are the one declaration of an asset's properties:
    app.domain.asset_fields derives from them every list of them (the Feature built in
    PostgreSQL, the exports' columns, the columns a write fills, the import's targets and
    working table, the erasure, the history's privacy).

    - `public`: the public reads it (a column of the view `public_asset`, migration 0006);
      otherwise only the asset's stewards (its moderators, its contributor, admins) do.
    - `personal`, for a person (kind `individual`): a `private` property is never in their
      public face nor (but for their stewards) in their history, and is erased with their
      data; an `erased` one is shown with their consent, and erased with their data.
    - `exported`: CSV and GeoPackage exports carry it (as its own column, or its parts').
    - `imported`: the columns of a file an import fills it from (compared case-blind); none
      for a property no file gives.
    - `flattened`: a model stored as a column per field, `<property>_<field>` (consent);
      otherwise a model is stored as one JSON column (contact).
    - `column`: the column it is kept in, when not its own name (a category, by its id).
    - `whole`: a model kept, exported and imported as one JSON value, never as its parts
      (a schedule).
    """

    public: bool = True
    personal: Personal | None = None
    exported: bool = True
    imported: tuple[str, ...] = ()
    flattened: bool = False
    column: str | None = None
    whole: bool = False


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: Annotated[
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None,
        Stored(imported=("phone", "telephone", "tel")),
    ] = None
    email: Annotated[EmailStr | None, Stored(imported=("email", "e-mail"))] = None
    website: Annotated[AnyHttpUrl | None, Stored(imported=("website", "web", "url"))] = None


class Consent(BaseModel):
    """An individual's consent to publish: without it, or once expired, no public read shows
    the asset."""

    model_config = ConfigDict(extra="forbid")

    publish: bool
    given_at: datetime | None = None
    given_by: Annotated[ShortText | None, Stored(personal="private")] = None
    scope: Annotated[ShortText | None, Stored(personal="private")] = None
    expires_at: datetime | None = None


Weekday = Literal["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
WEEKDAYS: tuple[Weekday, ...] = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# A local time of day in Europe/London, "HH:MM"; "24:00" is the end of a day.
ClockTime = Annotated[str, StringConstraints(pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]


class Hours(BaseModel):
    """Open from `opens` to `closes`, local times (Europe/London); a `closes` before
    `opens` is past midnight, into the next day."""

    model_config = ConfigDict(extra="forbid")

    opens: ClockTime
    closes: ClockTime

    @model_validator(mode="after")
    def _not_empty(self) -> Hours:
        if self.opens == self.closes or self.opens == "24:00":
            raise ValueError(f"opens {self.opens} and closes {self.closes} make no opening")
        if self.closes == "00:00":
            self.closes = "24:00"  # midnight, one way of writing it
        return self


class WeeklyHours(Hours):
    """The hours it opens on these days of every week."""

    days: Annotated[list[Weekday], Field(min_length=1, max_length=7)]


class DatedHours(Hours):
    """An exception: on this date it opens at these hours, not its weekly ones."""

    date: date


class Closure(BaseModel):
    """Closed from `starts` to `ends`, both dates included (a holiday, works)."""

    model_config = ConfigDict(extra="forbid")

    starts: date
    ends: date
    reason: Annotated[ShortText, StringConstraints(min_length=1)] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Closure:
        if self.ends < self.starts:
            raise ValueError("ends is before starts")
        return self


class Schedule(BaseModel):
    """When an asset is open, as data (the HSDS schedule's weekly rules, exceptions and
    closures), beside the free text of `opening_hours`. Times are Europe/London's."""

    model_config = ConfigDict(extra="forbid")

    weekly: Annotated[list[WeeklyHours], Field(max_length=50)] = Field(default_factory=list)
    exceptions: Annotated[list[DatedHours], Field(max_length=400)] = Field(default_factory=list)
    closures: Annotated[list[Closure], Field(max_length=100)] = Field(default_factory=list)
    valid_from: date | None = None
    valid_to: date | None = None
    notes: ShortText | None = None

    @model_validator(mode="after")
    def _valid_span(self) -> Schedule:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self


def _text(*imported: str, personal: Personal | None = None) -> Stored:
    return Stored(personal=personal, imported=imported)


class AssetPropertiesBase(BaseModel):
    """The properties of an asset clients send (all optional), each with its `Stored`."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[Name | None, _text("name", "title", personal="erased")] = None
    description: Annotated[LongText | None, _text("description", personal="erased")] = None
    kind: Annotated[Kind | None, Stored()] = None
    category: Annotated[Slug | None, Stored(column="category_id")] = None
    outcomes: Annotated[list[Slug] | None, Field(max_length=20), Stored(imported=("outcomes",))] = (
        None
    )
    address: Annotated[ShortText | None, _text("address", personal="private")] = None
    postcode: Annotated[
        Postcode | None, _text("postcode", "post_code", "postal_code", personal="private")
    ] = None
    contact: Annotated[Contact | None, Stored(personal="private")] = None
    opening_hours: Annotated[
        ShortText | None, _text("opening_hours", "opening hours", "opening times")
    ] = None
    schedule: Annotated[
        Schedule | None,
        Field(description="When it is open, as data (Europe/London times)"),
        Stored(imported=("schedule",), whole=True),
    ] = None
    audience: Annotated[ShortText | None, _text("audience")] = None
    cost: Annotated[ShortText | None, _text("cost")] = None
    accessibility: Annotated[ShortText | None, _text("accessibility")] = None
    reach_m: Annotated[
        Annotated[float, Field(gt=0, le=100_000)] | None, Stored(imported=("reach_m",))
    ] = None
    capacity: Annotated[
        Annotated[float, Field(gt=0, le=1_000_000)] | None, Stored(imported=("capacity",))
    ] = None
    source: Annotated[
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
        | None,
        Stored(),
    ] = None
    source_ref: Annotated[
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
        | None,
        Stored(),
    ] = None
    status: Annotated[Status | None, Stored()] = None
    verified_at: Annotated[datetime | None, Stored(imported=("verified_at",))] = None
    verified_by: Annotated[ShortText | None, Stored(public=False, exported=False)] = None
    # its parts say which of it are personal
    consent: Annotated[Consent | None, Stored(public=False, exported=False, flattened=True)] = None


class AssetPropertiesOut(AssetPropertiesBase):
    """The properties of an asset as it is read: what clients send, and what only the
    server sets. The public sees the `public` ones; stewards all."""

    created_at: Annotated[datetime | None, Stored()] = None
    created_by: Annotated[str | None, Stored(public=False, exported=False)] = None
    updated_at: Annotated[datetime | None, Stored()] = None
    updated_by: Annotated[str | None, Stored(public=False, exported=False)] = None
    version: Annotated[int | None, Stored(exported=False)] = None
    footprint: Annotated[
        dict[str, Any] | None,
        Field(description="A building's or a park's outline: a GeoJSON MultiPolygon"),
        Stored(personal="private"),
    ] = None
    distance_m: Annotated[
        float | None, Field(description="With `near`: how far it is, in metres")
    ] = None
    # computed for every read from its review reminders (app.domain.reminders), never stored
    not_confirmed: Annotated[
        bool | None,
        Field(
            description="Its review reminders went unanswered: no one has confirmed it is "
            "still there (searches rank it after the confirmed assets)"
        ),
    ] = None


# Properties a client may send back from a read (and the Feature's id, which some clients
# copy into them); they are the server's to set.
READ_ONLY = (
    frozenset(AssetPropertiesOut.model_fields) - frozenset(AssetPropertiesBase.model_fields)
) | {"id"}


class AssetFields(AssetPropertiesBase):
    """The properties of an asset as clients send them; every field optional (for PATCH).
    Properties only the server sets (AssetPropertiesOut's own) are dropped if sent back."""

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
AssetRef = Annotated[int, Field(ge=1, le=2**63 - 1)]

# How an innovation was got going, and where it stands.
Lever = Literal[
    "influencing",
    "mediating",
    "brokering",
    "funding",
    "training",
    "equipment",
    "volunteering",
    "space",
    "commissioning",
]
InnovationStatus = Literal["idea", "started", "spreading", "stopped"]


class Evidence(BaseModel):
    """Something that shows the innovation works: a report, an article, a film."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    url: AnyHttpUrl


class Leader(BaseModel):
    """One of those who got an innovation going: a person or a group (an asset), or someone
    in a scanning session's room (a participant, named only with their consent)."""

    model_config = ConfigDict(extra="forbid")

    asset: AssetRef | None = None
    participant: AssetRef | None = None

    @model_validator(mode="after")
    def _one(self) -> Leader:
        if (self.asset is None) == (self.participant is None):
            raise ValueError("name either an asset or a participant")
        return self


class InnovationFields(BaseModel):
    """An innovation as clients send it; every field optional (for PATCH)."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    description: LongText | None = None
    outcomes: Annotated[list[Slug], Field(max_length=20)] | None = None
    areas: Annotated[list[AreaCode], Field(max_length=100)] | None = Field(
        default=None, description="The codes of the areas where it happens"
    )
    assets: Annotated[list[AssetRef], Field(max_length=500)] | None = Field(
        default=None, description="The ids of the assets it involves"
    )
    leaders: Annotated[list[Leader], Field(max_length=100)] | None = Field(
        default=None, description="Who got it going"
    )
    levers: Annotated[list[Lever], Field(max_length=20)] | None = Field(
        default=None, description="How they got it going"
    )
    status: InnovationStatus | None = None
    started_on: date | None = None
    evidence: Annotated[list[Evidence], Field(max_length=50)] | None = None
    review: Status | None = Field(
        default=None, description="Its moderation: moderators publish and archive"
    )


class InnovationIn(InnovationFields):
    """A new innovation: `name` and at least one area are required."""

    name: Name
    areas: Annotated[list[AreaCode], Field(min_length=1, max_length=100)]


LonLat = tuple[
    Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)],
    Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)],
]


class CostRow(BaseModel):
    """One travel time: from an area (code) or postcode to an asset (id or source_ref) or a
    candidate area (code), in minutes; null minutes: not reachable."""

    model_config = ConfigDict(extra="forbid")

    origin: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
    destination: (
        Annotated[int, Field(ge=1)]
        | Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    )
    minutes: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None


class GapCostsRequest(BaseModel):
    """`POST /gaps` as JSON: the cost matrix's rows (the question is in the query)."""

    model_config = ConfigDict(extra="forbid")

    costs: Annotated[list[CostRow], Field(min_length=1)]


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
    costs: Annotated[list[CostRow], Field(min_length=1)] | None = Field(
        default=None,
        description="Travel times instead of straight lines: candidates are the areas given "
        "as destinations; needs threshold_minutes",
    )
    threshold_minutes: float | None = Field(
        default=None, description="With costs: the most minutes that count as within reach"
    )
