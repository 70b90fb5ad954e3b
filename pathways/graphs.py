"""networkx graphs built from the analyses' aggregates (never from raw events).

Both graphs carry counts and waits on their edges and three flags a map can colour:
``loop`` (the edge lies on a circular route), ``psychiatric_somatic`` (it crosses the
psychiatric/somatic line) and ``long_wait`` (its median time exceeds the threshold).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import networkx as nx
import pandas as pd

from .analyses.common import duration
from .parameters import GAP_THRESHOLD, LOOP_WITHIN, MAX_BETWEEN, WAIT_THRESHOLD, renamed

if TYPE_CHECKING:
    from .eventlog import EventLog

_CROSSING = {("psychiatric", "somatic"), ("somatic", "psychiatric")}


def _route_edges(routes: pd.DataFrame) -> set[tuple[str, str]]:
    """Directed unit pairs lying on a circular route (the cycle includes its closing step)."""
    edges = set()
    for cycle in routes["unit_tuple"]:  # one per distinct route: a small table, not events
        units = list(cycle)
        edges.update(zip(units[:-1], units[1:]))
    return edges


@renamed(max_gap="threshold")
def unit_graph(log: EventLog, *, within=LOOP_WITHIN, max_between: int = MAX_BETWEEN,
               threshold=GAP_THRESHOLD) -> nx.DiGraph:
    """Units as nodes, handovers as edges.

    Nodes carry ``domain``, ``sector``, ``n_events`` and ``n_cases``; edges carry
    ``n_handovers``, ``n_cases``, ``median_gap_days``, ``n_long_gaps`` and the flags
    ``loop`` (on a circular route found with ``within``/``max_between``),
    ``psychiatric_somatic`` and ``long_wait`` (median gap over ``threshold``).
    Graph attribute ``parameters`` records the options.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A", "A", "B", "B"],
    ...     "act": ["Henvisning", "Akut kontakt", "Akut kontakt", "Henvisning", "Akut kontakt"],
    ...     "ts": ["2023-01-02", "2023-01-05", "2023-01-20", "2023-02-01", "2023-02-02"],
    ...     "unit": ["Psykiatrisk Akutmodtagelse", "Akutmodtagelse", "Psykiatrisk Akutmodtagelse",
    ...              "Egen læge", "Akutmodtagelse"]})
    >>> g = pw.unit_graph(pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit"))
    >>> sorted(g.edges(data="psychiatric_somatic"))
    [('Akutmodtagelse', 'Psykiatrisk Akutmodtagelse', True), ('Egen læge', 'Akutmodtagelse', False), ('Psykiatrisk Akutmodtagelse', 'Akutmodtagelse', True)]
    >>> g.edges["Akutmodtagelse", "Psykiatrisk Akutmodtagelse"]["loop"], g.edges["Egen læge", "Akutmodtagelse"]["loop"]
    (True, False)
    """
    from .analyses.handovers import handover_matrix
    from .analyses.loops import circular_routes

    log.require("unit", purpose="unit_graph")
    gap = duration(threshold, argument="threshold")
    g = nx.DiGraph(parameters={"within": str(within), "max_between": max_between, "threshold": str(threshold)})
    units = log.units
    # column-wise, then added in one call each: a log with a million distinct units stays quick
    nodes = pd.DataFrame({"domain": units["domain"].astype(object).to_numpy(),
                          "sector": units["sector"].astype(object).to_numpy(),
                          "n_events": units["n_events"].astype("int64").to_numpy(),
                          "n_cases": units["n_cases"].astype("int64").to_numpy()})
    g.add_nodes_from(zip(units["unit"].astype(object), nodes.to_dict("records")))
    on_loop = _route_edges(circular_routes(log, within=within, max_between=max_between))
    matrix = handover_matrix(log, by="unit", threshold=threshold)
    a, b = matrix["from"].astype(object).to_numpy(), matrix["to"].astype(object).to_numpy()
    domains = dict(zip(units["unit"], units["domain"]))
    d_a, d_b = pd.Series(a).map(domains), pd.Series(b).map(domains)
    median = matrix["median_gap_days"].astype("float64").to_numpy()
    edges = pd.DataFrame({
        "n_handovers": matrix["n_handovers"].astype("int64").to_numpy(),
        "n_cases": matrix["n_cases"].astype("int64").to_numpy(),
        "median_gap_days": median, "n_long_gaps": matrix["n_long_gaps"].astype("int64").to_numpy(),
        "loop": pd.MultiIndex.from_arrays([a, b]).isin(list(on_loop)) if on_loop and len(a) else False,
        "psychiatric_somatic": (((d_a == "psychiatric") & (d_b == "somatic"))
                                | ((d_a == "somatic") & (d_b == "psychiatric"))).to_numpy(),
        "long_wait": median > gap / pd.Timedelta("1D"),
    })
    edges["loop"] = edges["loop"].astype(bool)
    g.add_edges_from(zip(a, b, edges.to_dict("records")))
    return g


def transition_graph(log: EventLog, *, level: Literal["activity", "event_type", "unit"] = "activity",
                     threshold=WAIT_THRESHOLD, within=LOOP_WITHIN, max_between: int = MAX_BETWEEN) -> nx.DiGraph:
    """Activities (or event types, or units) as nodes, directly-follows transitions as edges.

    Edges carry ``n_transitions``, ``n_cases``, ``mean_days``, ``median_days``, ``p90_days``,
    ``max_days`` and the flags ``long_wait`` (median over ``threshold``), ``loop`` and
    ``psychiatric_somatic``. At ``level="unit"`` an edge is a move between two units: ``loop``
    when the move lies on a circular route, ``psychiatric_somatic`` when it crosses the line.
    At the other levels an edge is flagged when at least half of its transitions are such
    moves (the two events in units on a circular route, or on either side of the line); the
    counts are ``n_loop_moves`` and ``n_psychiatric_somatic_moves``. The start and end of cases
    are the nodes ``"▶ start"`` and ``"■ end"``, with ``n_cases`` on their edges.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", "A", "B", "B"], "act": ["Henvisning", "Visitation"] * 2,
    ...                    "ts": ["2023-01-01", "2023-03-01", "2023-01-01", "2023-01-11"]})
    >>> g = pw.transition_graph(pw.from_pandas(df, case="pt", activity="act", timestamp="ts"))
    >>> e = g.edges["Henvisning", "Visitation"]
    >>> e["n_transitions"], e["median_days"], e["long_wait"]
    (2, 34.5, True)
    """
    from .analyses.transitions import END, START

    edges = transition_edges(log, level=level, threshold=threshold, within=within, max_between=max_between)
    g = nx.DiGraph(parameters={"level": level, "threshold": str(threshold)})
    # nodes in the order the edges first name them (source before target)
    order = pd.unique(edges[["source", "target"]].to_numpy(dtype=object).ravel()) if len(edges) else []
    g.add_nodes_from((n, {"terminal": n in (START, END)}) for n in order)
    attrs = edges.drop(columns=["source", "target"]).to_dict("records")
    g.add_edges_from(zip(edges["source"], edges["target"], attrs))
    return g


def transition_edges(log, *, level: Literal["activity", "event_type", "unit"] = "activity", threshold=WAIT_THRESHOLD,
                     within=LOOP_WITHIN, max_between: int = MAX_BETWEEN) -> pd.DataFrame:
    """The edges of :func:`transition_graph` as a table, one row per edge (computed column-wise).

    Columns ``source``, ``target``, ``n_transitions``, ``n_cases``, ``mean_days``,
    ``median_days``, ``p90_days``, ``max_days``, ``long_wait``, ``loop``,
    ``psychiatric_somatic`` and, below the unit level, ``n_loop_moves`` and
    ``n_psychiatric_somatic_moves``. Maps draw from this table without building a
    graph, which matters for logs with a million distinct activities.
    """
    from .analyses.loops import circular_routes
    from .analyses.transitions import transition_moves, transitions

    limit = duration(threshold, argument="threshold") / pd.Timedelta("1D")
    tr = transitions(log, level=level)
    out = pd.DataFrame({
        "source": tr["source"].astype(object).to_numpy(), "target": tr["target"].astype(object).to_numpy(),
        "n_transitions": tr["n_transitions"].astype("int64").to_numpy(),
        "n_cases": tr["n_cases"].astype("int64").to_numpy(),
        **{c: tr[c].astype("float64").to_numpy() for c in ("mean_days", "median_days", "p90_days", "max_days")},
    })
    out["long_wait"] = out["median_days"].notna().to_numpy() & (out["median_days"] > limit).to_numpy()
    pair = pd.MultiIndex.from_arrays([out["source"], out["target"]])
    if level == "unit":
        on_loop = _route_edges(circular_routes(log, within=within, max_between=max_between))
        units = log.units  # one query: a log may have a million units
        domains = dict(zip(units["unit"], units["domain"]))
        out["loop"] = pair.isin(list(on_loop)) if on_loop else False
        d_src, d_dst = out["source"].map(domains), out["target"].map(domains)
        out["psychiatric_somatic"] = ((d_src == "psychiatric") & (d_dst == "somatic")) | \
            ((d_src == "somatic") & (d_dst == "psychiatric"))
    else:
        moves = None if not log.has("unit") else transition_moves(
            log, level, sorted(_route_edges(circular_routes(log, within=within, max_between=max_between))))
        if moves is None or not len(moves):
            n_loop = n_cross = pd.Series(0, index=out.index, dtype="int64")
        else:
            counts = moves.set_index(["_src", "_dst"]).reindex(pair)
            n_loop = pd.Series(counts["n_loop"].fillna(0).astype("int64").to_numpy(), index=out.index)
            n_cross = pd.Series(counts["n_cross"].fillna(0).astype("int64").to_numpy(), index=out.index)
        n = out["n_transitions"]
        out["loop"] = (n_loop * 2 >= n) & (n > 0)
        out["n_loop_moves"] = n_loop
        out["psychiatric_somatic"] = (n_cross * 2 >= n) & (n > 0)
        out["n_psychiatric_somatic_moves"] = n_cross
    out["loop"] = out["loop"].astype(bool)
    out["psychiatric_somatic"] = out["psychiatric_somatic"].astype(bool)
    return out
