"""pw.indicators (issue 24, item 2): every numerator and denominator worked out by hand on a log of seven patients,
the Wilson interval by an independent formula, the waits by Kaplan-Meier as pw.guarantees; a user's own indicator."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import pathways as pw

AS_OF = "2024-03-01"
MED, PAK, AK, PVK, GP = ("Medicinsk afdeling", "Psykiatrisk Akutmodtagelse", "Akutmodtagelse",
                         "Psykiatrisk Visitationsklinik", "Egen læge")
# patient, activity, time, unit, acute; attributes per patient below
ROWS = [
    # A: discharged Friday 5 Jan 16:00 (Friday afternoon) after 56 h notice, acutely readmitted 7 Jan 09:00
    # (41 h: within 72 h, 2 calendar days, 30 days); discharged again Wednesday 10 Jan, no admission by as_of
    ("A", "Indlæggelse", "2024-01-01 10:00", MED, "ja"), ("A", "Varsling", "2024-01-03 08:00", MED, None),
    ("A", "Udskrivning", "2024-01-05 16:00", MED, None), ("A", "Indlæggelse", "2024-01-07 09:00", MED, "ja"),
    ("A", "Udskrivning", "2024-01-10 12:00", MED, None),
    ("A", "Indlæggelse", "2024-03-05 09:00", MED, "ja"),  # after as_of: not seen
    # B: Friday 5 Jan 09:00 after 23 h notice (too short), acute admission 9 Jan 10:00 (4.04 days: 30 days only);
    # Friday 12 Jan 15:00 (afternoon), next admission 20 Feb (38.8 days: none); Sunday 25 Feb (window past as_of)
    ("B", "Indlæggelse", "2024-01-02 09:00", MED, "nej"), ("B", "Varsling", "2024-01-04 10:00", MED, None),
    ("B", "Udskrivning", "2024-01-05 09:00", MED, None), ("B", "Indlæggelse", "2024-01-09 10:00", MED, "ja"),
    ("B", "Udskrivning", "2024-01-12 15:00", MED, None), ("B", "Indlæggelse", "2024-02-20 10:00", MED, "ja"),
    ("B", "Udskrivning", "2024-02-25 10:00", MED, None),
    # C: waits 41 days for assessment (over 30)
    ("C", "Henvisning modtaget", "2024-01-02 09:00", PVK, None), ("C", "Udredning start", "2024-02-12 09:00", PVK, None),
    # D: waits 10 days; referred again 20 Feb 12:00 and still waiting on 1 March (9.5 days, censored)
    ("D", "Henvisning modtaget", "2024-01-10 09:00", PVK, None), ("D", "Udredning start", "2024-01-20 09:00", PVK, None),
    ("D", "Henvisning modtaget", "2024-02-20 12:00", PVK, None),
    # E: psychiatric -> somatic -> psychiatric in 3 days: a bounce and a ping-pong loop; gaps 1 and 2 days
    ("E", "Akut kontakt", "2023-11-01 10:00", PAK, None), ("E", "Overflytning", "2023-11-02 10:00", AK, None),
    ("E", "Akut kontakt", "2023-11-04 10:00", PAK, None),
    # F: GP referral, admitted 15 days later (a gap over 7 days), discharged Friday 2 Feb 10:00
    ("F", "Henvisning", "2024-01-15 10:00", GP, None), ("F", "Indlæggelse", "2024-01-30 10:00", MED, "nej"),
    ("F", "Udskrivning", "2024-02-02 10:00", MED, None),
    # G: psychiatric -> somatic after 19 days (a gap over 7 days, a crossing without a bounce)
    ("G", "Akut kontakt", "2023-12-01 10:00", PAK, None), ("G", "Indlæggelse", "2023-12-20 10:00", MED, "ja"),
]
PEOPLE = {"A": ("Aarhus", 85), "B": ("Odense", 40), "C": ("Aarhus", 30), "D": ("Odense", 70), "E": ("Aarhus", 50),
          "F": ("Odense", 85), "G": ("Aarhus", 18)}


@pytest.fixture(scope="module")
def log():
    df = pd.DataFrame(ROWS, columns=["pt", "act", "ts", "unit", "akut"])
    df["municipality"] = df["pt"].map(lambda p: PEOPLE[p][0])
    df["age"] = df["pt"].map(lambda p: PEOPLE[p][1])
    return pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")


def _wilson(k, n, z=1.959964):
    """Wilson's score interval, written out independently of pathways."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


# indicator -> (numerator, denominator), by hand from the comments above
BY_HAND = {
    # eligible: the four discharges at least 30 days before as_of (not B 25 Feb, not F 2 Feb); readmitted: A 5 Jan, B 5 Jan
    "readmission_30d": (2, 4),
    # all six discharges are at least 3 days / 72 hours before as_of; within them: only A 5 Jan (B 5 Jan is 4 days)
    "readmission_3d": (1, 6),
    "readmission_72h": (1, 6),
    # notices that found their discharge: A (56 h, meets 48 h) and B (23 h)
    "discharge_notice_48h": (1, 2),
    # Friday from 15:00: A 5 Jan 16:00 and B 12 Jan 15:00, of six discharges
    "discharge_friday_afternoon": (2, 6),
    # seven patients, E in a loop
    "circular_referral": (1, 7),
    # patients with a psychiatric-somatic handover: E and G; E bounces
    "psychiatric_somatic_bounce": (1, 2),
    # patients with a handover: E (gaps 1 and 2 days), F (15 days), G (19 days)
    "handover_gap_7d": (2, 3),
}


def test_every_indicator_by_hand(log):
    df = pw.indicators(log, as_of=AS_OF)
    assert list(df.columns) == ["indicator", "numerator", "denominator", "rate", "ci_low", "ci_high", "method"]
    assert df["numerator"].dtype == "int64" and df["denominator"].dtype == "int64"
    got = df.set_index("indicator")
    for key, (k, n) in BY_HAND.items():
        row = got.loc[key]
        assert (row["numerator"], row["denominator"]) == (k, n), key
        assert row["rate"] == pytest.approx(k / n) and row["method"] == "wilson"
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(_wilson(k, n), abs=1e-6), key
    # the waits for assessment: 9.5 (censored), 10 (ended), 41 (ended). Kaplan-Meier S(30) = S(10) = 1 - 1/2;
    # Greenwood 1 / (2 * 1); log-log band exp(-exp(ln ln 2 -+ 1.96 sqrt(1/2) / ln 2)). 41 is over 30: 1 of 3
    u = got.loc["wait_over_udredningsret"]
    assert (u["numerator"], u["denominator"], u["method"]) == (1, 3, "kaplan_meier")
    assert u["rate"] == pytest.approx(0.5)
    half = 1.959964 * math.sqrt(0.5) / math.log(2)
    assert u["ci_low"] == pytest.approx(math.exp(-math.exp(math.log(math.log(2)) + half)), abs=1e-6)
    assert u["ci_high"] == pytest.approx(math.exp(-math.exp(math.log(math.log(2)) - half)), abs=1e-6)
    g = pw.guarantees(log, as_of=AS_OF).set_index("name").loc["udredningsret"]
    assert (u["rate"], u["ci_low"], u["ci_high"]) == (g["km_share_over_threshold"], g["km_share_ci_low"],
                                                      g["km_share_ci_high"])
    # the rules whose events this log lacks are listed with the reason, not silently missing
    assert set(df.attrs["skipped"]) == {"wait_over_child_psychiatry_first_contact",
                                        "wait_over_psychiatric_discharge_to_dp",
                                        "wait_over_diagnosis_conference_to_treatment"}
    assert len(df) == len(BY_HAND) + 1
    d = df.attrs["definitions"]["readmission_30d"]
    assert set(d) == {"title_da", "title_en", "numerator", "denominator", "parameters"}
    assert d["parameters"] == {"within": "30D", "acute": "akut"}
    assert df.attrs["parameters"]["as_of"] == AS_OF


def test_by_group_and_period(log):
    df = pw.indicators(log, as_of=AS_OF, by="municipality", period="M",
                       which=["readmission_30d", "readmission_72h"])
    assert list(df.columns[:3]) == ["municipality", "period", "indicator"]
    rows = {(r.municipality, str(r.period), r.indicator): (r.numerator, r.denominator) for r in df.itertuples()}
    # 30 days: Aarhus A 5 Jan (readmitted), A 10 Jan; Odense B 5 Jan (readmitted), B 12 Jan - all January
    # 72 hours: Aarhus January A 5 Jan (readmitted), A 10 Jan; Odense January B 5 Jan, B 12 Jan;
    # Odense February F 2 Feb, B 25 Feb
    assert rows == {("Aarhus", "2024-01", "readmission_30d"): (1, 2), ("Odense", "2024-01", "readmission_30d"): (1, 2),
                    ("Aarhus", "2024-01", "readmission_72h"): (1, 2), ("Odense", "2024-01", "readmission_72h"): (0, 2),
                    ("Odense", "2024-02", "readmission_72h"): (0, 2)}
    assert isinstance(df.loc[0, "period"], pd.Period)
    # patients by age band of their first event: 18-64 B, C, E, G (E in a loop), 65-79 D, 80+ A, F
    loops = pw.indicators(log, as_of=AS_OF, by="age_band", which="circular_referral")
    assert loops[["age_band", "numerator", "denominator"]].values.tolist() == [
        ["18-64", 1, 4], ["65-79", 0, 1], ["80+", 0, 2]]


def test_an_indicator_of_your_own(log):
    within = pw.Indicator("admission_after_discharge", numerator="admission", denominator="discharge", within="30D")
    ever = pw.Indicator("admitted_again", numerator="admission", denominator="discharge", title_en="Admitted again")
    df = pw.indicators(log, as_of=AS_OF, which=[within, ever, "readmission_30d"]).set_index("indicator")
    # within 30 days, of the four discharges whose 30 days end before as_of: A 5 Jan, B 5 Jan
    assert (df.loc["admission_after_discharge", "numerator"], df.loc["admission_after_discharge", "denominator"]) \
        == (2, 4)
    # any time by as_of, of all six: A 5 Jan, B 5 Jan, B 12 Jan (20 Feb); not A 10 Jan, whose admission on 5 March
    # is after as_of
    assert (df.loc["admitted_again", "numerator"], df.loc["admitted_again", "denominator"]) == (3, 6)
    assert (df.loc["admitted_again", "ci_low"], df.loc["admitted_again", "ci_high"]) == \
        pytest.approx(_wilson(3, 6), abs=1e-6)
    assert list(df.index) == ["admission_after_discharge", "admitted_again", "readmission_30d"]
    defs = pw.indicators(log, as_of=AS_OF, which=[ever]).attrs["definitions"]["admitted_again"]
    assert defs["title_en"] == "Admitted again" and defs["title_da"] == "admitted_again"


def test_bad_input_is_a_clear_error(log):
    with pytest.raises(pw.OptionError, match="Did you mean 'circular_referral'"):
        pw.indicators(log, as_of=AS_OF, which=["circular_referal"])
    with pytest.raises(pw.OptionError, match="'wait_over_diagnosis_conference_to_treatment' cannot be computed"):
        pw.indicators(log, as_of=AS_OF, which=["wait_over_diagnosis_conference_to_treatment"])
    with pytest.raises(pw.OptionError, match="Did you mean 'municipality'"):
        pw.indicators(log, as_of=AS_OF, by="municipalty")
    with pytest.raises(pw.OptionError, match="period='W' is not allowed"):
        pw.indicators(log, as_of=AS_OF, period="W")
    with pytest.raises(pw.OptionError, match="snake_case"):
        pw.Indicator("Mine!", numerator="admission", denominator="discharge")
    with pytest.raises(pw.OptionError, match="is the id of a standard indicator"):
        pw.indicators(log, as_of=AS_OF, which=[pw.Indicator("circular_referral", numerator="a", denominator="b")])
    # no events by as_of: nothing to count, each indicator says why
    early = pw.indicators(log, as_of="2020-01-01")
    assert len(early) == 0 and list(early.columns)[:2] == ["indicator", "numerator"]
    assert set(early.attrs["skipped"]) >= {"readmission_30d", "circular_referral", "discharge_friday_afternoon"}
