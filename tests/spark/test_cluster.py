"""The standalone cluster of conftest.py is a real one (issue 26, item 2): the executors are processes of
their own, apart from the driver, and run this venv's Python, so that code which works only where the driver
and the executors share a process fails here."""

from __future__ import annotations

import os
import sys

import pytest


@pytest.mark.parametrize("spark", ["standalone"], indirect=True)
def test_the_cluster_runs_python_in_executors_of_their_own(spark):
    sc = spark.sparkContext
    assert sc.master.startswith("spark://127.0.0.1:")
    assert sc._jsc.sc().getExecutorMemoryStatus().size() == 3  # the driver and two executors
    seen = set(sc.parallelize(range(8), 8).map(lambda _: (sys.executable, os.getpid())).collect())
    assert {exe for exe, _ in seen} == {sys.executable}  # PYSPARK_PYTHON: the venv's Python
    assert os.getpid() not in {pid for _, pid in seen}  # not the driver's process


@pytest.mark.parametrize("spark", ["standalone"], indirect=True)
def test_the_command_line_reads_and_reports_on_a_master(spark, spark_cluster, tmp_path, monkeypatch, capsys):
    """``pathways validate FILE --master spark://...`` reads the file with Spark, on that cluster."""
    import pathways as pw
    import pathways.io.spark as reader
    from pathways.cli import main

    used = []
    original = reader.read_parquet_spark

    def spy(*args, **kwargs):
        log = original(*args, **kwargs)
        used.append(log.backend._session.sparkContext.master)
        return log

    monkeypatch.setattr(reader, "read_parquet_spark", spy)
    with pw.datasets.sample_path("psychiatry_somatic") as path:
        assert main(["validate", str(path), "--master", spark_cluster]) == 0
    assert used == [spark_cluster]
    assert "events" in capsys.readouterr().out
