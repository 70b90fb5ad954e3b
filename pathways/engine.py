"""Engine connections. DuckDB (through Ibis) is the embedded default; Spark (:mod:`pathways._spark`,
``pip install 'pathways[spark]'``) runs the same Ibis expressions where the data is.

The analyses never ask which engine they run on: the few things that differ (the engine
builtins of :mod:`pathways._udf`, materialised tables, calendar tests) are handled here and in
:mod:`pathways._spark`, and tests/spark/ checks that both engines give identical tables.

Timestamps are stored as ``TIMESTAMPTZ`` (instants) and the session runs in UTC,
so that every difference of times is exact, across daylight-saving changes too.
Calendar parts (weekday, hour, midnight) are taken of :func:`local_time`, which
converts an instant to the wall-clock time of the log's zone.
"""

from __future__ import annotations

import os

import itertools
import threading

_lock = threading.Lock()
_backend = None
_names = itertools.count()


#: DuckDB's working memory by default; beyond it, sorts and joins spill to a private temporary
#: directory. DuckDB's own default (80 % of RAM) makes a large log take far more memory for no
#: gain: measured on 11 million events, a 2.5 GB limit ran faster than no limit (see benchmarks/).
DEFAULT_MEMORY_LIMIT = "2GB"


#: The DuckDB database that holds the events tables (in memory, compressed once built).
STORE = "pathways"


def duckdb_backend():
    """The shared in-process Ibis DuckDB backend (session time zone UTC, memory limit, spill directory)."""
    global _backend
    with _lock:
        if _backend is None:
            import ibis

            _backend = ibis.duckdb.connect()
            _backend.con.execute("SET TimeZone = 'UTC'")
            # every result that has an order says so (ORDER BY, or the input row number): letting
            # DuckDB reorder the rest saves time and memory on large logs
            _backend.con.execute("SET preserve_insertion_order = false")
            # nothing is ever downloaded at run time: the extensions pathways uses (parquet, icu, json)
            # are built into DuckDB's wheel; without this a URL or an unusual function would fetch one
            _backend.con.execute("SET autoinstall_known_extensions = false")
            _settings(_backend.con, memory_limit=DEFAULT_MEMORY_LIMIT, temp_directory=_spill_directory())
            # the events of every log live in an in-memory database that stores its tables compressed
            # (DuckDB 1.4's in-memory checkpoint, see compress_tables); temporary tables and views,
            # the intermediate results, stay in DuckDB's own temporary catalogue
            _backend.con.execute(f"ATTACH ':memory:' AS {STORE} (COMPRESS)")
            _backend.con.execute(f"USE {STORE}")
            for method in ("execute", "to_pyarrow", "to_pyarrow_batches", "create_table"):
                setattr(_backend, method, _explain_out_of_memory(getattr(_backend, method)))
        return _backend


def _explain_out_of_memory(method):
    """``method`` of the Ibis backend, with DuckDB's out-of-memory error turned into EngineMemoryError
    saying how to give the engine more memory from pathways (DuckDB's own message names SQL settings)."""
    import functools

    import duckdb

    @functools.wraps(method)
    def run(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except duckdb.OutOfMemoryException as exc:
            from .errors import EngineMemoryError

            limit = _backend.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
            ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30 if hasattr(os, "sysconf") else None
            has = f" (this machine has {ram:.0f} GiB)" if ram else ""
            raise EngineMemoryError(
                f"the engine needed more than its memory limit of {limit} for this analysis. Sorts, windows and "
                "joins spill to disk beyond the limit, but a median or percentile per group holds its values in "
                f"memory. Raise the limit before the analysis, e.g. pw.configure_engine(memory_limit=\"8GB\"){has}, "
                "or analyse a smaller log (pw.filter_period, pw.filter_cases).") from exc
    return run


def configure_engine(*, memory_limit: str | None = None, temp_directory: str | None = None,
                     threads: int | None = None) -> dict:
    """Set how much memory and how many threads the DuckDB engine may use, and where it spills.

    Parameters
    ----------
    memory_limit : str, optional
        DuckDB's working memory, e.g. ``"4GB"`` (default 2GB). Sorts, windows and joins
        larger than this spill to ``temp_directory`` instead of failing; a median or
        percentile per group cannot, and an analysis that needs more raises
        :class:`~pathways.errors.EngineMemoryError` saying so (figures at 110 million
        events: benchmarks/README.md).
    temp_directory : str, optional
        Where to spill (default: a private directory under the system's temporary
        directory, removed when Python exits, or by the next pathways process when it
        is empty and this one was killed).
    threads : int, optional
        Worker threads (DuckDB's default: one per core).

    Returns
    -------
    dict
        The settings now in force: ``memory_limit``, ``temp_directory``, ``threads``.

    Examples
    --------
    >>> import pathways as pw
    >>> pw.configure_engine(memory_limit="2GB")["memory_limit"]
    '1.8 GiB'
    """
    con = duckdb_backend().con
    _settings(con, memory_limit=memory_limit, temp_directory=temp_directory, threads=threads)
    names = ("memory_limit", "temp_directory", "threads")
    return {n: con.execute(f"SELECT current_setting('{n}')").fetchall()[0][0] for n in names}


def _settings(con, **settings) -> None:
    for name, value in settings.items():
        if value is None:
            continue
        if name == "threads" and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            from .errors import OptionError

            raise OptionError(f"threads={value!r} is not allowed; give a whole number of 1 or more.")
        try:
            con.execute(f"SET {name} = {sql_literal(str(value)) if name != 'threads' else int(value)}")
        except Exception as err:  # DuckDB says what is wrong with the value
            from .errors import OptionError

            raise OptionError(f"{name}={value!r} is not allowed: {str(err).splitlines()[0]}") from None


SPILL_PREFIX = "pathways-duckdb-"


def _spill_directory() -> str:
    """A private directory (mode 700) for DuckDB to spill to, removed when Python exits.

    Its name carries the process id, so that a later process can remove it when this one was
    killed before its exit handlers ran (a Jupyter kernel stopped or restarted, a job killed).
    """
    import atexit
    import shutil
    import tempfile

    sweep_spill_directories(tempfile.gettempdir())
    path = tempfile.mkdtemp(prefix=f"{SPILL_PREFIX}{os.getpid()}-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def sweep_spill_directories(root: str) -> list[str]:
    """Remove the empty spill directories in ``root`` of pathways processes that no longer run.

    Only empty ones: a directory that still holds spill files is left as it is. Only on POSIX
    systems, where asking whether a process id runs has no side effect. Returns the removed paths.
    """
    if os.name != "posix":
        return []
    try:
        names = [name for name in os.listdir(root) if name.startswith(SPILL_PREFIX)]
    except OSError:  # an unreadable temporary directory: nothing to sweep, the engine still starts
        return []
    removed = []
    for name in names:
        pid, dash, _ = name[len(SPILL_PREFIX):].partition("-")
        if not (dash and pid.isdigit()) or _runs(int(pid)):
            continue
        path = os.path.join(root, name)
        try:
            os.rmdir(path)  # refused when not empty, or not ours in a sticky /tmp
        except OSError:
            continue
        removed.append(path)
    return removed


def _runs(pid: int) -> bool:
    """Whether a process with this id runs (POSIX; another user's process counts as running)."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:  # another user's process
        pass
    return True


def check_zone(tz: str) -> str:
    """``tz`` if it is an IANA time zone name, else OptionError."""
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(str(tz))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        from .errors import OptionError, closest

        hint = closest(str(tz), sorted(zoneinfo.available_timezones()))
        did = f" Did you mean {hint!r}?" if hint else ""
        raise OptionError(f"tz={tz!r} is not a time zone. Use an IANA name such as "
                          f"'Europe/Copenhagen' or 'UTC'.{did}") from None
    return str(tz)


def local_time(ts, tz: str):
    """Ibis expression: the wall-clock time in ``tz`` of the instant ``ts`` (a naive timestamp).

    Take calendar parts (``.hour()``, ``.day_of_week``, ``.date()``) of this, never of
    the stored instant, which is in UTC.
    """
    from ._udf import wall_clock

    return wall_clock(tz, ts)


# --- engine-neutral handling of tables ---------------------------------------------------------
#: The engines: DuckDB in-process (default), Spark (``pip install 'pathways[spark]'``).
ENGINES = ("duckdb", "spark")


def engine_of(backend) -> str:
    """``"duckdb"`` or ``"spark"``: the engine an Ibis backend belongs to."""
    return "spark" if getattr(backend, "name", None) == "pyspark" else "duckdb"


def create_table(backend, name: str, expr) -> None:
    """Compute the Ibis expression ``expr`` once into the engine's table ``name`` (Spark: a cached view).

    On DuckDB the table keeps the query's own column types (``CREATE TABLE AS``), so the ENUM
    text columns of the events stay ENUMs in tables computed from them (Ibis' ``create_table``
    would declare them VARCHAR, and later sorts and joins would compare strings).
    """
    if engine_of(backend) == "duckdb":
        backend._run_pre_execute_hooks(expr)  # registers the in-memory tables the query reads
        run = _explain_out_of_memory(backend.con.execute)
        run(f"CREATE TEMP TABLE {sql_quote(name)} AS {backend.compile(expr)}")
    else:
        from . import _spark

        _spark.materialize(backend, name, expr)


def compress_tables(backend) -> None:
    """Compress the engine's tables of events once they are built (DuckDB; nothing on Spark).

    Compressed, an events table is much smaller (11 million events: 164 MB against 1.07 GB),
    so the tables and the working memory of the analyses fit in the memory limit
    and DuckDB does not keep moving table blocks to its spill directory and back. Scans
    decompress as they read, no slower than before (benchmarks/README.md, session 6).
    """
    if engine_of(backend) == "duckdb":
        _explain_out_of_memory(backend.con.execute)(f"CHECKPOINT {STORE}")


def enum_values(backend, expr, column: str) -> list | None:
    """The values of ``column`` of the Ibis table ``expr`` when the engine keeps it as an ENUM (DuckDB), else None."""
    if engine_of(backend) != "duckdb":
        return None
    e = expr.select(column).limit(0)
    backend._run_pre_execute_hooks(e)
    kind = backend.con.sql(str(backend.compile(e))).types[0]
    return list(kind.children[0][1]) if kind.id == "enum" else None


def engine_table(backend, name: str):
    """``(table, expression)``: the Ibis table ``name`` and the expression analyses use (Spark: times typed UTC)."""
    if engine_of(backend) == "duckdb":
        table = backend.table(name)
        return table, table
    from . import _spark

    return _spark.table(backend, name)


def drop_table(backend, name: str) -> None:
    """Drop the engine table ``name`` (quietly: the engine may be gone at interpreter exit)."""
    if engine_of(backend) == "duckdb":
        try:
            backend.con.execute(f"DROP TABLE IF EXISTS {sql_quote(name)}")
        except Exception:
            pass
    else:
        from . import _spark

        _spark.drop(backend, name)


def local_midnight(ts, tz: str, backend):
    """Ibis boolean: the instant ``ts`` is exactly midnight in the wall-clock time of ``tz``."""
    import datetime

    local = local_time(ts, tz)
    if engine_of(backend) == "duckdb":
        return local.time() == datetime.time(0, 0)
    return local.truncate("D") == local  # Spark has no TIME type


def fresh_name(prefix: str) -> str:
    """A table or view name not used before in this process."""
    return f"__pw_{prefix}_{next(_names)}"


def sql_quote(name: str) -> str:
    """Quote an identifier for DuckDB SQL."""
    return '"' + str(name).replace('"', '""') + '"'


def sql_literal(value: str) -> str:
    """Quote a string literal for DuckDB SQL."""
    return "'" + str(value).replace("'", "''") + "'"
