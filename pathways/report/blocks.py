"""What a report section is made of (tables, figures, text) and the one place small cells are suppressed.

Every number a table shows or exports goes through :meth:`Table.display` or
:meth:`Table.export`, which write counts from 1 to ``min_count - 1`` as
``"<5"`` and shares built on such counts as an upper bound or ``"–"``
(:class:`~pathways.report.texts.Fmt`). A table refuses a ``case_id`` column, so
no case id can reach the page or a CSV file through a table. Rows describing
fewer than ``min_count`` patients (a ring, a unit, a pathway) are merged into
one "Other" row by :func:`merge_small` before they are shown.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from ..render.dot import UNSAFE
from .texts import Fmt

#: Column kinds a table knows how to show.
KINDS = ("text", "count", "int", "num", "pct", "share", "days", "hours", "time")
#: Characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Line breaks: every character a spreadsheet or ``str.splitlines`` starts a new line at (CR LF counts as one).
LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


@dataclass(frozen=True)
class Col:
    """One column of a shown table: the data column ``key``, its header and how to format it.

    ``kind="share"`` takes its value from two count columns, ``of=(numerator,
    denominator)``, so the share is suppressed together with its counts. ``base``
    names the count a statistic (a median, a duration) is computed over: when that
    count is from 1 to ``min_count - 1`` the statistic is left out too, since a
    median of three waits is nearly one person's wait.
    """

    key: str
    label: str
    kind: str = "text"
    of: tuple[str, str] | None = None
    decimals: int = 0
    base: str | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")
        if self.kind == "share" and not self.of:
            raise ValueError("a share column needs of=(numerator, denominator)")


@dataclass
class Table:
    """A table of a section: shown in the page (unless ``hidden``) and written as CSV."""

    name: str
    title: str
    df: pd.DataFrame
    cols: list[Col]
    note: str = ""
    hidden: bool = False  # export only (the data behind a figure)

    def __post_init__(self):
        used = {c.key for c in self.cols if c.kind != "share"} | {k for c in self.cols if c.of for k in c.of} \
            | {c.base for c in self.cols if c.base}
        if "case_id" in used or "case_id" in self.df.columns:
            raise ValueError(f"table {self.name!r} has a case_id column; reports never show case ids")
        missing = used - set(self.df.columns)
        if missing:
            raise ValueError(f"table {self.name!r} lacks the column(s) {sorted(missing)}")
        self.df = self.df.reset_index(drop=True)

    def _cell(self, col: Col, row, fmt: Fmt) -> str:
        if col.base and fmt.is_small(row[col.base]):
            return "–"
        v = row[col.key] if col.kind != "share" else None
        if col.kind == "text":
            return "" if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else str(v)
        if col.kind == "count":
            return fmt.count(v)
        if col.kind == "int":
            return fmt.int(v)
        if col.kind == "num":
            return fmt.num(v, col.decimals)
        if col.kind == "pct":
            return fmt.pct(v, col.decimals)
        if col.kind == "share":
            return fmt.share(row[col.of[0]], row[col.of[1]], col.decimals)
        if col.kind == "days":
            return fmt.days(v)
        if col.kind == "time":  # a duration in the unit its header states
            return fmt.time_num(v)
        return fmt.hours(v)

    def display(self, fmt: Fmt) -> list[list[str]]:
        """The cells as text in ``fmt``'s language, small counts suppressed."""
        return [[self._cell(c, row, fmt) for c in self.cols] for _, row in self.df.iterrows()]

    def export(self, fmt: Fmt) -> pd.DataFrame:
        """The table for a CSV file: numbers stay numbers, small counts become ``"<5"``, text is made safe.

        Counts from 1 to ``min_count - 1`` are the text ``"<5"``; a share built on
        them is the same text as in the page (``"<1 %"`` or ``"–"``); other shares
        and numbers are numbers (rounded to 4 decimals). Text cells a spreadsheet
        would run as a formula get a leading apostrophe (:func:`safe_cell`).
        """
        out = {}
        for c in self.cols:
            values = []
            for _, row in self.df.iterrows():
                if c.kind == "share":
                    num, den = row[c.of[0]], row[c.of[1]]
                    if _missing(num) or _missing(den) or float(den) <= 0:
                        values.append(None)
                    elif fmt.is_small(num) or fmt.is_small(den):
                        values.append(safe_cell(fmt.share(num, den, c.decimals)))
                    else:
                        values.append(round(float(num) / float(den), 4))
                    continue
                v = row[c.key]
                if c.base and fmt.is_small(row[c.base]):
                    values.append(None)
                    continue
                if c.kind == "text":
                    values.append(None if _missing(v) else safe_cell(str(v)))
                elif c.kind == "count":
                    values.append(None if _missing(v) else (f"<{fmt.min_count}" if fmt.is_small(v) else int(v)))
                elif c.kind == "int":
                    values.append(None if _missing(v) else int(v))
                else:
                    values.append(None if _missing(v) else (round(float(v), 4) if math.isfinite(float(v))
                                                            else str(float(v))))
            out[c.label] = pd.Series(values, dtype="object")
        return pd.DataFrame(out, columns=[c.label for c in self.cols])


@dataclass
class Figure:
    """A picture of a section: a :class:`pathways.Diagram` or a :class:`~pathways.report.figures.Chart`.

    ``media``: shown on screen and printed (``"all"``), or only on one of them (a
    wide map on screen, its parts in print); ``page``: the A4 page it prints on.
    Every figure goes to the figures folder.
    """

    name: str
    title: str
    picture: object
    caption: str = ""
    media: str = "all"
    page: str = "portrait"


@dataclass
class Live:
    """An interactive map (:func:`pathways.interactive_map`) that stands in on screen for the static figure
    ``replaces`` (the figure's name), once its script runs; the figure stays for print, export and browsers
    without scripts."""

    name: str
    picture: object
    replaces: str


@dataclass
class Row:
    """Figures shown side by side."""

    items: list


@dataclass
class Note:
    """A paragraph of plain text."""

    text: str


@dataclass
class Section:
    """One section: its heading, its finding in two or three sentences, and what it shows.

    ``highlight`` is ``(score, sentence)``: the sentence competes for the report's
    main findings, the highest scores (shares of patients or waits affected) win.
    """

    key: str
    title: str
    finding: list[str]
    blocks: list = field(default_factory=list)
    highlight: tuple[float, str] | None = None

    def figures(self) -> list[Figure]:
        return self._blocks(Figure)

    def tables(self) -> list[Table]:
        return self._blocks(Table)

    def _blocks(self, kind) -> list:
        """The blocks of ``kind``, also those inside a Row, in order."""
        items = [x for b in self.blocks for x in (b.items if isinstance(b, Row) else [b])]
        return [x for x in items if isinstance(x, kind)]


def _missing(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, (float, np.floating)) and math.isnan(v)


def safe_cell(text: str) -> str:
    """A text cell a spreadsheet shows as text, on one line: line breaks become spaces, control and
    bidi-override characters are dropped (as in pages and pictures), and a leading apostrophe is added
    when the text (after any spaces or tabs) starts like a formula.

    Examples
    --------
    >>> safe_cell("=HYPERLINK(\\"x\\")"), safe_cell("@SUM(A1)"), safe_cell("-2"), safe_cell("Egen læge")
    ('\\'=HYPERLINK("x")', "'@SUM(A1)", "'-2", 'Egen læge')
    >>> safe_cell("Afsnit\\r=cmd|' /C calc'!A0"), safe_cell("\\r\\n+1"), safe_cell("a\\x00\\x1b[2Jb")
    ("Afsnit =cmd|' /C calc'!A0", "' +1", 'a[2Jb')
    """
    text = UNSAFE.sub("", LINE_BREAK.sub(" ", str(text)))
    formula = text.startswith(FORMULA_START) or text.lstrip(" \t").startswith(FORMULA_START)
    return "'" + text if formula else text


def merge_small(df: pd.DataFrame, *, by: str, label: str, other: str, add: Sequence[str] = ()) -> pd.DataFrame:
    """Rows whose ``by`` count is from 1 to ``min_count - 1``, merged into one last row called ``other``.

    The merged row has ``other`` in column ``label``, the sums of the additive
    columns ``add`` (which may include ``by``), and nothing in the others
    (a median or a patient count cannot be added up). Rows already at or over
    ``min_count`` keep their order. ``other`` may contain ``{n}`` for the number
    of rows merged. Pass ``min_count`` through ``df.attrs["min_count"]``.

    Examples
    --------
    >>> df = pd.DataFrame({"unit": ["A", "B", "C"], "n_cases": [9, 2, 1], "n_events": [20, 3, 1]})
    >>> df.attrs["min_count"] = 5
    >>> merge_small(df, by="n_cases", label="unit", other="Other ({n})", add=["n_events"])
             unit  n_cases  n_events
    0           A      9.0        20
    1  Other (2)      NaN         4
    """
    mc = int(df.attrs.get("min_count", 5))
    small = (df[by] > 0) & (df[by] < mc)
    if not small.any():
        return df.reset_index(drop=True)
    keep = df[~small]
    merged = {c: None for c in df.columns}
    merged[label] = other.format(n=int(small.sum()))
    for c in add:
        merged[c] = df.loc[small, c].sum()
    out = pd.concat([keep, pd.DataFrame([merged])], ignore_index=True)
    for c in out.columns:
        if c in add:
            out[c] = out[c].astype("int64")
        elif c != label and pd.api.types.is_numeric_dtype(df[c]):
            out[c] = pd.to_numeric(out[c], errors="coerce")
    return out


__all__ = ["Col", "Table", "Figure", "Live", "Row", "Note", "Section", "safe_cell", "merge_small", "FORMULA_START",
           "LINE_BREAK"]
