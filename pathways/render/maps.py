"""Process maps and unit maps: the analyses' transition and handover tables drawn as graphs.

Nothing here computes analytics: the numbers come from
:func:`pathways.transition_graph`, :func:`pathways.unit_graph` (and through them
:func:`pathways.transitions`, :func:`pathways.handover_matrix`,
:func:`pathways.circular_routes`) and the log's ``units``/``activities`` tables.
This module only chooses what to show (readable by default, small cells
suppressed) and how to draw it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Sequence

import numpy as np
import pandas as pd

from ..errors import OptionError, check_choice
from ..parameters import GAP_THRESHOLD, LOOP_WITHIN, MAX_BETWEEN, MIN_COUNT, WAIT_THRESHOLD, renamed
from . import styles as st
from .diagram import Diagram
from .dot import HTML, DotBuilder, html_text
from ..publish.numbers import Formatter
from ..timeunits import time_unit
from ..publish.words import DOMAIN_LANES, SECTOR_LANES, check_language, say

if TYPE_CHECKING:
    from ..eventlog import EventLog

#: Node budgets of the readable default (``max_nodes=None``).
DEFAULT_MAX_NODES = {"process_map": 15, "unit_map": 15}
#: Share of the flow the edges drawn must cover by default (``min_share=None``).
DEFAULT_MIN_SHARE = 0.85


@dataclass(frozen=True)
class Frequency:
    """Measure for maps: how many ``"cases"`` (default) or ``"events"`` (transitions, handovers).

    Examples
    --------
    >>> Frequency(), Frequency("events")
    (Frequency('cases'), Frequency('events'))
    """

    what: Literal["cases", "events"] = "cases"

    def __post_init__(self):
        check_choice("Frequency", self.what, ["cases", "events"])

    def __repr__(self) -> str:
        return f"Frequency({self.what!r})"


@dataclass(frozen=True)
class Performance:
    """Measure for maps: the ``"median"`` (default), ``"mean"`` or ``"p90"`` time on each edge.

    ``units="auto"`` (default) writes every edge of a map in the one unit its
    times read best in (minutes under 2 hours, hours under 2 days, else days,
    from the median over the edges drawn); ``"minutes"``, ``"hours"`` or
    ``"days"`` fix it. The legend states the unit.

    Examples
    --------
    >>> Performance("p90", units="hours")
    Performance('p90', units='hours')
    """

    statistic: Literal["median", "mean", "p90"] = "median"
    units: Literal["auto", "minutes", "hours", "days"] = "auto"

    def __post_init__(self):
        check_choice("Performance", self.statistic, ["median", "mean", "p90"])
        check_choice("units", self.units, ["auto", "minutes", "hours", "days"])

    def __repr__(self) -> str:
        return f"Performance({self.statistic!r}, units={self.units!r})"


# --------------------------------------------------------------------------- options
def _measure(measure) -> Frequency | Performance:
    if isinstance(measure, (Frequency, Performance)):
        return measure
    if measure in ("cases", "events"):
        return Frequency(measure)
    if measure in ("median", "mean", "p90"):
        return Performance(measure)
    raise OptionError(f"measure={measure!r} is not allowed; pass pw.Frequency('cases'|'events') or "
                      "pw.Performance('median'|'mean'|'p90', units='auto'|'minutes'|'hours'|'days').")


def _highlights(highlight) -> list[str]:
    if highlight is None:
        return []
    if isinstance(highlight, str):
        highlight = [highlight]
    if not isinstance(highlight, (list, tuple, set, frozenset)):
        raise OptionError(f"highlight={highlight!r} must be one of {', '.join(map(repr, st.HIGHLIGHTS))} or a list "
                          "of them, e.g. highlight=['loops', 'long_waits'].")
    return [check_choice("highlight", h, list(st.HIGHLIGHTS)) for h in highlight]


def _budget(max_nodes, min_share, min_count, kind: str) -> tuple[int, float, int]:
    if max_nodes is None:
        max_nodes = DEFAULT_MAX_NODES[kind]
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise OptionError(f"max_nodes={max_nodes!r} is not allowed; give a whole number of nodes (1 or more), "
                          "or None for the readable default.")
    if min_share is None:
        min_share = DEFAULT_MIN_SHARE
    if isinstance(min_share, bool) or not isinstance(min_share, (int, float)) or not 0 < min_share <= 1:
        raise OptionError(f"min_share={min_share!r} is not allowed; give a share of the flow in (0, 1], "
                          "e.g. 0.9, or None for the readable default; 1 draws every edge.")
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
        raise OptionError(f"min_count={min_count!r} is not allowed; give a whole number (1 or more); "
                          "5 is Danish small-cell practice.")
    return max_nodes, float(min_share), min_count


# --------------------------------------------------------------------------- choosing what to draw
def select(nodes: pd.DataFrame, edges: pd.DataFrame, *, max_nodes: int, min_share: float, min_count: int,
           terminals: Sequence[str] = ()) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Choose the nodes and edges of a readable map, and count what is left out.

    ``nodes`` has ``name`` and ``weight``; ``edges`` has ``source``, ``target``,
    ``weight`` and ``n_cases``. Rules, in order:

    1. Small cells: an edge with ``n_cases < min_count`` is dropped.
    2. Node budget: the ``max_nodes`` nodes of highest weight are candidates
       (``terminals``, the start and end marks, are not counted).
    3. Flow: among edges between candidates, the heaviest are kept until they carry
       ``min_share`` of all the flow; then each candidate gets its heaviest
       remaining incoming and outgoing edge if it has none, so nothing dangles.
    4. A node left without edges is dropped (unless the map has no edges at all).

    Returns the kept nodes, the kept edges and counts: ``n_nodes_total``,
    ``n_nodes_shown``, ``flow_total``, ``flow_shown`` (over edges between
    non-terminal nodes), ``n_edges_total``, ``n_edges_shown``,
    ``n_edges_small`` (dropped by rule 1), ``flow_small``, ``n_edges_pruned``
    (dropped by rules 2–3).
    """
    terminals = set(terminals)
    real_nodes = nodes[~nodes["name"].isin(terminals)]
    inner = ~edges["source"].isin(terminals) & ~edges["target"].isin(terminals)
    flow_total = float(edges.loc[inner, "weight"].sum())
    small_mask = edges["n_cases"] < min_count
    ranked = real_nodes.sort_values(["weight", "name"], ascending=[False, True], kind="stable")
    candidates = set(ranked["name"].head(max_nodes)) | terminals
    eligible = edges[~small_mask & edges["source"].isin(candidates) & edges["target"].isin(candidates)]
    eligible = eligible.sort_values(["weight", "source", "target"], ascending=[False, True, True], kind="stable")
    total_weight = float(edges["weight"].sum())
    keep: list = []
    running = 0.0
    for idx, w in zip(eligible.index, eligible["weight"]):
        if total_weight and running / total_weight >= min_share:
            break
        keep.append(idx)
        running += float(w)
    kept = set(keep)
    # every candidate its heaviest incoming, then its heaviest outgoing edge if it has none yet: column-wise
    # (eligible is sorted heaviest first), in a fixed order, so the map is the same on every run and a
    # budget of thousands of nodes costs no more than a sort
    for side in ("target", "source"):
        touched = set(eligible.loc[eligible.index.isin(kept), side])
        first = eligible[~eligible[side].isin(terminals)].drop_duplicates(side)
        kept.update(first.index[~first[side].isin(touched)])
    shown_edges = edges.loc[sorted(kept)] if kept else edges.iloc[0:0]
    shown_edges = shown_edges.sort_values(["weight", "source", "target"], ascending=[False, True, True],
                                          kind="stable")
    on_map = set(shown_edges["source"]) | set(shown_edges["target"])
    if not len(edges):  # a log without transitions: still draw its nodes
        on_map = set(ranked["name"].head(max_nodes))
    shown_nodes = nodes[nodes["name"].isin(on_map)]
    inner_shown = ~shown_edges["source"].isin(terminals) & ~shown_edges["target"].isin(terminals)
    info = {
        "n_nodes_total": int(len(real_nodes)),
        "n_nodes_shown": int((~shown_nodes["name"].isin(terminals)).sum()),
        "flow_total": flow_total,
        "flow_shown": float(shown_edges.loc[inner_shown, "weight"].sum()),
        "n_edges_total": int(len(edges)),
        "n_edges_shown": int(len(shown_edges)),
        "n_edges_small": int(small_mask.sum()),
        "flow_small": float(edges.loc[small_mask, "weight"].sum()),
        "n_edges_pruned": int(len(edges) - len(shown_edges) - small_mask.sum()),
    }
    return shown_nodes, shown_edges, info


def _caption(info: dict, *, noun: str, flow: str, min_count: int, language: str) -> list[str]:
    """The lines saying what is shown and what is left out (plain text; ``noun``, ``flow``: word keys)."""
    share = info["flow_shown"] / info["flow_total"] if info["flow_total"] else 1.0
    lines = [say("showing", language, shown=info["n_nodes_shown"], total=info["n_nodes_total"],
                 noun=say(noun, language, n=info["n_nodes_total"]), share=f"{share:.0%}".replace("%", " %"),
                 flow=say(f"all_{flow}", language))]
    if info["n_edges_pruned"]:
        lines.append(say("pruned", language, n=info["n_edges_pruned"]))
    counts_under = say("counts_under", language, min_count=min_count)
    if info["n_edges_small"]:
        small = Formatter(language, min_count).count(info["flow_small"])
        dropped = say("small_dropped", language, n=info["n_edges_small"], min_count=min_count,
                      flow=f"{small} {say(flow, language, n=small)}")
        lines.append(f"{dropped}; {counts_under}")
    else:
        lines.append(counts_under)
    return lines


def _legend(title: str, lines: list[str], rows: list[tuple[str, str]],
            key: tuple[str, list[tuple[str, str]]] | None = None, wrap: int | None = None) -> HTML:
    """The graph label: title, caption lines, colour rows and a key of fill colours, as one HTML table.

    ``key`` is a heading and ``(fill, words)`` pairs, drawn as small filled boxes
    with their words, :data:`KEY_PER_ROW` to a row. ``wrap`` breaks caption lines
    longer than that many characters at spaces (a legend no wider than its map).
    All text is plain and escaped here.
    """
    if wrap:
        import textwrap

        lines = [part for line in lines for part in (textwrap.wrap(line, wrap, break_long_words=False) or [line])]
    cells = [f'<tr><td align="left"><font point-size="13"><b>{html_text(title)}</b></font></td></tr>']
    cells += [f'<tr><td align="left"><font color="#4a5560">{html_text(line)}</font></td></tr>' for line in lines]
    for colour, text in rows:
        cells.append(f'<tr><td align="left"><font color="{colour}"><b>———</b></font>&#160;&#160;'
                     f'{html_text(text)}</td></tr>')
    if key and key[1]:
        heading, pairs = key
        for start in range(0, len(pairs), KEY_PER_ROW):
            boxes = "".join(f'<td bgcolor="{fill}" border="1" color="#8896a3" width="16" height="11" fixedsize="true">'
                            f'</td><td align="left">{html_text(words)}&#160;&#160;</td>'
                            for fill, words in pairs[start:start + KEY_PER_ROW])
            lead = f'<font color="#4a5560">{html_text(heading)}</font>' if start == 0 else " "
            cells.append(f'<tr><td align="left"><table border="0" cellborder="0" cellspacing="2" cellpadding="0">'
                         f'<tr><td align="left">{lead}</td>{boxes}</tr></table></td></tr>')
    return HTML(f'<table border="0" cellborder="0" cellspacing="1" cellpadding="1">{"".join(cells)}</table>')


#: Domains to a row in a map's key of fill colours.
KEY_PER_ROW = 4
#: Characters to a caption line in the legend of a lane's part of a unit map (about 380 pt at 10 pt), so the
#: legend is no wider than the part it explains.
LEGEND_WRAP = 70


def domain_key(domains, language: str) -> tuple[str, list[tuple[str, str]]]:
    """The key of a unit map's fill colours: its heading and ``(fill, domain in words)`` for each domain drawn.

    Domains in the order of :data:`~pathways.publish.words.DOMAIN_LANES`; one missing from
    the taxonomy is "unknown".

    Examples
    --------
    >>> domain_key(["somatic", "psychiatric", "somatic"], "da")
    ('Fyldfarve (domæne):', [('#dbe8f6', 'Psykiatri'), ('#fde3cc', 'Somatik')])
    """
    names = DOMAIN_LANES[language]
    present = {d if d in names else "unknown" for d in domains}
    order = [d for d in names if d in present]
    return say("key_domain", language), [(st.DOMAIN_FILL.get(d, "#ffffff"), names[d]) for d in order]


#: A unit's name wraps (at spaces, never inside a word) after this many characters in a unit map, so that the
#: nodes stay narrow and the map fits the width of a page.
WRAP_NAME = 16


def wrapped(name) -> str:
    """A node name as HTML text broken at spaces into lines of at most :data:`WRAP_NAME` characters (escaped).

    Examples
    --------
    >>> wrapped("Psykiatrisk Visitationsklinik <A>"), wrapped("Linje 1\\nLinje 2")
    ('Psykiatrisk<br/>Visitationsklinik<br/>&lt;A&gt;', 'Linje 1<br/>Linje 2')
    """
    import textwrap

    # escaped first (an entity holds no space, so no line breaks inside one); each line of the name wrapped
    lines = html_text(name).split("<br/>")
    return "<br/>".join(part for line in lines
                        for part in (textwrap.wrap(line, WRAP_NAME, break_long_words=False, break_on_hyphens=False)
                                     or [line]))


#: A highlight that would colour more than half of a map's drawn edges (and more than this many) colours
#: only this many: the busiest (most patients, or events with ``Frequency("events")``; ties by name), and
#: the legend says "the 5 busiest of 33 edges". The edge table keeps every flag.
HIGHLIGHT_TOP = 5


def _strongest(shown: pd.DataFrame, highlight: list[str], freq_col: str) -> tuple[pd.DataFrame, dict[str, int]]:
    """The edges as drawn, and per capped highlight how many edges it flags: see :data:`HIGHLIGHT_TOP`."""
    drawn, capped = shown.copy(), {}
    for h in highlight:
        flag = st.FLAG[h]
        on = drawn[flag].fillna(False).astype(bool)
        n = int(on.sum())
        if n > HIGHLIGHT_TOP and n > len(drawn) / 2:
            top = drawn[on].sort_values([freq_col, "source", "target"], ascending=[False, True, True],
                                        kind="stable").index[:HIGHLIGHT_TOP]
            drawn[flag] = drawn.index.isin(top)
            capped[h] = n
    return drawn, capped


def _highlight_rows(highlight: list[str], shown: pd.DataFrame, threshold: str, language: str,
                    capped: dict[str, int]) -> list[tuple[str, str]]:
    rows = []
    for h in highlight:
        if h in capped:
            count = say("edges_strongest", language, n=HIGHLIGHT_TOP, total=capped[h])
        else:
            count = say("edges_shown", language, n=int(shown[st.FLAG[h]].sum()) if len(shown) else 0)
        rows.append((st.HIGHLIGHTS[h], f"{say(h, language, threshold=threshold)} {count}"))
    return rows


def _edge_style(row, highlight: list[str], width: float) -> dict:
    colours = [st.HIGHLIGHTS[h] for h in highlight if bool(getattr(row, st.FLAG[h], False))]
    style = {"penwidth": width}
    if colours:
        style["color"] = ":".join(colours)
        style["fontcolor"] = colours[0]
        if "long_waits" in highlight and bool(getattr(row, "long_wait", False)):
            style["penwidth"] = width + 2.0
    return style


def _units(measure, days) -> str:
    """The one unit of a map's times: the measure's, or with ``"auto"`` (and for counts) the one they read best in."""
    units = getattr(measure, "units", "auto")
    return time_unit(days) if units == "auto" else units



# --------------------------------------------------------------------------- the tables a map draws
def unit_tables(log: EventLog, *, threshold, within, max_between, purpose: str = "unit_map"):
    """Nodes and edges of a unit map: the numbers of :func:`pathways.unit_graph` as two tables.

    ``nodes``: ``name``, ``domain``, ``sector``, ``n_events``, ``n_cases`` and
    ``weight`` (cases: what the node budget ranks by); ``edges``: ``source``,
    ``target``, ``n_handovers``, ``n_cases``, ``median_gap_days``,
    ``n_long_gaps``, the flags ``loop``, ``psychiatric_somatic``, ``long_wait``
    and ``weight`` (handovers: what the share of the flow counts). The static map
    (:func:`unit_map`) and the interactive one
    (:func:`pathways.render.interactive.interactive_map`) both draw these.
    """
    from ..graphs import unit_graph

    log.require("unit", purpose=purpose)
    g = unit_graph(log, within=within, max_between=max_between, threshold=threshold)
    nodes = pd.DataFrame([{"name": n, "domain": d.get("domain"), "sector": d.get("sector"),
                           "n_events": d.get("n_events", 0), "n_cases": d.get("n_cases", 0)}
                          for n, d in g.nodes(data=True)], columns=["name", "domain", "sector", "n_events", "n_cases"])
    cols = ["n_handovers", "n_cases", "median_gap_days", "n_long_gaps", "loop", "psychiatric_somatic", "long_wait"]
    edges = pd.DataFrame([{"source": a, "target": b, **{c: d[c] for c in cols}} for a, b, d in g.edges(data=True)],
                         columns=["source", "target", *cols])
    nodes["weight"] = nodes["n_cases"].astype(float)
    edges["weight"] = edges["n_handovers"].astype(float)
    return nodes, edges


def process_tables(log: EventLog, *, level: str, threshold):
    """Nodes (with the start and end marks last) and edges of a process map, from :func:`pathways.transition_edges`.

    ``nodes``: ``name``, ``n_events``, ``n_cases`` (and ``domain``, ``sector`` at
    ``level="unit"``) and ``weight`` (events); ``edges``: the transition table's
    counts, times and flags and ``weight`` (transitions). The start mark counts the
    cases that start, the end mark those that end. Used by :func:`process_map` and
    the interactive map.
    """
    from ..analyses.transitions import END, START
    from ..graphs import transition_edges

    # the edges of pw.transition_graph, as a table: no graph object for a million distinct activities
    table = transition_edges(log, level=level, threshold=threshold)
    stats = log.units if level == "unit" else log.activities
    key = "unit" if level == "unit" else "activity"
    nodes = pd.DataFrame({"name": stats[key].astype(object), "n_events": stats["n_events"].astype("int64"),
                          "n_cases": stats["n_cases"].astype("int64")})
    if level == "unit":
        nodes["domain"] = stats["domain"].to_numpy()
        nodes["sector"] = stats["sector"].to_numpy()
    cols = ["n_transitions", "n_cases", "mean_days", "median_days", "p90_days", "max_days", "loop",
            "psychiatric_somatic", "long_wait"]
    edges = table[["source", "target", *cols]].copy()
    nodes["weight"] = nodes["n_events"].astype(float)
    edges["weight"] = edges["n_transitions"].astype(float)
    n_start = int(edges.loc[edges["source"] == START, "n_cases"].sum())
    n_end = int(edges.loc[edges["target"] == END, "n_cases"].sum())
    terminals = pd.DataFrame({"name": [START, END], "n_events": [0, 0], "n_cases": [n_start, n_end],
                              "weight": [0.0, 0.0]})
    return pd.concat([nodes, terminals], ignore_index=True), edges


def lane_order(values, lanes: str) -> list:
    """The lanes of ``values`` (sectors or domains; missing is ``"unknown"``) in the order of the words' tables.

    Examples
    --------
    >>> lane_order(["municipality", None, "region", "region"], "sector")
    ['region', 'municipality', 'unknown']
    """
    order = list((SECTOR_LANES if lanes == "sector" else DOMAIN_LANES)["en"])
    present = {"unknown" if v is None or (isinstance(v, float) and pd.isna(v)) else v for v in values}
    return sorted(present, key=lambda v: (order.index(v) if v in order else len(order), str(v)))


# --------------------------------------------------------------------------- process map
def process_map(log: EventLog, *, measure=Frequency("cases"), level: Literal["activity", "unit"] = "activity",
                highlight: Sequence[str] | str | None = None, max_nodes: int | None = None,
                min_share: float | None = None, min_count: int = MIN_COUNT, threshold=WAIT_THRESHOLD,
                title: str | None = None, language: Literal["en", "da"] = "en") -> Diagram:
    """Draw the directly-follows process map: steps as nodes, transitions as edges.

    Nodes are activities (or units, ``level="unit"``) with how many cases reach
    them; edges are the transitions of :func:`pathways.transitions`, labelled
    with the measure and drawn wider the more often they are taken. A green
    *start* mark and a dark *end* mark show how cases begin and end.

    The map is **readable by default**: it draws the ``max_nodes`` most frequent
    steps and the edges that carry ``min_share`` of the flow, and says so under
    the diagram ("showing 15 of 20 activities, 93 % of transitions"); every edge
    left out is counted there. **Small cells**: an edge made by fewer than
    ``min_count`` cases is dropped (counted in the legend) and every count under
    ``min_count`` prints as "<5". No case id is ever drawn.

    Parameters
    ----------
    log : EventLog
    measure : Frequency or Performance, default Frequency("cases")
        ``Frequency("cases")`` labels edges with the number of cases,
        ``Frequency("events")`` with the number of transitions,
        ``Performance("median"|"mean"|"p90", units="auto"|"minutes"|"hours"|"days")``
        with that statistic of the time between the two events, every edge in
        one unit (``"auto"``: the one the drawn edges' times read best in).
    level : {"activity", "unit"}, default "activity"
    highlight : list of {"loops", "psychiatric_somatic", "long_waits"}, optional
        Colour edges: ``"long_waits"`` orange and thicker when the median time
        exceeds ``threshold``; ``"loops"`` red on circular routes and
        ``"psychiatric_somatic"`` purple across the psychiatric/somatic line
        (both need the log's units; between activities, an edge is coloured when at
        least half of its transitions are such moves, see
        :func:`pathways.transition_graph`). An edge with
        two flags is drawn in both colours side by side. A legend on the diagram
        explains each colour. When a highlight would colour more than half of the
        drawn edges, only the ``HIGHLIGHT_TOP`` (5) busiest are coloured, and the
        legend says so ("only the 5 busiest of 33 edges shown").
    max_nodes : int, optional
        Node budget (start and end marks not counted); default 15.
    min_share : float, optional
        Share of all transitions the drawn edges must carry; default 0.85. ``1``
        draws every edge between the nodes kept (still without small cells).
    min_count : int, default 5
        Smallest count printed; smaller cells show as "<5" and their edges are dropped.
    threshold : str or timedelta, default "30D"
        Median time over which an edge counts as a long wait.
    title : str, optional
        Title drawn on the diagram; default "Process map" ("Proceskort").
    language : {"en", "da"}, default "en"
        Language of every word drawn (legend, caption, node counts, default title)
        and of the numbers (Danish ``1.234`` and ``2,5 d``); also of ``.info["caption"]``.

    Returns
    -------
    Diagram
        ``.nodes`` (name, n_events, n_cases, label) and ``.edges`` (source,
        target, counts, times, flags, label) are what is drawn; ``.info`` counts
        what is left out; ``.info["caption"]`` is the first caption line
        ("showing 2 of 2 activities, 100 % of transitions").

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> from pathways.render.maps import process_map, Frequency
    >>> df = pd.DataFrame({"pt": [p for p in "ABCDEF" for _ in range(2)],
    ...                    "act": ["Henvisning", "Visitation"] * 6,
    ...                    "ts": ["2023-01-01", "2023-01-03"] * 6})
    >>> log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    >>> m = process_map(log)
    >>> m.edges[["source", "target", "n_cases", "label"]]
           source      target  n_cases label
    0  Henvisning  Visitation        6     6
    1  Visitation       ■ end        6     6
    2     ▶ start  Henvisning        6     6
    >>> "showing 2 of 2 activities, 100 % of transitions" in m.dot
    True
    >>> process_map(log, language="da").info["caption"]
    'viser 2 af 2 aktiviteter, 100 % af overgangene'
    """
    from ..analyses.transitions import END, START

    measure = _measure(measure)
    check_choice("level", level, ["activity", "unit"])
    language = check_language(language)
    highlight = _highlights(highlight)
    unit_only = [h for h in highlight if h in ("loops", "psychiatric_somatic")]
    if unit_only:
        log.require("unit", purpose=f"highlight={unit_only!r}")
    max_nodes, min_share, min_count = _budget(max_nodes, min_share, min_count, "process_map")
    all_nodes, edges = process_tables(log, level=level, threshold=threshold)
    freq_col = "n_transitions" if isinstance(measure, Frequency) and measure.what == "events" else "n_cases"
    node_col = "n_events" if freq_col == "n_transitions" else "n_cases"
    shown_nodes, shown_edges, info = select(all_nodes, edges, max_nodes=max_nodes, min_share=min_share,
                                            min_count=min_count, terminals=(START, END))

    noun = "units" if level == "unit" else "activities"
    start, end = say("start", language), say("end", language)
    f = Formatter(language, min_count)
    b = DotBuilder("process_map", graph={**st.GRAPH, "rankdir": "TB"}, node=st.NODE, edge=st.EDGE_DEFAULTS)
    real = shown_nodes[~shown_nodes["name"].isin([START, END])]
    n_max = float(real[node_col].max()) if len(real) else 0.0
    labels = {}
    for r in shown_nodes.itertuples(index=False):
        if r.name == START:
            b.node(r.name, label=start, shape="circle", style="filled", fillcolor=st.START_FILL,
                   color=st.START_FILL, fontcolor="white", fontsize=9, width=0.5, fixedsize=True)
            labels[r.name] = start
            continue
        if r.name == END:
            b.node(r.name, label=end, shape="doublecircle", style="filled", fillcolor=st.END_FILL,
                   color=st.END_FILL, fontcolor="white", fontsize=9, width=0.45, fixedsize=True)
            labels[r.name] = end
            continue
        count = say(node_col, language, n=f.count(getattr(r, node_col)))
        labels[r.name] = count
        fill = st.DOMAIN_FILL.get(getattr(r, "domain", None), None) if level == "unit" else None
        b.node(r.name, label=HTML(f'<b>{html_text(r.name)}</b><br/><font point-size="9">{html_text(count)}</font>'),
               fillcolor=fill or st.shade(getattr(r, node_col), n_max))
    shown_edges = shown_edges.copy()
    w_max = float(shown_edges[freq_col].max()) if len(shown_edges) else 0.0
    edge_labels = []
    if isinstance(measure, Performance):
        stat_col = {"median": "median_days", "mean": "mean_days", "p90": "p90_days"}[measure.statistic]
        inner = (shown_edges["source"] != START) & (shown_edges["target"] != END)
        units = _units(measure, shown_edges.loc[inner, stat_col].tolist())
    drawn, capped = _strongest(shown_edges, highlight, freq_col)
    for r in drawn.itertuples(index=False):
        terminal = r.source == START or r.target == END
        if isinstance(measure, Performance) and not terminal:
            label = f.short_time(getattr(r, stat_col), units)
        elif isinstance(measure, Performance):
            label = ""
        else:
            label = f.count(getattr(r, freq_col))
        edge_labels.append(label)
        style = _edge_style(r, highlight, st.penwidth(getattr(r, freq_col), w_max))
        if terminal:
            style.update(style="dashed", color="#9aa5ae", penwidth=1.2)
        b.edge(b.ids[r.source], b.ids[r.target], label=f" {label} " if label else None, **style)
    shown_edges["label"] = edge_labels

    if isinstance(measure, Performance):
        what = say("pm_what_performance", language, statistic=say(measure.statistic, language),
                   units=say(units, language))
    else:
        what = say("pm_what_events" if measure.what == "events" else "pm_what_cases", language)
    caption = _caption(info, noun=noun, flow="transitions", min_count=min_count, language=language)
    info["caption"] = caption[0]
    rows = _highlight_rows(highlight, shown_edges, f.duration(threshold), language, capped)
    default = "title_process_map" if level == "activity" else "title_process_map_units"
    b.graph_attrs["label"] = _legend(title or say(default, language), [what, *caption], rows)
    out_nodes = real.drop(columns=["weight"]).assign(label=[labels[n] for n in real["name"]]).reset_index(drop=True)
    out_edges = shown_edges.drop(columns=["weight"]).reset_index(drop=True)
    return Diagram(b.source(), nodes=out_nodes, edges=out_edges, title="process map", info=info)


# --------------------------------------------------------------------------- unit map
@renamed(max_gap="threshold", swimlanes="lanes")
def unit_map(log: EventLog, *, measure=Frequency("cases"), lanes: Literal["sector", "domain"] | None = "sector",
             lane: str | None = None,
             highlight: Sequence[str] | str | None = ("loops", "psychiatric_somatic", "long_waits"),
             max_nodes: int | None = None, min_share: float | None = None, min_count: int = MIN_COUNT,
             threshold=GAP_THRESHOLD, within=LOOP_WITHIN, max_between: int = MAX_BETWEEN,
             isolated: Literal["hide", "show"] = "hide", title: str | None = None,
             language: Literal["en", "da"] = "en") -> Diagram:
    """Draw units as nodes and handovers between them as edges, grouped in lanes by sector or domain.

    The picture of a pathway across hospital, municipality and general practice:
    the numbers are those of :func:`pathways.unit_graph` (handover counts, cases,
    median gap, and the flags for loops, psychiatric/somatic crossings and long
    gaps). Each edge is labelled "cases · median gap" (drawn on two lines).

    Readable by default and with small cells suppressed exactly as
    :func:`process_map`: the ``max_nodes`` busiest units, the edges carrying
    ``min_share`` of the handovers, edges with fewer than ``min_count`` cases
    dropped, counts under ``min_count`` as "<5", everything left out counted on the
    diagram. No case id is drawn.

    **For print, one figure per lane.** The whole map runs left to right with the
    lanes stacked as bands, long names wrapped at spaces and no text under 10 pt;
    a map of a few units prints at A4 width as it is, but the demo extract's 15
    units across three sectors come out about 930 pt wide, 5 pt text in a 170 mm
    column. ``lane="region"`` draws one part of that same map: the units of one
    lane (a sector, or a domain with ``lanes="domain"``) with the handovers
    between them as on the whole map, and every handover to or from a unit of
    another lane as one row of a table at the right ("from other sectors", then
    "to other sectors"), each row the edge's count and median gap and the other
    unit (in its domain's fill, grouped under its lane), with an arrow from the
    row into the unit inside or from that unit to the row. One table on one side
    keeps a part narrow, so a Word page holds it. The units and edges are chosen once, for the
    whole map, so the parts hold exactly its handovers: one inside a lane is drawn
    in that lane's part, one across lanes in both parts (leaving one, arriving in
    the other), with the same numbers, colours and "<5". ``.info["lanes"]`` of the
    whole map lists its lanes in order; a report or a document prints one figure
    per lane, and the screen keeps the whole map or
    :func:`pathways.interactive_map`. By domain the demo's five parts print at
    8 pt or more on A4 (the four psychiatric units in a row on a landscape page,
    the others portrait); by sector its region part, 7 units with 16 handovers
    to other sectors, still prints at about 6 pt, which is why the report
    prints by domain.

    Parameters
    ----------
    log : EventLog
        Must map ``unit``.
    measure : Frequency or Performance, default Frequency("cases")
        The first number on each edge and what its width follows:
        ``Frequency("cases")``, ``Frequency("events")`` (handovers) or
        ``Performance("median", units=...)`` (median gap; the handover table has
        no mean or p90).
    lanes : {"sector", "domain"} or None, default "sector"
        Group units in boxes by sector or domain; None for no boxes.
    lane : str, optional
        Draw only this lane of the map (one of ``.info["lanes"]`` of the whole
        map, e.g. ``"region"``, ``"municipality"``, ``"general_practice"``), with
        the handovers from and to the other lanes listed at its sides (see above).
        Default: the whole map.
    highlight : list of {"loops", "psychiatric_somatic", "long_waits"}, default all three
        Red: on a circular route; purple: crosses the psychiatric/somatic line;
        orange and thicker: median gap over ``threshold``. Explained in the legend.
        A highlight that would colour more than half of the drawn edges colours
        only the 5 busiest (``HIGHLIGHT_TOP``; most patients, ties by name), and
        the legend says "only the 5 busiest of 33 edges shown"; ``edges`` keeps
        every flag.
    max_nodes : int, optional
        Node budget; default 15.
    min_share : float, optional
        Share of all handovers the drawn edges must carry; default 0.85.
    min_count : int, default 5
    threshold : str or timedelta, default "7D"
        Median gap over which an edge is a long wait ("falder mellem to stole").
    within, max_between
        Passed to the loop detection (see :func:`pathways.circular_routes`).
    isolated : {"hide", "show"}, default "hide"
        A unit left with no drawn handover to another unit (only to itself, or
        none, as in a log where nobody changes unit) is not drawn; the caption
        says how many ("2 units with no handover to another unit not drawn").
        ``"show"`` draws them.
    title : str, optional
        Default "Handovers between units" ("Overgange mellem enheder"); a lane's
        part adds the lane's name.
    language : {"en", "da"}, default "en"
        Language of every word drawn (legend, caption, swimlane names, node counts,
        default title) and of the numbers (Danish ``1.234`` and ``2,5 d``); also of
        ``.info["caption"]`` ("viser 3 af 4 enheder, 94 % af overgangene").

    Returns
    -------
    Diagram
        ``.nodes`` and ``.edges`` are what is drawn (a lane's part: its units,
        and its edges with ``part`` saying ``"inside"``, ``"from_other"`` or
        ``"to_other"``); ``.info`` counts what is left out, and ``.info["lanes"]``
        lists the lanes of the whole map.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> from pathways.render.maps import unit_map
    >>> df = pd.DataFrame({"pt": [p for p in "ABCDEF" for _ in range(2)],
    ...                    "act": ["Henvisning", "Førstegangssamtale"] * 6,
    ...                    "ts": ["2023-01-01", "2023-01-03"] * 6,
    ...                    "unit": ["Egen læge", "Distriktspsykiatri"] * 6})
    >>> log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")
    >>> m = unit_map(log)
    >>> m.edges[["source", "target", "n_cases", "label"]]
          source              target  n_cases      label
    0  Egen læge  Distriktspsykiatri        6  6 · 2.0 d
    >>> "General practice" in m.dot and "Region" in m.dot
    True
    >>> unit_map(log, language="da").edges["label"].tolist()
    ['6 · 2,0 d']
    >>> m.info["lanes"]
    ['region', 'general_practice']
    >>> part = unit_map(log, lane="region")
    >>> part.nodes["name"].tolist(), part.edges[["source", "part", "label"]].values.tolist()
    (['Distriktspsykiatri'], [['Egen læge', 'from_other', '6 · 2.0 d']])
    """
    measure = _measure(measure)
    if isinstance(measure, Performance) and measure.statistic != "median":
        raise OptionError(f"measure={measure!r} is not available for unit maps: handovers carry the median gap "
                          "only. Use pw.Performance('median', ...), or pw.process_map(log, level='unit', "
                          f"measure={measure!r}) for the time between events.")
    if lanes is not None:
        check_choice("lanes", lanes, ["sector", "domain"])
    elif lane is not None:
        raise OptionError(f"lane={lane!r} needs lanes: pass lanes='sector' (or 'domain') with it, or lane=None "
                          "for the whole map.")
    check_choice("isolated", isolated, ["hide", "show"])
    language = check_language(language)
    highlight = _highlights(highlight)
    max_nodes, min_share, min_count = _budget(max_nodes, min_share, min_count, "unit_map")
    nodes, edges = unit_tables(log, threshold=threshold, within=within, max_between=max_between)
    freq_col = "n_handovers" if isinstance(measure, Frequency) and measure.what == "events" else "n_cases"
    shown_nodes, shown_edges, info = select(nodes, edges, max_nodes=max_nodes, min_share=min_share,
                                            min_count=min_count)
    # a unit with no drawn handover to another unit (only to itself, or none) says nothing on a map of handovers
    linked = shown_edges["source"] != shown_edges["target"]
    joined = set(shown_edges.loc[linked, "source"]) | set(shown_edges.loc[linked, "target"])
    alone = ~shown_nodes["name"].isin(joined)
    info["n_nodes_alone"] = int(alone.sum()) if isolated == "hide" else 0
    if isolated == "hide" and alone.any():
        gone = set(shown_nodes.loc[alone, "name"])
        shown_nodes = shown_nodes[~alone]
        shown_edges = shown_edges[~shown_edges["source"].isin(gone)]
        info["n_nodes_shown"] = int(len(shown_nodes))
        info["n_edges_shown"] = int(len(shown_edges))
    info["lanes"] = lane_order(shown_nodes[lanes], lanes) if lanes is not None else []
    if lane is not None:
        check_choice("lane", lane, info["lanes"])

    # the edges as the whole map draws them: widths against its busiest edge, highlights capped over all of it,
    # every time in one unit; a lane's part draws a share of these rows, unchanged
    w_max = float(shown_edges[freq_col].max()) if len(shown_edges) else 0.0
    units = _units(measure, shown_edges["median_gap_days"].tolist())
    drawn, capped = _strongest(shown_edges, highlight, freq_col)
    texts = []
    f = Formatter(language, min_count)
    for r in drawn.itertuples(index=False):
        gap = f.short_time(r.median_gap_days, units)
        count = f.count(r.n_cases if isinstance(measure, Performance) else getattr(r, freq_col))
        texts.append((gap, count) if isinstance(measure, Performance) else (count, gap))
    drawn = drawn.assign(label=[f"{a} · {b}" for a, b in texts])
    shown_edges = shown_edges.assign(label=drawn["label"])
    node_labels = {n: say("n_cases", language, n=f.count(c))
                   for n, c in zip(shown_nodes["name"], shown_nodes["n_cases"])}

    # left to right with the lanes stacked as bands, names wrapped and edge labels on two lines: a small map
    # prints at A4 width as it is; a wide one prints by lane (see tests/render/test_maps.py)
    b = DotBuilder("unit_map", graph={**st.GRAPH, "rankdir": "LR", "newrank": True, "ranksep": 0.35, "nodesep": 0.2},
                   node={**st.NODE, "margin": "0.1,0.05"}, edge={**st.EDGE_DEFAULTS, "fontsize": st.SMALL_FONT})
    names = (SECTOR_LANES if lanes == "sector" else DOMAIN_LANES)[language]
    lane_of = (dict(zip(shown_nodes["name"], shown_nodes[lanes].fillna("unknown"))) if lanes is not None else {})
    if lane is None:
        on_nodes, on_edges = shown_nodes, drawn
    else:
        on_nodes = shown_nodes[shown_nodes["name"].map(lane_of) == lane]
        inside = set(on_nodes["name"])
        s_in, t_in = drawn["source"].isin(inside), drawn["target"].isin(inside)
        on_edges = drawn[s_in | t_in].assign(part=np.select([s_in & t_in, t_in], ["inside", "from_other"],
                                                           "to_other")[(s_in | t_in).to_numpy()])
    for key in (info["lanes"] if lane is None else [lane]):
        b.cluster(key, label=HTML(f"<b>{html_text(names.get(key, key))}</b>"), style="rounded,filled",
                  fillcolor=st.LANE_FILL.get(key, "#fafafa") if lanes == "sector" else "#f7f7f7",
                  color="#c9d1d8", fontname=st.FONT, fontsize=11, labeljust="l", margin=10)
    for r in on_nodes.itertuples(index=False):
        b.node(r.name, cluster=lane_of.get(r.name),
               label=HTML(f'<b>{wrapped(r.name)}</b><br/><font point-size="{st.SMALL_FONT}">'
                          f'{html_text(node_labels[r.name])}</font>'),
               fillcolor=st.DOMAIN_FILL.get(r.domain, "#ffffff"))
    inner = on_edges if lane is None else on_edges[on_edges["part"] == "inside"]
    for r, (first, second) in zip(inner.itertuples(index=False), [texts[i] for i in drawn.index.get_indexer(
            inner.index)]):
        b.edge(b.ids[r.source], b.ids[r.target], label=HTML(f"{html_text(first)}<br/>{html_text(second)}"),
               **_edge_style(r, highlight, st.penwidth(getattr(r, freq_col), w_max)))
    key_domains = list(on_nodes["domain"])
    if lane is not None:
        domain_of = dict(zip(shown_nodes["name"], shown_nodes["domain"]))
        if (on_edges["part"] != "inside").any():
            key_domains += _ports(b, on_edges, other_of=lane_of, domain_of=domain_of, lanes=lanes,
                                  highlight=highlight, freq_col=freq_col, w_max=w_max, language=language)

    if isinstance(measure, Performance):
        what = say("um_what_performance", language, units=say(units, language))
    else:
        what = say("um_what_events" if measure.what == "events" else "um_what_cases", language)
    caption = _caption(info, noun="units", flow="handovers", min_count=min_count, language=language)
    if info["n_nodes_alone"]:
        caption.insert(1, say("alone_hidden", language, n=info["n_nodes_alone"]))
    info["caption"] = caption[0]
    heading = title or say("title_unit_map", language)
    if lane is not None:
        caption.insert(1, say("lane_part", language, n=len(on_nodes), lane=names.get(lane, lane),
                              others=say("sectors" if lanes == "sector" else "domains", language)))
        heading = f"{heading}: {names.get(lane, lane)}"
        info.update(lane=lane, n_edges_inside=int((on_edges["part"] == "inside").sum()),
                    n_edges_from_other=int((on_edges["part"] == "from_other").sum()),
                    n_edges_to_other=int((on_edges["part"] == "to_other").sum()))
    rows = _highlight_rows(highlight, on_edges, f.duration(threshold), language, capped)
    b.graph_attrs["label"] = _legend(heading, [what, *caption], rows, key=domain_key(key_domains, language),
                                     wrap=None if lane is None else LEGEND_WRAP)
    out_nodes = on_nodes.drop(columns=["weight"]).assign(
        label=[node_labels[n] for n in on_nodes["name"]]).reset_index(drop=True)
    out_edges = shown_edges.loc[on_edges.index].drop(columns=["weight"])
    if lane is not None:
        out_edges = out_edges.assign(part=on_edges["part"])
    return Diagram(b.source(), nodes=out_nodes, edges=out_edges.reset_index(drop=True),
                   title="unit map" if lane is None else f"unit map: {lane}", info=info)


def _ports(b: DotBuilder, edges: pd.DataFrame, *, other_of: dict, domain_of: dict, lanes: str,
           highlight: list[str], freq_col: str, w_max: float, language: str) -> list:
    """The handovers of a lane's part from and to other lanes: one table at the right of the part.

    Two blocks, "from other sectors" and "to other sectors" (or domains), one row
    per edge of the whole map, grouped under the other unit's lane (in the lanes'
    order), busiest first: the edge's label, then the other unit in its domain's
    fill. An arrow joins each row and the unit inside, drawn as the edge is on the
    whole map (arriving at the unit inside, or leaving it). One table on one side
    keeps the part narrow: its units need only their own ranks and one column
    more. Returns the other units' domains (for the key).
    """
    names = (SECTOR_LANES if lanes == "sector" else DOMAIN_LANES)[language]
    cells, ports, domains = [], [], []
    for side in ("from_other", "to_other"):
        rows = edges[edges["part"] == side]
        if not len(rows):
            continue
        other = rows["source"] if side == "from_other" else rows["target"]
        order = lane_order([other_of[u] for u in other], lanes)
        rows = rows.assign(lane_rank=[order.index(other_of[u]) for u in other], other_unit=other)
        rows = rows.sort_values(["lane_rank", freq_col, "other_unit"], ascending=[True, False, True], kind="stable")
        heading = say(f"{'from' if side == 'from_other' else 'to'}_other_{lanes}", language)
        cells.append(f'<tr><td colspan="2" align="left"><b>{html_text(heading)}</b></td></tr>')
        last = None
        for r in rows.itertuples(index=False):
            if r.lane_rank != last:
                key = order[r.lane_rank]
                fill = st.LANE_FILL.get(key, "#fafafa") if lanes == "sector" else "#f7f7f7"
                cells.append(f'<tr><td colspan="2" align="left" bgcolor="{fill}">'
                             f'<i>{html_text(names.get(key, key))}</i></td></tr>')
                last = r.lane_rank
            colours = [st.HIGHLIGHTS[h] for h in highlight if bool(getattr(r, st.FLAG[h], False))]
            count = html_text(r.label)
            if colours:
                count = f'<font color="{colours[0]}">{count}</font>'
            fill = st.DOMAIN_FILL.get(domain_of[r.other_unit], "#ffffff")
            cells.append(f'<tr><td align="left" port="p{len(ports)}">{count}</td><td align="left" balign="left" '
                         f'bgcolor="{fill}" border="1" color="#8896a3">{wrapped(r.other_unit)}</td></tr>')
            ports.append((side, r))
            domains.append(domain_of[r.other_unit])
    table = HTML(f'<table border="0" cellborder="0" cellspacing="2" cellpadding="2">{"".join(cells)}</table>')
    node = b.node(("ports",), shape="plain", style="", label=table)
    # the table right of every unit: each unit joins it, invisibly where it has no handover out of the lane
    joined = {b.ids[r.target if side == "from_other" else r.source] for side, r in ports}
    for unit_id in [i for k, i in b.ids.items() if k != ("ports",) and i not in joined]:
        b.edge(unit_id, node, style="invis")
    for k, (side, r) in enumerate(ports):
        style = _edge_style(r, highlight, st.penwidth(getattr(r, freq_col), w_max))
        if side == "from_other":  # declared from the unit inside, drawn backwards: the table stays at the right
            b.edge(b.ids[r.target], f"{node}:p{k}:w", dir="back", **style)
        else:
            b.edge(b.ids[r.source], f"{node}:p{k}:w", **style)
    return domains


__all__ = ["Frequency", "Performance", "process_map", "unit_map", "select"]
