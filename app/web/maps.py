"""Locality maps: a folium page of one area, its neighbourhoods as a choropleth (IMD decile,
or gap-analysis priority) and its assets as clustered markers coloured by kind, loading
Leaflet and its plugins from this service rather than a CDN.

The page holds the neighbourhoods; the assets are read by the page from the area's GeoJSON
export (static/locality-map.js), so the page stays small at any number of assets and shows
each asset exactly as the export does: through the public view.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode

import folium
from branca.element import Element
from folium.plugins import MarkerCluster
from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from app import i18n
from app.analysis.gaps import analyse_gaps
from app.analysis.question import GapQuestion
from app.domain import areas, categories
from app.domain.asset_search import AssetMatch
from app.models import Area
from app.schemas import MapLayer
from app.settings import AnalysisSettings
from app.taxonomy import KIND_NAMES, OUTCOMES
from app.web.vendor import PAGE_PATH, VENDOR_PATH

KIND_COLOURS = {
    "individual": "#e41a1c",
    "association": "#377eb8",
    "institution": "#4daf4a",
    "physical": "#984ea3",
    "economic": "#ff7f00",
    "cultural": "#a65628",
}
# IMD 2019 decile 1 (most deprived) to 10 (least)
DECILE_COLOURS = [
    "#67001f",
    "#b2182b",
    "#d6604d",
    "#f4a582",
    "#fddbc7",
    "#d1e5f0",
    "#92c5de",
    "#4393c3",
    "#2166ac",
    "#053061",
]
COVERED_COLOUR = "#d9f0d3"
NEIGHBOURHOODS = i18n.N_("Neighbourhoods")
ASSETS = i18n.N_("Assets")
INNOVATIONS = i18n.N_("Innovations")
INNOVATION_COLOUR = "#ffd92f"
# Assets no one has confirmed for this long are greyed out (the review queue's default P12M).
STALE_AFTER = timedelta(days=365)
STALE_COLOUR = "#9e9e9e"


@dataclass(frozen=True)
class MapRequest:
    """What to draw: the area, the choropleth, which assets, (for `gaps`) how far, and in
    which language (app.i18n: "en" or "cy")."""

    code: str
    layer: MapLayer = "imd"
    match: AssetMatch = field(default_factory=AssetMatch)
    distance_m: float = 1_000.0
    language: str = i18n.ENGLISH

    @property
    def question(self) -> GapQuestion:
        """The gap analysis `layer=gaps` shades the neighbourhoods by."""
        return GapQuestion(within=self.code, match=self.match, distance_m=self.distance_m)

    @property
    def innovations_url(self) -> str:
        """Where the page reads its innovations: those inside the area, as GeoJSON."""
        query = {"within": self.code, "f": "geojson", "limit": 10_000}
        if self.match.outcome is not None:
            query["outcome"] = self.match.outcome
        return "/innovations?" + urlencode(query)

    @property
    def assets_url(self) -> str:
        """Where the page reads its assets: the area's GeoJSON export, with the filters."""
        filters = {
            "kind": self.match.kind,
            "category": self.match.category,
            "outcome": self.match.outcome,
        }
        query = {"within": self.code} | {k: v for k, v in filters.items() if v is not None}
        return "/exports/assets.geojson?" + urlencode(query)


def locality_map(
    session: Session, wanted: MapRequest, basemap_url: str, settings: AnalysisSettings
) -> str:
    """The map page's HTML in the request's language. A 404 for an unknown area; a 422 for
    an unknown filter."""
    _ = i18n.translator(wanted.language)
    area = json.loads(areas.get_area(session, wanted.code))
    bounds = session.execute(
        select(
            func.ST_XMin(Area.geom),
            func.ST_YMin(Area.geom),
            func.ST_XMax(Area.geom),
            func.ST_YMax(Area.geom),
        ).where(Area.code == wanted.code)
    ).one()
    made = folium.Map(tiles=None, control_scale=True)
    if basemap_url:
        attribution = _("© OpenStreetMap contributors")
        folium.TileLayer(basemap_url, attr=attribution, name=_("Basemap")).add_to(made)
    made.default_js = [
        ("leaflet", f"{VENDOR_PATH}/leaflet/leaflet.js"),
        ("jquery", f"{VENDOR_PATH}/jquery/jquery.min.js"),
    ]
    made.default_css = [("leaflet_css", f"{VENDOR_PATH}/leaflet/leaflet.css")]
    made.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])

    folium.GeoJson(
        area,
        name=area["properties"]["name"],
        style_function=lambda _: {"fill": False, "color": "#222", "weight": 2.5},
    ).add_to(made)
    neighbourhoods, legend = _choropleth(session, wanted, settings, _)
    neighbourhoods.add_to(made)
    cluster = _assets_layer(_)
    cluster.add_to(made)
    innovations = folium.FeatureGroup(name=_(INNOVATIONS))
    innovations.add_to(made)
    folium.LayerControl(collapsed=False).add_to(made)
    page: Any = made.get_root()  # a branca Figure: html, header and render()
    page.html.add_child(Element(legend))
    page.html.add_child(Element(_brief_link(wanted.code, _)))
    heading = _("{area}: community assets").format(area=area["properties"]["name"])
    title = _("{area}: community assets").format(
        area=f"{area['properties']['name']} ({wanted.code})"
    )
    page.header.add_child(Element(f"<title>{html.escape(title)}</title>"))
    page.header.add_child(Element('<link rel="icon" href="data:,">'))
    page.header.add_child(Element(f'<script src="{PAGE_PATH}/locality-map.js"></script>'))
    options = {
        "colours": KIND_COLOURS,
        "staleColour": STALE_COLOUR,
        "staleDays": STALE_AFTER.days,
        "words": _popup_words(session, _),
    }
    # once folium's own script has made the map and the (empty) cluster
    page.script.add_child(
        Element(
            'document.addEventListener("DOMContentLoaded", () => '
            f"assetmapLoadAssets({cluster.get_name()}, "
            f"{json.dumps(wanted.assets_url)}, {json.dumps(options)}));"
        )
    )
    page.script.add_child(
        Element(
            'document.addEventListener("DOMContentLoaded", () => '
            f"assetmapLoadInnovations({innovations.get_name()}, "
            f"{json.dumps(wanted.innovations_url)}, {json.dumps(INNOVATION_COLOUR)}, "
            f"{json.dumps(options['words'])}));"
        )
    )
    return _accessible(str(page.render()), heading, wanted.language)


def _popup_words(session: Session, _: i18n.Translate) -> dict[str, Any]:
    """What the page's script (static/locality-map.js) says in its tooltips and popups, in
    the map's language: its sentences ("{x}" filled in there) and the names of the kinds,
    categories and outcomes by slug."""
    return {
        "noCategory": _("no category"),
        "phone": _("phone: {x}"),
        "email": _("email: {x}"),
        "website": _("website: {x}"),
        "verified": _("last verified: {x}"),
        "never": _("never"),
        "stale": _("not confirmed for over a year: is it still there?"),
        "staleName": _("{x} (not confirmed for over a year)"),
        "assetsFailed": _("the assets could not be loaded ({x})"),
        "reload": _("{x}: reload the page to try again"),
        "innovation": _("innovation, {x}"),
        "outcomes": _("outcomes: {x}"),
        "more": _("{x} more"),
        "leaders": _("got going by: {x}"),
        "levers": _("how: {x}"),
        "innovationsFailed": _("the innovations could not be loaded ({x})"),
        "kinds": {kind: _(name) for kind, name in KIND_NAMES.items()},
        "categories": {
            node["slug"]: _(node["name"]) for node in _flat(categories.category_tree(session))
        },
        "outcomeNames": {slug: _(name) for slug, name in OUTCOMES.items()},
    }


def _flat(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [each for node in nodes for each in (node, *_flat(node["children"]))]


# folium's page says no language, stops people zooming it on a phone, and holds no landmark
# or heading: said and fixed here, on its rendered HTML.
_FOLIUM_VIEWPORT = re.compile(r'<meta name="viewport" content="[^"]*"\s*/?>')


def _accessible(page: str, heading: str, language: str) -> str:
    """The page in `language`, zoomable, its content in a `main` landmark under an h1."""
    page = page.replace("<html>", f'<html lang="{language}">', 1)
    page = _FOLIUM_VIEWPORT.sub(
        lambda _: '<meta name="viewport" content="width=device-width, initial-scale=1">', page, 1
    )
    title = (
        '<h1 style="position:absolute;width:1px;height:1px;overflow:hidden;'
        f'clip:rect(0 0 0 0);white-space:nowrap">{html.escape(heading)}</h1>'
    )
    # as tall as the body, as folium's map (height 100%) needs
    page = page.replace("<body>", f'<body>\n<main style="height:100%">{title}', 1)
    return page.replace("</body>", "</main>\n</body>", 1)


def _choropleth(
    session: Session, wanted: MapRequest, settings: AnalysisSettings, _: i18n.Translate
) -> tuple[folium.GeoJson, str]:
    """The area's neighbourhoods (LSOAs) shaded by IMD decile or gap priority, and the
    legend's HTML."""
    rows = session.execute(
        select(cast(areas.area_feature(), Text)).where(
            Area.level == "lsoa", Area.code.in_(_lsoas_inside(session, wanted.code))
        )
    ).scalars()
    features = [json.loads(row) for row in rows]
    if wanted.layer == "gaps":
        report = analyse_gaps(session, wanted.question, settings)
        by_code = {row["code"]: row for row in report.areas}
        top = max((row["priority"] for row in report.areas), default=0) or 1
        for feature in features:
            found = by_code.get(feature["id"], {})
            feature["properties"]["gap"] = found
            feature["properties"]["fill"] = (
                COVERED_COLOUR if found.get("covered", True) else _red(found["priority"] / top)
            )
            tip = (
                _("{name}: rank {rank}, covered, nearest {metres} m")
                if found.get("covered")
                else _("{name}: rank {rank}, not covered, nearest {metres} m")
            )
            feature["properties"]["tip"] = tip.format(
                name=feature["properties"]["name"],
                rank=found.get("rank"),
                metres=found.get("nearest_m"),
            )
        legend = _legend(
            _("Within {metres} m of a matching asset").format(metres=f"{wanted.distance_m:g}"),
            [
                (_("covered"), COVERED_COLOUR),
                (_("not covered, low priority"), _red(0.2)),
                (_("not covered, high priority"), _red(1.0)),
            ],
        )
    else:
        for feature in features:
            decile = _decile(feature["properties"]["indicators"])
            feature["properties"]["fill"] = (
                DECILE_COLOURS[decile - 1] if decile is not None else "#cccccc"
            )
            feature["properties"]["tip"] = _("{name}: IMD 2019 decile {decile}").format(
                name=feature["properties"]["name"], decile=decile or _("unknown")
            )
        legend = _legend(
            _("IMD 2019 decile (1 = most deprived)"),
            [(str(number), colour) for number, colour in enumerate(DECILE_COLOURS, start=1)],
        )
    layer = folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=_(NEIGHBOURHOODS),
        style_function=lambda feature: {
            "fillColor": feature["properties"]["fill"],
            "fillOpacity": 0.55,
            "color": "#444",
            "weight": 0.7,
        },
        tooltip=folium.GeoJsonTooltip(["tip"], labels=False),
    )
    return layer, legend + _kind_legend(_)


def _lsoas_inside(session: Session, code: str) -> list[str]:
    """The codes of the LSOAs inside area `code` (itself, if it is one)."""
    tree = select(Area.code, Area.level).where(Area.code == code).cte("inside", recursive=True)
    tree = tree.union(select(Area.code, Area.level).where(Area.parent_code == tree.c.code))
    return list(session.scalars(select(tree.c.code).where(tree.c.level == "lsoa")))


def _decile(indicators: dict[str, Any]) -> int | None:
    value = (indicators or {}).get("imd_decile", {}).get("value")
    return int(value) if isinstance(value, int | float) and 1 <= value <= 10 else None


def _red(strength: float) -> str:
    strength = max(0.0, min(1.0, strength))
    red, green, blue = (
        int(253 - 100 * strength),
        int(187 - 170 * strength),
        int(132 - 110 * strength),
    )
    return f"#{red:02x}{green:02x}{blue:02x}"


def _assets_layer(_: i18n.Translate) -> MarkerCluster:
    """The layer the page fills with the area's assets, clustered."""
    cluster = MarkerCluster(name=_(ASSETS))  # type: ignore[no-untyped-call]
    cluster.default_js = [
        ("markerclusterjs", f"{VENDOR_PATH}/leaflet.markercluster/leaflet.markercluster.js")
    ]
    cluster.default_css = [
        ("markerclustercss", f"{VENDOR_PATH}/leaflet.markercluster/MarkerCluster.css"),
        (
            "markerclusterdefaultcss",
            f"{VENDOR_PATH}/leaflet.markercluster/MarkerCluster.Default.css",
        ),
    ]
    return cluster


def _legend(title: str, entries: list[tuple[str, str]]) -> str:
    rows = "".join(
        f'<div><span style="display:inline-block;width:14px;height:14px;background:{colour};'
        f'margin-right:6px;vertical-align:middle"></span>{html.escape(label)}</div>'
        for label, colour in entries
    )
    return (
        '<div class="map-legend" style="position:fixed;bottom:56px;left:12px;z-index:1000;'
        "background:#fff;padding:8px 10px;border:1px solid #999;border-radius:4px;"
        f'font:12px sans-serif"><strong>{html.escape(title)}</strong>{rows}</div>'
    )


def _brief_link(code: str, _: i18n.Translate) -> str:
    """A link to the area's commissioning brief (its latest snapshot, printable)."""
    href = html.escape(f"/areas/{quote(code, safe='')}/brief")
    words = html.escape(_("Commissioning brief"))
    return (
        f'<a class="brief-link" href="{href}" style="position:fixed;top:10px;left:54px;'
        "z-index:1000;background:#fff;padding:5px 9px;border:1px solid #999;"
        f'border-radius:4px;font:13px sans-serif;color:#1d3557">{words}</a>'
    )


def _kind_legend(_: i18n.Translate) -> str:
    named = [(_(KIND_NAMES[kind]), colour) for kind, colour in KIND_COLOURS.items()]
    heading = html.escape(_("Assets by kind"))
    rows = "".join(
        f'<div><span style="display:inline-block;width:12px;height:12px;border-radius:6px;'
        f'background:{colour};margin-right:6px;vertical-align:middle"></span>'
        f"{html.escape(name)}</div>"
        for name, colour in [*named, (_("not confirmed for a year"), STALE_COLOUR)]
    )
    return (
        '<div class="map-legend" style="position:fixed;bottom:24px;right:12px;z-index:1000;'
        "background:#fff;padding:8px 10px;border:1px solid #999;border-radius:4px;"
        f'font:12px sans-serif"><strong>{heading}</strong>{rows}</div>'
    )
