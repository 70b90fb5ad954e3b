"""One validation for both engines (issue 26, item 1): hostile identifiers read from one Parquet file on DuckDB
and on Spark give the same case ids, the same rejected rows and the same pseudonyms.

The two builders used to write the text of a float id each in its own SQL: DuckDB wrote ``1e+20`` and ``inf``,
Spark ``1.0E20`` and ``Infinity``, so the same patient had two ids (and two pseudonyms) depending on the
engine. The text of a number is now written once (``pathways.eventlog.text_sql``), the way Python writes it
(``repr``); the expected ids below are worked out by hand from that rule.
"""

from __future__ import annotations

import hashlib
import hmac
import math

import pandas as pd
import pytest

import pathways as pw
from pathways.rejections import exploded

# float ids, and the text each becomes: NaN is a missing id; whole numbers below 1e15 lose their '.0'
# (so -0.0 and 0 are one patient); everything else is written as Python's repr writes it
FLOATS = [
    (math.nan, None), (math.inf, "inf"), (-math.inf, "-inf"), (1e20, "1e+20"), (-0.0, "0"), (12.0, "12"),
    (1.5e-07, "1.5e-07"), (0.00012, "0.00012"), (0.001, "0.001"), (12345678.9, "12345678.9"),
    (1234567890123456.8, "1234567890123456.8"), (2.5e15, "2500000000000000.0"), (-1e-300, "-1e-300"),
    (1e16, "1e+16"), (-123.25, "-123.25"), (5e-324, "5e-324"),
]
# text ids: blanks are missing, the ends are trimmed, 'NA' and 'nan' are ids like any other
TEXTS = [
    ("  ", None), ("NA", "NA"), (" a ", "a"), ("1e20", "1e20"), ("a", "a"), ("\u00a0\t", None),
    ("Infinity", "Infinity"), ("nan", "nan"), ("-0", "-0"), ("12.0", "12.0"), ("Æ ø", "Æ ø"), ("b", "b"),
    ("c", "c"), ("d", "d"), ("e", "e"), ("f", "f"),
]
KEY = "en hemmelig nøgle"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "ids.parquet"
    pd.DataFrame({"f": [v for v, _ in FLOATS], "s": [v for v, _ in TEXTS], "a": "Henvisning",
                  "t": pd.Timestamp("2024-01-02 10:00")}).to_parquet(path)
    return path


@pytest.mark.parametrize("column, cases", [("f", FLOATS), ("s", TEXTS)])
def test_hostile_ids_are_the_same_on_both_engines(spark, hostile, column, cases):
    duck = pw.read_parquet(hostile, case=column, activity="a", timestamp="t")
    sp = pw.read_parquet(hostile, case=column, activity="a", timestamp="t", engine="spark")
    expected = {row: text for row, (_, text) in enumerate(cases) if text is not None}
    for log in (duck, sp):
        events = log.to_pandas()
        assert dict(zip(events["row"], events["case_id"])) == expected, log.backend.name
        missing = [row for row, (_, text) in enumerate(cases) if text is None]
        assert list(log.rejected["row"]) == missing and set(exploded(log.rejected)["problem"]) == {"missing case id"}
    pd.testing.assert_frame_equal(sp.rejected, duck.rejected, check_exact=True)
    pd.testing.assert_frame_equal(sp.to_pandas(), duck.to_pandas(), check_exact=True)
    # the same pseudonyms, and they are the HMAC of the ids above
    p_duck = pw.pseudonymize(duck, key=KEY).to_pandas()
    p_sp = pw.pseudonymize(sp, key=KEY).to_pandas()
    want = [hmac.new(KEY.encode(), expected[r].encode(), hashlib.sha256).hexdigest()[:16] for r in p_duck["row"]]
    assert list(p_duck["case_id"]) == want and list(p_sp["case_id"]) == want


def python_text(v: float) -> str | None:
    """The rule of pathways.eventlog.text_sql, in Python."""
    if math.isnan(v):
        return None
    if math.isfinite(v) and v == math.floor(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def test_any_double_reads_as_python_writes_it_on_both_engines(spark):
    """2,000 doubles of every magnitude (random bit patterns, short decimals, subnormals): the one SQL definition
    of the text of a number gives Python's text on both engines."""
    import random
    import struct

    import duckdb

    from pathways.engine import DUCKDB, SPARK
    from pathways.eventlog import text_sql

    rng = random.Random(26)
    values = [struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0] for _ in range(1000)]
    values += [float(f"{rng.randint(1, 99999)}e{rng.randint(-330, 310)}") for _ in range(800)]
    values += [5e-324, 1e-323, 2.5e-323, 9.9e-324, 1e-4, 9.999e-5, 1e7, 9999999.5, 1e16, 9.5e15, 0.1, -0.0]
    values += [rng.uniform(-1e6, 1e6) for _ in range(200 - 12)]
    frame = pd.DataFrame({"x": values})
    expected = [python_text(v) for v in frame["x"]]
    got_duck = duckdb.sql(f"SELECT {text_sql('x', 'DOUBLE', DUCKDB)} AS t FROM frame").df()["t"]
    got_spark = spark.createDataFrame(frame).selectExpr(f"{text_sql('x', 'DOUBLE', SPARK)} AS t").toPandas()["t"]
    for got in (got_duck, got_spark):
        wrong = [(v, g, e) for v, g, e in zip(values, got.astype(object).where(got.notna(), None), expected)
                 if g != e]
        assert not wrong, wrong[:5]
