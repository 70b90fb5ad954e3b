"""The data-quality report on a hand-built log where each check fires a known number of times."""

import warnings

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
    assert qr.summary() == "QualityReport: 11 checks, 0 errors, 0 warnings, 2 notes"
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
    from pathways.publish.words import check_action, check_name

    df = pd.DataFrame({"c": ["1", "1", None], "a": ["x", "y", "x"], "t": ["2023-01-01", "2023-01-02", "2023-01-01"],
                       "e": ["2023-01-01", None, None]})
    report = pw.quality_report(pw.from_pandas(df, case="c", activity="a", timestamp="t", end_timestamp="e"),
                               as_of="2023-06-01")
    assert len(report) == 12  # no unit column: the four unit checks are left out
    for check_id, detail, check, action in zip(report["id"], report["detail"], report["check"], report["action"]):
        assert check_name(check_id, detail, "en") == check, check
        assert check_name(check_id, detail, "da") != check, check
        assert check_action(check_id, action, "da") != action, check
    # every check the report can produce has its Danish name and advice, matched by id, not by its English words
    from pathways.quality import CHECKS
    from pathways.publish.words import ACTIONS_DA, CHECKS_DA

    assert sorted(CHECKS_DA) == sorted(CHECKS)
    assert sorted(ACTIONS_DA) == sorted(set(CHECKS) - {"note"})
    # and so has every count read_fhir keeps in log.notes
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pw.PathwaysWarning)  # a random pseudonym key
        notes = pw.quality_report(pw.datasets.load_sample("hospital_notifications"))
    notes = notes[notes["id"] == "note"]
    assert len(notes) == 10
    for detail, check in zip(notes["detail"], notes["check"]):
        assert check_name("note", detail, "da") != check, check


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


# --- issue 22: rule-placed names listed; units that take turns like staff groups -------------------------

def test_every_rule_placed_name_is_listed_with_its_rule():
    """Worked out by hand: 'Pharmacy Laboratory' (2 events, cases A and B) and 'Distriktspsykiatri' (1 event)
    are placed by rules, 'Pharmacy' by none (unknown, not listed); of the activities only 'Henvisning til DP'
    (1 event) is placed by a rule: 'Return ER' is unknown, 'Henvisning' an exact built-in name."""
    df = pd.DataFrame({"pt": ["A", "A", "B", "B", "C"],
                       "act": ["Henvisning til DP", "Return ER", "Henvisning", "Return ER", "Henvisning"],
                       "ts": ["2023-01-02", "2023-01-03", "2023-01-04", "2023-01-05", "2023-01-06"],
                       "unit": ["Pharmacy Laboratory", "Pharmacy", "Pharmacy Laboratory", "Distriktspsykiatri",
                                "Pharmacy"]})
    log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")
    report = pw.quality_report(log)
    placed = report.rule_classified
    assert placed.values.tolist() == [
        ["unit", "Pharmacy Laboratory", "somatic / region", "anæstesi / billeddiagnostik / laboratorium", 2, 2],
        ["unit", "Distriktspsykiatri", "psychiatric / region", "psykiatri / psykiatrisk / psychiatry", 1, 1],
        ["activity", "Henvisning til DP", "referral", "henvisning til / sendt (navnet begynder med henvisning)",
         1, 1]]
    pd.testing.assert_frame_equal(placed, pw.rule_classified(log))
    rows = report.set_index("check")
    assert rows.loc["units placed by a rule", ["severity", "n_rows", "n_cases"]].tolist() == ["info", 3, 2]
    assert rows.loc["units placed by a rule", "example"] == (
        "2 names, e.g. 'Pharmacy Laboratory' -> somatic / region by rule 'anæstesi / billeddiagnostik / laboratorium'")
    assert rows.loc["activities placed by a rule", ["n_rows", "n_cases"]].tolist() == [1, 1]
    assert log.units.set_index("unit").loc["Pharmacy", "rule"] is None


def _turns(units, times):
    return pd.DataFrame([(c, "Behandling", f"2023-0{c}-02 {t}", u) for c in ("1", "2", "3")
                         for u, t in zip(units, times)], columns=["c", "a", "t", "u"])


def test_units_that_take_turns_within_hours_are_warned_about():
    """Staff groups A and C taking turns every 10 minutes in each of 3 cases: the path A C A C A has 3 returns
    (the 3rd, 4th and 5th visits), each 20 minutes after leaving that group: 9 returns, all short, 3 cases."""
    df = _turns(["A", "C", "A", "C", "A"], ["10:00", "10:10", "10:20", "10:30", "10:40"])
    log = pw.from_pandas(df, case="c", activity="a", timestamp="t", unit="u")
    row = pw.quality_report(log).set_index("check").loc["units that behave like staff groups"]
    assert row[["severity", "n_rows", "n_cases"]].tolist() == ["warning", 9, 3]
    assert row["example"] == "9 of 9 returns to a unit within 4 hours; 3 of 3 cases go round in a loop"
    assert "on='referrals'" in row["action"] and "UnitTaxonomy" in row["action"]


def test_referrals_between_care_units_are_not_warned_about():
    """A normal log: case 1 goes GP -> psychiatry -> GP over 3 weeks (1 return, 21 days away); cases 2 and 3
    see two units once each. No return within hours, 1 of 3 cases loops: no warning."""
    df = pd.DataFrame({"c": ["1", "1", "1", "2", "2", "3", "3"], "a": ["Henvisning"] * 7,
                       "t": ["2023-01-02", "2023-01-10", "2023-01-31", "2023-01-02", "2023-01-05",
                             "2023-02-01", "2023-02-03"],
                       "u": ["Egen læge", "Psykiatrisk afdeling", "Egen læge", "Egen læge", "Hjemmepleje",
                             "Egen læge", "Hjemmepleje"]})
    log = pw.from_pandas(df, case="c", activity="a", timestamp="t", unit="u")
    row = pw.quality_report(log).set_index("check").loc["units that behave like staff groups"]
    assert row[["severity", "n_rows", "n_cases"]].tolist() == ["ok", 0, 0]


def test_same_day_returns_on_a_log_of_dates_count_as_turns():
    """Dates without times: 3 patients each A, B, A on one day (1 return each, 0 days away) and one patient
    A, B, A over two months (1 return, 31 days): 3 of 4 returns on the same day, 3 cases."""
    rows = [(c, "Behandling", d, u) for c in ("1", "2", "3") for d, u in
            zip(["2023-01-02", "2023-01-02", "2023-01-02"], ["A", "B", "A"])]
    rows += [("4", "Behandling", d, u) for d, u in zip(["2023-01-02", "2023-02-01", "2023-03-04"], ["A", "B", "A"])]
    log = pw.from_pandas(pd.DataFrame(rows, columns=["c", "a", "t", "u"]), case="c", activity="a", timestamp="t",
                         unit="u")
    assert log.date_only
    row = pw.quality_report(log).set_index("check").loc["units that behave like staff groups"]
    assert row[["severity", "n_rows", "n_cases"]].tolist() == ["warning", 3, 3]
    assert row["example"] == "3 of 4 returns to a unit on the same day; 4 of 4 cases go round in a loop"


def test_most_cases_cycling_alone_is_no_warning():
    """All 3 patients go GP -> psychiatry -> GP over weeks (the story of a log about circular referrals):
    3 returns, none within hours: no warning."""
    rows = [(c, "Henvisning", d, u) for c in ("1", "2", "3") for d, u in
            zip(["2023-01-02", "2023-01-20", "2023-02-15"], ["Egen læge", "Psykiatrisk afdeling", "Egen læge"])]
    log = pw.from_pandas(pd.DataFrame(rows, columns=["c", "a", "t", "u"]), case="c", activity="a", timestamp="t",
                         unit="u")
    row = pw.quality_report(log).set_index("check").loc["units that behave like staff groups"]
    assert row[["severity", "n_rows"]].tolist() == ["ok", 0]
