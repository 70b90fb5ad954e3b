"""Complementary suppression (issue 24, item 4): no hidden count under 5 can be recovered from the published totals,
of one table or of two tables sharing a margin. Each case is checked two ways, independently of the module: by the
rank of the published linear equations (is the hidden cell determined?) and by enumerating every table of whole
counts that agrees with what is published (which values can the hidden cell take?)."""

import itertools

import numpy as np
import pandas as pd
import pytest

import pathways as pw
from pathways.publish.suppression import TOTAL
from pathways.errors import OptionError

MC = 5


def _equations(shape, known: dict):
    """The published equations over the unknown cells of the (rows+1) x (cols+1) grid with totals.

    ``known`` maps (i, j) -> value for every published cell; returns (A, b, unknown cells) with A x = b."""
    n_rows, n_cols = shape
    unknown = [(i, j) for i in range(n_rows) for j in range(n_cols) if (i, j) not in known]
    col = {c: k for k, c in enumerate(unknown)}
    rows, rhs = [], []
    lines = [[(i, j, 1 if j < n_cols - 1 else -1) for j in range(n_cols)] for i in range(n_rows)] + \
            [[(i, j, 1 if i < n_rows - 1 else -1) for i in range(n_rows)] for j in range(n_cols)]
    for line in lines:
        a, b = np.zeros(len(unknown)), 0.0
        for i, j, s in line:
            if (i, j) in known:
                b -= s * known[(i, j)]
            else:
                a[col[(i, j)]] = s
        rows.append(a)
        rhs.append(b)
    return np.array(rows), np.array(rhs), unknown, lines


def _determined(shape, known, cell) -> bool:
    a, _, unknown, _ = _equations(shape, known)
    e = np.zeros(len(unknown))
    e[unknown.index(cell)] = 1
    return np.linalg.matrix_rank(np.vstack([a, e])) == np.linalg.matrix_rank(a)


def _published(out: pd.DataFrame):
    """Known cells and bounds of the hidden ones, as a reader sees the result of pw.suppress."""
    known, bounds = {}, {}
    grand = max(v for v in out.to_numpy().ravel() if isinstance(v, (int, np.integer)))
    for (i, j), v in np.ndenumerate(out.to_numpy()):
        if isinstance(v, (int, np.integer)):
            known[(i, j)] = int(v)
        elif v == f"<{MC}":
            bounds[(i, j)] = (1, MC - 1)
        elif v == "–":
            bounds[(i, j)] = (MC, 3 * grand)
        else:  # a total that is not published
            bounds[(i, j)] = (0, 3 * grand)
    return known, bounds


def _feasible(shape, known, bounds) -> dict:
    """Every value each hidden cell takes in some table of whole counts agreeing with the publication."""
    _, _, unknown, lines = _equations(shape, known)
    seen = {c: set() for c in unknown}

    def propagate(assign):
        assign = dict(assign)
        changed = True
        while changed:
            changed = False
            for line in lines:
                free = [(i, j, s) for i, j, s in line if (i, j) not in known and (i, j) not in assign]
                total = sum(s * (known.get((i, j)) if (i, j) in known else assign.get((i, j), 0))
                            for i, j, s in line if (i, j) in known or (i, j) in assign)
                if not free:
                    if total != 0:
                        return None
                elif len(free) == 1:
                    i, j, s = free[0]
                    v = -total * s
                    lo, hi = bounds[(i, j)]
                    if not lo <= v <= hi:
                        return None
                    assign[(i, j)] = v
                    changed = True
        return assign

    def dfs(assign):
        assign = propagate(assign)
        if assign is None:
            return
        todo = [c for c in unknown if c not in assign]
        if not todo:
            for c, v in assign.items():
                seen[c].add(v)
            return
        c = min(todo, key=lambda c: bounds[c][1] - bounds[c][0])
        for v in range(bounds[c][0], bounds[c][1] + 1):
            dfs({**assign, c: v})

    dfs({})
    return seen


def _grid_known(values: pd.DataFrame, shown) -> dict:
    """The published cells of a grid with totals, ``shown(i, j, v)`` saying which are published."""
    grid = values.copy()
    grid[TOTAL] = grid.sum(axis=1)
    grid.loc[TOTAL] = grid.sum(axis=0)
    return {(i, j): int(v) for (i, j), v in np.ndenumerate(grid.to_numpy()) if shown(i, j, int(v))}


TABLE = pd.DataFrame({"jan": [3, 8], "feb": [10, 9], "mar": [12, 20]}, index=["A", "B"])


def test_totals_give_a_small_cell_away_and_complements_keep_it():
    # today: only A/jan (3) is "<5"; the row total 25 gives it away: 25 - 10 - 12 = 3
    today = _grid_known(TABLE, lambda i, j, v: not 0 < v < MC)
    assert _determined((3, 4), today, (0, 0))
    out = pw.suppress(TABLE)
    assert out.to_numpy().tolist() == [["<5", "–", 12, 25], ["–", "–", 20, 37], [11, 19, 32, 62]]
    assert out.attrs["suppressed"].loc["B", "jan"] == "secondary" and out.attrs["suppressed"].loc["A", "jan"] == "primary"
    known, bounds = _published(out)
    assert not _determined((3, 4), known, (0, 0))
    # every value from 1 to 4 fits the published numbers: A/jan = v, A/feb = 13 - v, B/jan = 11 - v, B/feb = 6 + v
    assert _feasible((3, 4), known, bounds)[(0, 0)] == {1, 2, 3, 4}


def test_two_tables_sharing_a_margin():
    # a table by unit and month with "<5", and the table by unit (its row totals) next to it: A/jan = 25 - 10 - 12
    today = _grid_known(TABLE, lambda i, j, v: i < 2 and not 0 < v < MC)  # the month totals are not published
    assert _determined((3, 4), today, (0, 0))
    out = pw.suppress(TABLE, totals="rows")
    by_unit = out[TOTAL]  # the second table: published from the result's total column
    assert by_unit.tolist() == [25, 37, 62]
    assert out.loc[TOTAL].tolist()[:3] == [None, None, None]
    known, bounds = _published(out)
    assert not _determined((3, 4), known, (0, 0))
    assert len(_feasible((3, 4), known, bounds)[(0, 0)]) >= 2


def test_three_tables_unit_month_unit_and_month():
    # units by month with both margins published as tables of their own; two small cells in one row
    t = pd.DataFrame({"jan": [2, 9, 14], "feb": [3, 11, 6], "mar": [15, 7, 30]}, index=["A", "B", "C"])
    today = _grid_known(t, lambda i, j, v: not 0 < v < MC)
    # row A has two "<5" (their sum 20 - 15 = 5 is all the row tells), but January's column gives A/jan away:
    # 25 - 9 - 14 = 2, and then the row A/feb: 5 - 2 = 3
    assert _determined((4, 4), today, (0, 0)) and _determined((4, 4), today, (0, 1))
    out = pw.suppress(t)
    known, bounds = _published(out)
    values = _feasible((4, 4), known, bounds)
    for cell in [(0, 0), (0, 1)]:
        assert not _determined((4, 4), known, cell)
        assert len(values[cell]) >= 2


def test_two_blocks_joined_by_one_cell_are_caught_by_the_rank_check():
    # the hidden cells A,B x jan,feb and C,D x mar,apr, and B/mar joining them: every row and column has two or
    # more hidden cells (rule 2 has nothing to do), yet B/mar follows from the sums (a bridge between the blocks)
    big = 40
    t = pd.DataFrame([[2, 3, 0, 0, big], [3, 2, 2, 0, big], [0, 0, 2, 3, big], [0, 0, 3, 2, big],
                      [big, big, big, big, big]], index=list("ABCDE"), columns=["jan", "feb", "mar", "apr", "may"])
    primary_only = _grid_known(t, lambda i, j, v: not 0 < v < MC)
    assert _determined((6, 6), primary_only, (1, 2))
    out = pw.suppress(t)
    known, bounds = _published(out)
    small = [(i, j) for (i, j), v in np.ndenumerate(t.to_numpy()) if 0 < v < MC]
    assert all(not _determined((6, 6), known, c) for c in small)
    assert (out.attrs["suppressed"] == "secondary").to_numpy().sum() >= 1


def test_bounds_a_reader_knows_are_checked_too():
    # A/c1 = 1 and B/c1 = 5 in column c1 (total 6): hiding B/c1 as "–" (so at least 5) pins A/c1 at 6 - 5 = 1,
    # although no linear combination of the sums gives it; the complement must reach beyond that column
    t = pd.DataFrame({"c1": [1, 5], "c2": [5, 7], "c3": [30, 30]}, index=["A", "B"])
    out = pw.suppress(t)
    known, bounds = _published(out)
    assert len(_feasible((3, 4), known, bounds)[(0, 0)]) >= 2
    # the pin itself, with only the rectangle A,B x c1,c2 hidden
    rect = _grid_known(t, lambda i, j, v: (i, j) not in {(0, 0), (0, 1), (1, 0), (1, 1)})
    assert not _determined((3, 4), rect, (0, 0))
    assert _feasible((3, 4), rect, {(0, 0): (1, 4), (0, 1): (5, 99), (1, 0): (5, 99), (1, 1): (5, 99)})[(0, 0)] == {1}


def test_zeros_are_published_and_never_complements():
    t = pd.DataFrame({"x": [3, 0, 20], "y": [0, 9, 30]}, index=list("ABC"))
    out = pw.suppress(t)
    assert out.loc["A", "y"] == 0 and out.loc["B", "x"] == 0
    assert out.loc["A", "x"] == "<5" and out.loc["C", "x"] == "–"  # the column's complement: the smallest non-zero
    known, bounds = _published(out)
    assert len(_feasible((4, 3), known, bounds)[(0, 0)]) >= 2


def test_one_column_table_with_its_total():
    out = pw.suppress(pd.DataFrame({"n": [3, 20, 30]}, index=["A", "B", "C"]), totals="columns")
    assert out["n"].tolist() == ["<5", "–", 30, 53]
    assert out[TOTAL].tolist() == [None, None, None, 53]


def test_small_totals_are_primary_and_a_large_table_stays_fast():
    out = pw.suppress(pd.DataFrame({"a": [1, 1], "b": [0, 1]}))
    assert out.loc[TOTAL, TOTAL] == "<5"
    rng = np.random.default_rng(7)
    t = pd.DataFrame(rng.poisson(6, size=(40, 24)))
    out = pw.suppress(t)
    marks = out.attrs["suppressed"].to_numpy()
    small = (t.to_numpy() > 0) & (t.to_numpy() < MC)
    assert (marks[:-1, :-1][small] == "primary").all()
    for k in range(marks.shape[0]):  # no line with exactly one hidden cell
        assert np.isin(marks[k], ["primary", "secondary"]).sum() != 1
    for k in range(marks.shape[1]):
        assert np.isin(marks[:, k], ["primary", "secondary"]).sum() != 1


@pytest.mark.parametrize("table, options, match", [
    ([[1, 2]], {}, "must be a pandas DataFrame"),
    (pd.DataFrame({"a": [1.5, 2]}), {}, "not whole counts"),
    (pd.DataFrame({"a": [-1, 2]}), {}, "not whole counts"),
    (pd.DataFrame({"a": [None, 2]}), {}, "not whole counts"),
    (pd.DataFrame({"total": [1, 2]}), {}, "already has a row or column called 'total'"),
    (pd.DataFrame(), {}, "empty"),
    (TABLE, {"totals": "row"}, "Did you mean 'rows'"),
    (TABLE, {"min_count": 0}, "min_count=0 is not allowed"),
])
def test_bad_input(table, options, match):
    with pytest.raises(OptionError, match=match):
        pw.suppress(table, **options)


def test_the_reports_discharge_heat_map_hides_the_complement_of_a_small_cell():
    # Monday: 3 discharges at 10 and 6 at 14, Σ 9: with "<5" alone the Σ column gives 10 o'clock away (9 - 6);
    # the report hides 14 o'clock as "–" in the chart and in its CSV (the hour totals are not published)
    from pathways.report import sections as S
    from pathways.publish.numbers import Formatter

    times = ["2024-01-08 10:00"] * 3 + ["2024-01-08 14:00"] * 6 + ["2024-01-09 11:00"] * 7
    df = pd.DataFrame({"pt": [f"p{i}" for i in range(len(times)) for _ in (0, 1)],
                       "act": ["Indlæggelse", "Udskrivning"] * len(times),
                       "ts": [x for t in times for x in ("2024-01-01 08:00", t)],
                       "unit": "Medicinsk afdeling"})
    log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")
    ctx = S.Context(log=log, fmt=Formatter("en", 5), as_of=pd.Timestamp("2024-02-01", tz="Europe/Copenhagen"),
                    as_of_given=True, rules=pw.GUARANTEES)
    sec = S.discharges(ctx)
    grid = next(t for t in sec.tables() if t.name == "discharge_heatmap").df.set_index("weekday")
    assert grid.loc["Monday", "10"] == 3 and np.isnan(grid.loc["Monday", "14"])
    assert grid.loc["Tuesday", "11"] == 7
    fig = next(f for f in sec.figures() if f.name == "heatmap")
    assert ">–</text>" in fig.picture.svg() and "cannot be worked out from the totals" in fig.caption


# --------------------------------------------------------------------------- further published sums (sums=)
def _determines(equations, cell) -> bool:
    """Whether the published equations (each a dict unknown -> coefficient; what is published moved to the right-hand
    side) determine ``cell``: its unit vector lies in their row space."""
    unknown = sorted({k for e in equations for k in e}, key=str)
    a = np.array([[e.get(k, 0) for k in unknown] for e in equations], dtype=float)
    unit = np.zeros(len(unknown))
    unit[unknown.index(cell)] = 1
    return np.linalg.matrix_rank(np.vstack([a, unit])) == np.linalg.matrix_rank(a)


def _grid_equations(grid: pd.DataFrame, hidden, totals: dict, sums: dict):
    """The equations a reader has over the hidden cells of ``grid`` (a set of (row, column) labels): ``totals`` maps a
    row label to True when its total is published; ``sums`` maps a name to (cells, published or not)."""
    eqs = []
    for r in grid.index:
        e = {(r, c): 1 for c in grid.columns if (r, c) in hidden}
        if not totals.get(r, False):
            e[("total", r)] = -1
        eqs.append(e)
    for cells, published in sums.values():
        e = {cell: 1 for cell in cells if cell in hidden}
        if not published:
            e[("sum", id(cells))] = -1
        eqs.append(e)
    return [e for e in eqs if e]


FRI = pd.DataFrame({10: [9, 6], 14: [8, 7], 16: [12, 3], 17: [30, 20]}, index=["Thursday", "Friday"])
FRI_AFTER_15 = pd.DataFrame(False, index=FRI.index, columns=FRI.columns)
FRI_AFTER_15.loc["Friday", [16, 17]] = True


def test_a_partial_sum_published_elsewhere_is_one_more_equation():
    # Friday: 6 at 10, 7 at 14, 3 at 16, 20 at 17 (row total 36); the weekday totals are published, and elsewhere
    # "discharges on Friday after 15:00: 23". pw.suppress without the sum hides Friday 10:00 as the complement of
    # the "<5" at 16:00; the partial sum then gives it away: 23 - 20 = 3
    before = pw.suppress(FRI, totals="rows")
    hidden = {(r, c) for r in FRI.index for c in FRI.columns if before.loc[r, c] in ("<5", "–")}
    assert hidden == {("Friday", 10), ("Friday", 16)}
    cells = [("Friday", 16), ("Friday", 17)]
    eqs = _grid_equations(FRI, hidden, {"Thursday": True, "Friday": True}, {"fri15": (cells, True)})
    assert _determines(eqs, ("Friday", 16))
    # with the sum passed, its other cell (17:00) is the complement, which settles the Friday row as well
    out = pw.suppress(FRI, totals="rows", sums={"friday_after_15": FRI_AFTER_15})
    assert out.loc["Friday"].tolist() == [6, 7, "<5", "–", 36]
    assert out.attrs["sums"].loc["friday_after_15"].tolist() == [23, ""]
    hidden = {(r, c) for r in FRI.index for c in FRI.columns if out.loc[r, c] in ("<5", "–")}
    eqs = _grid_equations(FRI, hidden, {"Thursday": True, "Friday": True}, {"fri15": (cells, True)})
    assert not _determines(eqs, ("Friday", 16))
    # by enumeration: 16 + 17 = 23 (the row: 36 - 6 - 7, and the sum) with 17:00 >= 5
    values = {v16 for v16 in range(1, 5) for v17 in range(5, 40) if v16 + v17 == 23}
    assert values == {1, 2, 3, 4}


def test_a_small_partial_sum_is_suppressed_and_protected_like_a_total():
    # Thursday after 15:00 is 2 + 1: the sum itself is "<5"; its cells are "<5", and the row gets its complement
    t = pd.DataFrame({10: [9, 6], 16: [2, 8], 17: [1, 20]}, index=["Thursday", "Friday"])
    mask = pd.DataFrame(False, index=t.index, columns=t.columns)
    mask.loc["Thursday", [16, 17]] = True
    out = pw.suppress(t, totals="rows", sums={"thursday_after_15": mask})
    assert out.attrs["sums"].loc["thursday_after_15"].tolist() == ["<5", "primary"]
    assert out.loc["Thursday"].tolist() == ["–", "<5", "<5", 12]


def test_one_number_published_as_the_total_of_two_tables():
    # readmissions by unit (A 3, B 8, C 0) and by age (young 5, old 6): the report states the total, 11, once;
    # "<5" alone: A = 11 - 8 - 0 = 3. The two tables stacked, the total as the sum of each:
    t = pd.DataFrame({"n": [3, 8, 0, 5, 6]}, index=["A", "B", "C", "young", "old"])
    units, ages = np.array([[1], [1], [1], [0], [0]], bool), np.array([[0], [0], [0], [1], [1]], bool)
    # "<5" alone: A is the only hidden cell of the units' sum (A + 8 + 0 = 11), the ages' sum holds none
    assert _determines([{"A": 1}], "A")
    out = pw.suppress(t, totals="none", sums={"n": [units, ages]})
    assert out["n"].tolist() == ["<5", "–", 0, 5, 6, None]
    assert out.attrs["sums"].loc["n"].tolist() == [11, ""]
    values = {a for a in range(1, 5) for b in range(5, 12) if a + b == 11}
    assert values == {1, 2, 3, 4}  # A + B = 11 with B >= 5: A can be anything from 1 to 4


def test_sums_must_be_cells_of_the_table_adding_up_to_one_number():
    with pytest.raises(OptionError, match="True/False per cell"):
        pw.suppress(FRI, sums={"x": np.ones((3, 3), bool)})
    with pytest.raises(OptionError, match="add up to different numbers"):
        pw.suppress(FRI, sums={"x": [FRI_AFTER_15, ~FRI_AFTER_15]})
    with pytest.raises(OptionError, match="must be a mapping"):
        pw.suppress(FRI, sums=[FRI_AFTER_15])


def test_publishable_and_save_table_follow_the_report_rules(tmp_path):
    """pw.publishable / pw.save_table: the rules of the report's tables for a table of one's own (issue 24, item 5),
    checked cell by cell against values written out by hand."""
    t = pd.DataFrame({"ring": ["A", "B", "C"], "n_patients": [40, 3, 0], "n_gave_up": [12, 2, 0],
                      "cycle_length": [2, 3, 2], "median_days": [27.25, 12.0, None],
                      "median_delay_hours": [0.33, 48.0, None]}).sort_values("ring", ascending=False)
    share = {"share_gave_up": ("n_gave_up", "n_patients")}
    da = pw.publishable(t, shares=share)
    # sorted: the unnamed index is not a column; C's zeros are published; B's 3 patients hide what describes them
    assert da.to_dict("list") == {
        "ring": ["C", "B", "A"], "n_patients": ["0", "<5", "40"], "n_gave_up": ["0", "<5", "12"],
        "cycle_length": ["2", "–", "2"], "median_days": ["–", "–", "27 dage"],
        "median_delay_hours": ["–", "–", "0,3 timer"], "share_gave_up": ["–", "–", "30 %"]}
    en = pw.publishable(t.set_index("ring"), language="en", shares=share)
    assert list(en.columns)[0] == "ring" and en["share_gave_up"].tolist() == ["–", "–", "30%"]
    # a table already suppressed keeps its marks, also in the CSV file
    s = pw.suppress(pd.DataFrame({"numerator": [3, 8], "denominator": [10, 9]}, index=["x", "y"]), totals="columns")
    path = pw.save_table(s, tmp_path / "s.csv")
    assert open(path, encoding="utf-8-sig").read().splitlines() == [
        "index;numerator;denominator;total", "x;<5;10;", "y;–;9;", "total;11;19;30"]
    with pytest.raises(pw.OptionError, match="no column 'n_gaveup'"):
        pw.publishable(t, shares={"share": ("n_gaveup", "n_patients")})
