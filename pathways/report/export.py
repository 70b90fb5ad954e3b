"""The figures folder: every diagram as SVG and PNG, every table as CSV, ready to embed in other documents.

Files are named ``<section number>_<section>_<name>.<suffix>`` (``04_loops_rings.png``)
so they sort in the order of the report. CSV files are written for the
spreadsheet of the report's language: Danish uses ``;`` between cells and a
decimal comma (what Danish Excel expects), English ``,`` and a decimal point;
both are UTF-8 with a byte-order mark so that Excel reads æ, ø and å. Small
counts are ``"<5"``; every text cell is one line without control characters, and
formula-like text cells start with an apostrophe
(:meth:`pathways.report.blocks.Table.export`, :func:`~pathways.report.blocks.safe_cell`),
so that no row, as a spreadsheet splits the file, starts like a formula.

Every file is written through :func:`pathways.files.write_atomically`: never
over an input, all or nothing.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..files import output_folder, write_atomically
from ..publish.numbers import Formatter
from ..publish.tables import write_table
from .blocks import Section


def write_figures(sections: list[Section], folder, fmt: Formatter, *, inputs=(), make_dirs: bool = False,
                  progress=None) -> list[Path]:
    """Write every figure (SVG and PNG) and every table (CSV) of ``sections`` into ``folder``.

    The folder is created when its parent exists, its missing parents only with
    ``make_dirs``; no file may replace one of ``inputs``.
    """
    folder = output_folder(folder, make_dirs=make_dirs)
    jobs = []
    for i, s in enumerate(sections, start=1):
        for fig in s.figures():
            jobs.append(("figure", f"{i:02d}_{s.key}_{fig.name}", fig))
        for tb in s.tables():
            jobs.append(("table", f"{i:02d}_{s.key}_{tb.name}", tb))

    def run(job) -> list[Path]:
        kind, stem, item = job
        if kind == "figure":  # a Diagram or a Chart: both draw SVG text and PNG bytes
            return [write_atomically(folder / f"{stem}.svg", item.picture.svg(), inputs=inputs),
                    write_atomically(folder / f"{stem}.png", item.picture.png(), inputs=inputs)]
        return [write_table(item, folder / f"{stem}.csv", fmt, inputs=inputs)]

    # Graphviz runs as a subprocess: a few threads keep it and the PNG drawing busy side by side
    written: list[Path] = []
    with ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 1))) as pool:
        for k, paths in enumerate(pool.map(run, jobs), start=1):
            written.extend(paths)
            if progress is not None:
                progress(k, len(jobs))
    return written


__all__ = ["write_figures"]
