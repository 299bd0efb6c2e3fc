"""The brief's maps and charts, drawn on the server as inline SVG: no script, no tiles, no
file to fetch, so the printed brief needs no network. Each drawing has a title and a text
alternative, and reads in black and white (hatching and lightness, not hue alone).

Map coordinates are British National Grid (EPSG:27700) metres, as PostGIS's `ST_AsSVG`
writes them (y negated, so north is up); the drawings scale them into pixels."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from app.i18n import N_, Translate, as_written

WIDTH = 680  # px: the printed column (180 mm at 96 px per inch)
FONT = "font-family=\"'Liberation Sans', Arial, 'DejaVu Sans', sans-serif\""
# IMD 2019 decile 1 (most deprived, darkest) to 10 (least, palest): lightness alone tells
# them apart in black and white.
DECILE_FILLS = (
    "#3f007d",
    "#54278f",
    "#6a51a3",
    "#807dba",
    "#9e9ac8",
    "#bcbddc",
    "#d4d4e8",
    "#e4e3f0",
    "#efedf5",
    "#fcfbfd",
)
UNKNOWN_FILL = "#d0d0d0"
DECILE_AXIS = N_("IMD 2019 decile (1 = most deprived)")
UNCOVERED_FILL = "#f6c9a8"
INK = "#222222"
SCALE_STEPS_M = (250, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000)


@dataclass(frozen=True)
class Shape:
    """A neighbourhood: its code, name, IMD 2019 decile and SVG path (BNG metres)."""

    code: str
    name: str
    imd_decile: int | None
    path: str


@dataclass(frozen=True)
class Dot:
    """An asset's point in BNG metres, and whether it answers the question mapped."""

    x: float
    y: float
    matches: bool


@dataclass(frozen=True)
class Extent:
    """A bounding box in BNG metres."""

    xmin: float
    ymin: float
    xmax: float
    ymax: float


def people(value: float | None) -> str:
    """A head count with thousands separators (shares of an area rounded to a person)."""
    return N_("no figure") if value is None else f"{round(value):,}"


def share(value: float | None) -> str:
    """A share (0 to 1) as a percentage to one decimal, e.g. 74.2%."""
    return N_("no people counted") if value is None else f"{value * 100:.1f}%"


def signed(text: str) -> str:
    """A number already formatted (e.g. "-1,373") with its sign: + or a true minus; none
    for nought."""
    bare = text.lstrip("-")
    if bare.strip("0.,%") == "" or not bare[:1].isdigit():
        return bare
    return ("\u2212" if text.startswith("-") else "+") + bare


@dataclass(frozen=True)
class _Frame:
    """Where a map's metres land in its pixels."""

    extent: Extent
    scale: float  # px per metre
    left: float
    top: float

    @property
    def transform(self) -> str:
        e = self.extent
        return (
            f"translate({self.left:.2f},{self.top:.2f}) scale({self.scale:.6f}) "
            f"translate({-e.xmin:.1f},{e.ymax:.1f})"
        )

    def px(self, x: float, y: float) -> tuple[float, float]:
        return (
            self.left + (x - self.extent.xmin) * self.scale,
            self.top + (self.extent.ymax - y) * self.scale,
        )

    @property
    def width(self) -> float:
        return (self.extent.xmax - self.extent.xmin) * self.scale

    @property
    def height(self) -> float:
        return (self.extent.ymax - self.extent.ymin) * self.scale


def _frame(extent: Extent, height: float) -> _Frame:
    """Fit `extent` into WIDTH x `height` px, centred, with a margin."""
    margin = 12
    span_x = max(extent.xmax - extent.xmin, 1.0)
    span_y = max(extent.ymax - extent.ymin, 1.0)
    scale = min((WIDTH - 2 * margin) / span_x, (height - 2 * margin) / span_y)
    left = (WIDTH - span_x * scale) / 2
    top = (height - span_y * scale) / 2
    return _Frame(extent, scale, left, top)


def _svg(key: str, title: str, description: str, height: float, body: Iterable[str]) -> Markup:
    """An SVG drawing with its title and description as its text alternative; `key` makes
    its ids unique in the page."""
    # every value written into the drawings is escaped (or a number) where it is written
    return Markup(  # noqa: S704
        f'<svg class="figure" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
        f'aria-labelledby="{key}-title {key}-desc" {FONT} font-size="11">'
        f'<title id="{key}-title">{escape(title)}</title>'
        f'<desc id="{key}-desc">{escape(description)}</desc>' + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, words: str, anchor: str = "start", more: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {more}>{escape(words)}</text>'


def _scale_bar(frame: _Frame, x: float, y: float) -> str:
    """A scale bar of a round length about a quarter of the map's width, at (x, y) px."""
    wanted = (frame.extent.xmax - frame.extent.xmin) / 4
    length = max((s for s in SCALE_STEPS_M if s <= wanted), default=SCALE_STEPS_M[0])
    px = length * frame.scale
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length} m"
    half = f"{length / 2000:g}" if length >= 1000 else f"{length / 2:g}"
    return (
        f'<g class="scale" aria-hidden="true">'
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{px / 2:.1f}" height="5" fill="{INK}"/>'
        f'<rect x="{x + px / 2:.1f}" y="{y:.1f}" width="{px / 2:.1f}" height="5" '
        f'fill="#fff" stroke="{INK}" stroke-width="0.8"/>'
        + _text(x, y - 3, "0", "middle")
        + _text(x + px / 2, y - 3, half, "middle")
        + _text(x + px, y - 3, label, "middle")
        + "</g>"
    )


def _north(x: float, y: float) -> str:
    return (
        f'<g aria-hidden="true"><path d="M{x:.1f},{y:.1f} l6,16 l-6,-4 l-6,4 z" fill="{INK}"/>'
        + _text(x, y + 28, "N", "middle", 'font-weight="bold"')
        + "</g>"
    )


def _swatch(x: float, y: float, fill: str, label: str, stroke: str = "#555") -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="16" height="12" fill="{fill}" '
        f'stroke="{stroke}" stroke-width="0.8"/>' + _text(x + 21, y + 10, label)
    )


def _outline(frame: _Frame, path: str, px: float) -> str:
    return (
        f'<path d="{escape(path)}" fill="none" stroke="{INK}" '
        f'stroke-width="{px / frame.scale:.1f}" stroke-linejoin="round"/>'
    )


def _shapes(frame: _Frame, shapes: Sequence[Shape], fill: Callable[[Shape], str]) -> str:
    stroke = 0.5 / frame.scale
    return (
        f'<g stroke="#555" stroke-width="{stroke:.1f}" stroke-linejoin="round">'
        + "".join(f'<path d="{escape(s.path)}" fill="{fill(s)}"/>' for s in shapes)
        + "</g>"
    )


MAP_HEIGHT = 470
LEGEND_HEIGHT = 46


def coverage_map(
    key: str,
    title: str,
    outline: str,
    shapes: Sequence[Shape],
    dots: Sequence[Dot],
    uncovered: set[str],
    analysed: set[str],
    extent: Extent,
    matching: str,
    _: Translate = as_written,
) -> Markup:
    """The neighbourhoods shaded by whether a question covers them (hatched: out of reach;
    grey: not in the analysis), the area's outline, and its assets as dots (`matching`
    says which answer the question: larger, black); its words through `_`."""
    frame = _frame(extent, MAP_HEIGHT)
    hatch = f"{key}-hatch"
    spacing = 5 / frame.scale

    def fill(shape: Shape) -> str:
        if shape.code not in analysed:
            return UNKNOWN_FILL
        return f"url(#{hatch})" if shape.code in uncovered else "#ffffff"

    others = [d for d in dots if not d.matches]
    answering = [d for d in dots if d.matches]
    body = [
        f'<defs><pattern id="{hatch}" patternUnits="userSpaceOnUse" width="{spacing:.1f}" '
        f'height="{spacing:.1f}" patternTransform="rotate(45)">'
        f'<rect width="{spacing:.1f}" height="{spacing:.1f}" fill="{UNCOVERED_FILL}"/>'
        f'<line x1="0" y1="0" x2="0" y2="{spacing:.1f}" stroke="{INK}" '
        f'stroke-width="{1.1 / frame.scale:.1f}"/></pattern></defs>',
        f'<g transform="{frame.transform}">',
        _shapes(frame, shapes, fill),
        _outline(frame, outline, 1.6),
        "</g>",
        '<g fill="#6b6b6b">',
        *('<circle cx="{:.1f}" cy="{:.1f}" r="1.3"/>'.format(*frame.px(d.x, d.y)) for d in others),
        "</g>",
        f'<g fill="{INK}" stroke="#fff" stroke-width="1">',
        *(
            '<circle cx="{:.1f}" cy="{:.1f}" r="3.6"/>'.format(*frame.px(d.x, d.y))
            for d in answering
        ),
        "</g>",
        _north(WIDTH - 24, 14),
        _scale_bar(frame, 24, MAP_HEIGHT - 14),
    ]
    legend_y = MAP_HEIGHT + 8
    body += [
        _swatch(0, legend_y, "#ffffff", _("within reach")),
        _swatch(110, legend_y, f"url(#{hatch})", _("out of reach")),
        f'<circle cx="238" cy="{legend_y + 6}" r="3.6" fill="{INK}" stroke="#fff"/>',
        _text(246, legend_y + 10, f"{matching} ({len(answering):,})"),
        f'<circle cx="238" cy="{legend_y + 26}" r="1.6" fill="#6b6b6b"/>',
        _text(246, legend_y + 30, _("every other asset ({n})").format(n=f"{len(others):,}")),
    ]
    if any(s.code not in analysed for s in shapes):
        body.append(_swatch(0, legend_y + 20, UNKNOWN_FILL, _("not in the analysis")))
    out_of_reach = sum(1 for s in shapes if s.code in uncovered)
    description = _(
        "A map of {shapes} neighbourhoods: {out} out of reach (hatched), the rest within "
        "reach; {answering} assets that answer the question are large black dots and "
        "{others} other assets small grey dots. The tables of the neighbourhoods most in "
        "need list the same areas."
    ).format(shapes=len(shapes), out=out_of_reach, answering=len(answering), others=len(others))
    return _svg(key, title, description, MAP_HEIGHT + LEGEND_HEIGHT, body)


def decile_fill(decile: int | None) -> str:
    return DECILE_FILLS[decile - 1] if decile is not None and 1 <= decile <= 10 else UNKNOWN_FILL


def deprivation_map(
    key: str,
    title: str,
    outline: str,
    shapes: Sequence[Shape],
    uncovered: set[str],
    extent: Extent,
    _: Translate = as_written,
) -> Markup:
    """The neighbourhoods shaded by IMD 2019 decile (darkest: most deprived), with those a
    question leaves out of reach outlined thick."""
    frame = _frame(extent, MAP_HEIGHT)
    out = [s for s in shapes if s.code in uncovered]
    body = [
        f'<g transform="{frame.transform}">',
        _shapes(frame, shapes, lambda s: decile_fill(s.imd_decile)),
        f'<g fill="none" stroke="#e66101" stroke-width="{1.8 / frame.scale:.1f}" '
        'stroke-linejoin="round">',
        *(f'<path d="{escape(s.path)}"/>' for s in out),
        "</g>",
        _outline(frame, outline, 1.6),
        "</g>",
        _north(WIDTH - 24, 14),
        _scale_bar(frame, 24, MAP_HEIGHT - 14),
    ]
    legend_y = MAP_HEIGHT + 8
    body.append(_text(0, legend_y + 10, _("IMD 2019 decile:")))
    for decile in range(1, 11):
        x = 96 + (decile - 1) * 26
        body.append(
            f'<rect x="{x}" y="{legend_y}" width="24" height="12" fill="{decile_fill(decile)}" '
            'stroke="#555" stroke-width="0.6"/>'
        )
        body.append(_text(x + 12, legend_y + 24, str(decile), "middle", 'font-size="9"'))
    body.append(_text(96, legend_y + 36, _("most deprived"), more='font-size="9"'))
    body.append(_text(354, legend_y + 36, _("least deprived"), "end", 'font-size="9"'))
    body.append(
        f'<rect x="380" y="{legend_y}" width="16" height="12" fill="none" stroke="#e66101" '
        'stroke-width="2"/>'
    )
    body.append(_text(401, legend_y + 10, _("out of reach of the headline question")))
    if any(s.imd_decile is None for s in shapes):
        body.append(_swatch(380, legend_y + 20, UNKNOWN_FILL, _("no decile held")))
    counts = {d: sum(1 for s in shapes if s.imd_decile == d) for d in range(1, 11)}
    deciles = ", ".join(_("decile {d}: {n}").format(d=d, n=n) for d, n in counts.items())
    description = _(
        "A map of {shapes} neighbourhoods shaded by IMD 2019 decile: {deciles}. {out} "
        "neighbourhoods out of reach of the headline question are outlined."
    ).format(shapes=len(shapes), deciles=deciles, out=len(out))
    return _svg(key, title, description, MAP_HEIGHT + LEGEND_HEIGHT, body)


def decile_bars(
    key: str, title: str, by_decile: dict[str, float], _: Translate = as_written
) -> Markup:
    """Bars of people out of reach in each IMD decile, 1 (most deprived) to 10, each
    labelled with its count."""
    height, top, bottom, left = 200, 22, 36, 40
    values = [float(by_decile.get(str(d), 0)) for d in range(1, 11)]
    most = max(values) or 1.0
    slot = (WIDTH - left) / 10
    plot = height - top - bottom
    body = [f'<line x1="{left}" y1="{top + plot}" x2="{WIDTH}" y2="{top + plot}" stroke="{INK}"/>']
    for index, value in enumerate(values):
        bar = plot * value / most
        x = left + index * slot + slot * 0.15
        body.append(
            f'<rect x="{x:.1f}" y="{top + plot - bar:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{bar:.1f}" fill="{DECILE_FILLS[index]}" stroke="{INK}" stroke-width="0.7"/>'
        )
        body.append(_text(x + slot * 0.35, top + plot - bar - 4, _(people(value)), "middle"))
        body.append(_text(x + slot * 0.35, top + plot + 14, str(index + 1), "middle"))
    body.append(_text(left + (WIDTH - left) / 2, height - 4, _(DECILE_AXIS), "middle"))
    body.append(
        _text(
            12,
            top + plot / 2,
            _("people"),
            "middle",
            f'transform="rotate(-90 12 {top + plot / 2})"',
        )
    )
    description = _("People out of reach by IMD 2019 decile: {deciles}").format(
        deciles="; ".join(
            _("decile {d}: {n}").format(d=d, n=_(people(v))) for d, v in enumerate(values, start=1)
        )
    )
    return _svg(key, title, description, height, body)


@dataclass(frozen=True)
class CoverageChange:
    """One question's share of people within reach at the two snapshots."""

    label: str
    before: float | None
    after: float | None


def coverage_change(
    key: str, title: str, rows: Sequence[CoverageChange], _: Translate = as_written
) -> Markup:
    """For each question, the share within reach before (hollow) and after (filled) on a
    0 to 100% axis, with both figures written beside it."""
    row_h, top, label_w, axis_end = 24, 26, 250, 540
    height = top + row_h * len(rows) + 10
    span = axis_end - label_w

    def at(value: float) -> float:
        return label_w + span * value

    body = []
    for tick in (0, 0.25, 0.5, 0.75, 1):
        x = at(tick)
        body.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 8}" '
            'stroke="#bbb" stroke-width="0.6"/>'
        )
        body.append(_text(x, top - 10, f"{tick * 100:g}%", "middle", 'font-size="9"'))
    described = []
    for index, row in enumerate(rows):
        y = top + row_h * index + row_h / 2
        body.append(_text(label_w - 8, y + 4, row.label, "end"))
        if row.before is not None and row.after is not None:
            body.append(
                f'<line x1="{at(row.before):.1f}" y1="{y:.1f}" x2="{at(row.after):.1f}" '
                f'y2="{y:.1f}" stroke="{INK}" stroke-width="2"/>'
            )
        if row.before is not None:
            body.append(
                f'<circle cx="{at(row.before):.1f}" cy="{y:.1f}" r="4.5" fill="#fff" '
                f'stroke="{INK}" stroke-width="1.5"/>'
            )
        if row.after is not None:
            body.append(f'<circle cx="{at(row.after):.1f}" cy="{y:.1f}" r="4.5" fill="{INK}"/>')
        words = (
            f"{_(share(row.before)) if row.before is not None else _('new')} \u2192 "
            f"{_(share(row.after))}"
        )
        body.append(_text(axis_end + 12, y + 4, words))
        described.append(f"{row.label}: {words}")
    description = _("Share of people within reach, before and after: {rows}").format(
        rows="; ".join(described)
    )
    return _svg(key, title, description, height, body)


def decile_change(
    key: str, title: str, change_by_decile: dict[str, float], _: Translate = as_written
) -> Markup:
    """Bars of the change in people out of reach per IMD decile: up (dark) is more people
    out of reach, down (white, outlined) fewer; each labelled with its signed count. The
    line at nought sits where the rises and falls leave it room."""
    top, plot, left = 18, 150, 40
    values = [float(change_by_decile.get(str(d), 0)) for d in range(1, 11)]
    rise = max((v for v in values if v > 0), default=0.0)
    fall = max((-v for v in values if v < 0), default=0.0)
    span = (rise + fall) or 1.0
    zero = top + plot * rise / span
    height = top + plot + 44
    slot = (WIDTH - left) / 10
    body = [f'<line x1="{left}" y1="{zero:.1f}" x2="{WIDTH}" y2="{zero:.1f}" stroke="{INK}"/>']
    for index, value in enumerate(values):
        bar = plot * abs(value) / span
        x = left + index * slot + slot * 0.15
        middle = x + slot * 0.35
        if value > 0:
            body.append(
                f'<rect x="{x:.1f}" y="{zero - bar:.1f}" width="{slot * 0.7:.1f}" '
                f'height="{bar:.1f}" fill="{INK}"/>'
            )
            body.append(_text(middle, zero - bar - 4, signed(people(value)), "middle"))
        elif value < 0:
            body.append(
                f'<rect x="{x:.1f}" y="{zero:.1f}" width="{slot * 0.7:.1f}" height="{bar:.1f}" '
                f'fill="#ffffff" stroke="{INK}" stroke-width="0.8"/>'
            )
            body.append(_text(middle, zero + bar + 12, signed(people(value)), "middle"))
        else:
            body.append(_text(middle, zero - 4 if fall else zero + 12, "0", "middle"))
        body.append(_text(middle, top + plot + 26, str(index + 1), "middle"))
    body.append(_text(left + (WIDTH - left) / 2, height - 4, _(DECILE_AXIS), "middle"))
    description = _("Change in people out of reach by IMD 2019 decile: {deciles}").format(
        deciles="; ".join(
            _("decile {d}: {n}").format(d=d, n=signed(people(v)))
            for d, v in enumerate(values, start=1)
        )
    )
    return _svg(key, title, description, height, body)
