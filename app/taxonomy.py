"""The default taxonomy: the six kinds of asset, their categories, and the outcome domains.

The migrations seed the database from these; a locality may add its own categories later.
The names are the catalogue's (app.i18n: `N_` and `_c` mark them), said in the reader's
language where they are shown; the slugs stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.i18n import N_

# The six classes of asset-based community development, as the page names them.
KIND_NAMES: dict[str, str] = {
    "individual": N_("individual"),
    "association": N_("association"),
    "institution": N_("institution"),
    "physical": N_("physical"),
    "economic": N_("economic"),
    "cultural": N_("cultural"),
}
# What each kind holds.
KINDS: dict[str, str] = {
    "individual": N_("A person's skill, knowledge or gift"),
    "association": N_("A volunteer group, club or faith group"),
    "institution": N_("A public service, school, GP, library or charity"),
    "physical": N_("A park, hall, building or garden"),
    "economic": N_("A local business, market or employer"),
    "cultural": N_("Heritage, arts or a tradition"),
}


@dataclass(frozen=True)
class Category:
    slug: str
    name: str
    children: tuple[Category, ...] = field(default=())


def _c(slug: str, name: str, *children: Category) -> Category:
    return Category(slug, name, children)


# Top-level categories of each kind; a slug is unique across the whole tree.
DEFAULT_CATEGORIES: dict[str, tuple[Category, ...]] = {
    "individual": (
        _c("skill", "Skill or trade"),
        _c("knowledge", "Knowledge or experience"),
        _c("gift", "Gift or talent"),
    ),
    "association": (
        _c(
            "community-group",
            "Community group",
            _c("lunch-club", "Lunch club"),
            _c("youth-group", "Youth group"),
            _c("residents-association", "Residents' or tenants' association"),
            _c("volunteer-group", "Volunteer group"),
            _c("support-group", "Peer support group"),
        ),
        _c("faith", "Faith group", _c("place-of-worship", "Place of worship")),
        _c("sport", "Sport and exercise", _c("sports-club", "Sports club")),
        _c("arts-group", "Arts, music or hobby group"),
    ),
    "institution": (
        _c(
            "health",
            "Health",
            _c("gp-practice", "GP practice"),
            _c("pharmacy", "Pharmacy"),
            _c("dentist", "Dentist"),
            _c("hospital", "Hospital"),
            _c("mental-health-service", "Mental health service"),
        ),
        _c("social-care", "Social care", _c("care-home", "Care home")),
        _c(
            "education",
            "Education",
            _c("school", "School"),
            _c("nursery", "Nursery"),
            _c("college", "College"),
            _c("childrens-centre", "Children's centre"),
        ),
        _c("library", "Library"),
        _c("charity", "Charity"),
        _c("advice-service", "Advice service"),
        _c(
            "food-support",
            "Food support",
            _c("food-bank", "Food bank"),
            _c("community-pantry", "Community pantry"),
        ),
        _c("emergency-service", "Police, fire or ambulance station"),
    ),
    "physical": (
        _c(
            "green-space",
            "Green space",
            _c("park", "Park"),
            _c("community-garden", "Community garden or allotment"),
            _c("playground", "Playground"),
        ),
        _c(
            "community-building",
            "Community building",
            _c("community-centre", "Community centre"),
            _c("village-hall", "Hall"),
        ),
        _c("sports-facility", "Sports facility"),
        _c("public-toilet", "Public toilet"),
    ),
    "economic": (
        _c(
            "local-business",
            "Local business",
            _c("shop", "Shop"),
            _c("cafe", "Cafe"),
            _c("pub", "Pub"),
        ),
        _c("market", "Market"),
        _c("employer", "Employer"),
        _c("post-office", "Post office"),
        _c("bank", "Bank or credit union"),
    ),
    "cultural": (
        _c("heritage", "Heritage site"),
        _c("museum", "Museum or gallery"),
        _c("arts-venue", "Arts venue"),
        _c("festival", "Festival or tradition"),
    ),
}

# Whole-life outcome domains an asset contributes to.
OUTCOMES: dict[str, str] = {
    "health-wellbeing": N_("Health and wellbeing"),
    "social-connection": N_("Social connection"),
    "money-work": N_("Money and work"),
    "housing": N_("Housing"),
    "learning-skills": N_("Learning and skills"),
    "safety": N_("Safety"),
    "environment": N_("Environment"),
    "culture-leisure": N_("Culture and leisure"),
    "getting-around": N_("Getting around"),
}


def flatten() -> list[tuple[str, str, str, str | None]]:
    """Every default category as (slug, name, kind, parent slug), parents before children."""
    rows: list[tuple[str, str, str, str | None]] = []

    def walk(kind: str, category: Category, parent: str | None) -> None:
        rows.append((category.slug, category.name, kind, parent))
        for child in category.children:
            walk(kind, child, category.slug)

    for kind, tops in DEFAULT_CATEGORIES.items():
        for top in tops:
            walk(kind, top, None)
    return rows
