"""pw.write_parquet(log, path, analysis=...): big results written by the engine, the same rows as the function."""

import pandas as pd
import pytest

import pathways as pw


@pytest.fixture(scope="module")
def log():
    return pw.datasets.load_sample("psychiatry_somatic")


@pytest.mark.parametrize("analysis, options", [("handovers", {}), ("handovers", {"threshold": "2D"}),
                                               ("unit_paths", {"on": "referrals"}), ("bounces", {"within": "60D"})])
def test_the_file_holds_the_function_s_rows(log, analysis, options, tmp_path):
    path = tmp_path / f"{analysis}.parquet"
    pw.write_parquet(log, path, analysis=analysis, **options)
    got = pd.read_parquet(path)
    expected = getattr(pw, analysis)(log, **options)
    assert len(expected) > 0
    for column in expected.select_dtypes("datetimetz"):  # the file keeps UTC instants
        expected[column] = expected[column].dt.tz_convert("UTC")
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    # the same values in the same order; nothing of the log's own metadata is in a result's file
    import pyarrow.parquet as pq

    assert b"pathways" not in (pq.read_schema(path).metadata or {})


def test_bad_analysis_and_options(log, tmp_path):
    with pytest.raises(pw.OptionError, match="analysis"):
        pw.write_parquet(log, tmp_path / "x.parquet", analysis="handover")
    with pytest.raises(pw.OptionError, match="threshold"):
        pw.write_parquet(log, tmp_path / "x.parquet", analysis="handovers", within="7D")
    with pytest.raises(pw.OptionError, match="analysis="):
        pw.write_parquet(log, tmp_path / "x.parquet", threshold="7D")
    with pytest.raises(pw.OptionError, match="threshold"):
        pw.write_parquet(log, tmp_path / "x.parquet", analysis="handovers", threshold="soon")
    assert not (tmp_path / "x.parquet").exists()
