"""The data-quality report on a hand-built log where each check fires a known number of times."""

import pandas as pd
import pytest

import pathways as pw


@pytest.fixture(scope="module")
def report():
    rows = [
        # case, activity, time, end, unit
        ("A", "Henvisning", "2023-01-02 08:00", None, "Egen læge"),
        ("A", "Henvisning", "2023-01-02 08:00", None, "Egen læge"),      # duplicate and tie
        ("A", "Visitation", "2023-01-03", None, "Zørgbrug 7"),            # midnight, unknown unit
        ("B", "Henvisning", "2023-01-04 09:00", None, None),              # no unit; single-event case
        ("C", "Foo", "2024-06-01 10:00", None, "Egen læge"),              # after as_of; no event type
        ("C", "Henvisning", "2017-01-01 10:00", None, "Egen læge"),       # C spans 7 years
        ("D", "Henvisning", "", None, "Egen læge"),                       # rejected: no time
        ("E", "Indlæggelse", "2023-02-01 10:00", "2023-02-03 10:00", "Medicinsk afdeling"),
        ("E", "Indlæggelse", "2023-03-01 10:00", None, "Medicinsk afdeling"),  # end missing
    ]
    df = pd.DataFrame(rows, columns=["c", "a", "t", "e", "u"])
    log = pw.from_pandas(df, case="c", activity="a", timestamp="t", end_timestamp="e", unit="u")
    return pw.quality_report(log, as_of="2024-01-01").set_index("check")


@pytest.mark.parametrize("check, n_rows, n_cases, severity", [
    ("rejected: missing timestamp", 1, 0, "error"),
    ("identical timestamps within a case", 2, 1, "warning"),
    ("timestamps exactly at midnight", 1, 1, "warning"),
    ("events after as_of", 1, 1, "warning"),
    ("unknown units", 1, 1, "warning"),
    ("events without a unit", 1, 1, "warning"),
    ("activities without an event type", 1, 1, "info"),
    ("single-event cases", 1, 1, "info"),
    ("duplicate events", 1, 1, "warning"),
    ("cases spanning more than 1826 days", 1, 1, "info"),
    ("end timestamps missing", 1, 1, "warning"),
])
def test_each_check_counts_what_was_planted(report, check, n_rows, n_cases, severity):
    assert report.loc[check, ["n_rows", "n_cases", "severity"]].tolist() == [n_rows, n_cases, severity]
    assert report.loc[check, "share"] == pytest.approx(n_rows / 9)


def test_examples_name_values_not_cases(report):
    assert report.loc["unknown units", "example"] == "Zørgbrug 7"
    assert report.loc["events after as_of", "example"] == "2024-06-01 10:00"
    assert report.loc["identical timestamps within a case", "example"] == "2023-01-02 08:00"
    assert not report["example"].isin(["A", "B", "C", "D", "E"]).any()


def test_display(report):
    qr = pw.quality_report(pw.from_pandas(pd.DataFrame({"c": ["x"], "a": ["Henvisning"], "t": ["2023-01-01"]}),
                                          case="c", activity="a", timestamp="t"))
    assert qr.summary() == "QualityReport: 10 checks, 0 errors, 0 warnings, 2 notes"
    assert "<table>" in qr._repr_html_()
    assert isinstance(qr, pd.DataFrame)


def test_as_of_must_be_a_date():
    log = pw.from_pandas(pd.DataFrame({"c": ["x"], "a": ["a"], "t": ["2023-01-01"]}),
                         case="c", activity="a", timestamp="t")
    with pytest.raises(pw.OptionError, match="as_of='soon' is not a date"):
        pw.quality_report(log, as_of="soon")


def test_local_times_at_a_daylight_saving_change_are_counted():
    # before: 02:30 on 26 March 2023 (skipped in Copenhagen) became 03:30 and 02:30 on 29 October (passed
    # twice) became 02:30+01:00, and nothing said so
    df = pd.DataFrame({
        "c": ["1", "1", "2", "2", "3", "4"],
        "a": ["Henvisning"] * 6,
        "t": ["2023-03-26 02:30",            # gap: read as 03:30 summer time
              "2023-10-29 02:30",            # overlap: read as the later 02:30 (standard time)
              "2023-03-26 02:59",            # gap
              "2023-03-26 03:00",            # exists: summer time starts at 03:00
              "2023-10-29T02:30:00+02:00",   # carries its offset: not ambiguous
              "2023-07-01 02:30"],
        "e": [None, None, "2023-10-29 02:00", None, None, None],  # the end of row 2: overlap
    })
    log = pw.from_pandas(df, case="c", activity="a", timestamp="t", end_timestamp="e")
    assert log.local_times == {"gap": (2, 2, "2023-03-26 02:30 read as 03:30"),
                               "overlap": (2, 2, "2023-10-29 02:00, read as the later of the two")}
    qr = pw.quality_report(log).set_index("check")
    gap, overlap = qr.loc["local times in a daylight-saving gap"], qr.loc["local times in a daylight-saving overlap"]
    assert [gap["n_rows"], gap["n_cases"], gap["severity"]] == [2, 2, "warning"]
    assert [overlap["n_rows"], overlap["n_cases"], overlap["severity"]] == [2, 2, "warning"]
    assert "moved forward" in gap["action"] and "later one" in overlap["action"]
    # filters and pseudonymize keep the count of the log as read, as they keep log.rejected
    assert pw.filter_cases(log, ["4"]).local_times == log.local_times
    assert pw.pseudonymize(log, key="en hemmelig nøgle til test").local_times == log.local_times


def test_no_daylight_saving_note_in_utc_or_for_instants():
    df = pd.DataFrame({"c": ["1", "1"], "a": ["Henvisning"] * 2,
                       "t": pd.to_datetime(["2023-03-26 02:30", "2023-10-29 02:30"])})
    assert pw.from_pandas(df, case="c", activity="a", timestamp="t", tz="UTC").local_times == {
        "gap": (0, 0, None), "overlap": (0, 0, None)}
    aware = df.assign(t=df["t"].dt.tz_localize("UTC"))
    log = pw.from_pandas(aware, case="c", activity="a", timestamp="t")
    assert log.local_times["gap"][0] == log.local_times["overlap"][0] == 0
    # a typed naive column is local time: counted like text
    log = pw.from_pandas(df, case="c", activity="a", timestamp="t")
    assert (log.local_times["gap"][0], log.local_times["overlap"][0]) == (1, 1)


def test_attributes_named_like_the_checks_counts():
    """An attribute called ``n`` (or n_rows, n_cases, example) broke the duplicate check (an ibis RelationError,
    `pathways validate` exit 3). Worked out by hand: case 1's two 'y' events at the same time with the same
    attributes are one duplicate; case 2 has one event."""
    df = pd.DataFrame({"c": ["1", "1", "1", "2"], "a": ["x", "y", "y", "x"],
                       "t": ["2023-01-01", "2023-01-02", "2023-01-02", "2023-01-01"],
                       "n": [1, 2, 2, 3], "n_rows": [0, 0, 0, 0], "n_cases": ["a"] * 4, "example": ["e"] * 4})
    log = pw.from_pandas(df, case="c", activity="a", timestamp="t")
    report = pw.quality_report(log).set_index("check")
    assert report.loc["duplicate events", ["n_rows", "n_cases"]].tolist() == [1, 1]
    assert report.loc["single-event cases", "n_cases"] == 1


def test_every_check_has_danish_words():
    """The Danish report translates each check's name and advice; a new check without them showed English."""
    from pathways.report.texts import check_action, check_name

    df = pd.DataFrame({"c": ["1", "1", None], "a": ["x", "y", "x"], "t": ["2023-01-01", "2023-01-02", "2023-01-01"],
                       "e": ["2023-01-01", None, None]})
    report = pw.quality_report(pw.from_pandas(df, case="c", activity="a", timestamp="t", end_timestamp="e"),
                               as_of="2023-06-01")
    assert len(report) == 11  # no unit column: the two unit checks are left out
    for check, action in zip(report["check"], report["action"]):
        assert check_name(check, "da") != check, check
        assert check_action(check, action, "da") != action, check


def test_dates_converted_between_zones_are_reported_as_dates():
    # UTC midnights read in Copenhagen: 01:00 in winter, 02:00 in summer; only the old check's
    # "exactly at midnight" would find none of them
    df = pd.DataFrame({"c": ["x", "x", "y"], "a": ["a", "b", "a"],
                       "t": ["2023-01-02 00:00+00:00", "2023-07-03 00:00+00:00", "2023-03-01 00:00+00:00"]})
    log = pw.from_pandas(df, case="c", activity="a", timestamp="t", tz="Europe/Copenhagen")
    row = pw.quality_report(log).set_index("check").loc["timestamps exactly at midnight"]
    assert (row["severity"], row["n_rows"], row["n_cases"]) == ("info", 3, 2)
    assert row["example"] == ("dates without times (all at 01:00 in winter and 02:00 in summer: "
                              "dates converted between zones)")
