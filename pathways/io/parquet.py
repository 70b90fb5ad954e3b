"""Parquet: read straight into DuckDB (no pandas frame of the events), write from the engine."""

from __future__ import annotations

import glob
import os
from typing import Literal

from ..engine import check_zone, duckdb_backend, fresh_name, sql_literal
from ..errors import EventLogError
from ..eventlog import EventLog, build, check_names
from ._options import checks_options


@checks_options
def read_parquet(path, *, case: str, activity: str, timestamp: str, tz: str = "Europe/Copenhagen",
                 engine: Literal["duckdb", "spark"] = "duckdb", **options) -> EventLog:
    """Read a Parquet file (or a folder or glob of them) into an EventLog.

    The file is scanned by the engine, never loaded into pandas: DuckDB streams files
    larger than memory (spilling to disk beyond ``pw.configure_engine(memory_limit=...)``);
    ``engine="spark"`` reads it with Spark (the active SparkSession, else a local one;
    ``pip install 'pathways[spark]'``), where the events stay and every analysis runs.
    The input row number is the row's position in the file (files of a folder or glob
    follow each other in name order). On Spark the path may also be a URI Spark reads
    (``s3a://...``, ``abfss://...``, ``dbfs:/...``). Options are those of
    :func:`pathways.from_pandas`.

    Examples
    --------
    >>> import pandas as pd, pathways as pw, tempfile, os
    >>> df = pd.DataFrame({"case": ["a", "a"], "act": ["Indlæggelse", "Udskrivning"],
    ...                    "ts": pd.to_datetime(["2023-05-01 10:00", "2023-05-03 15:30"])})
    >>> path = os.path.join(tempfile.mkdtemp(), "log.parquet"); df.to_parquet(path)
    >>> pw.read_parquet(path, case="case", activity="act", timestamp="ts")
    EventLog: 2 events, 1 cases, 2 activities, 0 units, 2023-05-01 → 2023-05-03, 0 rows rejected
    """
    from ..engine import ENGINES
    from ..errors import check_choice

    check_choice("engine", engine, ENGINES)
    path = os.fspath(path)
    if engine == "spark" and _is_uri(path):
        from .spark import read_parquet_spark

        return read_parquet_spark(path, None, case=case, activity=activity, timestamp=timestamp, tz=tz, **options)
    files = sorted(glob.glob(os.path.join(path, "**", "*.parquet"), recursive=True)) if os.path.isdir(path) \
        else sorted(glob.glob(path)) if any(ch in path for ch in "*?[") else [path] if os.path.exists(path) else []
    if not files:
        raise EventLogError(f"no Parquet file at {path!r}: the path does not exist or holds no *.parquet files. "
                            "Check the path (relative paths start from the notebook's folder).")
    if engine == "spark":
        from .spark import read_parquet_spark

        return read_parquet_spark(path, files, case=case, activity=activity, timestamp=timestamp, tz=tz, **options)
    backend = duckdb_backend()
    check_zone(tz)
    name = fresh_name("parquet")
    listing = "[" + ", ".join(sql_literal(f) for f in files) + "]"
    try:
        backend.con.execute(
            f"CREATE TEMP VIEW {name} AS SELECT * EXCLUDE (filename, file_row_number), "
            f"CAST(row_number() OVER (ORDER BY filename, file_row_number) - 1 AS BIGINT) AS __pw_row "
            f"FROM read_parquet({listing}, filename = true, file_row_number = true)"
            if len(files) > 1 else
            f"CREATE TEMP VIEW {name} AS SELECT * EXCLUDE (file_row_number), "
            f"CAST(file_row_number AS BIGINT) AS __pw_row FROM read_parquet({listing}, file_row_number = true)")
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


def _column_names(file: str) -> list[str]:
    """The column names as the file stores them (DuckDB renames one of two names that differ only in case)."""
    import pyarrow.parquet as pq

    return list(pq.read_schema(file).names)


def _is_uri(path: str) -> bool:
    """A location with a scheme (``s3a://``, ``dbfs:/``), not a local path (``C:\\data`` is local)."""
    import re

    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]+:/", path)) and not os.path.exists(path)


def write_parquet(log: EventLog, path, *, make_dirs: bool = False) -> None:
    """Write the log's events (canonical columns, input order, UTC instants) to a Parquet file.

    Read it back with ``pw.read_parquet(path, case="case_id", activity="activity",
    timestamp="timestamp", end_timestamp="end_timestamp", unit="unit", ...)``.
    The folder must exist unless ``make_dirs=True``; the file the log was read
    from is never replaced (OptionError); the file is written under a temporary
    name and renamed into place, so a failure leaves no half-written file.
    """
    from .._files import sources, write_atomically

    table = log.table.order_by("row")
    write_atomically(path, lambda tmp: table.to_parquet(tmp), inputs=sources(log), make_dirs=make_dirs)
