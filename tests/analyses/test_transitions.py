"""Transitions and variants on hand-built logs (answers worked out by hand) and parity with pm4py."""

import numpy as np
import pandas as pd
import pytest

import pathways as pw
from pathways.analyses.transitions import END, START

# Five patients. Input order is not time order (E is listed backwards, B's tie is
# resolved by input row), C has one event, D crosses the DST change of 2023-03-26.
ROWS = [
    # case, activity, local time, unit
    ("E", "Udskrivning", "2023-05-03 10:00", "Medicinsk afdeling"),
    ("A", "Henvisning", "2023-01-02 08:00", "Egen læge"),
    ("A", "Visitation", "2023-01-04 08:00", "Psykiatrisk Visitationsklinik"),     # +2.0 d
    ("A", "Indlæggelse", "2023-01-05 20:00", "Psykiatrisk sengeafsnit"),          # +1.5 d
    ("A", "Udskrivning", "2023-01-10 20:00", "Psykiatrisk sengeafsnit"),          # +5.0 d
    ("A", "Indlæggelse", "2023-01-20 20:00", None),                               # +10.0 d
    ("A", "Udskrivning", "2023-01-22 08:00", "Psykiatrisk sengeafsnit"),          # +1.5 d
    ("B", "Henvisning", "2023-02-01 09:00", "Egen læge"),
    ("B", "Afslag", "2023-02-02 09:00", "Psykiatrisk Visitationsklinik"),         # +1.0 d
    ("B", "Visitation", "2023-02-02 09:00", "Psykiatrisk Visitationsklinik"),     # tie: after Afslag (input order)
    ("C", "Henvisning", "2023-02-10 10:00", "Egen læge"),
    ("D", "Indlæggelse", "2023-03-25 12:00", "Medicinsk afdeling"),
    ("D", "Udskrivning", "2023-03-26 12:00", "Medicinsk afdeling"),               # 23 hours (CET -> CEST)
    ("E", "Indlæggelse", "2023-05-01 10:00", "Medicinsk afdeling"),               # E: +2.0 d
]
DST = 23 / 24


@pytest.fixture(scope="module")
def log():
    df = pd.DataFrame(ROWS, columns=["pt", "what", "when", "unit"])
    return pw.from_pandas(df, case="pt", activity="what", timestamp="when", unit="unit")


def edge(df, source, target):
    rows = df[(df["source"] == source) & (df["target"] == target)]
    assert len(rows) == 1, (source, target)
    return rows.iloc[0]


def test_transitions_counts_and_times(log):
    t = pw.transitions(log)
    assert list(t.columns) == ["source", "target", "n_transitions", "n_cases", "mean_days", "median_days",
                               "p90_days", "max_days"]
    expected = {  # (source, target): (n_transitions, n_cases)
        (START, "Henvisning"): (3, 3), (START, "Indlæggelse"): (2, 2),
        ("Henvisning", "Visitation"): (1, 1), ("Visitation", "Indlæggelse"): (1, 1),
        ("Indlæggelse", "Udskrivning"): (4, 3), ("Udskrivning", "Indlæggelse"): (1, 1),
        ("Henvisning", "Afslag"): (1, 1), ("Afslag", "Visitation"): (1, 1),
        ("Udskrivning", END): (3, 3), ("Visitation", END): (1, 1), ("Henvisning", END): (1, 1),
    }
    got = {(r.source, r.target): (r.n_transitions, r.n_cases) for r in t.itertuples()}
    assert got == expected
    # four admissions to discharge: A 5.0 and 1.5 days, D 23 hours across DST, E 2.0 days
    adm = edge(t, "Indlæggelse", "Udskrivning")
    assert adm.mean_days == pytest.approx((5.0 + 1.5 + DST + 2.0) / 4, rel=1e-12)
    assert adm.median_days == pytest.approx(1.75, rel=1e-12)
    assert adm.p90_days == pytest.approx(2.0 + 0.7 * 3.0, rel=1e-12)  # continuous quantile, as numpy
    assert adm.max_days == 5.0
    assert edge(t, "Henvisning", "Visitation").median_days == 2.0
    assert edge(t, "Visitation", "Indlæggelse").max_days == 1.5
    assert edge(t, "Udskrivning", "Indlæggelse").mean_days == 10.0
    assert edge(t, "Henvisning", "Afslag").mean_days == 1.0
    assert edge(t, "Afslag", "Visitation").mean_days == 0.0  # the tie, in input order
    # start and end rows have no times
    assert t.loc[(t.source == START) | (t.target == END), ["mean_days", "median_days", "p90_days",
                                                           "max_days"]].isna().all().all()
    # most frequent first, then by name
    assert t["n_transitions"].is_monotonic_decreasing
    assert t.iloc[0][["source", "target"]].tolist() == ["Indlæggelse", "Udskrivning"]
    assert t.attrs["parameters"] == {"level": "activity"}


def test_dst_edge_is_23_hours():
    df = pd.DataFrame({"pt": ["D", "D", "D"], "what": ["Indlæggelse", "Udskrivning", "Indlæggelse"],
                       "when": ["2023-03-25 12:00", "2023-03-26 12:00", "2023-10-29 12:00"]})
    log = pw.from_pandas(df, case="pt", activity="what", timestamp="when")
    t = pw.transitions(log)
    assert edge(t, "Indlæggelse", "Udskrivning").mean_days == pytest.approx(23 / 24, rel=1e-12)
    # 2023-03-26 12:00 CEST to 2023-10-29 12:00 CET: 217 days and one hour
    assert edge(t, "Udskrivning", "Indlæggelse").mean_days == pytest.approx(217 + 1 / 24, rel=1e-12)


def test_event_type_level(log):
    t = pw.transitions(log, level="event_type")
    got = {(r.source, r.target): r.n_transitions for r in t.itertuples()}
    assert got[("admission", "discharge")] == 4
    assert got[("referral", "referral_rejected")] == 1
    assert got[("referral_rejected", "visitation")] == 1
    assert got[(START, "referral")] == 3
    assert got[("discharge", END)] == 3
    assert sum(v for (s, _), v in got.items() if s == START) == 5  # one start per case


def test_unit_level_skips_missing_units_and_keeps_self_loops(log):
    t = pw.transitions(log, level="unit")
    got = {(r.source, r.target): (r.n_transitions, r.n_cases) for r in t.itertuples()}
    sa, pvk, ward, med = ("Psykiatrisk sengeafsnit", "Psykiatrisk Visitationsklinik", "Psykiatrisk sengeafsnit",
                          "Medicinsk afdeling")
    assert got == {
        (START, "Egen læge"): (3, 3), (START, med): (2, 2),
        ("Egen læge", pvk): (2, 2), (pvk, ward): (1, 1), (ward, sa): (2, 1),  # A's unit-less event skipped
        (pvk, pvk): (1, 1), (med, med): (2, 2),
        (sa, END): (1, 1), (pvk, END): (1, 1), ("Egen læge", END): (1, 1), (med, END): (2, 2),
    }
    # A: 2023-01-05 20:00 -> 01-10 20:00 (5 d), then 01-10 20:00 -> 01-22 08:00 over the skipped event (11.5 d)
    assert edge(t, ward, ward).mean_days == pytest.approx((5.0 + 11.5) / 2)
    assert edge(t, med, med).median_days == pytest.approx((DST + 2.0) / 2)


def test_unit_level_needs_units():
    df = pd.DataFrame({"pt": ["A"], "what": ["Henvisning"], "when": ["2023-01-01"]})
    log = pw.from_pandas(df, case="pt", activity="what", timestamp="when")
    with pytest.raises(pw.OptionError, match="unit"):
        pw.transitions(log, level="unit")
    with pytest.raises(pw.OptionError, match="Did you mean 'event_type'"):
        pw.transitions(log, level="event_types")


def test_variants(log):
    v = pw.variants(log)
    assert list(v.columns) == ["variant", "n_events", "n_cases", "share", "cumulative_share",
                               "median_case_duration_days"]
    assert v["variant"].tolist() == [
        "Indlæggelse → Udskrivning",
        "Henvisning",
        "Henvisning → Afslag → Visitation",
        "Henvisning → Visitation → Indlæggelse → Udskrivning → Indlæggelse → Udskrivning",
    ]
    assert v["n_cases"].tolist() == [2, 1, 1, 1]
    assert v["n_events"].tolist() == [2, 1, 3, 6]
    assert v["share"].tolist() == pytest.approx([0.4, 0.2, 0.2, 0.2])
    assert v["cumulative_share"].tolist() == pytest.approx([0.4, 0.6, 0.8, 1.0])
    assert v["median_case_duration_days"].tolist() == pytest.approx([(DST + 2.0) / 2, 0.0, 1.0, 20.0])
    assert v.attrs["n_variants_left_out"] == 0 and v.attrs["n_cases_left_out"] == 0


def test_variants_top(log):
    v = pw.variants(log, top=2)
    assert v["variant"].tolist() == ["Indlæggelse → Udskrivning", "Henvisning"]
    assert v["cumulative_share"].iloc[-1] == pytest.approx(0.6)
    assert v.attrs["n_variants"] == 4 and v.attrs["n_cases"] == 5
    assert v.attrs["n_variants_left_out"] == 2 and v.attrs["n_cases_left_out"] == 2
    assert v.attrs["parameters"] == {"top": 2}
    assert len(pw.variants(log, top=10)) == 4
    for bad in (0, -1, 2.5, True, "3"):
        with pytest.raises(pw.OptionError, match="top="):
            pw.variants(log, top=bad)


def test_empty_log_gives_empty_tables_with_columns(log):
    empty = pw.filter_cases(log, ["nobody"])
    t = pw.transitions(empty)
    assert len(t) == 0
    text = str(pd.Series(["a"]).dtype)  # pandas' own string dtype: str in pandas 3, object before
    assert t.dtypes.astype(str).to_dict() == {"source": text, "target": text, "n_transitions": "int64",
                                              "n_cases": "int64", "mean_days": "float64",
                                              "median_days": "float64", "p90_days": "float64",
                                              "max_days": "float64"}
    v = pw.variants(empty)
    assert len(v) == 0 and list(v.columns) == ["variant", "n_events", "n_cases", "share", "cumulative_share",
                                               "median_case_duration_days"]
    assert v.attrs["n_cases"] == 0


# --- parity with pm4py -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def generated():
    """300 cases of 1-14 events, whole-second times with many ties, rows shuffled, across both DST changes."""
    rng = np.random.default_rng(20240401)
    activities = np.array(["Henvisning", "Visitation", "Indlæggelse", "Udskrivning", "Ambulant besøg",
                           "Epikrise", "Afslag"])
    base = pd.Timestamp("2023-03-20 00:00")
    rows = []
    for c in range(300):
        n = int(rng.integers(1, 15))
        gaps = rng.choice([0, 0, 60, 3600, 86_400, 7 * 86_400], size=n) * rng.integers(1, 5, size=n)
        start = base + pd.Timedelta(seconds=int(rng.integers(0, 240 * 86_400)))
        times = start + pd.to_timedelta(np.cumsum(gaps) - gaps[0], unit="s")
        acts = rng.choice(activities, size=n, p=[0.25, 0.15, 0.2, 0.2, 0.1, 0.05, 0.05])
        rows += [(f"P{c:03d}", a, t.strftime("%Y-%m-%d %H:%M:%S")) for a, t in zip(acts, times)]
    df = pd.DataFrame(rows, columns=["pt", "what", "when"]).sample(frac=1, random_state=7)
    log = pw.from_pandas(df, case="pt", activity="what", timestamp="when")
    # guard: the generated log has ties within cases, so tie-breaking is exercised
    tied = log.to_pandas().duplicated(["case_id", "timestamp"]).sum()
    assert tied > 100
    return log


def test_dfg_parity_with_pm4py(generated):
    import pm4py
    df = generated.to_pm4py()
    dfg, start, end = pm4py.discover_dfg(df)
    perf, _, _ = pm4py.discover_performance_dfg(df)
    ours = pw.transitions(generated)
    inner = ours[(ours.source != START) & (ours.target != END)]
    assert {(r.source, r.target): r.n_transitions for r in inner.itertuples()} == dict(dfg)
    assert dict(ours[ours.source == START].set_index("target")["n_transitions"]) == dict(start)
    assert dict(ours[ours.target == END].set_index("source")["n_transitions"]) == dict(end)
    assert dict(pm4py.get_start_activities(df)) == dict(start)
    assert dict(pm4py.get_end_activities(df)) == dict(end)
    for r in inner.itertuples():
        p = perf[(r.source, r.target)]
        assert r.mean_days == pytest.approx(p["mean"] / 86_400, rel=1e-9, abs=1e-12)
        assert r.median_days == pytest.approx(p["median"] / 86_400, rel=1e-9, abs=1e-12)
        assert r.max_days == pytest.approx(p["max"] / 86_400, rel=1e-9, abs=1e-12)


def test_variant_parity_with_pm4py(generated):
    import pm4py
    theirs = pm4py.get_variants(generated.to_pm4py())
    theirs = {" → ".join(k): (v if isinstance(v, int) else len(v)) for k, v in theirs.items()}
    ours = pw.variants(generated)
    assert dict(zip(ours["variant"], ours["n_cases"])) == theirs
    assert ours["n_cases"].sum() == 300
