"""The figures folder: every diagram as SVG and PNG, every table as CSV, ready to embed in other documents.

Files are named ``<section number>_<section>_<name>.<suffix>`` (``04_loops_rings.png``)
so they sort in the order of the report. CSV files are written for the
spreadsheet of the report's language: Danish uses ``;`` between cells and a
decimal comma (what Danish Excel expects), English ``,`` and a decimal point;
both are UTF-8 with a byte-order mark so that Excel reads æ, ø and å. Small
counts are ``"<5"`` and formula-like text cells start with an apostrophe
(:meth:`pathways.report.blocks.Table.export`).
"""

from __future__ import annotations

import csv
import math
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from .blocks import Section
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


def write_table(table, path: Path, fmt: Fmt) -> Path:
    """Write one table as CSV (see the module notes)."""
    df = table.export(fmt)
    out = pd.DataFrame({c: [csv_cell(v, fmt.language) for v in df[c]] for c in df.columns}, columns=df.columns)
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False, encoding="utf-8-sig", quoting=csv.QUOTE_MINIMAL, lineterminator="\n",
               sep=csv_options(fmt.language)["sep"])
    return path


def write_figures(sections: list[Section], folder, fmt: Fmt, *, progress=None) -> list[Path]:
    """Write every figure (SVG and PNG) and every table (CSV) of ``sections`` into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    jobs = []
    for i, s in enumerate(sections, start=1):
        for fig in s.figures():
            jobs.append(("figure", f"{i:02d}_{s.key}_{fig.name}", fig))
        for tb in s.tables():
            jobs.append(("table", f"{i:02d}_{s.key}_{tb.name}", tb))
    def run(job) -> list[Path]:
        kind, stem, item = job
        if kind == "figure":
            return [item.picture.save(folder / f"{stem}.{suffix}") for suffix in ("svg", "png")]
        return [write_table(item, folder / f"{stem}.csv", fmt)]

    # Graphviz runs as a subprocess: a few threads keep it and the PNG drawing busy side by side
    written: list[Path] = []
    with ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 1))) as pool:
        for k, paths in enumerate(pool.map(run, jobs), start=1):
            written.extend(paths)
            if progress is not None:
                progress(k, len(jobs))
    return written


__all__ = ["write_figures", "write_table", "csv_options"]
