"""axe-core in the browser tests: the copy npm installed from the registry (package.json pins
it, as a development dependency; the app never serves it), put into the page under test by
playwright, run against WCAG 2.2 A and AA and axe's best practices."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Frame, Page

from app.settings import PROJECT_ROOT

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# What must never be found: what axe calls serious or critical.
BLOCKING = ("serious", "critical")

# WCAG 2.5.8 (target size) exempts targets whose place is essential to what they say: a
# map's markers stand where their assets are, and close ones overlap at a locality's zoom
# (each is also found by name with the search, then alone on the map, and a cluster zooms
# in). So axe's target-size rule skips the markers' pane, and holds every other target.
MARKERS = ".leaflet-marker-pane"
_RUN = """async ([tags, markers]) => {
    const options = { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] };
    const all = await axe.run(
        document, { ...options, rules: { "target-size": { enabled: false } } },
    );
    const targets = await axe.run(
        { exclude: [[markers]] },
        { runOnly: { type: "rule", values: ["target-size"] }, resultTypes: ["violations"] },
    );
    return [...all.violations, ...targets.violations].map((rule) => ({
        id: rule.id, impact: rule.impact, help: rule.help,
        nodes: rule.nodes.map((node) => node.target.join(" ")),
    }));
}"""


def violations(page: Page | Frame) -> list[dict[str, Any]]:
    """Every rule axe finds broken on the page as it is now, with the elements at fault.
    The page's Content-Security-Policy refuses the inline script playwright adds: the
    contexts of these audits bypass it (`bypass_csp=True`); the policy itself is tested in
    tests/api/test_hardening.py and tests/browser/test_embed.py."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = page.evaluate(_RUN, [RULES, MARKERS])
    return found


def blocking(page: Page | Frame, where: str) -> list[str]:
    """The serious and critical violations on the page, each said in a line naming `where`
    (the page and its state), the rule and the first elements at fault."""
    return [
        f"{where}: {rule['id']} ({rule['impact']}): {rule['help']}: {rule['nodes'][:5]}"
        for rule in violations(page)
        if rule["impact"] in BLOCKING
    ]
