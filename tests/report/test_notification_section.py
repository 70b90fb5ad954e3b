"""The report's hospital-notification section: only for logs from notifications, numbers worked out by hand."""

import html

import pandas as pd

import pathways as pw

TZ = "Europe/Copenhagen"
#  Hospital X: stay e1 heard after 3 and 30 minutes; stay e2 (a readmission 14.8 days after e1's discharge) heard
#  24 hours late, its discharge missing. Hospital Y: stay e3, only the discharge heard (12 minutes), admission missing.
ROWS = [
    ("A", "Indlæggelse", "2024-01-01 10:00", "2024-01-01 10:03", "e1", "Hospital X"),
    ("A", "Udskrivning", "2024-01-05 12:00", "2024-01-05 12:30", "e1", "Hospital X"),
    ("A", "Indlæggelse", "2024-01-20 08:00", "2024-01-21 08:00", "e2", "Hospital X"),
    ("B", "Udskrivning", "2024-01-03 09:00", "2024-01-03 09:12", "e3", "Hospital Y"),
]


def _log(notified=True):
    df = pd.DataFrame(ROWS, columns=["pt", "act", "ts", "notified", "encounter", "sender"])
    df["notified"] = pd.to_datetime(df["notified"]).dt.tz_localize(TZ)
    if not notified:
        df = df.drop(columns="notified")
    return pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit=None)


def _page(rep) -> str:
    return html.unescape(rep.path.read_text(encoding="utf-8"))


def test_the_section_states_the_hand_worked_numbers(tmp_path):
    rep = pw.report(_log(), tmp_path / "r.html", language="en", min_count=1)
    assert rep.sections[-1] == "Hospital notifications"
    text = _page(rep)
    # 4 heard of: 0.05, 0.5, 24 and 0.2 hours; median 0.35 h = 21 minutes; 1 of 4 later than an hour
    assert ("The municipality received 4 notifications from 2 senders. Half came within 21 min of the event; "
            "25% came later than 1 hour after it.") in text
    assert ("2 notifications are missing. Admissions known only from the discharge or the leave: 1; admissions "
            "without a discharge: 1 (the patient may still be in hospital).") in text
    assert ("Readmissions within 30 days: 1; the municipality heard of 1 of them later than 1 hour after the "
            "admission.") in text
    assert "Notifications per sender" in text and "Notifications per event" in text
    assert "set no deadline in hours" in text  # the limit is stated as an assumption


def test_small_counts_are_suppressed_and_danish(tmp_path):
    rep = pw.report(_log(), tmp_path / "r.html", language="da")  # min_count 5
    assert rep.sections[-1] == "Sygehusadviser"
    text = _page(rep)
    assert "Kommunen fik <5 adviser fra 2 afsendere." in text
    assert "– kom senere end 1 time efter." in text  # a share of fewer than 5 is not shown
    assert "<5 adviser mangler" in text


def test_no_section_without_notification_times(tmp_path):
    rep = pw.report(_log(notified=False), tmp_path / "r.html", language="en")
    assert "Hospital notifications" not in rep.sections
    assert "Hospital notifications" not in _page(rep)
