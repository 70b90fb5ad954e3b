"""The ground truth agrees with the events, checked by an independent pandas reference."""

from __future__ import annotations

import importlib.util
import pathlib

import numpy as np
import pandas as pd
import pytest

from pathways import schema
from pathways.synthetic import SCENARIOS, generate

_spec = importlib.util.spec_from_file_location("synthetic_reference",
                                               pathlib.Path(__file__).with_name("reference.py"))
ref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref)

AS_OF = pd.Timestamp("2023-12-31 23:59")


@pytest.fixture(scope="module")
def syn():
    return generate(1500, seed=11)


@pytest.fixture(scope="module")
def steps(syn):
    return ref.steps_of(syn.events)


def _key(df, cols):
    return sorted(map(tuple, df[cols].astype(str).to_numpy().tolist()))


def test_every_activity_is_in_the_schema_vocabulary(syn):
    types = syn.events["activity"].map(ref.event_type)
    assert (types != schema.UNKNOWN_EVENT_TYPE).all(), set(syn.events["activity"][types == "other"])


def test_units_table_covers_every_unit_with_domain_and_sector(syn):
    units = syn.truth.units.set_index("unit")
    assert set(syn.events["unit"]) <= set(units.index)
    assert set(units["domain"]) <= set(schema.DOMAINS)
    assert set(units["sector"]) <= set(schema.SECTORS)
    assert units.loc["Psykiatrisk Visitationsklinik"].tolist() == ["psychiatric", "region"]
    assert units.loc["Misbrugscenter"].tolist() == ["substance", "municipality"]
    assert units.loc["Privatpraktiserende psykiater"].tolist() == ["psychiatric", "private"]
    assert units.loc["Vagtlæge"].tolist() == ["general_practice", "general_practice"]


def test_loops_match_reference(syn, steps):
    expected = ref.loops(syn.events, steps)
    got = syn.truth.loops
    assert len(got) == len(expected) > 100
    cols = ["case_id", "units", "n_returns", "start", "end", "gave_up"]
    assert _key(got, cols) == _key(expected, cols)


def test_planted_loop_units_occur_in_that_order_in_the_case(syn):
    ev = syn.events
    for row in syn.truth.loops.head(200).itertuples():
        g = ev[(ev["case_id"] == row.case_id) & (ev["timestamp"] >= row.start) & (ev["timestamp"] <= row.end)]
        path = [u for k, u in enumerate(g["unit"]) if k == 0 or u != g["unit"].iloc[k - 1]]
        assert " → ".join(path) == row.units


def test_psychiatric_somatic_handovers_and_bounces_match_reference(syn, steps):
    domain_of = dict(zip(syn.truth.units["unit"], syn.truth.units["domain"]))
    ho, bo = ref.psych_somatic(steps, domain_of)
    cols = ["case_id", "from_unit", "to_unit", "left_at", "arrived_at"]
    assert len(syn.truth.handovers) == len(ho) > 50
    assert _key(syn.truth.handovers, cols) == _key(ho, cols)
    cols = ["case_id", "units", "left_at", "returned_at"]
    assert len(syn.truth.bounces) == len(bo) > 20
    assert _key(syn.truth.bounces, cols) == _key(bo, cols)


def test_readmissions_match_reference(syn):
    expected = ref.readmissions(syn.events)
    cols = ["case_id", "discharge_at", "readmission_at"]
    assert len(syn.truth.readmissions) == len(expected) > 50
    assert _key(syn.truth.readmissions, cols) == _key(expected, cols)


@pytest.mark.parametrize("wait, start_type, start_test, end_test", [
    ("referral_to_assessment", "referral_received", None, lambda t, r: t == "assessment_start"),
    ("ready_to_discharge", "ready_for_discharge", None, lambda t, r: t == "discharge"),
    ("psychiatric_discharge_to_dp", "discharge",
     lambda r: r["unit"] in {"Psykiatrisk sengeafsnit", "Psykiatrisk Akutmodtagelse"},
     lambda t, r: r["unit"] == "Distriktspsykiatri"),
])
def test_waits_match_reference(syn, wait, start_type, start_test, end_test):
    expected = ref.waits(syn.events, start_type, end_test, AS_OF, start_test)
    got = syn.truth.waits[syn.truth.waits["wait"] == wait]
    cols = ["case_id", "start_at", "end_at", "outcome"]
    assert len(got) == len(expected) > 20
    assert _key(got, cols) == _key(expected, cols)
    ended = got[got["outcome"] == "ended"]
    assert np.allclose(ended["days"], (ended["end_at"] - ended["start_at"]) / pd.Timedelta(days=1))


def test_open_waits_are_censored_at_the_end_of_the_period(syn):
    w = syn.truth.waits
    open_ = w[w["outcome"] == "open"]
    assert len(open_) > 0 and open_["censored"].all()
    assert np.allclose(open_["days"], (AS_OF - open_["start_at"]) / pd.Timedelta(days=1))
    assert not w.loc[w["outcome"] == "ended", "censored"].any()


def test_age_transitions_are_child_psychiatry_closures_near_18(syn):
    at = syn.truth.age_transitions
    ev = syn.events
    closures = ev[(ev["unit"] == "Børne- og Ungdomspsykiatri") & (ev["activity"] == "Afslutning")]
    assert len(at) == len(closures) > 10
    births = ev.drop_duplicates("case_id").set_index("case_id")["birth_date"]
    for row in at.itertuples():
        b = births[row.case_id]
        assert row.birthday_18 == b + pd.DateOffset(years=18)
        assert abs(row.days_from_18) <= 30  # the scenario closes at 18 +- 20 days (+ weekend)
        later = ev[(ev["case_id"] == row.case_id) & (ev["timestamp"] > row.closure_at)
                   & ev["unit"].isin(["Psykiatrisk Visitationsklinik", "Distriktspsykiatri"])]
        took_over = len(later) > 0 and later["timestamp"].iloc[0] - row.closure_at <= pd.Timedelta(days=90)
        assert row.cliff == (not took_over)


def test_good_pathways_are_never_flagged(syn):
    t = syn.truth
    good = set(t.cases.loc[t.cases["good"], "case_id"])
    assert len(good) > 200
    assert not good & set(t.loops["case_id"])
    assert not good & set(t.bounces["case_id"])
    assert not good & set(t.handovers["case_id"])
    assert not good & set(t.readmissions["case_id"])
    assert not good & set(t.waits.loc[t.waits["over_threshold"].astype(bool), "case_id"])
    assert not good & set(t.waits.loc[t.waits["outcome"] != "ended", "case_id"])
    assert not good & set(t.age_transitions.loc[t.age_transitions["cliff"], "case_id"])
    assert not t.cases.loc[t.cases["good"], "revolving_door"].any()
    d = t.discharges[t.discharges["case_id"].isin(good)]
    assert len(d) > 50 and d["notice_48h_ok"].dropna().all()


def test_each_problem_scenario_plants_its_problem():
    syn = generate(1200, seed=5, combine=0.0)
    t = syn.truth
    scen = t.cases.set_index("case_id")["scenarios"]

    def share(table, name, mask=None):
        cases = scen[scen == name].index
        hit = table if mask is None else table[mask]
        return np.isin(cases, hit["case_id"]).mean()

    assert share(t.loops, "pain_clinic_loop") == 1.0
    assert share(t.loops, "department_ring") == 1.0
    assert share(t.loops, "refusal_rereferral") == 1.0
    assert share(t.bounces, "psych_somatic_bounce") == 1.0
    assert share(t.readmissions, "elderly_readmission") == 1.0
    assert share(t.waits, "long_wait_assessment", t.waits["over_threshold"].astype(bool)) == 1.0
    assert share(t.waits, "bed_blocking", t.waits["wait"] == "ready_to_discharge") == 1.0
    assert share(t.waits, "psychiatric_discharge_gap",
                 t.waits["over_threshold"].astype(bool)) == pytest.approx(0.6, abs=0.15)
    closed = t.age_transitions  # children whose 18th birthday fell inside the period
    assert closed["cliff"].mean() == pytest.approx(0.65, abs=0.15)
    # the pain-clinic loop alternates the two units and most patients give up
    pain = t.loops[t.loops["scenario"] == "pain_clinic_loop"]
    assert set(" → ".join(pain["units"]).split(" → ")) == {"Smerteklinik", "Privatpraktiserende psykiater"}
    only = generate(800, seed=5, scenarios=["pain_clinic_loop"], combine=0)
    pain = only.truth.loops
    observed = pain[~pain["followup_censored"]]  # 90 days of follow-up inside the period
    assert observed["gave_up"].mean() == pytest.approx(0.75, abs=0.06)
    resolved = set(only.events.loc[only.events["activity"] == "Behandling start", "case_id"])
    assert not pain.loc[pain["case_id"].isin(resolved), "gave_up"].any()
    assert pain.loc[~pain["case_id"].isin(resolved), "gave_up"].all()
    # elderly readmissions come within hours, days and weeks
    r = t.readmissions[t.readmissions["scenario"] == "elderly_readmission"]
    assert (r["hours"] < 12).mean() == pytest.approx(0.2, abs=0.08)
    assert r["days"].max() <= 30
    # Friday discharges after a Wednesday notice in the municipality-not-ready scenario
    d = t.discharges.merge(scen.rename("s"), left_on="case_id", right_index=True)
    fri = d[(d["s"] == "municipality_not_ready")].groupby("case_id").head(1)
    assert fri["friday"].all()
    assert (pd.to_datetime(fri["notice_at"]).dt.day_of_week.isin([2, 3])).all()


def test_every_scenario_appears_and_patients_combine_scenarios(syn):
    t = syn.truth
    seen = set(t.cases["scenarios"].str.split(";").explode())
    assert seen == set(SCENARIOS)
    assert len(SCENARIOS) >= 12
    assert 0.06 <= (t.cases["n_episodes"] == 2).mean() <= 0.2  # combine=0.15 asks; room decides
    assert (t.scenarios["n_cases"] > 0).all()
    # combined episodes are 200+ days apart
    e = t.episodes.sort_values(["case_id", "start"])
    gap = e.groupby("case_id")["start"].shift(-1) - e["end"]
    assert (gap.dropna() >= pd.Timedelta(days=200)).all()
