"""DOT drawings of process models (process tree, Petri net, BPMN) and of reference pathways.

The DOT text is written here, with generated node ids and escaped labels
(:mod:`pathways.render.dot`); pm4py's own visualisers are not used. A model
holds no counts and no case ids, so nothing needs suppressing.
"""

from __future__ import annotations

import pandas as pd

from ..render import styles as st
from ..render.diagram import Diagram
from ..render.dot import HTML, DotBuilder, html_text

_OPERATORS = {  # pm4py operator value -> (symbol, meaning)
    "->": ("→", "sequence"),
    "X": ("×", "choice (one branch)"),
    "+": ("+", "parallel (all branches, any order)"),
    "*": ("↺", "loop (first branch, then optionally a later one and the first again)"),
    "O": ("∨", "inclusive choice"),
    "<>": ("↔", "interleaving"),
    "PO": ("≤", "partial order"),
}
_SILENT = "#3d4650"
_PLACE = "#ffffff"


def _legend(title: str, lines: list[str]) -> HTML:
    cells = [f'<tr><td align="left"><font point-size="13"><b>{html_text(title)}</b></font></td></tr>']
    cells += [f'<tr><td align="left"><font color="#4a5560">{html_text(line)}</font></td></tr>' for line in lines]
    return HTML(f'<table border="0" cellborder="0" cellspacing="1" cellpadding="1">{"".join(cells)}</table>')


def _said(model) -> list[str]:
    """The legend's first lines: where the model came from, and what its activity budget left out."""
    return [model.source] + ([model.note] if model.note else [])


def _task(b: DotBuilder, key, label: str) -> str:
    return b.node(key, label=HTML(f"<b>{html_text(label)}</b>"), shape="box", style="rounded,filled",
                  fillcolor="#f2f6fb")


def draw(model, *, title: str | None = None) -> Diagram:
    """The Diagram of a :class:`~pathways.models.ProcessModel` in its own notation."""
    kind_title = {"process_tree": "Process tree", "petri_net": "Petri net", "bpmn": "BPMN"}[model.kind]
    title = title or (f"{kind_title}: {model.name}" if model.name else kind_title)
    if model.kind == "process_tree":
        return _tree(model, title)
    if model.kind == "bpmn":
        return _bpmn(model, title)
    return _petri(model, title)


def _tree(model, title: str) -> Diagram:
    tree = model.to_pm4py()
    b = DotBuilder("process_tree", graph={**st.GRAPH, "rankdir": "TB"}, node=st.NODE, edge=st.EDGE_DEFAULTS)
    nodes, edges, used = [], [], set()
    stack = [(tree, None)]
    while stack:  # depth-first, children in their order
        node, parent = stack.pop()
        key = ("t", len(nodes))
        if node.operator is not None:
            symbol, meaning = _OPERATORS.get(node.operator.value, (str(node.operator.value), "operator"))
            used.add(node.operator.value)
            nid = b.node(key, label=HTML(f"<b>{html_text(symbol)}</b>"), shape="circle", style="filled",
                         fillcolor="#e8edf2", width=0.4, fixedsize=True, fontsize=14)
            nodes.append({"id": nid, "kind": "operator", "label": meaning.split(" (")[0]})
        elif node.label is None:
            nid = b.node(key, label="τ", shape="circle", style="filled", fillcolor="#f4f4f4", color="#b0b7bd",
                         fontcolor="#6b7780", width=0.3, fixedsize=True, fontsize=10)
            nodes.append({"id": nid, "kind": "silent", "label": None})
        else:
            nid = _task(b, key, str(node.label))
            nodes.append({"id": nid, "kind": "activity", "label": str(node.label)})
        if parent is not None:
            b.edge(parent, nid, arrowhead="none")
            edges.append({"source": parent, "target": nid})
        stack.extend((child, nid) for child in reversed(node.children))
    lines = _said(model) + [f"{_OPERATORS[o][0]} {_OPERATORS[o][1]}" for o in _OPERATORS if o in used]
    if any(n["kind"] == "silent" for n in nodes):
        lines.append("τ silent step (nothing happens)")
    b.graph_attrs["label"] = _legend(title, lines)
    return Diagram(b.source(), nodes=pd.DataFrame(nodes, columns=["id", "kind", "label"]),
                   edges=pd.DataFrame(edges, columns=["source", "target"]), title="process tree",
                   info={"caption": model.source})


def _petri(model, title: str) -> Diagram:
    net, im, fm = model.petri_net()
    b = DotBuilder("petri_net", graph={**st.GRAPH, "rankdir": "LR", "nodesep": 0.25}, node=st.NODE,
                   edge=st.EDGE_DEFAULTS)
    nodes, edges = [], []
    ids = {}
    places = sorted(net.places, key=lambda p: (p not in im, p in fm, str(p.name)))
    for k, p in enumerate(places):
        tokens = im[p] if p in im else 0
        label = "●" if tokens == 1 else (str(tokens) if tokens else "")
        ids[p] = b.node(("p", k), label=label, shape="doublecircle" if p in fm else "circle", style="filled",
                        fillcolor=_PLACE, width=0.3, fixedsize=True, fontsize=10)
        nodes.append({"id": ids[p], "kind": "place", "label": None})
    transitions = sorted(net.transitions, key=lambda t: (t.label is None, str(t.label), str(t.name)))
    for k, t in enumerate(transitions):
        if t.label is None:
            ids[t] = b.node(("t", k), label="", shape="box", style="filled", fillcolor=_SILENT, color=_SILENT,
                            width=0.12, height=0.35, fixedsize=True)
            nodes.append({"id": ids[t], "kind": "silent", "label": None})
        else:
            ids[t] = _task(b, ("t", k), str(t.label))
            nodes.append({"id": ids[t], "kind": "transition", "label": str(t.label)})
    for arc in sorted(net.arcs, key=lambda a: (ids[a.source], ids[a.target])):
        weight = getattr(arc, "weight", 1)
        b.edge(ids[arc.source], ids[arc.target], label=f" {weight} " if weight != 1 else None)
        edges.append({"source": ids[arc.source], "target": ids[arc.target]})
    lines = _said(model) + ["○ place (● start), ◎ end place; boxes: steps; black bars: silent steps"]
    b.graph_attrs["label"] = _legend(title, lines)
    return Diagram(b.source(), nodes=pd.DataFrame(nodes, columns=["id", "kind", "label"]),
                   edges=pd.DataFrame(edges, columns=["source", "target"]), title="Petri net",
                   info={"caption": model.source})


def _bpmn(model, title: str) -> Diagram:
    bpmn = model.to_pm4py()
    b = DotBuilder("bpmn", graph={**st.GRAPH, "rankdir": "LR"}, node=st.NODE, edge=st.EDGE_DEFAULTS)
    nodes, edges, ids = [], [], {}
    gateway_symbols = {"ExclusiveGateway": "×", "ParallelGateway": "+", "InclusiveGateway": "○",
                       "EventBasedGateway": "◇"}
    for k, n in enumerate(sorted(bpmn.get_nodes(), key=lambda n: (type(n).__name__, str(n.get_name()),
                                                                   str(n.get_id())))):
        cls = type(n).__name__
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
            ids[n] = b.node(("n", k), label=gateway_symbols.get(cls, "◇"), shape="diamond", style="filled",
                            fillcolor="#fff7db", color="#c9a227", width=0.45, height=0.45, fixedsize=True,
                            fontsize=14)
            kind = cls.replace("Gateway", "").lower() + "_gateway"
        else:
            ids[n] = _task(b, ("n", k), name)
            kind = "task"
        nodes.append({"id": ids[n], "kind": kind, "label": name or None})
    for f in sorted(bpmn.get_flows(), key=lambda f: (ids.get(f.get_source(), ""), ids.get(f.get_target(), ""))):
        s, t = f.get_source(), f.get_target()
        if s in ids and t in ids:
            b.edge(ids[s], ids[t])
            edges.append({"source": ids[s], "target": ids[t]})
    lines = _said(model) + ["× one branch, + all branches; green: start, ring: end"]
    b.graph_attrs["label"] = _legend(title, lines)
    return Diagram(b.source(), nodes=pd.DataFrame(nodes, columns=["id", "kind", "label"]),
                   edges=pd.DataFrame(edges, columns=["source", "target"]), title="BPMN",
                   info={"caption": model.source})


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
