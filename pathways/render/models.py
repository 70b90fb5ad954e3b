"""DOT drawings of process models (process tree, Petri net, BPMN) and of reference pathways: :func:`model_map`.

The DOT text is written here, with generated node ids and escaped labels
(:mod:`pathways.render.dot`); pm4py's own visualisers are not used. A model
holds no counts and no case ids, so nothing needs suppressing.
"""

from __future__ import annotations

import pandas as pd

from ..errors import OptionError
from . import styles as st
from .diagram import Diagram
from .dot import HTML, DotBuilder, html_text

# Every symbol drawn is one the fonts of both layout engines have: graphviz-pure draws with its own
# Arimo (Helvetica's metrics), which lacks ↺, ∨, ◇ and ◎ (tests/test_models.py renders each symbol).
_OPERATORS = {  # pm4py operator value -> (symbol, meaning)
    "->": ("→", "sequence"),
    "X": ("×", "choice (one branch)"),
    "+": ("+", "parallel (all branches, any order)"),
    "*": ("*", "loop (first branch, then optionally a later one and the first again)"),
    "O": ("or", "inclusive choice"),
    "<>": ("↔", "interleaving"),
    "PO": ("≤", "partial order"),
}
_GATEWAYS = {"ExclusiveGateway": "×", "ParallelGateway": "+", "InclusiveGateway": "○", "EventBasedGateway": "◊"}
_SILENT = "#3d4650"
_PLACE = "#ffffff"


def _legend(title: str, lines: list[str]) -> HTML:
    cells = [f'<tr><td align="left"><font point-size="13"><b>{html_text(title)}</b></font></td></tr>']
    cells += [f'<tr><td align="left"><font color="#4a5560">{html_text(line)}</font></td></tr>' for line in lines]
    return HTML(f'<table border="0" cellborder="0" cellspacing="1" cellpadding="1">{"".join(cells)}</table>')


def _said(model) -> list[str]:
    """The legend's first lines: where the model came from, and what its activity budget left out."""
    return [model.source] + ([model.note] if model.note else [])


#: Activities drawn by default (``max_nodes=None``): the discovery budget, so a model discovered with the
#: defaults is drawn whole; a larger one (read from a file, or discovered with a larger budget) is cut.
DEFAULT_MAX_NODES = 50


def _check_budget(max_nodes) -> int:
    if max_nodes is None:
        return DEFAULT_MAX_NODES
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise OptionError(f"max_nodes={max_nodes!r} is not allowed; give a whole number of activities (1 or more), "
                          f"such as {DEFAULT_MAX_NODES}, or None for the default.")
    return max_nodes


def _budget(order: list, arcs: list, is_task, max_nodes: int) -> tuple[set, dict]:
    """The nodes drawn: those of the walk ``order`` (from the start, each after a node before it) up to its
    ``max_nodes``-th activity; and the counts ``n_nodes_shown``, ``n_nodes_total`` (activities).

    >>> _budget(["s", "a", "p", "b", "c"], [], lambda n: n in "abc", 2)[0] == {"s", "a", "p", "b"}
    True
    """
    n_total = sum(1 for n in order if is_task(n))
    kept, seen = set(), 0
    for n in order:
        if is_task(n):
            if seen == max_nodes:
                break
            seen += 1
        kept.add(n)
    return kept, {"n_nodes_shown": seen, "n_nodes_total": n_total}


def _walk(starts: list, arcs: list) -> list:
    """Breadth-first order of the nodes from ``starts`` along ``arcs`` (pairs, in drawing order)."""
    after: dict = {}
    for src, dst in arcs:
        after.setdefault(src, []).append(dst)
    order, seen = list(starts), set(starts)
    for n in order:  # the list grows as it is read
        for m in after.get(n, ()):
            if m not in seen:
                seen.add(m)
                order.append(m)
    return order


def _cut_edges(b: DotBuilder, arcs: list, kept: set, ids: dict, counts: dict, edges: list, nodes: list,
               **edge_attrs) -> list[str]:
    """Draw the arcs between drawn nodes; arcs into nodes left out go to one box saying how many
    activities it stands for. Returns the legend line saying what is shown ([] when all is)."""
    more = None
    left = counts["n_nodes_total"] - counts["n_nodes_shown"]
    for src, dst in arcs:
        if src not in kept:
            continue
        if dst in kept:
            b.edge(ids[src], ids[dst], **edge_attrs)
            edges.append({"source": ids[src], "target": ids[dst]})
        else:
            if more is None:
                more = b.node(("more",), label=f"… {left:,} more {'activity' if left == 1 else 'activities'}",
                              shape="box", style="dashed", color="#9aa5ae", fontcolor="#4a5560")
                nodes.append({"id": more, "kind": "left_out", "label": None})
            if {"source": ids[src], "target": more} not in edges:
                b.edge(ids[src], more, style="dashed", color="#9aa5ae", **edge_attrs)
                edges.append({"source": ids[src], "target": more})
    if not left:
        return []
    return [f"showing {counts['n_nodes_shown']:,} of {counts['n_nodes_total']:,} activities (the first from the "
            f"start); the others are in the dashed box: draw with max_nodes={counts['n_nodes_total']} for all"]


def _task(b: DotBuilder, key, label: str) -> str:
    return b.node(key, label=HTML(f"<b>{html_text(label)}</b>"), shape="box", style="rounded,filled",
                  fillcolor="#f2f6fb")


def model_map(model, *, title: str | None = None, max_nodes: int | None = None) -> Diagram:
    """Draw a process model in its own notation, or a reference pathway as a chain of milestones.

    A :class:`~pathways.models.ProcessModel` is drawn as a tree of operators, a Petri net of places
    and transitions, or BPMN tasks, gateways and events; a :class:`~pathways.ReferencePathway` as its
    milestones with the time limits on the arrows and optional steps dashed. A model holds no
    counts and no case ids, so nothing is suppressed.

    Parameters
    ----------
    model : ProcessModel or ReferencePathway
        From :func:`pathways.discover_process_tree` (and the other ``discover_*``), :func:`pathways.read_pnml`,
        :func:`pathways.read_bpmn`, or a reference pathway.
    title : str, optional
        The diagram's title (default: the kind of model and its name).
    max_nodes : int, optional
        At most this many activities of a model are drawn (default 50, the discovery budget): the
        first from the start; the others stand in one dashed box, and the legend says "showing x of y
        activities". Not for a reference pathway, whose milestones are all drawn.

    Returns
    -------
    Diagram
        ``.svg()``, ``.save("model.svg" | ".png" | ".pdf" | ".dot")``, shown inline in Jupyter.

    Examples
    --------
    >>> import pathways as pw
    >>> ref = pw.ReferencePathway(["referral", "visitation", pw.Step("first_contact", within="30D")], name="PVK")
    >>> tree = pw.model_map(ref.to_model())            # the model: a sequence of three tasks
    >>> "sequence" in tree.dot, all(step in tree.dot for step in ("referral", "visitation", "first_contact"))
    (True, True)
    >>> chain = pw.model_map(ref)                      # the pathway: milestones, the limit on its arrow
    >>> "≤ 30 d" in chain.dot
    True
    """
    from ..models.model import ProcessModel
    from ..models.reference import ReferencePathway

    if isinstance(model, ReferencePathway):
        if max_nodes is not None:
            raise OptionError("max_nodes= is for process models; a reference pathway's milestones are all drawn.")
        return draw_reference(model, title=title)
    if not isinstance(model, ProcessModel):
        raise TypeError(f"model_map expects a ProcessModel (pw.discover_process_tree(log), pw.read_pnml(...)) or a "
                        f"ReferencePathway, got {type(model).__name__}.")
    return draw(model, title=title, max_nodes=max_nodes)


def draw(model, *, title: str | None = None, max_nodes: int | None = None) -> Diagram:
    """The Diagram of a :class:`~pathways.models.ProcessModel` in its own notation, with at most
    ``max_nodes`` activities (default :data:`DEFAULT_MAX_NODES`; the others in one box, and the legend
    says "showing x of y activities")."""
    max_nodes = _check_budget(max_nodes)
    kind_title = {"process_tree": "Process tree", "petri_net": "Petri net", "bpmn": "BPMN"}[model.kind]
    title = title or (f"{kind_title}: {model.name}" if model.name else kind_title)
    if model.kind == "process_tree":
        return _tree(model, title, max_nodes)
    if model.kind == "bpmn":
        return _bpmn(model, title, max_nodes)
    return _petri(model, title, max_nodes)


def _tree(model, title: str, max_nodes: int) -> Diagram:
    b = DotBuilder("process_tree", graph={**st.GRAPH, "rankdir": "TB"}, node=st.NODE, edge=st.EDGE_DEFAULTS)
    walk, arcs = [], []  # depth-first, children in their order: each node after its parent
    stack = [(model.to_pm4py(), None)]
    while stack:
        node, parent = stack.pop()
        walk.append(node)
        if parent is not None:
            arcs.append((parent, len(walk) - 1))
        stack.extend((child, len(walk) - 1) for child in reversed(node.children))
    kept, counts = _budget(list(range(len(walk))), arcs, lambda i: walk[i].operator is None
                           and walk[i].label is not None, max_nodes)
    nodes, edges, used, ids = [], [], set(), {}
    for i in sorted(kept):
        node, key = walk[i], ("t", i)
        if node.operator is not None:
            symbol, meaning = _OPERATORS.get(node.operator.value, (str(node.operator.value), "operator"))
            used.add(node.operator.value)
            ids[i] = b.node(key, label=HTML(f"<b>{html_text(symbol)}</b>"), shape="circle", style="filled",
                            fillcolor="#e8edf2", width=0.4, fixedsize=True, fontsize=14)
            nodes.append({"id": ids[i], "kind": "operator", "label": meaning.split(" (")[0]})
        elif node.label is None:
            ids[i] = b.node(key, label="τ", shape="circle", style="filled", fillcolor="#f4f4f4", color="#b0b7bd",
                            fontcolor="#6b7780", width=0.3, fixedsize=True, fontsize=10)
            nodes.append({"id": ids[i], "kind": "silent", "label": None})
        else:
            ids[i] = _task(b, key, str(node.label))
            nodes.append({"id": ids[i], "kind": "activity", "label": str(node.label)})
    shown = _cut_edges(b, arcs, kept, ids, counts, edges, nodes, arrowhead="none")
    lines = _said(model) + shown + [f"{_OPERATORS[o][0]} {_OPERATORS[o][1]}" for o in _OPERATORS if o in used]
    if any(n["kind"] == "silent" for n in nodes):
        lines.append("τ silent step (nothing happens)")
    b.graph_attrs["label"] = _legend(title, lines)
    return Diagram(b.source(), nodes=pd.DataFrame(nodes, columns=["id", "kind", "label"]),
                   edges=pd.DataFrame(edges, columns=["source", "target"]), title="process tree",
                   info={"caption": model.source, **counts})


def _petri(model, title: str, max_nodes: int) -> Diagram:
    net, im, fm = model.petri_net()
    b = DotBuilder("petri_net", graph={**st.GRAPH, "rankdir": "LR", "nodesep": 0.25}, node=st.NODE,
                   edge=st.EDGE_DEFAULTS)
    places = sorted(net.places, key=lambda p: (p not in im, p in fm, str(p.name)))
    transitions = sorted(net.transitions, key=lambda t: (t.label is None, str(t.label), str(t.name)))
    rank = {n: k for k, n in enumerate(places + transitions)}
    arcs = sorted(((a.source, a.target) for a in net.arcs), key=lambda a: (rank[a[0]], rank[a[1]]))
    weights = {(a.source, a.target): getattr(a, "weight", 1) for a in net.arcs}
    walk = _walk([p for p in places if p in im], arcs)
    walk += [n for n in places + transitions if n not in set(walk)]
    kept, counts = _budget(walk, arcs, lambda n: n in rank and rank[n] >= len(places) and n.label is not None,
                           max_nodes)
    nodes, edges, ids = [], [], {}
    for k, p in enumerate(places):
        if p not in kept:
            continue
        tokens = im[p] if p in im else 0
        label = "●" if tokens == 1 else (str(tokens) if tokens else "")
        ids[p] = b.node(("p", k), label=label, shape="doublecircle" if p in fm else "circle", style="filled",
                        fillcolor=_PLACE, width=0.3, fixedsize=True, fontsize=10)
        nodes.append({"id": ids[p], "kind": "place", "label": None})
    for k, t in enumerate(transitions):
        if t not in kept:
            continue
        if t.label is None:
            ids[t] = b.node(("t", k), label="", shape="box", style="filled", fillcolor=_SILENT, color=_SILENT,
                            width=0.12, height=0.35, fixedsize=True)
            nodes.append({"id": ids[t], "kind": "silent", "label": None})
        else:
            ids[t] = _task(b, ("t", k), str(t.label))
            nodes.append({"id": ids[t], "kind": "transition", "label": str(t.label)})
    for arc in arcs:  # arcs of weight > 1 carry their weight
        if arc[0] in kept and arc[1] in kept:
            weight = weights[arc]
            b.edge(ids[arc[0]], ids[arc[1]], label=f" {weight} " if weight != 1 else None)
            edges.append({"source": ids[arc[0]], "target": ids[arc[1]]})
    shown = _cut_edges(b, [a for a in arcs if a[1] not in kept], kept, ids, counts, edges, nodes)
    lines = _said(model) + shown + ["○ place (● start), double circle: end place; boxes: steps; black bars: "
                                    "silent steps"]
    b.graph_attrs["label"] = _legend(title, lines)
    return Diagram(b.source(), nodes=pd.DataFrame(nodes, columns=["id", "kind", "label"]),
                   edges=pd.DataFrame(edges, columns=["source", "target"]), title="Petri net",
                   info={"caption": model.source, **counts})


def _bpmn(model, title: str, max_nodes: int) -> Diagram:
    bpmn = model.to_pm4py()
    b = DotBuilder("bpmn", graph={**st.GRAPH, "rankdir": "LR"}, node=st.NODE, edge=st.EDGE_DEFAULTS)
    drawn = sorted(bpmn.get_nodes(), key=lambda n: (type(n).__name__, str(n.get_name()), str(n.get_id())))
    rank = {n: k for k, n in enumerate(drawn)}
    arcs = sorted(((f.get_source(), f.get_target()) for f in bpmn.get_flows()
                   if f.get_source() in rank and f.get_target() in rank), key=lambda a: (rank[a[0]], rank[a[1]]))
    kind_of = {n: type(n).__name__ for n in drawn}
    walk = _walk([n for n in drawn if kind_of[n].endswith("StartEvent")], arcs)
    walk += [n for n in drawn if n not in set(walk)]
    tasks = {n for n, cls in kind_of.items() if not cls.endswith(("StartEvent", "EndEvent", "Gateway"))}
    kept, counts = _budget(walk, arcs, lambda n: n in tasks, max_nodes)
    nodes, edges, ids = [], [], {}
    for k, n in enumerate(drawn):
        if n not in kept:
            continue
        cls = kind_of[n]
        name = str(n.get_name() or "")
        if cls.endswith("StartEvent"):
            ids[n] = b.node(("n", k), label="", shape="circle", style="filled", fillcolor=st.START_FILL,
                            color=st.START_FILL, width=0.35, fixedsize=True)
            kind = "start"
        elif cls.endswith("EndEvent"):
            ids[n] = b.node(("n", k), label="", shape="circle", style="filled", fillcolor="#ffffff",
                            color=st.END_FILL, penwidth=3, width=0.35, fixedsize=True)
            kind = "end"
        elif cls.endswith("Gateway"):
            ids[n] = b.node(("n", k), label=_GATEWAYS.get(cls, "◊"), shape="diamond", style="filled",
                            fillcolor="#fff7db", color="#c9a227", width=0.45, height=0.45, fixedsize=True,
                            fontsize=14)
            kind = cls.replace("Gateway", "").lower() + "_gateway"
        else:
            ids[n] = _task(b, ("n", k), name)
            kind = "task"
        nodes.append({"id": ids[n], "kind": kind, "label": name or None})
    shown = _cut_edges(b, arcs, kept, ids, counts, edges, nodes)
    lines = _said(model) + shown + ["× one branch, + all branches; green: start, ring: end"]
    b.graph_attrs["label"] = _legend(title, lines)
    return Diagram(b.source(), nodes=pd.DataFrame(nodes, columns=["id", "kind", "label"]),
                   edges=pd.DataFrame(edges, columns=["source", "target"]), title="BPMN",
                   info={"caption": model.source, **counts})


def draw_reference(ref, *, title: str | None = None) -> Diagram:
    """A reference pathway as a chain of milestones: time limits on the arrows, optional steps dashed."""
    b = DotBuilder("reference_pathway", graph={**st.GRAPH, "rankdir": "LR"}, node=st.NODE, edge=st.EDGE_DEFAULTS)
    start = b.node("▶", label="start", shape="circle", style="filled", fillcolor=st.START_FILL,
                   color=st.START_FILL, fontcolor="white", fontsize=9, width=0.5, fixedsize=True)
    end = b.node("■", label="end", shape="doublecircle", style="filled", fillcolor=st.END_FILL, color=st.END_FILL,
                 fontcolor="white", fontsize=9, width=0.45, fixedsize=True)
    ids = {}
    nodes, edges = [], []
    for k, s in enumerate(ref.steps):
        ids[s.label] = b.node(("s", k), label=HTML(f"<b>{html_text(s.label)}</b>"), shape="box",
                              style="rounded,filled,dashed" if s.optional else "rounded,filled", fillcolor="#f2f6fb")
        nodes.append({"id": ids[s.label], "step": s.label, "optional": s.optional,
                      "within_days": s.within_days, "after": ref.anchor(k)})
    # the chain; an optional step can be bypassed (dashed arrow past it)
    chain = [start] + [ids[s.label] for s in ref.steps] + [end]
    optional = [False] + [s.optional for s in ref.steps] + [False]
    for i in range(len(chain) - 1):
        step = ref.steps[i] if i < len(ref.steps) else None
        label = None
        if step is not None and step.within_days is not None and step.after is None:
            label = f" ≤ {step.within_days:g} d "
        b.edge(chain[i], chain[i + 1], label=label)
        edges.append({"source": chain[i], "target": chain[i + 1], "kind": "next"})
    for i in range(1, len(chain) - 1):
        if optional[i]:
            j = i + 1
            while j < len(chain) - 1 and optional[j]:
                j += 1
            b.edge(chain[i - 1], chain[j], style="dashed", color="#9aa5ae")
            edges.append({"source": chain[i - 1], "target": chain[j], "kind": "bypass"})
    for k, s in enumerate(ref.steps):
        if s.within_days is not None and s.after is not None:
            b.edge(ids[ref.anchor(k)], ids[s.label], label=f" ≤ {s.within_days:g} d ", style="dotted",
                   color=st.LONG_WAIT, fontcolor=st.LONG_WAIT, constraint=False)
            edges.append({"source": ids[ref.anchor(k)], "target": ids[s.label], "kind": "time_limit"})
    lines = [f"milestones by {ref.describe_matching()}", "≤ maximum time from the step before (dotted: from the "
             "step named)", "dashed box: optional step"]
    b.graph_attrs["label"] = _legend(title or f"Reference pathway: {ref.name}", lines)
    return Diagram(b.source(), nodes=pd.DataFrame(nodes), edges=pd.DataFrame(edges), title="reference pathway",
                   info={"caption": ref.name})


__all__ = ["draw", "draw_reference"]
