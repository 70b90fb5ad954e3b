"""The Diagram object every drawing function returns: DOT text, tables of what is drawn, pictures."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from ..files import check_output, write_atomically
from ..errors import OptionError
from ..layout import HINT, TIMEOUT_SECONDS, RenderError, find_engine

_SUFFIXES = ("svg", "png", "pdf", "dot")

#: Longest side of a PNG in pixels (what a document or a slide can hold): a larger drawing is drawn at a
#: lower dpi, and the Diagram says so (``info["png_note"]``, shown in its repr).
MAX_PNG_PIXELS = 4000


def png_size(data: bytes) -> tuple[int, int]:
    """``(width, height)`` in pixels of PNG bytes (read from the IHDR header)."""
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


class Diagram:
    """A diagram: its DOT source and the tables of what it shows; pictures come from a layout engine.

    Parameters
    ----------
    dot : str
        The DOT source (Graphviz language).
    nodes, edges : pandas.DataFrame, optional
        One row per node and per edge drawn (empty tables when not given).
    title : str, default "diagram"
        A short name used in the text repr.
    info : dict, optional
        What was left out and why (e.g. ``n_nodes_total``, ``share_shown``); shown in the repr.
    layout : str, default "dot"
        The Graphviz layout: ``"dot"`` (ranked) or ``"neato"`` with positions given in the source
        (``layout_args=("-n2",)``), as the timelines use.

    Notes
    -----
    ``repr(d)`` and ``d._repr_mimebundle_()`` never raise: without a layout engine
    they show the DOT text and one line saying how to get pictures. ``svg()``,
    ``png()`` and ``save()`` raise :class:`~pathways.layout.RenderError`
    instead.

    Examples
    --------
    >>> d = Diagram('digraph { a -> b }', title="tiny")
    >>> d.dot.startswith("digraph")
    True
    >>> repr(d)
    'Diagram: tiny, 0 nodes, 0 edges'
    """

    def __init__(self, dot: str, *, nodes: pd.DataFrame | None = None, edges: pd.DataFrame | None = None,
                 title: str = "diagram", info: dict | None = None, layout: str = "dot",
                 layout_args: tuple[str, ...] = ()):
        self.dot = dot
        self.nodes = nodes if nodes is not None else pd.DataFrame()
        self.edges = edges if edges is not None else pd.DataFrame()
        self.title = title
        self.info = dict(info or {})
        self.layout = layout
        self.layout_args = tuple(layout_args)
        self._cache: dict = {}

    # --- pictures --------------------------------------------------------------
    def _render(self, fmt: str, *, engine: str | None = None, dpi: float | None = None,
                timeout: float | None = None) -> bytes:
        e = find_engine(engine)  # checks the name first: the cache key below must be hashable
        for name, value in (("dpi", dpi), ("timeout", timeout)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0):
                raise OptionError(f"{name}={value!r} is not allowed; give a positive number of "
                                  f"{'dots per inch, such as 150' if name == 'dpi' else 'seconds, such as 120'}.")
        key = (fmt, engine, dpi)
        if key in self._cache:
            return self._cache[key]
        if e is None:
            raise RenderError(HINT if engine is None else f"the layout engine {engine!r} is not installed. {HINT}")
        args = self.layout_args + ((f"-Gdpi={dpi:g}",) if dpi is not None else ())
        if fmt == "png":  # Graphviz scales a larger drawing down to this size (inches), never up
            inches = MAX_PNG_PIXELS / (96 if dpi is None else dpi)
            args += (f"-Gsize={inches:.4f},{inches:.4f}",)
        out = e.run(self.dot, fmt, layout=self.layout, args=args,
                    timeout=TIMEOUT_SECONDS if timeout is None else timeout)
        if fmt == "png" and max(png_size(out)) >= MAX_PNG_PIXELS - 1:
            self._note_png_scaled(dpi or 96, engine, timeout)
        self._cache[key] = out
        return out

    def _note_png_scaled(self, dpi: float, engine: str | None, timeout: float | None) -> None:
        """Record the dpi a PNG capped at MAX_PNG_PIXELS was drawn at (from the drawing's size in points)."""
        head = self.svg(engine=engine, timeout=timeout)[:2000]
        found = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', head)
        if not found:
            return
        longest_inches = max(float(found.group(1)), float(found.group(2))) / 72
        if longest_inches * dpi <= MAX_PNG_PIXELS:
            return  # the drawing fits as it is
        used = MAX_PNG_PIXELS / longest_inches
        self.info["png_dpi"] = used
        self.info["png_note"] = (f"PNG drawn at {used:.0f} dpi instead of {dpi:g} to stay within "
                                 f"{MAX_PNG_PIXELS:,} px on its long side; save as .svg for full detail")

    def svg(self, *, engine: str | None = None, timeout: float | None = None) -> str:
        """The picture as SVG text (UTF-8).

        ``engine`` picks ``"dot"`` or ``"graphviz-pure"``; by default the system
        ``dot`` when it is on PATH, otherwise ``graphviz-pure``. A layout running
        longer than ``timeout`` seconds (default 120) is stopped with a
        :class:`~pathways.layout.RenderError`.
        """
        return self._render("svg", engine=engine, timeout=timeout).decode("utf-8")

    def png(self, *, dpi: float = 150, engine: str | None = None, timeout: float | None = None) -> bytes:
        """The picture as PNG bytes at ``dpi`` dots per inch (150 is sharp on screen and in print)."""
        return self._render("png", engine=engine, dpi=dpi, timeout=timeout)

    def save(self, path, *, dpi: float = 150, engine: str | None = None, timeout: float | None = None,
             make_dirs: bool = False) -> Path:
        """Write the diagram to ``path``; the suffix picks the format: .svg, .png, .pdf or .dot.

        A PDF comes from the layout engine when it writes PDF (the system Graphviz);
        otherwise (graphviz-pure) the SVG is turned into a vector PDF in Python
        (:func:`~pathways.render.pdf.svg_to_pdf`: one page the size of the drawing,
        text in the standard PDF fonts). The folder must exist unless ``make_dirs``
        is true; the picture is drawn first, then written to a temporary file and
        renamed into place, so a failure leaves an existing file as it was. Returns
        the path.
        """
        path = check_output(path, make_dirs=make_dirs)
        suffix = path.suffix.lower().lstrip(".")
        if suffix not in _SUFFIXES:
            raise OptionError(f"cannot save {str(path)!r}: the suffix must be one of "
                              f"{', '.join('.' + s for s in _SUFFIXES)} (found {path.suffix or 'none'!r}).")
        if suffix == "dot":
            data = self.dot.encode("utf-8")
        elif suffix == "svg":
            data = self.svg(engine=engine, timeout=timeout).encode("utf-8")
        elif suffix == "png":
            data = self.png(dpi=dpi, engine=engine, timeout=timeout)
        elif "pdf" in getattr(find_engine(engine), "formats", ()):
            data = self._render("pdf", engine=engine, timeout=timeout)
        else:  # an engine without PDF (graphviz-pure), or none: svg() then says how to get one
            from .pdf import svg_to_pdf

            data = svg_to_pdf(self.svg(engine=engine, timeout=timeout))
        return write_atomically(path, data, make_dirs=make_dirs)

    # --- display ---------------------------------------------------------------
    def _summary(self) -> str:
        text = f"Diagram: {self.title}, {len(self.nodes)} nodes, {len(self.edges)} edges"
        if self.info.get("caption"):
            text += f" ({self.info['caption']})"
        if self.info.get("png_note"):
            text += f"; {self.info['png_note']}"
        return text

    def __repr__(self) -> str:
        try:
            return self._summary()
        except Exception:  # noqa: BLE001 - a repr must never raise
            return "Diagram"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """SVG for Jupyter; without a layout engine the DOT text and a one-line hint."""
        try:
            summary = self._summary()
        except Exception:  # noqa: BLE001
            summary = "Diagram"
        try:
            svg = self.svg()
        except Exception as err:  # noqa: BLE001 - never raise from a repr
            hint = HINT if isinstance(err, RenderError) and str(err) == HINT else f"No picture: {err}"
            text = f"{summary}\n{hint}\n\n{self.dot}"
            return {"text/plain": text,
                    "text/html": f"<p>{html.escape(hint)}</p><pre>{html.escape(self.dot)}</pre>"}
        return {"image/svg+xml": svg, "text/plain": summary}


__all__ = ["Diagram", "MAX_PNG_PIXELS"]
