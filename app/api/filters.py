"""The questions routes ask of assets, each parsed from its query parameters in one place:
which assets (kind, category, outcome), a search's filter, and a gap analysis' question."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import Depends, Query

from app.analysis.question import AccessMethod, GapQuestion
from app.api.deps import AnalysisSettingsDep, BBox, Near, WithinM
from app.domain.asset_search import AssetFilter, AssetMatch
from app.errors import invalid
from app.schemas import AreaLevel, Kind, Slug


async def asset_match(
    kind: Kind | None = None,
    category: Annotated[
        Slug | None, Query(description="A category slug; its sub-categories count too")
    ] = None,
    outcome: Annotated[Slug | None, Query(description="An outcome domain's slug")] = None,
) -> AssetMatch:
    """Which assets: of a kind, in a category (or one below it), serving an outcome."""
    return AssetMatch(kind, category, outcome)


MatchDep = Annotated[AssetMatch, Depends(asset_match)]


async def asset_filter(
    match: MatchDep,
    bbox: BBox,
    near: Near,
    within_m: WithinM,
    within: Annotated[
        str | None,
        Query(max_length=20, description="Only assets inside this area, e.g. E08000009"),
    ] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Text in name or description")
    ] = None,
    updated_since: Annotated[
        datetime | None, Query(description="Only assets changed since this time")
    ] = None,
    open_at: Annotated[
        datetime | None,
        Query(
            description="Only assets open then, by their schedule; a time without an offset "
            "is Europe/London's",
            examples=["2026-12-07T10:00"],
        ),
    ] = None,
    open_now: Annotated[bool, Query(description="Only assets open now, by their schedule")] = False,
) -> AssetFilter:
    """A search's filter, as `GET /assets`, its exports and the assets of an area take it."""
    if open_now and open_at is not None:
        raise invalid("open_now", "ask for open_now or open_at, not both")
    return AssetFilter.matching(
        match,
        bbox=bbox,
        near=near,
        within_m=within_m,
        q=q,
        updated_since=updated_since,
        area_code=within,
        # to the minute, so answers built once (exports) serve that minute
        open_at=datetime.now(UTC).replace(second=0, microsecond=0) if open_now else open_at,
    )


FilterDep = Annotated[AssetFilter, Depends(asset_filter)]


async def gap_question(
    settings: AnalysisSettingsDep,
    match: MatchDep,
    within: Annotated[
        str | None,
        Query(max_length=20, description="Analyse the areas inside this one, e.g. E08000009"),
    ] = None,
    level: Annotated[AreaLevel, Query(description="Which areas inside `within`")] = "lsoa",
    distance_m: Annotated[
        float | None, Query(description="Reach in metres (straight line); default 1000")
    ] = None,
    demand: Annotated[
        Literal["centroid", "postcodes"], Query(description="Where people are placed")
    ] = "centroid",
    decay: Annotated[
        Literal["none", "gaussian"], Query(description="2SFCA distance decay")
    ] = "none",
    sigma_m: Annotated[
        float | None, Query(description="Gaussian width in metres; default distance_m / 2")
    ] = None,
    method: Annotated[
        AccessMethod,
        Query(description="The accessibility score `access` and the ranking use (PySAL's)"),
    ] = "2sfca",
) -> GapQuestion:
    """A gap analysis' question, as `GET /gaps` and the locality maps take it."""
    return GapQuestion.asked(
        settings,
        within=within,
        level=level,
        match=match,
        distance_m=distance_m,
        demand=demand,
        decay=decay,
        sigma_m=sigma_m,
        method=method,
    )


QuestionDep = Annotated[GapQuestion, Depends(gap_question)]
