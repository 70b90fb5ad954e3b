"""Quantiles per group: the engine's aggregate, or, for logs too large for it, a sort that spills; the same numbers."""

import pandas as pd
import pytest

import pathways as pw
from pathways.analyses import common as _common


ANALYSES = {
    "transitions": pw.transitions,
    "variants": pw.variants,
    "handover_matrix": lambda log: pw.handover_matrix(log),
    "circular_routes": pw.circular_routes,
}


def _numbers(fn, log):
    return fn(log).reset_index(drop=True)


@pytest.mark.parametrize("name", pw.datasets.list_samples())
@pytest.mark.parametrize("analysis", list(ANALYSES))
def test_the_sort_gives_the_aggregate_s_quantiles(name, analysis, monkeypatch):
    log = pw.datasets.load_sample(name)
    expected = _numbers(ANALYSES[analysis], log)
    monkeypatch.setattr(_common, "_quantiles_spill", lambda log, pairs_of=None: True)
    got = _numbers(ANALYSES[analysis], pw.datasets.load_sample(name))
    assert len(expected) > 0
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-12, atol=1e-12)


def _log(days_between_events):
    """One case per gap, each an edge A -> B after the gap (in days)."""
    rows = []
    for i, gap in enumerate(days_between_events):
        rows += [(f"p{i}", "A", pd.Timestamp("2023-03-01 12:00")),
                 (f"p{i}", "B", pd.Timestamp("2023-03-01 12:00") + pd.Timedelta(days=gap))]
    df = pd.DataFrame(rows, columns=["pt", "what", "when"])
    return pw.from_pandas(df, case="pt", activity="what", timestamp="when")


@pytest.mark.parametrize("forced", [False, True])
def test_interpolated_as_worked_out_by_hand(forced, monkeypatch):
    if forced:
        monkeypatch.setattr(_common, "_quantiles_spill", lambda log, pairs_of=None: True)
    edge = pw.transitions(_log([1, 2, 3, 4, 10])).set_index(["source", "target"]).loc[("A", "B")]
    # five values 1 2 3 4 10: median the 3rd; p90 at position 0.9 * 4 = 3.6, 4 + 0.6 * (10 - 4) = 7.6
    assert edge["median_days"] == pytest.approx(3.0)
    assert edge["p90_days"] == pytest.approx(7.6)
    edge = pw.transitions(_log([1, 2, 3, 4])).set_index(["source", "target"]).loc[("A", "B")]
    # four values: median at 1.5 -> 2.5; p90 at 2.7 -> 3 + 0.7 * 1 = 3.7
    assert edge["median_days"] == pytest.approx(2.5)
    assert edge["p90_days"] == pytest.approx(3.7)


def test_chosen_by_rows_read_and_groups_against_the_memory_limit(monkeypatch):
    import pathways.engine as engine

    log = _log([1, 2, 3])  # 6 rows read, 2 activities: (2 + 1) ** 2 = 9 possible edges with the start
    need = 6 * _common.BYTES_PER_VALUE
    monkeypatch.setattr(engine, "memory_limit_bytes", lambda backend: need)
    assert not _common._quantiles_spill(log)
    monkeypatch.setattr(engine, "memory_limit_bytes", lambda backend: need - 1)
    assert _common._quantiles_spill(log)
    need += 9 * _common.BYTES_PER_GROUP
    monkeypatch.setattr(engine, "memory_limit_bytes", lambda backend: need)
    assert not _common._quantiles_spill(log, pairs_of="activity")
    monkeypatch.setattr(engine, "memory_limit_bytes", lambda backend: need - 1)
    assert _common._quantiles_spill(log, pairs_of="activity")


def test_the_engine_reports_its_memory_limit():
    from pathways.engine import duckdb_backend, memory_limit_bytes

    limit = memory_limit_bytes(duckdb_backend())
    assert limit is not None and limit >= 16 * 10**6
