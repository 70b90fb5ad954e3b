"""Filters on a hand-built log of five patients; every count worked out by hand."""

import pandas as pd
import pytest

import pathways as pw

PVK, WARD, MED, PAM = ("Psykiatrisk Visitationsklinik", "Psykiatrisk sengeafsnit", "Medicinsk afdeling",
                       "Psykiatrisk Akutmodtagelse")
ROWS = [
    # case, activity, local time, unit, kommune, akut
    ("A", "Henvisning", "2023-01-02 10:00", "Egen læge", "Aarhus", None),
    ("A", "Visitation", "2023-01-10 10:00", PVK, "Aarhus", None),
    ("A", "Indlæggelse", "2023-01-20 10:00", WARD, "Aarhus", "nej"),
    ("A", "Udskrivning", "2023-02-05 10:00", WARD, "Aarhus", None),          # A: 34 days, all in 2023
    ("B", "Henvisning", "2022-12-28 10:00", "Egen læge", "Randers", None),
    ("B", "Indlæggelse", "2023-01-03 10:00", MED, "Randers", "ja"),
    ("B", "Hjemmepleje start", "2023-01-10 10:00", "Hjemmepleje", "Randers", None),  # B: 13 days, from 2022
    ("C", "Akut kontakt", "2023-03-26 10:00", "Vagtlæge", "Aarhus", None),   # C: one event, on the DST day
    ("D", "Henvisning", "2023-03-01 10:00", "Misbrugscenter", "Silkeborg", None),
    ("D", "Afslag", "2023-03-02 10:00", None, "Silkeborg", None),             # no unit
    ("D", "Afslutning", "2024-01-05 10:00", "Misbrugscenter", "Silkeborg", None),  # D: 310 days, into 2024
    ("E", "Indlæggelse", "2024-01-01 00:00", PAM, None, "ja"),               # E starts exactly at 2024
    ("E", "Overflytning", "2024-01-02 10:00", MED, None, None),
]


@pytest.fixture(scope="module")
def log():
    df = pd.DataFrame(ROWS, columns=["pt", "what", "when", "afsnit", "kommune", "akut"])
    return pw.from_pandas(df, case="pt", activity="what", timestamp="when", unit="afsnit")


def counts(log):
    """(events, cases) of a log, computed in the engine."""
    return len(log), log.n_cases


def cases(log):
    return sorted(log.to_pandas()["case_id"].unique())


# --- filter_period --------------------------------------------------------------------------

@pytest.mark.parametrize("keep, n_events, which", [
    ("events", 9, ["A", "B", "C", "D"]),              # B loses 2022, D loses 2024, E is all in 2024
    ("cases_starting", 8, ["A", "C", "D"]),
    ("cases_contained", 5, ["A", "C"]),
    ("cases_intersecting", 11, ["A", "B", "C", "D"]),  # E starts at the (excluded) end instant
])
def test_filter_period_year(log, keep, n_events, which):
    f = pw.filter_period(log, since="2023-01-01", until="2024-01-01", keep=keep)
    assert counts(f) == (n_events, len(which))
    assert cases(f) == which


def test_filter_period_open_sides(log):
    assert counts(pw.filter_period(log, since="2024-01-01")) == (3, 2)          # D's last, both of E
    assert counts(pw.filter_period(log, since="2024-01-01", keep="cases_starting")) == (2, 1)
    assert counts(pw.filter_period(log, until="2023-01-01")) == (1, 1)            # B's 2022 referral
    assert counts(pw.filter_period(log, until="2023-01-01", keep="cases_intersecting")) == (3, 1)


def test_filter_period_dates_are_local_time(log):
    # 10:00 in Copenhagen on the DST day is 08:00 UTC
    assert cases(pw.filter_period(log, since="2023-03-26 10:00", until="2023-03-26 10:00:01")) == ["C"]
    assert counts(pw.filter_period(log, since="2023-03-26 10:00:01", until="2023-03-27")) == (0, 0)
    utc = pd.Timestamp("2023-03-26 08:00", tz="UTC")
    assert cases(pw.filter_period(log, since=utc, until=utc + pd.Timedelta("1s"))) == ["C"]


def test_filter_period_bad_options(log):
    with pytest.raises(pw.OptionError, match="since=, until="):
        pw.filter_period(log)
    with pytest.raises(pw.OptionError, match="not before"):
        pw.filter_period(log, since="2024-01-01", until="2023-01-01")
    with pytest.raises(pw.OptionError, match="not a date"):
        pw.filter_period(log, since="soon")
    with pytest.raises(pw.OptionError, match="Did you mean 'cases_starting'"):
        pw.filter_period(log, since="2023-01-01", keep="case_starting")


# --- filter_cases ---------------------------------------------------------------------------

def test_filter_cases_by_id(log):
    assert counts(pw.filter_cases(log, ["A", "B"])) == (7, 2)
    assert counts(pw.filter_cases(log, ["A", "B"], exclude=True)) == (6, 3)
    assert counts(pw.filter_cases(log, pd.Series(["C", "C", "E"]))) == (3, 2)
    assert counts(pw.filter_cases(log, "D")) == (3, 1)
    assert counts(pw.filter_cases(log, ["A", "not in this extract"])) == (4, 1)


@pytest.mark.parametrize("options, which", [
    (dict(min_events=3), ["A", "B", "D"]),
    (dict(max_events=1), ["C"]),
    (dict(min_events=2, max_events=3), ["B", "D", "E"]),
    (dict(min_duration="13D"), ["A", "B", "D"]),       # B is exactly 13 days: bounds are inclusive
    (dict(max_duration="13D"), ["B", "C", "E"]),
    (dict(min_duration="310D", max_duration="310D"), ["D"]),  # exact across both DST changes
    (dict(cases=["A", "B", "C"], min_events=2), ["A", "B"]),
    (dict(cases=["A", "B", "C"], min_events=2, exclude=True), ["C", "D", "E"]),
])
def test_filter_cases_by_size_and_duration(log, options, which):
    assert cases(pw.filter_cases(log, **options)) == which


def test_filter_cases_bad_options(log):
    with pytest.raises(pw.OptionError, match="needs cases"):
        pw.filter_cases(log)
    with pytest.raises(pw.OptionError, match="min_events"):
        pw.filter_cases(log, min_events=-1)
    with pytest.raises(pw.OptionError, match="not a duration"):
        pw.filter_cases(log, max_duration="a month")
    with pytest.raises(pw.OptionError, match="empty"):
        pw.filter_cases(log, [])


# --- filter_units ---------------------------------------------------------------------------

@pytest.mark.parametrize("args, options, expected", [
    ((["Egen læge"],), {}, (2, 2)),
    ((["Egen læge"],), dict(keep="cases"), (7, 2)),
    ((["Egen læge"],), dict(exclude=True), (11, 5)),                # D's event without a unit stays
    ((["Egen læge"],), dict(keep="cases", exclude=True), (6, 3)),
    ((), dict(domains="psychiatric"), (4, 2)),
    ((), dict(domains=["psychiatric"], keep="cases"), (6, 2)),
    ((), dict(sectors="municipality", keep="cases"), (6, 2)),
    ((), dict(domains="somatic", sectors="region"), (2, 2)),         # conditions must all hold
    (([PVK, WARD],), dict(domains="psychiatric"), (3, 1)),
    (([MED],), dict(domains="psychiatric"), (0, 0)),
])
def test_filter_units(log, args, options, expected):
    assert counts(pw.filter_units(log, *args, **options)) == expected


def test_filter_units_typos(log):
    with pytest.raises(pw.OptionError, match="unit 'Egen læg' does not occur in this log. Did you mean 'Egen læge'"):
        pw.filter_units(log, ["Egen læg"])
    with pytest.raises(pw.OptionError, match="Did you mean 'psychiatric'"):
        pw.filter_units(log, domains="psychiatry")
    with pytest.raises(pw.OptionError, match="Did you mean 'municipality'"):
        pw.filter_units(log, sectors="municipal")
    with pytest.raises(pw.OptionError, match="Did you mean 'cases'"):
        pw.filter_units(log, ["Egen læge"], keep="case")
    with pytest.raises(pw.OptionError, match="needs units"):
        pw.filter_units(log)


def test_filter_units_needs_units():
    df = pd.DataFrame({"pt": ["A"], "what": ["Henvisning"], "when": ["2023-01-01"]})
    with pytest.raises(pw.OptionError, match="unit="):
        pw.filter_units(pw.from_pandas(df, case="pt", activity="what", timestamp="when"), ["Egen læge"])


# --- filter_activities ----------------------------------------------------------------------

@pytest.mark.parametrize("args, options, expected", [
    ((["Henvisning"],), {}, (3, 3)),
    (("Henvisning",), dict(keep="cases"), (10, 3)),
    ((), dict(event_types="admission"), (3, 3)),
    ((), dict(event_types=["discharge"], keep="cases"), (4, 1)),
    ((["Henvisning"],), dict(keep="cases", exclude=True), (3, 2)),
    ((["Henvisning", "Afslag"],), dict(exclude=True), (9, 5)),       # D keeps its closure
    ((["Indlæggelse"],), dict(event_types="admission"), (3, 3)),
    ((["Henvisning"],), dict(event_types="admission"), (0, 0)),
])
def test_filter_activities(log, args, options, expected):
    assert counts(pw.filter_activities(log, *args, **options)) == expected


def test_filter_activities_typos(log):
    with pytest.raises(pw.OptionError, match="activity 'Henvisnig' .* Did you mean 'Henvisning'"):
        pw.filter_activities(log, ["Henvisnig"])
    with pytest.raises(pw.OptionError, match="Did you mean 'admission'"):
        pw.filter_activities(log, event_types="admision")
    # an event type of the vocabulary that this log lacks is not a typo: it just matches nothing
    assert counts(pw.filter_activities(log, event_types="death")) == (0, 0)


# --- filter_attribute -----------------------------------------------------------------------

@pytest.mark.parametrize("args, options, expected", [
    (("kommune", "Aarhus"), {}, (5, 2)),
    (("kommune", ["Aarhus", "Randers"]), {}, (8, 3)),
    (("kommune", [None]), {}, (2, 1)),
    (("kommune", "Aarhus"), dict(exclude=True), (8, 3)),            # missing values are not 'Aarhus'
    (("akut", "ja"), {}, (2, 2)),
    (("akut", "ja"), dict(keep="cases"), (5, 2)),
    (("akut", "ja"), dict(keep="cases", exclude=True), (8, 3)),
])
def test_filter_attribute(log, args, options, expected):
    assert counts(pw.filter_attribute(log, *args, **options)) == expected


def test_filter_attribute_typos(log):
    with pytest.raises(pw.OptionError, match="Did you mean 'kommune'"):
        pw.filter_attribute(log, "komune", "Aarhus")
    with pytest.raises(pw.OptionError, match="value of 'kommune' 'Århus' .* Did you mean 'Aarhus'"):
        pw.filter_attribute(log, "kommune", ["Aarhus", "Århus"])


# --- composition and immutability -----------------------------------------------------------

def test_filters_compose_and_leave_the_original_alone(log):
    psych_2023 = pw.filter_units(pw.filter_period(log, since="2023-01-01", until="2024-01-01"),
                                 domains="psychiatric", keep="cases")
    assert counts(psych_2023) == (4, 1)  # only A; E's psychiatric event is in 2024
    again = pw.filter_cases(pw.filter_activities(psych_2023, event_types="admission", exclude=True), min_events=3)
    assert cases(again) == ["A"] and len(again) == 3
    # analyses run on filtered logs (the joins are closed)
    t = pw.transitions(again)
    assert set(zip(t.source, t.target)) == {("▶ start", "Henvisning"), ("Henvisning", "Visitation"),
                                            ("Visitation", "Udskrivning"), ("Udskrivning", "■ end")}
    assert pw.variants(again)["variant"].tolist() == ["Henvisning → Visitation → Udskrivning"]
    # the input is untouched and a filter keeps the log's metadata
    assert counts(log) == (13, 5)
    assert again.tz == log.tz and again.columns == log.columns and again.rejected is log.rejected
    assert isinstance(again, pw.EventLog)


def test_filters_are_lazy(log):
    f = pw.filter_cases(pw.filter_units(log, ["Egen læge"], keep="cases"), min_events=4)
    import ibis
    assert "SELECT" in ibis.to_sql(f.table)  # an expression, not a materialised table
    assert cases(f) == ["A"]
