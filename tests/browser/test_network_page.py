"""A locality partnership after a rapid scanning day: opens Trafford's systems leadership
network, sees who got which innovation going with the connectors standing out, and reads the
same network as a list, sorted by betweenness, from the keyboard or a phone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, Watched

AREA = "E08000009"
# unique to this test, as the browser database is shared
INNOVATION = "Community circles (the network page's test)"


def _first_asset(base: str, category: str) -> dict[str, Any]:
    found = httpx.get(
        base + "/assets", params={"within": AREA, "category": category, "limit": 1}
    ).json()["features"]
    assert found, f"the demo has no {category} in {AREA}"
    feature: dict[str, Any] = found[0]
    return feature


@pytest.fixture(scope="module")
def scanning_day(browser_server: str, admin_headers: dict[str, str]) -> Iterator[str]:
    """What a scanning day records, through the API: a faith group meets at a library and
    a food bank meets at the faith group, which got community circles going at the library.
    Yields the faith group's name; the links are removed and the innovation archived
    afterwards."""
    base = browser_server
    library = _first_asset(base, "library")
    food_bank = _first_asset(base, "food-bank")
    faith_group = _first_asset(base, "place-of-worship")
    links = []
    for start, end in ((faith_group, library), (food_bank, faith_group)):
        added = httpx.post(
            f"{base}/assets/{start['id']}/links",
            json={"type": "meets_at", "to": end["id"]},
            headers=admin_headers,
        )
        assert added.status_code == 201, added.text
        links.append((start["id"], added.json()["id"]))
    recorded = httpx.post(
        base + "/innovations",
        json={
            "name": INNOVATION,
            "description": "Trained volunteers bring family, friends and neighbours together "
            "around a person with care needs.",
            "outcomes": ["social-connection"],
            "areas": [AREA],
            "assets": [library["id"]],
            "leaders": [{"asset": faith_group["id"]}],
            "levers": ["brokering"],
            "status": "spreading",
        },
        headers=admin_headers,
    )
    assert recorded.status_code == 201, recorded.text
    yield str(faith_group["properties"]["name"])
    for asset_id, link_id in links:
        httpx.delete(f"{base}/assets/{asset_id}/links/{link_id}", headers=admin_headers)
    httpx.patch(
        f"{base}/innovations/{recorded.json()['id']}",
        json={"review": "archived"},
        headers=admin_headers,
    ).raise_for_status()


def _drawn(watched: Watched, base: str) -> Page:
    page = watched.page
    page.goto(f"{base}/network/{AREA}")
    expect(page.locator("body")).to_have_attribute("data-state", "drawn", timeout=30_000)
    return page


def _network(base: str) -> dict[str, Any]:
    answer = httpx.get(base + "/network", params={"within": AREA})
    answer.raise_for_status()
    network: dict[str, Any] = answer.json()
    return network


def test_a_partnership_sees_the_network_drawn_and_listed(
    desktop: Watched, browser_server: str, scanning_day: str
) -> None:
    page = _drawn(desktop, browser_server)
    network = _network(browser_server)
    labels = sorted(node["label"] for node in network["nodes"])

    assert page.evaluate("networkPage.cy.nodes().length") == len(network["nodes"])
    # the whole network is fitted into the drawing
    fits = page.evaluate(
        """() => { const cy = networkPage.cy, box = cy.elements().renderedBoundingBox();
                   return box.x1 >= 0 && box.y1 >= 0 && box.x2 <= cy.width()
                          && box.y2 <= cy.height(); }"""
    )
    assert fits
    # the connectors stand out: the node with the highest betweenness is drawn largest
    connector = max(network["nodes"], key=lambda node: node["betweenness"])
    drawn = dict(page.evaluate("networkPage.cy.nodes().map((node) => [node.id(), node.width()])"))
    assert drawn[connector["id"]] == max(drawn.values())
    names = page.locator("#node-list tbody .node-name")
    expect(names).to_have_count(len(network["nodes"]))
    assert sorted(names.all_inner_texts()) == labels
    expect(page.locator("#status")).to_contain_text(f"{len(labels)} people, groups")
    if network["people_not_shown"]:
        expect(page.locator("#not-shown")).to_contain_text(f"{network['people_not_shown']} more")
    desktop.screenshot("network-page")

    # the connectors first
    shown = page.locator("#node-list tbody td:nth-child(4)").all_inner_texts()
    assert shown == sorted(shown, key=float, reverse=True)
    page.get_by_role("button", name="Name", exact=True).click()
    assert names.all_inner_texts() == sorted(labels, key=str.lower)

    # selecting the innovation in the list says how connected it is, and who got it going
    page.get_by_role("button", name=INNOVATION, exact=True).click()
    innovation = next(node for node in network["nodes"] if node["label"] == INNOVATION)
    expect(page.locator("#selected-name")).to_have_text(INNOVATION)
    expect(page.locator("#selected-facts")).to_contain_text("Innovation (spreading)")
    expect(page.locator("#selected-facts dt:has-text('Connections') + dd")).to_have_text(
        str(innovation["degree"])
    )
    expect(page.locator("#selected-connections")).to_contain_text(f"Got going by: {scanning_day}")
    assert page.evaluate("networkPage.cy.$('node:selected').data('label')") == INNOVATION
    assert desktop.problems == []


def test_the_network_reads_at_a_phones_width(
    phone: Watched, browser_server: str, scanning_day: str
) -> None:
    page = _drawn(phone, browser_server)

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(page.locator("#graph")).to_be_visible()
    page.get_by_role("button", name=INNOVATION, exact=True).tap()
    expect(page.locator("#selected-name")).to_have_text(INNOVATION)
    assert phone.problems == []
