"""Local authorities as tenants: which there are, and each one's own categories, added by
its admins beside the shared taxonomy and offered only within it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, status

from app.api.deps import ReadSessionDep, SessionDep, SignedInDep
from app.api.openapi import problems
from app.api.people_answers import AuthorityCategoryOut, AuthorityOut, NewCategoryIn
from app.domain import categories

router = APIRouter(prefix="/authorities", tags=["authorities"])

Code = Annotated[
    str, Path(max_length=20, description="A local authority's GSS code", examples=["E08000009"])
]


@router.get("", response_model=list[AuthorityOut], summary="The local authorities")
def authorities(session: ReadSessionDep) -> list[dict[str, Any]]:
    """Every area of level `local_authority`: each is a tenant with admins of its own."""
    return categories.local_authorities(session)


@router.get(
    "/{code}/categories",
    response_model=list[AuthorityCategoryOut],
    summary="An authority's own categories",
    responses=problems(404),
)
def authority_categories(code: Code, session: ReadSessionDep) -> list[dict[str, Any]]:
    """The categories this authority added; `GET /taxonomy?within=CODE` offers them with
    the shared taxonomy."""
    return categories.authority_categories(session, code)


@router.post(
    "/{code}/categories",
    response_model=AuthorityCategoryOut,
    status_code=status.HTTP_201_CREATED,
    summary="Add a category of the authority's own",
    responses=problems(403, 404, 409),
)
def add_category(
    code: Code, body: NewCategoryIn, account: SignedInDep, session: SessionDep
) -> dict[str, Any]:
    """A category under one of the six kinds (and under a `parent` of that kind), offered
    and taken only within this authority; for its admins (and admins of everything)."""
    new = categories.NewCategory(body.slug, body.name, body.kind, body.parent)
    return categories.add_category(session, account, code, new)
