"""Event logs on Spark: :func:`from_spark` and ``read_parquet(path, engine="spark")``.

The events stay in Spark. Validation runs there too, in Spark SQL, with the rules and
messages of :func:`pathways.eventlog.build` (the DuckDB builder): the same text and
time parsing, the same rejected rows with the same problems, the same taxonomy and
vocabulary joins, and ``len(log) + len(log.rejected) == log.n_read``. The validated
events are cached by Spark (memory, spilling to disk) for the analyses.

Needs ``pip install 'pathways[spark]'``; see :mod:`pathways.spark_session` for the session and Java.
"""

from __future__ import annotations

import os
from typing import Literal, Sequence

from .. import rejections
from ..engine import check_zone, fresh_name
from ..errors import EventLogError, OptionError, check_choice
from .options import checks_options


@checks_options
def from_spark(df, *, case: str, activity: str, timestamp: str, tz: str = "Europe/Copenhagen",
               **options):
    """Build an EventLog from a Spark DataFrame; the events stay in Spark.

    Every analysis of pathways then runs on Spark, through Ibis, and returns the same
    small pandas tables as on DuckDB. The DataFrame's session is used as it is, except
    that its SQL time zone is set to UTC (``spark.sql.session.timeZone``), which the
    exact time arithmetic needs.

    Parameters
    ----------
    df : pyspark.sql.DataFrame
        One row per event.
    case, activity, timestamp : str
        The columns holding the case id, the activity and the event time.
    tz : str, default "Europe/Copenhagen"
        Zone of times without one (``TIMESTAMP_NTZ``, dates, text without an offset).
        Spark's ``TIMESTAMP`` columns are instants already.
    **options
        Those of :func:`pathways.from_pandas` (``end_timestamp``, ``unit``, ``resource``,
        ``referral_to``, ``attributes``, ``timestamp_format``, ``dayfirst``, ``taxonomy``,
        ``vocabulary``, ``strict``, ``duplicates``).

    Returns
    -------
    EventLog
        Its input row numbers (``row``, which orders events at the same time) count the
        rows in the DataFrame's partition order, which for a file read is the file order.

    Raises
    ------
    OptionError
        pyspark is not installed (``pip install 'pathways[spark]'``), or the session cannot be used.
    EventLogError
        A mapped column is missing, or (with ``strict=True``) rows cannot be used.

    Examples
    --------
    >>> import pathways as pw
    >>> from pyspark.sql import SparkSession                                  # doctest: +SKIP
    >>> spark = SparkSession.builder.getOrCreate()                            # doctest: +SKIP
    >>> df = spark.read.parquet("lpr3/kontakter/")                            # doctest: +SKIP
    >>> log = pw.from_spark(df, case="cpr_pseudo", activity="haendelse",      # doctest: +SKIP
    ...                     timestamp="tidspunkt", unit="afsnit")
    >>> pw.handovers(log).query("kind == 'psychiatric→somatic'")             # doctest: +SKIP
    """
    from .. import spark_session

    spark_session.pyspark()
    try:
        from pyspark.sql import DataFrame
        ok = isinstance(df, DataFrame) or type(df).__name__ == "DataFrame" and "pyspark" in type(df).__module__
    except ImportError:  # pragma: no cover - pyspark() above raised already
        ok = False
    if not ok:
        raise EventLogError(f"from_spark expects a Spark DataFrame, got {type(df).__name__}. "
                            "Use pw.from_pandas for a pandas DataFrame.")
    check_zone(tz)
    con = spark_session.backend(df.sparkSession)
    _check_names([f.name for f in df.schema.fields])
    numbered, keep = _numbered(df)
    try:
        return build_spark(numbered, backend=con, case=case, activity=activity, timestamp=timestamp, tz=tz,
                           origin="spark", **options)
    finally:
        if keep is not None:
            keep.unpersist()


def read_parquet_spark(path, files, *, case: str, activity: str, timestamp: str, tz: str = "Europe/Copenhagen",
                       spark=None, **options):
    """``pw.read_parquet(path, engine="spark")``: ``files`` are the local files found, or None for a URI."""
    from .. import spark_session

    spark_session.pyspark()
    check_zone(tz)
    con = spark_session.backend(spark)
    session = con._session
    from pyspark.sql import functions as F

    # local files as absolute paths: the JVM resolves a relative path against its own working folder, which is
    # not Python's after an os.chdir (and on a cluster not the driver's at all)
    files = [os.path.abspath(f) for f in files] if files else files
    try:
        df = session.read.parquet(*(files or [path]))
        names = [f.name for f in df.schema.fields]
        df = df.select("*", F.col("_metadata.file_path").alias("__pw_path"),
                       F.col("_metadata.row_index").alias("__pw_index"))
    except Exception as exc:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "PATH_NOT_FOUND" in text or "does not exist" in text.lower() or "UNABLE_TO_INFER_SCHEMA" in text:
            raise EventLogError(f"no Parquet file at {path!r}: the path does not exist or holds no *.parquet "
                                "files.") from None
        raise EventLogError(f"cannot read {path!r} as Parquet with Spark: {text}. Is it a Parquet file?") from None
    _check_names(names)

    # the input row: files in name order, rows in file order (as DuckDB numbers them)
    if files is not None and len(files) == 1:
        offsets, start = [(None, 0)], session.read.parquet(files[0]).count()  # the count is in the footer
    else:
        counts = df.groupBy("__pw_path").count().collect()
        offsets, start = [], 0
        for r in sorted(counts, key=lambda r: _unquoted(r["__pw_path"])):
            offsets.append((r["__pw_path"], start))
            start += r["count"]
    if len(offsets) <= 1:
        row = F.col("__pw_index")
    else:
        starts = session.createDataFrame(offsets, "__pw_file STRING, __pw_start BIGINT")
        df = df.join(F.broadcast(starts), df["__pw_path"] == starts["__pw_file"])
        row = F.col("__pw_start") + F.col("__pw_index")
    df = df.select(*[F.col(spark_session.quote(n)) for n in names], row.cast("bigint").alias("__pw_row"))
    return build_spark(df, backend=con, case=case, activity=activity, timestamp=timestamp, tz=tz,
                       origin=os.fspath(path), n_read=start, **options)


def _unquoted(uri: str) -> str:
    from urllib.parse import unquote, urlparse

    return unquote(urlparse(uri).path) if "://" in uri or uri.startswith("file:") else uri


def _check_names(names) -> None:
    from ..eventlog import check_names

    check_names(names, source="the DataFrame", rename="Rename the column(s) (df.withColumnRenamed(...)) and try "
                "again.")


def _numbered(df):
    """``(df with __pw_row, cached frame to release)``: rows numbered 0.. in partition order.

    monotonically_increasing_id() holds the partition in its upper bits and the position in
    it in the lower 33; counting the rows of each partition turns it into consecutive numbers.
    The numbered frame is cached, so the counts and the numbers come from the same rows
    even when the DataFrame's source is not deterministic.
    """
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from .. import spark_session

    mid = df.withColumn("__pw_mid", F.monotonically_increasing_id()).persist(StorageLevel.MEMORY_AND_DISK)
    part = F.shiftright("__pw_mid", 33)
    counts = sorted(mid.groupBy(part.alias("p")).count().collect(), key=lambda r: r["p"])
    offsets, start = {}, 0
    for r in counts:
        offsets[r["p"]] = start
        start += r["count"]
    low = F.col("__pw_mid").bitwiseAND(F.lit((1 << 33) - 1))
    if len(offsets) <= 1:
        row = low
    else:
        starts = mid.sparkSession.createDataFrame(list(offsets.items()), "__pw_p BIGINT, __pw_start BIGINT")
        mid2 = mid.join(F.broadcast(starts), part == starts["__pw_p"])
        return (mid2.select(*[F.col(spark_session.quote(c)) for c in df.columns],
                            (F.col("__pw_start") + low).alias("__pw_row")), mid)
    return mid.select(*[F.col(spark_session.quote(c)) for c in df.columns], row.alias("__pw_row")), mid


# --- the builder: eventlog.build in Spark SQL ----------------------------------------------------
def _kind(dtype) -> str:
    """The DuckDB type family of a Spark type, as the builder parts both engines share name them."""
    from pyspark.sql import types as T

    if isinstance(dtype, T.StringType):
        return "VARCHAR"
    if isinstance(dtype, T.TimestampNTZType):
        return "TIMESTAMP"
    if isinstance(dtype, T.TimestampType):
        return "TIMESTAMPTZ"
    if isinstance(dtype, T.DateType):
        return "DATE"
    if isinstance(dtype, T.DoubleType):
        return "DOUBLE"
    if isinstance(dtype, T.FloatType):
        return "FLOAT"
    if isinstance(dtype, T.DecimalType):
        return "DECIMAL"
    if isinstance(dtype, T.IntegralType):
        return "BIGINT"
    return "OTHER"


_JAVA = {"Y": "yyyy", "y": "yy", "m": "M", "d": "d", "H": "H", "I": "h", "M": "m", "S": "s", "f": "SSSSSS",
         "p": "a", "b": "MMM", "B": "MMMM", "a": "EEE", "A": "EEEE", "j": "D", "z": "XX"}
_NUMERIC = set("YymdHIMSfj")


def java_pattern(fmt: str) -> str:
    """The Spark datetime pattern of a strptime format (``%d-%m-%Y %H:%M`` -> ``d-M-yyyy H:m``).

    Fields of one or two digits are lenient (``3`` and ``03``) unless two numeric fields
    touch (``%Y%m%d``), where they take their full width. OptionError for a directive Spark
    cannot parse (``%Z``, a zone name).
    """
    tokens, i = [], 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == "%" and i + 1 < len(fmt):
            d = fmt[i + 1]
            if d == "%":
                tokens.append(("lit", "%"))
            elif d in _JAVA:
                tokens.append(("dir", d))
            else:
                raise OptionError(f"timestamp_format={fmt!r}: %{d} cannot be parsed on the Spark engine; use "
                                  "%Y %m %d %H %M %S %f %z and literal text, or read the times as TIMESTAMP.")
            i += 2
        else:
            tokens.append(("lit", ch))
            i += 1
    out = []
    for k, (kind, v) in enumerate(tokens):
        if kind == "lit":
            out.append("''" if v == "'" else (f"'{v}'" if v.isalpha() else v))
            continue
        pat = _JAVA[v]
        touching = any(0 <= j < len(tokens) and tokens[j][0] == "dir" and tokens[j][1] in _NUMERIC
                       for j in (k - 1, k + 1))
        if v in _NUMERIC and len(pat) == 1 and touching:
            pat = pat * 2
        out.append(pat)
    return "".join(out)


def _has_zone(fmt: str) -> bool:
    return "%z" in fmt or "%Z" in fmt


def _time_parts(session, source: str, col: str, kind: str, timestamp_format, dayfirst: bool) -> list[tuple]:
    """``[(part, SQL)]`` whose first non-NULL is the time, as eventlog._timestamp_sql.

    ``part`` is ``"instant"`` (a Spark TIMESTAMP that is an instant) or ``"wall"`` (a
    wall-clock time in the log's zone, to be placed with :func:`_localized`).
    """
    from .. import spark_session
    from ..engine import SPARK
    from ..eventlog import ISO_OFFSET, date_formats

    if kind == "TIMESTAMPTZ":
        return [("instant", col)]
    if kind in ("TIMESTAMP", "DATE"):
        return [("wall", f"CAST(CAST({col} AS TIMESTAMP_NTZ) AS TIMESTAMP)")]
    if kind != "VARCHAR":
        return [("instant", "CAST(NULL AS TIMESTAMP)")]
    s = SPARK.blank_as_null(col)
    lit = spark_session.literal
    if timestamp_format is not None:
        fmts = [timestamp_format] if isinstance(timestamp_format, str) else list(timestamp_format)
        return [("instant" if _has_zone(f) else "wall", f"try_to_timestamp({s}, {lit(java_pattern(f))})")
                for f in fmts]
    flag = SPARK.matches(s, ISO_OFFSET)
    iso_instant = ("instant", f"CASE WHEN {flag} THEN try_cast({s} AS TIMESTAMP) END")
    iso_wall = ("wall", f"CASE WHEN NOT {flag} THEN CAST(try_cast({s} AS TIMESTAMP_NTZ) AS TIMESTAMP) END")
    formats = date_formats(dayfirst)
    patterns = [java_pattern(f) for f in formats]
    # formats in the order of their hits on a sample of the column, as the DuckDB builder does
    vflag = SPARK.matches("v", ISO_OFFSET)
    sample = (f"SELECT count(CASE WHEN {vflag} THEN try_cast(v AS TIMESTAMP) ELSE try_cast(v AS TIMESTAMP_NTZ) END), "
              + ", ".join(f"count(try_to_timestamp(v, {lit(p)}))" for p in patterns)
              + f" FROM (SELECT {s} AS v FROM {source} WHERE {s} IS NOT NULL LIMIT 2000)")
    hits = list(session.sql(sample).collect()[0])
    iso_hits, fmt_hits = hits[0], hits[1:]
    order = [p for _, p in sorted(zip(fmt_hits, patterns), key=lambda x: -x[0])]
    local = ("wall", f"coalesce({', '.join(f'try_to_timestamp({s}, {lit(p)})' for p in order)})")
    if iso_hits >= max(fmt_hits, default=0):
        return [iso_instant, iso_wall, local]
    return [local, iso_instant, iso_wall]


def _localized(wall: str, tz: str) -> str:
    """The instant of wall-clock time ``wall`` in ``tz``, as DuckDB's ``timezone(tz, TIMESTAMP)``.

    Spark's to_utc_timestamp takes the earlier instant of a repeated hour (autumn); DuckDB
    takes the later one (standard time): so does this, for any repeat of up to an hour (every
    zone's). A time in the skipped hour (spring) moves forward on both. The arithmetic is on
    microseconds, not calendar intervals, which Spark computes through the session zone.
    """
    from .. import spark_session

    z = spark_session.literal(tz)
    hour = 3_600_000_000
    early = f"to_utc_timestamp({wall}, {z})"
    late = f"timestamp_micros(unix_micros(to_utc_timestamp(timestamp_micros(unix_micros({wall}) + {hour}), {z})) - {hour})"
    return (f"CASE WHEN {late} > {early} AND from_utc_timestamp({late}, {z}) = {wall} "
            f"THEN {late} ELSE {early} END")


def build_spark(source, *, backend, case: str, activity: str, timestamp: str, end_timestamp: str | None = None,
                unit: str | None = None, resource: str | None = None, referral_to: str | None = None,
                attributes: Sequence[str] | None = None, tz: str = "Europe/Copenhagen",
                timestamp_format: str | Sequence[str] | None = None, dayfirst: bool = False, taxonomy=None,
                vocabulary=None, strict: bool = False, duplicates: Literal["keep", "reject"] = "keep",
                origin: str = "spark", n_read: int | None = None):
    """Validate the Spark DataFrame ``source`` (source columns plus ``__pw_row``) into an EventLog on Spark."""
    from .. import spark_session
    from ..engine import SPARK
    from ..eventlog import (DUP_OF, RAW_END, RAW_TS, WALL_END, WALL_TS, carried_sql, describe_failures, map_columns,
                            new_log, raw_sql, row_checks, text_sql)
    from ..taxonomy import UnitTaxonomy, Vocabulary

    check_choice("duplicates", duplicates, ["keep", "reject"])
    session = backend._session
    q, lit = spark_session.quote, spark_session.literal
    kinds = {f.name: _kind(f.dataType) for f in source.schema.fields if f.name != "__pw_row"}
    mapping, attributes, attr_names = map_columns(
        kinds, case=case, activity=activity, timestamp=timestamp, end_timestamp=end_timestamp, unit=unit,
        resource=resource, referral_to=referral_to, attributes=attributes)
    available = list(kinds)
    src = fresh_name("spark_source")
    source.createOrReplaceTempView(src)
    views, cached = [src], None
    try:
        if n_read is None:
            n_read = source.count()
        col = {role: q(c) for role, c in mapping.items()}
        roles = [("timestamp", timestamp, RAW_TS)]
        if "end_timestamp" in mapping:
            roles.append(("end_timestamp", end_timestamp, RAW_END))
        inner = ["__pw_row AS row", f"{text_sql(col['case'], kinds[case], SPARK)} AS case_id",
                 f"{text_sql(col['activity'], kinds[activity], SPARK)} AS activity"]
        times = {}
        for role, name, raw in roles:
            parts = _time_parts(session, q(src), col[role], kinds[name], timestamp_format, dayfirst)
            for k, (part, sql) in enumerate(parts):
                inner.append(f"{sql} AS __pw_{role}_{k}")
            inner.append(f"{raw_sql(col[role], kinds[name], SPARK)} AS {raw}")
            times[role] = [(part, f"__pw_{role}_{k}") for k, (part, _sql) in enumerate(parts)]
        inner += carried_sql(col, mapping, kinds, attr_names, available, duplicates, engine=SPARK)
        outer = ["row", "case_id", "activity"]
        walls = {"timestamp": WALL_TS, "end_timestamp": WALL_END}
        for role, parts in times.items():
            placed = [c if part == "instant" else _localized(c, tz) for part, c in parts]
            outer.append((f"coalesce({', '.join(placed)})" if len(placed) > 1 else placed[0]) + f" AS {role}")
            outer.append(RAW_TS if role == "timestamp" else RAW_END)
            # the wall-clock time the event's time was placed from (NULL when it came as an instant)
            outer.append("CASE " + " ".join(f"WHEN {c} IS NOT NULL THEN {c if part == 'wall' else 'NULL'}"
                                            for part, c in parts) + f" END AS {walls[role]}")
        if "end_timestamp" not in times:
            outer.append("CAST(NULL AS TIMESTAMP) AS end_timestamp")
        outer += ["unit", "resource", "referral_to", *[q(n) for n in attr_names.values()]]
        if duplicates == "reject":
            outer.append(DUP_OF)
        # parsed once and cached: the checks below read each time many times, and Spark would
        # otherwise recompute the time conversions for every reference
        from pyspark import StorageLevel

        parsed = fresh_name("spark_parsed")
        cached = session.sql(f"SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM {q(src)})") \
            .persist(StorageLevel.MEMORY_AND_DISK)
        cached.createOrReplaceTempView(parsed)
        views.append(parsed)

        checks = row_checks(mapping, kinds, case=case, activity=activity, timestamp=timestamp,
                            end_timestamp=end_timestamp, duplicates=duplicates, engine=SPARK)

        # one pass for the names to classify, one for the rows that cannot be used
        names = session.sql(f"SELECT collect_set(activity), collect_set(unit), collect_set(referral_to) "
                            f"FROM {parsed}").collect()[0]
        activities, units = sorted(names[0]), sorted(set(names[1]) | set(names[2]))
        taxonomy = UnitTaxonomy.default() if taxonomy is None else taxonomy
        vocabulary = Vocabulary.default() if vocabulary is None else vocabulary
        unit_classes = taxonomy.table_for(units, tz=tz)
        activity_classes = vocabulary.table_for(activities)
        helpers = [RAW_TS, WALL_TS] + ([RAW_END, WALL_END] if "end_timestamp" in mapping else []) \
            + ([DUP_OF] if duplicates == "reject" else [])
        any_bad = " OR ".join(f"coalesce({c.flag}, false)" for c in checks)
        found = ", ".join(
            f"CASE WHEN {c.flag} THEN named_struct('k', {i}, 'c', {lit(c.column)}, 'p', "
            f"{lit(c.code)}, 'v', CAST({c.value} AS STRING)) END" for i, c in enumerate(checks))
        failures = session.sql(
            f"SELECT row, f.c AS `column`, f.p AS `code`, f.v AS `value` FROM (SELECT row, "
            f"explode(filter(array({found}), x -> x IS NOT NULL)) AS f FROM {parsed} WHERE {any_bad}) "
            f"ORDER BY row, f.k").toPandas()
        failures = failures.astype({"row": "int64"})
        if len(failures):
            failures = failures.astype({"column": "str", "code": "str"})
            failures["value"] = failures["value"].astype(object).where(failures["value"].notna(), None)
        failures = rejections.long_form(failures)
        if strict and len(failures):
            raise EventLogError(describe_failures(failures, n_read), failures)
        local_times = _local_time_notes(session, parsed, any_bad, tz, [walls[role] for role in times])
        full_sql, class_views = _classify(session, parsed, helpers, list(attr_names.values()), unit_classes,
                                          activity_classes)
        views += class_views
        full = session.sql(full_sql)
        keep = [c for c in full.columns if c not in helpers]
        whole = fresh_name("spark_full")
        full.createOrReplaceTempView(whole)
        views.append(whole)
        events = session.sql(f"SELECT {', '.join(q(c) for c in keep)} FROM {whole} WHERE NOT ({any_bad})")
        name = fresh_name("events")
        spark_session.register(backend, name, events)  # cached by Spark: memory, spilling to disk
        events.count()  # computed now, as the DuckDB builder does
    finally:
        for v in views:
            session.catalog.dropTempView(v)
        if cached is not None:
            cached.unpersist()  # the events are cached on their own
    return new_log(backend, name, failures, n_read=n_read, mapping=mapping, attributes=attributes,
                   attr_names=attr_names, tz=tz, taxonomy=taxonomy, vocabulary=vocabulary,
                   unit_classes=unit_classes, activity_classes=activity_classes, origin=origin,
                   local_times=local_times)


def _local_time_notes(session, parsed: str, any_bad: str, tz: str, walls: list[str]) -> dict:
    """As eventlog._local_time_notes, on Spark: the events (not rejected) whose wall-clock time ``tz``
    skipped (its instant shows another wall time) or passed twice (the instant an hour earlier or later
    shows the same wall time: every zone's repeat is of up to an hour, as :func:`_localized` assumes)."""
    from .. import spark_session
    from ..eventlog import WALL_TS, local_time_notes

    z = spark_session.literal(tz)
    hour = 3_600_000_000

    def shifted(t: str, sign: str) -> str:
        return f"from_utc_timestamp(timestamp_micros(unix_micros({t}) {sign} {hour}), {z})"

    times = " UNION ALL ".join(
        f"SELECT row, case_id, {'timestamp' if w == WALL_TS else 'end_timestamp'} AS t, {w} AS w FROM {parsed} "
        f"WHERE {w} IS NOT NULL AND NOT ({any_bad})" for w in walls)
    flagged = (f"SELECT row, case_id, w, from_utc_timestamp(t, {z}) AS shown, from_utc_timestamp(t, {z}) <> w AS gap, "
               f"from_utc_timestamp(t, {z}) = w AND ({shifted('t', '-')} = w OR {shifted('t', '+')} = w) AS overlap "
               f"FROM ({times})")
    row = session.sql(
        f"SELECT count(DISTINCT CASE WHEN gap THEN row END), count(DISTINCT CASE WHEN gap THEN case_id END), "
        f"date_format(min(CASE WHEN gap THEN w END), 'yyyy-MM-dd HH:mm'), "
        f"date_format(min_by(shown, CASE WHEN gap THEN w END), 'HH:mm'), "
        f"count(DISTINCT CASE WHEN overlap THEN row END), count(DISTINCT CASE WHEN overlap THEN case_id END), "
        f"date_format(min(CASE WHEN overlap THEN w END), 'yyyy-MM-dd HH:mm') FROM ({flagged})").collect()[0]
    return local_time_notes(*row)


def _classify(session, parsed: str, helpers, attributes, unit_classes, activity_classes):
    """The SQL of the classified events (eventlog.classified_sql, as on DuckDB), and the views it uses."""
    from ..engine import SPARK
    from ..eventlog import classified_sql

    uc, ac = fresh_name("unit_classes"), fresh_name("activity_classes")
    units = [(r.unit, r.domain, r.sector, _py_time(r.valid_from), _py_time(r.valid_to))
             for r in unit_classes.itertuples(index=False)]
    session.createDataFrame(units, "unit STRING, domain STRING, sector STRING, valid_from TIMESTAMP, "
                                   "valid_to TIMESTAMP").createOrReplaceTempView(uc)
    acts = [(r.activity, r.event_type) for r in activity_classes.itertuples(index=False)]
    session.createDataFrame(acts, "activity STRING, event_type STRING").createOrReplaceTempView(ac)
    return classified_sql(parsed, uc, ac, unit_classes, [*attributes, *helpers], engine=SPARK), [uc, ac]


def _py_time(value):
    import pandas as pd

    return None if value is None or pd.isna(value) else pd.Timestamp(value).to_pydatetime()


__all__ = ["from_spark", "read_parquet_spark", "build_spark", "java_pattern"]
