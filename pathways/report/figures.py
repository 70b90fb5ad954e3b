"""The report's charts, drawn by hand: histograms, Kaplan–Meier curves, a heat map and bar charts.

Each is a :class:`pathways.render.charts.Chart` (drawing primitives written as
SVG text or as PNG through Pillow), so the same picture goes inline into the
HTML report and into the figures folder. The network diagrams (unit map,
process map, the rings of circular referrals) are :class:`pathways.Diagram`
objects laid out by Graphviz; :func:`inline_svg` makes their SVG fit inline in
the page.

Nothing here computes analytics: the charts draw tables the sections hand them.
"""

from __future__ import annotations

import math
import re

from ..render import styles as st
from ..render.charts import AXIS, BAND, BAR, GRID, MUTED, RED, TEXT, Chart, rgba, nice_step, text_width
from ..render.diagram import Diagram
from ..render.dot import HTML, DotBuilder, html_text


def _title(c: Chart, title: str, *, x: float = 12) -> None:
    c.text(x, 20, title, size=13, bold=True)


def _y_axis(c: Chart, *, left, top, bottom, right, y_max, fmt, percent=False, label=""):
    step = nice_step(y_max, 5)
    v = 0.0
    while v <= y_max + 1e-9:
        y = bottom - (bottom - top) * v / y_max
        c.line(left, y, right, y, stroke=GRID)
        c.text(left - 6, y + 4, fmt.pct(v) if percent else fmt.num(v, 0 if float(step).is_integer() else 1), size=10,
               anchor="end", fill=MUTED)
        v += step
    if label:
        c.text(left, top - 8, label, size=10, fill=MUTED)


# --------------------------------------------------------------------------- charts
def histogram(edges, counts, *, fmt, title: str, x_label: str, y_label: str, threshold: float | None = None,
              threshold_label: str = "", suppressed_label: str = "", open_last: bool = True,
              width: float = 560, height: float = 300) -> Chart:
    """Bars of ``counts`` over the bins ``edges`` (len(counts) + 1 values); small counts drawn as dashed outlines.

    A count from 1 to ``fmt.min_count - 1`` is never drawn to scale: its bar is a
    dashed outline as high as ``min_count`` marked ``"<5"``. With ``open_last``
    the last bin is open (``≥`` its left edge). ``threshold`` draws a red line.
    """
    c = Chart(width, height, title=title)
    _title(c, title)
    left, right, top, bottom = 52.0, width - 16, 52.0, height - 44
    mc = fmt.min_count
    shown = [max(n, mc) if fmt.is_small(n) else n for n in counts]
    y_max = max([*shown, mc, 1]) * 1.1
    _y_axis(c, left=left, top=top, bottom=bottom, right=right, y_max=y_max, fmt=fmt, label=y_label)
    lo, hi = float(edges[0]), float(edges[-1])
    span = hi - lo or 1.0

    def x(v):
        return left + (right - left) * (float(v) - lo) / span

    for i, n in enumerate(counts):
        if not n:
            continue
        x0, x1 = x(edges[i]) + 1, x(edges[i + 1]) - 1
        if fmt.is_small(n):
            h = (bottom - top) * mc / y_max
            c.rect(x0, bottom - h, x1 - x0, h, fill="#ffffff", stroke=BAR, dash=True)
            c.text((x0 + x1) / 2, bottom - h - 3, f"<{mc}", size=8, anchor="middle", fill=MUTED)
        else:
            h = (bottom - top) * n / y_max
            c.rect(x0, bottom - h, x1 - x0, h, fill=BAR)
    c.line(left, bottom, right, bottom, stroke=AXIS)
    step = nice_step(span, 8)
    tick = math.ceil(lo / step) * step
    last_open = float(edges[-2]) if open_last and len(edges) > 2 else None
    while tick <= hi + 1e-9:
        if last_open is None or tick <= last_open + 1e-9:
            c.line(x(tick), bottom, x(tick), bottom + 4, stroke=AXIS)
            c.text(x(tick), bottom + 16, fmt.num(tick, 0 if float(step).is_integer() else 1), size=10,
                   anchor="middle", fill=MUTED)
        tick += step
    if last_open is not None:
        c.text((x(edges[-2]) + x(edges[-1])) / 2, bottom + 16, "≥", size=10, anchor="middle", fill=MUTED)
    c.text((left + right) / 2, bottom + 34, x_label, size=10, anchor="middle", fill=MUTED)
    if threshold is not None and lo <= threshold <= hi:
        c.line(x(threshold), top - 4, x(threshold), bottom, stroke=RED, width=1.5, dash=True)
        c.text(x(threshold) + 4, top + 6, threshold_label, size=10, fill=RED)
    if any(fmt.is_small(n) for n in counts) and suppressed_label:
        c.rect(right - 150, 30, 12, 10, fill="#ffffff", stroke=BAR, dash=True)
        c.text(right - 134, 39, suppressed_label, size=10, fill=MUTED)
    return c


def km_curve(times, survival, ci_low, ci_high, *, fmt, title: str, x_label: str, y_label: str,
             threshold: float | None = None, threshold_label: str = "", x_max: float | None = None,
             width: float = 560, height: float = 300) -> Chart:
    """A Kaplan–Meier step curve (share still waiting against time) with its 95 % band, up to ``x_max``.

    ``times``, ``threshold`` and ``x_max`` are in the one unit ``x_label`` names (minutes, hours or days).
    """
    c = Chart(width, height, title=title)
    _title(c, title)
    left, right, top, bottom = 52.0, width - 16, 52.0, height - 44
    _y_axis(c, left=left, top=top, bottom=bottom, right=right, y_max=1.0, fmt=fmt, percent=True, label=y_label)
    if x_max is not None:
        keep = [k for k, t in enumerate(times) if float(t) <= x_max]
        times, survival = [times[k] for k in keep], [survival[k] for k in keep]
        ci_low, ci_high = [ci_low[k] for k in keep], [ci_high[k] for k in keep]
    t_max = max([float(t) for t in times] + [threshold or 0.0, x_max or 0.0, 1.0]) * 1.02

    def x(v):
        return left + (right - left) * float(v) / t_max

    def y(v):
        return bottom - (bottom - top) * float(v)

    # step shapes: the curve is 1 until the first time, then holds each value until the next time
    pts, hi_pts, lo_pts = [(x(0), y(1))], [(x(0), y(1))], [(x(0), y(1))]
    prev, prev_hi, prev_lo = 1.0, 1.0, 1.0
    for t, s_, l_, h_ in zip(times, survival, ci_low, ci_high):
        pts += [(x(t), y(prev)), (x(t), y(s_))]
        hi_pts += [(x(t), y(prev_hi)), (x(t), y(h_))]
        lo_pts += [(x(t), y(prev_lo)), (x(t), y(l_))]
        prev, prev_hi, prev_lo = s_, h_, l_
    end = x(max([float(t) for t in times] + [0.0]) if x_max is None else min(x_max, t_max))
    pts.append((end, y(prev)))
    hi_pts.append((end, y(prev_hi)))
    lo_pts.append((end, y(prev_lo)))
    c.polygon(hi_pts + lo_pts[::-1], fill=BAND, opacity=0.18)
    c.line(left, y(0.5), right, y(0.5), stroke="#9aa5ae", dash=True)
    c.polyline(pts, stroke=BAR, width=2.0)
    c.line(left, bottom, right, bottom, stroke=AXIS)
    step = nice_step(t_max, 8)
    tick = 0.0
    while tick <= t_max + 1e-9:
        c.line(x(tick), bottom, x(tick), bottom + 4, stroke=AXIS)
        c.text(x(tick), bottom + 16, fmt.num(tick, 0 if float(step).is_integer() else 1), size=10, anchor="middle",
               fill=MUTED)
        tick += step
    c.text((left + right) / 2, bottom + 34, x_label, size=10, anchor="middle", fill=MUTED)
    if threshold is not None:
        c.line(x(threshold), top - 4, x(threshold), bottom, stroke=RED, width=1.5, dash=True)
        c.text(x(threshold) + 4, top + 6, threshold_label, size=10, fill=RED)
    return c


def heatmap(matrix, *, row_labels, col_labels, fmt, title: str, x_label: str, total_label: str,
            hidden=None) -> Chart:
    """Counts in a grid (rows × columns), darker for more; small counts as ``"<5"`` in a neutral cell.

    ``hidden`` (rows of ``len(col_labels) + 1`` booleans, the last for the row's
    total) marks the cells hidden as complements of small ones
    (:func:`pathways.suppress`): drawn as ``"–"`` in a neutral cell.
    """
    cell, left, top = 27.0, 86.0, 58.0
    n_rows, n_cols = len(row_labels), len(col_labels)
    width = left + cell * n_cols + 70
    height = top + cell * n_rows + 40
    c = Chart(width, height, title=title)
    _title(c, title)
    values = [[int(v) for v in row] for row in matrix]
    hidden = hidden if hidden is not None else [[False] * (n_cols + 1)] * n_rows
    v_max = max([max(r) for r in values if r] + [1])
    for j, lab in enumerate(col_labels):
        c.text(left + cell * (j + 0.5), top - 6, str(lab), size=9, anchor="middle", fill=MUTED)
    c.text(left + cell * n_cols / 2, top - 22, x_label, size=10, anchor="middle", fill=MUTED)
    c.text(left + cell * n_cols + 8, top - 6, total_label, size=9, fill=MUTED)
    for i, lab in enumerate(row_labels):
        y0 = top + cell * i
        c.text(left - 8, y0 + cell / 2 + 4, str(lab), size=10, anchor="end")
        for j, n in enumerate(values[i]):
            x0 = left + cell * j
            if n == 0:
                c.rect(x0, y0, cell, cell, fill="#ffffff", stroke="#eef1f4")
                continue
            if fmt.is_small(n) or hidden[i][j]:
                c.rect(x0, y0, cell, cell, fill="#eef1f4", stroke="#ffffff")
                c.text(x0 + cell / 2, y0 + cell / 2 + 3, "–" if hidden[i][j] else f"<{fmt.min_count}", size=8,
                       anchor="middle", fill=MUTED)
                continue
            t = math.sqrt(n / v_max)
            colour = _blend("#eaf1f8", "#08306b", t)
            c.rect(x0, y0, cell, cell, fill=colour, stroke="#ffffff")
            c.text(x0 + cell / 2, y0 + cell / 2 + 3, fmt.count(n), size=8 if n < 1000 else 7, anchor="middle",
                   fill="#ffffff" if t > 0.55 else TEXT)
        c.text(left + cell * n_cols + 8, y0 + cell / 2 + 4, "–" if hidden[i][n_cols] else fmt.count(sum(values[i])),
               size=10)
    return c


def _blend(a: str, b: str, t: float) -> str:
    ca, cb = rgba(a)[:3], rgba(b)[:3]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb))


def hbar(labels, values, value_texts, *, title: str, max_value: float | None = None, width: float = 680) -> Chart:
    """Horizontal bars, one per label, with its value written after the bar."""
    labels = [str(v) if len(str(v)) <= 46 else str(v)[:45] + "…" for v in labels]
    row, top = 24.0, 40.0
    left = min(max([text_width(lab, 10.5) for lab in labels] + [60]) + 18, 320)
    height = top + row * max(len(labels), 1) + 16
    c = Chart(width, height, title=title)
    _title(c, title)
    v_max = max_value if max_value is not None else max([float(v) for v in values] + [1e-9])
    span = width - left - 150
    for i, (lab, v, txt) in enumerate(zip(labels, values, value_texts)):
        y0 = top + row * i
        c.text(left - 8, y0 + row / 2 + 4, lab, size=10.5, anchor="end")
        w = span * float(v) / v_max if v_max else 0
        c.rect(left, y0 + 4, max(w, 1), row - 8, fill=BAR)
        c.text(left + max(w, 1) + 6, y0 + row / 2 + 4, txt, size=10, fill=MUTED)
    c.line(left, top, left, top + row * len(labels), stroke=AXIS)
    return c


# --------------------------------------------------------------------------- rings
def rings(routes, *, domains: dict, title: str, label) -> Diagram:
    """The top circular routes as separate rings, one row each, the return drawn red.

    ``routes`` is a list of unit tuples (first unit = last unit); ``label(rank)``
    gives the (already suppressed) text above ring ``rank`` (1-based).
    """
    b = DotBuilder("rings", graph={**st.GRAPH, "rankdir": "LR", "nodesep": 0.25, "ranksep": 0.5,
                                   "newrank": True, "labelloc": "t", "labeljust": "l",
                                   "label": HTML(f'<font point-size="13"><b>{html_text(title)}</b></font>')},
                   node=st.NODE, edge=st.EDGE_DEFAULTS)
    firsts = []
    # declared last ring first: with rankdir=LR, Graphviz stacks a rank's nodes bottom-up
    for rank, units in reversed(list(enumerate(routes, start=1))):
        cyc = list(units)[:-1] if len(units) > 1 and units[0] == units[-1] else list(units)
        b.cluster(rank, label=HTML(f"<b>{html_text(label(rank))}</b>"), style="rounded", color="#c9d1d8",
                  fontname=st.FONT, fontsize=11, labeljust="l", margin=10)
        ids = [b.node((rank, j), cluster=rank, label=HTML(f"<b>{html_text(u)}</b>"),
                      fillcolor=st.DOMAIN_FILL.get(domains.get(u, "unknown"), "#ffffff"))
               for j, u in enumerate(cyc)]
        for a, z in zip(ids, ids[1:]):
            b.edge(a, z, color=st.EDGE, penwidth=1.6)
        if len(ids) > 1:
            b.edge(ids[-1], ids[0], color=st.LOOP, penwidth=2.2, constraint=False)
        firsts.append(ids[0])
    if len(firsts) > 1:  # the rings top to bottom in rank order: first units share a rank, chained invisibly
        b.raw("{rank=same; " + "; ".join(firsts) + "}")
        for a, z in zip(firsts, firsts[1:]):
            b.edge(a, z, style="invis")
    return Diagram(b.source(), title="circular routes")


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


__all__ = ["Chart", "histogram", "km_curve", "heatmap", "hbar", "rings", "inline_svg", "nice_step"]
