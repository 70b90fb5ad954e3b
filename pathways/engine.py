"""Engine connections. DuckDB (through Ibis) is the embedded default; Spark (:mod:`pathways.spark_session`,
``pip install 'pathways[spark]'``) runs the same Ibis expressions where the data is.

The analyses never ask which engine they run on: the few things that differ (the engine
builtins of :mod:`pathways.udf`, materialised tables, calendar tests) are handled here and in
:mod:`pathways.spark_session`, and tests/spark/ checks that both engines give identical tables.

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
    """The shared in-process Ibis DuckDB backend (session time zone UTC, memory limit, spill directory).

    Its connection (``backend.con``) is a :class:`_Guarded` DuckDB connection: every statement
    pathways or Ibis sends through it, and every result read from it, turns DuckDB's
    out-of-memory error into :class:`~pathways.errors.EngineMemoryError`.
    """
    global _backend
    with _lock:
        if _backend is None:
            import ibis

            backend = ibis.duckdb.connect()
            backend.con = _Guarded(backend.con)
            backend.con.execute("SET TimeZone = 'UTC'")
            # every result that has an order says so (ORDER BY, or the input row number): letting
            # DuckDB reorder the rest saves time and memory on large logs
            backend.con.execute("SET preserve_insertion_order = false")
            # nothing is ever downloaded at run time: the extensions pathways uses (parquet, icu, json)
            # are built into DuckDB's wheel; without this a URL or an unusual function would fetch one
            backend.con.execute("SET autoinstall_known_extensions = false")
            _settings(backend.con, memory_limit=DEFAULT_MEMORY_LIMIT, temp_directory=_spill_directory())
            # the events of every log live in an in-memory database that stores its tables compressed
            # (DuckDB 1.4's in-memory checkpoint, see compress_tables); temporary tables and views,
            # the intermediate results, stay in DuckDB's own temporary catalogue
            backend.con.execute(f"ATTACH ':memory:' AS {STORE} (COMPRESS)")
            backend.con.execute(f"USE {STORE}")
            _backend = backend
        return _backend


class _Guarded:
    """A DuckDB connection or relation whose every call turns DuckDB's out-of-memory error into
    :class:`~pathways.errors.EngineMemoryError` (saying how to give the engine more memory from
    pathways; DuckDB's own message names SQL settings).

    The one place where that happens: the shared backend's connection is wrapped in this, so the
    readers' ``con.execute``/``con.register``, Ibis' ``con.sql(...)`` and the relations and cursors
    they return (``.fetchall()``, ``.df()``, ``.to_arrow_table()``) are all covered.
    """

    __slots__ = ("_target",)

    def __init__(self, target):
        object.__setattr__(self, "_target", target)

    def __getattr__(self, name):
        value = _guarded_call(getattr, self._target, name)  # a property may run the query (.shape)
        if not callable(value):
            return value

        def call(*args, **kwargs):
            return self._wrap(_guarded_call(value, *args, **kwargs))
        return call

    def __setattr__(self, name, value):
        setattr(self._target, name, value)

    def _wrap(self, result):
        import duckdb

        if result is self._target:  # con.execute(...) returns the connection itself
            return self
        if isinstance(result, (duckdb.DuckDBPyConnection, duckdb.DuckDBPyRelation)):
            return _Guarded(result)
        return result

    def __repr__(self):
        return _guarded_call(repr, self._target)

    def __str__(self):
        return _guarded_call(str, self._target)

    def __len__(self):
        return _guarded_call(len, self._target)

    def __getitem__(self, key):
        return self._wrap(_guarded_call(self._target.__getitem__, key))

    def __enter__(self):
        self._target.__enter__()
        return self

    def __exit__(self, *exc):
        return self._target.__exit__(*exc)


def _guarded_call(function, *args, **kwargs):
    """``function(*args, **kwargs)``, with DuckDB's out-of-memory error raised as EngineMemoryError."""
    import duckdb

    try:
        return function(*args, **kwargs)
    except duckdb.OutOfMemoryException as exc:
        from .errors import EngineMemoryError

        try:
            limit = " of " + _backend.con._target.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        except Exception:  # the engine cannot even say (or is still starting): its limit matters, not the number
            limit = ""
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30 if hasattr(os, "sysconf") else None
        has = f" (this machine has {ram:.0f} GiB)" if ram else ""
        raise EngineMemoryError(
            f"the engine needed more than its memory limit{limit}. Sorts, windows and joins spill to disk "
            "beyond the limit, but some work holds its values in memory: a median or percentile per group, "
            "the distinct names of a log being read. Raise the limit before reading or analysing, e.g. "
            f"pw.configure_engine(memory_limit=\"8GB\"){has}, or work on a smaller log (pw.filter_period, "
            "pw.filter_cases, fewer attribute columns).") from exc


def configure_engine(*, memory_limit: str | None = None, temp_directory: str | os.PathLike | None = None,
                     threads: int | None = None) -> dict:
    """Set how much memory and how many threads the DuckDB engine may use, and where it spills.

    Parameters
    ----------
    memory_limit : str, optional
        DuckDB's working memory: a positive size with its unit, e.g. ``"500MB"``,
        ``"4GB"`` or ``"1.5GiB"``, at least ``"16MB"`` (default 2GB). Sorts, windows
        and joins larger than this spill to ``temp_directory`` instead of failing; a
        median or percentile per group cannot, and a read or an analysis that needs
        more raises :class:`~pathways.errors.EngineMemoryError` saying so (figures at
        110 million events: benchmarks/README.md). There is no "no limit": give a size.
    temp_directory : str or os.PathLike, optional
        Where to spill: an existing directory you can write to, or a new one whose
        parent exists (the engine creates it when it first spills). The default is a
        private directory (mode 700) under the system's temporary directory, removed
        when Python exits. If the process is killed before that (a Jupyter kernel
        stopped, a job killed), the next pathways process of the same user removes
        it, spill files included: the live process holds a lock (``flock``) on a file
        in its directory, and only a directory whose lock is free is removed, so a
        process that still runs, in any container or pid namespace, keeps its own
        (on systems without ``flock``, such as Windows, nothing is swept).
    threads : int, optional
        Worker threads (DuckDB's default: one per core).

    Returns
    -------
    dict
        The settings now in force: ``memory_limit``, ``temp_directory``, ``threads``.

    Raises
    ------
    OptionError
        A value that is not allowed (a size that is not positive, or without its unit;
        a ``temp_directory`` that is a file or cannot be created or written; threads
        below 1), checked before anything changes; or a value DuckDB refuses (a size
        too large, a new ``temp_directory`` once the engine has spilled), with its reason.

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


#: The smallest memory limit accepted: below a few hundred KiB DuckDB cannot run even the
#: statement that would raise the limit again, and no read or analysis works in less than this.
MIN_MEMORY_LIMIT = "16MB"

_SIZE_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
               "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def _settings(con, **settings) -> None:
    """Check every setting given (OptionError with the fix, before anything changes), then SET them."""
    import duckdb

    from .errors import OptionError

    checks = {"memory_limit": _memory_limit_sql, "temp_directory": _temp_directory_sql, "threads": _threads_sql}
    statements = [(name, value, checks[name](value)) for name, value in settings.items() if value is not None]
    fixes = {"memory_limit": "Give a smaller size, such as '8GB'.",
             "temp_directory": "Choose the directory before the engine first spills: call "
                               "pw.configure_engine(temp_directory=...) right after importing pathways."}
    for name, value, sql in statements:
        try:
            con.execute(f"SET {name} = {sql}")
        except duckdb.Error as err:  # DuckDB says what is wrong (out of memory is EngineMemoryError already)
            raise OptionError(f"{name}={value!r} is not allowed: {str(err).splitlines()[0]}. "
                              f"{fixes.get(name, '')}".rstrip()) from None


def memory_limit_bytes(backend) -> float | None:
    """The DuckDB engine's memory limit in bytes (None when it cannot be read)."""
    text = backend.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    return _size_bytes(str(text).replace(" ", ""))


def _size_bytes(text) -> float | None:
    """Bytes of a size such as ``"500MB"`` or ``"1.5GiB"``; None when ``text`` is not such a size."""
    import re

    if not isinstance(text, str):
        return None
    found = re.fullmatch(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]+)\s*", text, flags=re.IGNORECASE)
    if not found or found.group(2).lower() not in _SIZE_UNITS:
        return None
    return float(found.group(1)) * _SIZE_UNITS[found.group(2).lower()]


def _memory_limit_sql(value) -> str:
    from .errors import OptionError

    size = _size_bytes(value)
    if size is None or size <= 0:
        raise OptionError(
            f"memory_limit={value!r} is not allowed: give a positive size with its unit, such as '500MB', "
            "'4GB' or '1.5GiB' (units B, KB, MB, GB, TB, KiB, MiB, GiB, TiB). A negative or zero size would "
            "remove the limit or stop the engine; for more memory give a larger size.")
    if size < _size_bytes(MIN_MEMORY_LIMIT):
        raise OptionError(
            f"memory_limit={value!r} is below {MIN_MEMORY_LIMIT}, the least the engine works with (a smaller "
            "limit stops even the statement that would raise it again). Give e.g. '500MB' or more.")
    return sql_literal(f"{int(size)}B")


def _temp_directory_sql(value) -> str:
    from .errors import OptionError

    fix = "Give a directory you can write to, or a new one inside such a directory."
    path = os.fspath(value) if isinstance(value, (str, os.PathLike)) else None
    if not isinstance(path, str) or not path.strip() or "\0" in path:
        raise OptionError(f"temp_directory={value!r} is not a directory path. {fix}")
    path = os.path.abspath(path)
    writable = os.W_OK | os.X_OK
    if os.path.isdir(path):
        if not os.access(path, writable):
            raise OptionError(f"temp_directory={value!r} cannot be written (no permission). {fix}")
    elif os.path.lexists(path):
        raise OptionError(f"temp_directory={value!r} is a file, not a directory. {fix}")
    else:
        parent = os.path.dirname(path)
        if not os.path.isdir(parent):
            raise OptionError(f"temp_directory={value!r} cannot be created: {parent!r} is not an existing "
                              "directory (the engine creates only the last one). Create it first, or give an "
                              "existing directory you can write to.")
        if not os.access(parent, writable):
            raise OptionError(f"temp_directory={value!r} cannot be created: no permission to write in "
                              f"{parent!r}. {fix}")
    return sql_literal(path)


def _threads_sql(value) -> str:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        from .errors import OptionError

        raise OptionError(f"threads={value!r} is not allowed; give a whole number of 1 or more.")
    return str(int(value))


SPILL_PREFIX = "pathways-duckdb-"
#: The file in every spill directory on which its live process holds an exclusive ``flock``.
SPILL_LOCK = "pathways.lock"
#: The open (and locked) lock file of this process's spill directory, kept for the life of the process.
_spill_lock = None


def _spill_directory() -> str:
    """A private directory (mode 700) for DuckDB to spill to, removed when Python exits.

    Its name carries the process id, and it holds the lock file :data:`SPILL_LOCK`, locked by this
    process as long as it lives, so that a later process can remove it (spill files included)
    when this one was killed before its exit handlers ran (a Jupyter kernel stopped or restarted,
    a job killed). The directory is built under a hidden name and renamed into place once locked:
    a sweep never sees it unlocked.
    """
    import atexit
    import shutil
    import tempfile

    global _spill_lock
    root = tempfile.gettempdir()
    sweep_spill_directories(root)
    building = tempfile.mkdtemp(prefix=f".{SPILL_PREFIX}{os.getpid()}-", dir=root)
    _spill_lock = _hold_lock(building)
    path = os.path.join(root, os.path.basename(building)[1:])
    try:
        os.rename(building, path)
    except OSError:  # the name is taken (cannot happen with mkdtemp's random part): keep the hidden one
        path = building
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def _hold_lock(directory: str):
    """Create :data:`SPILL_LOCK` in ``directory`` and hold an exclusive ``flock`` on it; return its
    file descriptor (keep it open), or None where the system or file system has no ``flock``."""
    try:
        import fcntl
    except ImportError:  # Windows
        return None
    lock = os.path.join(directory, SPILL_LOCK)
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # a file system without flock: no lock file, the sweep keeps its process id test
        os.close(fd)
        os.unlink(lock)
        return None
    return fd


def sweep_spill_directories(root: str) -> list[str]:
    """Remove the spill directories in ``root`` of pathways processes that no longer run.

    A directory whose lock file (:data:`SPILL_LOCK`) is not locked by a live process is removed
    with everything in it: the lock is released by the system when its process ends, however it
    ends, and it is seen from any pid namespace. A directory of an older version (no lock file) is
    removed only when it is empty and its process id does not run. Only directories of the current
    user, named ``pathways-duckdb-<pid>-...``, are touched; symbolic links are never followed. Only
    on POSIX systems (``flock``). Returns the removed paths.
    """
    try:
        import fcntl
    except ImportError:  # Windows
        return []
    import shutil
    import stat

    try:
        names = [name for name in os.listdir(root) if name.startswith(SPILL_PREFIX)]
    except OSError:  # an unreadable temporary directory: nothing to sweep, the engine still starts
        return []
    removed = []
    for name in names:
        pid, dash, _ = name[len(SPILL_PREFIX):].partition("-")
        path = os.path.join(root, name)
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if not (dash and pid.isdigit()) or not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
            continue
        try:
            fd = os.open(os.path.join(path, SPILL_LOCK), os.O_RDWR | os.O_NOFOLLOW)
        except FileNotFoundError:  # an older version's directory: only when empty and its process is gone
            if not _runs(int(pid)):
                try:
                    os.rmdir(path)  # refused when not empty
                except OSError:
                    continue
                removed.append(path)
            continue
        except OSError:  # a symbolic link, or not ours
            continue
        try:
            lock = os.fstat(fd)
            if not stat.S_ISREG(lock.st_mode) or lock.st_uid != os.getuid():
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # held: its process runs
                continue
            shutil.rmtree(path, ignore_errors=True)
        finally:
            os.close(fd)
        if not os.path.lexists(path):
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
    from .udf import wall_clock

    return wall_clock(tz, ts)


# --- the engine adapter ------------------------------------------------------------------------
#: The engines: DuckDB in-process (default), Spark (``pip install 'pathways[spark]'``).
ENGINES = ("duckdb", "spark")


class Engine:
    """What differs between the engines, in one place, so that nothing else asks which engine it runs on.

    Two things: the SQL spelling of the parts of the validation written once for both engines
    (:func:`pathways.eventlog.text_sql`, :func:`~pathways.eventlog.row_checks`, the class joins), and the
    handling of engine tables (compute one, use it, drop it, replace a column of a log). :data:`DUCKDB`
    (this class) and :data:`SPARK` are the two; :func:`engine_for` gives a backend's.
    """

    name = "duckdb"
    #: the text and instant types, as the engine spells them in a CAST
    text = "VARCHAR"
    instant = "TIMESTAMPTZ"

    # --- SQL spelling ---
    def quote(self, name: str) -> str:
        """An identifier."""
        return sql_quote(name)

    def literal(self, value: str) -> str:
        """A string literal."""
        return sql_literal(value)

    def finite(self, x: str) -> str:
        """Boolean: the number ``x`` is neither NaN nor infinite.

        Not ``isnan()``: DuckDB folds it to false from a Parquet file's statistics, which leave NaN out.
        """
        return f"isfinite({x})"

    def repr_text(self, x: str) -> str:
        """The finite, non-negative double ``x`` as text, written as Python's ``repr`` writes it
        (``1e+20``, ``1.5e-07``, ``12345678.9``). DuckDB's cast writes exactly that."""
        return f"CAST({x} AS VARCHAR)"

    def blank_as_null(self, text: str) -> str:
        """The text without blanks at either end, NULL when nothing is left (see
        :func:`pathways.eventlog.blank_as_null`)."""
        from .eventlog import WHITESPACE

        ws = f"[{WHITESPACE}]+"  # no quote, backslash, ] or - in WHITESPACE
        return f"NULLIF(regexp_replace({text}, '^{ws}|{ws}$', '', 'g'), '')"

    def matches(self, text: str, pattern: str) -> str:
        """Boolean: the regular expression ``pattern`` (as written in Python) is found in ``text``."""
        return f"regexp_matches({text}, {self.literal(pattern)})"

    def instant_text(self, t: str) -> str:
        """An instant as text, as DuckDB writes a TIMESTAMPTZ in UTC (``2023-01-02 10:00:00+00``)."""
        return f"CAST({t} AS VARCHAR)"

    def utf8(self, text: str) -> str:
        """The bytes of ``text`` in UTF-8."""
        return f"encode({text})"

    def join_bytes(self, *parts: str) -> str:
        """Byte strings one after the other."""
        return " || ".join(parts)

    def sha256(self, data: str) -> str:
        """SHA-256 of the bytes ``data``, as 64 lower-case hex digits."""
        return f"sha256({data})"

    # --- tables ---
    def create_table(self, backend, name: str, expr) -> None:
        """Compute the Ibis expression ``expr`` once into the table ``name``.

        The table keeps the query's own column types (``CREATE TABLE AS``), so the ENUM text
        columns of the events stay ENUMs in tables computed from them (Ibis' ``create_table``
        would declare them VARCHAR, and later sorts and joins would compare strings).
        """
        backend._run_pre_execute_hooks(expr)  # registers the in-memory tables the query reads
        backend.con.execute(f"CREATE TEMP TABLE {sql_quote(name)} AS {backend.compile(expr)}")

    def replace_column(self, backend, name: str, expr, column: str, sql: str) -> None:
        """Compute the Ibis table ``expr`` into the table ``name`` with ``column`` replaced by the SQL ``sql``
        (same name and position), computed in the engine."""
        con = backend.con
        view = fresh_name("replace_source")
        backend.create_view(view, expr)
        try:
            con.execute(f"CREATE TABLE {sql_quote(name)} AS SELECT * REPLACE ({sql} AS {sql_quote(column)}) "
                        f"FROM {sql_quote(view)}")
        finally:
            con.execute(f"DROP VIEW IF EXISTS {sql_quote(view)}")
        self.compress(backend)

    def table(self, backend, name: str):
        """``(table, expression)``: the Ibis table ``name`` and the expression analyses use."""
        table = backend.table(name)
        return table, table

    def drop_table(self, backend, name: str) -> None:
        """Drop the table ``name`` (quietly: the engine may be gone at interpreter exit)."""
        try:
            backend.con.execute(f"DROP TABLE IF EXISTS {sql_quote(name)}")
        except Exception:
            pass

    def compress(self, backend) -> None:
        """See :func:`compress_tables`."""
        limit = memory_limit_bytes(backend)
        held = backend.con.execute("SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory() "
                                   "WHERE tag = 'IN_MEMORY_TABLE'").fetchall()[0][0]
        if limit is None or held * COMPRESS_SHARE > limit:
            backend.con.execute(f"CHECKPOINT {STORE}")

    def enum_values(self, backend, expr, column: str) -> list | None:
        """See :func:`enum_values`."""
        e = expr.select(column).limit(0)
        backend._run_pre_execute_hooks(e)
        kind = backend.con.sql(str(backend.compile(e))).types[0]
        return list(kind.children[0][1]) if kind.id == "enum" else None

    def is_midnight(self, local):
        """Ibis boolean: the wall-clock time ``local`` is midnight."""
        import datetime

        return local.time() == datetime.time(0, 0)


class SparkEngine(Engine):
    """Spark: Spark SQL's spelling, and tables as cached views (see :mod:`pathways.spark_session`)."""

    name = "spark"
    text = "STRING"
    instant = "TIMESTAMP"  # Spark's TIMESTAMP is an instant (the session runs in UTC)

    def quote(self, name: str) -> str:
        return "`" + str(name).replace("`", "``") + "`"

    def literal(self, value: str) -> str:
        return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"  # backslash escapes

    def finite(self, x: str) -> str:
        return f"(NOT isnan({x}) AND abs({x}) < CAST('Infinity' AS DOUBLE))"

    def repr_text(self, x: str) -> str:
        """Java writes the same shortest digits as Python (Java 19 and later), in another layout: ``d.dddE<n>``
        outside 1e-3 to 1e7, else ``ddd.ddd``. The fixed layout is Python's too in that range (a whole number
        never comes here); the other is laid out again: scientific as Python writes it (``1e+20``,
        ``1.5e-07``) for exponents below -4 or from 16, else fixed (``0.00012``, ``12345678.9``,
        ``2500000000000000.0``). Java never writes fewer than two digits: where one digit reads back as
        the same number (``4.9E-324`` is ``5e-324``, only below 1e-322), that one is taken, as Python does.
        """
        java = f"CAST({x} AS STRING)"
        sci = self.literal("^([0-9]+)[.]?([0-9]*)E(-?[0-9]+)$")

        def part(s: str, k: int) -> str:
            return f"regexp_extract({s}, {sci}, {k})"

        one = f"CAST(CAST(round(try_cast(concat({part(java, 1)}, '.', {part(java, 2)}) AS DOUBLE)) AS INT) AS STRING)"
        one = f"concat({one}, 'E', {part(java, 3)})"
        # try_cast: Spark may compute a branch of a CASE it does not take (common subexpressions)
        s = (f"CASE WHEN {java} LIKE '%E%' AND length({part(java, 2)}) = 1 AND {part(java, 2)} <> '0' "
             f"AND try_cast({one} AS DOUBLE) = {x} THEN {one} ELSE {java} END")
        exp = f"(try_cast({part(s, 3)} AS INT) + length({part(s, 1)}) - 1)"
        digits = f"regexp_replace(concat({part(s, 1)}, {part(s, 2)}), '0+$', '')"
        scientific = (f"concat(substr({digits}, 1, 1), CASE WHEN length({digits}) > 1 THEN concat('.', "
                      f"substr({digits}, 2)) ELSE '' END, 'e', CASE WHEN {exp} < 0 THEN '-' ELSE '+' END, "
                      f"CASE WHEN abs({exp}) < 10 THEN '0' ELSE '' END, CAST(abs({exp}) AS STRING))")
        fixed_small = f"concat('0.', repeat('0', -1 - {exp}), {digits})"
        fixed_large = (f"CASE WHEN length({digits}) <= {exp} + 1 THEN concat({digits}, repeat('0', {exp} + 1 - "
                       f"length({digits})), '.0') ELSE concat(substr({digits}, 1, {exp} + 1), '.', "
                       f"substr({digits}, {exp} + 2)) END")
        return (f"CASE WHEN NOT {java} LIKE '%E%' THEN {java} WHEN {exp} < -4 OR {exp} >= 16 THEN {scientific} "
                f"WHEN {exp} < 0 THEN {fixed_small} ELSE {fixed_large} END")

    def blank_as_null(self, text: str) -> str:
        """Spark's ``trim(BOTH ... FROM ...)`` is cheap and keeps its generated code small."""
        from .eventlog import WHITESPACE

        return f"NULLIF(trim(BOTH '{WHITESPACE}' FROM {text}), '')"  # no quote or backslash in WHITESPACE

    def matches(self, text: str, pattern: str) -> str:
        return f"regexp({text}, {self.literal(pattern)})"

    def instant_text(self, t: str) -> str:
        return f"concat(date_format({t}, 'yyyy-MM-dd HH:mm:ss'), '+00')"

    def utf8(self, text: str) -> str:
        return f"encode({text}, 'UTF-8')"

    def join_bytes(self, *parts: str) -> str:
        return f"concat({', '.join(parts)})"

    def sha256(self, data: str) -> str:
        return f"sha2({data}, 256)"

    def create_table(self, backend, name: str, expr) -> None:
        from . import spark_session

        spark_session.materialize(backend, name, expr)

    def replace_column(self, backend, name: str, expr, column: str, sql: str) -> None:
        from . import spark_session

        spark_session.materialize(backend, name, expr, replace={column: sql})

    def table(self, backend, name: str):
        """Spark: the expression has its times typed as UTC instants (see :func:`pathways.spark_session.table`)."""
        from . import spark_session

        return spark_session.table(backend, name)

    def drop_table(self, backend, name: str) -> None:
        from . import spark_session

        spark_session.drop(backend, name)

    def compress(self, backend) -> None:
        """Spark keeps its cached tables as it sees fit."""

    def enum_values(self, backend, expr, column: str) -> None:
        return None  # Spark has no ENUMs

    def is_midnight(self, local):
        return local.truncate("D") == local  # Spark has no TIME type


DUCKDB, SPARK = Engine(), SparkEngine()


def engine_for(backend) -> Engine:
    """The :class:`Engine` of an Ibis backend: :data:`SPARK` for PySpark, else :data:`DUCKDB`."""
    return SPARK if getattr(backend, "name", None) == "pyspark" else DUCKDB


def engine_of(backend) -> str:
    """``"duckdb"`` or ``"spark"``: the engine an Ibis backend belongs to."""
    return engine_for(backend).name


def create_table(backend, name: str, expr) -> None:
    """Compute the Ibis expression ``expr`` once into the engine's table ``name`` (Spark: a cached view)."""
    engine_for(backend).create_table(backend, name, expr)


#: Tables are compressed once they hold more than ``1 / COMPRESS_SHARE`` of the memory limit.
COMPRESS_SHARE = 8


def compress_tables(backend) -> None:
    """Compress the engine's tables of events once they take more than an eighth of its memory limit (DuckDB).

    Below that (1.1 million events take 155 MB plain, against the default 2 GB limit) compressing
    costs more than it saves: 0.37 s of a 1.0 s read, for an analysis bundle no faster. The
    check counts every table the engine holds, so many small logs are compressed once together.

    Compressed, an events table is much smaller (11 million events: 164 MB against 1.07 GB),
    so the tables and the working memory of the analyses fit in the memory limit
    and DuckDB does not keep moving table blocks to its spill directory and back. Scans
    decompress as they read, no slower than before (benchmarks/README.md, session 6).
    """
    engine_for(backend).compress(backend)


def enum_values(backend, expr, column: str) -> list | None:
    """The values of ``column`` of the Ibis table ``expr`` when the engine keeps it as an ENUM (DuckDB), else None."""
    return engine_for(backend).enum_values(backend, expr, column)


def engine_table(backend, name: str):
    """``(table, expression)``: the Ibis table ``name`` and the expression analyses use (Spark: times typed UTC)."""
    return engine_for(backend).table(backend, name)


def drop_table(backend, name: str) -> None:
    """Drop the engine table ``name`` (quietly: the engine may be gone at interpreter exit)."""
    engine_for(backend).drop_table(backend, name)


def local_midnight(ts, tz: str, backend):
    """Ibis boolean: the instant ``ts`` is exactly midnight in the wall-clock time of ``tz``."""
    return engine_for(backend).is_midnight(local_time(ts, tz))


_DAY_US = 86_400_000_000


def clock_aggregates(ts, tz: str) -> dict:
    """Ibis aggregates of the clock times of ``ts`` that :func:`date_pattern` reads.

    The local and the UTC time of day (microseconds after midnight) and the zone's offset
    (local minus UTC), each as a minimum and a maximum: one pass, no Python loop.
    """
    from .udf import epoch_us

    local, utc = epoch_us(local_time(ts, tz)), epoch_us(ts)
    local_clock, utc_clock = (local % _DAY_US + _DAY_US) % _DAY_US, (utc % _DAY_US + _DAY_US) % _DAY_US
    return {"local_clock_min": local_clock.min(), "local_clock_max": local_clock.max(),
            "utc_clock_min": utc_clock.min(), "utc_clock_max": utc_clock.max(),
            "offset_min": (local - utc).min(), "offset_max": (local - utc).max()}


def date_pattern(row: dict) -> str | None:
    """How the times of a log are dates without times, or None when they carry clock times.

    ``row`` holds the :func:`clock_aggregates` of the log and its ``first`` and ``last`` instant.
    Dates are recognised when every local time is midnight, when every local time is one clock
    time on the quarter hour (a date stored at 01:00, or read from a zone without daylight
    saving), or when every UTC time is one clock time on the quarter hour while the local ones
    move with daylight saving (midnight in one zone read in another: 01:00 in winter and 02:00
    in summer for UTC midnights read in Europe/Copenhagen). The last two need events on more
    than one day: one timed event is not a pattern.

    >>> h = 3_600_000_000
    >>> date_pattern({"local_clock_min": 0, "local_clock_max": 0})
    'all at 00:00'
    >>> date_pattern({"local_clock_min": h, "local_clock_max": 2 * h, "utc_clock_min": 0, "utc_clock_max": 0,
    ...               "offset_min": h, "offset_max": 2 * h, "first": 0, "last": 2 * _DAY_US})
    'all at 01:00 in winter and 02:00 in summer: dates converted between zones'
    >>> print(date_pattern({"local_clock_min": 19 * h, "local_clock_max": 20 * h, "utc_clock_min": 0,
    ...                     "utc_clock_max": 0, "offset_min": -5 * h, "offset_max": -4 * h, "first": 0,
    ...                     "last": 2 * _DAY_US}))  # doctest: +NORMALIZE_WHITESPACE
    all at 19:00 in winter and 20:00 in summer: dates converted between zones,
    in the evening: the dates may read a day early
    >>> date_pattern({"local_clock_min": 0, "local_clock_max": h, "utc_clock_min": 0, "utc_clock_max": h,
    ...               "offset_min": h, "offset_max": h, "first": 0, "last": 2 * _DAY_US}) is None
    True
    """
    import datetime

    def hhmm(us: int) -> str:
        return f"{us // 3_600_000_000:02d}:{us // 60_000_000 % 60:02d}"

    quarter = 900_000_000
    lo, hi = row.get("local_clock_min"), row.get("local_clock_max")
    if lo is None:
        return None  # no events
    if lo == hi == 0:
        return "all at 00:00"
    first, last = row.get("first"), row.get("last")
    span = last - first if first is not None and last is not None else 0
    if not (span >= datetime.timedelta(days=1) if isinstance(span, datetime.timedelta) else span >= _DAY_US):
        return None
    evening = ", in the evening: the dates may read a day early"
    if lo == hi and lo % quarter == 0:
        return f"all at {hhmm(lo)}: dates stored at one clock time" + (evening if lo >= _DAY_US // 2 else "")
    utc = row["utc_clock_min"]
    if utc == row["utc_clock_max"] and utc % quarter == 0:
        winter = (utc + row["offset_min"]) % _DAY_US
        summer = (utc + row["offset_max"]) % _DAY_US
        return (f"all at {hhmm(winter)} in winter and {hhmm(summer)} in summer: dates converted between zones"
                + (evening if max(winter, summer) >= _DAY_US // 2 else ""))
    return None


def fresh_name(prefix: str) -> str:
    """A table or view name not used before in this process."""
    return f"__pw_{prefix}_{next(_names)}"


def sql_quote(name: str) -> str:
    """Quote an identifier for DuckDB SQL."""
    return '"' + str(name).replace('"', '""') + '"'


def sql_literal(value: str) -> str:
    """Quote a string literal for DuckDB SQL."""
    return "'" + str(value).replace("'", "''") + "'"
