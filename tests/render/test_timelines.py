"""Timelines: one patient's pathway in swimlanes (no id, no dates) and the cohort dotted chart."""

import re

import pandas as pd
import pytest

import pathways as pw
from pathways.errors import OptionError
from pathways.layout import candidates
from pathways.render.timelines import case_timeline, cohort_timeline


def log():
    df = pd.DataFrame({
        "pt": ["CPR-0101", "CPR-0101", "CPR-0101", "CPR-0101", "X9", "X9"],
        "what": ["Lægekonsultation", "Henvisning modtaget", "Udskrivning", "Indflytning", "Henvisning", "Visitation"],
        "when": ["2023-01-02", "2023-01-10", "2023-01-20", "2023-02-01", "2023-03-01", "2023-03-05"],
        "unit": ["Egen læge", "Psykiatrisk sengeafsnit", "Psykiatrisk sengeafsnit", "Bosted", "Egen læge",
                 "Psykiatrisk Visitationsklinik"]})
    return pw.from_pandas(df, case="pt", activity="what", timestamp="when", unit="unit")


def test_case_timeline_lanes_steps_and_no_id():
    t = case_timeline(log(), "CPR-0101")
    assert "CPR-0101" not in t.dot and "2023" not in t.dot
    assert t.nodes[["unit", "sector", "day_from", "day_to"]].values.tolist() == [
        ["Egen læge", "general_practice", 0.0, 0.0], ["Psykiatrisk sengeafsnit", "region", 8.0, 18.0],
        ["Bosted", "municipality", 30.0, 30.0]]
    assert t.edges[["from_unit", "to_unit"]].values.tolist() == [
        ["Egen læge", "Psykiatrisk sengeafsnit"], ["Psykiatrisk sengeafsnit", "Bosted"]]
    assert t.dot.count(" -> ") == 3  # two handovers and the time axis
    for lane in ("Region (hospitals, psychiatry)", "Municipality", "General practice"):
        assert f"<b>{lane}</b>" in t.dot
    assert "day 8–18" in t.dot and "Patient pathway" in t.dot
    with pytest.raises(OptionError, match="no case with that id"):
        case_timeline(log(), "nobody")


def test_cohort_timeline_rows_without_ids():
    c = cohort_timeline(log())
    assert "CPR-0101" not in c.dot and "X9" not in c.dot
    assert c.nodes["row"].tolist() == [0, 0, 0, 1, 1]
    assert c.nodes["x_days"].tolist() == [0.0, 8.0, 30.0, 0.0, 4.0]
    assert "showing 2 of 2 cases (all)" in c.dot
    one = cohort_timeline(log(), max_cases=1, time="absolute", color="sector")
    assert one.info == {"n_cases_total": 2, "n_cases_shown": 1, "caption": "showing 1 of 2 cases"}
    assert "2023-01-02" in one.dot  # calendar axis


@pytest.mark.parametrize("engine", [e.name for e in candidates()])
def test_timelines_render_with_each_engine(engine):
    case = case_timeline(log(), "CPR-0101")
    svg = case.svg(engine=engine)
    assert "<svg" in svg and "Egen læge" in svg and "CPR" not in svg
    assert svg.count('class="node"') == 3 + 3 * 2 + 2 + 5  # steps, lanes and lane names, axis ends, ticks
    cohort = cohort_timeline(log())
    assert "Psychiatric" in cohort.svg(engine=engine)
    for d in (case, cohort):
        assert d.png(dpi=50, engine=engine)[:4] == b"\x89PNG"


def test_cohort_timeline_samples_large_logs():
    big = pw.datasets.load_sample("elderly_medical")
    c = cohort_timeline(big, max_cases=50)
    assert c.info["n_cases_shown"] == 50 and c.info["n_cases_total"] == big.n_cases
    assert c.nodes["row"].nunique() == 50
    assert re.search(r"showing 50 of 2,000 cases", c.dot)


def test_danish_timelines():
    t = case_timeline(log(), "CPR-0101", language="da")
    assert "<b>Patientforløb</b>" in t.dot and "dag 8–18" in t.dot and 'label="dag 14"' in t.dot
    assert ("3 ophold på 3 enheder over 30 dage; tiden er dage siden første kontakt; fyldfarve: domæne; "
            "intet patient-id og ingen datoer vist") in t.dot
    for lane in ("Region (hospitaler, psykiatri)", "Kommune", "Almen praksis"):
        assert f"<b>{lane}</b>" in t.dot
    assert t.info["caption"] == "3 ophold" and "CPR-0101" not in t.dot
    c = cohort_timeline(log(), language="da")
    assert ("viser 2 af 2 patienter (alle); én række pr. patient, ingen id&#x27;er; prikker: ankomst til en "
            "enhed; x: dage siden hver patients første kontakt") in c.dot
    assert "2 patienter,<br/>første kontakt<br/>tidligst øverst" in c.dot and "<b>Forløb i en kohorte</b>" in c.dot
    assert "Psykiatri</td>" in c.dot and "Almen praksis</td>" in c.dot
    one = cohort_timeline(log(), max_cases=1, time="absolute", color="sector", language="da")
    assert one.info == {"n_cases_total": 2, "n_cases_shown": 1, "caption": "viser 1 af 2 patienter"}
    assert "(jævnt fordelt over startdatoer)" in one.dot and "x: kalendertid" in one.dot
    for d in (t, c, one):
        for phrase in ("showing ", "cases", "day ", "stays", "Patient pathway", "Pathways of a cohort",
                       "Psychiatric", "General practice"):
            assert phrase not in d.dot, phrase
    assert case_timeline(log(), "CPR-0101", language="en").dot == case_timeline(log(), "CPR-0101").dot
    with pytest.raises(OptionError, match="language="):
        case_timeline(log(), "CPR-0101", language="de")
    with pytest.raises(OptionError, match="language="):
        cohort_timeline(log(), language="DA ")
