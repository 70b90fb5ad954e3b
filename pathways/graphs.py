"""networkx graphs built from the analyses' aggregates (never from raw events).

Both graphs carry counts and waits on their edges and three flags a map can colour:
``loop`` (the edge lies on a circular route), ``psychiatric_somatic`` (it crosses the
psychiatric/somatic line) and ``long_wait`` (its median time exceeds the threshold).
"""

from __future__ import annotations

from typing import Literal

import networkx as nx
import pandas as pd

from .analyses._common import duration

_CROSSING = {("psychiatric", "somatic"), ("somatic", "psychiatric")}


def _route_edges(routes: pd.DataFrame) -> set[tuple[str, str]]:
    """Directed unit pairs lying on a circular route (the cycle includes its closing step)."""
    edges = set()
    for cycle in routes["unit_tuple"]:  # one per distinct route: a small table, not events
        units = list(cycle)
        edges.update(zip(units[:-1], units[1:]))
    return edges


def unit_graph(log, *, within="180D", max_between: int = 4, max_gap="7D") -> nx.DiGraph:
    """Units as nodes, handovers as edges.

    Nodes carry ``domain``, ``sector``, ``n_events`` and ``n_cases``; edges carry
    ``n_handovers``, ``n_cases``, ``median_gap_days``, ``n_long_gaps`` and the flags
    ``loop`` (on a circular route found with ``within``/``max_between``),
    ``psychiatric_somatic`` and ``long_wait`` (median gap over ``max_gap``).
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
    gap = duration(max_gap, argument="max_gap")
    g = nx.DiGraph(parameters={"within": str(within), "max_between": max_between, "max_gap": str(max_gap)})
    for r in log.units.itertuples(index=False):
        g.add_node(r.unit, domain=r.domain, sector=r.sector, n_events=int(r.n_events), n_cases=int(r.n_cases))
    on_loop = _route_edges(circular_routes(log, within=within, max_between=max_between))
    matrix = handover_matrix(log, by="unit", max_gap=max_gap).rename(columns={"from": "a", "to": "b"})
    for r in matrix.itertuples(index=False):
        a, b = r.a, r.b
        g.add_edge(a, b, n_handovers=int(r.n_handovers), n_cases=int(r.n_cases),
                   median_gap_days=float(r.median_gap_days), n_long_gaps=int(r.n_long_gaps),
                   loop=(a, b) in on_loop,
                   psychiatric_somatic=(g.nodes[a].get("domain"), g.nodes[b].get("domain")) in _CROSSING,
                   long_wait=bool(r.median_gap_days > gap / pd.Timedelta("1D")))
    return g


def transition_graph(log, *, level: Literal["activity", "event_type", "unit"] = "activity",
                     threshold="30D", within="180D", max_between: int = 4) -> nx.DiGraph:
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
    from .analyses.transitions import END, START, transitions

    limit = duration(threshold, argument="threshold") / pd.Timedelta("1D")
    tr = transitions(log, level=level)
    on_loop: set = set()
    domains: dict = {}
    if level == "unit":
        from .analyses.loops import circular_routes

        on_loop = _route_edges(circular_routes(log, within=within, max_between=max_between))
        domains = dict(zip(log.units["unit"], log.units["domain"]))
    moves = {} if level == "unit" or not log.has("unit") else _unit_moves(log, level, within, max_between)
    g = nx.DiGraph(parameters={"level": level, "threshold": str(threshold)})
    for r in tr.itertuples(index=False):
        for node in (r.source, r.target):
            if node not in g:
                g.add_node(node, terminal=node in (START, END))
        if level == "unit":
            flags = dict(loop=(r.source, r.target) in on_loop,
                         psychiatric_somatic=(domains.get(r.source), domains.get(r.target)) in _CROSSING)
        else:
            n_loop, n_cross = moves.get((r.source, r.target), (0, 0))
            flags = dict(loop=n_loop * 2 >= r.n_transitions > 0, n_loop_moves=n_loop,
                         psychiatric_somatic=n_cross * 2 >= r.n_transitions > 0, n_psychiatric_somatic_moves=n_cross)
        g.add_edge(r.source, r.target, n_transitions=int(r.n_transitions), n_cases=int(r.n_cases),
                   mean_days=float(r.mean_days), median_days=float(r.median_days), p90_days=float(r.p90_days),
                   max_days=float(r.max_days),
                   long_wait=bool(pd.notna(r.median_days) and r.median_days > limit), **flags)
    return g


def _unit_moves(log, level: str, within, max_between: int) -> dict:
    """Per (source, target) activity or event type: transitions that move along a circular route or across
    the psychiatric/somatic line, counted in the engine in one pass over the ordered events."""
    import ibis

    from .analyses.loops import circular_routes

    t = log.table
    w = ibis.window(group_by="case_id", order_by=["timestamp", "row"])
    e = t.mutate(_src=t[level], _dst=t[level].lead().over(w), _u2=t.unit.lead().over(w),
                 _d2=t.domain.lead().over(w))
    e = e.filter(e._dst.notnull())
    pairs = sorted(_route_edges(circular_routes(log, within=within, max_between=max_between)))
    crossing = ((e.domain == "psychiatric") & (e._d2 == "somatic")) | ((e.domain == "somatic") & (e._d2 == "psychiatric"))
    if pairs:
        routes = ibis.memtable({"_ra": [a for a, _ in pairs], "_rb": [b for _, b in pairs]})
        e = e.left_join(routes, [e.unit == routes._ra, e._u2 == routes._rb])
        on_route = e._ra.notnull()
    else:
        on_route = e._dst.isnull()  # no circular route: always False, as a column so that it sums
    counts = e.group_by(["_src", "_dst"]).aggregate(n_loop=on_route.sum(), n_cross=crossing.sum()).to_pandas()
    return {(a, b): (int(x or 0), int(y or 0))
            for a, b, x, y in counts[["_src", "_dst", "n_loop", "n_cross"]].itertuples(index=False)}
