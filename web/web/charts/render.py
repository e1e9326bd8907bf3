"""A Vega-Lite chart → SVG markup safe to inline in a page, with its title and text alternative.

vl-convert (Vega's own renderer in an embedded V8) draws the chart; we only decorate its root: `role="img"`
named by a `<title>` and described by a `<desc>` that says every figure in words, so a screen reader gets the
chart without reading marks, and the page carries the same figures in a table or list besides. The marks'
own ARIA (Vega's per-mark labels) is switched off in the theme: inside an image it would be noise.

Rendering is CPU work in a single V8 worker (~50-150 ms of CPU a chart, ~0.5 s more for the very first one while
V8 starts: `warm_up()` does that at startup), so it runs off the event loop, and identical specs — a page
reloaded, the flags page's live refresh — come from a small cache of finished SVGs (bench/charts.py measures
all three).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import textwrap
import xml.etree.ElementTree as ET
from typing import Any

import altair as alt
import vl_convert as vlc
from altair.vegalite import SCHEMA_VERSION
from markupsafe import Markup

logger = logging.getLogger(__name__)
SVG_NS = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG_NS)
# What a drawing needs and nothing that acts: no script, foreignObject, link, animation or event handler.
DRAWING = frozenset({"svg", "g", "title", "desc", "rect", "line", "path", "circle", "text", "tspan", "clipPath",
                     "defs", "polyline", "polygon", "ellipse"})  # fmt: skip
INK, MUTED = "#222222", "#5f6b6c"
THEME: dict[str, Any] = {
    "aria": False,  # the root is one image with a <title> and a <desc>; see the module docstring
    # Metric-compatible faces first: vl-convert lays labels out with the first it finds, browsers draw with
    # theirs (Liberation Sans on Linux, Arial or Helvetica elsewhere), so text measured is text drawn.
    "font": "Liberation Sans, Arial, Helvetica, sans-serif",
    "background": "#ffffff",
    "padding": 12,
    "view": {"stroke": "#cccccc"},
    "title": {"fontSize": 15, "lineHeight": 19, "anchor": "start", "color": INK, "subtitleColor": MUTED, "subtitleFontSize": 12},
    "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelColor": INK, "titleColor": INK,
             "titleFontWeight": "normal", "gridColor": "#e5e5e5", "domainColor": "#555555",
             "tickColor": "#555555"},
    "legend": {"labelFontSize": 12, "titleFontSize": 12, "labelColor": INK, "titleColor": INK,
               "orient": "bottom", "direction": "horizontal", "columnPadding": 16, "symbolStrokeWidth": 2,
               "labelLimit": 320},
    "text": {"fontSize": 12, "color": INK},
}  # fmt: skip
CACHE_SIZE = 256
# The Vega-Lite release altair writes specs for ("v6.4.1" → "6.4"), so vl-convert compiles them with the same.
VEGA_LITE = ".".join(SCHEMA_VERSION.removeprefix("v").split(".")[:2])


# The widest a bold 15 px title's character is drawn on average (DejaVu Sans Bold, what a browser without
# Liberation Sans falls back to, measures about 0.68 em a character on English words; Liberation Sans 0.6).
TITLE_EM = 0.7


def title_lines(title: str, width: int, font_size: int = 15) -> list[str]:
    """A chart's title as the lines that fit its plot's `width` (px) in any of the app's fonts: a long
    assessment title wraps instead of running past the chart's right edge (Vega-Lite draws a list as lines)."""
    return textwrap.wrap(title, max(12, int(width / (font_size * TITLE_EM)))) or [title]


def spec_of(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The chart's Vega-Lite spec with the app's theme. Not validated here (it costs more than drawing); the
    tests validate every chart against the official Vega-Lite schema."""
    spec = chart.to_dict(validate=False)
    spec["config"] = {**THEME, **spec.get("config", {})}
    return spec


def svg_of(spec: dict[str, Any]) -> str:
    """The SVG vl-convert draws for a spec (from the cache when the same spec was drawn lately)."""
    return _drawn(json.dumps(spec, sort_keys=True, separators=(",", ":")))


@functools.lru_cache(maxsize=CACHE_SIZE)  # thread-safe; holds finished SVGs, in memory only
def _drawn(spec: str) -> str:
    return vlc.vegalite_to_svg(spec, vl_version=VEGA_LITE)


async def draw(chart: alt.TopLevelMixin, *, chart_id: str, title: str, description: str) -> Markup:
    """The chart as inline SVG: `chart_id` must be unique in the page (it prefixes the title and desc ids)."""
    svg = await asyncio.to_thread(svg_of, spec_of(chart))
    return inline(svg, chart_id=chart_id, title=title, description=description)


def inline(svg: str, *, chart_id: str, title: str, description: str) -> Markup:
    root = ET.fromstring(svg)  # noqa: S314 - vl-convert's output from our own spec; sanitised below anyway
    if root.tag != f"{{{SVG_NS}}}svg":
        raise ValueError("not an SVG document")
    _sanitise(root)
    for name, text in (("desc", description), ("title", title)):
        element = ET.Element(f"{{{SVG_NS}}}{name}", {"id": f"{chart_id}-{name}"})
        element.text = text
        root.insert(0, element)
    root.attrib.update({"id": chart_id, "role": "img", "class": "chart", "aria-labelledby": f"{chart_id}-title",
                        "aria-describedby": f"{chart_id}-desc"})  # fmt: skip
    return Markup(ET.tostring(root, encoding="unicode"))  # noqa: S704 - sanitised just above


def _sanitise(root: ET.Element) -> None:
    """Drawing elements only, no attribute that acts or loads (on*, href, style), and no role or label below
    the root (what Vega still labels, e.g. the title, would only repeat the image's own name)."""
    for element in list(root.iter()):
        for child in list(element):
            if not isinstance(child.tag, str) or child.tag.removeprefix(f"{{{SVG_NS}}}") not in DRAWING:
                element.remove(child)
        for name in list(element.attrib):
            lowered = name.lower()
            if (
                lowered.startswith("on")
                or "href" in lowered
                or lowered in ("style", "role", "aria-label", "aria-roledescription")
            ):
                del element.attrib[name]


def warm_up() -> None:
    """Start vl-convert's V8 once (the first chart otherwise pays ~0.5 s)."""
    try:
        vlc.vegalite_to_svg({"mark": "point", "data": {"values": [{"x": 1}]}}, vl_version=VEGA_LITE)
    except Exception:  # pragma: no cover - a failed warm-up only makes the first chart slower
        logger.exception("vl-convert did not warm up")
