"""SVG made fit to sit inside the report's HTML page (:func:`inline_svg`).

The report's charts are drawn by :mod:`pathways.render.plots` (public as
:func:`pathways.histogram`, :func:`pathways.km_chart`, :func:`pathways.heatmap`,
:func:`pathways.bar_chart`) and :mod:`pathways.render.charts`.
"""

from __future__ import annotations

import re

# the names tests/hardening still import from here (the drawing moved to pathways.render, issue 24, item 5)
from ..render.charts import Chart  # noqa: F401
from ..render.plots import draw_heatmap as heatmap, draw_histogram as histogram  # noqa: F401

# --------------------------------------------------------------------------- inline SVG
_ID = re.compile(r'\bid="([^"]*)"')


def inline_svg(svg: str, prefix: str) -> str:
    """SVG text made fit to sit inside an HTML page.

    Drops the XML declaration, the DOCTYPE, comments and namespace declarations
    (the HTML parser puts ``<svg>`` in the SVG namespace itself, and none of them
    is a resource to fetch), and prefixes every id (and the references to it)
    with ``prefix`` so that several pictures on one page cannot clash.

    Examples
    --------
    >>> inline_svg('<?xml version="1.0"?><!-- x --><svg xmlns="http://www.w3.org/2000/svg"><g id="a"/></svg>', "f1_")
    '<svg><g id="f1_a"/></svg>'
    """
    s = re.sub(r"<\?xml.*?\?>", "", svg, flags=re.S)
    s = re.sub(r"<!DOCTYPE[^>]*>", "", s, flags=re.S)
    s = re.sub(r"<!--.*?-->", "", s, flags=re.S)
    s = re.sub(r'\s+xmlns(:[\w-]+)?="[^"]*"', "", s)
    s = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', s)
    s = re.sub(r'(href="#|url\(#)', lambda m: m.group(1) + prefix, s)
    return s.strip()


__all__ = ["inline_svg"]
