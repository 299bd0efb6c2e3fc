"""Each route answers in the shape `/openapi.json` gives for it: real requests on the demo
locality, by the people who would send them, each answer held by schemathesis to its own
operation's documented status, media type and schema. Every operation the description
lists is asked at least once, so a route added later without a documented answer fails."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.auth import accounts
from app.domain.reminders import send_due_reminders
from app.settings import ReminderSettings
from tests.conftest import asset_feature, bearer
from tests.mailbox import mailbox

STRETFORD = (-2.3157, 53.4466)
SIX = (
    "whole_life_outcomes",
    "co_produced_outcomes",
    "equal_say",
    "shared_expertise",
    "devolved_processes",
    "reshaping_assets",
)
PASSWORD = "a pass phrase long enough"


@pytest.fixture
def who(demo_session: Session) -> dict[str, dict[str, str]]:
    """The headers of each kind of user asking."""
    accounts.create_user(demo_session, "pat@example.org", "contributor", [], PASSWORD)
    return {
        "anyone": {},
        "admin": bearer(demo_session, "root@example.org", "admin"),
        "moderator": bearer(demo_session, "mo@example.org", "moderator", ("E08000009",)),
        "contributor": bearer(demo_session, "ann@example.org", "contributor"),
    }


def test_every_operation_answers_as_described(
    demo_client: TestClient, demo_session: Session, who: dict[str, dict[str, str]]
) -> None:
    description = demo_client.get("/openapi.json").json()
    schema = schemathesis.openapi.from_dict(description)
    asked: set[tuple[str, str]] = set()

    def ask(
        method: str, template: str, path: str | None = None, as_: str = "anyone", **send: Any
    ) -> Any:
        headers = who[as_] | send.pop("headers", {})
        response = demo_client.request(method, path or template, headers=headers, **send)
        operation = schema[template][method.upper()]
        documented = description["paths"][template][method]["responses"]
        assert str(response.status_code) in documented, (method, path, response.status_code)
        if response.content:
            operation.validate_response(response)
        asked.add((method, template))
        return response

    gp = ask("get", "/assets", "/assets?category=gp-practice&limit=3").json()["features"][0]
    ask("get", "/assets", "/assets?near=-2.3372,53.4494&within_m=2000&limit=2")
    ask("get", "/assets/{asset_id}", f"/assets/{gp['id']}")
    ask("get", "/assets/{asset_id}", f"/assets/{gp['id']}", as_="admin")
    made = ask("post", "/assets", as_="admin", json=asset_feature(*STRETFORD)).json()
    ask("post", "/assets", json=asset_feature(*STRETFORD, name="Seed swap"))
    mine = ask("post", "/assets", as_="contributor", json=asset_feature(*STRETFORD, name="Choir"))
    asset = f"/assets/{made['id']}"
    ask("patch", "/assets/{asset_id}", asset, as_="admin", json={"properties": {"cost": "Free"}})
    proposal = {"properties": {"cost": "£1"}}
    ask("patch", "/assets/{asset_id}", f"/assets/{gp['id']}", as_="contributor", json=proposal)
    ask("post", "/assets/{asset_id}/verify", f"{asset}/verify", as_="admin")
    ask("get", "/assets/{asset_id}/history", f"{asset}/history", as_="admin")
    ask("post", "/assets/{asset_id}/restore/{revision}", f"{asset}/restore/1", as_="admin")
    ask("delete", "/assets/{asset_id}", asset, as_="admin")
    ask("get", "/moderation/queue", as_="moderator")
    ask("get", "/moderation/mine", as_="contributor")
    pending = mine.json()["id"]
    ask("post", "/moderation/{asset_id}/approve", f"/moderation/{pending}/approve", as_="admin")
    ask(
        "post",
        "/moderation/{asset_id}/reject",
        f"/moderation/{gp['id']}/reject",
        as_="moderator",
        json={"reason": "already listed"},
    )
    ask("get", "/areas", "/areas?level=lsoa&limit=2")
    ask("get", "/areas/{code}", "/areas/E01006108")
    ask("get", "/areas/{code}/assets", "/areas/E01006108/assets?limit=2")
    ask("get", "/taxonomy")
    ask("get", "/outcomes")
    for f in ("json", "geojson", "csv"):
        ask("get", "/gaps", f"/gaps?within=E08000009&category=gp-practice&f={f}")
    body = {"within": "E08000009", "category": "food-bank", "k": 2, "weight": "need"}
    ask("post", "/gaps/suggestions", json=body)
    gps = ask("get", "/assets", "/assets?category=gp-practice&limit=2").json()["features"]
    matrix = "origin,destination,minutes\n" + "".join(
        f"E01006074,{gp['id']},{minutes}\nE01006108,{gp['id']},\n"
        for gp, minutes in zip(gps, (5, 25), strict=True)
    )
    for f in ("json", "geojson", "csv"):
        travel = f"/gaps?within=E08000009&category=gp-practice&threshold_minutes=15&f={f}"
        ask("post", "/gaps", travel, files={"costs": ("times.csv", matrix.encode(), "text/csv")})
    rows = [{"origin": "E01006074", "destination": gps[0]["id"], "minutes": 4.5}]
    ask("post", "/gaps", travel.replace("f=csv", "method=3sfca"), json={"costs": rows})
    signed_in = ask(
        "post", "/auth/token", data={"username": "pat@example.org", "password": PASSWORD}
    )
    ask("get", "/auth/me", as_="moderator")
    token = ask("post", "/auth/tokens", as_="moderator", json={"name": "a script"})
    assert signed_in.json()["access_token"] and token.json()["access_token"]
    tokens = ask("get", "/auth/tokens", as_="moderator").json()
    ask("delete", "/auth/tokens/{token_id}", f"/auth/tokens/{tokens[-1]['id']}", as_="moderator")
    for format in ("geojson", "csv", "gpkg"):
        ask("get", "/exports/assets.{format}", f"/exports/assets.{format}?kind=institution")
        ask("get", "/exports/areas.{format}", f"/exports/areas.{format}?level=ward")
        ask("get", "/exports/links.{format}", f"/exports/links.{format}?within=E08000009")
    upload = {"file": ("clubs.csv", "id,name,lon,lat\n1,Darts club,-2.3157,53.4466\n")}
    form = {"kind": "association", "source": "upload", "ref_field": "id"}
    form |= {"lon_field": "lon", "lat_field": "lat"}
    ask("post", "/imports", as_="admin", data=form, files=upload)
    ask("get", "/ogc")
    ask("get", "/ogc/api")
    for collection in ("assets", "areas"):
        queryables = f"/ogc/collections/{collection}/queryables"
        ask("get", "/ogc/collections/{collection_id}/queryables", queryables)
    ask("get", "/ogc/conformance")
    ask("get", "/ogc/collections")
    for collection, item in (("assets", gp["id"]), ("areas", "E08000009")):
        base = f"/ogc/collections/{collection}"
        ask("get", "/ogc/collections/{collection_id}", base)
        ask("get", "/ogc/collections/{collection_id}/items", f"{base}/items?limit=2")
        ask(
            "get",
            "/ogc/collections/{collection_id}/items/{feature_id}",
            f"{base}/items/{item}?crs=http://www.opengis.net/def/crs/EPSG/0/27700",
        )
        ask(
            "get",
            "/ogc/collections/{collection_id}/tiles/WebMercatorQuad/tilejson.json",
            f"{base}/tiles/WebMercatorQuad/tilejson.json",
        )
        ask(
            "get",
            "/ogc/collections/{collection_id}/tiles/WebMercatorQuad/{z}/{x}/{y}",
            f"{base}/tiles/WebMercatorQuad/12/2022/1325",
        )
    # co-production: links, innovations, the network
    library = ask("get", "/assets", "/assets?category=library&limit=1").json()["features"][0]
    links = f"/assets/{gp['id']}/links"
    made_link = ask(
        "post",
        "/assets/{asset_id}/links",
        links,
        as_="admin",
        json={"type": "partners_with", "to": library["id"]},
    ).json()
    waiting_link = ask(
        "post",
        "/assets/{asset_id}/links",
        links,
        as_="contributor",
        json={"type": "supports", "to": library["id"]},
    ).json()["link"]
    ask("get", "/assets/{asset_id}/links", links)
    ask(
        "post",
        "/moderation/links/{link_id}/approve",
        f"/moderation/links/{waiting_link['id']}/approve",
        as_="admin",
    )
    another = ask(
        "post",
        "/assets/{asset_id}/links",
        links,
        as_="contributor",
        json={"type": "funds", "to": library["id"]},
    ).json()["link"]
    ask(
        "post",
        "/moderation/links/{link_id}/reject",
        f"/moderation/links/{another['id']}/reject",
        as_="admin",
        json={"reason": "no such grant"},
    )
    ask("delete", "/assets/{asset_id}/links/{link_id}", f"{links}/{made_link['id']}", as_="admin")
    circles = {
        "name": "Community circles",
        "areas": ["E01006108"],
        "leaders": [{"asset": gp["id"]}],
        "assets": [library["id"]],
        "evidence": [{"title": "Evaluation", "url": "https://example.org/e.pdf"}],
    }
    made = ask("post", "/innovations", as_="admin", json=circles).json()
    pending = ask("post", "/innovations", as_="contributor", json=circles | {"name": "Pop-up"})
    refused = ask("post", "/innovations", as_="contributor", json=circles | {"name": "Repair"})
    for f in ("json", "geojson", "csv"):
        ask("get", "/innovations", f"/innovations?within=E08000009&f={f}")
    one = f"/innovations/{made['id']}"
    ask("get", "/innovations/{innovation_id}", one)
    ask(
        "patch",
        "/innovations/{innovation_id}",
        one,
        as_="admin",
        json={"status": "spreading"},
        headers={"If-Match": f'"{made["id"]}-1"'},
    )
    ask("get", "/innovations/{innovation_id}/history", f"{one}/history")
    ask(
        "post",
        "/moderation/innovations/{innovation_id}/approve",
        f"/moderation/innovations/{pending.json()['id']}/approve",
        as_="admin",
    )
    ask(
        "post",
        "/moderation/innovations/{innovation_id}/reject",
        f"/moderation/innovations/{refused.json()['id']}/reject",
        as_="admin",
        json={"reason": "already recorded"},
    )
    for f in ("json", "graphml"):
        ask("get", "/network", f"/network?within=E08000009&f={f}")
    ask("get", "/network/{area_code}", "/network/E08000009")
    # a scanning day: opened, joined, added to, decided, closed, and its events read
    room = ask(
        "post",
        "/sessions",
        as_="moderator",
        json={"area": "E08000009", "title": "Scanning day", "held_on": "2026-12-05"},
    ).json()
    at = f"/sessions/{room['id']}"
    ask("get", "/sessions/{session_id}", at)
    ask("get", "/sessions/{session_id}", at, headers={"Accept": "text/html"})
    joined = ask(
        "post",
        "/sessions/{session_id}/join",
        f"{at}/join",
        json={"code": room["code"], "display_name": "Sam", "consent_to_network": True},
    ).json()
    sam = {"Authorization": f"Bearer {joined['token']}"}
    seeds = ask(
        "post",
        "/sessions/{session_id}/assets",
        f"{at}/assets",
        json=asset_feature(-2.3262, 53.4421, name="Seed library"),
        headers=sam,
    ).json()
    ask(
        "post",
        "/sessions/{session_id}/assets",
        f"{at}/assets",
        json=asset_feature(-2.3262, 53.4421, name="Seed library"),
        headers=sam,
    )
    ask(
        "post",
        "/sessions/{session_id}/links",
        f"{at}/links",
        json={"from": made["id"], "type": "meets_at", "to": gp["id"]},
        headers=sam,
    )
    ask(
        "post",
        "/sessions/{session_id}/innovations",
        f"{at}/innovations",
        json={
            "name": "Seed swaps",
            "areas": ["E01006108"],
            "leaders": [{"participant": joined["participant"]["id"]}],
        },
        headers=sam,
    )
    ask("get", "/sessions/{session_id}/additions", f"{at}/additions", headers=sam)
    ask(
        "post",
        "/sessions/{session_id}/additions/{addition_id}/approve",
        f"{at}/additions/{seeds['addition']}/approve",
        as_="moderator",
    )
    ask(
        "post",
        "/sessions/{session_id}/additions/{addition_id}/reject",
        f"{at}/additions/{seeds['addition']}/reject",
        as_="moderator",
        json={"reason": "already decided"},
    )
    ask(
        "post",
        "/sessions/{session_id}/confirm/{asset_id}",
        f"{at}/confirm/{gp['id']}",
        as_="moderator",
    )
    ask(
        "post",
        "/sessions/{session_id}/leaders",
        f"{at}/leaders",
        as_="moderator",
        json={"asset": gp["id"], "note": "opened its doors to the day"},
    )
    for f in ("html", "json"):
        ask("get", "/sessions/{session_id}/report", f"{at}/report?f={f}")
    ask("get", "/sessions/{session_id}/report", f"{at}/report?f=json", headers=sam)
    for fmt in ("geojson", "csv"):
        ask("get", "/sessions/{session_id}/additions.{fmt}", f"{at}/additions.{fmt}")
    ask("post", "/sessions/{session_id}/close", f"{at}/close", as_="moderator")
    ask("get", "/sessions/{session_id}/events", f"{at}/events", as_="moderator")
    _equal_say(ask)
    _briefs(ask)
    _reminders(ask, demo_session)
    _people(ask, signed_in.json()["access_token"])
    _open_feed(ask, gp)
    _subscriptions(ask)
    ask("get", "/maps/{area_code}", "/maps/E08000009?layer=gaps&category=gp-practice")
    ask("get", "/")
    ask("get", "/embed", "/embed?within=E08000009&kind=association")
    for postcode in ("m32 0jt", "M32 9ZZ", "Stretford"):  # found, not in the lookup, none
        ask("get", "/postcodes/{postcode}", f"/postcodes/{postcode}")
    ask("get", "/health")

    documented = {
        (method, path) for path, operations in description["paths"].items() for method in operations
    }
    assert documented - asked == set()
    assert demo_session.scalar(text("SELECT count(*) FROM moderation_request")) >= 2


def _equal_say(ask: Any) -> None:
    """A decision round and a self-assessment, from making them to their records."""
    now = datetime.now(UTC)
    made = ask(
        "post",
        "/rounds",
        as_="moderator",
        json={
            "area": "E08000009",
            "question": "Which first?",
            "opens_at": (now - timedelta(hours=1)).isoformat(),
            "closes_at": (now + timedelta(hours=1)).isoformat(),
            "options": [
                {"kind": "gap", "area": "E01006108", "category": "gp-practice"},
                {"kind": "free", "title": "A youth club"},
            ],
        },
    ).json()
    at = f"/rounds/{made['id']}"
    first, second = (option["id"] for option in made["options"])
    ask("get", "/rounds")
    ask("get", "/rounds/{round_id}", at)
    ask("get", "/rounds/{round_id}/vote", f"{at}/vote")
    for f in ("json", "csv"):
        invites = ask(
            "post",
            "/rounds/{round_id}/invites",
            f"{at}/invites?f={f}",
            as_="moderator",
            json={"constituency": "Residents and community members", "count": 2},
        )
    code = invites.text.splitlines()[1].split(",")[1]
    voter = {"Authorization": f"Bearer {code}"}
    ask(
        "post",
        "/rounds/{round_id}/ballot",
        f"{at}/ballot",
        json={"ranking": [first]},
        headers=voter,
    )
    ask(
        "put",
        "/rounds/{round_id}/ballot",
        f"{at}/ballot",
        json={"ranking": [second, first]},
        headers=voter,
    )
    ask("get", "/rounds/{round_id}/ballot", f"{at}/ballot", headers=voter)
    ask(
        "post",
        "/rounds/{round_id}/options/{option_id}/comments",
        f"{at}/options/{first}/comments",
        json={"body": "Two buses away"},
        headers=voter,
    )
    ask("get", "/rounds/{round_id}/comments", f"{at}/comments")
    ask("get", "/rounds/{round_id}/results", f"{at}/results", as_="moderator")
    ask("get", "/rounds/{round_id}/record", f"{at}/record")  # 409: open still
    ask("post", "/rounds/{round_id}/close", f"{at}/close", as_="moderator")
    for f in ("json", "html"):
        ask("get", "/rounds/{round_id}/results", f"{at}/results?f={f}")
        ask("get", "/rounds/{round_id}/record", f"{at}/record?f={f}")
    ask("get", "/rounds/{round_id}/ballots.csv", f"{at}/ballots.csv")

    assessment = ask(
        "post", "/assessments", as_="moderator", json={"area": "E08000009", "title": "2026"}
    ).json()
    where = f"/assessments/{assessment['assessment']}"
    code = ask(
        "post",
        "/assessments/{assessment_id}/invites",
        f"{where}/invites",
        as_="moderator",
        json={"constituency": "Practitioners and commissioners", "count": 1},
    ).json()["invites"][0]["code"]
    scores = {"scores": {slug: {"score": 3} for slug in SIX}}
    who = {"Authorization": f"Bearer {code}"}
    ask(
        "post",
        "/assessments/{assessment_id}/response",
        f"{where}/response",
        json=scores,
        headers=who,
    )
    ask(
        "put",
        "/assessments/{assessment_id}/response",
        f"{where}/response",
        json=scores,
        headers=who,
    )
    ask("get", "/assessments/{assessment_id}/response", f"{where}/response", headers=who)
    for f in ("json", "html"):
        ask("get", "/assessments/{assessment_id}", f"{where}?f={f}")
        ask("get", "/assessments", f"/assessments?area=E08000009&f={f}")
    ask("post", "/assessments/{assessment_id}/close", f"{where}/close", as_="moderator")


def _briefs(ask: Any) -> None:
    """A locality's questions, snapshots, changes and brief."""
    area = "/areas/E08000009"
    questions = ask("get", "/areas/{area_code}/questions", f"{area}/questions").json()
    ask(
        "put",
        "/areas/{area_code}/questions",
        f"{area}/questions",
        as_="moderator",
        json={"questions": questions["questions"]},
    )
    taken = ask("post", "/areas/{area_code}/snapshots", f"{area}/snapshots", as_="moderator").json()
    ask("get", "/areas/{area_code}/snapshots", f"{area}/snapshots")
    ask("get", "/areas/{area_code}/snapshots/{snapshot_id}", f"{area}/snapshots/{taken['id']}")
    ask("get", "/areas/{area_code}/changes", f"{area}/changes?since={taken['id']}")
    ask("get", "/areas/{area_code}/brief", f"{area}/brief")


def _reminders(ask: Any, session: Session) -> None:
    """Review periods set and cleared; a year-old asset's reminder, its link and answer."""
    ask("get", "/reminders/periods")
    period = "/reminders/periods/food-bank"
    ask("put", "/reminders/periods/{category}", period, as_="admin", json={"review_after": "P3M"})
    ask("delete", "/reminders/periods/{category}", period, as_="admin")
    added = ask("post", "/assets", as_="admin", json=asset_feature(*STRETFORD, name="Old club"))
    session.execute(
        text(
            "UPDATE asset SET created_at = now() - interval '13 months', "
            "created_by = 'ann@example.org' WHERE id = :id"
        ),
        {"id": added.json()["id"]},
    )
    with mailbox() as box:
        send_due_reminders(session, ReminderSettings(), box.settings, datetime.now(UTC))
    (email,) = box.to("ann@example.org")
    body = email.get_payload(decode=True)
    assert isinstance(body, bytes)
    token = body.decode().split("token=")[1].split("&")[0]
    link = f"/reminders/answer?token={token}&answer=still_there"
    ask("get", "/reminders/answer", link)
    ask("get", "/reminders/answer", link, headers={"Accept": "text/html"})
    answer = {"token": token, "answer": "still_there"}
    ask("post", "/reminders/answer", json=answer)
    ask("post", "/reminders/answer", json=answer)  # 410: used


def _people(ask: Any, pats_token: str) -> None:
    """People administration: the pages, users listed, made, changed, disabled, enabled and
    sent a reset link that is used; one's own password; the audit; an authority's own
    categories."""
    ask("get", "/people")
    ask("get", "/people/reset")
    ask("get", "/people/users", "/people/users?q=example&limit=2", as_="admin")
    body = {"email": "quin@example.org", "role": "contributor", "authority": "E08000009"}
    made = ask("post", "/people/users", as_="admin", json=body).json()
    user = f"/people/users/{made['id']}"
    ask("get", "/people/users/{user_id}", user, as_="admin")
    ask("get", "/people/users/{user_id}", user, as_="moderator")  # 403
    change = {"role": "moderator", "areas": ["E01006108"]}
    ask("patch", "/people/users/{user_id}", user, as_="admin", json=change)
    ask("post", "/people/users/{user_id}/disable", f"{user}/disable", as_="admin")
    ask("post", "/people/users/{user_id}/enable", f"{user}/enable", as_="admin")
    link = ask("post", "/people/users/{user_id}/reset", f"{user}/reset", as_="admin").json()
    reset = {"token": link["link"].split("#token=")[1], "password": "quin's own pass phrase"}
    ask("post", "/auth/reset", json=reset)
    ask("post", "/auth/reset", json=reset)  # 410: used
    pat = {"Authorization": f"Bearer {pats_token}"}
    own = {"current_password": PASSWORD, "new_password": "pat's new pass phrase"}
    ask("post", "/auth/password", headers=pat, json=own)
    ask("get", "/people/audit", "/people/audit?limit=3", as_="admin")
    ask("get", "/authorities")
    category = {"slug": "seed-library", "name": "Seed library", "kind": "association"}
    ask(
        "post",
        "/authorities/{code}/categories",
        "/authorities/E08000009/categories",
        as_="admin",
        json=category,
    )
    ask("get", "/authorities/{code}/categories", "/authorities/E08000009/categories")
    ask("get", "/taxonomy", "/taxonomy?within=E08000009")


def _open_feed(ask: Any, gp: dict[str, Any]) -> None:
    """The opening hours, the Open Referral UK feed, and a feed imported."""
    ask("get", "/assets/{asset_id}/opening", f"/assets/{gp['id']}/opening?at=2026-12-07T10:00")
    ask("get", "/oruk/")
    ask("get", "/oruk/openapi.json")
    for name in ("services", "service_at_locations", "organizations", "taxonomies"):
        listed = ask("get", f"/oruk/{name}", f"/oruk/{name}?per_page=2&full=true").json()
        first = listed["contents"][0]["id"]
        ask("get", f"/oruk/{name}/{{id}}", f"/oruk/{name}/{first}")
    term = ask("get", "/oruk/taxonomy_terms", "/oruk/taxonomy_terms?per_page=1").json()
    ask("get", "/oruk/taxonomy_terms/{id}", f"/oruk/taxonomy_terms/{term['contents'][0]['id']}")
    service = {
        "id": "0b6c5a57-3d0e-4d2a-9f56-1f1d8c3e9a01",
        "name": "Sale Debt Advice",
        "status": "active",
        "service_at_locations": [
            {"id": "s1", "location": {"id": "l1", "latitude": 53.4239, "longitude": -2.3225}}
        ],
        "schedules": [],
        "attributes": [],
    }
    feed = {"file": ("services.json", json.dumps([service]))}
    ask("post", "/imports", as_="admin", data={"format": "oruk"}, files=feed)


def _subscriptions(ask: Any) -> None:
    """The Atom feed of changes, and a webhook and a digest subscribed to, read and ended."""
    ask("get", "/feeds/assets.atom", "/feeds/assets.atom?within=E08000009&limit=5")
    hook = {"url": "https://hooks.example.org/assets", "within": "E08000009"}
    made = ask("post", "/subscriptions", as_="contributor", json=hook).json()
    ask(
        "post",
        "/subscriptions",
        as_="contributor",
        json={"email_digest": True, "within": "E08000009", "category": "food-bank"},
    )
    at = f"/subscriptions/{made['id']}"
    ask("get", "/subscriptions", as_="contributor")
    ask("get", "/subscriptions/{subscription_id}", at, as_="contributor")
    ask("get", "/subscriptions/{subscription_id}/deliveries", f"{at}/deliveries", as_="contributor")
    ask("post", "/subscriptions/{subscription_id}/resume", f"{at}/resume", as_="contributor")
    ask("delete", "/subscriptions/{subscription_id}", at, as_="contributor")
