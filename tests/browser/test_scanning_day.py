"""A rapid scanning day in Partington: the moderator of Trafford opens a session and
shares its join link; Sam joins on a laptop, Priya on a phone; each taps the map where an
asset is and names it, and each sees the other's appear on their own map within two
seconds, without reloading; the facilitator approves Sam's, closes the session, and the
session's report lists it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, MODERATOR, PASSWORD, Watched, watch
from tests.browser.test_page import _pixel, _zoom_to

# How soon everyone in the room sees what anyone adds (the rule), in seconds.
LIVE_S = 2.0
# Partington, where the room looks for places with nothing on the map yet.
PARTINGTON = (-2.4262, 53.4196)


@pytest.fixture
def laptop(browser: Browser) -> Iterator[Watched]:
    """A second laptop in the room (the `desktop` fixture is the facilitator's)."""
    context = browser.new_context(viewport=DESKTOP)
    yield watch(context.new_page())
    context.close()


def _open_session(base: str, title: str) -> dict[str, Any]:
    """A session of Trafford opened through the API by its moderator, with its join link."""
    signed_in = httpx.post(f"{base}/auth/token", data={"username": MODERATOR, "password": PASSWORD})
    signed_in.raise_for_status()
    opened = httpx.post(
        f"{base}/sessions",
        json={"area": "E08000009", "title": title, "held_on": date.today().isoformat()},
        headers={"Authorization": f"Bearer {signed_in.json()['access_token']}"},
    )
    opened.raise_for_status()
    body: dict[str, Any] = opened.json()
    return body


def _open_page(watched: Watched, url: str) -> Page:
    page = watched.page
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    return page


def _join(page: Page, name: str, consent: bool) -> None:
    """Join from the join link's page (its code filled in already)."""
    expect(page.get_by_label("The session's code")).not_to_have_value("")
    page.get_by_label("Your name, as the room will see it").fill(name)
    page.get_by_label("Name me in the leaders' network").set_checked(consent)
    with page.expect_response(lambda r: r.url.endswith("/join")) as joined:
        page.get_by_role("button", name="Join").click()
    assert joined.value.status == 201
    expect(page.locator("#adding")).to_be_visible()
    expect(page.locator("#live")).to_have_text("Live")


def _sign_in_to_facilitate(page: Page) -> None:
    page.get_by_role("button", name="Facilitator? Sign in").click()
    page.get_by_label("Email").fill(MODERATOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("#sign-in").get_by_role("button", name="Sign in").click()
    expect(page.locator("#facilitation")).to_be_visible()
    expect(page.locator("#live")).to_have_text("Live")


def _add_by_tapping(page: Page, where: tuple[float, float], name: str, tap: bool) -> float:
    """Tap (or click) the map at `where`, name the asset there and add it; when the
    service's answer (202: it waits for the facilitators) reached the browser, in seconds
    since 1970, by the browser's timing of the request."""
    _zoom_to(page, *where, loads_by_view=False)
    x, y = _pixel(page, *where)
    if tap:
        page.touchscreen.tap(x, y)
    else:
        page.mouse.click(x, y)
    form = page.locator("#asset-form")
    expect(form).to_be_visible()
    expect(form.get_by_label("Name")).to_be_focused()
    form.get_by_label("Name").fill(name)
    form.get_by_label("Kind").select_option("association")
    with page.expect_response(
        lambda r: r.request.method == "POST" and "/assets" in r.url
    ) as answer:
        form.get_by_role("button", name="Add it").click()
    assert answer.value.status == 202
    timing = answer.value.request.timing
    return (timing["startTime"] + timing["responseStart"]) / 1000


def _seen_within(page: Page, name: str, answered: float) -> float:
    """Wait, at most until LIVE_S after `answered` (seconds since 1970), for the marker of
    the asset `name` the room added to appear on `page` (which did not reload); how long
    after `answered` the test saw it (a little after the page drew it)."""
    marker = page.locator(f'.leaflet-marker-icon.added-marker[title^="{name}:"]')
    left_ms = max(0.0, LIVE_S - (time.time() - answered)) * 1000
    marker.wait_for(state="attached", timeout=left_ms)
    return time.time() - answered


def _quiet_places(base: str, around: tuple[float, float], count: int) -> list[tuple[float, float]]:
    """`count` places near `around`, on a grid 0.003 degrees (about 200 m) apart, with
    nothing published within 150 m: what anyone adds there is no near-duplicate."""
    found: list[tuple[float, float]] = []
    for step_east in range(-3, 4):
        for step_north in range(-3, 4):
            where = (around[0] + step_east * 0.003, around[1] + step_north * 0.003)
            near = httpx.get(
                f"{base}/assets", params={"near": f"{where[0]},{where[1]}", "within_m": 150}
            ).json()
            if not near["features"]:
                found.append(where)
            if len(found) == count:
                return found
    raise AssertionError(f"fewer than {count} quiet places near {around}")


def test_two_people_see_each_others_additions_live_and_the_facilitator_approves_one(
    desktop: Watched, laptop: Watched, phone: Watched, browser_server: str
) -> None:
    sams_place, priyas_place = _quiet_places(browser_server, PARTINGTON, 2)
    opened = _open_session(browser_server, "Partington scanning day")
    facilitator = _open_page(desktop, f"{browser_server}/sessions/{opened['id']}")
    _sign_in_to_facilitate(facilitator)
    sam = _open_page(laptop, opened["join_url"])
    _join(sam, "Sam", consent=True)
    priya = _open_page(phone, opened["join_url"])
    _join(priya, "Priya", consent=False)
    expect(facilitator.locator("#people")).to_have_text("2 joined")

    sams_answer = _add_by_tapping(sam, sams_place, "Partington Seed Swap", tap=False)
    seen_by_priya = _seen_within(priya, "Partington Seed Swap", sams_answer)
    priyas_answer = _add_by_tapping(priya, priyas_place, "Men's Shed on Central Road", tap=True)
    seen_by_sam = _seen_within(sam, "Men's Shed on Central Road", priyas_answer)
    print(f"\nseen by the other within {seen_by_priya:.3f} s and {seen_by_sam:.3f} s")
    expect(sam.locator("#feed")).to_contain_text("Men's Shed on Central Road")
    expect(sam.locator("#feed")).to_contain_text("by someone in the room")  # Priya, unnamed
    expect(priya.locator("#feed")).to_contain_text("Partington Seed Swap (association) by Sam")
    laptop.screenshot("scanning-day-laptop")
    phone.screenshot("scanning-day-phone")

    waiting = facilitator.locator("#waiting li", has_text="Partington Seed Swap")
    with facilitator.expect_response(lambda r: r.url.endswith("/approve")) as approved:
        waiting.get_by_role("button", name="Approve Partington Seed Swap (association)").click()
    assert approved.value.status == 200
    expect(waiting).to_have_count(0)
    expect(facilitator.locator("#waiting")).to_contain_text("Men's Shed on Central Road")
    for page in (sam, priya):
        published = page.locator("#feed li", has_text="Partington Seed Swap")
        expect(published.locator(".state")).to_have_text("published")
    desktop.screenshot("scanning-day-facilitator")

    facilitator.get_by_role("button", name="Close the session").click()
    with facilitator.expect_response(lambda r: r.url.endswith("/close")) as closed:
        facilitator.get_by_role("button", name="Yes, close the session").click()
    assert closed.value.status == 200
    for page in (sam, priya):
        expect(page.locator("#closed")).to_be_visible()
        expect(page.locator("#adding")).to_be_hidden()
    for page in (facilitator, sam, priya):  # the service ended everyone's stream
        expect(page.locator("#live")).to_have_text("Not connected")

    facilitator.goto(f"{browser_server}/sessions/{opened['id']}/report")
    expect(facilitator.locator("body")).to_contain_text("Partington Seed Swap")
    assert desktop.problems == [] and laptop.problems == [] and phone.problems == []


def test_a_wrong_code_is_said_by_its_field_and_a_look_alike_asks_is_it_one_of_these(
    phone: Watched, browser_server: str
) -> None:
    (where,) = _quiet_places(browser_server, PARTINGTON, 1)
    opened = _open_session(browser_server, "Partington scanning day, the afternoon")
    page = _open_page(phone, f"{browser_server}/sessions/{opened['id']}")  # no code in it
    code = page.get_by_label("The session's code")
    expect(code).to_be_focused()
    code.fill("WRONG-CODE")
    page.get_by_label("Your name, as the room will see it").fill("Jo")
    with page.expect_response(lambda r: r.url.endswith("/join")) as refused:
        page.get_by_role("button", name="Join").click()
    assert refused.value.status == 403
    expect(page.locator("#j-code-error")).to_contain_text("not this session's code")
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(code).to_be_focused()
    code.fill(opened["code"].lower())
    _join(page, "Jo", consent=False)

    _zoom_to(page, *where, loads_by_view=False)
    page.get_by_role("button", name="Add an asset at the map's centre").click()
    form = page.locator("#asset-form")
    form.get_by_label("Name").fill("Partington Repair Cafe")
    form.get_by_label("Kind").select_option("association")
    form.get_by_role("button", name="Add it").click()
    expect(page.locator("#status")).to_contain_text("waits for the facilitators")
    page.get_by_role("button", name="Add an asset at the map's centre").click()
    form.get_by_label("Name").fill("Repair Cafe Partington")
    form.get_by_label("Kind").select_option("association")
    with page.expect_response(lambda r: "/assets" in r.url) as looked_alike:
        form.get_by_role("button", name="Add it").click()
    assert looked_alike.value.status == 409
    look_alikes = page.locator("#duplicates")
    expect(look_alikes).to_be_focused()
    expect(look_alikes).to_contain_text("Is it one of these?")
    expect(look_alikes).to_contain_text("Partington Repair Cafe, 0 m away, added today")
    phone.screenshot("scanning-day-look-alike")
    with page.expect_response(lambda r: "confirmed=true" in r.url) as meant:
        page.get_by_role("button", name="It is another place: add it").click()
    assert meant.value.status == 202
    expect(page.locator(".added-marker")).to_have_count(2)
    page.reload()  # Jo stays in the room
    page.wait_for_selector("body[data-ready=true]")
    expect(page.locator("#who")).to_have_text("You: Jo")
    expect(page.locator(".added-marker")).to_have_count(2)
    expect(page.locator("#live")).to_have_text("Live")
    # the browser logs the refusals the page showed and the stream the reload cut off, and
    # nothing else went wrong
    expected = (" 403 ", " 409 ", f"failed: {browser_server}/sessions/{opened['id']}/events?")
    assert [p for p in phone.problems if not any(what in p for what in expected)] == []


def test_the_facilitator_confirms_and_celebrates_and_someone_names_their_innovation(
    desktop: Watched, laptop: Watched, browser_server: str
) -> None:
    library = httpx.get(
        f"{browser_server}/assets", params={"q": "Stretford Library", "limit": 1}
    ).json()["features"][0]
    lon, lat = library["geometry"]["coordinates"]
    neighbour = next(
        feature
        for feature in httpx.get(
            f"{browser_server}/assets", params={"near": f"{lon},{lat}", "limit": 10}
        ).json()["features"]
        if feature["id"] != library["id"] and '"' not in feature["properties"]["name"]
    )
    opened = _open_session(browser_server, "Stretford scanning day")
    facilitator = _open_page(desktop, f"{browser_server}/sessions/{opened['id']}")
    _sign_in_to_facilitate(facilitator)
    sam = _open_page(laptop, opened["join_url"])
    _join(sam, "Sam", consent=True)

    _zoom_to(facilitator, *library["geometry"]["coordinates"], loads_by_view=False)
    facilitator.locator('.leaflet-marker-icon[title="Stretford Library"]').click()
    popup = facilitator.locator(".leaflet-popup")
    with facilitator.expect_response(lambda r: "/confirm/" in r.url) as confirmed:
        popup.get_by_role("button", name="Confirmed today: it is still there").click()
    assert confirmed.value.status == 200
    popup.get_by_label("Why celebrate them (optional)").fill("runs the reading circle")
    with facilitator.expect_response(lambda r: r.url.endswith("/leaders")) as flagged:
        popup.get_by_role("button", name="Flag as a leader to celebrate").click()
    assert flagged.value.status == 200
    feed = sam.locator("#feed")
    expect(feed).to_contain_text("Stretford Library: confirmed today")
    expect(feed).to_contain_text("A leader to celebrate: Stretford Library, runs the reading")

    # Sam names an innovation they got going, from the keyboard alone
    sam.get_by_role("button", name="Add an innovation").focus()
    sam.keyboard.press("Enter")
    expect(sam.locator("#i-name")).to_be_focused()
    sam.keyboard.type("Seed library at the station")
    sam.keyboard.press("Tab")
    sam.keyboard.type("Swapping seeds at the library, then at the station")
    sam.keyboard.press("Tab")
    expect(sam.get_by_label("I got this going")).to_be_focused()
    sam.keyboard.press("Space")
    with sam.expect_response(lambda r: r.url.endswith("/innovations")) as added:
        sam.keyboard.press("Enter")
    assert added.value.status == 202
    expect(feed).to_contain_text("Innovation: Seed library at the station by Sam")
    waiting = facilitator.locator("#waiting li", has_text="Seed library at the station")
    with facilitator.expect_response(lambda r: r.url.endswith("/approve")) as approved:
        waiting.get_by_role("button", name="Approve").click()
    assert approved.value.status == 200
    innovation = feed.locator("li", has_text="Seed library at the station")
    expect(innovation.locator(".state")).to_have_text("published")

    # and links the library to its neighbour, choosing both on the map
    _zoom_to(sam, lon, lat, loads_by_view=False)
    sam.locator('.leaflet-marker-icon[title="Stretford Library"]').click()
    sam.locator(".leaflet-popup").get_by_role("button", name="Link from here").click()
    expect(sam.locator("#l-from")).to_have_text("Stretford Library")
    _zoom_to(sam, *neighbour["geometry"]["coordinates"], loads_by_view=False)
    name = neighbour["properties"]["name"]
    sam.locator(f'.leaflet-marker-icon[title="{name}"]').first.click()
    sam.locator(".leaflet-popup").get_by_role("button", name="Link to this one").click()
    expect(sam.get_by_label("How it is linked")).to_be_focused()
    sam.get_by_label("How it is linked").select_option(label="partners with")
    with sam.expect_response(lambda r: r.url.endswith("/links")) as linked:
        sam.get_by_role("button", name="Add this link").click()
    assert linked.value.status == 202
    link_words = f"Stretford Library partners with {name}"
    expect(facilitator.locator("#waiting")).to_contain_text(link_words)
    desktop.screenshot("scanning-day-celebrated")
    assert desktop.problems == [] and laptop.problems == []
