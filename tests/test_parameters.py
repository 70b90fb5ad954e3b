"""One name, one meaning (issue 23, item 2): docs/parameters.md lists every parameter of every public function,
with the default each function really has, and the renamed parameters still work for one release."""

import inspect
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

import pathways as pw

DOC = Path(__file__).resolve().parents[1] / "docs" / "parameters.md"
_CELL = re.compile(r"^(required|`[^`]*`)(?::\s*(.+))?$")


def _table():
    """name -> (defaults by function, the functions listed), from the doc's first table."""
    rows = {}
    for line in DOC.read_text(encoding="utf-8").split("## Renamed")[0].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) != 4 or not cells[0].startswith("`"):
            continue
        name, _, default, functions = cells
        listed = [f.strip() for f in functions.split(",")]
        defaults = {}
        for part in default.split("; "):
            value, which = _CELL.match(part).groups()
            for fn in ([f.strip() for f in which.split(",")] if which else listed):
                defaults[fn] = value
        rows[name.strip("`")] = (defaults, listed)
    return rows


def _signatures():
    """(function, parameter, default as the doc writes it) for every public function but the log."""
    for name in pw.__all__:
        obj = getattr(pw, name)
        if not inspect.isfunction(obj):
            continue
        for p in inspect.signature(obj).parameters.values():
            if p.name == "log" or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
                continue
            yield name, p.name, "required" if p.default is inspect.Parameter.empty else f"`{p.default!r}`"


def test_the_table_is_the_signatures():
    table = _table()
    seen = set()
    for fn, name, default in _signatures():
        assert name in table, f"{fn}({name}=...) is not in docs/parameters.md"
        defaults, listed = table[name]
        assert fn in listed, f"docs/parameters.md: {fn} is missing from the row of {name}"
        assert defaults.get(fn) == default, f"docs/parameters.md: {fn}({name}=...) defaults to {default}"
        seen.add((fn, name))
    listed_pairs = {(fn, name) for name, (_, listed) in table.items() for fn in listed}
    assert listed_pairs - seen == set(), "docs/parameters.md lists parameters the functions do not take"


def test_a_log_is_the_first_positional_argument_and_the_rest_keywords():
    # the house rule the table relies on: only the log (and what a function is *about*) is positional
    positional_ok = {"case_id", "reference", "rules", "units", "cases", "column", "values", "activities", "path",
                     "df", "waits", "table", "model"}
    for fn, name, _ in _signatures():
        p = inspect.signature(getattr(pw, fn)).parameters[name]
        assert p.kind == p.KEYWORD_ONLY or name in positional_ok, f"{fn}: {name} should be keyword-only"


@pytest.fixture(scope="module")
def log():
    return pw.datasets.load_sample("psychiatry_somatic")


@pytest.mark.parametrize("call, old, new", [
    ("handovers", {"max_gap": "3D"}, {"threshold": "3D"}),
    ("handover_matrix", {"max_gap": "3D"}, {"threshold": "3D"}),
    ("case_summary", {"max_gap": "3D"}, {"threshold": "3D"}),
    ("filter_period", {"start": "2022-01-01", "end": "2022-07-01", "how": "cases_starting"},
     {"since": "2022-01-01", "until": "2022-07-01", "keep": "cases_starting"}),
    ("revolving_door", {"acute_only": False}, {"acute": None}),
    ("readmission_rates", {"acute_only": False}, {"acute": None}),
])
def test_old_names_give_the_new_results_with_a_warning(log, call, old, new):
    fn = getattr(pw, call)
    with pytest.warns(DeprecationWarning) as seen:
        before = fn(log, **old)
    ours = [w for w in seen if "until the next release" in str(w.message)]
    assert ours and all(w.filename == __file__ for w in ours), "the warning must point at the caller's line"
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        after = fn(log, **new)
    if isinstance(after, pd.DataFrame):
        pd.testing.assert_frame_equal(before, after)
    else:
        assert len(before) == len(after) and before.n_cases == after.n_cases


def test_old_names_of_maps_and_discovery(log):
    with pytest.warns(DeprecationWarning, match=r"unit_map\(lanes=\.\.\.\)"):
        old = pw.unit_map(log, swimlanes="domain", max_gap="3D")
    assert old.dot == pw.unit_map(log, lanes="domain", threshold="3D").dot
    with pytest.warns(DeprecationWarning, match=r"source=\.\.\."):
        model = pw.discover_process_tree(log, on="dfg", max_activities=10)
    assert model.parameters["source"] == "dfg"
