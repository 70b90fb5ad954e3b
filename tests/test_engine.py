"""The shared DuckDB engine: its settings, and the error when an analysis needs more memory than its limit."""

import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
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


def test_every_statement_through_the_engine_connection_is_guarded(numbers):
    """Not only Ibis' methods: SQL sent straight to the connection (as the readers do), the relations and
    cursors it returns and what is fetched from them raise EngineMemoryError, with DuckDB's error as cause.
    Before, each of these raised DuckDB's own OutOfMemoryException."""
    import duckdb

    con = duckdb_backend().con
    sql = "SELECT g, median(x) FROM (SELECT range % 3 AS g, random() AS x FROM range(3000000)) GROUP BY g"
    for run in (lambda: con.execute(sql).fetchall(), lambda: con.sql(sql).fetchall(), lambda: con.sql(sql).df(),
                lambda: con.sql(sql).to_arrow_table(), lambda: con.cursor().execute(sql).fetchall()):
        with pytest.raises(pw.EngineMemoryError, match="memory limit of 28.6 MiB") as err:
            run()
        assert isinstance(err.value.__cause__, duckdb.OutOfMemoryException)
    # everything else passes through unchanged
    assert con.execute("SELECT 2 AS b").fetchall() == [(2,)]
    assert con.sql("SELECT 1 AS a").columns == ["a"] and len(con.sql("SELECT 1 AS a")) == 1
    with pytest.raises(duckdb.CatalogException):
        con.execute("SELECT * FROM __pw_no_such_table")


@pytest.fixture
def engine_settings():
    """Whatever the test sets, the engine gets its default memory limit and its threads back."""
    threads = pw.configure_engine()["threads"]
    yield
    pw.configure_engine(memory_limit=DEFAULT_MEMORY_LIMIT, threads=threads)


def test_reading_beyond_the_memory_limit_is_an_engine_memory_error(tmp_path, engine_settings):
    """One note of 30 million characters is one value the engine must hold whole, more than a 20 MB limit:
    every reader raises EngineMemoryError (before: DuckDB's OutOfMemoryException, from the readers' own
    SQL), and then the limit can be raised again and the same file is read."""
    import duckdb

    frame = pd.DataFrame({"pt": ["A", "A", "B"], "what": ["Henvisning", "Indlæggelse", "Henvisning"],
                          "when": pd.to_datetime(["2023-01-01", "2023-01-02", "2023-01-03"]),
                          "note": ["kort", "x" * 30_000_000, "kort"]})
    frame.to_csv(tmp_path / "big.csv", index=False)
    frame.to_parquet(tmp_path / "big.parquet")
    roles = dict(case="pt", activity="what", timestamp="when", tz="UTC")
    assert pw.configure_engine(memory_limit="20MB")["memory_limit"] == "19.0 MiB"
    for read in (lambda: pw.from_pandas(frame, **roles), lambda: pw.read_csv(tmp_path / "big.csv", **roles),
                 lambda: pw.read_parquet(tmp_path / "big.parquet", **roles)):
        with pytest.raises(pw.EngineMemoryError,
                           match=r"memory limit of 19\.0 MiB\. .*pw\.configure_engine\(memory_limit=\"8GB\"\)") as err:
            read()
        assert isinstance(err.value.__cause__, duckdb.OutOfMemoryException)
    assert pw.configure_engine(memory_limit="2GB")["memory_limit"] == "1.8 GiB"
    log = pw.read_csv(tmp_path / "big.csv", **roles)
    assert len(log) == 3 and log.n_cases == 2 and len(log.rejected) == 0
    assert [len(v) for v in log.to_pandas()["note"]] == [4, 30_000_000, 4]


def test_configure_engine_reports_what_is_in_force():
    settings = pw.configure_engine(memory_limit="1GB", threads=1)
    try:
        assert settings["threads"] == 1 and settings["memory_limit"] == "953.6 MiB"
        assert duckdb_backend().con.execute("SELECT current_setting('autoinstall_known_extensions')").fetchall() \
            == [(False,)]
        with pytest.raises(pw.OptionError, match="threads=0 is not allowed"):
            pw.configure_engine(threads=0)
    finally:
        pw.configure_engine(memory_limit=DEFAULT_MEMORY_LIMIT, threads=os.cpu_count())


def test_events_are_stored_compressed_and_keep_their_input_order(tmp_path):
    """400,000 events in 8 row groups, which DuckDB reads in parallel: the engine stores them compressed once
    they take more than an eighth of its memory limit, and not in input order (checked), and the log still
    gives them back in input order."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(3)
    n = 400_000
    df = pd.DataFrame({"pt": [f"P{i:06d}" for i in rng.integers(0, 50_000, n)],
                       "what": rng.choice(["Henvisning", "Visitation", "Indlæggelse"], n),
                       "when": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 10**6, n), unit="min")})
    df.to_parquet(tmp_path / "events.parquet", row_group_size=50_000)

    def storage(log):
        return con.execute("SELECT column_name, list(DISTINCT compression) FROM pragma_storage_info(?) "
                           "WHERE segment_type <> 'VALIDITY' GROUP BY ALL", [log.table.get_name()]).fetchall()

    con = duckdb_backend().con
    plain = pw.read_parquet(tmp_path / "events.parquet", case="pt", activity="what", timestamp="when", tz="UTC")
    # about 50 MB plain: under an eighth of the default limit, not worth compressing
    assert any("Uncompressed" in kinds for _, kinds in storage(plain)), storage(plain)
    del plain
    pw.configure_engine(memory_limit="200MB")  # now the events hold more than an eighth of the limit
    try:
        log = pw.read_parquet(tmp_path / "events.parquet", case="pt", activity="what", timestamp="when", tz="UTC")
    finally:
        pw.configure_engine(memory_limit=DEFAULT_MEMORY_LIMIT)
    threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
    if threads > 1:  # read by several threads, the rows are not stored in input order
        stored = con.execute(f"SELECT count(*) FILTER (WHERE row <> rowid) FROM {log.table.get_name()}").fetchall()
        assert stored[0][0] > 0
    out = log.to_pandas()
    assert out["row"].tolist() == list(range(n))
    assert out["case_id"].tolist() == df["pt"].tolist()
    assert (out["timestamp"].dt.tz_localize(None) == df["when"]).all()
    stored = storage(log)
    assert {c for c, _ in stored} >= {"row", "case_id", "activity", "timestamp"}
    assert all("Uncompressed" not in kinds for _, kinds in stored), stored


@pytest.mark.parametrize("value", ["-1GB", "-500MB", "0GB", "0", "0.0MB", "4", "lots", "1,5GB", "80%", "4 GB RAM",
                                   "1e3MB", "", -1, 4_000_000_000, 4.5, True, ["4GB"]])
def test_memory_limit_must_be_a_positive_size_with_its_unit(value, engine_settings):
    """DuckDB reads '-1GB' as no limit at all (16383.9 PiB), and '0GB' as a limit no statement fits in,
    so that not even the one raising it again can run: both are refused before DuckDB sees them."""
    before = pw.configure_engine()["memory_limit"]
    with pytest.raises(pw.OptionError, match=r"memory_limit=.* is not allowed: give a positive size with its unit, "
                                             r"such as '500MB', '4GB' or '1.5GiB'"):
        pw.configure_engine(memory_limit=value)
    assert pw.configure_engine()["memory_limit"] == before


@pytest.mark.parametrize("value", ["1KiB", "100KB", "15MB", "0.01GB"])
def test_memory_limit_below_the_least_the_engine_works_with_is_refused(value, engine_settings):
    with pytest.raises(pw.OptionError, match=r"is below 16MB, the least the engine works with"):
        pw.configure_engine(memory_limit=value)
    assert pw.configure_engine()["memory_limit"] == "1.8 GiB"


def test_memory_limits_that_are_sizes_are_set(engine_settings):
    shown = {"500MB": "476.8 MiB", "1.5GiB": "1.5 GiB", "4GB": "3.7 GiB", " 16MB ": "15.2 MiB", "2gib": "2.0 GiB",
             "1024 MiB": "1.0 GiB"}
    for value, expected in shown.items():
        assert pw.configure_engine(memory_limit=value)["memory_limit"] == expected
    with pytest.raises(pw.OptionError, match=r"memory_limit='99999999999TB' is not allowed: .*too large\. Give a "
                                             r"smaller size"):
        pw.configure_engine(memory_limit="99999999999TB")  # DuckDB's refusal, with the fix
    assert pw.configure_engine()["memory_limit"] == "1.0 GiB"


def test_temp_directory_must_be_a_directory_that_can_be_written(tmp_path):
    """A file, or a place whose parent is missing or a file, is refused at once (before: accepted, and
    the first spill failed with DuckDB's IOException, in the middle of an analysis)."""
    before = pw.configure_engine()["temp_directory"]
    afile = tmp_path / "extract.csv"
    afile.write_text("x")
    cases = {str(afile): "is a file, not a directory",
             str(afile / "spill"): "cannot be created: .*extract.csv' is not an existing directory .*Create it first",
             str(tmp_path / "a" / "b"): "cannot be created: .*a' is not an existing directory",
             "": "is not a directory path", "   ": "is not a directory path", 5: "is not a directory path",
             "spill\0x": "is not a directory path"}
    for value, problem in cases.items():
        with pytest.raises(pw.OptionError, match=f"temp_directory=.* {problem}"):
            pw.configure_engine(temp_directory=value)
    assert pw.configure_engine()["temp_directory"] == before
    assert afile.read_text() == "x" and not (tmp_path / "a").exists()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write anywhere")
def test_temp_directory_without_write_permission_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    for value in (locked, locked / "spill"):
        with pytest.raises(pw.OptionError, match="no permission"):
            pw.configure_engine(temp_directory=value)


def _python(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_a_new_temp_directory_is_used_for_spilling(tmp_path):
    """A directory that does not exist yet, in one that does, is accepted (as an absolute path), and the
    engine spills there; once it has spilled, another one is refused with the fix (DuckDB cannot switch)."""
    code = ("import os, sys, pathways as pw; os.chdir(sys.argv[1])\n"
            "print(pw.configure_engine(temp_directory='spill', memory_limit='50MB')['temp_directory'])\n"
            "con = pw.engine.duckdb_backend().con\n"
            "con.execute(\"CREATE TABLE t AS SELECT range AS i, repeat('x', 50) AS s FROM range(2000000)\")\n"
            "print(sorted(os.listdir('spill'))[0][:12])\n"
            "try:\n    pw.configure_engine(temp_directory=sys.argv[1])\nexcept pw.OptionError as e:\n    print(e)")
    run = _python(code, str(tmp_path))
    out, err = run.communicate(timeout=120)
    assert run.returncode == 0, err[-2000:]
    lines = out.splitlines()
    assert lines[0] == str(tmp_path / "spill")
    assert lines[1] == "duckdb_temp_"
    assert lines[2].startswith(f"temp_directory={str(tmp_path)!r} is not allowed: ")
    assert "Cannot switch temporary directory" in lines[2] and "right after importing pathways" in lines[2]


# --- spill directories -----------------------------------------------------------------------------

GONE = 4_194_305  # above the largest process id Linux (2**22) or macOS allows: never runs

needs_flock = pytest.mark.skipif(os.name != "posix", reason="the sweep needs flock (POSIX)")


@needs_flock
def test_spill_directories_of_ended_processes_are_swept(tmp_path):
    """Old directories (no lock file): removed when empty and their process id does not run. Directories
    with a free lock: removed with their spill files. Nothing else is touched."""
    from pathways.engine import SPILL_LOCK, SPILL_PREFIX, sweep_spill_directories

    names = {"ended, empty": f"{SPILL_PREFIX}{GONE}-a1b2c3d4", "ended, spill files": f"{SPILL_PREFIX}{GONE}-e5f6g7h8",
             "running": f"{SPILL_PREFIX}{os.getpid()}-i9j0k1l2", "old name": f"{SPILL_PREFIX}0bq7wbtz",
             "old name, digits": f"{SPILL_PREFIX}12345678", "not ours": f"other-{GONE}-m3n4o5p6",
             "free lock": f"{SPILL_PREFIX}{os.getpid()}-q1w2e3r4", "free lock, old name": f"{SPILL_PREFIX}x9y8z7w6"}
    for name in names.values():
        (tmp_path / name).mkdir()
    (tmp_path / names["ended, spill files"] / "duckdb_temp_storage-0.tmp").write_bytes(b"x")
    for key in ("free lock", "free lock, old name"):  # an ended process's lock file: nobody holds it
        (tmp_path / names[key] / SPILL_LOCK).write_bytes(b"")
        (tmp_path / names[key] / "sub").mkdir()
        (tmp_path / names[key] / "sub" / "duckdb_temp_storage-1.tmp").write_bytes(b"y" * 1000)
    removed = sweep_spill_directories(str(tmp_path))
    assert sorted(removed) == sorted(str(tmp_path / names[k]) for k in ("ended, empty", "free lock"))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        n for k, n in names.items() if k not in ("ended, empty", "free lock"))


@needs_flock
def test_the_sweep_touches_only_our_own_real_directories(tmp_path, monkeypatch):
    """A symbolic link with a spill directory's name is not followed; another user's directory is kept."""
    from pathways import engine
    from pathways.engine import SPILL_LOCK, SPILL_PREFIX, sweep_spill_directories

    target = tmp_path / "elsewhere"
    (target / "keep").mkdir(parents=True)
    (target / SPILL_LOCK).write_bytes(b"")
    (target / "keep" / "data.txt").write_text("precious")
    sweep_root = tmp_path / "tmp"
    sweep_root.mkdir()
    (sweep_root / f"{SPILL_PREFIX}{GONE}-link0001").symlink_to(target, target_is_directory=True)
    other = sweep_root / f"{SPILL_PREFIX}{GONE}-other001"
    other.mkdir()
    (other / SPILL_LOCK).write_bytes(b"")
    monkeypatch.setattr(engine.os, "getuid", lambda: os.stat(other).st_uid + 1)
    assert sweep_spill_directories(str(sweep_root)) == []
    monkeypatch.undo()
    assert (target / "keep" / "data.txt").read_text() == "precious" and other.is_dir()
    assert sweep_spill_directories(str(sweep_root)) == [str(other)]  # ours after all: its lock is free
    assert (sweep_root / f"{SPILL_PREFIX}{GONE}-link0001").is_symlink() and (target / "keep" / "data.txt").exists()


@needs_flock
def test_a_killed_process_leaves_a_spill_directory_the_next_one_removes_with_its_files():
    """A process killed before its exit handlers ran (as a Jupyter kernel is) leaves its spill directory,
    with the files DuckDB spilled; the next process that starts the engine removes all of it, because the
    killed process's lock on the directory is free. Before, only an empty directory was removed."""
    from pathways.engine import SPILL_LOCK, SPILL_PREFIX, sweep_spill_directories

    code = ("import os, signal; from pathways.engine import duckdb_backend\n"
            "spill = duckdb_backend().con.execute(\"SELECT current_setting('temp_directory')\").fetchall()[0][0]\n"
            "open(os.path.join(spill, 'duckdb_temp_storage-0.tmp'), 'wb').write(b'x' * 100_000)\n"
            "print(spill, flush=True)\nos.kill(os.getpid(), signal.SIGKILL)")
    killed = _python(code)
    left = killed.communicate(timeout=120)[0].strip()
    assert killed.returncode == -9 and os.path.isdir(left)
    assert os.path.basename(left).startswith(f"{SPILL_PREFIX}{killed.pid}-")
    assert sorted(os.listdir(left)) == ["duckdb_temp_storage-0.tmp", SPILL_LOCK]
    assert left in sweep_spill_directories(tempfile.gettempdir()) and not os.path.exists(left)


@needs_flock
def test_a_live_process_keeps_its_spill_directory_whatever_its_process_id(tmp_path):
    """The process id in a name says nothing across pid namespaces (containers): a directory named with an
    id that does not run here, whose lock a live process holds, is kept, spill files and all; once that
    process ends, the next sweep removes it."""
    from pathways.engine import SPILL_PREFIX, sweep_spill_directories

    path = tmp_path / f"{SPILL_PREFIX}{GONE}-live0001"
    code = ("import os, sys; from pathways.engine import _hold_lock\nos.mkdir(sys.argv[1])\n"
            "fd = _hold_lock(sys.argv[1])\nopen(os.path.join(sys.argv[1], 'duckdb_temp_storage-0.tmp'), 'wb')"
            ".write(b'x')\nprint(fd is not None, flush=True)\nsys.stdin.read()")
    live = _python(code, str(path))
    try:
        assert live.stdout.readline().strip() == "True"
        assert sweep_spill_directories(str(tmp_path)) == [] and (path / "duckdb_temp_storage-0.tmp").exists()
    finally:
        live.communicate(timeout=60)
    assert sweep_spill_directories(str(tmp_path)) == [str(path)] and not path.exists()


@needs_flock
def test_this_process_holds_the_lock_on_its_spill_directory():
    """The engine's own spill directory has its lock file, locked by this process: a sweep keeps it."""
    import fcntl

    from pathways.engine import SPILL_LOCK, sweep_spill_directories

    spill = duckdb_backend().con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0]
    lock = os.path.join(spill, SPILL_LOCK)
    assert os.path.isfile(lock) and oct(os.stat(spill).st_mode & 0o777) == "0o700"
    fd = os.open(lock, os.O_RDWR)  # another open file description: flock sees the conflict
    try:
        with pytest.raises(BlockingIOError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(fd)
    assert spill not in sweep_spill_directories(os.path.dirname(spill)) and os.path.isdir(spill)
