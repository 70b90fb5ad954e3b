"""case_summary on a hand-built log; every number worked out in the comments."""

import pandas as pd
import pytest

import pathways as pw


@pytest.fixture(scope="module")
def log():
    rows = [
        # A: GP -> PAM -> somatic ED -> PAM (ping-pong loop PAM-ED-PAM), gaps 8, 22, 19 days
        ("A", "Henvisning", "2023-01-02 08:00", "Egen læge"),
        ("A", "Akut kontakt", "2023-01-10 08:00", "Psykiatrisk Akutmodtagelse"),
        ("A", "Akut kontakt", "2023-02-01 08:00", "Akutmodtagelse"),
        ("A", "Akut kontakt", "2023-02-20 08:00", "Psykiatrisk Akutmodtagelse"),
        # B: two events in one unit, then one without a unit: no handover
        ("B", "Henvisning", "2023-03-01 10:00", "Egen læge"),
        ("B", "Lægekonsultation", "2023-03-01 12:00", "Egen læge"),
        ("B", "Afslutning", "2023-03-04 10:00", None),
        # C: a single event
        ("C", "Henvisning", "2023-05-05 09:00", "Smerteklinik"),
    ]
    df = pd.DataFrame(rows, columns=["pt", "act", "ts", "unit"])
    return pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")


def test_per_case_counts(log):
    s = pw.case_summary(log).set_index("case_id")
    assert s.loc["A", ["n_events", "n_units", "n_handovers", "n_psychiatric_somatic", "n_loops"]].tolist() == \
        [4, 3, 3, 2, 1]
    assert s.loc["A", "n_long_gaps"] == 3  # every gap exceeds 7 days
    assert s.loc["A", "longest_gap_days"] == 22.0
    assert s.loc["A", "duration_days"] == 49.0
    assert s.loc["B", ["n_events", "n_units", "n_handovers", "n_loops"]].tolist() == [4 - 1, 1, 0, 0]
    # 2023-03-01 12:00 -> 2023-03-04 10:00 is 2 days 22 hours
    assert s.loc["B", "longest_gap_days"] == pytest.approx(2 + 22 / 24)
    assert s.loc["C", ["n_events", "longest_gap_days", "duration_days"]].tolist() == [1, 0.0, 0.0]
    assert str(s["first_event_at"].dt.tz) == "Europe/Copenhagen"
    assert s.attrs["parameters"]["threshold"] == "7D"


def test_without_units_counts_only_events():
    df = pd.DataFrame({"c": ["x", "x"], "a": ["Henvisning", "Visitation"], "t": ["2023-01-01", "2023-01-03"]})
    s = pw.case_summary(pw.from_pandas(df, case="c", activity="a", timestamp="t"))
    assert s[["n_events", "n_handovers", "n_loops", "longest_gap_days"]].values.tolist() == [[2, 0, 0, 2.0]]


def test_empty_log_gives_typed_empty_table(log):
    empty = pw.filter_cases(log, ["A"]).replace(log.table.filter(log.table.case_id == "nobody"))
    s = pw.case_summary(empty)
    assert len(s) == 0 and s["n_events"].dtype == "int64" and "n_loops" in s


@pytest.mark.parametrize("n_kinds", [3, 64, 65, 200])
def test_distinct_activities_and_units_count_right_with_few_or_many_kinds(n_kinds):
    # Up to 64 kinds the engine counts them as bits of one integer, above that as a distinct count:
    # case X visits kind 0, 1, ..., n-1 and back to 0 (n distinct), case Y only kind n-1 twice (1),
    # case Z has no unit at all (0 units).
    kinds = [f"K{i:03d}" for i in range(n_kinds)]
    rows = [("X", k, f"2023-01-01 {i // 60:02d}:{i % 60:02d}", k) for i, k in enumerate(kinds + kinds[:1])]
    rows += [("Y", kinds[-1], "2023-02-01 10:00", kinds[-1]), ("Y", kinds[-1], "2023-02-02 10:00", kinds[-1])]
    rows += [("Z", kinds[0], "2023-03-01 10:00", None)]
    df = pd.DataFrame(rows, columns=["pt", "act", "ts", "unit"])
    log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")
    s = pw.case_summary(log).set_index("case_id")
    assert s["n_activities"].to_dict() == {"X": n_kinds, "Y": 1, "Z": 1}
    assert s["n_units"].to_dict() == {"X": n_kinds, "Y": 1, "Z": 0}
    assert s.loc["X", "n_handovers"] == n_kinds  # n - 1 moves up the list and one back to the first
