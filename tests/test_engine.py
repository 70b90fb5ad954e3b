"""The shared DuckDB engine: its settings, and the error when an analysis needs more memory than its limit."""

import pytest

import pathways as pw
from pathways.engine import DEFAULT_MEMORY_LIMIT, duckdb_backend


@pytest.fixture
def numbers():
    """3 million random numbers in 3 groups, in an engine table; the engine then gets a 30 MB limit."""
    backend = duckdb_backend()
    backend.con.execute("CREATE OR REPLACE TEMP TABLE __pw_test_numbers AS "
                        "SELECT range % 3 AS g, random() AS x FROM range(3000000)")
    pw.configure_engine(memory_limit="30MB")
    yield backend.table("__pw_test_numbers")
    pw.configure_engine(memory_limit=DEFAULT_MEMORY_LIMIT)
    backend.con.execute("DROP TABLE __pw_test_numbers")


def test_out_of_memory_says_how_to_raise_the_limit(numbers):
    """A median per group holds its values in memory (it cannot spill): 3 million doubles need about
    24 MB of values plus their sort, over the 30 MB limit."""
    t = numbers
    expr = t.group_by("g").aggregate(m=t.x.median())
    for run in (expr.to_pandas, expr.to_pyarrow):
        with pytest.raises(pw.EngineMemoryError, match=r"memory limit of .*pw\.configure_engine\(memory_limit="):
            run()
    assert isinstance(pw.EngineMemoryError("x"), MemoryError)


def test_configure_engine_reports_what_is_in_force():
    settings = pw.configure_engine(memory_limit="1GB", threads=1)
    try:
        assert settings["threads"] == 1 and settings["memory_limit"].endswith("MiB")
        assert duckdb_backend().con.execute("SELECT current_setting('autoinstall_known_extensions')").fetchall() \
            == [(False,)]
        with pytest.raises(pw.OptionError, match="threads=0 is not allowed"):
            pw.configure_engine(threads=0)
    finally:
        import os

        pw.configure_engine(memory_limit=DEFAULT_MEMORY_LIMIT, threads=os.cpu_count())
