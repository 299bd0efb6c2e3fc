"""Residents and practitioners decide together, each group with an equal say: the moderator
of Trafford makes a round of four options and sends the invites; a resident ranks them on a
phone with the keyboard alone; a practitioner drags them into order on a laptop; the round
closes, and the results page shows both constituencies side by side and names the winner.
The partnership then scores itself against the six characteristics, on a phone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import MODERATOR, PASSWORD, Watched

TRAFFORD, LSOA = "E08000009", "E01006108"
RESIDENTS, PRACTITIONERS = "Residents and community members", "Practitioners and commissioners"
# Partington, where the round asks about a new GP practice
PARTINGTON = (-2.4262, 53.4196)
YOUTH_CLUB = "A youth club in Partington"


@pytest.fixture(scope="module")
def runner(browser_server: str) -> dict[str, str]:
    """Headers of the moderator of Trafford, who runs the rounds, signed in with a password."""
    signed_in = httpx.post(
        f"{browser_server}/auth/token", data={"username": MODERATOR, "password": PASSWORD}
    )
    signed_in.raise_for_status()
    return {"Authorization": f"Bearer {signed_in.json()['access_token']}"}


def _when(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


def _round(base: str, runner: dict[str, str], method: str = "borda", **more: Any) -> dict[str, Any]:
    """A round of Trafford open now, with a gap, a site, an innovation and a free option."""
    innovation = httpx.post(
        f"{base}/innovations",
        json={"name": "Walk and talk", "areas": [LSOA], "levers": ["brokering"]},
        headers=runner,
    )
    assert innovation.status_code == 201, innovation.text
    body = {
        "area": TRAFFORD,
        "question": "Which gaps do we act on first this year?",
        "method": method,
        "opens_at": _when(-1),
        "closes_at": _when(24),
        "options": [
            {"kind": "gap", "area": LSOA, "category": "gp-practice"},
            {"kind": "site", "lon": PARTINGTON[0], "lat": PARTINGTON[1], "category": "gp-practice"},
            {"kind": "innovation", "innovation": innovation.json()["id"]},
            {"kind": "free", "title": YOUTH_CLUB, "description": "Open three evenings a week"},
        ],
    } | more
    made = httpx.post(f"{base}/rounds", json=body, headers=runner, timeout=60)
    assert made.status_code == 201, made.text
    answer: dict[str, Any] = made.json()
    return answer


def _invites(
    base: str, runner: dict[str, str], made: dict[str, Any], group: str, count: int
) -> list[dict[str, str]]:
    """`count` invites for `group`: each its code and link."""
    answer = httpx.post(
        f"{base}/rounds/{made['id']}/invites",
        json={"constituency": group, "count": count},
        headers=runner,
    )
    assert answer.status_code == 201, answer.text
    invites: list[dict[str, str]] = answer.json()["invites"]
    return invites


def _as_cast(base: str, made: dict[str, Any], code: str) -> dict[str, Any]:
    """The ballot the API keeps for the invite `code`."""
    answer = httpx.get(
        f"{base}/rounds/{made['id']}/ballot", headers={"Authorization": f"Bearer {code}"}
    )
    answer.raise_for_status()
    ballot: dict[str, Any] = answer.json()
    return ballot


def _open(watched: Watched, url: str) -> Page:
    page = watched.page
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    return page


def _name_of_focus(page: Page) -> str:
    name: str = page.evaluate(
        """() => {
            const focused = document.activeElement;
            if (!focused) return "";
            return (focused.getAttribute("aria-label") || focused.textContent || "").trim();
        }"""
    )
    return name


def _tab_to(page: Page, name: str, most: int = 80) -> None:
    """Press Tab, and only Tab, until the control named `name` has the focus."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if _name_of_focus(page) == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def _drag(page: Page, title: str, past: str) -> None:
    """Drag the ballot's card `title` by its handle, with the mouse, to just past the card
    `past` (below it when dragging down, above it when dragging up)."""
    card = page.locator("#ranking li", has_text=title)
    other = page.locator("#ranking li", has_text=past)
    page.locator("#ranking").scroll_into_view_if_needed()
    handle = card.locator(".handle").bounding_box()
    start, target = card.bounding_box(), other.bounding_box()
    assert handle and start and target
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    down = target["y"] > start["y"]
    to = target["y"] + (target["height"] - 4 if down else 4)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, to, steps=12)
    page.mouse.up()


def _titles(page: Page) -> list[str]:
    return page.locator("#ranking .rank-title").all_text_contents()


def test_a_resident_ranks_on_a_phone_by_keyboard_a_practitioner_drags_on_a_laptop(
    phone: Watched, desktop: Watched, browser_server: str, runner: dict[str, str]
) -> None:
    made = _round(browser_server, runner)
    gap, site, innovation, free = made["options"]
    (resident,) = _invites(browser_server, runner, made, RESIDENTS, 1)
    practitioners = _invites(browser_server, runner, made, PRACTITIONERS, 4)

    # a resident, on a phone, with the keyboard alone: the youth club first, the site last
    page = _open(phone, resident["link"])
    assert "code=" not in page.url  # taken out of the address bar, kept in the tab
    assert _titles(page) == [gap["title"], site["title"], innovation["title"], YOUTH_CLUB]
    _tab_to(page, f"Move up: {YOUTH_CLUB}")
    for _ in range(3):
        page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=f"Move up: {YOUTH_CLUB}")).to_be_focused()
    expect(page.locator("#announce")).to_have_text(f"{YOUTH_CLUB}: now rank 1 of 4.")
    _tab_to(page, f"Move down: {site['title']}")
    page.keyboard.press("Space")
    expect(page.locator("#announce")).to_have_text(f"{site['title']}: now rank 4 of 4.")
    expect(page.locator("#ranking li").first).to_contain_text(f"Rank 1 of 4: {YOUTH_CLUB}")
    _tab_to(page, "Cast my ballot")
    with page.expect_response(lambda r: r.url.endswith("/ballot")) as cast:
        page.keyboard.press("Enter")
    assert cast.value.status == 201
    expect(page.locator("#status")).to_contain_text("Your ballot is cast")
    expect(page.locator("#voting-as")).to_contain_text(RESIDENTS)
    phone.screenshot("equal-say-ballot-phone")
    ranked = [free["id"], gap["id"], innovation["id"], site["id"]]
    assert _as_cast(browser_server, made, resident["code"])["ranking"] == ranked

    # a reload keeps the code, and shows the ballot as cast, to change
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    expect(page.get_by_role("button", name="Change my ballot")).to_be_visible()
    assert _titles(page) == [YOUTH_CLUB, gap["title"], innovation["title"], site["title"]]

    # a practitioner, on a laptop, drags the gap to the bottom
    laptop = _open(desktop, practitioners[0]["link"])
    _drag(laptop, gap["title"], past=YOUTH_CLUB)
    assert _titles(laptop) == [site["title"], innovation["title"], YOUTH_CLUB, gap["title"]]
    expect(laptop.locator("#announce")).to_have_text(f"{gap['title']}: now rank 4 of 4.")
    with laptop.expect_response(lambda r: r.url.endswith("/ballot")) as cast:
        laptop.get_by_role("button", name="Cast my ballot").click()
    assert cast.value.status == 201
    desktop.screenshot("equal-say-ballot-laptop")
    theirs = [site["id"], innovation["id"], free["id"], gap["id"]]
    assert _as_cast(browser_server, made, practitioners[0]["code"])["ranking"] == theirs

    # three more practitioners agree with the first, through the API; then the round closes
    for invite in practitioners[1:]:
        httpx.post(
            f"{browser_server}/rounds/{made['id']}/ballot",
            json={"ranking": theirs},
            headers={"Authorization": f"Bearer {invite['code']}"},
        ).raise_for_status()
    httpx.post(f"{browser_server}/rounds/{made['id']}/close", headers=runner).raise_for_status()

    # Borda, four options: 3, 2, 1, 0. The resident: club 3, gap 2, walk 1, site 0 (of 6);
    # the practitioners: site 12, walk 8, club 4, gap 0 (of 24). With an equal say: club
    # (1/2 + 1/6)/2 = 1/3 first; a head count: site 12 of 30 first, the club 7.
    laptop.goto(f"{browser_server}/rounds/{made['id']}/results?f=html")
    laptop.wait_for_selector("body[data-ready=true]")
    expect(laptop.locator("#verdict")).to_have_text(
        f"With an equal say for each constituency, {YOUTH_CLUB} comes first."
    )
    expect(laptop.locator("#differ")).to_contain_text(f"would have put {site['title']} first")
    groups = laptop.locator("#groups > article")
    expect(groups).to_have_count(2)
    residents, practitioners_result = groups.nth(0), groups.nth(1)
    expect(residents.locator("h3")).to_have_text(RESIDENTS)
    expect(residents).to_contain_text("1 of 1 invited voted (100.0%)")
    expect(residents.locator("tbody tr").first).to_contain_text(YOUTH_CLUB)
    expect(residents.locator("svg[role=img]")).to_have_attribute(
        "aria-label", re.compile(f"^{RESIDENTS}")
    )
    expect(practitioners_result.locator("h3")).to_have_text(PRACTITIONERS)
    expect(practitioners_result).to_contain_text("4 of 4 invited voted")
    expect(practitioners_result.locator("tbody tr").first).to_contain_text(site["title"])
    combined = laptop.locator("#combined > article").first
    expect(combined.locator("tbody tr").first).to_contain_text(f"{YOUTH_CLUB}33.3%")
    expect(laptop.locator("#method")).to_contain_text("n - r")
    desktop.screenshot("equal-say-results")

    laptop.get_by_role("link", name="The decision record").click()
    expect(laptop.locator("main")).to_contain_text(
        f"With an equal say for each constituency, {YOUTH_CLUB} came first."
    )
    expect(laptop.locator("main")).to_contain_text("IMD 2019 decile")
    assert phone.problems == [] and desktop.problems == []


def test_a_practitioner_who_voted_elsewhere_changes_their_points_and_comments(
    phone: Watched, browser_server: str, runner: dict[str, str]
) -> None:
    question = "Where do our 100 points go? <script>alert('not run')</script>"
    made = _round(browser_server, runner, "points", points_total=100, question=question)
    gap, site, *_ = made["options"]
    (mine,) = _invites(browser_server, runner, made, PRACTITIONERS, 1)
    # cast on another device: every point to the gap
    httpx.post(
        f"{browser_server}/rounds/{made['id']}/ballot",
        json={"points": {str(gap["id"]): 100}},
        headers={"Authorization": f"Bearer {mine['code']}"},
    ).raise_for_status()

    page = _open(phone, mine["link"])
    expect(page.locator("h1")).to_have_text(question)  # as text, never as markup

    def points(option: dict[str, Any]) -> Locator:
        return page.get_by_role("spinbutton", name=option["title"], exact=True)

    points(gap).fill("50")
    points(site).fill("50")
    expect(page.locator("#points-total")).to_have_text("You have given 100 of 100 points: 0 left.")
    with page.expect_response(lambda r: r.url.endswith("/ballot")) as used:
        page.get_by_role("button", name="Cast my ballot").click()
    assert used.value.status == 403
    # the ballot as it was cast comes back, to change
    expect(page.locator("#status")).to_contain_text("This invite had cast its ballot already")
    expect(points(gap)).to_have_value("100")
    expect(points(site)).to_have_value("0")

    points(gap).fill("80")
    points(site).fill("30")
    expect(page.locator("#points-total")).to_have_text(
        "You have given 110 of 100 points: 10 too many."
    )
    with page.expect_response(lambda r: r.url.endswith("/ballot")) as refused:
        page.get_by_role("button", name="Change my ballot").click()
    assert refused.value.status == 422
    expect(page.locator("#points-error")).to_contain_text("at most 100 to share")
    points(gap).fill("60")
    points(site).fill("40")
    with page.expect_response(lambda r: r.url.endswith("/ballot")) as changed:
        page.get_by_role("button", name="Change my ballot").click()
    assert changed.value.status == 200
    expect(page.locator("#status")).to_contain_text("Your ballot is changed")
    stored = _as_cast(browser_server, made, mine["code"])
    assert stored["points"] == {str(gap["id"]): 60, str(site["id"]): 40}
    assert stored["changes"] == 1

    # a comment on the site shows under the practitioners, and nothing else about who said it
    card = page.locator(f"#option-{site['id']}")
    card.locator("summary").click()
    card.get_by_label(f"Your comment on {site['title']}").fill("The surgery there has no parking")
    with page.expect_response(lambda r: r.url.endswith("/comments")) as commented:
        card.get_by_role("button", name="Add my comment").click()
    assert commented.value.status == 201
    group = card.locator(".comment-group", has_text=PRACTITIONERS)
    expect(group).to_contain_text("The surgery there has no parking")
    expect(card.locator("summary")).to_have_text("1 comment")
    phone.screenshot("equal-say-points-phone")
    expected = ("403", "422")  # the refusals the page showed
    assert [p for p in phone.problems if not any(status in p for status in expected)] == []


CHARACTERISTICS = {
    "whole_life_outcomes": "Whole-life outcomes",
    "co_produced_outcomes": "Outcomes co-produced",
    "equal_say": "People and communities with an equal say",
    "shared_expertise": "Relationships that make best use",
    "devolved_processes": "Supportive, fast and devolved",
    "reshaping_assets": "Continual stimulating and reshaping",
}


def test_the_partnership_scores_itself_on_a_phone_and_sees_its_next_area(
    phone: Watched, browser_server: str, runner: dict[str, str]
) -> None:
    made = httpx.post(
        f"{browser_server}/assessments",
        json={"area": TRAFFORD, "title": "Trafford's self-assessment, winter 2026"},
        headers=runner,
    )
    assert made.status_code == 201, made.text
    assessment = made.json()["assessment"]

    def invite(group: str) -> dict[str, str]:
        answer = httpx.post(
            f"{browser_server}/assessments/{assessment}/invites",
            json={"constituency": group, "count": 1},
            headers=runner,
        )
        answer.raise_for_status()
        invites: list[dict[str, str]] = answer.json()["invites"]
        return invites[0]

    resident, practitioner = invite(RESIDENTS), invite(PRACTITIONERS)
    # the practitioners think they share decisions well enough: 4 for an equal say, 3 else
    httpx.post(
        f"{browser_server}/assessments/{assessment}/response",
        json={
            "scores": {slug: {"score": 4 if slug == "equal_say" else 3} for slug in CHARACTERISTICS}
        },
        headers={"Authorization": f"Bearer {practitioner['code']}"},
    ).raise_for_status()

    # the resident gives 2 for an equal say and 4 for the rest, but forgets the last at first
    page = _open(phone, resident["link"])
    assert "code=" not in page.url and "f=html" in page.url
    for slug, name in CHARACTERISTICS.items():
        group = page.get_by_role("group", name=re.compile(re.escape(name)))
        if slug == "equal_say":
            group.get_by_label("2: a little").check()
            group.get_by_label("Why? (optional)").fill(
                "Residents hear of decisions after they are made"
            )
        elif slug != "reshaping_assets":
            group.get_by_label("4: mostly").check()
    page.get_by_label("Where is our next area for development?").fill("Sharing budgets")
    with page.expect_response(lambda r: r.url.endswith("/response")) as refused:
        page.get_by_role("button", name="Send my scores").click()
    assert refused.value.status == 422
    last = page.get_by_role("group", name=re.compile(CHARACTERISTICS["reshaping_assets"]))
    expect(last.locator(".error").first).to_have_text("score every characteristic, 1 to 5")
    expect(last.get_by_label("1: not yet")).to_be_focused()
    last.get_by_label("4: mostly").check()
    with page.expect_response(lambda r: r.url.endswith("/response")) as sent:
        page.get_by_role("button", name="Send my scores").click()
    assert sent.value.status == 201
    expect(page.locator("#status")).to_contain_text(f"as one of {RESIDENTS}")

    # equal say: residents 2, practitioners 4, combined 3; the rest (4 + 3) / 2 = 3.5
    expect(page.locator("#next-area")).to_contain_text(
        "People and communities with an equal say in every decision"
    )
    equal_say = page.locator("#results-table tbody tr", has_text=CHARACTERISTICS["equal_say"])
    expect(equal_say.locator("td")).to_have_text(["2.00", "4.00", "3.00"])
    expect(page.locator("#answers")).to_contain_text(
        "Residents hear of decisions after they are made"
    )
    phone.screenshot("equal-say-assessment-phone")

    page.get_by_role("link", name="The area's assessments over time").click()
    page.wait_for_selector("body[data-ready=true]")
    expect(page.locator("#table thead")).to_contain_text("Trafford's self-assessment, winter 2026")
    expect(page.locator("#chart svg[role=img]")).to_be_visible()
    assert [problem for problem in phone.problems if "422" not in problem] == []
