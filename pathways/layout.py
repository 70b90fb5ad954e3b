"""Layout engines: the system Graphviz ``dot`` when it is on PATH, else the pip-installed ``graphviz-pure``.

Both are called as a subprocess with the DOT text on stdin and the picture on
stdout, with a timeout; nothing goes over the network. :func:`find_engine`
returns None when neither is present, and a :class:`~pathways.render.diagram.Diagram`
then shows its DOT text with a hint instead of a picture.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import OptionError, PathwaysError

#: One line telling a user how to get pictures when no engine is found.
HINT = ("No layout engine found: install pathways' dependencies (pip install graphviz-pure) "
        "or Graphviz (https://graphviz.org/download/) to get pictures.")

#: Longest a layout may run before it is stopped with a RenderError (seconds).
TIMEOUT_SECONDS = 120


class RenderError(PathwaysError, RuntimeError):
    """The layout engine failed, or is missing, or cannot write the requested format."""


@dataclass(frozen=True)
class Engine:
    """A Graphviz-compatible command line: ``name`` ("dot" or "graphviz-pure") and ``path``."""

    name: str
    path: str

    @property
    def formats(self) -> frozenset[str]:
        """The output formats this binary writes (asked once, from its own error message)."""
        return _formats(self.path)

    def run(self, source: str, fmt: str, *, layout: str = "dot", args: tuple[str, ...] = (),
            timeout: float = TIMEOUT_SECONDS) -> bytes:
        """Lay out ``source`` and return the picture in format ``fmt`` (svg, png, pdf, ...)."""
        if fmt not in self.formats:
            raise RenderError(f"the layout engine {self.name} ({self.path}) cannot write {fmt!r}; it writes "
                              f"{', '.join(sorted(self.formats))}. Save as .svg or .png, or install Graphviz "
                              "(which writes pdf) and put `dot` on PATH.")
        cmd = [self.path, f"-K{layout}", f"-T{fmt}", *args]
        try:
            done = subprocess.run(cmd, input=source.encode("utf-8"), capture_output=True, timeout=timeout,
                                  check=False)
        except subprocess.TimeoutExpired:
            # subprocess.run has killed the engine: nothing keeps running after this message
            raise RenderError(f"the layout engine {self.name} took longer than {timeout:g} s and was stopped; make "
                              "the diagram smaller (max_nodes=..., min_share=...) or allow more time "
                              "(timeout=... seconds).") from None
        if done.returncode != 0 or not done.stdout:
            msg = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise RenderError(f"the layout engine {self.name} failed (exit {done.returncode}): "
                              f"{' / '.join(msg[-3:]) or 'no message'}")
        return done.stdout


@functools.lru_cache(maxsize=None)
def _formats(path: str) -> frozenset[str]:
    try:
        done = subprocess.run([path, "-T?"], capture_output=True, timeout=30, check=False, input=b"")
    except (OSError, subprocess.TimeoutExpired):
        return frozenset({"svg", "png", "dot"})
    text = (done.stderr + done.stdout).decode("utf-8", "replace")
    if "Use one of:" not in text:
        return frozenset({"svg", "png", "dot"})
    return frozenset(text.split("Use one of:", 1)[1].split())


def candidates() -> list[Engine]:
    """Every engine present on this machine, preferred first: system ``dot``, then ``graphviz-pure``."""
    found = []
    dot = shutil.which("dot")
    if dot:
        found.append(Engine("dot", dot))
    pure = shutil.which("graphviz-pure")
    if not pure:
        for name in ("graphviz-pure", "graphviz-pure.exe"):
            p = Path(sys.executable).parent / name
            if p.is_file() and os.access(p, os.X_OK):
                pure = str(p)
                break
    if pure:
        found.append(Engine("graphviz-pure", pure))
    return found


def find_engine(name: str | None = None) -> Engine | None:
    """The engine to use: ``name`` ("dot" or "graphviz-pure") if given, else the first present; None if none.

    Examples
    --------
    >>> e = find_engine()
    >>> e is None or e.name in ("dot", "graphviz-pure")
    True
    """
    if name is not None and name not in ("dot", "graphviz-pure"):
        raise OptionError(f"engine={name!r} is not allowed; choose 'dot' or 'graphviz-pure' (or None for the "
                          "first present).")
    for e in candidates():
        if name is None or e.name == name:
            return e
    return None


__all__ = ["Engine", "RenderError", "find_engine", "candidates", "HINT"]
