"""Readmissions, rates and revolving-door patients on hand-built logs."""

import pandas as pd
import pytest

import pathways as pw

ADM, DIS = "Indlæggelse", "Udskrivning"
MED, PSY = "Medicinsk afdeling", "Psykiatrisk sengeafsnit"

ROWS = [  # pt, activity, time, unit, acute, age
    # A: readmitted exactly 30 days (720 h) after discharge: in
    ("A", ADM, "2024-01-01 10:00", MED, "ja", 82), ("A", DIS, "2024-01-05 12:00", MED, None, 82),
    ("A", ADM, "2024-02-04 12:00", MED, "ja", 82), ("A", DIS, "2024-02-10 09:00", MED, None, 82),
    # B: 30 days and one minute: out
    ("B", ADM, "2024-01-01 10:00", MED, "ja", 70), ("B", DIS, "2024-01-05 12:00", MED, None, 70),
    ("B", ADM, "2024-02-04 12:01", MED, "ja", 70), ("B", DIS, "2024-02-06 12:00", MED, None, 70),
    # C: psychiatric discharge, acute somatic admission 71 h later (within 72 h and 3 days)
    ("C", DIS, "2024-03-01 10:00", PSY, None, 40), ("C", ADM, "2024-03-04 09:00", MED, "ja", 40),
    ("C", DIS, "2024-03-08 10:00", MED, None, 40),
    # D: 3.5 days later: not within 72 h, but on the 3rd calendar day (1 Mar -> 4 Mar)
    ("D", DIS, "2024-03-01 08:00", MED, None, 90), ("D", ADM, "2024-03-04 20:00", MED, "ja", 90),
    ("D", DIS, "2024-03-06 08:00", MED, None, 90),
    # E: a planned admission comes first: the first discharge is not acutely readmitted,
    # the acute admission 5 days after the second discharge is that discharge's readmission
    ("E", DIS, "2024-01-10 10:00", MED, None, 50), ("E", ADM, "2024-01-15 10:00", MED, "nej", 50),
    ("E", DIS, "2024-01-20 10:00", MED, None, 50), ("E", ADM, "2024-01-25 10:00", MED, "ja", 50),
]


def _log(rows=ROWS, cols=("pt", "act", "ts", "afsnit", "acute", "age")):
    df = pd.DataFrame(rows, columns=list(cols))
    return pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="afsnit")


@pytest.fixture(scope="module")
def log():
    return _log()


def test_readmissions_by_hand(log):
    r = pw.readmissions(log)
    assert r["case_id"].tolist() == ["A", "A", "B", "B", "C", "C", "D", "D", "E", "E"]
    assert r["readmitted"].tolist() == [True, False, False, False, True, False, True, False, False, True]
    days = r["days_to_readmission"]
    assert days[0] == pytest.approx(30.0)          # day 30 is in
    assert days[4] == pytest.approx(71 / 24)       # 71 hours
    assert days[6] == pytest.approx(3.5)
    assert days[9] == pytest.approx(5.0)
    assert days.isna().tolist() == [not x for x in r["readmitted"]]
    assert r["within_72h"].tolist() == [False, False, False, False, True, False, False, False, False, False]
    assert r["within_3_days"].tolist() == [False, False, False, False, True, False, True, False, False, False]
    c = r.iloc[4]
    assert (c["unit"], c["domain"], c["readmission_unit"], c["readmission_domain"]) == (PSY, "psychiatric", MED,
                                                                                         "somatic")
    assert r.loc[0, "readmitted_at"] == pd.Timestamp("2024-02-04 12:00", tz="Europe/Copenhagen")
    assert r.attrs["parameters"] == {"within": "30D", "acute": "acute"}
    assert r.attrs["acuity"] == "acute admissions only (attribute 'acute')"


def test_every_admission_counts_with_acute_none(log):
    r = pw.readmissions(log, acute=None)
    # E's first discharge: the planned admission 5 days later now counts
    assert r["readmitted"].tolist() == [True, False, False, False, True, False, True, False, True, True]
    assert r.attrs["parameters"]["acute"] is None and r.attrs["acuity"].startswith("every admission counts")
    # acute_only=False, the old way to say it, still works for one release
    with pytest.warns(DeprecationWarning, match="acute_only=False is acute=None"):
        old = pw.readmissions(log, acute_only=False)
    pd.testing.assert_frame_equal(old, r)


def test_within_72h_window(log):
    r = pw.readmissions(log, within="72h")
    assert r["readmitted"].tolist() == [False, False, False, False, True, False, False, False, False, False]


def test_acute_attribute_found_named_or_missing():
    rows = [r[:4] + (r[4],) for r in ROWS]
    akut = _log(rows, cols=("pt", "act", "ts", "afsnit", "akut"))
    # the default finds the Danish name, as the report does: E's planned admission does not count
    r = pw.readmissions(akut)
    assert int(r["readmitted"].sum()) == 4 and r.attrs["parameters"]["acute"] == "akut"
    assert int(pw.readmissions(akut, acute="akut")["readmitted"].sum()) == 4
    with pytest.raises(pw.OptionError, match="Did you mean acute='akut'"):
        pw.readmissions(akut, acute="akutt")
    # no acute/planned column at all: the defaults still work, every admission counts, and attrs says why
    plain = _log([r[:4] for r in ROWS], cols=("pt", "act", "ts", "afsnit"))
    r = pw.readmissions(plain)
    assert int(r["readmitted"].sum()) == 5 and r.attrs["parameters"]["acute"] is None
    assert r.attrs["acuity"].startswith("unknown: the log has no attribute named acute or akut")
    assert pw.readmission_rates(plain, by=None).attrs["acuity"] == r.attrs["acuity"]
    # acute_only=True without acute= asks for the column named "acute", as before the rename
    with pytest.warns(DeprecationWarning), pytest.raises(pw.OptionError, match="no such attribute"):
        pw.readmissions(plain, acute_only=True)


def test_acute_as_boolean_column():
    df = pd.DataFrame({"pt": ["A", "A", "B", "B"], "act": [DIS, ADM, DIS, ADM],
                       "ts": ["2024-01-01", "2024-01-02", "2024-01-01", "2024-01-02"],
                       "acute": [None, True, None, False]})
    log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    assert pw.readmissions(log)["readmitted"].tolist() == [True, False]


def test_rates(log):
    by_domain = pw.readmission_rates(log, by="domain")
    # psychiatric: C's first discharge (readmitted); somatic: the other 9, of which A1, D1, E2 readmitted
    assert by_domain["domain"].tolist() == ["psychiatric", "somatic"]
    assert by_domain["n_discharges"].tolist() == [1, 9]
    assert by_domain["n_readmitted"].tolist() == [1, 3]
    assert by_domain["rate"].tolist() == pytest.approx([1.0, 3 / 9])
    bands = pw.readmission_rates(log, by="age_band")
    # 18-64: C (2), E (2) -> C1, E2 readmitted; 65-79: B (2); 80+: A (2), D (2) -> A1, D1
    assert bands["age_band"].tolist() == ["18-64", "65-79", "80+"]
    assert bands["n_discharges"].tolist() == [4, 2, 4]
    assert bands["n_readmitted"].tolist() == [2, 0, 2]
    assert bands["n_within_3_days"].tolist() == [1, 0, 1]
    with pytest.raises(pw.OptionError, match="Did you mean"):
        pw.readmission_rates(log, by="domian")
    # by=None (or []): the two domains together, one row (was pandas' "No group keys passed!")
    for by in (None, []):
        overall = pw.readmission_rates(log, by=by)
        assert overall.columns.tolist() == ["n_discharges", "n_readmitted", "rate", "n_within_72h", "n_within_3_days"]
        assert overall[["n_discharges", "n_readmitted"]].values.tolist() == [[10, 4]]


def test_revolving_door_365_vs_366():
    rows = [("F", ADM, "2023-01-01 10:00"), ("F", ADM, "2023-06-01 10:00"), ("F", ADM, "2024-01-01 10:00"),
            ("G", ADM, "2023-01-01 10:00"), ("G", ADM, "2023-06-01 10:00"), ("G", ADM, "2024-01-02 10:00"),
            ("H", ADM, "2023-01-01 10:00"), ("H", ADM, "2023-01-02 10:00"), ("H", ADM, "2023-01-03 10:00"),
            ("H", ADM, "2023-02-01 10:00"), ("H", DIS, "2023-02-02 10:00")]
    log = pw.from_pandas(pd.DataFrame(rows, columns=["pt", "act", "ts"]), case="pt", activity="act",
                         timestamp="ts")
    r = pw.revolving_door(log)
    # F: 1 Jan 2023 -> 1 Jan 2024 is exactly 365 days: in; G: 366 days: out; H: 4 in a month
    assert r["case_id"].tolist() == ["H", "F"]
    assert r["n_admissions_max_in_window"].tolist() == [4, 3]
    assert r["n_admissions"].tolist() == [4, 3]
    assert r.loc[1, "last_admission_at"] == pd.Timestamp("2024-01-01 10:00", tz="Europe/Copenhagen")
    assert pw.revolving_door(log, within="366D")["case_id"].tolist() == ["H", "F", "G"]
    assert pw.revolving_door(log, n=5)["case_id"].tolist() == []
    with pytest.raises(pw.OptionError, match="whole number"):
        pw.revolving_door(log, n=0)


def test_missing_event_types_and_empty():
    df = pd.DataFrame({"pt": ["A"], "act": ["Henvisning"], "ts": ["2024-01-01"], "acute": ["ja"]})
    log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    with pytest.raises(pw.OptionError, match="'discharge'"):
        pw.readmissions(log)
    with pytest.raises(pw.OptionError, match="'admission'"):
        pw.revolving_door(log)
    only_dis = pw.from_pandas(df.assign(act=DIS), case="pt", activity="act", timestamp="ts")
    with pytest.raises(pw.OptionError, match="'admission'"):
        pw.readmissions(only_dis)
    empty = _log().replace(_log().table.filter(lambda t: t.case_id == "nobody"))
    r = pw.readmissions(empty)
    assert len(r) == 0 and list(r.columns[:6]) == ["case_id", "discharged_at", "unit", "domain", "sector",
                                                    "readmitted"]
    rates = pw.readmission_rates(empty, by="unit")
    assert len(rates) == 0 and "rate" in rates.columns
    assert len(pw.revolving_door(empty)) == 0


def test_rates_by_unit_need_unit_role():
    df = pd.DataFrame({"pt": ["A", "A"], "act": [DIS, ADM], "ts": ["2024-01-01", "2024-01-02"]})
    log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    with pytest.raises(pw.OptionError, match="unit"):
        pw.readmission_rates(log, by="unit", acute=None)
