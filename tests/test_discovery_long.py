"""Discovery on long cases (issue 20, item 4): ``source="auto"`` takes the directly-follows graph when the variants are
long or many, and the model says which input it used and why; the sample logs' models are those of before."""

import warnings

import pandas as pd
import pytest

import pathways as pw
from pathways.models import discovery


def _quiet(fn, log, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = fn(log, **kw)
    return model, [str(w.message) for w in caught if issubclass(w.category, pw.PathwaysWarning)]


# --- a log of long cases ------------------------------------------------------------------------------------------
# Three cases of 60 events over the activities A, B, C, D: case k (0, 1, 2) is the cycle A B C D repeated 15 times,
# rotated to start at the k-th letter, so the three traces differ: 3 variants of 60 events each, averaging 60 > 50.
# 180 events in all, 4 activities: well within the activity budget and under DFG_EVENTS.
def _long_frame() -> pd.DataFrame:
    rows = []
    for k in range(3):
        cycle = "ABCD"[k:] + "ABCD"[:k]
        rows += [(f"p{k}", cycle[i % 4], pd.Timestamp("2024-01-01") + pd.Timedelta(hours=i)) for i in range(60)]
    return pd.DataFrame(rows, columns=["pt", "act", "ts"])


@pytest.fixture(scope="module")
def long_log():
    return pw.from_pandas(_long_frame(), case="pt", activity="act", timestamp="ts")


WHY_LONG = ("directly-follows graph of 180 events (3 cases), chosen over 3 variants averaging 60 events (more than 50 "
            "on average)")


@pytest.mark.parametrize("fn", [pw.discover_process_tree, pw.discover_petri_net, pw.discover_bpmn])
def test_auto_takes_the_dfg_for_long_variants_and_says_why(long_log, fn):
    model, said = _quiet(fn, long_log)
    # before: 180 events <= 200,000, so the variants ("top 3 of 3 variants covering ...") whatever their length
    assert model.parameters["source"] == "dfg"
    assert model.source == WHY_LONG
    assert WHY_LONG in repr(model)
    # the same model as asked for on the DFG; only the source says the choice
    asked = fn(long_log, source="dfg")
    assert asked.source == "directly-follows graph of 180 events (3 cases)"
    assert repr(asked).replace(asked.source, WHY_LONG) == repr(model)
    assert said == []  # nothing left out, nothing slow: no warning


def test_the_dfg_tree_of_the_long_cases(long_log):
    # A->B, B->C, C->D, D->A in every case (start A, B or C; end D, A or B): one loop over the four in order.
    tree, _ = _quiet(pw.discover_process_tree, long_log)
    assert tree.activities == ("A", "B", "C", "D")
    assert str(tree.to_pm4py()).count("*(") == 1  # a loop: the cases go round the cycle 15 times


def test_asked_for_variants_still_gets_the_variants_with_the_length_in_the_notice(long_log, monkeypatch):
    monkeypatch.setattr(discovery, "NOTICE_SECONDS", 1e-9)
    model, said = _quiet(pw.discover_process_tree, long_log, source="variants")
    assert model.parameters["source"] == "variants"
    assert model.source == "top 3 of 3 variants covering 100.0 % of cases (3 of 3 cases)"
    assert [m for m in said if m.startswith("this discovery")] == [
        m for m in said if "on 4 activities and 3 variants averaging 60 events" in m] != []


def test_auto_takes_the_dfg_when_the_top_variants_cover_less_than_half_of_the_cases():
    # five cases, five variants of 2 events: A B, A C, A D, B C, B D; the top 2 cover 2 of 5 cases (40 %)
    pairs = ["AB", "AC", "AD", "BC", "BD"]
    df = pd.DataFrame({"pt": [f"p{i}" for i, _ in enumerate(pairs) for _ in range(2)],
                       "act": [a for p in pairs for a in p],
                       "ts": pd.to_datetime(["2024-01-01", "2024-01-02"] * len(pairs))})
    log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    model, _ = _quiet(pw.discover_process_tree, log, max_variants=2)
    # before: the top 2 variants, "top 2 of 5 variants covering 40.0 % of cases (2 of 5 cases)"
    assert model.parameters["source"] == "dfg"
    assert model.source == ("directly-follows graph of 10 events (5 cases), chosen over 5 variants averaging 2 "
                            "events (the top max_variants=2 cover 40.0 % of cases, less than half)")
    # the top 3 cover 3 of 5 cases (60 %): the variants, as before
    model, _ = _quiet(pw.discover_process_tree, log, max_variants=3)
    assert model.parameters["source"] == "variants"
    assert model.source == "top 3 of 5 variants covering 60.0 % of cases (3 of 5 cases)"


def test_auto_takes_the_dfg_for_a_big_log_without_building_its_variants(long_log, monkeypatch):
    monkeypatch.setattr(discovery, "DFG_EVENTS", 100)

    def no(*args, **kwargs):
        raise AssertionError("the variants of a big log are not built to choose")

    monkeypatch.setattr(discovery, "variant_table", no)
    model, _ = _quiet(pw.discover_process_tree, long_log)
    assert model.parameters["source"] == "dfg"
    assert model.source == ("directly-follows graph of 180 events (3 cases), chosen over the variants (more than 100 "
                            "events)")


def test_choose_input_by_hand():
    short = pd.DataFrame({"trace": [("a", "b", "c"), ("a", "c")], "n_cases": [5, 2]})  # mean 2.5 events
    assert discovery.choose_input(7, short) == ""
    long = pd.DataFrame({"trace": [("a",) * 51, ("b",) * 52], "n_cases": [1, 1]})  # mean 51.5 > 50
    assert discovery.choose_input(103, long) == "2 variants averaging 52 events (more than 50 on average)"
    fifty = pd.DataFrame({"trace": [("a",) * 50], "n_cases": [1]})  # exactly 50: not more
    assert discovery.choose_input(50, fifty) == ""
    # the top 1 covers 5 of 7 cases (71 %): enough; of 7 single cases, 3 of 7 (42.9 %): not
    assert discovery.choose_input(7, short, max_variants=1) == ""
    singles = pd.DataFrame({"trace": [(x,) for x in "abcdefg"], "n_cases": [1] * 7})
    assert discovery.choose_input(7, singles, max_variants=3) == (
        "7 variants averaging 1 event (the top max_variants=3 cover 42.9 % of cases, less than half)")
    assert discovery.choose_input(7, singles, max_variants=4) == ""  # 4 of 7: 57 %
    assert discovery.choose_input(200_001, None) == "the variants (more than 200,000 events)"


# --- the sample logs: the models of before ----------------------------------------------------------------------
# Computed with the code of commit 99c2006 (before source="auto" looked at the variants): the tree's text, and the
# facts of the Petri net and BPMN diagram discovered with the same options. Every sample, both levels, noise 0.2
# (the default) and 0; source="auto" takes the variants (206, 213 and 540 of them, averaging 11-17 events) each time.
BEFORE = {
    ('dirty_extract', 'activity', 0.2): (
        "X( tau, ->( X( tau, *( ->( X( tau, 'Akut kontakt' ), 'Indlæggelse', 'Overflytning', X( tau, ->( X( t"
        "au, ->( 'Færdigmeldt', X( tau, 'Kommunal visitation' ) ) ), 'Varsling' ) ), 'Udskrivning' ), tau ) )"
        ", *( ->( X( 'Lægekonsultation', 'Epikrise', 'Ambulant besøg' ), X( tau, 'Afslutning', *( ->( 'Henvis"
        "ning', 'Henvisning modtaget', X( tau, 'Visitation' ), X( tau, +( X( tau, *( 'Afslag', tau ) ), 'Førs"
        "tegangssamtale' ) ), X( tau, 'Udredning start' ) ), tau ) ), X( tau, 'Behandling start' ) ), tau ) )"
        ' )',
        'ProcessModel: Petri net, 18 activities, 29 places, 46 transitions (28 silent)',
        'ProcessModel: BPMN diagram, 18 activities, 36 gateways'),
    ('dirty_extract', 'activity', 0.0): (
        "*( ->( X( tau, 'Lægekonsultation' ), X( tau, ->( +( X( tau, *( 'Epikrise', tau ) ), ->( X( tau, ->( "
        "*( X( 'Akut kontakt', ->( 'Indlæggelse', +( 'Udskrivning', X( tau, +( 'Overflytning', X( tau, ->( X("
        " tau, +( 'Varsling', X( tau, ->( 'Færdigmeldt', X( tau, 'Kommunal visitation' ) ) ) ) ), X( tau, 'Hj"
        "emmepleje start' ) ) ) ) ) ) ) ), tau ), X( tau, 'Midlertidigt ophold' ), X( tau, 'Indflytning' ) ) "
        "), X( tau, *( ->( X( tau, 'Ambulant besøg' ), X( tau, ->( +( X( tau, 'Førstegangssamtale' ), ->( +( "
        "X( tau, *( 'Henvisning', tau ) ), ->( X( tau, 'Afslutning' ), X( tau, +( X( tau, ->( X( tau, 'Visita"
        "tion' ), X( tau, *( 'Udredning start', tau ) ) ) ), *( 'Henvisning modtaget', tau ) ) ) ) ), X( tau,"
        " *( 'Afslag', tau ) ) ) ), X( tau, 'Diagnostisk konference' ) ) ), X( tau, 'Behandling start' ) ), t"
        "au ) ) ) ), X( tau, 'Hjemmesygepleje start', ->( 'Genoptræning start', 'Genoptræning slut' ) ) ) ) )"
        ', tau )',
        'ProcessModel: Petri net, 25 activities, 57 places, 85 transitions (60 silent)',
        'ProcessModel: BPMN diagram, 25 activities, 84 gateways'),
    ('dirty_extract', 'event_type', 0.2): (
        "X( tau, *( ->( X( 'gp_contact', ->( X( tau, 'emergency_contact' ), 'admission' ) ), X( ->( 'transfer"
        "', X( tau, ->( X( tau, ->( 'ready_for_discharge', X( tau, 'municipal_assessment' ) ) ), 'discharge_n"
        "otice' ) ), 'discharge' ), ->( +( X( tau, *( 'assessment_start', tau ) ), ->( *( ->( 'referral', 're"
        "ferral_received' ), tau ), X( tau, 'visitation' ), X( tau, +( X( tau, *( 'referral_rejected', tau ) "
        "), 'first_contact' ) ) ) ), X( tau, 'treatment_start' ) ) ), X( tau, ->( +( X( tau, *( 'closure', ta"
        "u ) ), X( tau, *( 'outpatient_visit', tau ) ), *( 'discharge_letter', tau ) ), X( tau, 'homecare_sta"
        "rt' ) ) ) ), tau ) )",
        'ProcessModel: Petri net, 19 activities (event types), 41 places, 59 transitions (40 silent)',
        'ProcessModel: BPMN diagram, 19 activities (event types), 52 gateways'),
    ('dirty_extract', 'event_type', 0.0): (
        "*( ->( X( tau, 'gp_contact' ), X( tau, ->( +( X( tau, *( 'discharge_letter', tau ) ), ->( X( tau, +("
        " X( tau, *( 'homecare_start', tau ) ), ->( +( X( tau, *( 'discharge', tau ) ), ->( +( X( tau, *( 'ad"
        "mission', tau ) ), X( tau, +( X( tau, *( 'transfer', tau ) ), X( tau, *( 'emergency_contact', tau ) "
        ") ) ) ), X( tau, +( 'discharge_notice', X( tau, ->( 'ready_for_discharge', X( tau, 'municipal_assess"
        "ment' ) ) ) ) ) ) ), X( tau, 'temporary_stay' ) ) ) ), X( tau, *( ->( X( tau, 'outpatient_visit' ), "
        "X( tau, ->( +( X( tau, *( 'assessment_start', tau ) ), ->( +( ->( X( tau, 'closure' ), X( tau, *( 'r"
        "eferral_received', tau ) ) ), X( tau, *( 'referral', tau ) ) ), X( tau, 'visitation' ), X( tau, +( X"
        "( tau, *( 'referral_rejected', tau ) ), X( tau, 'first_contact' ) ) ) ) ), X( tau, 'diagnosis_confer"
        "ence' ) ) ), X( tau, 'treatment_start' ) ), tau ) ) ) ), X( tau, ->( 'rehab_start', 'rehab_end' ) ) "
        ') ) ), tau )',
        'ProcessModel: Petri net, 23 activities (event types), 72 places, 102 transitions (79 silent)',
        'ProcessModel: BPMN diagram, 23 activities (event types), 98 gateways'),
    ('elderly_medical', 'activity', 0.2): (
        "->( *( ->( X( tau, 'Akut kontakt' ), +( 'Indlæggelse', ->( 'Overflytning', X( tau, ->( X( tau, ->( '"
        "Færdigmeldt', X( tau, 'Kommunal visitation' ) ) ), 'Varsling' ) ), +( 'Epikrise', 'Udskrivning', X( "
        "tau, +( *( 'Ambulant besøg', tau ), ->( X( tau, 'Afslutning' ), 'Lægekonsultation', X( tau, ->( 'Hen"
        "visning', 'Henvisning modtaget', 'Udredning start', 'Behandling start' ) ) ) ) ) ) ) ), X( tau, 'Hje"
        "mmepleje start' ) ), tau ), X( tau, 'Hjemmesygepleje start', ->( 'Genoptræning start', 'Genoptræning"
        " slut' ), ->( X( tau, 'Midlertidigt ophold' ), X( tau, 'Indflytning' ) ) ) )",
        'ProcessModel: Petri net, 21 activities, 31 places, 41 transitions (20 silent)',
        'ProcessModel: BPMN diagram, 21 activities, 32 gateways'),
    ('elderly_medical', 'activity', 0.0): (
        "*( ->( X( tau, 'Akut kontakt' ), +( *( 'Indlæggelse', tau ), ->( X( tau, ->( 'Overflytning', X( tau,"
        " +( 'Varsling', X( tau, ->( 'Færdigmeldt', X( tau, 'Kommunal visitation' ) ) ) ) ) ) ), +( X( tau, '"
        "Lægekonsultation' ), ->( X( tau, ->( 'Henvisning', 'Henvisning modtaget', 'Udredning start', 'Behand"
        "ling start' ) ), +( *( 'Udskrivning', tau ), X( tau, *( 'Ambulant besøg', tau ) ), X( tau, +( X( tau"
        ", *( 'Epikrise', tau ) ), X( tau, 'Hjemmepleje start' ) ) ) ), X( tau, 'Afslutning' ) ) ) ) ), X( ta"
        "u, 'Hjemmesygepleje start', ->( 'Genoptræning start', 'Genoptræning slut' ), ->( X( tau, 'Midlertidi"
        "gt ophold' ), X( tau, 'Indflytning' ) ) ) ), tau )",
        'ProcessModel: Petri net, 21 activities, 41 places, 56 transitions (35 silent)',
        'ProcessModel: BPMN diagram, 21 activities, 50 gateways'),
    ('elderly_medical', 'event_type', 0.2): (
        "->( *( ->( X( tau, 'emergency_contact' ), +( 'admission', ->( 'transfer', X( tau, ->( X( tau, ->( 'r"
        "eady_for_discharge', X( tau, 'municipal_assessment' ) ) ), 'discharge_notice' ) ), +( 'discharge', '"
        "discharge_letter', X( tau, +( 'gp_contact', ->( X( tau, ->( 'referral', 'referral_received', 'assess"
        "ment_start', 'treatment_start' ) ), *( 'outpatient_visit', tau ), X( tau, 'closure' ) ) ) ) ) ) ), X"
        "( tau, 'temporary_stay' ), X( tau, 'homecare_start' ) ), tau ), X( tau, ->( 'rehab_start', 'rehab_en"
        "d' ) ) )",
        'ProcessModel: Petri net, 19 activities (event types), 33 places, 40 transitions (21 silent)',
        'ProcessModel: BPMN diagram, 19 activities (event types), 30 gateways'),
    ('elderly_medical', 'event_type', 0.0): (
        "*( ->( X( tau, 'emergency_contact' ), +( *( 'admission', tau ), ->( X( tau, ->( 'transfer', X( tau, "
        "+( 'discharge_notice', X( tau, ->( 'ready_for_discharge', X( tau, 'municipal_assessment' ) ) ) ) ) )"
        " ), +( X( tau, 'gp_contact' ), ->( X( tau, ->( 'referral', 'referral_received', 'assessment_start', "
        "'treatment_start' ) ), +( X( tau, 'homecare_start' ), ->( *( ->( 'discharge', X( tau, ->( 'discharge"
        "_letter', X( tau, *( 'outpatient_visit', tau ) ) ) ) ), tau ), X( tau, 'temporary_stay' ) ) ), X( ta"
        "u, 'closure' ) ) ) ) ), X( tau, ->( 'rehab_start', 'rehab_end' ) ) ), tau )",
        'ProcessModel: Petri net, 19 activities (event types), 36 places, 48 transitions (29 silent)',
        'ProcessModel: BPMN diagram, 19 activities (event types), 42 gateways'),
    ('psychiatry_somatic', 'activity', 0.2): (
        "->( X( tau, *( ->( X( tau, *( 'Lægekonsultation', tau ) ), X( tau, 'Akut kontakt' ), X( ->( +( X( ta"
        "u, 'Førstegangssamtale' ), ->( +( X( tau, *( 'Udredning start', tau ) ), ->( *( ->( 'Henvisning', 'H"
        "envisning modtaget' ), tau ), X( tau, 'Visitation' ) ) ), X( tau, *( 'Afslag', tau ) ) ) ), X( tau, "
        "'Diagnostisk konference' ) ), ->( 'Indlæggelse', 'Overflytning', X( tau, ->( 'Færdigmeldt', 'Kommuna"
        "l visitation', 'Varsling' ) ), 'Udskrivning' ) ), X( tau, 'Behandling start' ) ), tau ) ), *( 'Ambul"
        "ant besøg', tau ), 'Afslutning', X( tau, *( 'Epikrise', tau ) ) )",
        'ProcessModel: Petri net, 19 activities, 38 places, 54 transitions (35 silent)',
        'ProcessModel: BPMN diagram, 19 activities, 42 gateways'),
    ('psychiatry_somatic', 'activity', 0.0): (
        "*( ->( X( 'Lægekonsultation', +( X( tau, *( 'Udskrivning', tau ) ), ->( *( ->( 'Akut kontakt', X( ta"
        "u, ->( 'Indlæggelse', 'Overflytning' ) ) ), tau ), X( tau, ->( 'Færdigmeldt', 'Kommunal visitation',"
        " 'Varsling' ) ) ) ) ), X( tau, +( X( tau, *( 'Epikrise', tau ) ), X( tau, ->( X( tau, 'Indflytning' "
        "), *( ->( X( 'Ambulant besøg', 'Henvisning' ), X( tau, 'Afslutning' ), X( tau, ->( 'Henvisning modta"
        "get', X( tau, 'Visitation' ), X( tau, +( X( tau, *( 'Afslag', tau ) ), X( tau, 'Førstegangssamtale' "
        ") ) ), X( tau, ->( 'Udredning start', X( tau, 'Diagnostisk konference' ) ) ) ) ), X( tau, 'Behandlin"
        "g start' ) ), tau ) ) ) ) ) ), tau )",
        'ProcessModel: Petri net, 20 activities, 39 places, 59 transitions (39 silent)',
        'ProcessModel: BPMN diagram, 20 activities, 54 gateways'),
    ('psychiatry_somatic', 'event_type', 0.2): (
        "->( X( tau, *( ->( X( tau, *( 'gp_contact', tau ) ), X( tau, 'emergency_contact' ), X( ->( 'admissio"
        "n', 'transfer', X( tau, ->( 'ready_for_discharge', 'municipal_assessment', 'discharge_notice' ) ), '"
        "discharge' ), ->( +( X( tau, *( 'assessment_start', tau ) ), ->( *( ->( 'referral', 'referral_receiv"
        "ed' ), tau ), X( tau, ->( X( tau, 'visitation' ), +( X( tau, *( 'referral_rejected', tau ) ), 'first"
        "_contact' ) ) ) ) ), X( tau, 'diagnosis_conference' ) ) ), X( tau, 'treatment_start' ) ), tau ) ), *"
        "( 'outpatient_visit', tau ), 'closure', X( tau, *( 'discharge_letter', tau ) ) )",
        'ProcessModel: Petri net, 19 activities (event types), 39 places, 55 transitions (36 silent)',
        'ProcessModel: BPMN diagram, 19 activities (event types), 42 gateways'),
    ('psychiatry_somatic', 'event_type', 0.0): (
        "*( ->( X( 'gp_contact', +( X( tau, *( 'discharge', tau ) ), ->( *( ->( 'emergency_contact', X( tau, "
        "->( 'admission', 'transfer' ) ) ), tau ), X( tau, ->( 'ready_for_discharge', 'municipal_assessment',"
        " 'discharge_notice' ) ) ) ) ), X( tau, +( X( tau, *( 'discharge_letter', tau ) ), X( tau, ->( X( tau"
        ", 'homecare_start' ), *( ->( X( 'outpatient_visit', 'referral' ), X( tau, 'closure' ), X( tau, ->( '"
        "referral_received', X( tau, 'visitation' ), X( tau, +( X( tau, *( 'referral_rejected', tau ) ), X( t"
        "au, 'first_contact' ) ) ), X( tau, ->( 'assessment_start', X( tau, 'diagnosis_conference' ) ) ) ) ),"
        " X( tau, 'treatment_start' ) ), tau ) ) ) ) ) ), tau )",
        'ProcessModel: Petri net, 20 activities (event types), 39 places, 59 transitions (39 silent)',
        'ProcessModel: BPMN diagram, 20 activities (event types), 54 gateways'),
}


@pytest.fixture(scope="module")
def samples():
    return {name: pw.datasets.load_sample(name) for name in pw.datasets.list_samples()}


@pytest.mark.parametrize("key", list(BEFORE), ids=["-".join(map(str, k)) for k in BEFORE])
def test_the_sample_logs_give_the_models_of_before(samples, key):
    name, level, noise = key
    tree_text, net_facts, bpmn_facts = BEFORE[key]
    log = samples[name]
    tree, _ = _quiet(pw.discover_process_tree, log, level=level, noise=noise)
    assert tree.parameters["source"] == "variants" and tree.source.startswith("top ")
    assert str(tree.to_pm4py()) == tree_text
    if noise == 0.2:  # the defaults: each public function on its own
        net, _ = _quiet(pw.discover_petri_net, log, level=level)
        bpmn, _ = _quiet(pw.discover_bpmn, log, level=level)
    else:
        net, bpmn = tree.to_petri_net(), tree.to_bpmn()
    assert repr(net).split(";")[0] == net_facts
    assert repr(bpmn).split(";")[0] == bpmn_facts
    assert net.source == bpmn.source == tree.source


def test_the_sample_logs_are_short_and_few(samples):
    # the reason auto keeps the variants on them: at most 1,000 variants, averaging at most 50 events
    for log in samples.values():
        v = discovery.variant_table(log, "activity")
        assert discovery.choose_input(len(log), v) == ""


# --- pm4py silenced in its own thread only, on the path long cases now take ------------------------------------
def test_another_thread_printing_during_a_dfg_discovery_is_heard(long_log, capfd, monkeypatch):
    import threading

    from pm4py.objects.process_tree.utils import generic

    from pathways.models import _pm4py

    real_fold, ran = generic.fold, []

    def fold(tree):  # called by pm4py's inductive miner on the DFG, inside pathways' quiet block
        t = threading.Thread(target=print, args=("a line from another thread",))
        t.start()
        t.join()
        _pm4py._print("a line from pm4py itself")
        ran.append(True)
        return real_fold(tree)

    monkeypatch.setattr(generic, "fold", fold)
    model, _ = _quiet(pw.discover_process_tree, long_log)
    out, err = capfd.readouterr()
    assert model.parameters["source"] == "dfg" and ran
    assert "a line from another thread\n" in out
    assert "a line from pm4py itself" not in out + err
