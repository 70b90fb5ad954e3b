"""EventLog construction from pandas: mapping, parsing, rejection, display. Values worked out by hand."""

import pandas as pd
import pytest

import pathways as pw


def frame():
    return pd.DataFrame({
        "pt": ["A", "A", "NA", None, "B", "B"],
        "hvad": ["Henvisning", "Indlæggelse", "Afslag", "Henvisning", "Udskrivning", None],
        "tid": ["2023-07-01 10:00", "2023-07-01 10:00", "2023-01-15 08:30", "2023-02-01",
                "2023-02-30 12:00", "2023-03-01 09:00"],
        "slut": [None, "2023-07-03 12:00", None, None, None, "2023-02-01 00:00"],
        "afsnit": ["Egen læge", "Medicinsk afdeling", "Psykiatrisk Visitationsklinik", None, None, "Bosted"],
        "alder": [81, 81, 34, 50, 22, 22],
    })


def build(df=None, **kw):
    args = dict(case="pt", activity="hvad", timestamp="tid", end_timestamp="slut", unit="afsnit")
    args.update(kw)
    return pw.from_pandas(frame() if df is None else df, **args)


def test_rows_are_kept_or_rejected_never_lost():
    log = build()
    # row 3: no case id; row 4: 30 February; row 5: no activity and end before start
    assert list(log.rejected["row"]) == [3, 4, 5]
    # one row per input row; a list item per problem, each with its stable code (issue 23, item 3)
    assert log.rejected["code"].tolist() == [["missing_case_id"], ["not_a_date"],
                                             ["missing_activity", "end_before_start"]]
    assert log.rejected["problem"].tolist() == [["missing case id"], ["not a date"],
                                                ["missing activity", "end before start"]]
    assert log.rejected.loc[1, "value"] == ["2023-02-30 12:00"]
    assert log.rejected.loc[1, "column"] == ["tid"]
    assert exploded(log.rejected)[["row", "column"]].values.tolist() == [[3, "pt"], [4, "tid"], [5, "hvad"],
                                                                         [5, "slut"]]
    assert len(log) + len(log.rejected) == log.n_read == 6


def test_canonical_columns_input_order_and_time_zone():
    df = build().to_pandas()
    assert list(df.columns) == ["row", "case_id", "activity", "timestamp", "end_timestamp", "unit",
                                "resource", "referral_to", "event_type", "domain", "sector", "alder"]
    assert list(df["row"]) == [0, 1, 2]
    # naive times are Copenhagen local time: 10:00 in July is 08:00 UTC
    assert df.loc[0, "timestamp"] == pd.Timestamp("2023-07-01 08:00", tz="UTC")
    assert str(df["timestamp"].dt.tz) == "Europe/Copenhagen"
    assert df.loc[1, "end_timestamp"] == pd.Timestamp("2023-07-03 12:00", tz="Europe/Copenhagen")
    assert list(df["event_type"]) == ["referral", "admission", "referral_rejected"]
    assert list(df["alder"]) == [81, 81, 34]


@pytest.mark.parametrize("tz", ["Europe/Copenhagen", "Australia/Lord_Howe", "America/Santiago", "UTC"])
def test_typed_wall_times_get_the_offset_of_their_day(tz):
    # every 37 minutes for two years, both changes of daylight saving each year (Lord Howe moves by 30 minutes,
    # Santiago at midnight), as wall-clock times of a datetime64 column and of text read the same way: the
    # typed column takes its day's offset from a list, text is converted value by value (as before)
    walls = pd.date_range("2022-01-01", "2024-01-01", freq="37min")
    df = pd.DataFrame({"c": [f"c{i // 40}" for i in range(len(walls))], "a": "Henvisning", "t": walls,
                       "s": walls.strftime("%Y-%m-%d %H:%M:%S")})
    typed = pw.from_pandas(df, case="c", activity="a", timestamp="t", tz=tz).to_pandas()
    text = pw.from_pandas(df, case="c", activity="a", timestamp="s", tz=tz).to_pandas()
    assert len(typed) == len(text) == len(walls)
    assert typed["timestamp"].equals(text["timestamp"])
    # independently: pandas' own conversion wherever the wall time exists once (not in a gap or a repeated hour)
    expected = walls.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    clear = ~expected.isna()
    assert clear.sum() > 0.99 * len(walls)
    assert (typed["timestamp"][clear] == pd.Series(expected[clear], index=typed.index[clear])).all()


def test_case_named_NA_is_a_case():
    log = build()
    assert "NA" in set(log.to_pandas()["case_id"])
    assert log.n_cases == 2


def test_aware_timestamps_are_converted():
    df = pd.DataFrame({"c": ["x", "x"], "a": ["Henvisning", "Visitation"],
                       "t": pd.to_datetime(["2023-01-01T12:00:00Z", "2023-01-02T12:00:00Z"])})
    out = pw.from_pandas(df, case="c", activity="a", timestamp="t").to_pandas()
    assert out.loc[0, "timestamp"].strftime("%H:%M %Z") == "13:00 CET"


def test_text_with_offsets_and_day_first():
    df = pd.DataFrame({"c": ["x", "x", "x"], "a": ["a", "b", "c"],
                       "t": ["2023-01-01T12:00:00+00:00", "02-01-2023 08:15", "03.01.2023 09.30"]})
    out = pw.from_pandas(df, case="c", activity="a", timestamp="t", dayfirst=True).to_pandas()
    local = out["timestamp"].dt.strftime("%Y-%m-%d %H:%M").tolist()
    assert local == ["2023-01-01 13:00", "2023-01-02 08:15", "2023-01-03 09:30"]


def test_explicit_format_rejects_the_rest():
    df = pd.DataFrame({"c": ["x", "x"], "a": ["a", "b"], "t": ["01-02-2023 10:00", "2023-02-01 10:00"]})
    log = pw.from_pandas(df, case="c", activity="a", timestamp="t", timestamp_format="%d-%m-%Y %H:%M")
    assert len(log) == 1 and list(log.rejected["row"]) == [1]


def test_strict_raises_with_every_problem():
    with pytest.raises(pw.EventLogError) as err:
        build(strict=True)
    fc = err.value.failure_cases
    assert list(zip(fc["row"], fc["problem"])) == [(3, "missing case id"), (4, "not a date"),
                                                   (5, "missing activity"), (5, "end before start")]
    message = str(err.value)
    assert "column 'tid': 1 of 6 rows: not a date (rows 4; e.g. '2023-02-30 12:00')" in message
    assert "timestamp_format=" in message
    assert isinstance(err.value, ValueError)


def test_missing_column_names_available_and_closest():
    with pytest.raises(pw.EventLogError) as err:
        build(case="patient_id", unit="afsnitt")
    msg = str(err.value)
    assert "case='patient_id': no such column" in msg
    assert "unit='afsnitt': no such column (closest: 'afsnit')" in msg
    assert "'pt', 'hvad', 'tid', 'slut', 'afsnit', 'alder'" in msg


def test_callers_frame_is_not_changed():
    df = frame()
    before = df.copy(deep=True)
    build(df)
    pd.testing.assert_frame_equal(df, before)


def test_integer_and_float_case_ids_become_text():
    df = pd.DataFrame({"c": [12, 12, 7], "a": ["x", "y", "x"], "t": ["2023-01-01"] * 3})
    assert sorted(pw.from_pandas(df, case="c", activity="a", timestamp="t").to_pandas()["case_id"]) == \
        ["12", "12", "7"]
    df["c"] = [12.0, None, 7.0]
    log = pw.from_pandas(df, case="c", activity="a", timestamp="t")
    assert sorted(log.to_pandas()["case_id"]) == ["12", "7"] and list(log.rejected["row"]) == [1]


def test_duplicates_rejected_only_on_request():
    df = pd.DataFrame({"c": ["x", "x", "x"], "a": ["a", "a", "b"], "t": ["2023-01-01 10:00"] * 3})
    assert len(pw.from_pandas(df, case="c", activity="a", timestamp="t")) == 3
    log = pw.from_pandas(df, case="c", activity="a", timestamp="t", duplicates="reject")
    assert len(log) == 2
    assert exploded(log.rejected).to_dict("records") == [
        {"row": 1, "code": "duplicate_row", "column": "*", "problem": "duplicate of an earlier row",
         "value": "same as row 0"}]
    with pytest.raises(pw.OptionError, match="Did you mean 'reject'"):
        pw.from_pandas(df, case="c", activity="a", timestamp="t", duplicates="rejct")


def test_date_only_column_is_marked():
    df = pd.DataFrame({"c": ["x", "x"], "a": ["a", "b"], "t": pd.to_datetime(["2023-01-01", "2023-01-05"]).date})
    log = pw.from_pandas(df, case="c", activity="a", timestamp="t")
    assert log.date_only and len(log) == 2
    assert not build().date_only


def test_attribute_clashing_with_a_canonical_name_is_renamed_not_dropped():
    df = pd.DataFrame({"c": ["x"], "a": ["a"], "t": ["2023-01-01"], "domain": ["mine"]})
    log = pw.from_pandas(df, case="c", activity="a", timestamp="t")
    assert log.attributes == ("domain_attr",)
    assert log.to_pandas().loc[0, "domain_attr"] == "mine"


def test_unmapped_roles_and_require():
    df = pd.DataFrame({"c": ["x"], "a": ["a"], "t": ["2023-01-01"]})
    log = pw.from_pandas(df, case="c", activity="a", timestamp="t")
    assert not log.has("unit") and log.to_pandas()["unit"].isna().all()
    with pytest.raises(pw.OptionError, match="unit=<column name>"):
        log.require("unit", purpose="handovers")


def test_log_is_frozen():
    log = build()
    with pytest.raises(AttributeError, match="frozen"):
        log.tz = "UTC"


def test_repr_and_html():
    log = build()
    assert repr(log) == ("EventLog: 3 events, 2 cases, 3 activities, 3 units, "
                         "2023-01-15 → 2023-07-01, 3 rows rejected")
    assert "<table>" in log._repr_html_() and "rows rejected" in log._repr_html_()


def test_empty_frame_gives_empty_log():
    df = pd.DataFrame({"c": pd.Series([], dtype="str"), "a": pd.Series([], dtype="str"),
                       "t": pd.Series([], dtype="str")})
    log = pw.from_pandas(df, case="c", activity="a", timestamp="t")
    assert len(log) == 0 and log.n_cases == 0
    assert repr(log).startswith("EventLog: 0 events")


def test_units_and_activities_tables():
    units = build().units.set_index("unit")
    assert units.loc["Egen læge", ["domain", "sector", "n_events", "n_cases"]].tolist() == \
        ["general_practice", "general_practice", 1, 1]
    assert units.loc["Psykiatrisk Visitationsklinik", "domain"] == "psychiatric"
    assert set(units["classified_by"]) <= {"mapping", "rule", "unknown"}
    acts = build().activities.set_index("activity")
    assert acts.loc["Afslag", "event_type"] == "referral_rejected"


def test_to_pm4py_is_ready_for_pm4py():
    import pm4py
    df = pd.DataFrame({"c": ["1", "1", "1", "2", "2"],
                       "a": ["Henvisning", "Visitation", "Førstegangssamtale", "Henvisning", "Visitation"],
                       "t": ["2023-01-01", "2023-01-03", "2023-01-10", "2023-01-02", "2023-01-02 12:00"]})
    out = pw.from_pandas(df, case="c", activity="a", timestamp="t").to_pm4py()
    assert {"case:concept:name", "concept:name", "time:timestamp"} <= set(out.columns)
    dfg, start, end = pm4py.discover_dfg(out)
    assert dict(dfg) == {("Henvisning", "Visitation"): 2, ("Visitation", "Førstegangssamtale"): 1}
    assert dict(start) == {"Henvisning": 2}


def test_from_pm4py_round_trip():
    log = build()
    back = pw.from_pm4py(log.to_pm4py())
    a = log.to_pandas().sort_values(["case_id", "timestamp"], ignore_index=True)
    b = back.to_pandas()
    assert list(b["activity"]) == list(a["activity"]) and list(b["case_id"]) == list(a["case_id"])
    assert list(b["unit"]) == list(a["unit"])


# --------------------------------------------------------------------------- issue 19: input data semantics
import sys  # noqa: E402

import numpy as np  # noqa: E402

from pathways.eventlog import WHITESPACE  # noqa: E402
from pathways.rejections import exploded


def test_whitespace_is_exactly_what_python_strips():
    every = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
    assert WHITESPACE == every and len(every) == 29
    assert (WHITESPACE + "x" + WHITESPACE).strip() == "x"


def _values(column) -> list:
    return [None if pd.isna(v) else v for v in column]


def _roles(**kw):
    return dict(case="c", activity="a", timestamp="t", end_timestamp="e", unit="u", resource="r",
                referral_to="h", **kw)


@pytest.mark.parametrize("ch", list(WHITESPACE), ids=[f"U+{ord(c):04X}" for c in WHITESPACE])
def test_a_whitespace_cell_is_a_missing_value_in_every_role(ch):
    # before: an activity or unit cell of one tab (or NEL, U+2028, U+001C, ...) beside normal values
    # crashed with a ConversionException: Python called it blank, DuckDB's TRIM kept it
    df = pd.DataFrame({
        "c": ["A", "A", ch, "B", "B", "B"],
        "a": ["Henvisning", ch, "Henvisning", "Henvisning", f"{ch}Visitation{ch}", "Visitation"],
        "t": ["2023-01-02 10:00", "2023-01-03", "2023-01-04", ch, f"{ch}2023-01-05 10:00{ch}", "2023-01-06"],
        "e": [None, None, None, None, ch, f"{ch}2023-01-07{ch}"],
        "u": ["Egen læge", "Egen læge", "Egen læge", "Egen læge", ch, f"{ch}Egen læge{ch}"],
        "r": [ch, "x", "x", "x", f"{ch}Læge Hansen{ch}", ch],
        "h": [ch, None, None, None, f"{ch}Distriktspsykiatri{ch}", "Distriktspsykiatri"],
    })
    log = pw.from_pandas(df, **_roles())
    assert exploded(log.rejected)[["row", "problem"]].to_dict("records") == [
        {"row": 1, "problem": "missing activity"}, {"row": 2, "problem": "missing case id"},
        {"row": 3, "problem": "missing timestamp"}]
    out = log.to_pandas()
    assert out["row"].tolist() == [0, 4, 5]
    assert out["activity"].tolist() == ["Henvisning", "Visitation", "Visitation"]
    assert _values(out["unit"]) == ["Egen læge", None, "Egen læge"]
    assert _values(out["domain"]) == ["general_practice", None, "general_practice"]
    assert _values(out["resource"]) == [None, "Læge Hansen", None]
    assert _values(out["referral_to"]) == [None, "Distriktspsykiatri", "Distriktspsykiatri"]
    assert out["timestamp"].dt.strftime("%m-%d %H:%M").tolist() == ["01-02 10:00", "01-05 10:00", "01-06 00:00"]
    assert out["end_timestamp"].isna().tolist() == [True, True, False]


def test_nan_is_missing_in_float_columns():
    # before (Parquet, and any float column that keeps NaN apart from NULL): NaN case ids became one case "nan"
    import pyarrow as pa

    nan = float("nan")
    table = pa.table({"c": pa.array([1.0, nan, 2.0, 3.0], from_pandas=False),
                      "a": ["Henvisning"] * 4, "t": ["2023-01-02"] * 4,
                      "u": pa.array([nan, 5.0, 12.0, 1.5], from_pandas=False)})
    assert table["c"].null_count == 0  # NaN, not NULL
    import duckdb  # noqa: F401 - the frame keeps its NaN through Arrow

    log = pw.from_pandas(table.to_pandas(), case="c", activity="a", timestamp="t", unit="u")
    assert exploded(log.rejected)[["row", "problem"]].to_dict("records") == [{"row": 1, "problem": "missing case id"}]
    out = log.to_pandas()
    assert out["case_id"].tolist() == ["1", "2", "3"]
    assert _values(out["unit"]) == [None, "12", "1.5"]


@pytest.mark.parametrize("word", ["epoch", "infinity", "-infinity", "inf", "-inf", "EPOCH", " epoch "])
def test_special_words_are_not_dates(word):
    # before: "epoch" was 1970-01-01 and "infinity" 9999-12-31 (DuckDB reads them with any format)
    df = pd.DataFrame({"c": ["1", "1"], "a": ["Henvisning", "Visitation"], "t": ["2023-01-02", word]})
    for kw in ({}, {"timestamp_format": "%Y-%m-%d"}, {"timestamp_format": "%d-%m-%Y", "dayfirst": True}):
        log = pw.from_pandas(df, case="c", activity="a", timestamp="t", **kw)
        assert exploded(log.rejected)[["row", "problem", "value"]].to_dict("records") == [
            {"row": 1, "problem": "not a date", "value": word}] or kw.get("dayfirst")


@pytest.mark.parametrize("values", [["2023-01-02 10:00", "2023-01-03 11:30"],
                                    pd.to_datetime(["2023-01-02 10:00", "2023-01-03 11:30"])])
def test_categorical_dates_read_like_their_values(values):
    # before: a category of date texts was "not a date" on every row
    df = pd.DataFrame({"c": ["1", "1"], "a": ["Henvisning", "Visitation"],
                       "t": pd.Series(values).astype("category")})
    out = pw.from_pandas(df, case="c", activity="a", timestamp="t").to_pandas()
    assert out["timestamp"].dt.strftime("%Y-%m-%d %H:%M").tolist() == ["2023-01-02 10:00", "2023-01-03 11:30"]


def test_numbers_are_not_times_and_the_message_says_how_to_convert():
    df = pd.DataFrame({"c": ["1", "1"], "a": ["Henvisning", "Visitation"], "t": [1672650000, 1672736400],
                       "e": [1.5, np.nan]})
    with pytest.raises(pw.EventLogError) as err:
        pw.from_pandas(df, case="c", activity="a", timestamp="t", end_timestamp="e", strict=True)
    assert err.value.failure_cases[["row", "problem", "value"]].to_dict("records") == [
        {"row": 0, "problem": "not a date (a number)", "value": "1672650000"},
        {"row": 0, "problem": "end timestamp not a date (a number)", "value": "1.5"},
        {"row": 1, "problem": "not a date (a number)", "value": "1672736400"}]
    assert "pd.to_datetime(df['t'], unit='s')" in str(err.value)
    assert "pd.to_datetime(df['e'], unit='s')" in str(err.value)


def test_helper_column_names_cannot_clash_with_source_columns():
    # before: a source column "__dup_of" with duplicates="reject" crashed (two columns of one name)
    df = pd.DataFrame({"c": ["1", "1", "1"], "a": ["Henvisning"] * 3, "t": ["2023-01-02"] * 3,
                       "__dup_of": [1, 1, 2], "__raw_ts": ["x", "x", "y"]})
    log = pw.from_pandas(df, case="c", activity="a", timestamp="t", duplicates="reject")
    assert exploded(log.rejected)[["row", "value"]].to_dict("records") == [{"row": 1, "value": "same as row 0"}]
    assert log.to_pandas()[["__dup_of", "__raw_ts"]].values.tolist() == [[1, "x"], [2, "y"]]
    for name in ["__pw_row", "__pw_dup_of", "__pw_anything"]:
        with pytest.raises(pw.EventLogError, match=f"column called '{name}': names starting with '__pw_' are "
                                                   "kept for pathways' own columns"):
            pw.from_pandas(df.rename(columns={"__dup_of": name}), case="c", activity="a", timestamp="t")


@pytest.mark.parametrize("column, text", [
    (pd.period_range("2023-01", periods=2, freq="M"), ["2023-01", "2023-02"]),
    (pd.interval_range(0, 2), ["(0, 1]", "(1, 2]"]),
    (pd.arrays.SparseArray([1.0, 0.0]), [1.0, 0.0]),
    (np.array([1 + 2j, 3j]), ["(1+2j)", "3j"]),
])
def test_period_interval_sparse_and_complex_attributes(column, text):
    # before: NotImplementedException "Data type 'period[M]' not recognized" (and the same for the others)
    df = pd.DataFrame({"c": ["1", "1"], "a": ["Henvisning", "Visitation"], "t": ["2023-01-02", "2023-01-03"],
                       "x": column})
    assert pw.from_pandas(df, case="c", activity="a", timestamp="t").to_pandas()["x"].tolist() == text


def test_a_lone_surrogate_becomes_the_replacement_character():
    # before: UnicodeEncodeError "surrogates not allowed"
    df = pd.DataFrame({"c": ["1", "\ud800"], "a": ["Henvisning", "Visi\udfffation"],
                       "t": ["2023-01-02", "2023-01-03"]}, dtype=object)
    out = pw.from_pandas(df, case="c", activity="a", timestamp="t").to_pandas()
    assert out["case_id"].tolist() == ["1", "\ufffd"]
    assert out["activity"].tolist() == ["Henvisning", "Visi\ufffdation"]


def _dates_log(times, tz="Europe/Copenhagen"):
    df = pd.DataFrame({"c": ["x", "x", "y", "y"][:len(times)], "a": ["a", "b", "a", "b"][:len(times)], "t": times})
    return pw.from_pandas(df, case="c", activity="a", timestamp="t", tz=tz)


@pytest.mark.parametrize("times, pattern", [
    # plain dates: every local time at midnight
    (["2023-01-02", "2023-07-03", "2023-03-01", "2023-10-30"], "all at 00:00"),
    # UTC midnights read in Copenhagen: 01:00 in winter (UTC+1), 02:00 in summer (UTC+2)
    (["2023-01-02 00:00+00:00", "2023-07-03 00:00+00:00", "2023-03-01 00:00+00:00", "2023-10-30 00:00+00:00"],
     "all at 01:00 in winter and 02:00 in summer: dates converted between zones"),
    # the gynaecology log: winter dates at 00:00, summer dates at 01:00 (23:00 UTC all year)
    (["2023-01-02 00:00", "2023-07-03 01:00", "2023-03-01 00:00", "2023-10-30 00:00"],
     "all at 00:00 in winter and 01:00 in summer: dates converted between zones"),
    # winter-only dates stored at 01:00
    (["2023-01-02 01:00", "2023-01-05 01:00", "2023-02-01 01:00"], "all at 01:00: dates stored at one clock time"),
])
def test_date_only_recognises_one_clock_time_per_season(times, pattern):
    log = _dates_log(times)
    assert log.date_only and log.stats["date_pattern"] == pattern


def test_dates_converted_to_the_evening_say_they_may_read_a_day_early():
    # UTC midnights read in New York: 19:00 the evening before in winter (UTC-5), 20:00 in summer (UTC-4)
    log = _dates_log(["2023-01-02 00:00+00:00", "2023-07-03 00:00+00:00", "2023-03-01 00:00+00:00"],
                     tz="America/New_York")
    pattern = ("all at 19:00 in winter and 20:00 in summer: dates converted between zones, in the evening: "
               "the dates may read a day early")
    assert log.date_only and log.stats["date_pattern"] == pattern


@pytest.mark.parametrize("times", [
    # a timed log with many midnights: one event at 08:15
    ["2023-01-02 00:00", "2023-07-03 00:00", "2023-03-01 08:15", "2023-10-30 00:00"],
    # 00:00 and 01:00 that do not follow the season (a winter date at 01:00)
    ["2023-01-02 00:00", "2023-01-05 01:00", "2023-07-03 01:00"],
    # the same odd clock time on a single day is one timed event pair, not a date pattern
    ["2023-01-02 08:15", "2023-01-02 08:15"],
])
def test_timed_logs_are_not_date_only(times):
    log = _dates_log(times)
    assert not log.date_only and log.stats["date_pattern"] is None
