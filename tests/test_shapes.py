"""benchmarks/shapes.py makes the five log shapes it claims (issue 20), checked with plain pandas."""

import importlib.util
import pathlib
import sys

import pandas as pd
import pytest

import pathways as pw
from pathways.errors import OptionError


def _load_shapes():
    """benchmarks/shapes.py as the module ``shapes`` (the benchmarks folder is no package)."""
    spec = importlib.util.spec_from_file_location(
        "shapes", pathlib.Path(__file__).parents[1] / "benchmarks" / "shapes.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["shapes"] = module
    spec.loader.exec_module(module)
    return module


shapes = _load_shapes()
N = 20_000
COLUMNS = ["case_id", "activity", "timestamp", "end_timestamp", "unit", "resource", "referral_to"]


@pytest.fixture(scope="module")
def frames():
    return {s: shapes.events(s, N) for s in shapes.SHAPES if s != "danish"}


def _same_case(df):
    return df.case_id.eq(df.case_id.shift())


def unit_change_share(df):
    """Share of consecutive events of a case, both with a unit, whose units differ."""
    both = _same_case(df) & df.unit.notna() & df.unit.shift().notna()
    return df.unit.ne(df.unit.shift())[both].mean()


def singleton_share(df):
    """Share of cases whose activity sequence (in time order, then row order) no other case has."""
    ordered = df.sort_values(["case_id", "timestamp"], kind="stable")
    variant = ordered.groupby("case_id", sort=False).activity.agg(" > ".join)
    return variant.map(variant.value_counts()).eq(1).mean()


@pytest.mark.parametrize("shape", ["unit_dense", "high_variant", "long_cases", "huge_cases"])
def test_columns_size_and_times(frames, shape):
    df = frames[shape]
    assert list(df.columns) == COLUMNS and len(df) == N  # exactly the events asked for
    assert df.timestamp.dtype == "datetime64[us]" and df.end_timestamp.dtype == "datetime64[us]"
    assert df.case_id.notna().all() and df.activity.notna().all() and df.timestamp.notna().all()
    assert df.timestamp.min() >= pd.Timestamp("2022-01-01") and df.timestamp.max() < pd.Timestamp("2025-01-01")
    # every case's rows lie together, in time order, and no end time precedes its start
    assert df.case_id.ne(df.case_id.shift()).sum() == df.case_id.nunique()
    assert (df.timestamp.diff()[_same_case(df)] >= pd.Timedelta(0)).all()
    assert not (df.end_timestamp < df.timestamp).any()
    # no naive local time falls in a spring-forward gap (the reader would reject it)
    pd.DatetimeIndex(df.timestamp).tz_localize("Europe/Copenhagen", nonexistent="raise", ambiguous="NaT")


def test_unit_dense(frames):
    df = frames["unit_dense"]
    assert unit_change_share(df) >= 0.9
    assert 10 <= N / df.case_id.nunique() <= 12
    assert df.unit.nunique() == 53 and df.activity.nunique() == 30
    assert singleton_share(df) >= 0.9
    # the default taxonomy places units of every kind, so handovers have all kinds
    domains = set(pw.UnitTaxonomy.default().table_for(df.unit.unique()).domain)
    assert {"psychiatric", "somatic", "municipal_care", "general_practice"} <= domains


def test_high_variant(frames):
    df = frames["high_variant"]
    assert singleton_share(df) >= 0.7
    assert 9.5 <= N / df.case_id.nunique() <= 10.5
    types = pw.Vocabulary.default().table_for(df.activity.unique()).set_index("activity").event_type
    kinds = df.activity.map(types)
    per_case = kinds.groupby(df.case_id)
    # every case has a referral received, then an assessment start: waiting_times has a pair per case
    assert per_case.apply(lambda k: list(k[k.isin(["referral_received", "assessment_start"])]) ==
                          ["referral_received", "assessment_start"]).all()
    # most cases are admitted and discharged; some twice (readmissions)
    admissions = kinds.eq("admission").groupby(df.case_id).sum()
    assert 0.6 <= admissions.gt(0).mean() <= 0.8 and admissions.eq(2).sum() > 100
    assert kinds.eq("discharge").sum() == kinds.eq("admission").sum()


def test_long_cases(frames):
    df = frames["long_cases"]
    assert 120 <= N / df.case_id.nunique() <= 140
    assert df.activity.nunique() >= 600  # already at 20,000 events (650 codes, Zipf-like)
    counts = df.activity.value_counts()
    assert counts.iloc[0] > 20 * counts.median()  # a few codes are very common
    assert 38 <= df.unit.nunique() <= 40
    tied = (_same_case(df) & df.timestamp.eq(df.timestamp.shift())).groupby(df.case_id).any()
    assert tied.mean() >= 0.9
    assert 0.35 <= (df.timestamp == df.timestamp.dt.normalize()).mean() <= 0.45
    assert 0.005 <= df.unit.isna().mean() <= 0.02


@pytest.mark.parametrize("n", [N, 5_500])
def test_huge_cases(frames, n):
    df = frames["huge_cases"] if n == N else shapes.events("huge_cases", n)
    sizes = df.groupby("case_id").size()
    assert len(sizes) == 1_000 and len(df) == n and sizes.max() - sizes.min() <= 1
    assert df.unit.nunique() == 40 and df.activity.nunique() == 50


def test_deterministic_for_a_seed(frames):
    for shape in ("unit_dense", "long_cases"):
        pd.testing.assert_frame_equal(shapes.events(shape, N), frames[shape])
        assert not shapes.events(shape, N, seed=8).equals(frames[shape])


def test_file_holds_the_same_rows_in_chunks(monkeypatch, tmp_path):
    """A file written chunk by chunk (row groups) holds the events() rows; cases never straddle chunks."""
    import pyarrow.parquet as pq

    monkeypatch.setattr(shapes, "CHUNK", 3_000)
    monkeypatch.setattr(shapes, "HERE", str(tmp_path))
    path = shapes.data_file("high_variant", 10_000, seed=3)
    assert path == str(tmp_path / "data" / "shape_high_variant_10000_3.parquet")
    assert pq.ParquetFile(path).metadata.num_row_groups == 4
    df = pd.read_parquet(path)
    pd.testing.assert_frame_equal(df, shapes.events("high_variant", 10_000, seed=3))
    assert df.case_id.ne(df.case_id.shift()).sum() == df.case_id.nunique()


@pytest.mark.parametrize("shape", shapes.SHAPES)
def test_reads_without_rejections(shape):
    log = pw.read_parquet(shapes.data_file(shape, N), **shapes.MAP)
    assert len(log.rejected) == 0 and len(log) == (N if shape != "danish" else len(shapes.events(shape, N)))


def test_unknown_shape():
    with pytest.raises(OptionError, match="unit_dense"):
        shapes.events("unit_dens", 100)


def test_figures_by_hand(tmp_path):
    """The runner's own figures of a file: three cases, ties kept in file order, a unit missing."""
    t = pd.Timestamp
    df = pd.DataFrame({
        "case_id": ["A"] * 3 + ["B"] * 3 + ["C"] * 3,
        "activity": ["x", "y", "z", "x", "z", "y", "x", "y", "z"],
        "timestamp": [t("2023-01-01"), t("2023-01-02"), t("2023-01-02")] * 3,
        "unit": ["u1", "u2", "u2", "u1", None, "u1", "u3", "u3", "u1"],
    })
    path = str(tmp_path / "f.parquet")
    df.to_parquet(path)
    # pairs with both units: A u1>u2 (change), u2>u2; C u3>u3, u3>u1 (change); B none -> 2 of 4.
    # variants in time, then file order: A and C x>y>z, B x>z>y (the tie in file order) -> 1 of 3 alone
    assert shapes.figures(path) == dict(cases=3, activities=3, units=3, unit_changes=0.5,
                                        singleton_variants=pytest.approx(1 / 3))


def test_bundle_has_waits_and_readmissions_only_where_the_log_has_such_events():
    names = {s: list(shapes.bundle_calls(pw.read_parquet(shapes.data_file(s, N), **shapes.MAP)))
             for s in ("high_variant", "long_cases")}
    assert names["high_variant"] == list(shapes.BUNDLE)
    assert names["long_cases"] == ["transitions", "handovers", "circular_referrals", "case_summary", "variants"]


def test_table_marks_what_did_not_run():
    run = dict(shape="long_cases", events=1_100_000, read_s=1.5, transitions_s=0.5, handovers_s=0.25,
               circular_referrals_s=1.0, case_summary_s=0.25, variants_s=1.0, bundle_s=3.0, peak_rss_mb=1234,
               pathways_route_s=0.5, pm4py_route_s=6.0, pm4py_over_pathways=12.0, rejected=0,
               figures=dict(cases=8_460, activities=650, units=40, unit_changes=0.684, singleton_variants=1.0))
    rows = shapes.table([run]).splitlines()
    assert rows[2] == ("| long_cases | 1,100,000 | 1.50 | 0.50 | 0.25 | 1.00 | 0.25 | 1.00 | – | – | 3.00 | 4.50 "
                       "| 1,234 | 0.50 | 6.00 | 12.0× |")
    assert rows[-1] == "| long_cases | 1,100,000 | 8,460 | 650 | 40 | 68.4% | 100.0% | 0 |"
