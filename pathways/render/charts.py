"""Charts drawn by hand, without a plotting library: the :class:`Chart` every report chart is made of, and the
two charts that compare an indicator across groups and over time, :func:`funnel_plot` and :func:`control_chart`.

A :class:`Chart` is a list of drawing primitives (rectangles, lines, circles,
polygons, text) on a fixed canvas. It writes itself as SVG text (no script, no
external font or image: every text is escaped) and as PNG through Pillow, so the
same picture goes inline into the HTML report, into a notebook and into a figures
folder (``.save("x.svg")``, ``.save("x.png")``). ``.data`` is the table it draws,
``.info["caption"]`` says what was left out and how the limits were made.

The comparison charts take the table of :func:`pathways.indicators` (one row per
group, period and indicator, with ``numerator`` and ``denominator``) and never
compute an indicator themselves; their limits are arithmetic on those counts.
Groups or periods with a denominator under ``min_count`` are not drawn (their
position would tell a count under 5), and the caption says how many.
"""

from __future__ import annotations

import functools
import html
import io
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from ..files import write_atomically
from ..publish.suppression import check_min_count
from ..errors import OptionError, check_choice, closest
from .dot import UNSAFE
from ..layout import RenderError
from ..publish.numbers import number
from ..publish.words import WORDS, check_language, say

FONT_FAMILY = "Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif"
BAR = "#4e79a7"
BAND = "#4e79a7"
GRID = "#e3e7eb"
AXIS = "#6b7780"
TEXT = "#1f2a33"
MUTED = "#5b6670"
RED = "#d62728"
_CONTROL = UNSAFE  # control and bidi-override characters are never drawn


def _esc(value) -> str:
    return html.escape(_CONTROL.sub("", str(value)), quote=True)


def text_width(text: str, size: float) -> float:
    """Rough width of ``text`` in a sans font at ``size`` points (for layout only)."""
    return len(str(text)) * size * 0.56


@dataclass
class Chart:
    """A picture made of primitives, written as SVG or PNG.

    Examples
    --------
    >>> c = Chart(100, 40, title="<tiny>")
    >>> c.rect(0, 0, 10, 10, fill="#000000")
    >>> c.text(5, 30, "a < b")
    >>> svg = c.svg()
    >>> "a &lt; b" in svg and "&lt;tiny&gt;" in svg and "<script" not in svg
    True
    """

    width: float
    height: float
    title: str = ""
    items: list = field(default_factory=list)
    #: The table the chart draws (one row per point), for a reader who wants the numbers.
    data: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: What was left out and how the chart was made (``info["caption"]``: one sentence, also in the repr).
    info: dict = field(default_factory=dict)

    # --- primitives --------------------------------------------------------------
    def rect(self, x, y, w, h, *, fill="none", stroke=None, dash=False, opacity=1.0, width=1.0) -> None:
        self.items.append(("rect", dict(x=x, y=y, w=w, h=h, fill=fill, stroke=stroke, dash=dash,
                                        opacity=opacity, width=width)))

    def line(self, x1, y1, x2, y2, *, stroke=AXIS, width=1.0, dash=False) -> None:
        self.items.append(("line", dict(x1=x1, y1=y1, x2=x2, y2=y2, stroke=stroke, width=width, dash=dash)))

    def polyline(self, points, *, stroke=BAR, width=2.0, dash=False) -> None:
        self.items.append(("polyline", dict(points=list(points), stroke=stroke, width=width, dash=dash)))

    def circle(self, x, y, r, *, fill=BAR, stroke=None) -> None:
        self.items.append(("circle", dict(x=x, y=y, r=r, fill=fill, stroke=stroke)))

    def polygon(self, points, *, fill=BAND, opacity=0.2) -> None:
        self.items.append(("polygon", dict(points=list(points), fill=fill, opacity=opacity)))

    def text(self, x, y, s, *, size=11.0, anchor="start", fill=TEXT, bold=False) -> None:
        self.items.append(("text", dict(x=x, y=y, s=str(s), size=size, anchor=anchor, fill=fill, bold=bold)))

    # --- SVG ---------------------------------------------------------------------
    def svg(self) -> str:
        """The picture as a standalone SVG document (UTF-8 text)."""
        out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width:g}" height="{self.height:g}" '
               f'viewBox="0 0 {self.width:g} {self.height:g}" font-family="{FONT_FAMILY}" role="img">',
               f"<title>{_esc(self.title)}</title>",
               f'<rect x="0" y="0" width="{self.width:g}" height="{self.height:g}" fill="#ffffff"/>']
        for kind, a in self.items:
            if kind == "rect":
                extra = f' stroke="{a["stroke"]}" stroke-width="{a["width"]:g}"' if a["stroke"] else ""
                if a["dash"]:
                    extra += ' stroke-dasharray="4 3"'
                if a["opacity"] != 1.0:
                    extra += f' fill-opacity="{a["opacity"]:g}"'
                out.append(f'<rect x="{a["x"]:.1f}" y="{a["y"]:.1f}" width="{max(a["w"], 0):.1f}" '
                           f'height="{max(a["h"], 0):.1f}" fill="{a["fill"]}"{extra}/>')
            elif kind == "line":
                dash = ' stroke-dasharray="5 4"' if a["dash"] else ""
                out.append(f'<line x1="{a["x1"]:.1f}" y1="{a["y1"]:.1f}" x2="{a["x2"]:.1f}" y2="{a["y2"]:.1f}" '
                           f'stroke="{a["stroke"]}" stroke-width="{a["width"]:g}"{dash}/>')
            elif kind == "polyline":
                pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in a["points"])
                dash = ' stroke-dasharray="5 4"' if a["dash"] else ""
                out.append(f'<polyline points="{pts}" fill="none" stroke="{a["stroke"]}" '
                           f'stroke-width="{a["width"]:g}" stroke-linejoin="round"{dash}/>')
            elif kind == "circle":
                edge = f' stroke="{a["stroke"]}" stroke-width="1"' if a["stroke"] else ""
                out.append(f'<circle cx="{a["x"]:.1f}" cy="{a["y"]:.1f}" r="{a["r"]:g}" fill="{a["fill"]}"{edge}/>')
            elif kind == "polygon":
                pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in a["points"])
                out.append(f'<polygon points="{pts}" fill="{a["fill"]}" fill-opacity="{a["opacity"]:g}" '
                           'stroke="none"/>')
            else:
                weight = ' font-weight="bold"' if a["bold"] else ""
                out.append(f'<text x="{a["x"]:.1f}" y="{a["y"]:.1f}" font-size="{a["size"]:g}" '
                           f'text-anchor="{a["anchor"]}" fill="{a["fill"]}"{weight}>{_esc(a["s"])}</text>')
        out.append("</svg>")
        return "\n".join(out) + "\n"

    # --- PNG ---------------------------------------------------------------------
    def png(self, *, scale: float = 2.0) -> bytes:
        """The picture as PNG bytes, ``scale`` pixels per SVG unit (2 is sharp in print)."""
        try:
            from PIL import Image, ImageDraw
        except ImportError:  # pragma: no cover - Pillow comes with pm4py's matplotlib
            raise RenderError("PNG charts need Pillow (pip install pillow); the SVG files are written.") from None
        s = float(scale)
        img = Image.new("RGB", (int(math.ceil(self.width * s)), int(math.ceil(self.height * s))), "white")
        draw = ImageDraw.Draw(img, "RGBA")
        for kind, a in self.items:
            if kind == "rect":
                box = [a["x"] * s, a["y"] * s, (a["x"] + max(a["w"], 0)) * s, (a["y"] + max(a["h"], 0)) * s]
                if a["fill"] != "none":
                    draw.rectangle(box, fill=rgba(a["fill"], a["opacity"]))
                if a["stroke"]:
                    x0, y0, x1, y1 = box
                    edges = [(x0, y0, x1, y0), (x1, y0, x1, y1), (x1, y1, x0, y1), (x0, y1, x0, y0)]
                    for e in edges:
                        _line(draw, e, rgba(a["stroke"]), max(1, round(a["width"] * s)), a["dash"], s)
            elif kind == "line":
                _line(draw, (a["x1"] * s, a["y1"] * s, a["x2"] * s, a["y2"] * s), rgba(a["stroke"]),
                      max(1, round(a["width"] * s)), a["dash"], s)
            elif kind == "polyline":
                pts = [(x * s, y * s) for x, y in a["points"]]
                if len(pts) > 1 and a["dash"]:
                    for p, q in zip(pts, pts[1:]):
                        _line(draw, (*p, *q), rgba(a["stroke"]), max(1, round(a["width"] * s)), True, s)
                elif len(pts) > 1:
                    draw.line(pts, fill=rgba(a["stroke"]), width=max(1, round(a["width"] * s)), joint="curve")
            elif kind == "circle":
                box = [(a["x"] - a["r"]) * s, (a["y"] - a["r"]) * s, (a["x"] + a["r"]) * s, (a["y"] + a["r"]) * s]
                draw.ellipse(box, fill=rgba(a["fill"]), outline=rgba(a["stroke"]) if a["stroke"] else None)
            elif kind == "polygon":
                pts = [(x * s, y * s) for x, y in a["points"]]
                if len(pts) > 2:
                    draw.polygon(pts, fill=rgba(a["fill"], a["opacity"]))
            else:
                font = _font(round(a["size"] * s), a["bold"])
                anchor = {"start": "ls", "middle": "ms", "end": "rs"}[a["anchor"]]
                draw.text((a["x"] * s, a["y"] * s), _CONTROL.sub("", a["s"]), fill=rgba(a["fill"]), font=font,
                          anchor=anchor)
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        return buf.getvalue()

    def save(self, path, *, make_dirs: bool = False) -> Path:
        """Write the chart to ``path``: ``.svg`` or ``.png`` (the suffix decides).

        The folder must exist unless ``make_dirs``; the file is written to a temporary
        name and renamed into place (:func:`pathways.files.write_atomically`).
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".svg":
            data = self.svg().encode("utf-8")
        elif suffix == ".png":
            data = self.png()
        else:
            raise OptionError(f"cannot save {str(path)!r}: a chart is written as .svg or .png.")
        return write_atomically(path, data, make_dirs=make_dirs)

    def __repr__(self) -> str:
        caption = f"; {self.info['caption']}" if self.info.get("caption") else ""
        return f"Chart: {self.title or 'untitled'} ({self.width:g} × {self.height:g}){caption}"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {"image/svg+xml": self.svg(), "text/plain": repr(self)}


def rgba(colour: str, opacity: float = 1.0) -> tuple[int, int, int, int]:
    c = colour.lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16), int(round(255 * opacity))


def _line(draw, xy, fill, width, dash: bool, s: float) -> None:
    x1, y1, x2, y2 = xy
    if not dash:
        draw.line([(x1, y1), (x2, y2)], fill=fill, width=width)
        return
    length = math.hypot(x2 - x1, y2 - y1)
    if length == 0:
        return
    on, off = 5 * s, 4 * s
    dx, dy = (x2 - x1) / length, (y2 - y1) / length
    pos = 0.0
    while pos < length:
        end = min(pos + on, length)
        draw.line([(x1 + dx * pos, y1 + dy * pos), (x1 + dx * end, y1 + dy * end)], fill=fill, width=width)
        pos += on + off


@functools.lru_cache(maxsize=None)
def _font_file(bold: bool) -> str | None:
    """A TrueType sans font with Danish letters: DejaVu from matplotlib's data, else the system's."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    places = []
    try:
        import importlib.util

        spec = importlib.util.find_spec("matplotlib")
        if spec and spec.submodule_search_locations:
            for loc in spec.submodule_search_locations:
                places.append(os.path.join(loc, "mpl-data", "fonts", "ttf", name))
    except (ImportError, ValueError):  # pragma: no cover
        pass
    places += [f"/usr/share/fonts/truetype/dejavu/{name}",
               "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf" if bold
               else "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
               "C:/Windows/Fonts/arialbd.ttf" if bold else "C:/Windows/Fonts/arial.ttf",
               "/Library/Fonts/Arial.ttf", "/System/Library/Fonts/Supplemental/Arial.ttf"]
    return next((p for p in places if os.path.isfile(p)), None)


@functools.lru_cache(maxsize=64)
def _font(size: int, bold: bool):
    from PIL import ImageFont

    path = _font_file(bold)
    if path:
        try:
            return ImageFont.truetype(path, size)
        except OSError:  # pragma: no cover
            pass
    return ImageFont.load_default(size=size)


# --------------------------------------------------------------------------- axes
def nice_step(span: float, target: int = 6) -> float:
    """A round tick step (1, 2, 2.5, 5 × 10^k) giving about ``target`` ticks over ``span``.

    Examples
    --------
    >>> nice_step(100), nice_step(7), nice_step(0.9)
    (20.0, 2.0, 0.2)
    """
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / target
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag * 1.0001:
            return float(m * mag)
    return float(10 * mag)  # pragma: no cover




# --------------------------------------------------------------------------- comparison charts: words
ORANGE = "#f28e2b"
LIMIT_95 = "#9aa5ae"
LIMIT_998 = "#4a5560"

WORDS.update({
    "fp_title": {"en": "Funnel plot: {indicator}", "da": "Tragtplot: {indicator}"},
    "fp_x": {"en": "denominator (number)", "da": "nævner (antal)"},
    "fp_target": {"en": "overall rate {rate}", "da": "samlet andel {rate}"},
    "fp_95": {"en": "95% limits", "da": "95 %-grænser"},
    "fp_998": {"en": "99.8% limits", "da": "99,8 %-grænser"},
    "fp_caption": {"en": "{n} groups drawn; {small} with a denominator under {min_count} not drawn. Limits: exact "
                         "binomial around the overall rate of the groups drawn (Spiegelhalter 2005); points outside "
                         "them are named.",
                   "da": "{n} {n:gruppe|grupper} vist; {small} med en nævner under {min_count} ikke vist. Grænser: "
                         "eksakte binomiale omkring den samlede andel for de viste grupper (Spiegelhalter 2005); "
                         "punkter uden for dem er navngivet."},
    "fp_none": {"en": "No group has a denominator of {min_count} or more: nothing to draw.",
                "da": "Ingen gruppe har en nævner på {min_count} eller mere: intet at vise."},
    "cc_title": {"en": "Control chart (p-chart): {indicator}", "da": "Kontrolkort (p-kort): {indicator}"},
    "cc_centre": {"en": "centre line {rate}", "da": "midterlinje {rate}"},
    "cc_limits": {"en": "3-sigma limits", "da": "3-sigma-grænser"},
    "cc_outside": {"en": "rule 1: outside the limits", "da": "regel 1: uden for grænserne"},
    "cc_shift": {"en": "rule 2: {n} in a row on one side of the centre line",
                 "da": "regel 2: {n} i træk på samme side af midterlinjen"},
    "cc_trend": {"en": "rule 3: {n} in a row rising or falling", "da": "regel 3: {n} i træk stigende eller faldende"},
    "cc_caption": {"en": "{n} periods drawn; {small} with a denominator under {min_count} not drawn. Centre line: the "
                         "overall rate of the periods drawn; limits: 3 standard errors for each period's denominator. "
                         "Special causes by the Western Electric rules 1 and 4 and Nelson's trend rule.",
                   "da": "{n} {n:periode|perioder} vist; {small} med en nævner under {min_count} ikke vist. "
                         "Midterlinje: den samlede andel for de viste perioder; grænser: 3 standardfejl for hver "
                         "periodes nævner. Særlige årsager efter Western Electric-reglerne 1 og 4 og Nelsons "
                         "trendregel."},
    "cc_none": {"en": "No period has a denominator of {min_count} or more: nothing to draw.",
                "da": "Ingen periode har en nævner på {min_count} eller mere: intet at vise."},
})

#: Columns of an indicator table (:func:`pathways.indicators`) that are not groups; the groups come before them.
NOT_GROUPS = ("period", "indicator", "numerator", "denominator", "rate", "ci_low", "ci_high", "method")
#: The run rules of :func:`control_chart`: a run this long on one side of the centre line, or rising or falling.
SHIFT_RUN, TREND_RUN = 8, 6


def _pct(x: float, language: str, decimals: int = 0) -> str:
    text = number(float(x) * 100, language, f".{decimals}f")
    return f"{text} %" if language == "da" else f"{text}%"


def _indicator_rows(table, indicator, *, function: str) -> tuple[pd.DataFrame, str]:
    """The rows of one indicator with whole, non-negative counts (numerator at most the denominator)."""
    if not isinstance(table, pd.DataFrame):
        raise OptionError(f"{function}: table must be a pandas DataFrame of indicator rows, as pw.indicators "
                          f"returns; found {type(table).__name__}.")
    missing = [c for c in ("numerator", "denominator") if c not in table.columns]
    if missing:
        hint = closest(missing[0], [str(c) for c in table.columns])
        raise OptionError(f"{function}: the table has no column {missing[0]!r} (columns: "
                          f"{', '.join(map(str, table.columns))}); it needs numerator and denominator counts per row, "
                          "as pw.indicators returns." + (f" Did you mean {hint!r}?" if hint else ""))
    rows = table
    if "indicator" in table.columns:
        ids = list(dict.fromkeys(table["indicator"].astype(str)))
        if indicator is None:
            if len(ids) != 1:
                raise OptionError(f"{function}: the table holds {len(ids)} indicators; pick one with indicator=..., "
                                  f"one of {', '.join(map(repr, ids[:12]))}.")
            indicator = ids[0]
        check_choice("indicator", indicator, ids)
        rows = table[table["indicator"].astype(str) == indicator]
    name = "" if indicator is None else str(indicator)
    counts = rows[["numerator", "denominator"]].apply(pd.to_numeric, errors="coerce")
    bad = counts.isna().any(axis=1) | (counts < 0).any(axis=1) | (counts["numerator"] > counts["denominator"]) \
        | (counts % 1 != 0).any(axis=1)
    if bad.any():
        k = int(np.flatnonzero(bad.to_numpy())[0])
        raise OptionError(f"{function}: {int(bad.sum())} of {len(rows)} rows do not hold whole counts with "
                          f"0 ≤ numerator ≤ denominator (e.g. numerator {rows['numerator'].iloc[k]!r}, denominator "
                          f"{rows['denominator'].iloc[k]!r}); pass the table of pw.indicators, or drop those rows.")
    rows = rows.assign(numerator=counts["numerator"].astype("int64"), denominator=counts["denominator"].astype("int64"))
    return rows, name


def _groups(table: pd.DataFrame, by, *, function: str) -> list:
    """The group columns: ``by``, or the columns before the first of :data:`NOT_GROUPS` (the contract's order)."""
    if by is None:
        first = next((i for i, c in enumerate(table.columns) if c in NOT_GROUPS), len(table.columns))
        return list(table.columns[:first])
    cols = [by] if isinstance(by, str) else list(by)
    for c in cols:
        if c not in table.columns:
            hint = closest(str(c), [str(x) for x in table.columns])
            raise OptionError(f"{function}: by={c!r} is not a column of the table (columns: "
                              f"{', '.join(map(str, table.columns))})." + (f" Did you mean {hint!r}?" if hint else ""))
    return cols


def _indicator_title(table: pd.DataFrame, indicator: str, language: str) -> str:
    d = (table.attrs.get("definitions") or {}).get(indicator) or {}
    return str(d.get(f"title_{language}") or indicator.replace("_", " "))


# --------------------------------------------------------------------------- limits
def binomial_limit(p: float, n: int, q: float) -> float:
    """The ``q`` control limit of a proportion with target ``p`` over ``n``: exact binomial, interpolated.

    Spiegelhalter (2005, *Statistics in Medicine* 24:1185, appendix A.1.1): ``r`` is
    the smallest count with ``P(X ≤ r) ≥ q`` for ``X ~ Binomial(n, p)``,
    ``a = (P(X ≤ r) - q) / P(X = r)``, and the limit is ``(r - a) / n`` (within 0 and 1).
    Exact rather than the normal approximation ``p ± z·√(p(1-p)/n)``, which is
    symmetric where the binomial is not and falls below 0 for small groups and rare
    events (a readmission rate of 10 % in a municipality with 30 discharges); for
    large ``n`` the two agree.

    Examples
    --------
    >>> round(binomial_limit(0.5, 10, 0.975), 6), round(binomial_limit(0.5, 10, 0.025), 6)
    (0.767556, 0.132444)
    """
    if n <= 0:
        return float("nan")
    if p <= 0 or p >= 1:
        return float(min(max(p, 0.0), 1.0))
    sd = math.sqrt(n * p * (1 - p))
    lo, hi = max(0, math.floor(n * p - 12 * sd - 2)), min(n, math.ceil(n * p + 12 * sd + 2))
    k = np.arange(lo, hi + 1, dtype=float)
    log_first = (math.lgamma(n + 1) - math.lgamma(lo + 1) - math.lgamma(n - lo + 1) + lo * math.log(p)
                 + (n - lo) * math.log1p(-p))
    steps = np.log((n - k[:-1]) / (k[:-1] + 1)) + math.log(p) - math.log1p(-p)
    pmf = np.exp(log_first + np.concatenate([[0.0], np.cumsum(steps)]))
    cdf = np.cumsum(pmf)
    r = min(int(np.searchsorted(cdf, q - 1e-12)), len(k) - 1)
    a = (cdf[r] - q) / pmf[r] if pmf[r] > 0 else 0.0
    return float(min(max((k[r] - a) / n, 0.0), 1.0))


_LIMITS = (("low_998", 0.001), ("low_95", 0.025), ("high_95", 0.975), ("high_998", 0.999))


def funnel_limits(p: float, n) -> pd.DataFrame:
    """The 95 % and 99.8 % funnel limits around ``p`` for each denominator in ``n`` (:func:`binomial_limit`)."""
    n = [int(v) for v in n]
    return pd.DataFrame({name: [binomial_limit(p, v, q) for v in n] for name, q in _LIMITS})


def run_rules(rate, centre, lower, upper) -> pd.DataFrame:
    """Which points of a control chart show a special cause, by rule (one row per point, in time order).

    ``outside``: the point is above ``upper`` or below ``lower`` (Western Electric
    rule 1); ``shift``: it is one of at least 8 points in a row on the same side of
    ``centre`` (rule 4; a point on the line breaks the run); ``trend``: it is one of
    at least 6 points in a row each higher, or each lower, than the one before
    (Nelson's rule 3; a tie breaks the run). Every point of a run is marked.

    Examples
    --------
    >>> r = run_rules([.1, .2, .3, .4, .5, .6, .1], .3, .0, .55)
    >>> r["outside"].tolist(), r["trend"].tolist()
    ([False, False, False, False, False, True, False], [True, True, True, True, True, True, False])
    """
    rate = np.asarray(rate, dtype=float)
    centre, lower, upper = (np.broadcast_to(np.asarray(v, dtype=float), rate.shape) for v in (centre, lower, upper))
    shift = _runs(rate > centre, SHIFT_RUN) | _runs(rate < centre, SHIFT_RUN)
    diff = np.diff(rate)
    steps = _runs(diff > 0, TREND_RUN - 1) | _runs(diff < 0, TREND_RUN - 1)
    trend = np.concatenate([[False], steps]) | np.concatenate([steps, [False]])
    return pd.DataFrame({"outside": (rate > upper) | (rate < lower), "shift": shift, "trend": trend})


def _runs(flags: np.ndarray, length: int) -> np.ndarray:
    """Every element of a run of at least ``length`` consecutive true flags."""
    out = np.zeros(len(flags), dtype=bool)
    start = None
    for i, flag in enumerate([*map(bool, flags), False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start >= length:
                out[start:i] = True
            start = None
    return out


# --------------------------------------------------------------------------- drawing helpers
def _frame(c: Chart, *, left, right, top, bottom, y_lo, y_hi, language) -> tuple:
    """Grid lines and per-cent labels of the y axis; returns ``y(value)`` and the decimals used."""
    step = nice_step(y_hi - y_lo, 5)
    decimals = 0 if step * 100 >= 1 - 1e-9 else (1 if step * 1000 >= 1 - 1e-9 else 2)

    def y(v):
        return bottom - (bottom - top) * (float(v) - y_lo) / (y_hi - y_lo)

    v = math.ceil(y_lo / step - 1e-9) * step
    while v <= y_hi + 1e-9:
        c.line(left, y(v), right, y(v), stroke=GRID)
        c.text(left - 6, y(v) + 4, _pct(v, language, decimals), size=10, anchor="end", fill=MUTED)
        v += step
    c.line(left, bottom, right, bottom, stroke=AXIS)
    return y, decimals


def _y_range(values) -> tuple[float, float]:
    vals = [float(v) for v in values if v is not None and np.isfinite(v)]
    lo, hi = min(vals), max(vals)
    pad = max((hi - lo) * 0.06, 0.01)
    return max(lo - pad, 0.0), min(hi + pad, 1.0)


def _legend(c: Chart, x: float, y: float, items) -> None:
    """Legend entries ``(kind, colour, text)`` in one row from ``x``; kind "line", "dash" or "dot"."""
    for kind, colour, words in items:
        if kind == "dot":
            c.circle(x + 6, y - 4, 4, fill=colour)
        else:
            c.line(x, y - 4, x + 14, y - 4, stroke=colour, width=1.6, dash=kind == "dash")
        c.text(x + 18, y, words, size=9.5, fill=MUTED)
        x += 18 + text_width(words, 9.5) + 16


def _empty(title: str, message: str, data: pd.DataFrame, info: dict) -> Chart:
    c = Chart(560, 90, title=title, data=data, info=info)
    c.text(12, 20, title, size=13, bold=True)
    c.text(12, 50, message, size=11, fill=MUTED)
    return c


# --------------------------------------------------------------------------- funnel plot
def funnel_plot(table: pd.DataFrame, *, indicator: str | None = None, by: str | list[str] | None = None,
                min_count: int = 5, language: Literal["en", "da"] = "en", title: str | None = None) -> Chart:
    """Draw one indicator's rate against its denominator across groups, with 95 % and 99.8 % limits.

    One point per group (unit, municipality, ...: the rows of ``table`` summed over
    periods); the horizontal line is the overall rate of the groups drawn, and the
    funnels are the exact binomial limits around it (:func:`binomial_limit`,
    Spiegelhalter 2005). A point outside the 95 % limits is orange, outside 99.8 %
    red, and both are named. Groups with a denominator under ``min_count`` are not
    drawn (a point at n = 3 tells a count under 5) and do not enter the overall
    rate; the caption says how many.

    Parameters
    ----------
    table : pandas.DataFrame
        The table of :func:`pathways.indicators` (or any with ``numerator`` and
        ``denominator`` counts and group columns before them).
    indicator : str, optional
        The indicator to draw (column ``indicator``); needed when the table holds several.
    by : str or list of str, optional
        The group column(s) to compare; by default every group column of the table.
    min_count : int, default 5
        Groups with a smaller denominator are not drawn.
    language : {"en", "da"}, default "en"
    title : str, optional
        Default "Funnel plot: <the indicator's title>" ("Tragtplot: ...").

    Returns
    -------
    Chart
        ``.save("funnel.svg")`` or ``.png``; ``.data`` has one row per group drawn
        (the group columns, ``numerator``, ``denominator``, ``rate``, the limits
        ``low_998``, ``low_95``, ``high_95``, ``high_998`` and ``outlier``:
        ``"above_99.8"``, ``"above_95"``, ``"below_95"``, ``"below_99.8"`` or ``""``);
        ``.info`` holds ``target``, ``n_drawn``, ``n_not_drawn`` and ``caption``.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> t = pd.DataFrame({"municipality": ["A", "B", "C", "D"], "indicator": "readmission_30d",
    ...                   "numerator": [10, 12, 34, 1], "denominator": [100, 110, 120, 3]})
    >>> f = pw.funnel_plot(t, language="en")
    >>> f.data[["municipality", "rate", "outlier"]]
      municipality      rate     outlier
    0            A  0.100000
    1            B  0.109091
    2            C  0.283333  above_99.8
    >>> f.info["caption"][:60]
    '3 groups drawn; 1 with a denominator under 5 not drawn. Limi'
    """
    language, min_count = check_language(language), check_min_count(min_count)
    rows, indicator = _indicator_rows(table, indicator, function="funnel_plot")
    groups = _groups(rows, by, function="funnel_plot")
    if not groups:
        raise OptionError("funnel_plot: the table has no group column to compare; compute the indicator per group "
                          "(pw.indicators(log, by='municipality')) or name the column with by=.")
    name = _indicator_title(table, indicator, language)
    title = title if title is not None else say("fp_title", language, indicator=name)
    agg = rows.groupby(groups, sort=True, dropna=False, observed=True)[["numerator", "denominator"]].sum()
    agg = agg.reset_index()
    small = agg["denominator"] < min_count
    drawn = agg[~small].reset_index(drop=True)
    info = {"indicator": indicator, "n_drawn": len(drawn), "n_not_drawn": int(small.sum()), "min_count": min_count}
    if not len(drawn):
        info["caption"] = say("fp_none", language, min_count=min_count)
        return _empty(title, info["caption"], drawn.assign(rate=pd.Series(dtype=float)), info)
    p = float(drawn["numerator"].sum() / drawn["denominator"].sum())
    drawn["rate"] = drawn["numerator"] / drawn["denominator"]
    drawn = pd.concat([drawn, funnel_limits(p, drawn["denominator"])], axis=1)
    r = drawn["rate"]
    drawn["outlier"] = np.select([r > drawn["high_998"], r > drawn["high_95"], r < drawn["low_998"],
                                  r < drawn["low_95"]], ["above_99.8", "above_95", "below_99.8", "below_95"], "")
    info.update(target=p, caption=say("fp_caption", language, n=len(drawn), small=int(small.sum()),
                                      min_count=min_count))

    width, height = 640.0, 430.0
    c = Chart(width, height, title=title, data=drawn, info=info)
    c.text(12, 20, title, size=13, bold=True)
    left, right, top, bottom = 62.0, width - 24, 46.0, height - 96
    n_lo, n_hi = int(drawn["denominator"].min()), int(drawn["denominator"].max())
    x_max = n_hi * 1.05
    curve_n = sorted({int(round(v)) for v in np.geomspace(max(n_lo, 1), max(x_max, n_lo + 1), 80)})
    curve = funnel_limits(p, curve_n)
    y_lo, y_hi = _y_range([*r, p, *curve.iloc[0]])
    y, decimals = _frame(c, left=left, right=right, top=top, bottom=bottom, y_lo=y_lo, y_hi=y_hi,
                         language=language)

    def x(v):
        return left + (right - left) * float(v) / x_max

    step = nice_step(x_max, 8)
    tick = 0.0
    while tick <= x_max + 1e-9:
        c.line(x(tick), bottom, x(tick), bottom + 4, stroke=AXIS)
        c.text(x(tick), bottom + 16, number(tick, language, ",.0f"), size=10, anchor="middle", fill=MUTED)
        tick += step
    c.text((left + right) / 2, bottom + 32, say("fp_x", language), size=10, anchor="middle", fill=MUTED)

    def clip(v):
        return min(max(v, y_lo), y_hi)

    for col, colour, dash in (("low_95", LIMIT_95, True), ("high_95", LIMIT_95, True),
                              ("low_998", LIMIT_998, False), ("high_998", LIMIT_998, False)):
        c.polyline([(x(n), y(clip(v))) for n, v in zip(curve_n, curve[col])], stroke=colour, width=1.3, dash=dash)
    c.line(left, y(p), right, y(p), stroke=TEXT, width=1.2)
    colours = {"": BAR, "above_95": ORANGE, "below_95": ORANGE, "above_99.8": RED, "below_99.8": RED}
    for row in drawn.to_dict("records"):
        c.circle(x(row["denominator"]), y(row["rate"]), 3.6, fill=colours[row["outlier"]], stroke="#ffffff")
        if row["outlier"]:
            label = " · ".join(str(row[g]) for g in groups)
            label = label if len(label) <= 30 else label[:29] + "…"
            anchor = "end" if x(row["denominator"]) > right - 120 else "start"
            dx = -6 if anchor == "end" else 6
            c.text(x(row["denominator"]) + dx, y(row["rate"]) - 5, label, size=9.5, anchor=anchor,
                   fill=colours[row["outlier"]])
    _legend(c, left, bottom + 52, [("line", TEXT, say("fp_target", language, rate=_pct(p, language, decimals + 1))),
                                   ("dash", LIMIT_95, say("fp_95", language)),
                                   ("line", LIMIT_998, say("fp_998", language))])
    _caption(c, info["caption"], y0=bottom + 70, width=width)
    return c


def _caption(c: Chart, caption: str, *, y0: float, width: float) -> None:
    """The caption in grey lines under the chart, wrapped at the chart's width."""
    words, line, lines = caption.split(), "", []
    for w in words:
        if line and text_width(f"{line} {w}", 9) > width - 24:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    for i, text in enumerate(lines[:3]):
        c.text(12, y0 + 12 * i, text, size=9, fill=MUTED)


# --------------------------------------------------------------------------- control chart
def _period_label(v) -> str:
    if isinstance(v, pd.Period):
        return str(v)
    ts = pd.Timestamp(v) if not isinstance(v, str) else None
    if ts is not None and ts is not pd.NaT:
        return ts.strftime("%Y-%m") if ts.day == 1 else ts.strftime("%Y-%m-%d")
    return str(v)


def control_chart(table: pd.DataFrame, *, indicator: str | None = None, min_count: int = 5,
                  language: Literal["en", "da"] = "en", title: str | None = None) -> Chart:
    """Draw a p-chart of one indicator per period, with 3-sigma limits and the special causes marked.

    The rows of each period are summed (filter ``table`` to one unit or
    municipality first to chart that group alone). The centre line is the overall
    rate ``p`` of the periods drawn; each period's limits are
    ``p ± 3·√(p(1-p)/n)`` for its own denominator ``n`` (within 0 and 1), so they
    widen in small months. Special causes, by a named rule set (the Western
    Electric rules 1 and 4 with Nelson's trend rule, :func:`run_rules`):

    1. a point outside the limits (red);
    2. 8 points in a row on one side of the centre line (orange);
    3. 6 points in a row rising, or falling (orange).

    Each marked point carries the number of the rule that fired. Periods with a
    denominator under ``min_count`` are not drawn (nor counted in a run), and the
    caption says how many.

    Parameters
    ----------
    table : pandas.DataFrame
        The table of :func:`pathways.indicators` with ``period=`` given (a column
        ``period``), or any with ``period``, ``numerator`` and ``denominator``.
    indicator : str, optional
        The indicator to draw; needed when the table holds several.
    min_count : int, default 5
        Periods with a smaller denominator are not drawn.
    language : {"en", "da"}, default "en"
    title : str, optional
        Default "Control chart (p-chart): <the indicator's title>" ("Kontrolkort (p-kort): ...").

    Returns
    -------
    Chart
        ``.data`` has one row per period drawn: ``period``, ``numerator``,
        ``denominator``, ``rate``, ``centre``, ``lower``, ``upper`` and the rules
        ``outside``, ``shift``, ``trend`` (True where the rule fired).

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> t = pd.DataFrame({"period": pd.period_range("2023-01", periods=4, freq="M"),
    ...                   "numerator": [10, 10, 10, 40], "denominator": [100, 100, 100, 100]})
    >>> c = pw.control_chart(t)
    >>> c.data[["rate", "upper", "outside"]].round(4)
       rate  upper  outside
    0   0.1  0.289    False
    1   0.1  0.289    False
    2   0.1  0.289    False
    3   0.4  0.289     True
    """
    language, min_count = check_language(language), check_min_count(min_count)
    rows, indicator = _indicator_rows(table, indicator, function="control_chart")
    if "period" not in rows.columns:
        raise OptionError("control_chart: the table has no column 'period'; compute the indicator per period "
                          "(pw.indicators(log, period='M')).")
    name = _indicator_title(table, indicator, language)
    title = title if title is not None else say("cc_title", language, indicator=name)
    agg = rows.groupby("period", sort=True, observed=True)[["numerator", "denominator"]].sum().reset_index()
    small = agg["denominator"] < min_count
    drawn = agg[~small].reset_index(drop=True)
    info = {"indicator": indicator, "n_drawn": len(drawn), "n_not_drawn": int(small.sum()), "min_count": min_count}
    if not len(drawn):
        info["caption"] = say("cc_none", language, min_count=min_count)
        return _empty(title, info["caption"], drawn, info)
    p = float(drawn["numerator"].sum() / drawn["denominator"].sum())
    se = np.sqrt(p * (1 - p) / drawn["denominator"].astype(float))
    drawn["rate"] = drawn["numerator"] / drawn["denominator"]
    drawn["centre"] = p
    drawn["lower"] = np.clip(p - 3 * se, 0.0, 1.0)
    drawn["upper"] = np.clip(p + 3 * se, 0.0, 1.0)
    drawn = pd.concat([drawn, run_rules(drawn["rate"], p, drawn["lower"], drawn["upper"])], axis=1)
    info.update(centre=p, caption=say("cc_caption", language, n=len(drawn), small=int(small.sum()),
                                      min_count=min_count))

    n = len(drawn)
    width, height = max(640.0, 90 + 28.0 * n), 430.0
    c = Chart(width, height, title=title, data=drawn, info=info)
    c.text(12, 20, title, size=13, bold=True)
    left, right, top, bottom = 62.0, width - 24, 46.0, height - 112
    y_lo, y_hi = _y_range([*drawn["rate"], *drawn["lower"], *drawn["upper"]])
    y, decimals = _frame(c, left=left, right=right, top=top, bottom=bottom, y_lo=y_lo, y_hi=y_hi,
                         language=language)
    slot = (right - left) / n

    def x(i):
        return left + slot * (i + 0.5)

    labels = [_period_label(v) for v in drawn["period"]]
    every = max(1, math.ceil((text_width(max(labels, key=len), 9.5) + 8) / slot))
    for i, label in enumerate(labels):
        c.line(x(i), bottom, x(i), bottom + 3, stroke=AXIS)
        if i % every == 0:
            c.text(x(i), bottom + 15, label, size=9.5, anchor="middle", fill=MUTED)
    for col in ("lower", "upper"):
        pts = []
        for i, v in enumerate(drawn[col]):
            pts += [(x(i) - slot / 2, y(v)), (x(i) + slot / 2, y(v))]
        c.polyline(pts, stroke=LIMIT_998, width=1.2, dash=True)
    c.line(left, y(p), right, y(p), stroke=TEXT, width=1.2)
    c.polyline([(x(i), y(v)) for i, v in enumerate(drawn["rate"])], stroke=BAR, width=1.4)
    for i, row in enumerate(drawn.to_dict("records")):
        fired = [str(k) for k, rule in enumerate(("outside", "shift", "trend"), start=1) if row[rule]]
        colour = RED if row["outside"] else (ORANGE if fired else BAR)
        c.circle(x(i), y(row["rate"]), 3.6, fill=colour, stroke="#ffffff")
        if fired:
            c.text(x(i), y(row["rate"]) - 7, ",".join(fired), size=8.5, anchor="middle", fill=colour)
    _legend(c, left, bottom + 36, [("line", TEXT, say("cc_centre", language, rate=_pct(p, language, decimals + 1))),
                                   ("dash", LIMIT_998, say("cc_limits", language)),
                                   ("dot", RED, say("cc_outside", language))])
    _legend(c, left, bottom + 54, [("dot", ORANGE, say("cc_shift", language, n=SHIFT_RUN)),
                                   ("dot", ORANGE, say("cc_trend", language, n=TREND_RUN))])
    _caption(c, info["caption"], y0=bottom + 74, width=width)
    return c


__all__ = ["Chart", "funnel_plot", "control_chart", "binomial_limit", "funnel_limits", "run_rules",
           "nice_step", "text_width", "NOT_GROUPS"]
