"""Publishing a table of counts with its totals: which cells to hide so that no count under 5 can be worked out.

Showing a count from 1 to ``min_count - 1`` as ``"<5"`` (primary suppression)
is not enough once the table's totals are published too: a row with one
``"<5"`` and its total gives the hidden count away by subtraction, and so do
two tables of one report that share a margin (a table by unit and month, and
the table by unit: the second is the first's row totals). :func:`suppress`
hides further cells (secondary, or complementary, suppression) until no hidden
count under ``min_count`` can be recovered from what is published:

1. **primary**: every count from 1 to ``min_count - 1`` (a total too) is ``"<5"``;
2. **secondary**: every row and column of the table with its totals (the row of
   column totals and the column of row totals included) that has exactly one
   hidden cell gets a second one, the smallest count shown in that line;
   repeated until no line has exactly one;
3. **checks**: a hidden count under ``min_count`` must not follow from the
   published numbers by linear algebra (the row and column sums; with rule 2
   alone it still can, when the hidden cells form two blocks joined by one cell)
   nor by reasoning on bounds (a reader knows that ``"<5"`` is 1 to 4 and that
   a secondary cell is at least ``min_count``: a row holding ``"<5"`` and one
   hidden 5 whose hidden part sums to 6 pins the small one at 1). Each such
   count gets one more hidden neighbour, and rules 2 and 3 run again until
   neither finds anything.

Further published sums (``sums=``): a report often prints partial totals of
a table elsewhere (the discharges on Friday after 15:00, a sum of some cells of
the weekday x hour grid) or publishes one number as the total of two tables
(the overall share of readmissions, the total of the table by unit and of the
table by age). Each such sum is one more equation; it is suppressed like a
total (``"<5"`` when small, ``"–"`` as a complement) and rules 2 and 3 treat it
as one more line.

Zeros are published as ``0`` (a zero count tells nothing about a person) and so
are **never** chosen as complements: a hidden cell a reader knows to be 0 would
protect nothing, and since the rule is public a reader knows every hidden cell
is at least 1. Complements are the smallest counts shown in the line (the
least information lost), cells inside the table before row or column totals,
and those before the grand total. Secondary cells are published as ``"–"``,
never as ``"<5"`` (they are not small).

The checks are exact for the linear part (the rank of the published equations)
and a fixed point of interval reasoning line by line for the bounds; they do
not run an integer programme over all lines at once.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from ..errors import OptionError, check_choice

#: The label of the added row and column of totals.
TOTAL = "total"
#: How a cell is published: shown, primary ("<5"), secondary ("–"), or not published at all (a total not shown).
SHOWN, PRIMARY, SECONDARY, UNPUBLISHED = 0, 1, 2, 3
_NAMES = {SHOWN: "", PRIMARY: "primary", SECONDARY: "secondary", UNPUBLISHED: None}
#: The mark of a secondary cell (a primary one is "<5").
HIDDEN = "–"


def check_min_count(min_count) -> int:
    """``min_count`` if it is a whole number of 1 or more, else OptionError."""
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 1:
        raise OptionError(f"min_count={min_count!r} is not allowed; give a whole number (1 or more); 5 is Danish "
                          "small-cell practice.")
    return int(min_count)


def suppress(table: pd.DataFrame, *, min_count: int = 5,
             totals: Literal["both", "rows", "columns", "none"] = "both", sums=None) -> pd.DataFrame:
    """The table of counts as it may be published with its totals: small counts ``"<5"``, their complements ``"–"``.

    Parameters
    ----------
    table : pandas.DataFrame
        Whole counts (0 or more), rows by columns, e.g. units by month. A table
        by one thing only (counts per unit) is a table of one column.
    min_count : int, default 5
        Counts from 1 to ``min_count - 1`` are hidden (primary suppression).
    totals : {"both", "rows", "columns", "none"}, default "both"
        The totals published with it: ``"rows"`` the total of each row (a column
        ``"total"``), ``"columns"`` the total of each column (a row ``"total"``),
        ``"both"`` both, with the grand total; ``"none"`` none of them (give the
        sums that are published in ``sums``). A second table of the report that
        is one of these margins (the table by unit next to the table by unit and
        month) is protected by passing the totals it publishes and showing its
        numbers from the result's ``"total"`` column or row.
    sums : mapping, optional
        Further sums of cells that are published elsewhere: name -> the cells, a
        boolean DataFrame like ``table`` (or an array of its shape), e.g.
        ``{"friday_after_15": mask}``. A list of masks says that one published
        number is the sum of each set (the overall count that is the total of two
        tables stacked in ``table``). They are suppressed with the table.

    Returns
    -------
    pandas.DataFrame
        The table with its totals, cells as published: counts, ``"<5"``, ``"–"``
        (secondary), ``None`` for a total that is not published.
        ``.attrs["suppressed"]`` is a table of the same shape saying
        ``"primary"``, ``"secondary"`` or ``""`` per cell (``None``: not
        published); ``.attrs["min_count"]``; with ``sums``,
        ``.attrs["sums"]``: one row per sum, its ``value`` as published and
        ``suppressed``.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> t = pd.DataFrame({"jan": [3, 8], "feb": [10, 9], "mar": [12, 20]}, index=["A", "B"])
    >>> pw.suppress(t)
          jan feb mar total
    A      <5   –  12    25
    B       –   –  20    37
    total  11  19  32    62

    With the total of row A (25) published, ``"<5"`` alone would give A's January
    away (25 - 10 - 12 = 3); hiding A's and B's February and B's January leaves
    it anywhere from 1 to 4.

    A partial sum published elsewhere (A's January and B's February together, in a
    sentence) is one more equation: with it, the rectangle of January and February
    would give A's January away (3), so March is hidden too:

    >>> m = pd.DataFrame({"jan": [True, False], "feb": [False, True], "mar": [False, False]}, index=["A", "B"])
    >>> out = pw.suppress(t, sums={"A_jan_B_feb": m})
    >>> out
          jan feb mar total
    A      <5   –   –    25
    B       –   –   –    37
    total  11  19  32    62
    >>> out.attrs["sums"]
                value suppressed
    A_jan_B_feb    12
    """
    min_count = check_min_count(min_count)
    totals = check_choice("totals", totals, ("both", "rows", "columns", "none"))
    values = _counts(table)
    if TOTAL in table.index or TOTAL in table.columns:
        raise OptionError(f"suppress: the table already has a row or column called {TOTAL!r}; rename it (the totals "
                          "are added under that name).")
    names, sets = _sums(sums, table)
    state, sum_state = suppression(values, min_count=min_count, totals=totals, sums=sets)
    grid = _extended(values)
    index = [*table.index, TOTAL]
    columns = [*table.columns, TOTAL]
    out = pd.DataFrame(_shown(grid, state, min_count), index=index, columns=columns)
    marks = pd.DataFrame(np.vectorize(_NAMES.get, otypes=[object])(state), index=index, columns=columns)
    out.attrs.update(suppressed=marks, min_count=min_count)
    if names:
        sum_values = np.array([values[s[0]].sum() for s in sets], dtype=np.int64)
        out.attrs["sums"] = pd.DataFrame({"value": _shown(sum_values, sum_state, min_count),
                                          "suppressed": [_NAMES[int(k)] for k in sum_state]}, index=names)
    return out


def _shown(values: np.ndarray, state: np.ndarray, min_count: int) -> np.ndarray:
    """The cells as published: the count, ``"<5"``, ``"–"`` or ``None`` (not published)."""
    cells = np.empty(values.shape, dtype=object)
    for k, v in np.ndenumerate(values):
        s = state[k]
        cells[k] = (int(v) if s == SHOWN else f"<{min_count}" if s == PRIMARY else HIDDEN if s == SECONDARY
                    else None)
    return cells


def _sums(sums, table: pd.DataFrame) -> tuple[list[str], list[list[np.ndarray]]]:
    """The names of the further published sums and, per sum, its sets of cells (boolean arrays of the table's shape)."""
    if sums is None:
        return [], []
    if not isinstance(sums, dict):
        raise OptionError(f"suppress: sums must be a mapping of name -> cells (a boolean DataFrame like the table), "
                          f"found {type(sums).__name__}.")
    names, sets = [], []
    for name, masks in sums.items():
        masks = list(masks) if isinstance(masks, (list, tuple)) else [masks]
        arrays = []
        for m in masks:
            if isinstance(m, pd.DataFrame):
                if not (m.index.equals(table.index) and m.columns.equals(table.columns)):
                    raise OptionError(f"suppress: sums[{name!r}] must have the table's rows and columns; build it "
                                      "from the table, e.g. table.gt(-1) & (table.columns >= 15).")
                m = m.to_numpy()
            m = np.asarray(m)
            if m.shape != table.shape or m.dtype != bool:
                raise OptionError(f"suppress: sums[{name!r}] must be True/False per cell of the table (shape "
                                  f"{table.shape}); found {m.dtype} of shape {m.shape}.")
            arrays.append(m)
        if not arrays:
            raise OptionError(f"suppress: sums[{name!r}] names no cells; give a boolean DataFrame like the table.")
        values = _counts(table)
        totals = {int(values[m].sum()) for m in arrays}
        if len(totals) > 1:
            raise OptionError(f"suppress: the sets of sums[{name!r}] add up to different numbers "
                              f"({', '.join(map(str, sorted(totals)))}); a list names sets that add up to one "
                              "published number.")
        names.append(str(name))
        sets.append(arrays)
    return names, sets


def _counts(table) -> np.ndarray:
    if not isinstance(table, pd.DataFrame):
        raise OptionError(f"suppress: table must be a pandas DataFrame of counts (rows by columns); found "
                          f"{type(table).__name__}. A table by one thing only is a DataFrame of one column.")
    if table.empty:
        raise OptionError("suppress: the table is empty; give at least one row and one column of counts.")
    values = table.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values < 0) | (values % 1 != 0)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise OptionError(f"suppress: {int(bad.sum())} cells are not whole counts of 0 or more (e.g. "
                          f"{table.iloc[i, j]!r} in column {table.columns[j]!r}); give counts, not shares or text.")
    return values.astype(np.int64)


def _extended(values: np.ndarray) -> np.ndarray:
    """The counts with a column of row totals, a row of column totals and the grand total."""
    grid = np.zeros((values.shape[0] + 1, values.shape[1] + 1), dtype=np.int64)
    grid[:-1, :-1] = values
    grid[:-1, -1] = values.sum(axis=1)
    grid[-1, :-1] = values.sum(axis=0)
    grid[-1, -1] = values.sum()
    return grid


def suppression(values: np.ndarray, *, min_count: int, totals: str, sums=()) -> tuple[np.ndarray, np.ndarray]:
    """How each cell of ``values`` with its totals, and each further sum, is published (:data:`SHOWN`, ...).

    The first result has one more row and column than ``values`` (the totals, as
    :func:`suppress` lays them out); the second has one entry per sum of ``sums``
    (per sum, a list of boolean arrays of ``values``' shape whose cells add up
    to it). See the module's text for the rules.
    """
    values = np.asarray(values, dtype=np.int64)
    grid = _extended(values)
    n_rows, n_cols = grid.shape
    n_grid = grid.size
    sums = [list(s) for s in sums]
    flat_v = np.concatenate([grid.ravel(), np.array([values[s[0]].sum() for s in sums], dtype=np.int64)])
    flat_s = np.full(flat_v.shape, SHOWN, dtype=np.int8)
    state = flat_s[:n_grid].reshape(grid.shape)  # a view: changes to flat_s are changes to state
    if totals in ("rows", "none"):
        state[-1, :-1] = UNPUBLISHED
    if totals in ("columns", "none"):
        state[:-1, -1] = UNPUBLISHED
    if totals == "none":
        state[-1, -1] = UNPUBLISHED
    flat_s[(flat_v > 0) & (flat_v < min_count) & (flat_s == SHOWN)] = PRIMARY
    lines = _lines(n_rows, n_cols)
    for k, sets in enumerate(sums):  # each further sum: its cells minus the sum are 0
        for m in sets:
            i, j = np.nonzero(m)
            lines.append((np.r_[i * n_cols + j, n_grid + k], np.r_[np.ones(len(i)), -1.0]))
    member = [[] for _ in range(len(flat_v))]  # the lines each cell is in
    for li, (idx, _) in enumerate(lines):
        for k in idx:
            member[int(k)].append(li)
    # the cost of hiding a cell: inside the table before the totals and sums, those before the grand total;
    # then the count
    rank = np.ones(len(flat_v), dtype=np.int64)
    rank[:n_grid].reshape(grid.shape)[:-1, :-1] = 0
    rank[n_grid - 1] = 2
    cost = rank * (int(flat_v.max(initial=0)) + 1) + flat_v

    def candidates(idx):
        ok = idx[(flat_s[idx] == SHOWN) & (flat_v[idx] > 0)]
        return ok[np.argsort(cost[ok], kind="stable")]

    def hide_next(cells) -> bool:
        """One more hidden neighbour for each of ``cells`` (the cheapest in one of its lines)."""
        changed = False
        for k in cells:
            pool = np.concatenate([candidates(lines[li][0]) for li in member[int(k)]] or [np.array([], int)])
            if not len(pool):  # all its lines are hidden already: any cheapest cell of a line with a hidden cell
                pool = np.concatenate([candidates(idx) for idx, _ in lines
                                       if np.isin(flat_s[idx], (PRIMARY, SECONDARY)).any()] or [np.array([], int)])
            if len(pool):
                flat_s[pool[np.argmin(cost[pool])]] = SECONDARY
                changed = True
        return changed

    # rule 2 looks at the further sums first, the smallest first: a complement inside a small partial sum
    # (Friday after 15:00) often settles the larger lines around it too (the Friday row, all afternoons)
    n_grid_lines = n_rows + n_cols
    order = sorted(lines[n_grid_lines:], key=lambda line: len(line[0])) + lines[:n_grid_lines]
    while True:
        changed = True
        while changed:  # rule 2: no published line with exactly one hidden cell
            changed = False
            for idx, _ in order:
                s = flat_s[idx]
                if (s == UNPUBLISHED).any() or np.isin(s, (PRIMARY, SECONDARY)).sum() != 1:
                    continue
                pool = candidates(idx)
                if len(pool):
                    flat_s[pool[0]] = SECONDARY
                    changed = True
        primaries = np.flatnonzero(flat_s == PRIMARY)
        if hide_next(primaries[_determined(flat_s, lines, primaries)]):
            continue
        if hide_next(primaries[_pinned(flat_v, flat_s, lines, min_count)[primaries]]):
            continue
        return state.copy(), flat_s[n_grid:].copy()


def _lines(n_rows: int, n_cols: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The published equations, as (cell indices, signs): each row, then each column, sums to its total."""
    out = []
    for i in range(n_rows):
        idx = i * n_cols + np.arange(n_cols)
        out.append((idx, np.r_[np.ones(n_cols - 1), -1.0]))
    for j in range(n_cols):
        idx = np.arange(n_rows) * n_cols + j
        out.append((idx, np.r_[np.ones(n_rows - 1), -1.0]))
    return out


def _determined(state: np.ndarray, lines, cells: np.ndarray) -> np.ndarray:
    """Which of ``cells`` (hidden) the published numbers determine exactly (linear algebra, bounds aside).

    The unknowns are the hidden and unpublished cells; a cell is determined when its
    unit vector lies in the row space of the equations restricted to the unknowns,
    i.e. when the orthogonal projection onto that row space keeps it whole.
    """
    if not len(cells):
        return np.zeros(0, dtype=bool)
    unknown = np.flatnonzero(state != SHOWN)
    where = {int(k): c for c, k in enumerate(unknown)}
    a = np.zeros((len(lines), len(unknown)))
    for r, (idx, sign) in enumerate(lines):
        for k, s in zip(idx, sign):
            if int(k) in where:
                a[r, where[int(k)]] = s
    # the projection onto the row space is A' (A A')^+ A; its diagonal through the eigenvectors of the small A A'
    w, v = np.linalg.eigh(a @ a.T)
    keep = w > 1e-9 * max(w.max(initial=0.0), 1.0)
    kept = ((v[:, keep].T @ a) ** 2 / w[keep, None]).sum(axis=0)
    return np.array([kept[where[int(k)]] > 1 - 1e-9 for k in cells], dtype=bool)


def _pinned(values: np.ndarray, state: np.ndarray, lines, min_count: int) -> np.ndarray:
    """Which cells a reader can pin to one value by bounds, line by line, to a fixed point.

    The reader knows a shown cell exactly, a primary one within 1 and
    ``min_count - 1``, a secondary one at ``min_count`` or more, an unpublished
    total at 0 or more; each line's sum narrows the bounds of its cells.
    """
    lo = np.where(state == SHOWN, values, np.where(state == PRIMARY, 1, np.where(state == SECONDARY, min_count, 0)))
    lo = lo.astype(float)
    hi = np.where(state == SHOWN, values, np.where(state == PRIMARY, min_count - 1, np.inf)).astype(float)
    for _ in range(100):
        changed = False
        for idx, sign in lines:
            # sum(sign * x) = 0: each term's range, then each cell's range from the sum of the others'
            t_lo = np.where(sign > 0, lo[idx], -hi[idx])
            t_hi = np.where(sign > 0, hi[idx], -lo[idx])
            others_lo, others_hi = _others(t_lo, -np.inf), _others(t_hi, np.inf)
            new_lo = np.where(sign > 0, -others_hi, others_lo)
            new_hi = np.where(sign > 0, -others_lo, others_hi)
            up, down = new_lo > lo[idx] + 1e-9, new_hi < hi[idx] - 1e-9
            if up.any() or down.any():
                lo[idx] = np.where(up, new_lo, lo[idx])
                hi[idx] = np.where(down, new_hi, hi[idx])
                changed = True
        if not changed:
            break
    return (state != SHOWN) & (hi - lo < 1e-9)


def _others(terms: np.ndarray, infinite: float) -> np.ndarray:
    """For each term, the sum of the other terms (``infinite`` when another term is infinite)."""
    inf = np.isinf(terms)
    finite = np.where(inf, 0.0, terms)
    rest = finite.sum() - finite
    return np.where(inf.sum() - inf > 0, infinite, rest)


__all__ = ["suppress", "suppression", "check_min_count", "TOTAL", "HIDDEN"]
