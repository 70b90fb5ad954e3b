"""Circular referrals, circular routes and repeats (DOMAIN.md 4), with the answers worked out by hand."""

import numpy as np
import pandas as pd
import pytest

import pathways as pw
from pathways.errors import OptionError

SK, PP, GP, MA = "Smerteklinik", "Privatpraktiserende psykiater", "Egen læge", "Medicinsk afdeling"
HP, DP, PVK, VL = "Hjemmepleje", "Distriktspsykiatri", "Psykiatrisk Visitationsklinik", "Vagtlæge"
VISIT = "Ambulant besøg"


def make_log(rows, referral_to=False):
    """rows: (case, activity, time, end or None, unit or None[, referral target]); naive = Copenhagen time."""
    cols = ["pt", "what", "when", "end", "afsnit"] + (["til"] if referral_to else [])
    df = pd.DataFrame(rows, columns=cols)
    return pw.from_pandas(df, case="pt", activity="what", timestamp="when", end_timestamp="end", unit="afsnit",
                          referral_to="til" if referral_to else None)


def ts(text):
    return pd.Timestamp(text, tz="Europe/Copenhagen")


def daily(case, units, start="2023-01-02", activity=VISIT):
    """One event a day (10:00) in each unit."""
    days = pd.date_range(f"{start} 10:00", periods=len(units), freq="D")
    return [(case, activity, str(d), None, u) for d, u in zip(days, units)]


# a far-away event so that no episode below has its follow-up cut by the end of the data
LATE = [("Z", VISIT, "2026-01-01 10:00", None, GP)]


def loops_of(rows, **kw):
    return pw.circular_referrals(make_log(rows + LATE), **kw).set_index("case_id")


def test_window_edge_is_included_and_one_second_over_is_not_and_end_timestamp_counts():
    rows = [
        # W1: leave SK Jan 10 12:00 CET, back Jul 9 13:00 CEST = exactly 180 days (DST in between): a loop
        ("W1", VISIT, "2023-01-10 12:00", None, SK), ("W1", VISIT, "2023-02-01 10:00", None, PP),
        ("W1", VISIT, "2023-07-09 13:00", None, SK),
        # W2: one second later: no loop
        ("W2", VISIT, "2023-01-10 12:00", None, SK), ("W2", VISIT, "2023-02-01 10:00", None, PP),
        ("W2", VISIT, "2023-07-09 13:00:01", None, SK),
        # W3: the first SK stay ends Feb 1 12:00 (end timestamp): back Jul 31 13:00 is 180 days after
        # the departure (210 after the start): a loop only because departure is the end timestamp
        ("W3", "Indlæggelse", "2023-01-02 12:00", "2023-02-01 12:00", SK), ("W3", VISIT, "2023-03-01 10:00", None, PP),
        ("W3", VISIT, "2023-07-31 13:00", None, SK),
    ]
    loops = loops_of(rows)
    assert sorted(loops.index) == ["W1", "W3"]
    assert loops.loc["W1", "units"] == f"{SK} → {PP} → {SK}"
    assert loops.loc["W1", "unit_tuple"] == (SK, PP, SK)
    # start = arrival at the first step, end = departure from the last return (no end timestamp: its time)
    assert loops.loc["W1", "start"] == ts("2023-01-10 12:00") and loops.loc["W1", "end"] == ts("2023-07-09 13:00")
    assert loops.loc["W1", "duration_days"] == pytest.approx(180.0, abs=1e-9)
    assert loops.loc["W3", "start"] == ts("2023-01-02 12:00")
    # a shorter window keeps neither
    assert len(pw.circular_referrals(make_log(rows), within="179D")) == 0


def test_at_most_four_units_between():
    rows = (daily("M4", [SK, GP, MA, HP, DP, SK])            # 4 between: a loop of length 5
            + daily("M5", [SK, GP, MA, HP, DP, PP, SK]))     # 5 between: not a loop
    loops = loops_of(rows)
    assert list(loops.index) == ["M4"]
    m4 = loops.loc["M4"]
    assert (m4.cycle_length, m4.n_returns, m4.n_units, m4.kind) == (5, 1, 5, "indirect")
    assert (m4.first_step, m4.last_step) == (0, 5)
    assert list(loops_of(rows, max_between=5).index) == ["M4", "M5"]
    # an immediate repeat is collapsed, never a loop
    assert len(loops_of(daily("R", [SK, SK, SK, PP]))) == 0


def test_overlapping_returns_merge_into_one_episode():
    rows = (daily("O", [SK, PP, SK, PP, SK])                 # returns at steps 2, 3, 4: one episode
            + daily("T", [SK, PP, SK, GP, MA, HP, MA])       # [0,2] and [4,6] share no step: two episodes
            + daily("I", [SK, PP, GP, SK, PP])               # SK at 3 (from 0), PP at 4 (from 1): indirect
            + daily("C", [SK, PP, SK, GP, SK])               # [0,2] and [2,4] touch at step 2: one episode
            + daily("N", [SK, GP, HP, GP, SK]))              # [1,3] nested in [0,4]: one episode
    loops = pw.circular_referrals(make_log(rows + LATE))
    by_case = loops.groupby("case_id")
    assert by_case.size().to_dict() == {"C": 1, "I": 1, "N": 1, "O": 1, "T": 2}
    n = loops[loops.case_id == "N"].iloc[0]
    assert (n.n_returns, n.cycle_length, n.n_units, n.kind) == (2, 4, 3, "indirect")
    assert n.unit_tuple == (SK, GP, HP, GP, SK)
    o = loops[loops.case_id == "O"].iloc[0]
    assert (o.n_returns, o.cycle_length, o.n_units, o.kind) == (3, 2, 2, "ping-pong")
    assert o.units == " → ".join([SK, PP, SK, PP, SK])
    assert o.duration_days == pytest.approx(4.0)
    t = loops[loops.case_id == "T"]
    assert list(t.episode) == [1, 2] and list(t.units) == [f"{SK} → {PP} → {SK}", f"{MA} → {HP} → {MA}"]
    assert list(t.first_step) == [0, 4] and list(t.n_returns) == [1, 1]
    i = loops[loops.case_id == "I"].iloc[0]
    assert (i.n_returns, i.cycle_length, i.n_units, i.kind) == (2, 3, 3, "indirect")
    c = loops[loops.case_id == "C"].iloc[0]
    assert (c.n_returns, c.cycle_length, c.n_units, c.kind, c.last_step) == (2, 2, 3, "ping-pong", 4)


def test_gave_up():
    rows = [
        # G1: the loop, then silence: gave up
        *daily("G1", [SK, PP, SK]),
        # G2: the loop, then a closure in the last step: ended, not gave up
        *daily("G2", [SK, PP, SK]), ("G2", "Afslutning", "2023-01-04 15:00", None, SK),
        # G3: an event exactly 90 days after the end (Jan 4 10:00 + 90 d, DST-free): not gave up
        *daily("G3", [SK, PP, SK]), ("G3", "Lægekonsultation", "2023-04-04 11:00", None, None),
        # G4: 90 days and one second: gave up
        *daily("G4", [SK, PP, SK]), ("G4", "Lægekonsultation", "2023-04-04 11:00:01", None, None),
        # G5: a treatment started before the patient was sent round again does not end the episode
        ("G5", "Behandling start", "2023-01-01 10:00", None, SK), *daily("G5", [SK, PP, SK]),
        # G6: the last stay ends Jan 14 (end timestamp): an event 95 days after the arrival is 85 after the end
        *daily("G6", [SK, PP]), ("G6", "Indlæggelse", "2023-01-04 10:00", "2023-01-14 10:00", SK),
        ("G6", VISIT, "2023-04-09 11:00", None, GP),
    ]
    loops = loops_of(rows)
    assert loops.gave_up.to_dict() == {"G1": True, "G2": False, "G3": False, "G4": True, "G5": True, "G6": False}
    assert loops.loc["G6", "end"] == ts("2023-01-14 10:00")
    assert not loops.followup_censored.any()
    # without the far-away event the data ends at G6's visit (Apr 9): only G6's follow-up (to Apr 14)
    # reaches past it; the others end Jan 4, + 90 days = Apr 4
    censored = pw.circular_referrals(make_log(rows)).set_index("case_id").followup_censored
    assert censored.to_dict() == {"G1": False, "G2": False, "G3": False, "G4": False, "G5": False, "G6": True}
    assert not loops_of(rows, quiet_for="100D").loc["G4", "gave_up"]


def test_referral_path_and_repeats_are_not_loops():
    rows = [
        # all events: GP -> SK -> GP is a loop; on the referral path the visit at SK is not there
        ("A", "Henvisning", "2023-01-02", None, GP, SK), ("A", VISIT, "2023-01-09", None, SK, None),
        ("A", "Henvisning", "2023-01-20", None, GP, SK),
        # B: the same referral three times, nothing in between: a repeat, never a loop
        ("B", "Henvisning", "2023-01-02", None, GP, PVK), ("B", "Henvisning", "2023-01-09", None, GP, PVK),
        ("B", "Henvisning", "2023-01-16", None, GP, PVK),
        # C: referral, receipt, back to the GP, receipt again: a ping-pong on the referral path
        ("C", "Henvisning", "2023-01-02", None, GP, PVK), ("C", "Henvisning modtaget", "2023-01-03", None, PVK, None),
        ("C", "Henvisning", "2023-01-20", None, GP, PVK), ("C", "Henvisning modtaget", "2023-01-21", None, PVK, None),
    ]
    log = make_log(rows, referral_to=True)
    assert sorted(pw.circular_referrals(log).case_id) == ["A", "C"]
    assert list(pw.circular_referrals(log, on="referrals").case_id) == ["C"]
    rep = pw.repeats(log).set_index("case_id")
    # B is a repeat; so is A, whose visit between the referrals is not a referral-type event
    assert list(rep.index) == ["A", "B"]
    assert tuple(rep.loc["B", ["target", "unit", "n_events", "n_repeats"]]) == (PVK, GP, 3, 2)
    assert rep.loc["B", "span_days"] == pytest.approx(14.0)


def test_repeats_runs_and_targets():
    rows = [
        ("A", "Henvisning", "2023-01-05", None, GP, PVK),
        ("A", "Afslag", "2023-01-20", None, PVK, None),                # not a referral type: ignored
        ("A", "Henvisning", "2023-02-01", None, GP, PVK),             # repeat (run 1: 2 events)
        ("A", "Henvisning modtaget", "2023-02-03", None, PVK, None),  # another type: breaks the run
        ("A", "Henvisning", "2023-03-01", None, GP, PVK),
        ("A", "Henvisning", "2023-03-02", None, VL, PVK),             # same target, other sender: repeat
        ("A", "Henvisning", "2023-03-03", None, GP, PVK),             # run 2: 3 events
        ("A", "Henvisning", "2023-03-04", None, GP, DP),              # another target
        # B: no referral_to on the events: the target is the unit (the same GP referring again)
        ("B", "Henvisning", "2023-01-05", None, GP, None), ("B", "Henvisning", "2023-01-06", None, GP, None),
        ("B", "Henvisning modtaget", "2023-01-08", None, PVK, None),
        ("B", "Henvisning modtaget", "2023-01-09", None, PVK, None),  # received twice: a repeat at PVK
    ]
    rep = pw.repeats(make_log(rows, referral_to=True))
    assert list(zip(rep.case_id, rep.event_type, rep.target, rep.unit, rep.n_events)) == [
        ("A", "referral", PVK, GP, 2), ("A", "referral", PVK, GP, 3),
        ("B", "referral", GP, GP, 2), ("B", "referral_received", PVK, PVK, 2)]
    assert rep.first_at[1] == ts("2023-03-01") and rep.last_at[1] == ts("2023-03-03")
    assert list(rep.n_repeats) == [1, 2, 1, 1]


def test_circular_routes_rank_cycles_across_patients():
    rows = (daily("R1", [SK, PP, SK])              # SK → PP → SK, 2 days from leaving SK to coming back
            + daily("R2", [SK, PP, SK, PP], start="2023-02-01")  # SK → PP → SK and PP → SK → PP
            + [("R3", VISIT, "2023-03-01 10:00", None, MA), ("R3", VISIT, "2023-03-02 10:00", None, SK),
               ("R3", VISIT, "2023-03-03 10:00", None, DP), ("R3", VISIT, "2023-03-11 10:00", None, MA)])
    r = pw.circular_routes(make_log(rows))
    assert list(r.units) == [f"{SK} → {PP} → {SK}", f"{MA} → {SK} → {DP} → {MA}", f"{PP} → {SK} → {PP}"]
    assert list(r.n_returns) == [2, 1, 1] and list(r.n_cases) == [2, 1, 1]
    assert list(r.returned_to) == [SK, MA, PP]
    assert list(r.cycle_length) == [2, 3, 2] and list(r.kind) == ["ping-pong", "indirect", "ping-pong"]
    np.testing.assert_allclose(r.median_duration_days, [2.0, 10.0, 2.0])
    assert r.unit_tuple[1] == (MA, SK, DP, MA)


def test_bad_options_missing_unit_and_empty_log():
    log = make_log(daily("A", [SK, PP, SK]))
    for bad in (0, "4", True, 2.5):
        with pytest.raises(OptionError, match="max_between"):
            pw.circular_referrals(log, max_between=bad)
    with pytest.raises(OptionError, match="within"):
        pw.circular_routes(log, within="half a year")
    with pytest.raises(OptionError, match="quiet_for"):
        pw.circular_referrals(log, quiet_for="-1D")
    with pytest.raises(OptionError, match="Did you mean 'referrals'"):
        pw.circular_referrals(log, on="referral")
    df = pd.DataFrame({"pt": ["A"], "what": ["Henvisning"], "when": ["2023-01-02"]})
    no_unit = pw.from_pandas(df, case="pt", activity="what", timestamp="when")
    for f in (pw.circular_referrals, pw.circular_routes, pw.repeats):
        with pytest.raises(OptionError, match="unit"):
            f(no_unit)
    empty = make_log([])
    loops, routes, rep = pw.circular_referrals(empty), pw.circular_routes(empty), pw.repeats(empty)
    assert (len(loops), len(routes), len(rep)) == (0, 0, 0)
    assert loops.gave_up.dtype == "bool" and loops.n_returns.dtype == "int64"
    assert list(routes.columns) == ["units", "unit_tuple", "returned_to", "cycle_length", "kind", "n_returns",
                                    "n_cases", "median_duration_days"]
    assert "n_repeats" in rep.columns


def test_gave_up_is_judged_at_as_of():
    # A: Smerteklinik -> psykiater -> Smerteklinik -> psykiater (end: 1 March), then seen by the GP on 15 April,
    # inside the 90 quiet days; B's one event makes the log end on 1 January 2024
    rows = [("A", VISIT, "2023-01-05 10:00", None, SK), ("A", VISIT, "2023-01-20 10:00", None, PP),
            ("A", VISIT, "2023-02-10 10:00", None, SK), ("A", VISIT, "2023-03-01 10:00", None, PP),
            ("A", VISIT, "2023-04-15 10:00", None, GP), ("B", VISIT, "2024-01-01 10:00", None, GP)]
    log = make_log(rows)
    latest = pw.circular_referrals(log)  # judged at the last event of the log, as before as_of existed
    assert latest[["gave_up", "followup_censored"]].values.tolist() == [[False, False]]
    assert latest.attrs["parameters"]["as_of"] == "2024-01-01 10:00:00+01:00"
    # on 1 April the GP visit had not happened yet: the patient looks gone, but the 90 days were not over
    april = pw.circular_referrals(log, as_of="2023-04-01")
    assert april[["gave_up", "followup_censored"]].values.tolist() == [[True, True]]
    assert april.attrs["parameters"]["as_of"] == "2023-04-01 00:00:00+02:00"
    # on 1 June (1 March + 90 days = 30 May is past) the visit is seen: followed up, not censored
    june = pw.circular_referrals(log, as_of="2023-06-01")
    assert june[["gave_up", "followup_censored"]].values.tolist() == [[False, False]]
    with pytest.raises(OptionError, match="as_of"):
        pw.circular_referrals(log, as_of="soon")
