"""Discovery bounded like the maps (issue 19, item 7): an activity budget with what was left out said, a time
estimate before a long run, and pm4py silenced without touching the process's stdout."""

import threading
import warnings

import numpy as np
import pandas as pd
import pytest

import pathways as pw
from pathways.errors import OptionError
from pathways.models import _pm4py, discovery

# --- a generated log with 300 activities ----------------------------------------------------------------------
# Every case is Henvisning -> one middle activity -> Udskrivning. The 298 middle activities are "M000".."M297";
# the middle activity of position k (0..297) is named M{297 - k} and is the middle of 30 - k // 10 cases:
# positions 0-9 (M297..M288) 30 cases each, positions 10-19 (M287..M278) 29 cases each, ..., positions 290-297
# (M007..M000) 1 case each. Cases: 10 * (30 + 29 + ... + 2) + 8 = 4,648; events: 3 * 4,648 = 13,944.
# With max_activities=20: Henvisning and Udskrivning (4,648 cases each), the ten with 30 cases, and 8 of the
# ten with 29 cases - a tie, broken by name: M278..M285 are kept, M286 and M287 left out.
# Events kept: 2 * 4,648 + 10 * 30 + 8 * 29 = 9,828; left out 13,944 - 9,828 = 4,116 = 29.5 % of the events.
N_MIDDLE = 298


def _frame() -> pd.DataFrame:
    k = np.arange(N_MIDDLE)
    middle = np.repeat(np.char.add("M", np.char.zfill((N_MIDDLE - 1 - k).astype(str), 3)), 30 - k // 10)
    n = len(middle)
    acts = np.column_stack([np.full(n, "Henvisning"), middle, np.full(n, "Udskrivning")]).ravel()
    return pd.DataFrame({"pt": np.repeat(np.char.add("p", np.arange(n).astype(str)), 3), "act": acts,
                         "ts": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.tile([0, 1, 2], n), unit="D")})


@pytest.fixture(scope="module")
def frame():
    return _frame()


@pytest.fixture(scope="module")
def wide(frame):
    return pw.from_pandas(frame, case="pt", activity="act", timestamp="ts")


def _discover(fn, log, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = fn(log, **kw)
    return model, [w for w in caught if issubclass(w.category, pw.PathwaysWarning)]


NOTE = "showing 20 of 300 activities (the 280 rarest, 29.5 % of events, left out)"


def test_the_budget_keeps_the_activities_in_most_cases(frame, wide):
    assert frame["act"].nunique() == 300 and len(frame) == 13_944
    by_cases = frame.groupby("act")["pt"].nunique().rename("n_cases").reset_index()
    expected = by_cases.sort_values(["n_cases", "act"], ascending=[False, True]).head(20)["act"]
    kept_by_hand = {"Henvisning", "Udskrivning", *(f"M{i}" for i in range(288, 298)),
                    *(f"M{i}" for i in range(278, 286))}
    assert set(expected) == kept_by_hand

    tree, said = _discover(pw.discover_process_tree, wide, max_activities=20)
    assert tree.activities == tuple(sorted(kept_by_hand))
    assert tree.note == NOTE
    assert tree.parameters["max_activities"] == 20
    # the cases are those with a kept activity (all of them: every case has Henvisning); three variants are
    # a middle of 30 cases (10), of 29 (8), or none kept (4,648 - 300 - 232 = 4,116 cases: Henvisning, Udskrivning)
    assert tree.source == "top 19 of 19 variants covering 100.0 % of cases (4,648 of 4,648 cases)"
    left = tree.left_out
    assert list(left.columns) == ["activity", "n_cases", "n_events"] and len(left) == 280
    assert left["activity"].iloc[:3].tolist() == ["M286", "M287", "M268"]  # 29 cases (by name), then 28
    assert left["n_cases"].iloc[:3].tolist() == [29, 29, 28]
    assert int(left["n_events"].sum()) == 4_116
    assert len(said) == 1 and str(said[0].message).startswith(NOTE + ". ")
    assert "max_activities=None" in str(said[0].message)
    assert said[0].filename == __file__  # pointed at the caller's line

    # said in the repr, the HTML repr and the drawing's legend, and kept by the conversions
    assert repr(tree).endswith("; " + NOTE) and NOTE in tree._repr_html_()
    for model in (tree, tree.to_petri_net(), tree.to_bpmn()):
        assert model.note == NOTE and len(model.left_out) == 280
        assert NOTE in pw.model_map(model).dot


def test_every_discovery_function_is_bounded(wide):
    for fn, kw in [(pw.discover_petri_net, {}), (pw.discover_petri_net, {"algorithm": "heuristics"}),
                   (pw.discover_bpmn, {}), (pw.discover_process_tree, {"on": "dfg"})]:
        model, said = _discover(fn, wide, max_activities=20, **kw)
        assert len(model.activities) == 20 and model.note == NOTE, (fn, kw)
        assert len(said) == 1
    by_type, said = _discover(pw.discover_process_tree, wide, max_activities=1, level="event_type")
    # every activity here is of event type "unknown" except Henvisning (referral) and Udskrivning (discharge)
    assert by_type.note.startswith("showing 1 of 3 event types (the 2 rarest, ")
    assert list(by_type.left_out.columns) == ["event_type", "n_cases", "n_events"]


def test_without_a_budget_every_activity_is_in(wide):
    tree, said = _discover(pw.discover_process_tree, wide, max_activities=None)
    assert len(tree.activities) == 300 and tree.note == "" and tree.left_out.empty
    assert tree.parameters["max_activities"] is None
    # nothing left out, so no word of it; but the estimate for 300 activities is long, and said (this easy
    # shape, one choice among 298 steps, runs faster than the estimate: it is fitted to harder ones)
    # 2.2e-6 * 300**2.69 * 298**0.37 = 83.4 s
    assert len(said) == 1 and str(said[0].message).startswith("this discovery may take about 83 s (estimated for "
                                                              "pm4py's inductive miner on 300 activities and 298 ")
    default, said = _discover(pw.discover_process_tree, wide)
    # the default budget, 50: Henvisning, Udskrivning and 48 middles, of 30 (10), 29 (10), 28 (10), 27 (10) and
    # 26 (8 of 10) cases: kept 2 * 4,648 + 300 + 290 + 280 + 270 + 208 = 10,644 events, left out 3,300 = 23.7 %
    assert len(default.activities) == discovery.MAX_ACTIVITIES == 50
    assert default.note == "showing 50 of 300 activities (the 250 rarest, 23.7 % of events, left out)"
    assert int(default.left_out["n_events"].sum()) == 3_300 and len(said) == 1


def test_a_log_within_the_budget_is_unchanged(wide):
    few = pw.filter_activities(wide, ["Henvisning", "M297", "Udskrivning"])
    tree, said = _discover(pw.discover_process_tree, few, max_activities=3)
    assert said == [] and tree.note == "" and tree.left_out.empty
    assert repr(tree) == ("ProcessModel: process tree, 3 activities; top 2 of 2 variants covering 100.0 % of "
                          "cases (4,648 of 4,648 cases)")


def test_the_budget_is_checked(wide):
    for bad in (0, -3, 2.5, True, "20"):
        with pytest.raises(OptionError, match="max_activities=.* is not allowed; give a whole number"):
            pw.discover_process_tree(wide, max_activities=bad)


# --- the time estimate ----------------------------------------------------------------------------------------
def test_the_estimate_is_the_documented_fit():
    # 2.2e-6 * 50**2.69 * 1000**0.37 = 1.05 s; 1.0e-4 * 1000**1.44 = 2.09 s
    assert discovery.estimate_seconds(50, 1_000) == pytest.approx(1.054, abs=0.01)
    assert discovery.estimate_seconds(1_000, 5_000, source="dfg") == pytest.approx(2.089, abs=0.01)
    # variants longer than 15 events on average: times sqrt(mean / 15); shorter ones as the fit, the DFG never
    assert discovery.estimate_seconds(50, 1_000, mean_length=60) == pytest.approx(2 * 1.054, abs=0.02)
    assert discovery.estimate_seconds(50, 1_000, mean_length=3) == discovery.estimate_seconds(50, 1_000)
    assert discovery.estimate_seconds(1_000, 5_000, source="dfg", mean_length=130) == pytest.approx(2.089, abs=0.01)
    # the default run stays under the notice: 50 activities, 1,000 variants
    assert discovery.estimate_seconds(discovery.MAX_ACTIVITIES, discovery.MAX_VARIANTS) < discovery.NOTICE_SECONDS


def test_a_notice_before_a_long_run(wide, monkeypatch):
    said_before = []
    real = _pm4py.inductive_on_variants

    def mine(variants, noise):  # records what had been said when pm4py starts
        said_before.append([str(w.message) for w in caught])
        return real(variants, noise)

    monkeypatch.setattr(_pm4py, "inductive_on_variants", mine)
    monkeypatch.setattr(discovery, "NOTICE_SECONDS", 1e-9)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pw.discover_process_tree(wide, max_activities=20)
    # 20 activities, 19 variants: 2.2e-6 * 20**2.69 * 19**0.37 = 0.0224 s, printed as "0 s"
    notice = [m for m in said_before[0] if m.startswith("this discovery may take about ")]
    assert notice == [m for m in (str(w.message) for w in caught) if m.startswith("this discovery")]
    assert len(notice) == 1
    assert "on 20 activities and 19 variants" in notice[0]
    assert "pass max_activities=1 (about 1e-09 s) or fewer" in notice[0] and "noise=" in notice[0]

    monkeypatch.setattr(discovery, "NOTICE_SECONDS", 5.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pw.discover_process_tree(wide, max_activities=20)
    assert not any(str(w.message).startswith("this discovery") for w in caught)


def test_the_notice_names_the_estimate_and_the_budget_that_fits(monkeypatch):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        discovery._notice(200, 1_000, "variants", "activity")
        discovery._notice(200, 1_000, "variants", "activity", 60)
    # 2.2e-6 * 200**2.69 * 1000**0.37 = 43.9 s; fits in 5 s: (5 / (2.2e-6 * 1000**0.37))**(1 / 2.69) = 89.2
    # variants of 60 events: twice as long, sqrt(60 / 15) = 2: 87.8 s; fits (5 / (2 * 2.834e-5))**(1 / 2.69) = 68.9
    assert [str(w.message) for w in caught] == [
        "this discovery may take about 44 s (estimated for pm4py's inductive miner on 200 activities and 1,000 "
        "variants averaging 15 events). To make it faster, pass max_activities=89 (about 5 s) or fewer; a higher "
        "noise= or a smaller max_variants= changes the time less, and not always.",
        "this discovery may take about 88 s (estimated for pm4py's inductive miner on 200 activities and 1,000 "
        "variants averaging 60 events). To make it faster, pass max_activities=68 (about 5 s) or fewer; a higher "
        "noise= or a smaller max_variants= changes the time less, and not always."]


# --- pm4py is silenced in its own thread only ---------------------------------------------------------------
def test_another_thread_printing_during_a_discovery_is_heard(wide, capfd, monkeypatch):
    from pm4py.objects.process_tree.utils import generic

    real_fold = generic.fold
    ran = []

    def fold(tree):  # pm4py's fold, called inside the quiet block while pm4py works
        t = threading.Thread(target=print, args=("a line from another thread",))
        t.start()
        t.join()
        _pm4py._print("a line from pm4py itself")  # what pm4py's own print is inside the block
        ran.append(True)
        return real_fold(tree)

    monkeypatch.setattr(generic, "fold", fold)
    pw.discover_process_tree(wide, max_activities=20)
    out, err = capfd.readouterr()
    assert ran == [True]
    assert "a line from another thread\n" in out  # before: sys.stdout was a StringIO for the whole process
    assert "a line from pm4py itself" not in out + err


def test_a_tree_too_deep_for_python_is_an_option_error():
    # 100 cases: case j follows the first j + 1 steps of one chain S000 -> S001 -> ... -> S099. The tree nests
    # one level per step (each step but the first optional), deeper than pm4py's recursion gets: before, a raw
    # RecursionError; with the default budget (50 steps) the same log is mined (measured: up to 80 steps work).
    lengths = np.arange(1, 101)
    pos = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    df = pd.DataFrame({"pt": np.repeat(np.char.add("p", np.arange(100).astype(str)), lengths),
                       "act": np.char.add("S", np.char.zfill(pos.astype(str), 3)),
                       "ts": pd.Timestamp("2024-01-01") + pd.to_timedelta(pos, unit="h")})
    chain = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    with pytest.raises(OptionError, match=r"nested deeper than Python allows on these 100 activities .*"
                                          r"Pass a smaller max_activities= \(e\.g\. 50, the default\)"):
        pw.discover_process_tree(chain, max_activities=None, noise=0.0)
    with pytest.warns(pw.PathwaysWarning, match="showing 50 of 100 activities"):
        tree = pw.discover_process_tree(chain, noise=0.0)
    assert tree.activities == tuple(f"S{i:03d}" for i in range(50))  # S000 is in 100 cases, S049 in 51
