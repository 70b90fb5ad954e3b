"""Handovers, the handover matrix and psychiatric-somatic bounces (DOMAIN.md 4), worked out by hand."""

import numpy as np
import pandas as pd
import pytest

import pathways as pw
from pathways.errors import OptionError

PAM, AKM, GP, HP = "Psykiatrisk Akutmodtagelse", "Akutmodtagelse", "Egen læge", "Hjemmepleje"
MA, SK, DP, PP = "Medicinsk afdeling", "Smerteklinik", "Distriktspsykiatri", "Privatpraktiserende psykiater"
UNKNOWN = "Ukendt enhed"
H = 1 / 24  # one hour in days
SEC = 1 / 86_400


def make_log(rows):
    """rows: (case, activity, time, end or None, unit or None); naive times are Copenhagen time."""
    df = pd.DataFrame(rows, columns=["pt", "what", "when", "end", "afsnit"])
    return pw.from_pandas(df, case="pt", activity="what", timestamp="when", end_timestamp="end", unit="afsnit")


def ts(text):
    return pd.Timestamp(text, tz="Europe/Copenhagen")


ROWS = [
    # A: PAM (stay ends Jan 3 06:00) -> AKM 08:00: gap 2 h from the END, psychiatric->somatic
    ("A", "Akut kontakt", "2023-01-02 22:00", "2023-01-03 06:00", PAM),
    ("A", "Overflytning", "2023-01-03 08:00", None, AKM),
    ("A", "Akut kontakt", "2023-01-04 10:00", None, PAM),          # somatic->psychiatric, gap 26 h
    ("A", "Lægekonsultation", "2023-01-11 10:00", None, GP),       # cross-sector, gap exactly 7 days: not long
    ("A", "Hjemmepleje start", "2023-01-18 10:00:01", None, HP),   # cross-sector, 7 days + 1 s: long
    # B: overlapping stays (negative gap), kinds where the domains win over the sectors, unknown sector
    ("B", "Indlæggelse", "2023-02-01 10:00", "2023-02-05 10:00", MA),
    ("B", "Ambulant besøg", "2023-02-04 10:00", None, SK),         # within-sector, gap -1 day
    ("B", "Ambulant besøg", "2023-02-10 10:00", None, DP),         # somatic->psychiatric (same sector), gap 6
    ("B", "Ambulant besøg", "2023-02-12 10:00", None, PP),         # psychiatric->psychiatric, region->private
    ("B", "Ambulant besøg", "2023-02-13 10:00", None, UNKNOWN),    # sector unknown: kind unknown
    # C: one unit only: no handover
    ("C", "Lægekonsultation", "2023-03-01 09:00", None, GP),
    ("C", "Lægekonsultation", "2023-03-05 09:00", None, GP),
]


def test_handovers_columns_gaps_and_kinds():
    h = pw.handovers(make_log(ROWS))
    assert list(h.columns) == ["case_id", "step", "from_unit", "to_unit", "from_domain", "to_domain", "from_sector",
                               "to_sector", "left_at", "arrived_at", "gap_days", "kind", "long_gap"]
    assert list(zip(h.case_id, h.from_unit, h.to_unit)) == [
        ("A", PAM, AKM), ("A", AKM, PAM), ("A", PAM, GP), ("A", GP, HP),
        ("B", MA, SK), ("B", SK, DP), ("B", DP, PP), ("B", PP, UNKNOWN)]
    assert list(h.kind) == ["psychiatric→somatic", "somatic→psychiatric", "cross-sector", "cross-sector",
                            "within-sector", "somatic→psychiatric", "cross-sector", "unknown"]
    np.testing.assert_allclose(h.gap_days, [2 * H, 26 * H, 7.0, 7.0 + SEC, -1.0, 6.0, 2.0, 1.0], rtol=0, atol=1e-9)
    assert list(h.long_gap) == [False, False, False, True, False, False, False, False]
    assert h.left_at[0] == ts("2023-01-03 06:00") and h.arrived_at[0] == ts("2023-01-03 08:00")
    assert list(h.step) == [0, 1, 2, 3, 0, 1, 2, 3]
    assert h.attrs["parameters"] == {"threshold": "7 days 00:00:00"}


def test_threshold_option():
    h = pw.handovers(make_log(ROWS), threshold="1D")
    # gaps over one day: 26 h, 7, 7 + 1 s, 6, 2 (1.0 exactly is not over)
    assert list(h.long_gap) == [False, True, True, True, False, True, True, False]
    with pytest.raises(OptionError, match="threshold"):
        pw.handovers(make_log(ROWS), threshold="a week")
    # the old name, max_gap=, still works for one release, with a DeprecationWarning that names the new one
    with pytest.warns(DeprecationWarning, match=r"handovers\(threshold=\.\.\.\)"):
        old = pw.handovers(make_log(ROWS), max_gap="1D")
    pd.testing.assert_frame_equal(old, h)
    with pytest.raises(OptionError, match="both threshold= and max_gap="):
        pw.handovers(make_log(ROWS), max_gap="1D", threshold="2D")


def test_handover_matrix_by_domain_and_sector():
    log = make_log(ROWS)
    m = pw.handover_matrix(log, by="domain").set_index(["from", "to"])
    assert m.loc[("somatic", "psychiatric"), "n_handovers"] == 2
    assert m.loc[("somatic", "psychiatric"), "n_cases"] == 2
    assert m.loc[("somatic", "psychiatric"), "median_gap_days"] == pytest.approx((26 * H + 6.0) / 2)
    assert m.loc[("psychiatric", "somatic"), "n_handovers"] == 1
    assert m.loc[("general_practice", "municipal_care"), "n_long_gaps"] == 1
    assert m.n_handovers.sum() == 8
    s = pw.handover_matrix(log, by="sector")
    # region -> region: PAM->AKM, AKM->PAM (A) and MA->SK, SK->DP (B); median of 2 h, 26 h, -1 d, 6 d
    top = s.iloc[0]
    assert (top["from"], top["to"], top.n_handovers, top.n_cases) == ("region", "region", 4, 2)
    assert top.median_gap_days == pytest.approx((2 * H + 26 * H) / 2)
    u = pw.handover_matrix(log)
    assert len(u) == 8 and set(u.n_handovers) == {1}
    with pytest.raises(OptionError, match="Did you mean 'domain'"):
        pw.handover_matrix(log, by="domains")


BOUNCE_ROWS = [
    # A: PAM -> AKM -> PAM, left PAM Jan 3 06:00 (end), back Jan 4 10:00: 28 h
    *ROWS[:5],
    # D: reverse, exactly 30 days across the spring DST change (Mar 1 12:00 CET -> Mar 31 13:00 CEST): included
    ("D", "Akut kontakt", "2023-03-01 12:00", None, AKM),
    ("D", "Akut kontakt", "2023-03-10 12:00", None, PAM),
    ("D", "Indlæggelse", "2023-03-31 13:00", None, MA),
    # E: 30 days and one second: not a bounce
    ("E", "Akut kontakt", "2023-04-01 08:00", None, PAM),
    ("E", "Akut kontakt", "2023-04-05 08:00", None, AKM),
    ("E", "Akut kontakt", "2023-05-01 08:00:01", None, PAM),
    # F: a GP between: the three steps are not consecutive, no bounce
    ("F", "Akut kontakt", "2023-04-01 08:00", None, PAM),
    ("F", "Akut kontakt", "2023-04-02 08:00", None, AKM),
    ("F", "Lægekonsultation", "2023-04-03 08:00", None, GP),
    ("F", "Akut kontakt", "2023-04-04 08:00", None, PAM),
]


def test_bounces_within_30_days_edge_included_one_second_over_excluded():
    b = pw.bounces(make_log(BOUNCE_ROWS))
    assert list(b.case_id) == ["A", "D"]
    assert list(b.kind) == ["psychiatric→somatic→psychiatric", "somatic→psychiatric→somatic"]
    assert list(zip(b.first_unit, b.middle_unit, b.last_unit)) == [(PAM, AKM, PAM), (AKM, PAM, MA)]
    np.testing.assert_allclose(b.duration_days, [28 * H, 30.0], rtol=0, atol=1e-9)
    assert b.start[0] == ts("2023-01-03 06:00") and b.end[0] == ts("2023-01-04 10:00")
    # a shorter window drops D
    assert list(pw.bounces(make_log(BOUNCE_ROWS), within="29D").case_id) == ["A"]


def test_needs_unit_and_empty_log():
    df = pd.DataFrame({"pt": ["A"], "what": ["Henvisning"], "when": ["2023-01-02"]})
    no_unit = pw.from_pandas(df, case="pt", activity="what", timestamp="when")
    for f in (pw.handovers, pw.handover_matrix, pw.bounces):
        with pytest.raises(OptionError, match="unit"):
            f(no_unit)
    empty = make_log(ROWS[:0])
    h, m, b = pw.handovers(empty), pw.handover_matrix(empty), pw.bounces(empty)
    assert (len(h), len(m), len(b)) == (0, 0, 0)
    assert h.gap_days.dtype == "float64" and h.long_gap.dtype == "bool"
    assert list(m.columns) == ["from", "to", "n_handovers", "n_cases", "median_gap_days", "n_long_gaps"]
    assert "duration_days" in b.columns


def test_unit_handover_counts_equal_pm4py_handover_of_work():
    # 40 cases, every event has a unit; ties in time and shuffled input rows
    rng = np.random.default_rng(7)
    units = [PAM, AKM, GP, HP, MA, SK, DP, PP]
    rows = []
    for c in range(40):
        n = rng.integers(2, 14)
        t = pd.Timestamp("2023-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 200, n)), unit="D")
        u = rng.choice(units[: rng.integers(2, 9)], n)
        rows += [(f"P{c}", "Ambulant besøg", str(ti), None, ui) for ti, ui in zip(t, u)]
    rows = [rows[i] for i in rng.permutation(len(rows))]
    log = make_log(rows)
    ours = pw.handover_matrix(log, by="unit").set_index(["from", "to"]).n_handovers

    import pm4py  # only here: pm4py is slow to import

    df = log.to_pm4py()  # sorted by case, time, input row
    sna = pm4py.discover_handover_of_work_network(df, beta=0, resource_key="org:group")
    # pm4py normalises by the number of consecutive event pairs (self-pairs included)
    n_pairs = len(df) - df["case:concept:name"].nunique()
    theirs = {k: round(v * n_pairs) for k, v in sna.connections.items() if k[0] != k[1] and round(v * n_pairs)}
    assert len(ours) > 20
    assert dict(ours) == theirs
