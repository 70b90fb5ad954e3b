"""Waits, their summary with Kaplan–Meier, and guarantees, on hand-built logs."""

import math

import numpy as np
import pandas as pd
import pytest

import pathways as pw
from pathways.analyses.survival import km_median, km_share_over, km_table

REF, ASSESS = "Henvisning modtaget", "Udredning start"


def _log(rows, **kw):
    df = pd.DataFrame(rows, columns=["pt", "act", "ts", "unit"])
    return pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit", **kw)


PVK = "Psykiatrisk Visitationsklinik"
ROWS = [
    # P1: 20 days; the second assessment start is ignored (first end counts)
    ("P1", REF, "2024-01-02 09:00", PVK), ("P1", ASSESS, "2024-01-22 09:00", PVK),
    ("P1", ASSESS, "2024-01-30 09:00", PVK),
    # P2: two starts before one end: the first is superseded after 10 days, the second waits 41 days
    ("P2", REF, "2024-01-05 10:00", PVK), ("P2", REF, "2024-01-15 10:00", PVK),
    ("P2", ASSESS, "2024-02-25 10:00", PVK),
    # P3: still waiting at as_of (2024-03-01 00:00): 20 Feb 12:00 -> 1 Mar 00:00 = 9.5 days (leap year)
    ("P3", REF, "2024-02-20 12:00", PVK),
    # P4: the end comes after as_of, so censored at as_of: 1 Jan -> 1 Mar = 31 + 29 = 60 days (over 30)
    ("P4", REF, "2024-01-01 00:00", PVK), ("P4", ASSESS, "2024-03-10 00:00", PVK),
    # P5: starts after as_of: left out, counted in attrs
    ("P5", REF, "2024-03-05 08:00", PVK),
    # P6: exactly 30 days: meets a 30-day guarantee
    ("P6", REF, "2024-01-10 08:00", PVK), ("P6", ASSESS, "2024-02-09 08:00", PVK),
]
AS_OF = "2024-03-01"


@pytest.fixture(scope="module")
def log():
    return _log(ROWS)


def test_waiting_times_by_hand(log):
    w = pw.waiting_times(log, start="referral_received", end="assessment_start", threshold="30D", as_of=AS_OF)
    assert list(w.columns[:11]) == ["case_id", "start_activity", "start_unit", "start_at", "end_activity",
                                    "end_unit", "end_at", "wait_days", "outcome", "censored", "over_threshold"]
    assert w["case_id"].tolist() == ["P1", "P2", "P2", "P3", "P4", "P6"]
    assert w["wait_days"].round(6).tolist() == [20.0, 10.0, 41.0, 9.5, 60.0, 30.0]
    assert w["outcome"].tolist() == ["ended", "superseded", "ended", "waiting", "waiting", "ended"]
    assert w["censored"].tolist() == [False, True, False, True, True, False]
    assert w["over_threshold"].tolist() == [False, False, True, False, True, False]
    # the first end counts: P1 ends on 22 Jan, not 30 Jan
    assert w.loc[0, "end_at"] == pd.Timestamp("2024-01-22 09:00", tz="Europe/Copenhagen")
    assert w["end_at"].isna().tolist() == [False, True, False, True, True, False]
    assert w.attrs["n_starts_after_as_of"] == 1
    assert w.attrs["parameters"]["threshold"] == "30D"
    assert str(w["start_at"].dt.tz) == "Europe/Copenhagen"


def test_activity_names_and_event_types_agree(log):
    a = pw.waiting_times(log, start="referral_received", end="assessment_start", as_of=AS_OF)
    b = pw.waiting_times(log, start=REF, end=[ASSESS], as_of=AS_OF)
    c = pw.waiting_times(log, start="activity:" + REF, end="event_type:assessment_start", as_of=AS_OF)
    for other in (b, c):
        pd.testing.assert_series_equal(a["wait_days"], other["wait_days"])
    assert a["over_threshold"].isna().all()  # no threshold: unknown, not False


def test_event_type_wins_over_activity_of_same_name():
    # an activity literally called "visitation" next to "Visitation": both map to the event type
    log = _log([("A", "Henvisning", "2024-01-01", None), ("A", "Visitation", "2024-01-03", None),
                ("A", "referral", "2024-01-04", None)])
    w = pw.waiting_times(log, start="referral", end="visitation", as_of="2024-02-01")
    # "referral" is the event type: both "Henvisning" and the activity "referral" are starts
    assert w["wait_days"].tolist() == [2.0, 28.0]
    w2 = pw.waiting_times(log, start="activity:referral", end="visitation", as_of="2024-02-01")
    assert w2["wait_days"].tolist() == [28.0]


def test_wait_across_dst_is_exact():
    # 30 Mar 12:00 -> 31 Mar 12:00 local spans the spring change: 23 hours
    log = _log([("A", REF, "2024-03-30 12:00", PVK), ("A", ASSESS, "2024-03-31 12:00", PVK)])
    w = pw.waiting_times(log, start=REF, end=ASSESS, as_of="2024-04-01")
    assert w.loc[0, "wait_days"] == pytest.approx(23 / 24)


def test_wait_summary_by_hand(log):
    s = pw.wait_summary(log, start="referral_received", end="assessment_start", threshold="30D", as_of=AS_OF)
    r = s.iloc[0]
    # P1 20 ended, P2 10 superseded + 41 ended, P3 9.5 waiting, P4 60 waiting, P6 30 ended
    assert (r["n"], r["n_ended"], r["n_waiting"], r["n_superseded"], r["n_censored"]) == (6, 3, 2, 1, 3)
    # KM by hand: times 9.5c 10c 20e 30e 41e 60c; S(20) = 3/4, S(30) = 3/4*2/3 = 1/2, S(41) = 1/4
    assert r["km_median_days"] == pytest.approx(30.0)
    # lifelines 0.30 KaplanMeierFitter on the same six waits: median 30.0, CI (20.0, inf)
    assert r["km_median_ci_low"] == pytest.approx(20.0)
    assert math.isinf(r["km_median_ci_high"])
    # the share over 30 days is S(30) = 1/2; Greenwood: 1/(4*3) + 1/(3*2) = 1/4, so the log-log
    # half-width is 1.96 * sqrt(1/4) / ln 2 and the band exp(-exp(ln ln 2 -+ that)) = (0.0578, 0.8449)
    assert r["km_share_over_threshold"] == pytest.approx(0.5)
    half = 1.959964 * 0.5 / math.log(2)
    assert r["km_share_ci_low"] == pytest.approx(math.exp(-math.exp(math.log(math.log(2)) + half)), abs=1e-6)
    assert r["km_share_ci_high"] == pytest.approx(math.exp(-math.exp(math.log(math.log(2)) - half)), abs=1e-6)
    assert (round(r["km_share_ci_low"], 4), round(r["km_share_ci_high"], 4)) == (0.0578, 0.8449)
    # the naive figures of the ended waits 20, 30, 41 only (numpy linear quantiles), labelled so
    assert r["median_ended_days"] == pytest.approx(30.0)
    assert r["p75_ended_days"] == pytest.approx(35.5)
    assert r["p90_ended_days"] == pytest.approx(38.8)
    assert r["max_ended_days"] == pytest.approx(41.0)
    assert r["share_ended_over_threshold"] == pytest.approx(1 / 3)  # 41 of 20, 30, 41
    assert r["max_censored_days"] == pytest.approx(60.0)
    # over 30 days so far: 41 (ended) and 60 (still waiting)
    assert r["n_over_threshold"] == 2
    # the old naive share (over / known outcome) is gone, not silently redefined
    assert "share_over_threshold" not in s.columns and "km_ci_low" not in s.columns
    assert "Brookmeyer-Crowley" in s.attrs["estimators"]["km_median_ci_low/km_median_ci_high"]
    assert s.attrs["parameters"]["as_of"] == AS_OF


def test_wait_curve_by_hand(log):
    w = pw.waiting_times(log, start="referral_received", end="assessment_start", as_of=AS_OF)
    # waits 9.5c 10c 20e 30e 41e 60c: at risk 6, 5, 4, 3, 2, 1; S = 1, 1, 3/4, 1/2, 1/4, 1/4
    c = pw.wait_curve(w, min_at_risk=1)
    assert c["time"].tolist() == [9.5, 10.0, 20.0, 30.0, 41.0, 60.0]
    assert c["n_at_risk"].tolist() == [6, 5, 4, 3, 2, 1]
    assert c["n_ended"].tolist() == [0, 0, 1, 1, 1, 0]
    assert c["survival"].tolist() == pytest.approx([1, 1, 0.75, 0.5, 0.25, 0.25])
    # the curve's first time at or below 0.5 is wait_summary's Kaplan-Meier median
    s = pw.wait_summary(log, start="referral_received", end="assessment_start", as_of=AS_OF).iloc[0]
    assert c.loc[c["survival"] <= 0.5, "time"].iloc[0] == s["km_median_days"]
    # by default the tail with fewer than 5 at risk is cut (small cells)
    assert pw.wait_curve(w)["time"].tolist() == [9.5, 10.0]
    # one curve per group: P2's two starts (10c, 41e) and the others
    w["group"] = np.where(w["case_id"] == "P2", "b", "a")
    g = pw.wait_curve(w, by="group", min_at_risk=1)
    assert list(g.columns[:2]) == ["group", "time"]
    assert g.loc[g["group"] == "b", "survival"].tolist() == [1.0, 0.0]
    assert g.loc[g["group"] == "a", "time"].tolist() == [9.5, 20.0, 30.0, 60.0]
    with pytest.raises(pw.OptionError, match="no column 'wait_days' \\(did you mean 'wait_day'"):
        pw.wait_curve(w.rename(columns={"wait_days": "wait_day"}))


def test_wait_summary_by_group(log):
    df = pd.DataFrame(ROWS, columns=["pt", "act", "ts", "unit"])
    df["age"] = df["pt"].map({"P1": 10, "P2": 40, "P3": 40, "P4": 85, "P5": 50, "P6": 70})
    glog = pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")
    s = pw.wait_summary(glog, start=REF, end=ASSESS, as_of=AS_OF, by="age_band")
    assert s["age_band"].tolist() == ["0-17", "18-64", "65-79", "80+"]
    assert s["n"].tolist() == [1, 3, 1, 1]
    assert s["n_censored"].tolist() == [0, 2, 0, 1]
    assert s["n_superseded"].tolist() == [0, 1, 0, 0] and s["n_waiting"].tolist() == [0, 1, 0, 1]
    assert s["n_superseded"].dtype == "int64"
    s2 = pw.wait_summary(glog, start=REF, end=ASSESS, as_of=AS_OF, by="domain")
    assert s2["domain"].tolist() == ["psychiatric"] and s2["n"].tolist() == [6]
    with pytest.raises(pw.OptionError, match="Did you mean 'age'"):
        pw.wait_summary(glog, start=REF, end=ASSESS, as_of=AS_OF, by="agee")


def test_km_against_lifelines():
    # reference numbers computed once with lifelines 0.30 (KaplanMeierFitter, median_survival_times
    # of confidence_interval_); lifelines is not a dependency
    d = [3, 5, 5, 8, 10, 12, 12, 15, 20, 25, 30, 40]
    e = np.array([1, 1, 0, 1, 0, 1, 1, 0, 1, 1, 0, 1], bool)
    assert km_median(d, e) == {"km_median_days": 20.0, "km_median_ci_low": 5.0, "km_median_ci_high": 40.0}
    t = km_table(d, e).set_index("time")
    assert t.loc[12.0, "survival"] == pytest.approx(0.529101, abs=1e-6)
    assert t.loc[12.0, "ci_low"] == pytest.approx(0.205093, abs=1e-6)
    assert t.loc[12.0, "ci_high"] == pytest.approx(0.774312, abs=1e-6)
    assert t.loc[25.0, "ci_low"] == pytest.approx(0.043651, abs=1e-6)
    assert t.loc[25.0, "ci_high"] == pytest.approx(0.568568, abs=1e-6)
    # nothing: NaN; nothing ended: not reached
    assert math.isnan(km_median([], [])["km_median_days"])
    assert math.isinf(km_median([1, 2], [False, False])["km_median_days"])


def test_missing_milestone_did_you_mean(log):
    with pytest.raises(pw.OptionError, match="Henvisning modtaget"):
        pw.waiting_times(log, start="Henvisning modtget", end=ASSESS, as_of=AS_OF)
    with pytest.raises(pw.OptionError, match="Vocabulary"):
        pw.waiting_times(log, start="diagnosis_conference", end="treatment_start", as_of=AS_OF)
    with pytest.raises(pw.OptionError, match="not a milestone"):
        pw.waiting_times(log, start="", end=ASSESS, as_of=AS_OF)
    with pytest.raises(pw.OptionError, match="as_of"):
        pw.waiting_times(log, start=REF, end=ASSESS, as_of="not a date")
    with pytest.raises(TypeError):
        pw.waiting_times(log, start=REF, end=ASSESS)  # as_of is required


def test_unit_filters_need_the_unit_role():
    df = pd.DataFrame({"pt": ["A", "A"], "act": [REF, ASSESS], "ts": ["2024-01-01", "2024-01-05"]})
    log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    with pytest.raises(pw.OptionError, match="unit"):
        pw.waiting_times(log, start=REF, end=ASSESS, as_of=AS_OF, start_domain="psychiatric")
    with pytest.raises(pw.OptionError, match="not a domain"):
        pw.waiting_times(_log(ROWS), start=REF, end=ASSESS, as_of=AS_OF, start_domain="psych")


def test_empty_log():
    empty = _log(ROWS).replace(_log(ROWS).table.filter(lambda t: t.case_id == "nobody"))
    w = pw.waiting_times(empty, start=REF, end=ASSESS, threshold="30D", as_of=AS_OF)
    assert len(w) == 0 and "wait_days" in w.columns and "over_threshold" in w.columns
    s = pw.wait_summary(empty, start=REF, end=ASSESS, as_of=AS_OF)
    assert len(s) == 0 and {"km_median_days", "km_share_ci_high", "n_superseded"} <= set(s.columns)


def test_guarantees_default_rules():
    rows = ROWS + [
        # child psychiatry: referral received at B&U, first contact 3 weeks later (within 4 weeks)
        ("C1", REF, "2024-01-01 09:00", "Børne- og Ungdomspsykiatri"),
        ("C1", "Førstegangssamtale", "2024-01-22 09:00", "Børne- og Ungdomspsykiatri"),
        # psychiatric discharge, then any contact in district psychiatry 9 days later (over 7)
        ("D1", "Udskrivning", "2024-01-10 12:00", "Psykiatrisk sengeafsnit"),
        ("D1", "Ambulant besøg", "2024-01-19 12:00", "Distriktspsykiatri Vest"),
    ]
    g = pw.guarantees(_log(rows), as_of=AS_OF).set_index("name")
    assert list(g.index) == list(pw.GUARANTEES["name"])
    assert {"source", "tag", "status", "km_median_days", "km_share_over_threshold", "n_superseded"} <= set(g.columns)
    u = g.loc["udredningsret"]
    # the B&U referral is psychiatric too and never assessed: 7 starts, over: P2 41, P4 60, C1 60
    assert (u["status"], u["n"], u["n_over_threshold"]) == ("ok", 7, 3)
    # superseded waits are their own category: P2's first referral; waiting: P3, P4, C1
    assert (u["n_ended"], u["n_waiting"], u["n_superseded"], u["n_censored"]) == (3, 3, 1, 4)
    # KM: 9.5c 10c 20e 30e 41e 60c 60c -> S(20) = 4/5, S(30) = 4/5 * 3/4 = 3/5, S(41) = 3/5 * 2/3 = 2/5
    assert u["km_share_over_threshold"] == pytest.approx(0.6)
    assert u["km_median_days"] == pytest.approx(41.0)
    c = g.loc["child_psychiatry_first_contact"]
    assert (c["n"], c["km_median_days"], c["median_ended_days"], c["n_over_threshold"]) == (1, 21.0, 21.0, 0)
    d = g.loc["psychiatric_discharge_to_dp"]
    assert (d["n"], d["km_median_days"], d["km_share_over_threshold"], d["share_ended_over_threshold"]) == \
        (1, 9.0, 1.0, 1.0)
    assert "Kaplan-Meier" in g.attrs["estimators"]["km_share_over_threshold"]
    assert "matches no event" in g.loc["diagnosis_conference_to_treatment", "status"]
    assert g.loc["diagnosis_conference_to_treatment", "n"] == 0
    assert g.attrs["parameters"]["as_of"] == AS_OF


def test_guarantees_custom_rules(log):
    rules = pd.DataFrame({"name": ["fast"], "start": [REF], "end": [ASSESS], "threshold": ["3W"],
                          "owner": ["PVK"]})
    g = pw.guarantees(log, rules, as_of=AS_OF)
    assert g.loc[0, "owner"] == "PVK" and g.loc[0, "n_over_threshold"] == 3  # 30, 41 and 60 are over 21 days
    with pytest.raises(pw.OptionError, match="lacks the column"):
        pw.guarantees(log, rules.drop(columns="threshold"), as_of=AS_OF)


# --------------------------------------------------------------------------- Kaplan-Meier, checked independently
def _reference_km(durations, ended):
    """A plain textbook Kaplan-Meier (Greenwood variance, log-log band), written without numpy, as a check.

    Returns {time: (survival, low, high)} at each distinct time; censored at a time are still at risk there.
    """
    pairs = sorted(zip(durations, ended))
    out, s, green = {}, 1.0, 0.0
    for t in sorted(set(d for d, _ in pairs)):
        at_risk = sum(1 for d, _ in pairs if d >= t)
        events = sum(1 for d, e in pairs if d == t and e)
        s *= 1 - events / at_risk
        green += events / (at_risk * (at_risk - events)) if at_risk > events else 0.0
        if 0 < s < 1:
            half = 1.959964 * math.sqrt(green) / abs(math.log(s))
            low = math.exp(-math.exp(math.log(-math.log(s)) + half))
            high = math.exp(-math.exp(math.log(-math.log(s)) - half))
        else:
            low = high = s
        out[t] = (s, low, high)
    return out


def test_km_against_a_reference_implementation():
    # ties between ended and censored waits at the same time, and several events at one time
    d = [1, 2, 2, 2, 3, 5, 5, 7, 8, 8, 9, 12, 12, 13, 20, 21, 21, 30]
    e = [1, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 1, 0, 1, 0, 1, 1, 0]
    ref = _reference_km(d, e)
    table = km_table(d, np.array(e, bool)).set_index("time")
    for t, (s, low, high) in ref.items():
        assert table.loc[t, "survival"] == pytest.approx(s, abs=1e-9)
        assert table.loc[t, "ci_low"] == pytest.approx(low, abs=1e-6)
        assert table.loc[t, "ci_high"] == pytest.approx(high, abs=1e-6)
    # the share over a threshold is the curve's value at the last time at or before it
    for at, t in ((0.5, None), (2.0, 2), (4.0, 3), (12.5, 12), (40.0, 30)):
        got = km_share_over(d, np.array(e, bool), at)
        want = (1.0, 1.0, 1.0) if t is None else ref[t]
        assert (got["km_share_over_threshold"], got["km_share_ci_low"], got["km_share_ci_high"]) == \
            pytest.approx(want, abs=1e-6)
    # the median: the first time the curve is at or below 1/2; its interval from the band's first such times
    m = km_median(d, np.array(e, bool))
    first = {k: min((t for t, v in ref.items() if v[i] <= 0.5), default=math.inf) for i, k in
             ((0, "km_median_days"), (1, "km_median_ci_low"), (2, "km_median_ci_high"))}
    assert m == first


def test_km_textbook_values():
    # Freireich et al. (1963), the 6-MP arm of the leukaemia remission trial (weeks; 0 = censored), the
    # classic example of Kaplan-Meier (Kleinbaum & Klein, Survival Analysis, chapter 2; R: survfit with
    # conf.type="log-log"): S and its log-log 95 % band at each event time, median 23 weeks, lower bound 13
    t = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
    e = np.array([1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0], bool)
    table = km_table(t, e).set_index("time")
    published = {6: (0.857, 0.620, 0.952), 7: (0.807, 0.563, 0.923), 10: (0.753, 0.503, 0.889),
                 13: (0.690, 0.432, 0.849), 16: (0.627, 0.368, 0.805), 22: (0.538, 0.268, 0.747),
                 23: (0.448, 0.188, 0.680)}
    for time, values in published.items():
        assert tuple(table.loc[time, ["survival", "ci_low", "ci_high"]].round(3)) == values
    m = km_median(t, e)
    assert (m["km_median_days"], m["km_median_ci_low"]) == (23.0, 13.0) and math.isinf(m["km_median_ci_high"])
    over = km_share_over(t, e, 20)  # longer than 20 weeks: S(16), the last event before 20
    assert round(over["km_share_over_threshold"], 3) == 0.627
