"""Every public function that takes a log, given something else, says so and says what to do (issue 23, item 1).

Before, 24 of them raised ``AttributeError: 'DataFrame' object has no attribute 'require'`` (or ``'table'``) for
a DataFrame, and ``wait_summary`` given a ``waiting_times`` table did the same. The functions are taken from
``pathways.__all__`` (the first parameter named ``log``), so a new one is covered too.
"""

from __future__ import annotations

import inspect

import pandas as pd
import pytest

import pathways as pw
from pathways.errors import NotALogError, PathwaysError

LOG_FUNCTIONS = sorted(n for n in pw.__all__ if inspect.isfunction(getattr(pw, n))
                       and next(iter(inspect.signature(getattr(pw, n)).parameters), None) == "log") + ["report"]
FRAME = pd.DataFrame({"cpr": ["1", "1"], "hændelse": ["Henvisning", "Visitation"],
                      "tidspunkt": ["2023-01-02", "2023-01-05"]})


def _result_table():
    log = pw.from_pandas(FRAME, case="cpr", activity="hændelse", timestamp="tidspunkt")
    return pw.transitions(log)


def test_the_guarded_functions_are_all_of_them():
    assert len(LOG_FUNCTIONS) >= 38 and {"transitions", "handovers", "quality_report", "process_map", "wait_summary",
                                         "discover_process_tree", "filter_cases", "report"} <= set(LOG_FUNCTIONS)


@pytest.mark.parametrize("name", LOG_FUNCTIONS)
def test_a_frame_none_or_a_result_table_instead_of_the_log_says_what_to_do(name):
    function = getattr(pw, name)
    for given, says in ((FRAME, "not a pandas DataFrame (columns 'cpr', 'hændelse', 'tidspunkt'). Build the log "
                                "first: log = pw.from_pandas(df"),
                        (None, "got None"), (_result_table(), "not the table of an analysis"),
                        ("udtraek.csv", "got str")):
        with pytest.raises(NotALogError) as err:
            function(given)
        assert isinstance(err.value, TypeError) and isinstance(err.value, PathwaysError)
        assert f"pw.{name} takes an EventLog" in str(err.value) and says in str(err.value), str(err.value)


def test_the_guard_keeps_the_name_signature_and_docstring():
    from pathways.analyses.transitions import transitions

    assert pw.transitions.__name__ == "transitions" and pw.transitions.__doc__ == transitions.__doc__
    assert inspect.signature(pw.transitions) == inspect.signature(transitions)
