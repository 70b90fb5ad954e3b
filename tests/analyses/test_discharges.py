"""Discharge timing: local weekday × hour across DST, and the 48-hour notice rule."""

import pandas as pd
import pytest

import pathways as pw
from pathways.analyses.discharges import WEEKDAYS

NOTICE, DIS = "Varsling", "Udskrivning"

ROWS = [
    # S: summer (CEST): notice Wednesday 16:00, discharge Friday 16:00 -> exactly 48 h: meets the rule
    ("S", NOTICE, "2024-07-03 16:00"), ("S", DIS, "2024-07-05 16:00"),
    # W: winter (CET): notice Thursday 08:00, discharge Friday 16:00 -> 32 h: does not meet
    ("W", NOTICE, "2024-01-11 08:00"), ("W", DIS, "2024-01-12 16:00"),
    # Z: given as a UTC instant: 14:00Z on Friday 5 July 2024 is 16:00 in Copenhagen
    ("Z", DIS, "2024-07-05T14:00:00Z"),
    # T: notice Friday 12:00 before the spring change, discharge Sunday 12:00 -> 47 h: does not meet;
    # an older notice (Monday) is superseded by it
    ("T", NOTICE, "2024-03-25 09:00"), ("T", NOTICE, "2024-03-29 12:00"), ("T", DIS, "2024-03-31 12:00"),
    # M: Monday 09:30 discharge without notice; a notice afterwards with no discharge
    ("M", DIS, "2024-02-05 09:30"), ("M", NOTICE, "2024-02-06 10:00"),
]


@pytest.fixture(scope="module")
def timing():
    df = pd.DataFrame(ROWS, columns=["pt", "act", "ts"])
    return pw.discharge_timing(pw.from_pandas(df, case="pt", activity="act", timestamp="ts"))


def test_heatmap_local_time_across_dst(timing):
    h = timing.heatmap
    assert h.shape == (7, 24) and list(h.index) == list(WEEKDAYS)
    # S (summer), W (winter) and Z (UTC input) all land on Friday 16:00 local time
    assert h.loc["Friday", 16] == 3
    assert h.loc["Sunday", 12] == 1      # T, after the spring change
    assert h.loc["Monday", 9] == 1       # M at 09:30
    assert int(h.to_numpy().sum()) == 5


def test_summary_shares(timing):
    s = timing.summary.iloc[0]
    assert s["n_discharges"] == 5
    assert (s["n_friday"], s["share_friday"]) == (3, pytest.approx(0.6))
    assert (s["n_after_15"], s["share_after_15"]) == (3, pytest.approx(0.6))   # the three Friday 16:00
    assert s["n_friday_after_15"] == 3
    # notices that count: S (48 h), W (32 h), T (47 h); M's discharge had none (nor did Z)
    assert s["n_notices"] == 3 and s["n_discharges_without_notice"] == 2
    assert s["median_lead_hours"] == pytest.approx(47.0)
    assert (s["n_meeting_rule"], s["share_meeting_rule"]) == (1, pytest.approx(1 / 3))


def test_notices(timing):
    n = timing.notices
    assert list(n.columns) == ["case_id", "notice_unit", "notice_at", "discharge_unit", "discharged_at",
                               "lead_hours", "outcome", "meets_rule"]
    by = n.set_index(["case_id", n.groupby("case_id").cumcount()])
    assert by.loc[("S", 0), "lead_hours"] == pytest.approx(48.0) and by.loc[("S", 0), "meets_rule"]
    assert by.loc[("W", 0), "lead_hours"] == pytest.approx(32.0) and not by.loc[("W", 0), "meets_rule"]
    assert by.loc[("T", 0), "outcome"] == "superseded" and pd.isna(by.loc[("T", 0), "meets_rule"])
    assert by.loc[("T", 1), "lead_hours"] == pytest.approx(47.0)     # DST: 47 hours elapsed
    assert by.loc[("M", 0), "outcome"] == "no discharge"
    assert n.loc[n.case_id == "S", "notice_at"].iloc[0] == pd.Timestamp("2024-07-03 16:00", tz="Europe/Copenhagen")


def test_repr_and_rule(timing):
    assert repr(timing).startswith("DischargeTiming: 5 discharges, 60% on Friday, 60% after 15:00; 3 notices")
    assert "<table" in timing._repr_html_()
    df = pd.DataFrame(ROWS, columns=["pt", "act", "ts"])
    t24 = pw.discharge_timing(pw.from_pandas(df, case="pt", activity="act", timestamp="ts"), notice_rule="24h")
    assert t24.summary.loc[0, "n_meeting_rule"] == 3
    assert t24.summary.attrs["parameters"] == {"notice_rule": "24h"}
    with pytest.raises(pw.OptionError, match="notice_rule"):
        pw.discharge_timing(pw.from_pandas(df, case="pt", activity="act", timestamp="ts"), notice_rule="soon")


def test_no_discharges_and_empty():
    df = pd.DataFrame({"pt": ["A"], "act": ["Henvisning"], "ts": ["2024-01-01"]})
    log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    with pytest.raises(pw.OptionError, match="'discharge'"):
        pw.discharge_timing(log)
    empty = log.replace(log.table.filter(lambda t: t.case_id == "nobody"))
    e = pw.discharge_timing(empty)
    assert int(e.heatmap.to_numpy().sum()) == 0 and e.summary.loc[0, "n_discharges"] == 0
    assert len(e.notices) == 0 and "lead_hours" in e.notices.columns
    assert repr(e) == "DischargeTiming: no discharges"
    # discharges but no notices: notice columns empty, shares NaN
    only = pw.from_pandas(df.assign(act=DIS), case="pt", activity="act", timestamp="ts")
    o = pw.discharge_timing(only)
    assert o.summary.loc[0, "n_notices"] == 0 and pd.isna(o.summary.loc[0, "share_meeting_rule"])
