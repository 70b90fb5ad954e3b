"""Tables as they may be published: the one place a table's small cells are suppressed, and CSV for Excel.

Every number a table shows or exports goes through :meth:`Table.display` or
:meth:`Table.export`, which write counts from 1 to ``min_count - 1`` as
``"<5"`` and shares built on such counts as an upper bound or ``"–"``
(:class:`~pathways.publish.numbers.Formatter`). A table refuses a ``case_id``
column, so no case id can reach a page or a CSV file through a table. Rows
describing fewer than ``min_count`` patients (a ring, a unit, a pathway) can be
merged into one "Other" row by :func:`merge_small` before they are shown.
:func:`publishable` and :func:`save_table` are the same rules for a table of
one's own (a notebook's, a script's).

CSV files are written for the spreadsheet of the language: Danish uses ``;``
between cells and a decimal comma (what Danish Excel expects), English ``,`` and
a decimal point; both UTF-8 with a byte-order mark so that Excel reads æ, ø and
å. Every text cell is one line without control characters, and formula-like
text cells start with an apostrophe (:func:`safe_cell`).
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from ..files import write_atomically
from ..render.dot import UNSAFE
from .numbers import Formatter

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

    def _cell(self, col: Col, row, fmt: Formatter) -> str:
        if col.base and fmt.is_small(row[col.base]):
            return "–"
        v = row[col.key] if col.kind != "share" else None
        if col.kind == "text":
            return "" if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else str(v)
        if col.kind == "count":
            return v if isinstance(v, str) else fmt.count(v)  # "<5" or "–" of a table already suppressed
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

    def display(self, fmt: Formatter) -> list[list[str]]:
        """The cells as text in ``fmt``'s language, small counts suppressed."""
        return [[self._cell(c, row, fmt) for c in self.cols] for _, row in self.df.iterrows()]

    def export(self, fmt: Formatter) -> pd.DataFrame:
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
                    values.append(None if _missing(v) else v if isinstance(v, str) else
                                  f"<{fmt.min_count}" if fmt.is_small(v) else int(v))
                elif c.kind == "int":
                    values.append(None if _missing(v) else int(v))
                else:
                    values.append(None if _missing(v) else (round(float(v), 4) if math.isfinite(float(v))
                                                            else str(float(v))))
            out[c.label] = pd.Series(values, dtype="object")
        return pd.DataFrame(out, columns=[c.label for c in self.cols])


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


def write_table(table, path: Path, fmt: Formatter, *, inputs=(), make_dirs: bool = False) -> Path:
    """Write one table as CSV (see the module notes)."""
    df = table.export(fmt)
    out = pd.DataFrame({c: [csv_cell(v, fmt.language) for v in df[c]] for c in df.columns}, columns=df.columns)
    out.columns = [safe_cell(str(c)) for c in out.columns]
    buf = io.StringIO()
    out.to_csv(buf, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n", sep=csv_options(fmt.language)["sep"])
    return write_atomically(path, "\ufeff" + buf.getvalue(), inputs=inputs, make_dirs=make_dirs)




#: The count a table's other numbers describe, when ``base=`` is not given: the first of these it has.
BASES = ("n_patients", "n_cases", "n", "denominator", "n_episodes", "n_events")


def own_table(df: pd.DataFrame, *, counts=None, shares=None, base=None, decimals: int = 1,
              name: str = "table") -> Table:
    """A :class:`Table` of ``df``'s columns, each shown by the kind its name says (see :func:`publishable`)."""
    from ..errors import OptionError, closest

    if not isinstance(df, pd.DataFrame):
        raise OptionError(f"publishable takes a pandas DataFrame, not {type(df).__name__}.")
    # an index of labels (group keys, pw.suppress's rows) is a column of the table; an unnamed one of positions
    # (0, 1, 2, ... after a sort) is not
    positions = df.index.names == [None] and pd.api.types.is_integer_dtype(df.index)
    df = df.reset_index(drop=positions)
    columns = [str(c) for c in df.columns]
    df = df.set_axis(columns, axis=1)
    shares = dict(shares or {})
    counts = [c for c in columns if c.startswith("n_") or c in ("n", "numerator", "denominator")] \
        if counts is None else list(counts)
    given = [*counts, *(k for pair in shares.values() for k in pair), *([base] if base else [])]
    for c in given:
        if c not in columns:
            raise OptionError(f"publishable: the table has no column {c!r}{closest(c, columns)}; its columns: "
                              f"{', '.join(columns)}.")
    base = base if base is not None else next((c for c in BASES if c in counts), None)
    cols = []
    for c in [*columns, *(s for s in shares if s not in columns)]:
        if c in shares:
            cols.append(Col(c, c, "share", of=tuple(shares[c]), decimals=decimals - 1 if decimals > 0 else 0))
        elif c in counts:
            cols.append(Col(c, c, "count"))
        elif pd.api.types.is_bool_dtype(df[c]) or not pd.api.types.is_numeric_dtype(df[c]):
            cols.append(Col(c, c, "text"))
        elif c.endswith("_days"):
            cols.append(Col(c, c, "days", base=base))
        elif c.endswith("_hours"):
            cols.append(Col(c, c, "hours", base=base))
        elif c.startswith(("share", "rate", "pct")) or c.endswith(("_share", "_rate")):
            cols.append(Col(c, c, "pct", decimals=max(decimals - 1, 0), base=base))
        elif pd.api.types.is_integer_dtype(df[c]):  # a whole number that counts no one (a length, a rank)
            cols.append(Col(c, c, "int", base=base))
        else:
            cols.append(Col(c, c, "num", decimals=decimals, base=base))
    return Table(name, name, df, cols)


def publishable(table: pd.DataFrame, *, language: str = "da", min_count: int = 5, counts=None, shares=None,
                base: str | None = None, decimals: int = 1) -> pd.DataFrame:
    """A table of your own as the report would print it: small counts ``"<5"``, numbers in the language's marks.

    The report's rules for its tables, for a table a notebook or a script made:

    - **counts** (``counts=``; by default every column named ``n_*``, ``n``,
      ``numerator`` or ``denominator``): from 1 to ``min_count - 1`` they show
      as ``"<5"``; a zero is shown;
    - **shares** (``shares={"share_gave_up": ("n_gave_up", "n_episodes")}``):
      computed from their two counts and suppressed with them (``"<1 %"`` when
      the numerator is small, ``"–"`` when the denominator is);
    - **the other numbers** of a row (a median, a rate, a duration) describe the
      row's ``base`` count (by default the first of ``n_patients``, ``n_cases``,
      ``n``, ``denominator``, ``n_episodes``, ``n_events`` among the counts):
      when that count is small they show as ``"–"``, since a median of three
      waits is nearly one person's wait. Columns ending ``_days`` or ``_hours``
      are durations (``"27 dage"``, ``"0,3 timer"``), columns named
      ``share*``/``rate*`` or ending ``_share``/``_rate`` are shares of 1 shown in
      per cent, whole-number columns are shown without decimals;
    - cells that already read ``"<5"`` or ``"–"`` (a :func:`pathways.suppress`
      result) are kept as they are;
    - a ``case_id`` column is refused.

    This is the rule for a list of rows. A cross table published with its row or
    column totals also needs its complements hidden: use :func:`pathways.suppress`.

    Parameters
    ----------
    table : pandas.DataFrame
        The table to publish (an analysis' result, or one you built).
    language : {"da", "en"}, default "da"
        Danish writes ``1.234`` and ``12,5 %``; English ``1,234`` and ``12.5%``.
    min_count : int, default 5
        Counts from 1 to ``min_count - 1`` are hidden.
    counts, shares, base, decimals
        As above; ``decimals`` for plain numbers (shares get one fewer).

    Returns
    -------
    pandas.DataFrame
        Text cells, as printed; the same columns.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> t = pd.DataFrame({"ring": ["A → B → A", "A → C → A"], "n_patients": [40, 3], "n_gave_up": [12, 2],
    ...                   "median_duration_days": [27.25, 12.0]})
    >>> pw.publishable(t)
            ring n_patients n_gave_up median_duration_days
    0  A → B → A         40        12              27 dage
    1  A → C → A         <5        <5                    –

    A share is computed from its counts (a column of that name, if the table has
    one, is replaced) and placed where the table has it, else at the end:

    >>> pw.publishable(t, language="en", shares={"share_gave_up": ("n_gave_up", "n_patients")})
            ring n_patients n_gave_up median_duration_days share_gave_up
    0  A → B → A         40        12              27 days           30%
    1  A → C → A         <5        <5                    –             –
    """
    tb = own_table(table, counts=counts, shares=shares, base=base, decimals=decimals, name="publishable")
    fmt = Formatter(language, min_count)
    return pd.DataFrame(tb.display(fmt), columns=[c.key for c in tb.cols])


def save_table(table: pd.DataFrame, path, *, language: str = "da", min_count: int = 5, counts=None, shares=None,
               base: str | None = None, make_dirs: bool = False) -> Path:
    """Write a table of your own as CSV for the spreadsheet of ``language``, with the rules of :func:`publishable`.

    Danish: ``;`` between cells and a decimal comma (what Danish Excel opens);
    English: ``,`` and a decimal point; UTF-8 with a byte-order mark. Numbers
    stay numbers (rounded to 4 decimals), counts under ``min_count`` are the
    text ``"<5"`` and what describes them is left empty; a text cell that a
    spreadsheet would run as a formula starts with an apostrophe. The file is
    written whole or not at all; its folder must exist unless ``make_dirs``.

    Examples
    --------
    >>> import os, tempfile, pandas as pd, pathways as pw
    >>> t = pd.DataFrame({"unit": ["A", "B"], "n_patients": [40, 3], "median_days": [2.5, 7.0]})
    >>> path = pw.save_table(t, os.path.join(tempfile.mkdtemp(), "units.csv"))
    >>> print(open(path, encoding="utf-8-sig").read())
    unit;n_patients;median_days
    A;40;2,5
    B;<5;
    <BLANKLINE>
    """
    from ..files import check_output

    tb = own_table(table, counts=counts, shares=shares, base=base, name="save_table")
    path = check_output(path, make_dirs=make_dirs)
    return write_table(tb, path, Formatter(language, min_count), make_dirs=make_dirs)
