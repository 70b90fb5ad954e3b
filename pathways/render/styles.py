"""Colours and fonts shared by every diagram (one place to restyle); numbers and words are :mod:`pathways.publish`'s."""

from __future__ import annotations

import math


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

#: Edge colour per highlight (the legend's words are in :mod:`pathways.publish.words`).
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
