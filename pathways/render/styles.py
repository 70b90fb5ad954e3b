"""Colours, fonts and number formats shared by every diagram (one place to restyle)."""

from __future__ import annotations

import math

from .words import number, say

#: Font for every text. Graphviz maps Helvetica to the system's sans font (Liberation Sans,
#: DejaVu Sans, Arial); graphviz-pure has metrics for it, so text fits its boxes; æøå render.
FONT = "Helvetica"

#: The smallest text of a unit map (counts in the nodes, edge labels), in points.
SMALL_FONT = 10

EDGE = "#6b7780"          # ordinary edges
TEXT = "#1f2a33"
LOOP = "#d62728"          # red: on a circular route
PSY_SOM = "#7b3294"       # purple: crosses the psychiatric/somatic line
LONG_WAIT = "#f28e2b"     # orange: median wait over the threshold
START_FILL = "#2e8b57"
END_FILL = "#3d4650"

#: Edge colour per highlight (the legend's words are in :mod:`pathways.render.words`).
HIGHLIGHTS = {"loops": LOOP, "psychiatric_somatic": PSY_SOM, "long_waits": LONG_WAIT}
#: graph flag behind each highlight (pathways.graphs edge attributes)
FLAG = {"loops": "loop", "psychiatric_somatic": "psychiatric_somatic", "long_waits": "long_wait"}

#: Node fill per domain (light, so highlight colours on edges stand out).
DOMAIN_FILL = {
    "psychiatric": "#dbe8f6",
    "somatic": "#fde3cc",
    "municipal_care": "#dcefd6",
    "social": "#e8f3e4",
    "substance": "#fbf1c4",
    "general_practice": "#eeeeee",
    "other": "#ffffff",
    "unknown": "#ffffff",
}
#: Swimlane (cluster) background per sector and per domain.
LANE_FILL = {
    "region": "#f3f7fb", "municipality": "#f3f9f1", "general_practice": "#f6f6f6", "private": "#faf6fb",
    "other": "#fafafa", "unknown": "#fafafa",
}
DOMAIN_DOT = {  # stronger colours for dots (cohort timeline)
    "psychiatric": "#2f6db5", "somatic": "#e07b22", "municipal_care": "#3f9a3a", "social": "#7fb36b",
    "substance": "#c7a514", "general_practice": "#707070", "other": "#b0b0b0", "unknown": "#b0b0b0",
}


def small(n, min_count: int, language: str = "en") -> str:
    """A count for display: ``"<5"`` under ``min_count`` (Danish small-cell practice), else ``1,234`` (``1.234``).

    Examples
    --------
    >>> small(3, 5), small(5, 5), small(12345, 5), small(12345, 5, "da")
    ('<5', '5', '12,345', '12.345')
    """
    n = int(n)
    return f"<{min_count}" if n < min_count else number(n, language, ",")


# the time units live below the renderers (the models' texts use them too); the renderers read them here
from ..timeunits import TIME_UNITS, in_unit, limit_unit, time_unit  # noqa: E402,F401


def duration_text(days: float, units: str, language: str = "en") -> str:
    """``3.2 d``, ``77 h`` or ``9 min`` (Danish ``3,2 d``, ``77 t``): one decimal under 10, none above.

    Examples
    --------
    >>> duration_text(3.21, "days"), duration_text(3.21, "hours"), duration_text(float("nan"), "days")
    ('3.2 d', '77 h', '–')
    >>> duration_text(3.21, "days", "da"), duration_text(3.21, "hours", "da"), duration_text(9 / 1440, "minutes")
    ('3,2 d', '77 t', '9.0 min')
    """
    if days is None or (isinstance(days, float) and math.isnan(days)):
        return "–"
    value = in_unit(days, units)
    return f"{number(value, language, '.1f' if abs(value) < 10 else ',.0f')} {say(TIME_UNITS[units][1], language)}"


#: Words for a limit's unit: language -> unit -> (singular, plural).
_LIMIT_WORDS = {
    "en": {"W": ("week", "weeks"), "D": ("day", "days"), "h": ("hour", "hours"), "min": ("minute", "minutes")},
    "da": {"W": ("uge", "uger"), "D": ("dag", "dage"), "h": ("time", "timer"), "min": ("minut", "minutter")},
}
_LIMIT_SECONDS = {"W": 604800, "D": 86400, "h": 3600, "min": 60}
#: How pandas spells each unit at the end of a duration string (``"30D"``, ``"72h"``, ``"90min"``, ``"90T"``).
_LIMIT_SUFFIX = {"w": "W", "d": "D", "day": "D", "days": "D", "h": "h", "hr": "h", "hour": "h", "hours": "h",
                 "min": "min", "m": "min", "t": "min", "minute": "min", "minutes": "min"}


def limit_text(value, language: str = "en") -> str:
    """A limit (``"30D"``, ``"72h"``, ``"4W"``, ``"90min"`` or a ``timedelta``) in words, in the unit it was given.

    A string keeps its own unit; a ``timedelta`` is said in the largest of weeks,
    days, hours and minutes it is a whole number of. ``–`` when there is none;
    :class:`~pathways.errors.OptionError` when it is not a duration.

    Examples
    --------
    >>> limit_text("30D"), limit_text("4W"), limit_text("1h"), limit_text("90min"), limit_text(None)
    ('30 days', '4 weeks', '1 hour', '90 minutes', '–')
    >>> limit_text("1h", "da"), limit_text("72h", "da"), limit_text("30D", "da"), limit_text("1.5h", "da")
    ('1 time', '72 timer', '30 dage', '1,5 timer')
    >>> import datetime as dt; limit_text(dt.timedelta(hours=2)), limit_text(dt.timedelta(days=14), "da")
    ('2 hours', '2 uger')
    """
    import re

    import pandas as pd

    from ..analyses.common import duration

    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)) or value == "":
        return "–"
    seconds = duration(value, argument="threshold").total_seconds()
    m = re.fullmatch(r"\s*[\d.]+\s*([A-Za-z]+)\s*", value) if isinstance(value, str) else None
    unit = _LIMIT_SUFFIX.get(m.group(1).lower()) if m else None
    if unit is None:
        unit = next((u for u, s in _LIMIT_SECONDS.items() if seconds and seconds % s == 0), "min")
    n = seconds / _LIMIT_SECONDS[unit]
    one, many = _LIMIT_WORDS[language][unit]
    return f"{number(n, language, 'g')} {one if n == 1 else many}"


def penwidth(n: float, n_max: float) -> float:
    """Edge width 1–6 by frequency (square root, so mid-sized flows stay visible)."""
    if n_max <= 0:
        return 1.0
    return round(1.0 + 5.0 * math.sqrt(max(n, 0) / n_max), 2)


def shade(n: float, n_max: float) -> str:
    """Node fill for process maps: light to mid blue by frequency."""
    t = 0.0 if n_max <= 0 else math.sqrt(max(n, 0) / n_max)
    lo, hi = (0xf2, 0xf6, 0xfb), (0x9e, 0xc2, 0xe6)
    return "#" + "".join(f"{round(a + (b - a) * t):02x}" for a, b in zip(lo, hi))


GRAPH = {"fontname": FONT, "fontsize": 11, "bgcolor": "white", "pad": 0.3, "nodesep": 0.35, "ranksep": 0.45,
         "labelloc": "b", "labeljust": "l"}
NODE = {"fontname": FONT, "fontsize": 11, "shape": "box", "style": "rounded,filled", "color": "#8896a3",
        "fillcolor": "#f2f6fb", "fontcolor": TEXT, "margin": "0.15,0.06"}
EDGE_DEFAULTS = {"fontname": FONT, "fontsize": 9, "color": EDGE, "fontcolor": "#3b4650", "arrowsize": 0.7}
