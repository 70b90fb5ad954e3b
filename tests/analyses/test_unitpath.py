"""Unit paths (DOMAIN.md 4): steps, collapsed repeats, skipped missing units, ties, departure times."""

import pandas as pd
import pytest

import pathways as pw
from pathways.errors import OptionError

GP, MA, HP, SK, DP = "Egen læge", "Medicinsk afdeling", "Hjemmepleje", "Smerteklinik", "Distriktspsykiatri"
PVK = "Psykiatrisk Visitationsklinik"


def make_log(rows, **kw):
    """rows: (case, activity, time, end or None, unit or None), naive times are Copenhagen time."""
    df = pd.DataFrame(rows, columns=["pt", "what", "when", "end", "afsnit"])
    return pw.from_pandas(df, case="pt", activity="what", timestamp="when", end_timestamp="end", unit="afsnit", **kw)


def ts(text):
    return pd.Timestamp(text, tz="Europe/Copenhagen")


ROWS = [
    # case A: GP twice with a unit-less event between (one step), an admission whose end is later
    # than the next event in the same unit (departure = the latest end), then a tie at 10:00.
    ("A", "Henvisning", "2023-01-02 08:00", None, GP),          # row 0  step 0 GP
    ("A", "Lægekonsultation", "2023-01-03 09:00", None, None),   # row 1  no unit: skipped
    ("A", "Henvisning", "2023-01-04 10:00", None, GP),           # row 2  still step 0
    ("A", "Indlæggelse", "2023-01-05 10:00", "2023-01-09 12:00", MA),  # row 3 step 1
    ("A", "Ambulant besøg", "2023-01-06 08:00", None, MA),       # row 4  step 1 (left_at stays Jan 9 12:00)
    ("A", "Hjemmepleje start", "2023-01-09 12:00", None, HP),    # row 5  step 2
    ("A", "Henvisning", "2023-01-20 10:00", None, SK),           # row 6  tie with row 7: input order -> SK first
    ("A", "Henvisning modtaget", "2023-01-20 10:00", None, DP),  # row 7  step 4
    # case B: input order is not time order; time decides
    ("B", "Henvisning", "2023-02-10 09:00", None, SK),           # row 8  step 1
    ("B", "Henvisning", "2023-02-01 09:00", "2023-02-01 09:30", GP),  # row 9  step 0
    # case C: no event has a unit -> no steps
    ("C", "Lægekonsultation", "2023-03-01 09:00", None, None),
]


def test_steps_collapse_repeats_skip_missing_units_and_keep_input_order_on_ties():
    p = pw.unit_paths(make_log(ROWS))
    # worked out by hand in ROWS above
    assert list(zip(p.case_id, p.step, p.unit)) == [
        ("A", 0, GP), ("A", 1, MA), ("A", 2, HP), ("A", 3, SK), ("A", 4, DP), ("B", 0, GP), ("B", 1, SK)]
    assert list(p.n_events) == [2, 2, 1, 1, 1, 1, 1]
    a = p[p.case_id == "A"].set_index("step")
    assert a.loc[0, "arrived_at"] == ts("2023-01-02 08:00") and a.loc[0, "left_at"] == ts("2023-01-04 10:00")
    # departure of the admission step is the admission's end, not the later-starting visit's time
    assert a.loc[1, "arrived_at"] == ts("2023-01-05 10:00") and a.loc[1, "left_at"] == ts("2023-01-09 12:00")
    b = p[p.case_id == "B"].set_index("step")
    assert b.loc[0, "left_at"] == ts("2023-02-01 09:30")  # the end timestamp is the departure
    assert list(a.domain) == ["general_practice", "somatic", "municipal_care", "somatic", "psychiatric"]
    assert list(a.sector) == ["general_practice", "region", "municipality", "region", "region"]
    assert str(p.arrived_at.dt.tz) == "Europe/Copenhagen"
    assert p.attrs["parameters"] == {"on": "all"}


def test_referral_path_keeps_referral_receipt_and_transfer_events_only():
    rows = [
        ("A", "Henvisning", "2023-01-02", None, GP),            # referral: sender GP
        ("A", "Henvisning modtaget", "2023-01-03", None, PVK),  # receipt at PVK
        ("A", "Ambulant besøg", "2023-01-10", None, PVK),       # not a referral type
        ("A", "Ambulant besøg", "2023-01-11", None, SK),        # not a referral type: SK is not on the path
        ("A", "Overflytning", "2023-01-20", None, DP),          # transfer
        ("A", "Lægekonsultation", "2023-01-25", None, GP),      # not a referral type
    ]
    log = make_log(rows)
    assert list(pw.unit_paths(log, on="referrals").unit) == [GP, PVK, DP]
    assert list(pw.unit_paths(log).unit) == [GP, PVK, SK, DP, GP]


def test_referral_targets_are_not_steps():
    df = pd.DataFrame({"pt": ["A", "A"], "what": ["Henvisning", "Henvisning"],
                       "when": ["2023-01-02", "2023-01-09"], "afsnit": [GP, GP], "til": [PVK, PVK]})
    log = pw.from_pandas(df, case="pt", activity="what", timestamp="when", unit="afsnit", referral_to="til")
    # two referrals from GP to PVK: one step at the sender, the target never reached the path
    assert list(pw.unit_paths(log, on="referrals").unit) == [GP]


def test_needs_unit_and_a_valid_choice():
    df = pd.DataFrame({"pt": ["A"], "what": ["Henvisning"], "when": ["2023-01-02"]})
    log = pw.from_pandas(df, case="pt", activity="what", timestamp="when")
    with pytest.raises(OptionError, match="unit"):
        pw.unit_paths(log)
    with pytest.raises(OptionError, match="Did you mean 'referrals'"):
        pw.unit_paths(make_log(ROWS), on="referral")


def test_empty_log_gives_empty_typed_table():
    log = make_log([("A", "Henvisning", "2023-01-02", None, GP)][:0])
    p = pw.unit_paths(log)
    assert len(p) == 0
    assert list(p.columns) == ["case_id", "step", "unit", "domain", "sector", "arrived_at", "left_at", "n_events"]
    assert p.step.dtype == "int64" and str(p.arrived_at.dt.tz) == "Europe/Copenhagen"


def test_a_unit_reclassified_inside_a_step_keeps_its_class_at_arrival():
    from pathways.taxonomy import UnitTaxonomy

    tax = UnitTaxonomy.from_frame(pd.DataFrame({
        "unit": ["Team Nord", "Team Nord"], "domain": ["psychiatric", "somatic"], "sector": ["region", "region"],
        "valid_from": [None, "2023-02-01"], "valid_to": ["2023-02-01", None]}))
    rows = [("A", "Ambulant besøg", "2023-01-20", None, "Team Nord"),
            ("A", "Ambulant besøg", "2023-02-05", None, "Team Nord"),   # same step, now somatic
            ("A", "Ambulant besøg", "2023-02-10", None, DP)]
    log = make_log(rows, taxonomy=UnitTaxonomy.default().extend(tax))
    p = pw.unit_paths(log)
    assert list(p.unit) == ["Team Nord", DP] and list(p.domain) == ["psychiatric", "psychiatric"]
    assert list(p.n_events) == [2, 1]
