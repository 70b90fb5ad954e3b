"""The shared DuckDB engine: its settings, and the error when an analysis needs more memory than its limit."""

import os

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
        pw.configure_engine(memory_limit=DEFAULT_MEMORY_LIMIT, threads=os.cpu_count())


def test_events_are_stored_compressed_and_keep_their_input_order(tmp_path):
    """400,000 events in 8 row groups, which DuckDB reads in parallel: the engine stores them compressed
    and not in input order (checked), and the log still gives them back in input order."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(3)
    n = 400_000
    df = pd.DataFrame({"pt": [f"P{i:06d}" for i in rng.integers(0, 50_000, n)],
                       "what": rng.choice(["Henvisning", "Visitation", "Indlæggelse"], n),
                       "when": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 10**6, n), unit="min")})
    df.to_parquet(tmp_path / "events.parquet", row_group_size=50_000)
    log = pw.read_parquet(tmp_path / "events.parquet", case="pt", activity="what", timestamp="when", tz="UTC")
    con = duckdb_backend().con
    threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
    if threads > 1:  # read by several threads, the rows are not stored in input order
        stored = con.execute(f"SELECT count(*) FILTER (WHERE row <> rowid) FROM {log.table.get_name()}").fetchall()
        assert stored[0][0] > 0
    out = log.to_pandas()
    assert out["row"].tolist() == list(range(n))
    assert out["case_id"].tolist() == df["pt"].tolist()
    assert (out["timestamp"].dt.tz_localize(None) == df["when"]).all()
    storage = con.execute(
        "SELECT column_name, list(DISTINCT compression) FROM pragma_storage_info(?) "
        "WHERE segment_type <> 'VALIDITY' GROUP BY ALL", [log.table.get_name()]).fetchall()
    assert {c for c, _ in storage} >= {"row", "case_id", "activity", "timestamp"}
    assert all("Uncompressed" not in kinds for _, kinds in storage), storage


def test_spill_directories_of_ended_processes_are_swept(tmp_path):
    """Empty spill directories whose process no longer runs are removed; nothing else is touched."""
    from pathways.engine import SPILL_PREFIX, sweep_spill_directories

    gone = 4_194_305  # above the largest process id Linux (2**22) or macOS allows: never runs
    names = {"ended, empty": f"{SPILL_PREFIX}{gone}-a1b2c3d4", "ended, spill files": f"{SPILL_PREFIX}{gone}-e5f6g7h8",
             "running": f"{SPILL_PREFIX}{os.getpid()}-i9j0k1l2", "old name": f"{SPILL_PREFIX}0bq7wbtz",
             "old name, digits": f"{SPILL_PREFIX}12345678", "not ours": f"other-{gone}-m3n4o5p6"}
    for name in names.values():
        (tmp_path / name).mkdir()
    (tmp_path / names["ended, spill files"] / "duckdb_temp_storage-0.tmp").write_bytes(b"x")
    assert sweep_spill_directories(str(tmp_path)) == [str(tmp_path / names["ended, empty"])]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(n for k, n in names.items() if k != "ended, empty")


def test_a_killed_process_leaves_a_spill_directory_the_next_one_removes():
    """A process killed before its exit handlers ran (as a Jupyter kernel is) leaves its empty spill
    directory, named with its process id; the next process that starts the engine removes it."""
    import subprocess
    import sys
    import tempfile

    from pathways.engine import SPILL_PREFIX, sweep_spill_directories

    code = ("import os, signal; from pathways.engine import duckdb_backend\n"
            "print(duckdb_backend().con.execute(\"SELECT current_setting('temp_directory')\").fetchall()[0][0], "
            "flush=True)\nos.kill(os.getpid(), signal.SIGKILL)")
    killed = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    left = killed.communicate()[0].strip()
    assert killed.returncode == -9 and os.path.isdir(left)
    assert os.path.basename(left).startswith(f"{SPILL_PREFIX}{killed.pid}-")
    assert left in sweep_spill_directories(tempfile.gettempdir()) and not os.path.exists(left)
