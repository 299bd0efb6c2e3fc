"""Locality maps: a folium page of one area, its neighbourhoods as a choropleth (IMD decile,
or gap-analysis priority) and its assets as clustered markers coloured by kind, loading
Leaflet and its plugins from this service rather than a CDN."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import folium
from branca.element import Element
from folium.plugins import MarkerCluster
from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from app.analysis.gaps import analyse_gaps
from app.analysis.inputs import AssetMatch
from app.analysis.question import GapQuestion
from app.domain import areas
from app.domain.assets import AssetFilter, list_assets
from app.models import Area
from app.schemas import MapLayer
from app.settings import AnalysisSettings
from app.web.vendor import VENDOR_PATH

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
NEIGHBOURHOODS = "Neighbourhoods"
ASSETS = "Assets"
# Assets no one has confirmed for this long are greyed out (the review queue's default P12M).
STALE_AFTER = timedelta(days=365)
STALE_COLOUR = "#9e9e9e"


@dataclass(frozen=True)
class MapRequest:
    """What to draw: the area, the choropleth, which assets, and (for `gaps`) how far."""

    code: str
    layer: MapLayer = "imd"
    kind: str | None = None
    category: str | None = None
    outcome: str | None = None
    distance_m: float = 1_000.0


def locality_map(
    session: Session, wanted: MapRequest, basemap_url: str, settings: AnalysisSettings
) -> str:
    """The map page's HTML. A 404 for an unknown area; a 422 for an unknown filter."""
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
        folium.TileLayer(basemap_url, attr="© OpenStreetMap contributors", name="Basemap").add_to(
            made
        )
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
    neighbourhoods, legend = _choropleth(session, wanted, settings)
    neighbourhoods.add_to(made)
    _assets_layer(session, wanted).add_to(made)
    folium.LayerControl(collapsed=False).add_to(made)
    page: Any = made.get_root()  # a branca Figure: html, header and render()
    page.html.add_child(Element(legend))
    title = html.escape(f"{area['properties']['name']} ({wanted.code})")
    page.header.add_child(Element(f"<title>{title}: community assets</title>"))
    page.header.add_child(Element('<link rel="icon" href="data:,">'))
    return str(page.render())


def _choropleth(
    session: Session, wanted: MapRequest, settings: AnalysisSettings
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
        question = GapQuestion(
            within=wanted.code,
            match=AssetMatch(wanted.kind, wanted.category, wanted.outcome),
            distance_m=wanted.distance_m,
        )
        report = analyse_gaps(session, question, settings)
        by_code = {row["code"]: row for row in report.areas}
        top = max((row["priority"] for row in report.areas), default=0) or 1
        for feature in features:
            found = by_code.get(feature["id"], {})
            feature["properties"]["gap"] = found
            feature["properties"]["fill"] = (
                COVERED_COLOUR if found.get("covered", True) else _red(found["priority"] / top)
            )
            feature["properties"]["tip"] = (
                f"{feature['properties']['name']}: rank {found.get('rank')}, "
                f"{'covered' if found.get('covered') else 'not covered'}, nearest "
                f"{found.get('nearest_m')} m"
            )
        legend = _legend(
            f"Within {wanted.distance_m:g} m of a matching asset",
            [
                ("covered", COVERED_COLOUR),
                ("not covered, low priority", _red(0.2)),
                ("not covered, high priority", _red(1.0)),
            ],
        )
    else:
        for feature in features:
            decile = _decile(feature["properties"]["indicators"])
            feature["properties"]["fill"] = (
                DECILE_COLOURS[decile - 1] if decile is not None else "#cccccc"
            )
            feature["properties"]["tip"] = (
                f"{feature['properties']['name']}: IMD 2019 decile {decile or 'unknown'}"
            )
        legend = _legend(
            "IMD 2019 decile (1 = most deprived)",
            [(str(number), colour) for number, colour in enumerate(DECILE_COLOURS, start=1)],
        )
    layer = folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=NEIGHBOURHOODS,
        style_function=lambda feature: {
            "fillColor": feature["properties"]["fill"],
            "fillOpacity": 0.55,
            "color": "#444",
            "weight": 0.7,
        },
        tooltip=folium.GeoJsonTooltip(["tip"], labels=False),
    )
    return layer, legend + _kind_legend()


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


def _assets_layer(session: Session, wanted: MapRequest) -> MarkerCluster:
    """The published assets inside the area, clustered, each a dot coloured by kind with a
    popup: name, category, address, contact, when last verified."""
    cluster = MarkerCluster(name=ASSETS)  # type: ignore[no-untyped-call]
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
    wanted_assets = AssetFilter(
        kind=wanted.kind, category=wanted.category, outcome=wanted.outcome, area_code=wanted.code
    )
    after = None
    while True:
        page = list_assets(session, wanted_assets, 10_000, after)
        for text in page.features:
            _marker(json.loads(text)).add_to(cluster)
        if page.next_cursor is None:
            break
        after = page.next_cursor
    return cluster


def last_confirmed(found: dict[str, Any]) -> datetime:
    """When someone last confirmed an asset: verified it, or else added it."""
    return datetime.fromisoformat(found.get("verified_at") or found["created_at"])


def _marker(feature: dict[str, Any]) -> folium.Marker:
    found = feature["properties"]
    lon, lat = feature["geometry"]["coordinates"]
    stale = last_confirmed(found) < datetime.now(UTC) - STALE_AFTER
    colour = STALE_COLOUR if stale else KIND_COLOURS.get(found["kind"], "#666")
    dot = (
        f'<div class="{"asset-dot stale" if stale else "asset-dot"}" style="background:{colour};'
        f"width:14px;height:14px;border-radius:7px;opacity:{0.6 if stale else 1};"
        'border:2px solid #fff;box-shadow:0 0 2px #000"></div>'
    )
    name = found["name"] + (" (not confirmed for over a year)" if stale else "")
    return folium.Marker(
        [lat, lon],
        icon=folium.DivIcon(html=dot, icon_size=(18, 18), icon_anchor=(9, 9)),
        tooltip=html.escape(name),
        popup=folium.Popup(_popup(found, stale), max_width=320),
    )


def _popup(found: dict[str, Any], stale: bool) -> str:
    contact = found.get("contact") or {}
    lines = [
        f"<strong>{html.escape(found['name'])}</strong>",
        html.escape(f"{found['kind']}, {found.get('category') or 'no category'}"),
    ]
    if found.get("address") or found.get("postcode"):
        address = ", ".join(p for p in (found.get("address"), found.get("postcode")) if p)
        lines.append(html.escape(address))
    for key in ("phone", "email", "website"):
        if contact.get(key):
            lines.append(html.escape(f"{key}: {contact[key]}"))
    verified = found.get("verified_at")
    lines.append(html.escape(f"last verified: {verified[:10] if verified else 'never'}"))
    if stale:
        lines.append("<em>not confirmed for over a year: is it still there?</em>")
    return "<br>".join(lines)


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


def _kind_legend() -> str:
    rows = "".join(
        f'<div><span style="display:inline-block;width:12px;height:12px;border-radius:6px;'
        f'background:{colour};margin-right:6px;vertical-align:middle"></span>{kind}</div>'
        for kind, colour in [*KIND_COLOURS.items(), ("not confirmed for a year", STALE_COLOUR)]
    )
    return (
        '<div class="map-legend" style="position:fixed;bottom:24px;right:12px;z-index:1000;'
        "background:#fff;padding:8px 10px;border:1px solid #999;border-radius:4px;"
        f'font:12px sans-serif"><strong>Assets by kind</strong>{rows}</div>'
    )
