"""notification_delays / notification_summary on small hand-built logs (answers worked out by hand)."""

import math

import pandas as pd
import pytest

import pathways as pw
from pathways.errors import OptionError

TZ = "Europe/Copenhagen"


def _log(rows, **kw):
    df = pd.DataFrame(rows, columns=["pt", "act", "ts", "notified", "encounter", "sender"])
    df["notified"] = pd.to_datetime(df["notified"]).dt.tz_localize(TZ)
    return pw.from_pandas(df, case="pt", activity="act", timestamp="ts", **kw)


#  A: stay e1 10:00 -> 5 Jan 12:00, heard after 3 and 30 minutes; stay e2 admitted 20 Jan 08:00 (14.8 days
#     after the discharge: a readmission), heard a day later, never discharged (a missing discharge).
#  B: stay e3, only the discharge was heard of (a missing admission), 12 minutes after it.
#  C: an outpatient visit (not a notification) and an admission without a notification time (not from a message).
ROWS = [
    ("A", "Indlæggelse", "2024-01-01 10:00", "2024-01-01 10:03", "e1", "Hospital X"),
    ("A", "Udskrivning", "2024-01-05 12:00", "2024-01-05 12:30", "e1", "Hospital X"),
    ("A", "Indlæggelse", "2024-01-20 08:00", "2024-01-21 08:00", "e2", "Hospital X"),
    ("B", "Udskrivning", "2024-01-03 09:00", "2024-01-03 09:12", "e3", "Hospital Y"),
    ("C", "Ambulant besøg", "2024-01-02 09:00", "2024-01-02 09:05", "e4", "Hospital Y"),
    ("C", "Indlæggelse", "2024-01-02 10:00", None, "e5", "Hospital Y"),
]


def test_delays_statuses_and_missing_by_hand():
    d = pw.notification_delays(_log(ROWS))
    assert list(d.columns) == ["case_id", "encounter", "event_type", "activity", "sender", "receiver", "unit",
                               "event_at", "notified_at", "delay_hours", "status", "readmission"]
    assert d[["case_id", "encounter", "event_type", "status"]].values.tolist() == [
        ["A", "e1", "admission", "on_time"], ["A", "e1", "discharge", "on_time"],
        ["A", "e2", "admission", "late"], ["A", "e2", "discharge", "missing"],
        ["B", "e3", "admission", "missing"], ["B", "e3", "discharge", "on_time"]]
    assert d["delay_hours"].round(6).tolist()[:3] == [0.05, 0.5, 24.0]
    assert math.isnan(d["delay_hours"][3]) and math.isnan(d["delay_hours"][4])
    assert d["delay_hours"][5] == pytest.approx(0.2)
    assert d["readmission"].tolist() == [False, False, True, False, False, False]
    # the missing rows carry the stay's sender and no times
    assert d.loc[4, "sender"] == "Hospital Y" and pd.isna(d.loc[4, "event_at"]) and pd.isna(d.loc[4, "activity"])
    assert str(d["event_at"].dt.tz) == TZ
    assert d.loc[0, "notified_at"] == pd.Timestamp("2024-01-01 10:03", tz=TZ)
    assert d.attrs["parameters"] == {"as_of": None, "threshold": "1h", "within": "30D"}


def test_late_is_strictly_longer_than_the_threshold():
    # the discharge of e1 was heard exactly 30 minutes after: not late with threshold="30min", late with "29min"
    assert pw.notification_delays(_log(ROWS), threshold="30min")["status"][1] == "on_time"
    assert pw.notification_delays(_log(ROWS), threshold="29min")["status"][1] == "late"
    # a day late: on time when the limit is a day
    assert pw.notification_delays(_log(ROWS), threshold="1D")["status"][2] == "on_time"


def test_delay_is_exact_elapsed_time_across_the_daylight_saving_change():
    # 31 March 2024: clocks go 02:00 -> 03:00; 01:30 CET to 03:30 CEST is one hour
    log = _log([("A", "Indlæggelse", "2024-03-31 01:30", "2024-03-31 03:30", "e1", "H"),
                ("A", "Udskrivning", "2024-03-31 05:00", "2024-03-31 06:01", "e1", "H")])
    d = pw.notification_delays(log)
    assert d["delay_hours"].round(6).tolist() == [1.0, round(61 / 60, 6)]
    assert d["status"].tolist() == ["on_time", "late"]


def test_as_of_what_the_municipality_knew():
    log = _log(ROWS)
    # at midnight 21 January the admission of e2 (20 Jan 08:00) was not yet heard of (sent 21 Jan 08:00)
    d = pw.notification_delays(log, as_of="2024-01-21")
    assert d[["encounter", "event_type", "status"]].values.tolist() == [
        ["e1", "admission", "on_time"], ["e1", "discharge", "on_time"], ["e2", "admission", "missing"],
        ["e2", "discharge", "missing"], ["e3", "admission", "missing"], ["e3", "discharge", "on_time"]]
    assert pd.isna(d.loc[2, "notified_at"]) and math.isnan(d.loc[2, "delay_hours"])
    assert d.loc[2, "event_at"] == pd.Timestamp("2024-01-20 08:00", tz=TZ)
    assert d.attrs["n_events_after_as_of"] == 0
    # on 4 January: e1's discharge (5 Jan) and e2 are later; e1 is not missing its discharge, the log has it
    d = pw.notification_delays(log, as_of="2024-01-04")
    assert d[["encounter", "event_type", "status"]].values.tolist() == [
        ["e1", "admission", "on_time"], ["e3", "admission", "missing"], ["e3", "discharge", "on_time"]]
    assert d.attrs["n_events_after_as_of"] == 2


def test_readmission_window_is_inclusive_and_counts_from_the_nearest_discharge():
    log = _log([("A", "Indlæggelse", "2024-01-01 10:00", "2024-01-01 10:00", "e1", "H"),
                ("A", "Udskrivning", "2024-01-02 10:00", "2024-01-02 10:00", "e1", "H"),
                ("A", "Indlæggelse", "2024-02-01 10:00", "2024-02-01 12:00", "e2", "H"),  # 30 days: in
                ("A", "Udskrivning", "2024-02-02 10:00", "2024-02-02 10:00", "e2", "H"),
                ("A", "Indlæggelse", "2024-03-03 10:01", "2024-03-03 10:01", "e3", "H")])  # 30 days 1 min: out
    d = pw.notification_delays(log)
    adm = d[d["event_type"] == "admission"]
    assert adm["readmission"].tolist() == [False, True, False]
    assert adm["status"].tolist() == ["on_time", "late", "on_time"]
    s = pw.notification_summary(log, by=None)
    assert s[["n_readmissions", "n_readmissions_late"]].values.tolist() == [[1, 1]]


def test_summary_per_sender_by_hand():
    s = pw.notification_summary(_log(ROWS))
    assert s["sender"].tolist() == ["Hospital X", "Hospital Y"]
    # X: 0.05, 0.5, 24 h notified (one late), e2's discharge missing; Y: 0.2 h notified, e3's admission missing
    assert s[["n_events", "n_notified", "n_on_time", "n_late", "n_missing"]].values.tolist() == [
        [4, 3, 2, 1, 1], [2, 1, 1, 0, 1]]
    assert s["share_late"].tolist() == pytest.approx([1 / 3, 0.0])
    assert s["median_delay_hours"].tolist() == pytest.approx([0.5, 0.2])
    assert s["p90_delay_hours"].tolist() == pytest.approx([0.5 + (24 - 0.5) * 0.8, 0.2])
    assert s["max_delay_hours"].tolist() == pytest.approx([24.0, 0.2])
    assert s[["n_readmissions", "n_readmissions_late"]].values.tolist() == [[1, 1], [0, 0]]
    by_type = pw.notification_summary(_log(ROWS), by="event_type")
    assert by_type[["event_type", "n_events", "n_missing"]].values.tolist() == [["admission", 3, 1],
                                                                                ["discharge", 3, 1]]


def test_options_and_missing_attributes_are_explained():
    log = _log(ROWS)
    with pytest.raises(OptionError, match="threshold='soon' is not a duration"):
        pw.notification_delays(log, threshold="soon")
    with pytest.raises(OptionError, match="as_of='someday' is not a date"):
        pw.notification_delays(log, as_of="someday")
    with pytest.raises(OptionError, match="by='hospital'"):
        pw.notification_summary(log, by="hospital")
    df = pd.DataFrame({"pt": ["A"], "act": ["Indlæggelse"], "ts": ["2024-01-01"], "sent": ["2024-01-01"]})
    bare = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    with pytest.raises(OptionError, match="no 'notified', 'encounter', 'sender'.*pw.read_fhir"):
        pw.notification_delays(bare)


def test_an_empty_result_keeps_its_columns_and_types():
    log = _log([("C", "Ambulant besøg", "2024-01-02 09:00", "2024-01-02 09:05", "e4", "H")])
    d = pw.notification_delays(log)
    assert len(d) == 0 and d["readmission"].dtype == bool and d["delay_hours"].dtype == "float64"
    s = pw.notification_summary(log)
    assert len(s) == 0 and list(s.columns)[:2] == ["sender", "n_events"]


def test_the_bundled_stream_gives_the_truths_delays_and_missing_counts():
    log = pw.datasets.load_sample("hospital_notifications", key="a test key")
    truth = pw.datasets.load_truth("hospital_notifications").events
    d = pw.notification_delays(log)
    heard = d[d["status"] != "missing"]
    sent = truth[~truth["missing"] & ~truth["cancelled"]]
    both = heard.merge(sent, on=["encounter", "event_type"], suffixes=("", "_truth"), validate="one_to_one")
    assert len(both) == len(heard) == len(sent)
    assert (both["event_at"] == both["event_at_truth"]).all()
    assert (both["delay_hours"] - both["delay_hours_truth"]).abs().max() < 1e-5  # the truth keeps 6 decimals
    assert (heard["status"] == "late").sum() == (sent["delay_hours"] > 1).sum()
    stays = truth[~truth["cancelled"]].assign(heard=~truth["missing"]).pivot_table(
        index="encounter", columns="event_type", values="heard", aggfunc="any").fillna(False).astype(bool)
    missing = d[d["status"] == "missing"]["event_type"].value_counts()
    assert missing["admission"] == (stays.any(axis=1) & ~stays["admission"]).sum()
    assert missing["discharge"] == (stays["admission"] & ~stays["discharge"]).sum()
