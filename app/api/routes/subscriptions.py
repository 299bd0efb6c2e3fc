"""Subscriptions to changes: `/subscriptions`, a signed-in user's webhooks and weekly email
digests, and each webhook's delivery log. Deliveries are sent by the service's own worker
(app.domain.deliveries)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from app.api.answers import DeliveryOut, NewSubscriptionOut, SubscriptionOut
from app.api.deps import ReadSessionDep, SessionDep, SignedInDep
from app.api.openapi import Responses, problems
from app.domain import subscriptions
from app.domain.subscriptions import NewSubscription, Service
from app.schemas import Kind, Slug
from app.settings import SubscriptionSettings

router = APIRouter(prefix="/subscriptions", tags=["subscriptions"])

SubscriptionId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The subscription's id")]
TOO_MANY: Responses = {429: {"description": "You have as many subscriptions as one may have"}}


class SubscriptionIn(BaseModel):
    """A webhook (`url`) or a weekly email digest (`email_digest: true`, to your account's
    email) of the changes to the assets inside `within`, of `kind`, in `category` (or one
    below it), for `outcome`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"url": "https://hooks.example.org/assets", "within": "E08000009"}]
        },
    )

    url: Annotated[str | None, Field(max_length=2000, description="http(s) URL to POST to")] = None
    email_digest: bool = False
    within: Annotated[str, Field(min_length=1, max_length=20, description="An area's code")]
    kind: Kind | None = None
    category: Slug | None = None
    outcome: Slug | None = None


async def subscription_settings(request: Request) -> SubscriptionSettings:
    settings: SubscriptionSettings = request.app.state.subscription_settings
    return settings


SubscriptionSettingsDep = Annotated[SubscriptionSettings, Depends(subscription_settings)]


def _service(request: Request) -> Service:
    server = request.scope.get("server")
    listening = (str(server[0]), int(server[1])) if server and server[1] is not None else None
    return Service(base_url=str(request.base_url), listening=listening)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=NewSubscriptionOut,
    summary="Subscribe to changes",
    responses=TOO_MANY,
)
def subscribe(
    request: Request,
    response: Response,
    body: SubscriptionIn,
    account: SignedInDep,
    session: SessionDep,
    settings: SubscriptionSettingsDep,
) -> dict[str, Any]:
    """Each change the public sees to a matching asset (added, changed, archived, or no
    longer public) is POSTed to `url` as JSON, signed with the `secret` answered here
    (shown this once): `X-Signature: sha256=<hex HMAC-SHA256 of the body>`. Failed
    deliveries are tried again, waiting longer each time; after many failures in a row the
    subscription pauses (resume it with POST .../resume). With `email_digest`, a weekly
    email of the changes instead."""
    asked = NewSubscription(
        within=body.within,
        url=body.url,
        email_digest=body.email_digest,
        kind=body.kind,
        category=body.category,
        outcome=body.outcome,
    )
    made, secret = subscriptions.create(session, account, asked, _service(request), settings)
    response.headers["Location"] = f"/subscriptions/{made['id']}"
    return made | {"secret": secret}


@router.get("", response_model=list[SubscriptionOut], summary="Your subscriptions")
def my_subscriptions(account: SignedInDep, session: ReadSessionDep) -> list[dict[str, Any]]:
    """Your subscriptions, oldest first (never their secrets)."""
    return subscriptions.mine(session, account)


@router.get(
    "/{subscription_id}",
    response_model=SubscriptionOut,
    summary="One of your subscriptions",
    responses=problems(404),
)
def my_subscription(
    subscription_id: SubscriptionId, account: SignedInDep, session: ReadSessionDep
) -> dict[str, Any]:
    """Whether it is paused, and why; how many deliveries wait."""
    return subscriptions.get(session, account, subscription_id)


@router.delete(
    "/{subscription_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Unsubscribe",
    responses=problems(404),
)
def unsubscribe(subscription_id: SubscriptionId, account: SignedInDep, session: SessionDep) -> None:
    """End it; what it had yet to be sent is not sent."""
    subscriptions.delete(session, account, subscription_id)


@router.post(
    "/{subscription_id}/resume",
    response_model=SubscriptionOut,
    summary="Resume a paused subscription",
    responses=problems(404),
)
def resume(
    subscription_id: SubscriptionId, account: SignedInDep, session: SessionDep
) -> dict[str, Any]:
    """What waited is sent again at once."""
    return subscriptions.resume(session, account, subscription_id)


@router.get(
    "/{subscription_id}/deliveries",
    response_model=list[DeliveryOut],
    summary="A webhook's delivery log",
    responses=problems(404),
)
def delivery_log(
    subscription_id: SubscriptionId,
    account: SignedInDep,
    session: ReadSessionDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="The newest this many")] = 100,
) -> list[dict[str, Any]]:
    """Newest first: each change, when it was last tried and how many times, the
    receiver's status code or why there was none, and whether it was received."""
    return subscriptions.deliveries(session, account, subscription_id, limit)
