"""Rejection codes (issue 23, item 3): every reason a row is rejected for has a stable code, and its words in
English and Danish are rendered from the code in one place."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import pathways as pw
from pathways.rejections import REASONS, exploded, text
from pathways.publish.words import check_name


def test_every_code_has_words_in_both_languages():
    for code, reason in REASONS.items():
        assert code == code.lower() and " " not in code
        assert reason.en and reason.da and reason.en != reason.da, code


def test_a_row_with_two_problems_keeps_two_codes_and_the_number_fix():
    df = pd.DataFrame({"c": ["1", None, "2"], "a": ["x", None, "y"], "t": [20230101, 20230102, 20230103]})
    with pytest.raises(pw.EventLogError) as err:
        pw.from_pandas(df, case="c", activity="a", timestamp="t", strict=True)
    fc = err.value.failure_cases
    # row 1 lacks case id and activity; every time is a number, which is not read as a time
    assert fc[["row", "code"]].values.tolist() == [[0, "not_a_date_number"], [1, "missing_case_id"],
                                                   [1, "missing_activity"], [1, "not_a_date_number"],
                                                   [2, "not_a_date_number"]]
    assert "pd.to_datetime(df['t'], unit='s')" in str(err.value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        log = pw.from_pandas(df, case="c", activity="a", timestamp="t")
    assert len(log) == 0 and len(log.rejected) == log.n_read == 3
    assert log.rejected.loc[1, "code"] == ["missing_case_id", "missing_activity", "not_a_date_number"]
    assert len(exploded(log.rejected)) == 5


def test_the_quality_report_names_a_rejection_from_its_code_in_danish():
    log = pw.datasets.load_sample("dirty_extract")
    qr = pw.quality_report(log, as_of="2024-01-01")
    row = qr[(qr["id"] == "rejected") & (qr["detail"] == "end_before_start")].iloc[0]
    assert row["check"] == "rejected: end before start"
    assert check_name("rejected", row["detail"], "da") == "afvist: " + text("end_before_start", "da") \
        == "afvist: slut før start"
