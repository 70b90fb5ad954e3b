"""Building DOT text safely: escaping of labels, node ids, attributes, clusters.

Nothing a user's data contains can change the graph: node ids are generated
(``n0``, ``n1``, ...), never taken from the data; every label is an HTML-like
label whose text goes through :func:`html_text` (``<``, ``>``, ``&``, quotes
escaped, newlines turned into line breaks, control characters removed); and any
plain attribute value goes through :func:`quote`.
"""

from __future__ import annotations

import html
import re

#: Characters never drawn: C0 and C1 control characters (NUL, terminal escapes) and the
#: bidirectional controls that reorder the text after them (U+202A-U+202E, U+2066-U+2069), so that
#: a unit name cannot turn the count beside it around. Shared by the report and the command line.
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL = UNSAFE
_NEWLINE = re.compile(r"\r\n|\r|\n")


#: Longest text drawn as one label (characters); longer names end in "…". Graphviz refuses an HTML
#: label over 16,384 characters, and no reader needs a 100,000-character unit name drawn in full.
MAX_LABEL_CHARS = 200


def html_text(value) -> str:
    """Text for an HTML-like label: escaped, newlines as ``<br/>``, control and bidi-override characters dropped.

    Examples
    --------
    >>> html_text('Afd. "B" <akut> {1}')
    'Afd. &quot;B&quot; &lt;akut&gt; {1}'
    >>> html_text("linje 1\\nlinje 2")
    'linje 1<br/>linje 2'
    """
    text = _CONTROL.sub("", str(value)).replace("\t", " ")
    if len(text) > MAX_LABEL_CHARS:
        text = text[:MAX_LABEL_CHARS - 1] + "…"
    return "<br/>".join(html.escape(part, quote=True) for part in _NEWLINE.split(text))


def quote(value) -> str:
    """A DOT double-quoted string: backslash, quote and newlines escaped, so the text stays one value.

    Examples
    --------
    >>> print(quote('a "b" \\\\ c'))
    "a \\"b\\" \\\\ c"
    """
    text = _CONTROL.sub("", str(value))
    if len(text) > MAX_LABEL_CHARS:
        text = text[:MAX_LABEL_CHARS - 1] + "…"
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + _NEWLINE.sub(r"\\n", text) + '"'


def html_label(inner: str) -> str:
    """Wrap already-escaped HTML-like label content: ``<...>``."""
    return f"<{inner}>"


def attrs(**values) -> str:
    """``[a="1", label=<...>]`` from keyword values; HTML labels (``<...>``) are kept as they are.

    ``None`` values are left out. Keys must be plain identifiers (they come from
    this package, never from data).
    """
    parts = []
    for key, value in values.items():
        if value is None:
            continue
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise ValueError(f"not a DOT attribute name: {key!r}")
        if isinstance(value, HTML):
            parts.append(f"{key}=<{value}>")
        elif isinstance(value, bool):
            parts.append(f"{key}={'true' if value else 'false'}")
        elif isinstance(value, (int, float)):
            parts.append(f"{key}={_number(value)}")
        else:
            parts.append(f"{key}={quote(value)}")
    return "[" + ", ".join(parts) + "]" if parts else ""


class HTML(str):
    """A string that is already HTML-like label content (escaped where it holds data)."""


def _number(value) -> str:
    if isinstance(value, int):
        return str(value)
    return f"{value:.3f}".rstrip("0").rstrip(".")


class DotBuilder:
    """Collects nodes, edges and clusters and writes DOT text with generated ids.

    Examples
    --------
    >>> b = DotBuilder("process_map", graph={"rankdir": "LR"})
    >>> a = b.node("A <1>", label=HTML(html_text("A <1>")))
    >>> c = b.node('B "2"', label=HTML(html_text('B "2"')))
    >>> b.edge(a, c, color="#444444")
    >>> print(b.source())
    digraph "process_map" {
      graph [rankdir="LR"]
      n0 [label=<A &lt;1&gt;>]
      n1 [label=<B &quot;2&quot;>]
      n0 -> n1 [color="#444444"]
    }
    """

    def __init__(self, name: str = "G", *, graph: dict | None = None, node: dict | None = None,
                 edge: dict | None = None):
        self.name = name
        self.graph_attrs = dict(graph or {})
        self.node_attrs = dict(node or {})
        self.edge_attrs = dict(edge or {})
        self.ids: dict = {}  # data key -> generated id
        self._nodes: list[tuple[str, str, object]] = []  # (id, attrs, cluster key)
        self._edges: list[str] = []
        self._clusters: dict = {}  # cluster key -> attrs
        self._extra: list[str] = []

    def cluster(self, key, **values) -> None:
        """Declare a cluster (drawn as a box around its nodes); ``key`` is data, its id is generated."""
        if key not in self._clusters:
            self._clusters[key] = values

    def node(self, key, *, cluster=None, **values) -> str:
        """Add a node for the data value ``key`` (any hashable); returns its generated id."""
        if key in self.ids:
            raise ValueError(f"node {key!r} added twice")
        node_id = f"n{len(self.ids)}"
        self.ids[key] = node_id
        self._nodes.append((node_id, attrs(**values), cluster))
        return node_id

    def edge(self, tail: str, head: str, **values) -> None:
        """Add an edge between two generated ids."""
        a = attrs(**values)
        self._edges.append(f"{tail} -> {head}" + (f" {a}" if a else ""))

    def raw(self, line: str) -> None:
        """Add a line written by this package (never with data in it unescaped)."""
        self._extra.append(line)

    def source(self) -> str:
        lines = [f"digraph {quote(self.name)} {{"]
        for kind, values in (("graph", self.graph_attrs), ("node", self.node_attrs), ("edge", self.edge_attrs)):
            if values:
                lines.append(f"  {kind} {attrs(**values)}")
        outside = [(i, a) for i, a, c in self._nodes if c is None or c not in self._clusters]
        for i, a in outside:
            lines.append(f"  {i} {a}".rstrip())
        for k, (key, values) in enumerate(self._clusters.items()):
            members = [(i, a) for i, a, c in self._nodes if c == key]
            if not members:
                continue
            lines.append(f"  subgraph cluster_{k} {{")
            a = attrs(**values)
            if a:
                lines.append(f"    graph {a}")
            for i, na in members:
                lines.append(f"    {i} {na}".rstrip())
            lines.append("  }")
        lines.extend(f"  {e}" for e in self._edges)
        lines.extend(f"  {x}" for x in self._extra)
        lines.append("}")
        return "\n".join(lines) + "\n"


__all__ = ["html_text", "quote", "html_label", "attrs", "HTML", "DotBuilder", "UNSAFE", "MAX_LABEL_CHARS"]
