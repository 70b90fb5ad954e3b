"""Process models and conformance (issue 6): hand-built logs with every deviation written out, discovery on
the clean sample, PNML/BPMN round trips, refusals of bad references, declarative rules."""

import re
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

import pathways as pw
from pathways.errors import OptionError, PathwaysError

# --- a hand-built log: one case per deviation kind ------------------------------------------------------
# Reference: referral -> visitation (within 14 days) -> first contact (within 30 days of the referral)
#            -> treatment start (optional).
#   A follows it (a GP visit in between is no milestone; first contact exactly 30 days after the referral)
#   B skips visitation; C is visited before the referral; D is visited twice;
#   E has first contact 45 days 5 hours after the referral (clocks go forward on 31 March 2024)
ROWS = [
    ("A", "Henvisning", "2024-01-02 08:00", "Egen læge"),
    ("A", "Lægekonsultation", "2024-01-05 09:00", "Egen læge"),
    ("A", "Visitation", "2024-01-10 10:00", "Psykiatrisk Visitationsklinik"),
    ("A", "Førstegangssamtale", "2024-02-01 08:00", "Distriktspsykiatri"),
    ("A", "Behandling start", "2024-02-10 09:00", "Distriktspsykiatri"),
    ("B", "Henvisning", "2024-01-03 08:00", "Egen læge"),
    ("B", "Førstegangssamtale", "2024-01-20 08:00", "Distriktspsykiatri"),
    ("C", "Visitation", "2024-01-04 08:00", "Psykiatrisk Visitationsklinik"),
    ("C", "Henvisning", "2024-01-05 08:00", "Egen læge"),
    ("C", "Førstegangssamtale", "2024-01-25 08:00", "Distriktspsykiatri"),
    ("D", "Henvisning", "2024-01-06 08:00", "Egen læge"),
    ("D", "Visitation", "2024-01-08 08:00", "Psykiatrisk Visitationsklinik"),
    ("D", "Visitation", "2024-01-09 08:00", "Psykiatrisk Visitationsklinik"),
    ("D", "Førstegangssamtale", "2024-01-30 08:00", "Distriktspsykiatri"),
    ("E", "Henvisning", "2024-03-01 08:00", "Egen læge"),
    ("E", "Visitation", "2024-03-05 08:00", "Psykiatrisk Visitationsklinik"),
    ("E", "Førstegangssamtale", "2024-04-15 14:00", "Distriktspsykiatri"),
]


@pytest.fixture(scope="module")
def log():
    df = pd.DataFrame(ROWS, columns=["pt", "act", "ts", "unit"])
    return pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")


@pytest.fixture(scope="module")
def ref():
    return pw.ReferencePathway(["referral", pw.Step("visitation", within="14D"),
                                pw.Step("first_contact", within="30D", after="referral"),
                                pw.Step("treatment_start", optional=True)], name="PVK")


def strings(table):
    return [[str(d) for d in ds] for ds in table["deviations"]]


def test_reference_conformance_each_deviation_once(log, ref):
    table = pw.conformance(log, ref)
    expected = pd.DataFrame({
        "case_id": ["A", "B", "C", "D", "E"],
        # pm4py token replay of the milestones against the pathway's Petri net, e.g. B = (referral,
        # first_contact): 1 missing of 4 consumed, 1 remaining of 4 produced -> 0.5*(3/4) + 0.5*(3/4)
        "fitness": [1.0, 0.75, 0.8, 5 / 6, 1.0],
        "n_deviations": [0, 1, 1, 1, 1],
        "n_skipped": [0, 1, 0, 0, 0],
        "n_out_of_order": [0, 0, 1, 0, 0],
        "n_inserted": [0, 0, 0, 1, 0],
        "n_time_limit": [0, 0, 0, 0, 1],
        "status": ["ok"] * 5,
    })
    pd.testing.assert_frame_equal(table.drop(columns="deviations"), expected[table.columns.drop("deviations")])
    assert strings(table) == [
        [],
        ["skipped visitation@2"],                 # due before first contact, the case's 2nd event
        ["out_of_order visitation@1"],            # the referral keeps its place, visitation came too early
        ["inserted visitation@3"],                # the second visitation
        ["time_limit first_contact@3 (45.2 d > 30 d after referral)"],
    ]
    late = table.loc[4, "deviations"][0]
    assert (late.kind, late.step, late.position, late.limit_days, late.after) == (
        "time_limit", "first_contact", 3, 30.0, "referral")
    assert late.days == pytest.approx(45 + 5 / 24)  # 45 days 6 hours on the clock, one hour lost to DST
    assert table.attrs["n_traces_replayed"] == 5
    assert table.attrs["log_fitness"] == pytest.approx(0.88)  # pm4py's log-level token fitness
    assert table.attrs["parameters"]["method"] == "token_replay"


def test_reference_conformance_with_alignments_same_deviations(log, ref):
    table = pw.conformance(log, ref, method="alignments", timeout_per_case="5s")
    assert strings(table) == strings(pw.conformance(log, ref))
    # alignment fitness = 1 - cost / worst cost; e.g. B: one model move out of 2 log + 3 model moves
    assert table["fitness"].round(6).tolist() == [1.0, 0.8, round(2 / 3, 6), round(6 / 7, 6), 1.0]


def test_time_limit_boundary_and_default_anchor():
    # visitation measured from the step before (referral): exactly 14 days is in time, 14 days + 1 minute is not
    df = pd.DataFrame({"pt": ["A", "A", "B", "B"], "act": ["Henvisning", "Visitation"] * 2,
                       "ts": ["2024-01-01 08:00", "2024-01-15 08:00", "2024-01-01 08:00", "2024-01-15 08:01"]})
    log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    table = pw.conformance(log, pw.ReferencePathway(["referral", pw.Step("visitation", within="14D")]))
    assert table["n_time_limit"].tolist() == [0, 1]
    assert strings(table)[1] == ["time_limit visitation@2 (14.0 d > 14 d after referral)"]


def test_skipped_steps_at_the_end_and_in_pathway_order():
    df = pd.DataFrame({"pt": ["A", "A", "B", "B", "B"],
                       "act": ["Henvisning", "Ambulant besøg", "Henvisning", "Visitation", "Førstegangssamtale"],
                       "ts": ["2024-01-01", "2024-01-02", "2024-01-01", "2024-01-02", "2024-01-03"]})
    log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    ref = pw.ReferencePathway(["referral", "visitation", "first_contact"])
    assert strings(pw.conformance(log, ref)) == [["skipped visitation@3", "skipped first_contact@3"], []]


def test_conformance_summary_by_deviation_and_unit(log, ref):
    table = pw.conformance(log, ref)
    by_dev = pw.conformance_summary(table)
    assert by_dev[["kind", "step", "n_deviations", "n_cases", "share_of_cases"]].to_dict("records") == [
        {"kind": "inserted", "step": "visitation", "n_deviations": 1, "n_cases": 1, "share_of_cases": 0.2},
        {"kind": "out_of_order", "step": "visitation", "n_deviations": 1, "n_cases": 1, "share_of_cases": 0.2},
        {"kind": "skipped", "step": "visitation", "n_deviations": 1, "n_cases": 1, "share_of_cases": 0.2},
        {"kind": "time_limit", "step": "first_contact", "n_deviations": 1, "n_cases": 1, "share_of_cases": 0.2},
    ]
    assert by_dev.loc[3, "median_days"] == pytest.approx(45 + 5 / 24)
    by_unit = pw.conformance_summary(table, by="unit", log=log)
    # a skipped step belongs to the unit that held the patient when it was due (the event before it)
    assert by_unit[["unit", "kind", "step"]].values.tolist() == [
        ["Distriktspsykiatri", "time_limit", "first_contact"],
        ["Egen læge", "skipped", "visitation"],
        ["Psykiatrisk Visitationsklinik", "inserted", "visitation"],
        ["Psykiatrisk Visitationsklinik", "out_of_order", "visitation"],
    ]
    with pytest.raises(OptionError, match="needs the log"):
        pw.conformance_summary(table, by="unit")
    with pytest.raises(OptionError, match="Did you mean 'unit'"):
        pw.conformance_summary(table, by="units")


def test_results_join_case_summary(log, ref):
    joined = pw.case_summary(log).merge(pw.conformance(log, ref), on="case_id", validate="one_to_one")
    assert len(joined) == log.n_cases and joined["fitness"].notna().all()


# --- against a process model ------------------------------------------------------------------------------
def test_model_conformance_token_replay_and_alignments(log, ref):
    model = ref.to_model()  # every step is an event type, so the model's labels are event types
    assert model.level == "event_type"
    tbr = pw.conformance(log, model)
    al = pw.conformance(log, model, method="alignments")
    # every event counts now: the GP visit of A is not in the model; time limits are not in a model
    expected = [["inserted gp_contact@2"], ["skipped visitation@2"], ["out_of_order visitation@1"],
                ["inserted visitation@3"], []]
    assert strings(tbr) == expected
    # C (visitation, referral, first contact) has two optimal alignments of equal cost, and pm4py's search
    # picks either (its tie-break depends on object ids): one step out of order, either way
    assert strings(al)[:2] + strings(al)[3:] == expected[:2] + expected[3:]
    assert strings(al)[2] in (["out_of_order visitation@1"], ["out_of_order referral@2"])
    assert tbr["fitness"].round(6).tolist() == [1.0, 0.75, 0.8, round(5 / 6, 6), 1.0]  # pm4py ignores gp_contact
    assert al["fitness"].round(6).tolist() == [0.875, 0.8, round(2 / 3, 6), round(6 / 7, 6), 1.0]


def test_token_replay_deviations_agree_with_alignments_on_a_sequence():
    acts = ["Henvisning", "Visitation", "Førstegangssamtale", "Udredning start"]
    cases = {"A": [0, 1, 2, 3], "B": [0, 3], "C": [0], "D": [2, 0, 1, 3], "E": [0, 1, 1, 2, 3]}
    df = pd.DataFrame([(c, acts[i], f"2024-01-{k + 1:02d}") for c, seq in cases.items() for k, i in enumerate(seq)],
                      columns=["pt", "act", "ts"])
    log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    model = pw.ReferencePathway(["activity:" + a for a in acts]).to_model()
    tbr, al = pw.conformance(log, model), pw.conformance(log, model, method="alignments")
    assert strings(tbr) == strings(al) == [
        [], ["skipped Visitation@2", "skipped Førstegangssamtale@2"],
        ["skipped Visitation@2", "skipped Førstegangssamtale@2", "skipped Udredning start@2"],
        ["out_of_order Førstegangssamtale@1"], ["inserted Visitation@3"]]


# --- discovery ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample():
    return pw.datasets.load_sample("psychiatry_somatic")


def test_discovered_tree_replays_the_clean_sample(sample):
    from pathways.models import _pm4py

    tree = pw.discover_process_tree(sample, noise=0.2)
    assert tree.source == "top 540 of 540 variants covering 100.0 % of cases (3,000 of 3,000 cases)"
    assert tree.parameters["source"] == "variants"
    pm4py = _pm4py.load()
    with _pm4py.quiet():
        fit = pm4py.fitness_token_based_replay(sample.to_pm4py(), *tree.to_petri_net().to_pm4py())
    # measured: 0.9845 (pm4py 2.7.23 token replay of all 51,853 events against the IMf tree, noise 0.2)
    assert fit["log_fitness"] >= 0.95
    assert fit["log_fitness"] == pytest.approx(0.9845, abs=0.002)
    table = pw.conformance(sample, tree)
    assert len(table) == 3_000
    assert table.attrs["log_fitness"] == pytest.approx(fit["log_fitness"])  # same replay, variant by variant
    assert table["fitness"].mean() == pytest.approx(fit["average_trace_fitness"])


def test_discovery_on_the_dfg_and_heuristics(sample):
    dfg_tree = pw.discover_process_tree(sample, source="dfg")
    assert dfg_tree.source == "directly-follows graph of 51,853 events (3,000 cases)"
    assert len(dfg_tree.activities) == 20
    top = pw.discover_process_tree(sample, source="variants", max_variants=10)
    assert top.source.startswith("top 10 of 540 variants covering ")
    heu = pw.discover_petri_net(sample, algorithm="heuristics")
    assert heu.kind == "petri_net" and heu.source.startswith("directly-follows graph of 51,853 events")
    by_type = pw.discover_petri_net(sample, level="event_type")
    assert "referral_received" in by_type.activities and by_type.level == "event_type"
    with pytest.raises(OptionError, match="Did you mean 'heuristics'"):
        pw.discover_petri_net(sample, algorithm="heuristic")
    with pytest.raises(OptionError, match="Did you mean 'dfg'"):
        pw.discover_process_tree(sample, source="dgf")
    with pytest.raises(OptionError, match="noise"):
        pw.discover_process_tree(sample, noise=1.5)


def test_models_show_and_draw_without_case_ids(log, ref):
    tree = pw.discover_process_tree(log, noise=0.0)
    assert repr(tree).startswith("ProcessModel: process tree, 5 activities; top 5 of 5 variants")
    assert "\n" not in repr(tree) and "<table>" in tree._repr_html_()
    for model in (tree, tree.to_petri_net(), tree.to_bpmn()):
        d = pw.model_map(model)
        assert isinstance(d, pw.Diagram) and d.dot.startswith("digraph")
        assert "Førstegangssamtale" in d.dot
        assert not any(f'"{c}"' in d.dot or f">{c}<" in d.dot for c in "ABCDE")
    petri = pw.model_map(tree.to_petri_net())
    assert set(petri.nodes["kind"]) >= {"place", "transition"}
    drawn = pw.model_map(ref)
    assert drawn.edges["kind"].tolist().count("time_limit") == 1  # first contact measured from the referral
    assert "≤ 14 d" in drawn.dot and "dashed" in drawn.dot


# --- files ---------------------------------------------------------------------------------------------------
def test_pnml_and_bpmn_round_trip(tmp_path, log):
    net = pw.discover_petri_net(log, noise=0.0)
    bpmn = pw.discover_bpmn(log, noise=0.0)
    p1 = net.save(tmp_path / "pathway.pnml")
    p2 = bpmn.save(tmp_path / "pathway.bpmn")
    assert p1.read_text().startswith("<?xml") and "<pnml>" in p1.read_text()
    assert "bpmn" in p2.read_text()[:600].lower()
    # the diagram is laid out (BPMN DI boxes at distinct places, not all at 0,0), also without a
    # system Graphviz
    boxes = re.findall(r'Bounds height="[^"]*" width="[^"]*" x="([^"]*)" y="([^"]*)"', p2.read_text())
    assert len(boxes) >= len(bpmn.activities) and len(set(boxes)) == len(boxes)
    back_net, back_bpmn = pw.read_pnml(p1), pw.read_bpmn(p2)
    assert back_net.kind == "petri_net" and back_bpmn.kind == "bpmn"
    assert back_net.activities == back_bpmn.activities == net.activities
    assert back_net.source == "read from pathway.pnml" and back_net.name == "pathway"
    want = pw.conformance(log, net)
    for model in (back_net, back_bpmn):
        got = pw.conformance(log, model)
        np.testing.assert_allclose(got["fitness"], want["fitness"])
        assert strings(got) == strings(want)
    with pytest.raises(OptionError, match=".pnml or .bpmn"):
        net.save(tmp_path / "pathway.xml")
    with pytest.raises(OptionError, match="no PNML file"):
        pw.read_pnml(tmp_path / "missing.pnml")
    (tmp_path / "broken.bpmn").write_text("<not bpmn")
    with pytest.raises(PathwaysError, match="could not be read as BPMN"):
        pw.read_bpmn(tmp_path / "broken.bpmn")


_PNML = """<?xml version="1.0" encoding="UTF-8"?>
<pnml><net id="n" type="http://www.pnml.org/version-2009/grammar/pnmlcoremodel"><page id="p">
<place id="start"><name><text>start</text></name><initialMarking><text>1</text></initialMarking></place>
<place id="end"><name><text>end</text></name></place>
{body}
</page><finalmarkings><marking><place idref="end"><text>1</text></place></marking></finalmarkings></net></pnml>
"""
# an AND-split joined by an XOR-join: two tokens reach the end (improper completion)
_UNSOUND = """
<place id="p1"><name><text>p1</text></name></place><place id="p2"><name><text>p2</text></name></place>
<transition id="a"><name><text>Henvisning</text></name></transition>
<transition id="b"><name><text>Visitation</text></name></transition>
<transition id="c"><name><text>Førstegangssamtale</text></name></transition>
<arc id="1" source="start" target="a"/><arc id="2" source="a" target="p1"/><arc id="3" source="a" target="p2"/>
<arc id="4" source="p1" target="b"/><arc id="5" source="b" target="end"/>
<arc id="6" source="p2" target="c"/><arc id="7" source="c" target="end"/>
"""


def test_empty_and_unsound_models_are_refused(tmp_path, log):
    (tmp_path / "empty.pnml").write_text(_PNML.format(body=""))
    (tmp_path / "unsound.pnml").write_text(_PNML.format(body=_UNSOUND))
    with pytest.raises(OptionError, match="is empty: it has no activities"):
        pw.conformance(log, pw.read_pnml(tmp_path / "empty.pnml"))
    unsound = pw.read_pnml(tmp_path / "unsound.pnml")
    assert unsound.activities == ("Førstegangssamtale", "Henvisning", "Visitation")
    with pytest.raises(OptionError, match="is not a sound workflow net"):
        pw.conformance(log, unsound)


def test_woflan_is_read_back_and_prints_nothing(tmp_path, log, capfd):
    (tmp_path / "unsound.pnml").write_text(_PNML.format(body=_UNSOUND))
    with pytest.raises(OptionError, match=r"Woflan says: The following places are not covered by an s-component: "
                                          r"\[end, p1, p2, start\]\. "):
        pw.read_pnml(tmp_path / "unsound.pnml").check_sound()
    out, err = capfd.readouterr()
    assert "s-component" not in out + err  # Woflan prints its diagnostics: pathways reads them from its buffer


# --- bad input -------------------------------------------------------------------------------------------------
def test_unknown_milestone_gets_a_did_you_mean(log):
    with pytest.raises(OptionError, match=r"step 2 of 'reference pathway', 'visitaton', matches no event.*"
                                          r"Did you mean 'visitation'\?"):
        pw.conformance(log, pw.ReferencePathway(["referral", "visitaton"]))
    with pytest.raises(OptionError, match="Did you mean 'Visitation'"):
        pw.conformance(log, pw.ReferencePathway(["referral", "activity:Visitaton"]))
    with pytest.raises(OptionError, match="match both step 'referral' and step 'activity:Henvisning'"):
        pw.conformance(log, pw.ReferencePathway(["referral", "activity:Henvisning"]))
    with pytest.raises(OptionError, match="rule milestone 'first_contac' matches no event.*Did you mean 'first_contact'"):
        pw.check_rules(log, pw.Response("referral", "first_contac"))


def test_model_labels_missing_from_the_log(log, tmp_path):
    model = pw.ReferencePathway(["referral", "visitation", "first_contact", "closure"]).to_model()
    with pytest.warns(UserWarning, match="1 of the model's 4 event types never occur in this log: 'closure'"):
        pw.conformance(log, model)
    path = model.save(tmp_path / "types.bpmn")
    with pytest.raises(OptionError, match="none of the model's activities occurs in the log.*level='event_type'"):
        pw.conformance(log, pw.read_bpmn(path))  # read as activity names, but the labels are event types


def test_reference_pathway_is_validated():
    with pytest.raises(OptionError, match="at least one step"):
        pw.ReferencePathway([])
    with pytest.raises(OptionError, match="appears more than once"):
        pw.ReferencePathway(["referral", "visitation", "referral"])
    with pytest.raises(OptionError, match="'first_contact' is a later step"):
        pw.ReferencePathway(["referral", pw.Step("visitation", within="7D", after="first_contact"), "first_contact"])
    with pytest.raises(OptionError, match="no step before it"):
        pw.ReferencePathway([pw.Step("referral", within="7D")])
    with pytest.raises(OptionError, match="not a duration"):
        pw.Step("visitation", within="two weeks")
    with pytest.raises(OptionError, match="Did you mean 'alignments'"):
        pw.conformance(pw.datasets.load_sample("elderly_medical"), pw.ReferencePathway(["referral"]),
                       method="alignment")
    with pytest.raises(OptionError, match="reference must be"):
        pw.conformance(pw.datasets.load_sample("elderly_medical"), "referral -> visitation")


# --- declarative rules ---------------------------------------------------------------------------------------------
def test_check_rules_by_hand():
    df = pd.DataFrame({
        "pt": ["A"] * 4 + ["B"] * 3 + ["C"] * 2,
        "act": ["Henvisning modtaget", "Udredning start", "Henvisning modtaget", "Behandling start",
                "Henvisning modtaget", "Behandling start", "Afslag",
                "Lægekonsultation", "Udredning start"],
        "ts": ["2024-01-01", "2024-01-31", "2024-03-01", "2024-03-02",
               "2024-01-01", "2024-01-10", "2024-01-20",
               "2024-01-01", "2024-01-05"]})
    log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    rules = [pw.Response("referral_received", "assessment_start", within="30D"),
             pw.Precedence("assessment_start", "treatment_start"),
             pw.NotCoExistence("referral_rejected", "treatment_start", name="rejected yet treated")]
    out = pw.check_rules(log, rules)
    r1 = "response: referral_received → assessment_start within 30D"
    r2 = "precedence: assessment_start before treatment_start"
    expected = pd.DataFrame({
        "case_id": ["A", "B", "C"] * 3,
        "rule": [r1] * 3 + [r2] * 3 + ["rejected yet treated"] * 3,
        # A: the first referral is answered in exactly 30 days, the second never; B never; C has no referral
        # A: treatment after an assessment; B: treatment without one; C: no treatment (vacuous)
        # B: rejected and treated
        "holds": [False, False, True, True, False, True, True, False, True],
        "n_activations": [2, 1, 0, 1, 1, 0, 1, 2, 0],
        "n_violations": [1, 1, 0, 0, 1, 0, 0, 1, 0],
        "days": [30.0, np.nan, np.nan] + [np.nan] * 6,
    })
    pd.testing.assert_frame_equal(out, expected)
    assert out.attrs["parameters"]["rules"][0] == "Response('referral_received' → 'assessment_start' within 30D)"
    with pytest.raises(OptionError, match="rules must be"):
        pw.check_rules(log, ["referral"])


# --- packaging ---------------------------------------------------------------------------------------------------------
def test_pathways_and_its_models_api_do_not_import_pm4py():
    code = ("import sys, pathways as pw\n"
            "pw.conformance, pw.check_rules, pw.ReferencePathway(['referral', pw.Step('visitation', within='14D')])\n"
            "print('pm4py' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False" and out.stderr == ""


def test_pm4py_prints_nothing_when_used():
    code = ("import pandas as pd, pathways as pw\n"
            "df = pd.DataFrame({'c': ['a', 'a'], 'a': ['Henvisning', 'Visitation'], 't': ['2023-01-01', '2023-01-02']})\n"
            "log = pw.from_pandas(df, case='c', activity='a', timestamp='t')\n"
            "pw.conformance(log, pw.discover_petri_net(log))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "" and out.stderr == ""


# --- drawings: a node budget, a PNG size cap, symbols the font has ------------------------------------
def _big_tree(n: int) -> pw.ProcessModel:
    """A sequence of ``n`` activities a000, a001, ... with a loop, a choice, a parallel block and an
    inclusive choice in it (a model read from a file can be this large: discovery would cut it at 50)."""
    from pm4py.objects.process_tree.obj import Operator, ProcessTree

    def node(op, children):
        t = ProcessTree(operator=op)
        for c in children:
            c.parent = t
            t.children.append(c)
        return t

    leaves = [ProcessTree(label=f"a{i:03d}") for i in range(n)]
    blocks = [node(Operator.LOOP, [leaves[0], ProcessTree()]), node(Operator.XOR, leaves[1:3]),
              node(Operator.PARALLEL, leaves[3:5]), node(Operator.OR, leaves[5:7])] + leaves[7:]
    return pw.ProcessModel(node(Operator.SEQUENCE, blocks), kind="process_tree", source="built in the test")


def test_model_drawings_keep_a_node_budget_and_say_what_they_left_out():
    tree = _big_tree(120)
    for model in (tree, tree.to_petri_net(), tree.to_bpmn()):
        d = pw.model_map(model)
        tasks = d.nodes[d.nodes["kind"].isin(["activity", "transition", "task"])]
        assert (len(tasks), d.info["n_nodes_shown"], d.info["n_nodes_total"]) == (50, 50, 120), model.kind
        assert (d.nodes["kind"] == "left_out").sum() == 1 and "… 70 more activities" in d.dot
        assert "showing 50 of 120 activities" in d.dot
        # the first activities from the start are drawn, the last are not
        assert "a000" in d.dot and "a119" not in d.dot
        whole = pw.model_map(model, max_nodes=120)
        assert whole.info["n_nodes_shown"] == 120 and "left_out" not in set(whole.nodes["kind"])
        assert "showing" not in whole.dot
    with pytest.raises(OptionError, match="max_nodes=0 is not allowed"):
        pw.model_map(tree, max_nodes=0)


def test_model_png_is_capped_and_says_so():
    from pathways.render.diagram import MAX_PNG_PIXELS, png_size
    from pathways.layout import find_engine

    if find_engine() is None:
        pytest.skip("no layout engine")
    d = pw.model_map(_big_tree(300), max_nodes=300)  # a wide tree: about 100 inches at 150 dpi uncapped
    width, height = png_size(d.png(dpi=150))
    assert max(width, height) <= MAX_PNG_PIXELS
    assert d.info["png_dpi"] < 150 and "instead of 150" in repr(d)
    small = pw.model_map(_big_tree(8))
    assert max(png_size(small.png())) < MAX_PNG_PIXELS and "png_note" not in small.info


def test_every_symbol_drawn_is_in_the_font(ref):
    """Each non-ASCII character of every model drawing renders as a glyph, not as the missing-glyph box
    that a private-use character (U+E000, in no font) renders as."""
    import hashlib

    from pathways.render import models as drawing
    from pathways.layout import find_engine

    engine = find_engine()
    if engine is None:
        pytest.skip("no layout engine")

    def picture(text: str) -> str:
        dot = f'digraph {{ n [shape=plaintext fontname="Helvetica" fontsize=40 label="{text}"] }}'
        return hashlib.sha1(engine.run(dot, "png", args=("-Gdpi=72",))).hexdigest()

    tree = _big_tree(10)
    drawn = "".join(d.dot for d in (pw.model_map(tree, max_nodes=5), pw.model_map(tree.to_petri_net()),
                                    pw.model_map(tree.to_bpmn()), pw.model_map(ref)))
    symbols = set(drawn + "".join(s for s, _ in drawing._OPERATORS.values()) + "".join(drawing._GATEWAYS.values()))
    symbols = sorted(c for c in symbols if ord(c) > 127)
    assert {"→", "×", "τ", "●", "○", "≤", "…"} <= set(symbols)
    missing = picture("\ue000")
    assert picture("\u21ba") == missing  # the test sees a missing glyph: the old loop symbol ↺ was one
    assert [c for c in symbols if picture(c) == missing] == []


def test_time_limit_in_hours_reads_in_hours():
    """A 1-hour limit missed by 20 minutes reads "1.3 h > 1 h", not "0.1 d > 0.0416667 d" (issue 22)."""
    df = pd.DataFrame({"pt": ["A", "A"], "act": ["Henvisning", "Visitation"],
                       "ts": ["2024-01-01 08:00", "2024-01-01 09:20"]})
    log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    table = pw.conformance(log, pw.ReferencePathway(["referral", pw.Step("visitation", within="1h")]))
    assert strings(table) == [["time_limit visitation@2 (1.3 h > 1 h after referral)"]]
    late = table.loc[0, "deviations"][0]
    assert (late.days, late.limit_days) == (pytest.approx(80 / 1440), pytest.approx(1 / 24))  # the numbers stay days
