"""Interactive maps: the unit map or the process map with sliders, hover, zoom and cases moving over it.

One implementation serves the offline HTML report, a saved page and Jupyter
(JupyterLab, VS Code, classic): the map is drawn in the browser by a small
script shipped inside the package (``interactive.js``, read as package data)
from data computed here. Nothing is ever loaded from the network: the script
and the data sit inline in the page, and a saved page carries a
Content-Security-Policy that lets only that one script run.

What is drawn follows the static maps exactly (:func:`pathways.unit_map`,
:func:`pathways.process_map`): the same tables, the same choice of nodes and
edges (:func:`pathways.render.maps.select`) at each slider stop, the same
small-cell rule (an edge made by fewer than ``min_count`` cases is never drawn,
every count under ``min_count`` is the text "<5"), no case id anywhere. The
layouts come from Graphviz, computed here once per slider stop (``-Tjson``).

The animation moves one token per case of an evenly spread sample (at most
``max_cases``) along the edges drawn. A token is an anonymous index: it carries
only its moves (which edge, when, rounded to the hour) and one colour group per
move; moves along an edge that no slider stop draws are left out, and a colour
group of fewer than ``min_count`` cases is merged into "other".
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import uuid
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Sequence

import numpy as np
import pandas as pd

from ..files import check_output, write_atomically
from ..errors import OptionError, check_choice
from ..parameters import GAP_THRESHOLD, LOOP_WITHIN, MAX_BETWEEN, MIN_COUNT, WAIT_THRESHOLD
from . import styles as st
from .dot import HTML, UNSAFE, DotBuilder, html_text
from ..layout import HINT, RenderError, find_engine
from .maps import (DEFAULT_MAX_NODES, DEFAULT_MIN_SHARE, Frequency, Performance, _budget, _highlights, _measure,
                   _units, lane_order, process_tables, select, unit_tables)
from ..publish.numbers import Formatter
from ..publish.words import DOMAIN_LANES, SECTOR_LANES, WORDS, check_language, say

if TYPE_CHECKING:
    from ..eventlog import EventLog

#: The node budgets (slider stops) offered besides the one asked for; the largest stop is at most
#: :data:`MAX_NODE_STOP` nodes (a map of more is unreadable, and each stop is one layout).
NODE_STOPS = (5, 10, 15, 20, 30, 50)
MAX_NODE_STOP = 50
#: The shares of the flow (slider stops) offered besides the one asked for.
PATH_STOPS = (0.5, 0.7, 0.85, 0.95, 1.0)
#: Colours of the animation's groups beyond the domains and sectors (one per value, then "other").
PALETTE = ("#2f6db5", "#e07b22", "#3f9a3a", "#c0392b", "#8e44ad", "#c7a514", "#16a085", "#7f8c8d")
SECTOR_DOT = {"region": "#2f6db5", "municipality": "#3f9a3a", "general_practice": "#707070", "private": "#9b59b6",
              "other": "#b0b0b0", "unknown": "#b0b0b0"}
OTHER_DOT = "#b0b0b0"

#: The words of the controls and tooltips, in the one translation table (keys ``ui_*``; the map's own words are
#: there too).
WORDS.update({
    "ui_nodes_units": {"en": "Units", "da": "Enheder"},
    "ui_nodes_activities": {"en": "Activities", "da": "Aktiviteter"},
    "ui_paths": {"en": "Paths", "da": "Stier"},
    "ui_frequency": {"en": "Frequency", "da": "Hyppighed"},
    "ui_performance": {"en": "Performance", "da": "Tid"},
    "ui_fit": {"en": "Fit", "da": "Tilpas"},
    "ui_play": {"en": "Play", "da": "Afspil"},
    "ui_pause": {"en": "Pause", "da": "Pause"},
    "ui_calendar": {"en": "Calendar time", "da": "Kalendertid"},
    "ui_relative": {"en": "Days since first contact", "da": "Dage siden første kontakt"},
    "ui_day": {"en": "day", "da": "dag"},
    "ui_cases": {"en": "cases", "da": "patienter"},
    "ui_events": {"en": "events", "da": "hændelser"},
    "ui_handovers": {"en": "handovers", "da": "overgange"},
    "ui_transitions": {"en": "transitions", "da": "overgange"},
    "ui_median_gap": {"en": "median gap", "da": "median pause"},
    "ui_long_gaps": {"en": "gaps over {threshold}", "da": "pauser over {threshold}"},
    "ui_median_time": {"en": "median time", "da": "median tid"},
    "ui_mean_time": {"en": "mean time", "da": "gennemsnitlig tid"},
    "ui_p90_time": {"en": "p90 time", "da": "90-percentil"},
    "ui_domain": {"en": "domain", "da": "domæne"},
    "ui_sector": {"en": "sector", "da": "sektor"},
    "ui_zoom_in": {"en": "Zoom in", "da": "Zoom ind"},
    "ui_zoom_out": {"en": "Zoom out", "da": "Zoom ud"},
    "ui_highlights": {"en": "Highlights", "da": "Fremhævninger"},
    "ui_animation": {"en": "Cases moving over the map", "da": "Patienter der bevæger sig på kortet"},
    "ui_tokens": {"en": "{shown} of {total} cases ({how}); one dot per case, no ids; times rounded to the hour",
                  "da": "{shown} af {total} patienter ({how}); én prik pr. patient, ingen id'er; tider afrundet til "
                        "timen"},
    "ui_how_spread": {"en": "evenly spread over start dates", "da": "jævnt fordelt over startdatoer"},
    "ui_how_all": {"en": "all cases", "da": "alle patienter"},
    "ui_colour": {"en": "colour: {what}", "da": "farve: {what}"},
    "ui_no_animation": {"en": "no case moves along the edges drawn",
                        "da": "ingen patient bevæger sig ad de viste pile"},
    "ui_other": {"en": "other", "da": "andet"},
    "ui_unknown": {"en": "unknown", "da": "ukendt"},
    "ui_help": {"en": "Drag to pan, wheel or buttons to zoom; hover a unit or an edge for its numbers.",
                "da": "Træk for at flytte, hjul eller knapper for at zoome; hold musen over en enhed eller pil for "
                      "tallene."},
    "ui_speed": {"en": "Speed", "da": "Fart"},
})


def ui_words(language: str) -> dict[str, str]:
    """The controls' and tooltips' words in ``language``, by their key without ``ui_``."""
    return {k[3:]: v[language] for k, v in WORDS.items() if k.startswith("ui_")}


# --------------------------------------------------------------------------- the script
@lru_cache(maxsize=1)
def script() -> str:
    """The map's JavaScript (package data ``pathways/render/interactive.js``): no import, no network access."""
    return (Path(__file__).with_name("interactive.js")).read_text(encoding="utf-8")


def script_hash() -> str:
    """The Content-Security-Policy source that allows exactly :func:`script` to run: ``'sha256-...'``."""
    digest = hashlib.sha256(script().encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def csp() -> str:
    """The Content-Security-Policy of a page holding interactive maps: nothing fetched, only :func:`script` runs."""
    return f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src {script_hash()}"


CSS = """
.pw-imap { font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1f2a33;
           border: 1px solid #d9dee3; border-radius: 6px; margin: 12px 0; background: #fff; }
.pw-imap .pw-bar { display: flex; flex-wrap: wrap; gap: 6px 16px; align-items: center; padding: 8px 10px;
                   border-bottom: 1px solid #e4e8ec; background: #f7f9fb; }
.pw-imap .pw-bar label { display: inline-flex; align-items: center; gap: 6px; white-space: nowrap; }
.pw-imap .pw-bar input[type=range] { width: 140px; }
.pw-imap button { font: inherit; padding: 2px 9px; border: 1px solid #b8c2cc; border-radius: 4px; background: #fff;
                  cursor: pointer; }
.pw-imap button[aria-pressed=true] { background: #2f6db5; color: #fff; border-color: #2f6db5; }
.pw-imap .pw-view { position: relative; height: 560px; overflow: hidden; cursor: grab; background: #fff; }
.pw-imap .pw-view.pw-drag { cursor: grabbing; }
.pw-imap svg.pw-svg { width: 100%; height: 100%; display: block; max-width: none; max-height: none; }
.pw-imap .pw-tip { position: absolute; pointer-events: none; background: rgba(31,42,51,.94); color: #fff;
                   padding: 6px 9px; border-radius: 4px; font-size: 12px; display: none; max-width: 320px;
                   z-index: 2; }
.pw-imap .pw-tip b { display: block; margin-bottom: 2px; }
.pw-imap .pw-tip table { border: 0; margin: 0; font-size: 12px; color: #fff; }
.pw-imap .pw-tip td { border: 0; padding: 0 8px 0 0; color: #fff; }
.pw-imap .pw-caption, .pw-imap .pw-keys { padding: 4px 10px; color: #5b6670; font-size: 12px; }
.pw-imap .pw-keys span { display: inline-flex; align-items: center; gap: 4px; margin-right: 12px; }
.pw-imap .pw-keys i { display: inline-block; width: 10px; height: 10px; border-radius: 50%; }
.pw-imap .pw-anim { border-top: 1px solid #e4e8ec; }
.pw-imap .pw-anim input[type=range].pw-time { width: 260px; }
.pw-imap .pw-node text, .pw-imap .pw-edge text { pointer-events: none; }
.pw-imap .pw-edge .pw-hit { stroke: transparent; fill: none; }
.pw-imap .pw-edge:hover path.pw-line, .pw-imap .pw-node:hover rect, .pw-imap .pw-node:hover ellipse {
  filter: brightness(0.9); }
@media print { .pw-imap { display: none !important; } }
@media screen { .pw-live-ready figure.pw-replaced { display: none; } }
"""


def _json_for_html(data) -> str:
    """JSON text safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&`` left as such."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _clean(value):
    """Every text of the data without control and bidi-override characters (:data:`~.dot.UNSAFE`), as drawn
    everywhere else: a unit name cannot turn the count beside it around."""
    if isinstance(value, str):
        return UNSAFE.sub("", value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


# --------------------------------------------------------------------------- the object
class InteractiveMap:
    """An interactive map: ``.html()`` (a whole page), ``.save(path)``, ``.fragment()`` and Jupyter display.

    Attributes
    ----------
    data : dict
        What the browser draws (JSON): nodes and edges with their counts as text
        ("<5" under ``min_count``), one layout per slider stop, the animation.
    stops : pandas.DataFrame
        One row per slider stop: ``max_nodes``, ``min_share``, ``n_nodes`` and
        ``n_edges`` drawn (the start and end marks of a process map counted as
        nodes), ``caption``.
    info : dict
        ``kind``, ``n_cases_animated``, ``n_cases_total``, ``n_moves``, ``n_layouts``.
    """

    def __init__(self, data: dict, *, stops: pd.DataFrame, info: dict):
        self.data = data
        self.stops = stops
        self.info = dict(info)

    def __repr__(self) -> str:
        d = self.data
        i, j = d["start"]
        row = self.stops[(self.stops["node_stop"] == i) & (self.stops["path_stop"] == j)].iloc[0]
        anim = (f", {self.info['n_cases_animated']:,} of {self.info['n_cases_total']:,} cases animated"
                if self.info.get("n_cases_animated") else "")
        return (f"InteractiveMap: {d['kind']} map, {len(d['node_stops'])} x {len(d['path_stops'])} slider stops, "
                f"{int(row['n_nodes'])} nodes and {int(row['n_edges'])} edges shown{anim}")

    def fragment(self, *, script: bool = True, replaces: str | None = None) -> str:
        """The map as an HTML fragment: a ``<div>``, its style, its data and (with ``script``) the script.

        ``replaces`` names the id of a static ``<figure>`` on the same page that the
        map stands in for on screen once the script runs (the figure is still printed).
        """
        mid = f"pw-imap-{uuid.uuid4().hex[:12]}"
        attrs = f' data-replaces="{html.escape(replaces, quote=True)}"' if replaces else ""
        label = html.escape(self.data["title"], quote=True)
        out = (f'<style>{CSS}</style>' if script else "") + \
            f'<div class="pw-imap" id="{mid}" role="figure" aria-label="{label}"{attrs}></div>' \
            f'<script type="application/json" class="pw-imap-data" data-for="{mid}">{_json_for_html(self.data)}' \
            "</script>"
        if script:
            out += f"<script>{globals()['script']()}</script>"
        return out

    def html(self) -> str:
        """A whole page holding the map (UTF-8 HTML, loads nothing, only the map's own script may run)."""
        title = html.escape(self.data["title"])
        return ("<!DOCTYPE html>\n"
                f'<html lang="{self.data["language"]}">\n<head>\n<meta charset="utf-8">\n'
                f'<meta http-equiv="Content-Security-Policy" content="{csp()}">\n'
                '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                '<meta name="generator" content="pathways">\n'
                f"<title>{title}</title>\n<style>body {{ margin: 16px; }}</style>\n</head>\n<body>\n"
                f"{self.fragment()}\n</body>\n</html>\n")

    def save(self, path, *, make_dirs: bool = False) -> Path:
        """Write :meth:`html` to ``path`` (a ``.html`` file; written to a temporary file and renamed into place)."""
        path = check_output(path, make_dirs=make_dirs)
        if path.suffix.lower() not in (".html", ".htm"):
            raise OptionError(f"cannot save {str(path)!r}: an interactive map is a web page; the suffix must be "
                              f".html (found {path.suffix or 'none'!r}). For a picture use pw.unit_map(...).save().")
        return write_atomically(path, self.html(), make_dirs=make_dirs)

    def _repr_html_(self) -> str:
        try:
            return self.fragment()
        except Exception as err:  # noqa: BLE001 - a repr must never raise
            return f"<p>{html.escape(f'No interactive map: {err}')}</p>"


# --------------------------------------------------------------------------- the tables
def _stops(chosen, candidates, top) -> list:
    """Sorted distinct slider stops: the candidates up to ``top``, ``top`` itself and the value asked for."""
    return sorted({min(v, top) for v in (*candidates, chosen)} | {top})


# --------------------------------------------------------------------------- layouts
def _layout_dot(kind: str, nodes: pd.DataFrame, edges: pd.DataFrame, labels: dict, edge_labels: list,
                widths: list, lanes, language: str) -> DotBuilder:
    """The DOT of one slider stop, drawn as the static map draws it (its geometry is what we need)."""
    from ..analyses.transitions import END, START

    # the static maps' directions: a unit map left to right with its lanes stacked as bands (a screen is wider
    # than high, as a page is), a process map top to bottom
    if kind == "unit":
        b = DotBuilder("unit_map", graph={**st.GRAPH, "rankdir": "LR", "newrank": True, "ranksep": 0.5,
                                          "nodesep": 0.3}, node=st.NODE, edge=st.EDGE_DEFAULTS)
    else:
        b = DotBuilder("process_map", graph={**st.GRAPH, "rankdir": "TB"}, node=st.NODE, edge=st.EDGE_DEFAULTS)
    lane_names = (SECTOR_LANES if lanes == "sector" else DOMAIN_LANES)[language]
    if kind == "unit" and lanes is not None:
        for lane in lane_order(nodes[lanes], lanes):
            b.cluster(lane, label=HTML(f"<b>{html_text(lane_names.get(lane, lane))}</b>"), fontname=st.FONT,
                      fontsize=11, labeljust="l", margin=12)
    for r in nodes.itertuples(index=False):
        if r.name == START:
            b.node(r.name, label=say("start", language), shape="circle", fontsize=9, width=0.5, fixedsize=True)
        elif r.name == END:
            b.node(r.name, label=say("end", language), shape="doublecircle", fontsize=9, width=0.45, fixedsize=True)
        else:
            lane = ((getattr(r, lanes) or "unknown") if lanes else None) if kind == "unit" else None
            b.node(r.name, cluster=lane, label=HTML(f'<b>{html_text(r.name)}</b><br/><font point-size="9">'
                                                    f'{html_text(labels[r.name])}</font>'))
    for r, label, width in zip(edges.itertuples(index=False), edge_labels, widths):
        b.edge(b.ids[r.source], b.ids[r.target], label=f" {label} " if label else None, penwidth=width)
    return b


def _parse_layout(raw: bytes, ids: dict, lane_keys: list) -> dict:
    """Positions from Graphviz ``-Tjson``: nodes (centre, size), edges (path, arrow head, label point), lanes."""
    j = json.loads(raw)
    x0, y0, x1, y1 = (float(v) for v in j["bb"].split(","))
    flip = y1  # Graphviz puts y upwards; SVG downwards

    def pt(p):
        return [round(float(p[0]) - x0, 1), round(flip - float(p[1]), 1)]

    key_of = {v: k for k, v in ids.items()}
    objects = j.get("objects", [])
    by_gvid = {o["_gvid"]: o for o in objects}
    nodes, lanes = {}, []
    for o in objects:
        if "nodes" in o or o.get("name", "").startswith("cluster_"):
            if "bb" in o and o.get("name", "").startswith("cluster_"):
                k = int(o["name"].split("_", 1)[1])
                a, b_, c, d = (float(v) for v in o["bb"].split(","))
                lx, ly = (float(v) for v in o["lp"].split(",")) if "lp" in o else (a + 8, d - 8)
                lx -= float(o.get("lwidth", 0)) * 36  # the label's left end (labeljust="l"): lp is its centre
                lanes.append([k if k < len(lane_keys) else 0, round(a - x0, 1), round(flip - d, 1),
                              round(c - a, 1), round(d - b_, 1), *pt((lx, ly))])
            continue
        x, y = (float(v) for v in o["pos"].split(","))
        nodes[key_of[o["name"]]] = [*pt((x, y)), round(float(o["width"]) * 72, 1), round(float(o["height"]) * 72, 1)]
    edges = {}
    for e in j.get("edges", []):
        tail, head = key_of[by_gvid[e["tail"]]["name"]], key_of[by_gvid[e["head"]]["name"]]
        points = next((op["points"] for op in e.get("_draw_", []) if op.get("op") in ("b", "B")), [])
        if not points:
            continue
        ps = [pt(p) for p in points]
        d = f"M{ps[0][0]},{ps[0][1]}" + "".join(
            f"C{a[0]},{a[1]} {b[0]},{b[1]} {c[0]},{c[1]}" for a, b, c in zip(ps[1::3], ps[2::3], ps[3::3]))
        head_pts = next((op["points"] for op in e.get("_hdraw_", []) if op.get("op") in ("P", "p")), [])
        arrow = " ".join(f"{a},{b}" for a, b in (pt(p) for p in head_pts))
        lp = pt([float(v) for v in e["lp"].split(",")]) if "lp" in e else None
        edges[(tail, head)] = [d, arrow, lp]
    return {"w": round(x1 - x0, 1), "h": round(y1 - y0, 1), "nodes": nodes, "edges": edges, "lanes": lanes}


# --------------------------------------------------------------------------- animation
def _sample_moves(log, *, kind: str, level: str, max_cases: int, color: str, keep_edges: dict, min_count: int,
                  language: str) -> tuple[dict | None, dict]:
    """The animation's data: an evenly spread sample of cases (by first event), their moves along ``keep_edges``.

    Runs in the engine: one query picks the sample, one returns its moves (a few rows per sampled case).
    """
    import ibis

    from ..analyses.handovers import handover_expr
    from ..analyses.transitions import ordered_events

    t = log.table
    firsts = t.group_by("case_id").aggregate(_first=t.timestamp.min())
    firsts = firsts.mutate(_k=ibis.row_number().over(ibis.window(order_by=[firsts._first, firsts.case_id])))
    n_total = int(log.n_cases)
    if n_total > max_cases:
        pick = np.unique(np.linspace(0, n_total - 1, max_cases).round().astype("int64"))
        chosen = firsts.filter(firsts._k.isin([int(v) for v in pick]))
    else:
        chosen = firsts
    if kind == "unit":
        h = handover_expr(log, purpose="interactive_map")
        m = h.join(chosen, h.case_id == chosen.case_id)
        what = {"domain": m.to_domain, "sector": m.to_sector}.get(color)
        if what is None:  # an attribute: its value at the first event of the step arrived at
            ev = t.select(_c=t.case_id, _u=t.unit, _ts=t.timestamp, _v=t[color].cast("string"))
            ev = ev.group_by(["_c", "_u", "_ts"]).aggregate(_v=ev._v.max())
            m = m.left_join(ev, [m.case_id == ev._c, m.to_unit == ev._u, m.arrived_at == ev._ts])
            what = m._v
        moves = m.select(_k=m._k, _first=m._first, source=m.from_unit.cast("string"),
                         target=m.to_unit.cast("string"), t0=m.left_at, t1=m.arrived_at, value=what.cast("string"))
    else:
        o = ordered_events(log, level)
        w = ibis.window(group_by="case_id", order_by=["timestamp", "row"])
        o = o.mutate(_next=o.label.lead().over(w), _t1=o.timestamp.lead().over(w),
                     _v=o[color].lead().over(w).cast("string"))
        o = o.filter(o._next.notnull())
        m = o.join(chosen, o.case_id == chosen.case_id)
        moves = m.select(_k=m._k, _first=m._first, source=m.label.cast("string"), target=m._next.cast("string"),
                         t0=m.timestamp, t1=m._t1, value=m._v)
    from ..analyses.common import fetch

    df = fetch(moves)
    n_sample = min(max_cases, n_total)
    info = {"n_cases_total": n_total, "n_cases_animated": 0, "n_moves": 0}
    pair = list(zip(df["source"], df["target"]))
    df["edge"] = [keep_edges.get(p, -1) for p in pair]  # the sample's moves: at most a few per sampled case
    df = df[df["edge"] >= 0]
    if not len(df):
        return None, info
    token_of = {k: i for i, k in enumerate(sorted(df["_k"].unique()))}
    df["token"] = df["_k"].map(token_of)
    ts0 = pd.to_datetime(df["t0"], utc=True).dt.tz_convert(log.tz)
    ts1 = pd.to_datetime(df["t1"], utc=True).dt.tz_convert(log.tz)
    first = pd.to_datetime(df["_first"], utc=True).dt.tz_convert(log.tz)
    origin = min(ts0.min(), first.min()).normalize()

    def hours(s):
        return ((s - origin) / pd.Timedelta("1h")).round().astype("int64")

    df["h0"], df["h1"], df["start"] = hours(ts0), hours(ts1), hours(first)
    # colour groups: a value of fewer than min_count sampled cases joins "other"; missing is "unknown"
    words = ui_words(language)
    value = df["value"].astype(object).where(df["value"].notna(), None)
    if color in ("domain", "sector"):
        names = (DOMAIN_LANES if color == "domain" else SECTOR_LANES)[language]
        palette = st.DOMAIN_DOT if color == "domain" else SECTOR_DOT
    else:
        names, palette = {}, {}
    cases_per = df.assign(_v=value.fillna("\0unknown")).groupby("_v")["token"].nunique()
    ranked = cases_per[cases_per >= min_count].sort_values(ascending=False, kind="stable")
    kept = [v for v in ranked.index if v != "\0unknown"][:len(PALETTE)]
    groups, group_of = [], {}
    for i, v in enumerate(kept):
        group_of[v] = len(groups)
        groups.append([names.get(v, str(v)), palette.get(v, PALETTE[i % len(PALETTE)])])
    rest = len(groups)
    df["group"] = value.map(lambda v: group_of.get(v, rest) if v is not None else rest)
    if (df["group"] == rest).any():
        groups.append([words["other"] if value[df["group"] == rest].notna().any() else words["unknown"], OTHER_DOT])
    df = df.sort_values(["token", "h0", "h1"], kind="stable")
    starts = df.groupby("token")["start"].first()
    n_tokens = int(df["token"].nunique())
    info.update(n_cases_animated=n_tokens, n_moves=int(len(df)))
    what = {"domain": words["domain"], "sector": words["sector"]}.get(color, color)
    anim = {
        "origin": [origin.year, origin.month, origin.day],
        "moves": np.column_stack([df["token"], df["edge"], df["h0"], df["h1"], df["group"]]).astype("int64").tolist(),
        "starts": starts.reindex(range(n_tokens)).astype("int64").tolist(),
        "groups": groups,
        "caption": words["tokens"].format(shown=f"{n_tokens:,}" if language == "en" else f"{n_tokens:,}".replace(
            ",", "."), total=f"{n_total:,}" if language == "en" else f"{n_total:,}".replace(",", "."),
            how=words["how_spread" if n_total > n_sample else "how_all"]),
        "colour": words["colour"].format(what=what),
    }
    return anim, info


# --------------------------------------------------------------------------- the function
def interactive_map(log: EventLog, *, kind: Literal["unit", "process"] = "unit", measure=Frequency("cases"),
                    level: Literal["activity", "unit"] = "activity", lanes: Literal["sector", "domain"] | None = "sector",
                    highlight: Sequence[str] | str | None = ("loops", "psychiatric_somatic", "long_waits"),
                    max_nodes: int | None = None, min_share: float | None = None, min_count: int = MIN_COUNT,
                    threshold=None, within=LOOP_WITHIN, max_between: int = MAX_BETWEEN, max_cases: int = 200,
                    time: Literal["absolute", "relative"] = "absolute", color: str = "domain",
                    title: str | None = None, language: Literal["en", "da"] = "en") -> InteractiveMap:
    """An interactive unit map or process map: sliders, hover, zoom, highlights, and cases moving over it.

    The same map as :func:`pathways.unit_map` (``kind="unit"``) or
    :func:`pathways.process_map` (``kind="process"``), drawn in the browser:

    - two sliders choose how many units (activities) and how many paths are
      shown: the node budget (``max_nodes``) and the share of the flow the edges
      carry (``min_share``) of the static map, with a Graphviz layout computed
      here for every stop; a switch shows frequencies or times on the edges;
    - hovering a node or an edge shows its counts and times; counts under
      ``min_count`` read "<5", and an edge made by fewer than ``min_count``
      cases is never drawn (as in the static maps); no case id is anywhere;
    - zoom and pan (wheel and drag, or the buttons), so a wide map stays legible;
    - the highlights (circular routes, psychiatric/somatic crossings, long
      waits) are switched on and off;
    - an animation moves one token per case of a sample of at most
      ``max_cases`` cases (evenly spread over start dates) along the edges, in
      calendar time or in days since each case's first event, with a time slider
      and play/pause; tokens are coloured by ``color`` and carry no id.

    Display it in a notebook (JupyterLab, VS Code), save it as one offline page
    (``.save("map.html")``) or take ``.html()``. Everything is inline; nothing
    is fetched from the network.

    Parameters
    ----------
    log : EventLog
        ``kind="unit"`` needs ``unit``.
    kind : {"unit", "process"}, default "unit"
        Units and handovers (:func:`pathways.unit_map`), or steps and transitions
        (:func:`pathways.process_map`, at ``level``).
    measure : Frequency or Performance, default Frequency("cases")
        What the edges show first (the switch changes it): ``Frequency("cases")``
        or ``Frequency("events")``, or ``Performance("median"|"mean"|"p90")``
        (unit maps: the median gap only).
    level : {"activity", "unit"}, default "activity"
        The nodes of a process map (``kind="process"``).
    lanes : {"sector", "domain"} or None, default "sector"
        The boxes of a unit map.
    highlight : list of {"loops", "psychiatric_somatic", "long_waits"}, default all three
        The highlights switched on at first (all three can be switched). A process
        map of a log without units has only ``"long_waits"``.
    max_nodes, min_share : optional
        The slider positions at first (default 15 nodes, 0.85 of the flow); the
        other stops are 5, 10, 15, 20, 30, 50 nodes (up to all, at most 50) and
        0.5, 0.7, 0.85, 0.95, 1 of the flow.
    min_count : int, default 5
    threshold : str or timedelta, optional
        A median wait over this is long: default "7D" for unit maps, "30D" for
        process maps (as the static maps).
    within, max_between
        Passed to the loop detection (see :func:`pathways.circular_routes`).
    max_cases : int, default 200
        The most cases animated (0: no animation).
    time : {"absolute", "relative"}, default "absolute"
        The animation's clock at first: calendar time, or days since each case's
        first event (the switch changes it).
    color : str, default "domain"
        What colours the tokens: ``"domain"`` or ``"sector"`` of the unit a move
        goes to, or an attribute of the log (its value at the event a move goes
        to, e.g. ``"akut"``). Values of fewer than ``min_count`` sampled cases are
        merged into "other".
    title : str, optional
    language : {"en", "da"}, default "en"

    Returns
    -------
    InteractiveMap
        ``.html()``, ``.save(path)``, ``.fragment()``, ``_repr_html_()``;
        ``.stops`` says what each slider stop draws.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": [p for p in "ABCDEF" for _ in range(2)],
    ...                    "act": ["Henvisning", "Førstegangssamtale"] * 6,
    ...                    "ts": ["2023-01-01", "2023-01-03"] * 6,
    ...                    "unit": ["Egen læge", "Distriktspsykiatri"] * 6})
    >>> log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")
    >>> m = pw.interactive_map(log)
    >>> m.stops[["max_nodes", "n_nodes", "n_edges"]].drop_duplicates().to_string(index=False)
    ' max_nodes  n_nodes  n_edges\\n         2        2        1'
    >>> [e["freq"] for e in m.data["edges"]], m.info["n_cases_animated"]
    (['6 · 2.0 d'], 6)
    >>> "<script" in m.html() and "http" not in m.html().split("<body>")[1]
    True
    """
    from ..analyses.transitions import END, START

    check_choice("kind", kind, ["unit", "process"])
    measure = _measure(measure)
    check_choice("level", level, ["activity", "unit"])
    if lanes is not None:
        check_choice("lanes", lanes, ["sector", "domain"])
    language = check_language(language)
    check_choice("time", time, ["absolute", "relative"])
    if isinstance(max_cases, bool) or not isinstance(max_cases, int) or max_cases < 0:
        raise OptionError(f"max_cases={max_cases!r} is not allowed; give a whole number of cases (0 for no "
                          "animation).")
    highlight = _highlights(highlight)
    if kind == "unit" and isinstance(measure, Performance) and measure.statistic != "median":
        raise OptionError(f"measure={measure!r} is not available for unit maps: handovers carry the median gap "
                          "only. Use pw.Performance('median', ...), or kind='process' for other statistics.")
    if title is not None and not isinstance(title, str):
        raise OptionError(f"title={title!r} must be text.")
    fixed = ("domain", "sector", "activity", "event_type", "unit")
    color = check_choice("color", color, [*fixed, *log.attributes])
    threshold = threshold if threshold is not None else (GAP_THRESHOLD if kind == "unit" else WAIT_THRESHOLD)
    budget_kind = "unit_map" if kind == "unit" else "process_map"
    max_nodes, min_share, min_count = _budget(max_nodes, min_share, min_count, budget_kind)
    if kind == "unit":
        nodes, edges = unit_tables(log, threshold=threshold, within=within, max_between=max_between,
                                   purpose="interactive_map(kind='unit')")
        terminals: tuple = ()
        freq_col = "n_handovers" if isinstance(measure, Frequency) and measure.what == "events" else "n_cases"
        stat_col = "median_gap_days"
    else:
        nodes, edges = process_tables(log, level=level, threshold=threshold)
        terminals = (START, END)
        freq_col = "n_transitions" if isinstance(measure, Frequency) and measure.what == "events" else "n_cases"
        stat_col = {"median": "median_days", "mean": "mean_days", "p90": "p90_days"}[
            measure.statistic if isinstance(measure, Performance) else "median"]
        if not log.has("unit"):
            highlight = [h for h in highlight if h == "long_waits"]
    node_col = "n_events" if freq_col in ("n_transitions", "n_handovers") and kind == "process" else "n_cases"
    n_real = int((~nodes["name"].isin(terminals)).sum())
    node_stops = _stops(max_nodes, NODE_STOPS, max(1, min(n_real, MAX_NODE_STOP)))
    path_stops = _stops(min_share, PATH_STOPS, 1.0)
    # the one time unit of every label: the one the drawable edges' times read best in (as the static maps)
    inner = ~edges["source"].isin(terminals) & ~edges["target"].isin(terminals) & (edges["n_cases"] >= min_count)
    units = _units(measure if isinstance(measure, Performance) else Performance(), edges.loc[inner, stat_col].tolist())
    engine = find_engine()
    if engine is None:
        raise RenderError(HINT)

    # every stop: the static maps' choice of nodes and edges, then one Graphviz layout per distinct choice
    layouts, grid, rows, seen = [], [], [], {}
    node_index: dict = {}
    edge_index: dict = {}
    for i, k in enumerate(node_stops):
        line = []
        for j, share in enumerate(path_stops):
            sn, se, info = select(nodes, edges, max_nodes=k, min_share=share, min_count=min_count,
                                  terminals=terminals)
            key = (tuple(sn["name"]), tuple(zip(se["source"], se["target"])))
            if key not in seen:
                seen[key] = len(layouts)
                layouts.append(_layout(kind, sn, se, info, freq_col=freq_col, node_col=node_col, stat_col=stat_col,
                                       units=units, min_count=min_count, lanes=lanes, language=language,
                                       engine=engine, terminals=terminals, node_index=node_index,
                                       edge_index=edge_index))
            line.append(seen[key])
            lay = layouts[seen[key]]
            rows.append({"node_stop": i, "path_stop": j, "max_nodes": k, "min_share": share,
                         "n_nodes": len(lay["nodes"]), "n_edges": len(lay["edges"]), "caption": lay["caption"],
                         "layout": seen[key]})
        grid.append(line)

    node_list = sorted(node_index, key=node_index.get)
    edge_list = sorted(edge_index, key=edge_index.get)
    nd = nodes.set_index("name")
    ed = edges.set_index(["source", "target"])
    words = ui_words(language)
    f = Formatter(language, min_count)
    threshold_words, count = f.duration(threshold), f.count

    out_nodes = []
    for name in node_list:
        r = nd.loc[name]
        if name in terminals:
            out_nodes.append({"name": say("start" if name == START else "end", language), "terminal": True,
                              "tip": [[words["cases"], count(r["n_cases"])]]})
            continue
        tip = [[words["cases"], count(r["n_cases"])], [words["events"], count(r["n_events"])]]
        if r.get("domain") is not None and not pd.isna(r.get("domain")):
            tip.append([words["domain"], DOMAIN_LANES[language].get(r["domain"], str(r["domain"]))])
        if kind == "unit" and r.get("sector") is not None and not pd.isna(r.get("sector")):
            tip.append([words["sector"], SECTOR_LANES[language].get(r["sector"], str(r["sector"]))])
        out_nodes.append({"name": str(name), "domain": None if pd.isna(r.get("domain")) else r.get("domain"),
                          "count": say(node_col, language, n=count(r[node_col])), "tip": tip})
    out_edges = []
    for s, t_ in edge_list:
        r = ed.loc[(s, t_)]
        terminal = s in terminals or t_ in terminals
        gap = f.short_time(r[stat_col], units) if not terminal else ""
        if kind == "unit":
            freq = f"{count(r[freq_col])} · {gap}"
            perf = f"{gap} · {count(r['n_cases'])}"
            tip = [[words["cases"], count(r["n_cases"])], [words["handovers"], count(r["n_handovers"])],
                   [words["median_gap"], gap],
                   [words["long_gaps"].format(threshold=threshold_words), count(r["n_long_gaps"])]
                   if r["n_long_gaps"] else [words["long_gaps"].format(threshold=threshold_words), "0"]]
        else:
            freq = count(r[freq_col])
            perf = gap
            tip = [[words["cases"], count(r["n_cases"])], [words["transitions"], count(r["n_transitions"])]]
            if not terminal:
                tip += [[words[f"{k}_time"], f.short_time(r[f"{k}_days"], units)] for k in ("median", "mean", "p90")]
        flags = [h for h in ("loops", "psychiatric_somatic", "long_waits") if bool(r[st.FLAG[h]])]
        out_edges.append({"s": node_index[s], "t": node_index[t_], "freq": freq, "perf": perf, "tip": tip,
                          "flags": flags, "terminal": bool(terminal),
                          "title": f"{out_nodes[node_index[s]]['name']} → {out_nodes[node_index[t_]]['name']}"})

    available = ["loops", "psychiatric_somatic", "long_waits"] if (kind == "unit" or log.has("unit")) \
        else ["long_waits"]
    highlights = [{"key": h, "colour": st.HIGHLIGHTS[h], "label": say(h, language, threshold=threshold_words),
                   "on": h in highlight} for h in available]
    if isinstance(measure, Performance):
        what_perf = say("um_what_performance" if kind == "unit" else "pm_what_performance", language,
                        statistic=say(measure.statistic, language), units=say(units, language))
    else:
        what_perf = say("um_what_performance" if kind == "unit" else "pm_what_performance", language,
                        statistic=say("median", language), units=say(units, language))
    what_freq = say(("um_what_events" if kind == "unit" else "pm_what_events") if freq_col != "n_cases" else
                    ("um_what_cases" if kind == "unit" else "pm_what_cases"), language)
    default_title = "title_unit_map" if kind == "unit" else \
        ("title_process_map" if level == "activity" else "title_process_map_units")
    anim, anim_info = (None, {"n_cases_total": int(log.n_cases), "n_cases_animated": 0, "n_moves": 0})
    if max_cases:
        anim, anim_info = _sample_moves(log, kind=kind, level=level if kind == "process" else "unit",
                                        max_cases=max_cases, color=color, keep_edges=edge_index,
                                        min_count=min_count, language=language)
    noun = "units" if kind == "unit" or level == "unit" else "activities"
    data = {
        "v": 1, "kind": kind, "language": language, "title": title or say(default_title, language),
        "min_count": min_count, "words": {**words, "nodes": words["nodes_units" if noun == "units" else
                                                                 "nodes_activities"],
                                          "what_freq": what_freq, "what_perf": what_perf},
        "measure": "performance" if isinstance(measure, Performance) else "frequency",
        "time": time, "highlights": highlights, "nodes": out_nodes, "edges": out_edges,
        "node_stops": node_stops, "path_stops": path_stops, "n_nodes_total": n_real,
        "start": [node_stops.index(min(max_nodes, node_stops[-1])), path_stops.index(min_share)],
        "grid": grid, "layouts": [_strip(lay) for lay in layouts], "animation": anim,
    }
    stops = pd.DataFrame(rows, columns=["node_stop", "path_stop", "max_nodes", "min_share", "n_nodes", "n_edges",
                                        "caption", "layout"])
    return InteractiveMap(_clean(data), stops=stops, info={"kind": kind, "n_layouts": len(layouts), **anim_info})


def _strip(layout: dict) -> dict:
    return {k: v for k, v in layout.items() if not k.startswith("_")}


def _layout(kind, sn, se, info, *, freq_col, node_col, stat_col, units, min_count, lanes, language, engine,
            terminals, node_index, edge_index) -> dict:
    """One slider stop: Graphviz positions of the chosen nodes and edges, with their styles and caption."""
    from .maps import _caption

    f = Formatter(language, min_count)
    labels = {r.name: say(node_col, language, n=f.count(getattr(r, node_col)))
              for r in sn.itertuples(index=False) if r.name not in terminals}
    w_max = float(se[freq_col].max()) if len(se) else 0.0
    widths = [st.penwidth(v, w_max) for v in se[freq_col]]
    edge_labels = []
    for r in se.itertuples(index=False):
        if r.source in terminals or r.target in terminals:
            edge_labels.append(f.count(getattr(r, freq_col)))
        elif kind == "unit":
            edge_labels.append(f"{f.count(getattr(r, freq_col))} · {f.short_time(getattr(r, stat_col), units)}")
        else:
            edge_labels.append(max(f.count(getattr(r, freq_col)), f.short_time(getattr(r, stat_col), units), key=len))
    b = _layout_dot(kind, sn, se, labels, edge_labels, widths, lanes if kind == "unit" else None, language)
    lane_keys = list(b._clusters)
    pos = _parse_layout(engine.run(b.source(), "json"), b.ids, lane_keys)
    real = sn[~sn["name"].isin(terminals)]
    n_max = float(real[node_col].max()) if len(real) else 0.0
    out_nodes = []
    for r in sn.itertuples(index=False):
        if r.name not in node_index:
            node_index[r.name] = len(node_index)
        if r.name in pos["nodes"]:
            if r.name in terminals:
                fill = st.START_FILL if r.name == terminals[0] else st.END_FILL
            elif kind == "unit" or getattr(r, "domain", None) in st.DOMAIN_FILL:
                fill = st.DOMAIN_FILL.get(getattr(r, "domain", None), "#ffffff")
            else:
                fill = st.shade(getattr(r, node_col), n_max)
            out_nodes.append([node_index[r.name], *pos["nodes"][r.name], fill])
    out_edges = []
    for r, width in zip(se.itertuples(index=False), widths):
        pair = (r.source, r.target)
        if pair not in edge_index:
            edge_index[pair] = len(edge_index)
        if pair in pos["edges"]:
            d, arrow, lp = pos["edges"][pair]
            out_edges.append([edge_index[pair], d, arrow, lp, width])
    names = (SECTOR_LANES if lanes == "sector" else DOMAIN_LANES)[language]
    fills = st.LANE_FILL if lanes == "sector" else {}
    out_lanes = [[names.get(lane_keys[k], str(lane_keys[k])), x, y, w, h, fills.get(lane_keys[k], "#f7f7f7"), lx, ly]
                 for k, x, y, w, h, lx, ly in pos["lanes"]]
    noun = "units" if kind == "unit" or "domain" in sn else "activities"
    caption = _caption(info, noun=noun, flow="handovers" if kind == "unit" else "transitions",
                       min_count=min_count, language=language)
    return {"w": pos["w"], "h": pos["h"], "nodes": out_nodes, "edges": out_edges, "lanes": out_lanes,
            "caption": " · ".join(dict.fromkeys([caption[0], caption[-1]]))}


__all__ = ["InteractiveMap", "interactive_map", "script", "script_hash", "csp", "CSS", "NODE_STOPS", "PATH_STOPS"]
