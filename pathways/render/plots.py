"""The report's charts, public: histograms, Kaplan–Meier curves, heat maps of counts, bar charts; and the rings.

Each chart is a :class:`pathways.render.charts.Chart` (drawing primitives written
as SVG text or as PNG through Pillow), so the same picture goes inline into the
HTML report, into a notebook and into a figures folder. The ``draw_*`` functions
take a :class:`pathways.Formatter` and every word ready-made (the report's
sections call them through the public functions); the rings of circular routes
are a :class:`pathways.Diagram` laid out by Graphviz.

Nothing here computes analytics: the charts draw tables they are handed. Every
count from 1 to ``min_count - 1`` is drawn as ``"<5"`` and never to scale.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Literal

import numpy as np
import pandas as pd

from ..analyses.common import duration
from ..errors import OptionError, check_choice
from ..publish.numbers import Formatter
from ..publish.suppression import check_min_count, suppress
from ..publish.words import WEEKDAYS, check_language, say
from ..timeunits import TIME_UNITS, time_unit as best_unit
from . import styles as st
from .charts import AXIS, BAND, BAR, GRID, MUTED, RED, TEXT, Chart, nice_step, rgba, text_width
from .charts import _empty as empty_chart
from .diagram import Diagram
from .dot import HTML, DotBuilder, html_text


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
def draw_histogram(edges, counts, *, fmt, title: str, x_label: str, y_label: str, threshold: float | None = None,
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


def draw_km(times, survival, ci_low, ci_high, *, fmt, title: str, x_label: str, y_label: str,
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


def draw_heatmap(matrix, *, row_labels, col_labels, fmt, title: str, x_label: str, total_label: str,
                 hidden=None) -> Chart:
    """Counts in a grid (rows × columns) with each row's total; small counts as ``"<5"``.

    ``hidden`` (rows of ``len(col_labels) + 1`` booleans, the last for the row's
    total) marks the cells hidden as complements of small ones
    (:func:`pathways.suppress`): drawn as ``"–"``.
    """
    values = [[int(v) for v in row] for row in matrix]
    n_cols = len(col_labels)
    hidden = hidden if hidden is not None else [[False] * (n_cols + 1)] * len(values)

    def cell(n, hide):
        return ("hidden", "–") if hide and n else ("small", f"<{fmt.min_count}") if fmt.is_small(n) else ("count", n)

    grid = [[cell(n, hidden[i][j]) for j, n in enumerate(row)] for i, row in enumerate(values)]
    totals = [("hidden", "–") if hidden[i][n_cols] else cell(sum(row), False) for i, row in enumerate(values)]
    return draw_cells(grid, row_labels=row_labels, col_labels=col_labels, fmt=fmt, title=title, x_label=x_label,
                      total_label=total_label, totals=totals)


def draw_cells(grid, *, row_labels, col_labels, fmt, title: str, x_label: str, total_label: str,
               totals=None) -> Chart:
    """A grid of published cells, darker for more: each cell ``("count", n)``, ``("small", "<5")``,
    ``("hidden", "–")`` or ``("none", None)``; ``totals`` (one cell per row) drawn in a column at the right."""
    cell, left, top = 27.0, 86.0, 58.0
    n_rows, n_cols = len(row_labels), len(col_labels)
    width = left + cell * n_cols + 70
    height = top + cell * n_rows + 40
    c = Chart(width, height, title=title)
    _title(c, title)
    v_max = max([n for row in grid for kind, n in row if kind == "count"] + [1])
    for j, lab in enumerate(col_labels):
        c.text(left + cell * (j + 0.5), top - 6, str(lab), size=9, anchor="middle", fill=MUTED)
    c.text(left + cell * n_cols / 2, top - 22, x_label, size=10, anchor="middle", fill=MUTED)
    if totals is not None:
        c.text(left + cell * n_cols + 8, top - 6, total_label, size=9, fill=MUTED)
    for i, lab in enumerate(row_labels):
        y0 = top + cell * i
        c.text(left - 8, y0 + cell / 2 + 4, str(lab), size=10, anchor="end")
        for j, (kind, n) in enumerate(grid[i]):
            x0 = left + cell * j
            if kind == "count" and fmt.is_small(n):
                kind, n = "small", f"<{fmt.min_count}"
            if kind == "count" and n == 0:
                c.rect(x0, y0, cell, cell, fill="#ffffff", stroke="#eef1f4")
                continue
            if kind != "count":
                c.rect(x0, y0, cell, cell, fill="#eef1f4", stroke="#ffffff")
                c.text(x0 + cell / 2, y0 + cell / 2 + 3, n if kind == "small" else "–", size=8, anchor="middle",
                       fill=MUTED)
                continue
            t = math.sqrt(n / v_max)
            colour = _blend("#eaf1f8", "#08306b", t)
            c.rect(x0, y0, cell, cell, fill=colour, stroke="#ffffff")
            c.text(x0 + cell / 2, y0 + cell / 2 + 3, fmt.count(n), size=8 if n < 1000 else 7, anchor="middle",
                   fill="#ffffff" if t > 0.55 else TEXT)
        if totals is not None and totals[i][0] != "none":
            kind, n = totals[i]
            c.text(left + cell * n_cols + 8, y0 + cell / 2 + 4,
                   fmt.count(n) if kind == "count" else (n if kind == "small" else "–"), size=10)
    return c


def _blend(a: str, b: str, t: float) -> str:
    ca, cb = rgba(a)[:3], rgba(b)[:3]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb))


def draw_bars(labels, values, value_texts, *, title: str, max_value: float | None = None, width: float = 680,
              small=None) -> Chart:
    """Horizontal bars, one per label, with its value written after the bar.

    A value ``None`` draws no bar (only its text); ``small[i]`` draws bar ``i`` as a dashed outline (a count
    under ``min_count``, drawn as long as ``min_count`` by the caller).
    """
    labels = [str(v) if len(str(v)) <= 46 else str(v)[:45] + "…" for v in labels]
    small = small if small is not None else [False] * len(labels)
    row, top = 24.0, 40.0
    left = min(max([text_width(lab, 10.5) for lab in labels] + [60]) + 18, 320)
    height = top + row * max(len(labels), 1) + 16
    c = Chart(width, height, title=title)
    _title(c, title)
    v_max = max_value if max_value is not None else max([float(v) for v in values if v is not None] + [1e-9])
    span = width - left - 150
    for i, (lab, v, txt) in enumerate(zip(labels, values, value_texts)):
        y0 = top + row * i
        c.text(left - 8, y0 + row / 2 + 4, lab, size=10.5, anchor="end")
        if v is None:
            c.text(left + 6, y0 + row / 2 + 4, txt, size=10, fill=MUTED)
            continue
        w = span * float(v) / v_max if v_max else 0
        if small[i]:
            c.rect(left, y0 + 4, max(w, 1), row - 8, fill="#ffffff", stroke=BAR, dash=True)
        else:
            c.rect(left, y0 + 4, max(w, 1), row - 8, fill=BAR)
        c.text(left + max(w, 1) + 6, y0 + row / 2 + 4, txt, size=10, fill=MUTED)
    c.line(left, top, left, top + row * len(labels), stroke=AXIS)
    return c


# --------------------------------------------------------------------------- rings
def ring_diagram(routes, *, domains: dict, title: str, label) -> Diagram:
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


# =========================================================================== public: the report's charts for anyone
def _check_whole_counts(counts, *, function: str, what: str) -> list[int]:
    """``counts`` as whole numbers of 0 or more, or OptionError naming the first bad one."""
    out = []
    for i, v in enumerate(counts):
        try:
            f = float(v)
        except (TypeError, ValueError):
            f = float("nan")
        if not math.isfinite(f) or f < 0 or f != int(f):
            raise OptionError(f"{function}: {what} must be whole counts of 0 or more; item {i} is {v!r}. "
                              "Count the rows first, or pass the values themselves.")
        out.append(int(f))
    return out


def _numbers(values, *, function: str, what: str) -> np.ndarray:
    """``values`` as a 1-D float array (missing values kept as NaN), or OptionError."""
    if isinstance(values, (str, bytes)) or isinstance(values, (dict, set)) or not hasattr(values, "__len__"):
        raise OptionError(f"{function}: {what} must be a list, array or column of numbers; found "
                          f"{type(values).__name__}.")
    arr = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").to_numpy(float)
    bad = [i for i, (a, v) in enumerate(zip(arr, values)) if np.isnan(a) and not pd.isna(v)]
    if bad:
        raise OptionError(f"{function}: {len(bad)} of {len(arr)} {what} are not numbers (e.g. item {bad[0]}: "
                          f"{list(values)[bad[0]]!r}).")
    return arr


def _time_unit(value, *, default=None) -> str | None:
    if value is None:
        return default
    return check_choice("time_unit", value, tuple(TIME_UNITS))


def _is_duration(value) -> bool:
    return isinstance(value, (str, timedelta, pd.Timedelta))


def _in_days(value, *, argument: str) -> float:
    return duration(value, argument=argument).total_seconds() / 86400


def round_bins(values, threshold: float | None = None) -> tuple[np.ndarray, np.ndarray, bool]:
    """Histogram bins of round widths, the tail beyond the 95th percentile in one open bin.

    About one bin per eight values, between 4 and 24 bins, so that few bars fall
    under the small-cell limit; the range reaches 1.25 × ``threshold``. Returns
    ``(edges, counts, open_last)``.

    Examples
    --------
    >>> edges, counts, open_last = round_bins([1, 2, 2, 3, 9, 40])
    >>> edges.tolist(), counts.tolist(), open_last
    ([0.0, 10.0, 20.0, 30.0, 40.0, 50.0], [5, 0, 0, 0, 1], True)
    """
    values = np.asarray(values, dtype=float)
    upper = float(np.quantile(values, 0.95)) if len(values) else 1.0
    if threshold:
        upper = max(upper, threshold * 1.25)
    upper = max(upper, 1e-6)
    target = int(np.clip(len(values) / 8, 4, 24))
    for step in (0.25, 0.5, 1, 2, 5, 7, 10, 14, 15, 30, 60, 90, 180, 365, 730):
        if upper / step <= target:
            break
    n_bins = int(np.ceil(upper / step - 1e-9))
    edges = np.arange(0, (n_bins + 1) * step, step, dtype=float)[: n_bins + 1]
    open_last = bool((values >= edges[-1]).any())
    if open_last:
        edges = np.append(edges, edges[-1] + step)
    clipped = np.minimum(values, edges[-1] - step / 2) if open_last else values
    counts, _ = np.histogram(clipped, bins=edges)
    return edges, counts, open_last


def histogram(values, *, bins=None, threshold=None, time_unit: Literal["minutes", "hours", "days"] | None = None,
              open_last: bool | None = None, title: str | None = None, x_label: str | None = None,
              y_label: str | None = None, min_count: int = 5, language: Literal["en", "da"] = "en") -> Chart:
    """Draw how values are spread: a bar per interval, small counts as dashed outlines marked "<5".

    A count from 1 to ``min_count - 1`` is never drawn to scale: its bar is a dashed
    outline as high as ``min_count``, marked ``"<5"``, and a legend says so. The
    report draws its waits and fitness histograms with this function.

    Parameters
    ----------
    values : sequence of numbers, or a pair ``(edges, counts)``
        The values to count (e.g. ``waits["wait_days"]``; missing values are left
        out), or bins already counted: ``edges`` (one more than ``counts``, rising)
        and ``counts`` (whole numbers).
    bins : int or sequence of numbers, optional
        For values: the number of equal bins, or their edges. Default: bins of a
        round width with the tail beyond the 95th percentile in one open bin
        (``≥``), as in the report.
    threshold : number or duration, optional
        A red dashed line at this value, labelled in words: a number in the values'
        unit, or a duration (``"30D"``, ``"48h"``) when the values are durations
        ("threshold 30 days", "grænse 30 dage").
    time_unit : {"minutes", "hours", "days"}, optional
        The values are durations in this unit: a duration threshold is converted
        to it and the x axis is named after it. Default: "days" when
        ``threshold`` is a duration, else plain numbers.
    open_last : bool, optional
        Draw the last bin as open (``≥`` its left edge). Default: as the default
        bins made it (no for given bins).
    title, x_label, y_label : str, optional
        Default: "Distribution" ("Fordeling"), the time unit's name, "count" ("antal").
    min_count : int, default 5
        Counts from 1 to ``min_count - 1`` are drawn as ``"<5"``.
    language : {"en", "da"}, default "en"

    Returns
    -------
    Chart
        ``.svg()``, ``.png()``, ``.save("x.svg")``; ``.data``: one row per bin
        (``from``, ``to``, ``n``: the count, missing where it is under
        ``min_count``); ``.info["caption"]``.

    Examples
    --------
    >>> import pathways as pw
    >>> c = pw.histogram(([0, 10, 20, 30], [3, 0, 12]), threshold="10D", language="da")
    >>> texts = [a["s"] for kind, a in c.items if kind == "text"]
    >>> "<5" in texts, "3" in texts, "grænse 10 dage" in texts, "dage" in texts
    (True, False, True, True)
    >>> c.data
       from    to     n
    0   0.0  10.0  <NA>
    1  10.0  20.0     0
    2  20.0  30.0    12
    """
    language, min_count = check_language(language), check_min_count(min_count)
    fmt = Formatter(language, min_count)
    unit = _time_unit(time_unit, default="days" if _is_duration(threshold) else None)
    pair = isinstance(values, (tuple, list)) and len(values) == 2 and all(
        hasattr(v, "__len__") and not isinstance(v, (str, bytes)) for v in values)
    if pair:
        edges = _numbers(values[0], function="histogram", what="edges")
        counts = _check_whole_counts(values[1], function="histogram", what="the counts")
        if bins is not None:
            raise OptionError("histogram: bins= is for values; the pair (edges, counts) is already binned.")
        if len(edges) != len(counts) + 1 or np.isnan(edges).any() or (np.diff(edges) <= 0).any():
            raise OptionError(f"histogram: (edges, counts) needs one more edge than counts, rising; found "
                              f"{len(edges)} edges and {len(counts)} counts.")
        made_open = False
    else:
        x = _numbers(values, function="histogram", what="values")
        x = x[~np.isnan(x)]
        thr = None if threshold is None else (_in_days(threshold, argument="threshold") * TIME_UNITS[unit][0]
                                             if _is_duration(threshold) else float(threshold))
        if bins is None:
            edges, counts, made_open = round_bins(x, thr)
        else:
            if isinstance(bins, bool) or (isinstance(bins, (int, np.integer)) and bins < 1):
                raise OptionError(f"histogram: bins={bins!r}; give a number of bins (1 or more) or their edges.")
            if not isinstance(bins, (int, np.integer)):
                bins = _numbers(bins, function="histogram", what="bins")
                if len(bins) < 2 or (np.diff(bins) <= 0).any():
                    raise OptionError("histogram: bins= as edges needs at least two rising numbers, e.g. "
                                      "[0, 7, 14, 30].")
            counts, edges = np.histogram(x, bins=bins if len(x) or not isinstance(bins, (int, np.integer))
                                         else np.linspace(0, 1, int(bins) + 1))
            made_open = False
        counts = [int(n) for n in counts]
    if threshold is None:
        thr, thr_words = None, ""
    elif _is_duration(threshold):
        if unit is None:  # pragma: no cover - a duration threshold sets the unit
            unit = "days"
        thr = _in_days(threshold, argument="threshold") * TIME_UNITS[unit][0]
        thr_words = f"{say('threshold_label', language)} {fmt.duration(threshold)}"
    else:
        thr = float(_numbers([threshold], function="histogram", what="threshold")[0])
        thr_words = f"{say('threshold_label', language)} {fmt.num(thr, 0 if thr.is_integer() else 1 if round(thr, 1) == thr else 2)}"
    open_last = made_open if open_last is None else bool(open_last)
    chart = draw_histogram(
        [float(e) for e in edges], counts, fmt=fmt, title=title if title is not None else say("hist_title", language),
        x_label=x_label if x_label is not None else (fmt.unit_name(unit) if unit else ""),
        y_label=y_label if y_label is not None else say("count_axis", language), threshold=thr,
        threshold_label=thr_words, suppressed_label=say("suppressed_label", language, min_count=min_count),
        open_last=open_last)
    small = [fmt.is_small(n) for n in counts]
    chart.data = pd.DataFrame({"from": [float(e) for e in edges[:-1]], "to": [float(e) for e in edges[1:]],
                               "n": pd.array([None if s else n for n, s in zip(counts, small)], dtype="Int64")})
    if open_last:
        chart.data.loc[len(chart.data) - 1, "to"] = np.inf
    chart.info = {"min_count": min_count, "n_small": int(sum(small)),
                  "caption": _small_caption(int(sum(small)), language, min_count)}
    return chart


def km_chart(table: pd.DataFrame, *, threshold=None, time_unit: Literal["minutes", "hours", "days"] | None = None,
             x_max=None, title: str | None = None, min_count: int = 5,
             language: Literal["en", "da"] = "en") -> Chart:
    """Draw a Kaplan–Meier curve of waits (the share still waiting against time) with its 95 % band.

    Takes the table of :func:`pathways.wait_curve` as it is, so the report's curve
    is one call: ``pw.km_chart(pw.wait_curve(waits), threshold="30D")``. The curve
    starts at 100 % and steps down at each ended wait; it stops before the first
    time with fewer than ``min_count`` waits at risk (its tail would describe
    fewer than five patients). A grey dashed line marks 50 % (the median).

    Parameters
    ----------
    table : pandas.DataFrame
        The result of :func:`pathways.wait_curve` (columns ``time`` in days,
        ``n_at_risk``, ``survival``, ``ci_low``, ``ci_high``), of one group (filter
        a curve made ``by=`` a column to one group first).
    threshold : duration, optional
        A red dashed line at this wait, labelled in words ("threshold 30 days",
        "grænse 30 dage").
    time_unit : {"minutes", "hours", "days"}, optional
        The unit of the time axis. Default: the one the curve's times read best in.
    x_max : duration or number, optional
        Where the time axis ends (a number is days); the curve is cut there.
        Default, as in the report: the 95th percentile of the ended waits (from
        the table's ``n_ended``) or twice the threshold, whichever is later.
    title : str, optional
        Default "Share still waiting" ("Andel der stadig venter").
    min_count : int, default 5
        The curve stops before fewer than this many waits are at risk.
    language : {"en", "da"}, default "en"

    Returns
    -------
    Chart
        ``.data``: the rows of ``table`` drawn, ``time`` in ``time_unit``.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> waits = pd.DataFrame({"wait_days": [2.0, 5, 5, 9, 12, 20, 30, 31, 45, 60],
    ...                       "censored": [False] * 8 + [True, True]})
    >>> c = pw.km_chart(pw.wait_curve(waits), threshold="30D", language="da")
    >>> texts = [a["s"] for kind, a in c.items if kind == "text"]
    >>> "grænse 30 dage" in texts, "dage" in texts, "Andel der stadig venter" in texts
    (True, True, True)
    >>> c.data[["time", "n_at_risk", "survival"]].tail(2)
       time  n_at_risk  survival
    3  12.0          6       0.5
    4  20.0          5       0.4
    """
    language, min_count = check_language(language), check_min_count(min_count)
    fmt = Formatter(language, min_count)
    if not isinstance(table, pd.DataFrame):
        raise OptionError(f"km_chart: table must be the table of pw.wait_curve(waits); found {type(table).__name__}.")
    need = ["time", "survival", "ci_low", "ci_high"]
    missing = [c for c in need if c not in table.columns]
    if missing:
        hint = " Pass pw.wait_curve(waits), not the waits themselves." if "wait_days" in table.columns else ""
        raise OptionError(f"km_chart: the table has no column {missing[0]!r} (columns: "
                          f"{', '.join(map(str, table.columns))}); it draws the table of pw.wait_curve." + hint)
    groups = [c for c in table.columns if c not in ("time", "n_at_risk", "n_ended", "n_censored", "survival",
                                                      "ci_low", "ci_high")]
    several = [c for c in groups if table[c].nunique(dropna=False) > 1]
    if several:
        first = table[several[0]].iloc[0]
        raise OptionError(f"km_chart: the table holds several curves (by {', '.join(several)}); draw one at a time, "
                          f"e.g. curve[curve[{several[0]!r}] == {first!r}].")
    rows = table if "n_at_risk" not in table.columns else table[table["n_at_risk"] >= min_count]
    rows = rows.reset_index(drop=True)
    unit = _time_unit(time_unit) or best_unit(rows["time"].tolist())
    scale = TIME_UNITS[unit][0]
    thr = None if threshold is None else _in_days(threshold, argument="threshold") * scale
    end = None if x_max is None else ((_in_days(x_max, argument="x_max") if _is_duration(x_max)
                                       else float(_numbers([x_max], function="km_chart", what="x_max")[0])) * scale)
    if end is not None and not end > 0:
        raise OptionError(f"km_chart: x_max={x_max!r}; give a positive duration, e.g. '90D'.")
    if end is None and "n_ended" in table.columns and len(rows):
        n_ended = pd.to_numeric(table["n_ended"], errors="coerce").fillna(0).clip(lower=0).astype("int64")
        ended = np.repeat(table["time"].to_numpy(float), n_ended.to_numpy())
        days = max(float(np.quantile(ended, 0.95)) if len(ended) else 0.0,
                   2 * _in_days(threshold, argument="threshold") if threshold is not None else 0.0)
        end = max(days * scale, 1.0) if days > 0 else None
    data = rows.assign(time=rows["time"] * scale)
    title = title if title is not None else say("km_title", language)
    if not len(data):
        info = {"min_count": min_count, "time_unit": unit, "caption": say("km_none", language, min_count=min_count)}
        return empty_chart(title, info["caption"], data, info)
    chart = draw_km(data["time"].tolist(), data["survival"].tolist(), data["ci_low"].tolist(),
                    data["ci_high"].tolist(), fmt=fmt, title=title,
                    x_label=fmt.unit_name(unit), y_label=say("waiting_axis", language), threshold=thr,
                    threshold_label="" if threshold is None
                    else f"{say('threshold_label', language)} {fmt.duration(threshold)}", x_max=end)
    chart.data = data if end is None else data[data["time"] <= end].reset_index(drop=True)
    chart.info = {"min_count": min_count, "time_unit": unit,
                  "caption": say("km_caption", language, min_count=min_count)}
    return chart


_TOTAL = "total"


def _small_caption(n: int, language: str, min_count: int) -> str:
    return say("chart_small", language, n=n, min_count=min_count) if n else ""


def _cell(v):
    """A published cell: ("count", n), ("small", text), ("hidden", "–") or ("none", None)."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return "none", None
    if isinstance(v, str):
        return ("small", v) if v.startswith("<") else ("hidden", "–")
    return "count", int(v)


def heatmap(table, *, title: str | None = None, x_label: str | None = None, min_count: int = 5,
            language: Literal["en", "da"] = "en") -> Chart:
    """Draw a table of counts as a grid, darker for more, with each row's total; small counts as ``"<5"``.

    A table of counts is published first with :func:`pathways.suppress` and its row
    totals (``totals="rows"``): counts from 1 to ``min_count - 1`` are drawn as
    ``"<5"`` in a neutral cell, and the complements that keep them from being worked
    out from the totals as ``"–"``. A table that already is the result of
    :func:`pathways.suppress` (e.g. with ``sums=`` of numbers published elsewhere)
    is drawn as it is. Weekday rows (``pw.discharge_timing(log).heatmap``) are named
    in the chart's language and an axis named ``hour`` reads "hour" ("klokkeslæt").

    Parameters
    ----------
    table : pandas.DataFrame or DischargeTiming
        Whole counts, rows by columns (e.g. ``pw.discharge_timing(log).heatmap``, or
        that object itself), or a :func:`pathways.suppress` result.
    title : str, optional
        Default "Counts" ("Antal").
    x_label : str, optional
        The columns' name, above them. Default: the columns' axis name.
    min_count : int, default 5
    language : {"en", "da"}, default "en"

    Returns
    -------
    Chart
        ``.data``: the table as drawn (the :func:`pathways.suppress` result).

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> t = pd.DataFrame({"am": [3, 9], "pm": [7, 12]}, index=["Monday", "Tuesday"])
    >>> c = pw.heatmap(t, language="da")
    >>> texts = [a["s"] for kind, a in c.items if kind == "text"]
    >>> "<5" in texts, "3" in texts, "Mandag" in texts, "–" in texts
    (True, False, True, True)
    >>> c.data
               am    pm total
    Monday     <5     –    10
    Tuesday     9    12    21
    total    None  None    31
    """
    language, min_count = check_language(language), check_min_count(min_count)
    fmt = Formatter(language, min_count)
    if not isinstance(table, pd.DataFrame) and isinstance(getattr(table, "heatmap", None), pd.DataFrame):
        table = table.heatmap
    if not isinstance(table, pd.DataFrame):
        raise OptionError(f"heatmap: table must be a pandas DataFrame of counts (rows by columns); found "
                          f"{type(table).__name__}.")
    hour_axis = str(table.columns.name) == "hour"
    published = _TOTAL in table.columns or _TOTAL in table.index or "suppressed" in table.attrs
    try:
        shown = table if published else suppress(table, min_count=min_count, totals="rows")
    except OptionError as e:
        raise OptionError("heatmap: " + str(e).removeprefix("suppress: ")) from None
    rows = [r for r in shown.index if r != _TOTAL]
    cols = [c for c in shown.columns if c != _TOTAL]
    grid = [[_cell(shown.at[r, c]) for c in cols] for r in rows]
    totals = [_cell(shown.at[r, _TOTAL]) for r in rows] if _TOTAL in shown.columns else None
    if totals is not None and all(k == "none" for k, _ in totals):
        totals = None
    if _TOTAL in shown.index and any(_cell(shown.at[_TOTAL, c])[0] != "none" for c in cols):
        rows.append(_TOTAL)
        grid.append([_cell(shown.at[_TOTAL, c]) for c in cols])
        if totals is not None:
            totals.append(_cell(shown.at[_TOTAL, _TOTAL]) if _TOTAL in shown.columns else ("none", None))
    english = [d.lower() for d in WEEKDAYS["en"]]
    row_labels = ["Σ" if r == _TOTAL else
                  (_cap(WEEKDAYS[language][english.index(str(r).lower())]) if str(r).lower() in english else str(r))
                  for r in rows]
    col_labels = [f"{c:02d}" if hour_axis and isinstance(c, (int, np.integer)) else str(c) for c in cols]
    if x_label is None:
        x_label = say("hour_axis", language) if hour_axis else ("" if table.columns.name is None
                                                                 else str(table.columns.name))
    chart = draw_cells(grid, row_labels=row_labels, col_labels=col_labels, fmt=fmt,
                         title=title if title is not None else say("heat_title", language), x_label=x_label,
                         total_label="Σ", totals=totals)
    chart.data = shown
    n_small = sum(k == "small" for row in grid for k, _ in row)
    chart.info = {"min_count": min_count, "n_small": n_small,
                  "caption": _small_caption(n_small, language, min_count)}
    return chart


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def bar_chart(values, *, labels=None, denominators=None, texts=None, max_value: float | None = None,
              title: str | None = None, min_count: int = 5, language: Literal["en", "da"] = "en") -> Chart:
    """Draw horizontal bars, one per label, with the number written after each bar.

    Counts from 1 to ``min_count - 1`` are drawn as a dashed outline as long as
    ``min_count`` and written ``"<5"``. With ``denominators`` the bars are shares
    (``values / denominators``, written in % with their counts: ``"12% (30 / 250)"``);
    a share of a small count is written as a bound (``"<2%"``) and drawn as a
    dashed outline up to it, a share of a small denominator is not drawn (``"–"``).

    Parameters
    ----------
    values : pandas.Series, mapping or sequence of numbers
        The counts (numerators with ``denominators``); a Series or mapping gives
        the labels too (its index or keys).
    labels : sequence of str, optional
        One per value; needed when ``values`` is a plain sequence.
    denominators : sequence of numbers, optional
        One per value: draw shares of them.
    texts : sequence of str, optional
        The words after each bar instead of the formatted count or share.
    max_value : float, optional
        The value of a full-length bar (a share for shares). Default: the largest.
    title : str, optional
        Default "Counts" ("Antal") or, with denominators, "Shares" ("Andele").
    min_count : int, default 5
    language : {"en", "da"}, default "en"

    Returns
    -------
    Chart
        ``.data``: one row per bar (``label``, ``value``, ``text``; with
        denominators also ``denominator`` and ``share``), small counts missing.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> c = pw.bar_chart(pd.Series([40, 3, 12], index=["Psykiatri", "Somatik", "Kommune"]), language="da")
    >>> [a["s"] for kind, a in c.items if kind == "text"][1:]
    ['Psykiatri', '40', 'Somatik', '<5', 'Kommune', '12']
    >>> s = pw.bar_chart([30, 2], labels=["A", "B"], denominators=[250, 100], language="en")
    >>> s.data["text"].tolist()
    ['12% (30 / 250)', '<5% (<5 / 100)']
    """
    language, min_count = check_language(language), check_min_count(min_count)
    fmt = Formatter(language, min_count)
    if isinstance(values, pd.Series):
        names, values = (list(values.index) if labels is None else labels), values.tolist()
    elif isinstance(values, dict):
        names, values = (list(values) if labels is None else labels), list(values.values())
    else:
        names = labels
    if names is None:
        raise OptionError("bar_chart: give labels=[...] (one per value), or values as a pandas Series or dict "
                          "whose index or keys are the labels.")
    names = [str(n) for n in names]
    counts = _numbers(values, function="bar_chart", what="values")
    if len(names) != len(counts):
        raise OptionError(f"bar_chart: {len(counts)} values but {len(names)} labels; give one label per value.")
    if np.isnan(counts).any() or (counts < 0).any():
        k = int(np.flatnonzero(np.isnan(counts) | (counts < 0))[0])
        raise OptionError(f"bar_chart: values must be 0 or more; {names[k]!r} has {list(values)[k]!r}. Leave that "
                          "row out, or give 0.")
    data = pd.DataFrame({"label": names, "value": pd.array([None if fmt.is_small(v) else v for v in counts],
                                                          dtype="Float64")})
    if denominators is None:
        lengths = [float(min_count) if fmt.is_small(v) else float(v) for v in counts]
        small = [fmt.is_small(v) for v in counts]
        words = [fmt.count(v) if float(v).is_integer() else fmt.num(v) for v in counts]
    else:
        dens = _numbers(denominators, function="bar_chart", what="denominators")
        if len(dens) != len(counts):
            raise OptionError(f"bar_chart: {len(dens)} denominators for {len(counts)} values; give one per value.")
        bad = np.isnan(dens) | (dens < 0) | (counts > dens)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise OptionError(f"bar_chart: each denominator must be a count at least its value; {names[k]!r} has "
                              f"{list(values)[k]!r} of {list(denominators)[k]!r}.")
        hidden = [fmt.is_small(d) or d <= 0 for d in dens]
        small = [fmt.is_small(v) and not h for v, h in zip(counts, hidden)]
        lengths = [None if h else (min(min_count / d, 1.0) if s else v / d)
                   for v, d, h, s in zip(counts, dens, hidden, small)]
        words = [f"{fmt.share(v, d)} ({fmt.count(v)} / {fmt.count(d)})" for v, d in zip(counts, dens)]
        data["denominator"] = pd.array([None if fmt.is_small(d) else d for d in dens], dtype="Float64")
        data["share"] = pd.array([None if h or s else v / d for v, d, h, s in zip(counts, dens, hidden, small)],
                                 dtype="Float64")
    if texts is not None:
        words = [str(t) for t in texts]
        if len(words) != len(counts):
            raise OptionError(f"bar_chart: {len(words)} texts for {len(counts)} values; give one text per value.")
    data["text"] = words
    default = "bar_title_shares" if denominators is not None else "bar_title"
    chart = draw_bars(names, lengths, words, title=title if title is not None else say(default, language),
                      max_value=max_value, small=small)
    chart.data = data
    chart.info = {"min_count": min_count, "n_small": int(sum(small)),
                  "caption": _small_caption(int(sum(small)), language, min_count)}
    return chart


__all__ = ["histogram", "km_chart", "heatmap", "bar_chart", "round_bins", "draw_histogram", "draw_km",
           "draw_heatmap", "draw_cells", "draw_bars", "ring_diagram"]
