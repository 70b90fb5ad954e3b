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

import csv
import io
import math
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from ..files import output_folder, write_atomically
from .blocks import Section, safe_cell
from .texts import Fmt


def csv_options(language: str) -> dict:
    """``sep`` and ``decimal`` for pandas ``to_csv`` in ``language``."""
    return {"sep": ";", "decimal": ","} if language == "da" else {"sep": ",", "decimal": "."}


def csv_cell(value, language: str):
    """A cell as CSV text: whole numbers plain, other numbers with the language's decimal mark, no thousands mark.

    Examples
    --------
    >>> csv_cell(46, "da"), csv_cell(0.6445, "da"), csv_cell(0.5, "en"), csv_cell(None, "da"), csv_cell("<5", "da")
    ('46', '0,6445', '0.5', '', '<5')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        text = f"{float(value):.4f}".rstrip("0").rstrip(".")
        return text.replace(".", csv_options(language)["decimal"])
    return str(value)


def write_table(table, path: Path, fmt: Fmt, *, inputs=(), make_dirs: bool = False) -> Path:
    """Write one table as CSV (see the module notes)."""
    df = table.export(fmt)
    out = pd.DataFrame({c: [csv_cell(v, fmt.language) for v in df[c]] for c in df.columns}, columns=df.columns)
    out.columns = [safe_cell(str(c)) for c in out.columns]
    buf = io.StringIO()
    out.to_csv(buf, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n", sep=csv_options(fmt.language)["sep"])
    return write_atomically(path, "\ufeff" + buf.getvalue(), inputs=inputs, make_dirs=make_dirs)


def write_figures(sections: list[Section], folder, fmt: Fmt, *, inputs=(), make_dirs: bool = False,
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


__all__ = ["write_figures", "write_table", "csv_options"]
