"""A file written by pw.write_parquet read on Spark without a mapping, and a Spark log written with its metadata
(issue 20, item 6; the DuckDB side is tests/io/test_parquet_metadata.py)."""

import pandas as pd
import pytest

import pathways as pw


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark", reason="pyspark is not installed: pip install 'pathways[spark]'")
    from pathways import spark_session

    return spark_session.session()


def test_spark_reads_a_pathways_file_with_the_stored_mapping_and_writes_one(spark, tmp_path):
    log = pw.datasets.load_sample("dirty_extract")  # 9,167 rows read, 25 rejected
    pw.write_parquet(log, tmp_path / "log.parquet")
    sp = pw.read_parquet(tmp_path / "log.parquet", engine="spark")  # no mapping: the file's metadata gives it
    assert sp.columns == {"case": "case_id", "activity": "activity", "timestamp": "timestamp",
                          "end_timestamp": "end_timestamp", "unit": "unit", "resource": "resource",
                          "referral_to": "referral_to", "attributes": list(log.attributes)}
    assert sp.tz == log.tz and sp.attributes == log.attributes and len(sp.rejected) == 0
    assert sp.rejected.attrs == {"n_read_at_first_read": 9167, "n_rejected_at_first_read": 25}
    # a full read on Spark: the same events and classes, rows numbered by their place in the file
    pd.testing.assert_frame_equal(sp.to_pandas().drop(columns="row"), log.to_pandas().drop(columns="row"))
    assert sp.to_pandas()["row"].tolist() == list(range(9142))

    # a Spark log is written with its metadata too, and DuckDB reads it back without a mapping
    pw.write_parquet(sp, tmp_path / "from_spark.parquet")
    back = pw.read_parquet(tmp_path / "from_spark.parquet")
    assert back.columns == sp.columns and back.tz == sp.tz
    pd.testing.assert_frame_equal(back.to_pandas(), sp.to_pandas())
    pd.testing.assert_frame_equal(back.unit_classes, sp.unit_classes)
