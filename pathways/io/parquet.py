"""Parquet: read straight into DuckDB (no pandas frame of the events), write from the engine."""

from __future__ import annotations

import glob
import os
import warnings
from typing import Literal

from .. import schema as S
from ..engine import check_zone, compress_tables, duckdb_backend, fresh_name, sql_literal, sql_quote as q
from ..errors import EventLogError, OptionError, outside_stacklevel
from ..eventlog import EventLog, PathwaysWarning, build, check_names
from .metadata import CANONICAL as _CANONICAL
from .options import checks_options


@checks_options
def read_parquet(path, *, case: str | None = None, activity: str | None = None, timestamp: str | None = None,
                 tz: str | None = None, engine: Literal["duckdb", "spark"] = "duckdb", **options) -> EventLog:
    """Read a Parquet file (or a folder or glob of them) into an EventLog.

    The file is scanned by the engine, never loaded into pandas: DuckDB streams files
    larger than memory (spilling to disk beyond ``pw.configure_engine(memory_limit=...)``);
    ``engine="spark"`` reads it with Spark (the active SparkSession, else a local one;
    ``pip install 'pathways[spark]'``), where the events stay and every analysis runs.
    The input row number is the row's position in the file (files of a folder or glob
    follow each other in name order). On Spark the path may also be a URI Spark reads
    (``s3a://...``, ``abfss://...``, ``dbfs:/...``). Options are those of
    :func:`pathways.from_pandas`; ``tz`` is ``"Europe/Copenhagen"`` unless given.

    **A file written by** :func:`pathways.write_parquet` is read back with no mapping at
    all: ``pw.read_parquet(path)`` takes the mapping, time zone, taxonomy, vocabulary and
    classes from the file's metadata and skips the work done when the log was first read
    (parsing, validation, classification): the events go straight into the engine, and the
    log equals the one written (events, ``columns``, ``attributes``, ``tz``, classes,
    ``local_times``). Its ``rejected`` is empty and ``n_read`` is the number of events, since
    the file holds no rejected row; ``log.rejected.attrs`` says how many rows the first read
    read (``"n_read_at_first_read"``) and rejected (``"n_rejected_at_first_read"``). When the
    file no longer fits its metadata (a column removed, renamed or retyped, rows added or
    removed, an empty case id, a value outside the stored classes), it is read and validated
    in full instead, with its columns as written and the stored zone and classes, and a
    PathwaysWarning says why (only the file's footer and the ENUM casts are checked, not every
    value: to validate the events again, pass the mapping). A file of a newer metadata format,
    and a file without pathways metadata read without a mapping, are an OptionError. With
    ``engine="spark"`` (a local file) the stored mapping, zone, taxonomy and vocabulary are
    used for a full read on Spark (rows numbered by their place in the file). Any option
    given (``tz`` included) asks for a full read, which needs ``case``, ``activity`` and
    ``timestamp``. **A file whose columns carry the canonical names** (``case_id``, ``activity``,
    ``timestamp``; ``end_timestamp``, ``unit``, ``resource`` and ``referral_to`` when present) needs
    no mapping either: those are its roles, the other columns its attributes, and it is validated
    in full.

    Examples
    --------
    >>> import pandas as pd, pathways as pw, tempfile, os
    >>> df = pd.DataFrame({"case": ["a", "a"], "act": ["Indlæggelse", "Udskrivning"],
    ...                    "ts": pd.to_datetime(["2023-05-01 10:00", "2023-05-03 15:30"])})
    >>> path = os.path.join(tempfile.mkdtemp(), "log.parquet"); df.to_parquet(path)
    >>> log = pw.read_parquet(path, case="case", activity="act", timestamp="ts")
    >>> log
    EventLog: 2 events, 1 cases, 2 activities, 0 units, 2023-05-01 → 2023-05-03, 0 rows rejected
    >>> out = os.path.join(os.path.dirname(path), "events.parquet"); pw.write_parquet(log, out)
    >>> back = pw.read_parquet(out)  # no mapping: it is in the file
    >>> back.columns
    {'case': 'case', 'activity': 'act', 'timestamp': 'ts', 'attributes': []}
    >>> back.to_pandas().equals(log.to_pandas())
    True
    """
    from ..engine import ENGINES
    from ..errors import check_choice

    check_choice("engine", engine, ENGINES)
    path = os.fspath(path)
    roles = {"case": case, "activity": activity, "timestamp": timestamp}
    given = {k: v for k, v in {**roles, "tz": tz, **options}.items() if v is not None}
    uri = engine == "spark" and _is_uri(path)
    files = [] if uri else _files(path)
    if None in roles.values():  # no mapping, or part of one
        from .metadata import stored

        meta = stored(files[0], path) if len(files) == 1 else None
        canonical = _canonical_roles(files) if meta is None and set(roles.values()) == {None} else None
        if canonical:  # the columns have the canonical names: they are the mapping
            return _read(path, files, engine, **{**canonical, **given})
        if meta is None or given:
            raise _needs_mapping(path, [r for r, v in roles.items() if v is None], given, meta, files, uri)
        log = _read(path, files, engine, **meta.read_options()) if engine == "spark" else \
            _reload(path, files[0], meta)
        log.rejected.attrs.update(n_read_at_first_read=meta.n_read, n_rejected_at_first_read=meta.n_rejected)
        return log
    return _read(path, files, engine, **given)


def _files(path: str) -> list[str]:
    """The Parquet files at a local ``path`` (a file, a folder, a glob), in name order; EventLogError if none."""
    files = sorted(glob.glob(os.path.join(path, "**", "*.parquet"), recursive=True)) if os.path.isdir(path) \
        else sorted(glob.glob(path)) if any(ch in path for ch in "*?[") else [path] if os.path.exists(path) else []
    if not files:
        raise EventLogError(f"no Parquet file at {path!r}: the path does not exist or holds no *.parquet files. "
                            "Check the path (relative paths start from the notebook's folder).")
    return files


def _read(path: str, files: list[str], engine: str, *, case: str, activity: str, timestamp: str,
          tz: str = "Europe/Copenhagen", **options) -> EventLog:
    """The full read: the source columns mapped, parsed, validated and classified."""
    if engine == "spark":
        from .spark import read_parquet_spark

        return read_parquet_spark(path, files or None, case=case, activity=activity, timestamp=timestamp, tz=tz,
                                  **options)
    backend = duckdb_backend()
    check_zone(tz)
    name = fresh_name("parquet")
    try:
        backend.con.execute(f"CREATE TEMP VIEW {name} AS {_source_sql(backend.con, files)}")
        n_read = backend.con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
    except Exception as exc:
        backend.con.execute(f"DROP VIEW IF EXISTS {name}")
        raise EventLogError(f"cannot read {path!r} as Parquet: {exc}. Is it a Parquet file?") from None
    try:
        check_names(_column_names(files[0]), source=repr(path), rename="Rename the column(s) where the file is "
                    "written (e.g. df.rename(columns={...}).to_parquet(...)).")
    except EventLogError:
        backend.con.execute(f"DROP VIEW IF EXISTS {name}")
        raise
    try:
        return build(name, backend=backend, n_read=n_read, case=case, activity=activity,
                     timestamp=timestamp, tz=tz, origin=path, **options)
    finally:
        backend.con.execute(f"DROP VIEW IF EXISTS {name}")


def _source_sql(con, files: list[str]) -> str:
    """SQL of the rows of the Parquet ``files`` and ``__pw_row``, their number in input order (files in name order,
    then rows): each file's row number plus the rows of the files before it (a window numbering the rows of all the
    files sorted every row), from the files' metadata, read once. A single file is scanned in ranges of rows when a
    row group holds more than a thread's share of its rows (:func:`_row_ranges`)."""
    listing = "[" + ", ".join(sql_literal(f) for f in files) + "]"
    groups = {f: [] for f in files}
    metadata = (f"SELECT file_name, row_group_num_rows FROM (SELECT DISTINCT file_name, row_group_id, "
                f"row_group_num_rows FROM parquet_metadata({listing})) ORDER BY row_group_id")
    for file, n in con.execute(metadata).fetchall():
        groups[file].append(n)
    if len(files) > 1:
        offsets, start = [], 0
        for f in files:
            offsets.append(f"WHEN {sql_literal(f)} THEN {start}")
            start += sum(groups[f])
        return (f"SELECT * EXCLUDE (filename, file_row_number), CAST(file_row_number + CASE filename "
                f"{' '.join(offsets)} END AS BIGINT) AS __pw_row "
                f"FROM read_parquet({listing}, filename = true, file_row_number = true)")
    threads = int(con.execute("SELECT current_setting('threads')").fetchall()[0][0])
    scan = (f"SELECT * EXCLUDE (file_row_number), CAST(file_row_number AS BIGINT) AS __pw_row "
            f"FROM read_parquet({listing}, file_row_number = true)")
    return " UNION ALL ".join(scan if (lo, hi) == (None, None) else
                              f"{scan} WHERE file_row_number >= {lo} AND file_row_number < {hi}"
                              for lo, hi in _row_ranges(threads, groups[files[0]]))


def _row_ranges(threads: int, groups: list[int]) -> list[tuple[int | None, int | None]]:
    """The ranges of rows of a Parquet file whose row groups hold ``groups`` rows to scan side by side on ``threads``
    threads: ``[(None, None)]`` (the whole file in one scan) unless a row group holds more than a thread's share of
    the rows, then one range per thread's share of such a row group. DuckDB scans a row group on one thread: in a
    file written with pyarrow's default row groups (1,048,576 rows) the first million events were read, checked and
    classified on one core (1.1 million events: 0.83 s on two cores, 0.49 s in two ranges of rows)."""
    share = -(-sum(groups) // threads)
    if threads < 2 or max(groups, default=0) <= share:
        return [(None, None)]
    ranges, start = [], 0
    for n in groups:
        parts = -(-n // share)
        ranges += [(start + n * k // parts, start + n * (k + 1) // parts) for k in range(parts)]
        start += n
    return ranges


def _reload(path: str, file: str, meta) -> EventLog:
    """The log written to ``file`` by :func:`write_parquet`, from its events and metadata ``meta``: no parsing,
    validation or classification; the ENUM columns typed as the first read typed them. A file that no longer
    fits ``meta`` is read in full (with a warning)."""
    import duckdb
    import pandas as pd

    from ..eventlog import enum_sql, enum_columns, new_log
    from .metadata import mismatch

    backend = duckdb_backend()
    con = backend.con
    source = f"read_parquet({sql_literal(file)})"
    types = {n: t for n, t, *_ in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    problem = mismatch(meta, file, types)
    if problem is None:
        values = enum_columns(meta.unit_classes, meta.activity_classes)
        select = ", ".join(f"{enum_sql(q(c), values[c]) if c in values else q(c)} AS {q(c)}" for c in types)
        events = fresh_name("events")
        try:
            con.execute(f"CREATE TABLE {events} AS SELECT {select} FROM {source}")
        except duckdb.ConversionException:
            problem = "a value lies outside the stored classes (an activity or unit the first read did not see)"
    if problem is not None:
        warnings.warn(f"{path!r} no longer fits the pathways metadata pw.write_parquet stored in it: {problem}. "
                      f"It is read and validated in full, as {meta.call()} does.", PathwaysWarning,
                      stacklevel=outside_stacklevel())
        options = meta.read_options()
        options["attributes"] = [c for c in types if c not in _CANONICAL]
        for role in [r for r in options if r in S.ROLES and r not in S.REQUIRED_ROLES and options[r] not in types]:
            del options[role]  # an optional column gone; a required one gone is the full read's EventLogError
        return _read(path, [file], "duckdb", **options)
    try:
        compress_tables(backend)
        mapping = {role: c for role, c in meta.columns.items() if role != "attributes"}
        return new_log(backend, events, pd.DataFrame({"row": []}), n_read=meta.n_events, mapping=mapping,
                      attributes=meta.columns.get("attributes", []), attr_names=dict(
                          zip(meta.columns.get("attributes", []), meta.attributes)),
                      tz=meta.tz, taxonomy=meta.taxonomy, vocabulary=meta.vocabulary,
                      unit_classes=meta.unit_classes, activity_classes=meta.activity_classes, origin=path,
                      local_times=meta.local_times, notes=meta.notes)
    except BaseException:
        con.execute(f"DROP TABLE IF EXISTS {events}")
        raise


def _canonical_roles(files: list[str]) -> dict | None:
    """The mapping of a file whose columns carry the canonical names (``case_id``, ``activity``, ``timestamp``, and
    ``end_timestamp``, ``unit``, ``resource``, ``referral_to`` when present), else None."""
    names = _column_names_or_none(files[0]) if files else None
    if not names or not all(S.ROLES[r] in names for r in S.REQUIRED_ROLES):
        return None
    return {role: column for role, column in S.ROLES.items() if column in names}


def _needs_mapping(path: str, missing: list[str], given: dict, meta, files: list[str], uri: bool) -> OptionError:
    """The OptionError of a read without (the whole of) the mapping, naming what is needed and a call."""
    need = ", ".join(f"{r}=..." for r in missing[:-1]) + (" and " if len(missing) > 1 else "") + f"{missing[-1]}=..."
    what = {"case": "the case id", "activity": "the activity", "timestamp": "the event time"}
    columns = f"the columns of {', '.join(what[r] for r in missing)}"
    if meta is not None:  # a file pathways wrote, read with options but not the whole mapping
        return OptionError(f"read_parquet needs {need} ({columns}) for a full read: {path!r} was written by "
                           "pw.write_parquet, and pw.read_parquet(path) reads it back without any option, while "
                           f"the options given ({', '.join(given)}) ask to read it again in full. Pass its "
                           f"columns as written, e.g. {meta.call()[:-1]}, ...).")
    if uri:
        why = "the mapping stored by pw.write_parquet is read from local files only"
    elif len(files) > 1:
        why = (f"it holds {len(files)} files, and the mapping stored by pw.write_parquet is read back from a single "
               "file only")
    else:
        why = "it was not written by pw.write_parquet (it holds no pathways metadata), so the file cannot supply them"
    names = [] if uri else _column_names_or_none(files[0]) or []
    shown = f" Its columns: {', '.join(repr(n) for n in names[:20])}{', ...' if len(names) > 20 else ''}." \
        if names else ""
    return OptionError(f"read_parquet needs {need} ({columns}) to read {path!r}: {why}.{shown} Pass them, e.g. "
                       "pw.read_parquet(path, case='cpr', activity='haendelse', timestamp='tidspunkt').")


def _column_names_or_none(file: str) -> list[str] | None:
    try:
        return _column_names(file)
    except Exception:  # noqa: BLE001 - not Parquet: the message then lists no columns
        return None


def _column_names(file: str) -> list[str]:
    """The column names as the file stores them (DuckDB renames one of two names that differ only in case)."""
    import pyarrow.parquet as pq

    return list(pq.read_schema(file).names)


def _is_uri(path: str) -> bool:
    """A location with a scheme (``s3a://``, ``dbfs:/``), not a local path (``C:\\data`` is local)."""
    import re

    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]+:/", path)) and not os.path.exists(path)


def write_parquet(log: EventLog, path, *, analysis: str | None = None, make_dirs: bool = False,
                  **options) -> None:
    """Write the log's events (canonical columns, input order, UTC instants) to a Parquet file, with what
    :func:`pathways.read_parquet` needs to read them back without any option; or, with ``analysis=``,
    the rows of a big result straight from the engine, never as a pandas frame.

    Beside the events, the file's key-value metadata (key ``pathways``, JSON) keeps the column
    mapping the log was read with (``log.columns``, ``log.attributes``), its time zone, its
    taxonomy and vocabulary (every mapping and rule), the unit and activity classes, the
    local-time notes, and the counts of the first read: ``pw.read_parquet(path)`` then rebuilds
    the same log without parsing, validating or classifying again. The rejected rows are not
    written (only their number): the log read back has an empty ``rejected``. Other tools read
    the file as plain Parquet; ``pw.read_parquet(path, case="case_id", activity="activity",
    timestamp="timestamp", ...)`` validates it again in full.
    ``analysis="handovers"``, ``"unit_paths"`` or ``"bounces"`` writes the rows that
    ``pw.handovers(log, **options)`` (and so on) returns, the same columns in the same
    order, with times as UTC instants; the engine writes them, so a result larger than memory
    (ten million handovers) goes to disk without a pandas frame. Read it with
    ``pd.read_parquet``, DuckDB or Spark.
    The folder must exist unless ``make_dirs=True``; the file the log was read
    from is never replaced (OptionError); the file is written under a temporary
    name and renamed into place, so a failure leaves no half-written file.

    Examples
    --------
    >>> import pandas as pd, pathways as pw, tempfile, os
    >>> log = pw.from_pandas(pd.DataFrame({"pt": ["A", "A"], "what": ["Henvisning", "Indlæggelse"],
    ...                                    "when": ["2023-01-02 08:00", "2023-01-05 10:30"]}),
    ...                      case="pt", activity="what", timestamp="when")
    >>> path = os.path.join(tempfile.mkdtemp(), "events.parquet")
    >>> pw.write_parquet(log, path)
    >>> back = pw.read_parquet(path)
    >>> back.columns == log.columns, back.to_pandas().equals(log.to_pandas())
    (True, True)

    A big result, written by the engine:

    >>> log = pw.from_pandas(pd.DataFrame({"pt": ["A", "A"], "what": ["Henvisning", "Indlæggelse"],
    ...                                    "when": ["2023-01-02 08:00", "2023-01-05 10:30"],
    ...                                    "afsnit": ["Egen læge", "Medicinsk afdeling"]}),
    ...                      case="pt", activity="what", timestamp="when", unit="afsnit")
    >>> pw.write_parquet(log, path, analysis="handovers", threshold="2D")
    >>> pd.read_parquet(path)[["from_unit", "to_unit", "gap_days", "long_gap"]]
       from_unit             to_unit  gap_days  long_gap
    0  Egen læge  Medicinsk afdeling  3.104167      True
    """
    from ..files import sources, write_atomically
    from ..engine import engine_of
    from .metadata import KEY, encode

    if analysis is None:
        if options:
            raise OptionError(f"write_parquet takes no option {sorted(options)[0]!r} without analysis=...: "
                              f"options belong to the analysis written, e.g. analysis='handovers', threshold='14D'.")
        table = log.table.order_by("row")
        meta = {KEY: encode(log, table.count().execute())}
    else:
        from .results import result_table

        table, meta = result_table(log, analysis, options), {}
    backend = log.backend

    def write(tmp: str) -> None:
        if engine_of(backend) == "duckdb":
            backend._run_pre_execute_hooks(table)
            kv = "".join(f", KV_METADATA {{{k.decode()}: {sql_literal(v.decode('utf-8'))}}}" for k, v in meta.items())
            backend.con.execute(f"COPY ({backend.compile(table)}) TO {sql_literal(tmp)} (FORMAT parquet{kv})")
            return
        import pyarrow.parquet as pq

        batches = table.to_pyarrow_batches()
        with pq.ParquetWriter(tmp, batches.schema.with_metadata(meta)) as writer:
            for batch in batches:
                writer.write_batch(batch)

    write_atomically(path, write, inputs=sources(log), make_dirs=make_dirs)
