"""Determinism, options, defects, writers and the command line of the synthetic generator."""

from __future__ import annotations

import hashlib
import io

import numpy as np
import pandas as pd
import pytest

import pathways as pw
from pathways.errors import OptionError
from pathways.synthetic import DEFECT_KINDS, generate, write
from pathways.synthetic.command import parse_defects, register, run
from pathways.synthetic.defects import REJECTED
from pathways.rejections import exploded

CANONICAL = ["case_id", "activity", "timestamp", "end_timestamp", "unit", "resource", "referral_to",
             "age", "sex", "municipality", "cluster", "birth_date", "acute"]
ALL = parse_defects("all")


def _digest(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def test_same_seed_same_bytes_other_seed_other_log(tmp_path):
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    generate(300, seed=4, defects=ALL).to_parquet(a)
    generate(300, seed=4, defects=ALL).to_parquet(b)
    assert _digest(a) == _digest(b)
    generate(300, seed=4, defects=ALL).to_csv(a.with_suffix(".csv"), dialect="danish")
    generate(300, seed=4, defects=ALL).to_csv(b.with_suffix(".csv"), dialect="danish")
    assert _digest(a.with_suffix(".csv")) == _digest(b.with_suffix(".csv"))
    assert not generate(300, seed=5).events.equals(generate(300, seed=4).events)


def test_streamed_file_equals_generate_across_chunks(tmp_path, monkeypatch):
    from pathways.synthetic import core

    monkeypatch.setattr(core, "CHUNK_PATIENTS", 100)  # 3 chunks
    syn = generate(250, seed=9, defects={"duplicate": 4, "missing_case": 3})
    out = tmp_path / "log.parquet"
    info = write(out, 250, seed=9, defects={"duplicate": 4, "missing_case": 3})
    back = pd.read_parquet(out)
    assert info["n_events"] == len(syn.events) == len(back)
    pd.testing.assert_frame_equal(back, syn.events, check_dtype=False)
    assert syn.events["case_id"].nunique() == 250
    assert syn.events["case_id"].dropna().is_monotonic_increasing
    # defect rows are global row numbers over all chunks
    d = syn.truth.defects
    assert sorted(d["kind"].value_counts().items()) == [("duplicate", 4), ("missing_case", 3)]
    assert syn.events.loc[d.loc[d["kind"] == "missing_case", "row"], "case_id"].isna().all()


def test_events_are_canonical_and_calendar_clean():
    ev = generate(800, seed=2).events
    assert list(ev.columns) == CANONICAL
    assert str(ev["timestamp"].dtype).startswith("datetime64")
    ts = ev["timestamp"]
    assert ((ts.dt.hour == 0) & (ts.dt.minute == 0)).sum() == 0  # date-only is a defect, not normal
    dst = ts.dt.hour.eq(2) & ts.dt.month.isin([3, 10]) & ts.dt.day_of_week.eq(6) & ts.dt.day.ge(25)
    assert not dst.any()  # no naive time that does not exist or exists twice in Copenhagen
    assert not ev.duplicated(["case_id", "timestamp"]).any()
    assert ev.groupby("case_id")["timestamp"].apply(lambda s: s.is_monotonic_increasing).all()
    adm = ev["activity"] == "Indlæggelse"
    assert ev.loc[adm, "acute"].notna().all() and ev.loc[~adm, "acute"].isna().all()
    assert ev.loc[ev["activity"] == "Henvisning", "referral_to"].notna().all()
    assert ev.loc[ev["activity"] != "Henvisning", "referral_to"].isna().all()
    assert ts.min() >= pd.Timestamp("2021-01-01") and ts.max() <= pd.Timestamp("2023-12-31 23:59")
    # age is the age on the day of the event
    row = ev.iloc[123]
    b, t = row["birth_date"], row["timestamp"]
    assert row["age"] == t.year - b.year - ((t.month, t.day) < (b.month, b.day))
    # working hours for planned contacts, Friday discharges from the bed-blocking scenario
    visits = ev[ev["activity"] == "Ambulant besøg"]
    assert visits["timestamp"].dt.day_of_week.lt(5).all()
    assert visits["timestamp"].dt.hour.between(8, 15).all()


def test_defects_are_exactly_those_requested():
    req = {"identical_timestamp": 4, "date_only": 3, "missing_unit": 2, "unknown_unit": 2, "duplicate": 3,
           "case_named_na": 1, "missing_case": 2, "missing_activity": 1, "missing_timestamp": 2,
           "unparseable_timestamp": 3, "end_before_start": 2}
    clean = generate(500, seed=6)
    syn = generate(500, seed=6, defects=req)
    d, ev = syn.truth.defects, syn.events
    counts = d.groupby("kind").size().to_dict()
    na_rows = counts.pop("case_named_na")
    assert counts == {k: v for k, v in req.items() if k != "case_named_na"}
    inserted = sum(req[k] for k in REJECTED) + req["duplicate"]
    assert len(ev) == len(clean.events) + inserted
    assert d["row"].is_unique
    rows = lambda kind: d.loc[d["kind"] == kind, "row"].to_numpy()
    assert ev.loc[rows("missing_case"), "case_id"].isna().all()
    assert ev.loc[rows("missing_activity"), "activity"].isna().all()
    assert ev.loc[np.r_[rows("missing_timestamp"), rows("unparseable_timestamp")], "timestamp"].isna().all()
    assert set(syn.raw_timestamps) == set(rows("unparseable_timestamp"))
    e = ev.loc[rows("end_before_start")]
    assert (e["end_timestamp"] < e["timestamp"]).all()
    assert ev.loc[rows("missing_unit"), "unit"].isna().all()
    assert not ev.loc[rows("unknown_unit"), "unit"].isin(syn.truth.units["unit"]).any()
    assert (ev.loc[rows("date_only"), "timestamp"].dt.strftime("%H:%M") == "00:00").all()
    r = rows("identical_timestamp")
    assert (ev.loc[r, "timestamp"].to_numpy() == ev.loc[r - 1, "timestamp"].to_numpy()).all()
    r = rows("duplicate")
    assert ev.loc[r].reset_index(drop=True).equals(ev.loc[r - 1].reset_index(drop=True))
    assert (ev["case_id"] == "NA").sum() == na_rows >= 1
    # without the inserted rows and outside the edited rows, the log is the clean one
    inserted_rows = np.sort(d.loc[d["rejected"] | (d["kind"] == "duplicate"), "row"].to_numpy())
    kept = ev.drop(index=inserted_rows).reset_index(drop=True)
    edited = d.loc[~d["rejected"] & (d["kind"] != "duplicate"), "row"].to_numpy()
    edited = edited - np.searchsorted(inserted_rows, edited)
    assert len(kept) == len(clean.events)
    same = kept.drop(index=edited).drop(columns="case_id")
    pd.testing.assert_frame_equal(same, clean.events.drop(index=edited).drop(columns="case_id"))


def test_kept_defects_leave_the_truth_unchanged():
    req = {k: 3 for k in DEFECT_KINDS if k != "case_named_na"}
    clean = generate(600, seed=8).truth
    dirty = generate(600, seed=8, defects=req).truth
    for name in ("loops", "bounces", "handovers", "waits", "readmissions", "age_transitions"):
        pd.testing.assert_frame_equal(clean.tables[name], dirty.tables[name])


def test_dirty_danish_csv_rejections_match_injected_defects(tmp_path):
    syn = generate(400, seed=3, defects=ALL)
    path = tmp_path / "udtraek.csv"
    syn.to_csv(path, dialect="danish")
    head = path.read_text(encoding="utf-8").splitlines()[:2]
    assert head[0].startswith("cpr_pseudo;hændelse;tidspunkt;sluttidspunkt;afsnit")
    assert head[1].count(";") == 12 and "-20" in head[1]  # dd-mm-yyyy
    log = pw.read_csv(path, case="cpr_pseudo", activity="hændelse", timestamp="tidspunkt",
                      end_timestamp="sluttidspunkt", unit="afsnit", dayfirst=True)
    d = syn.truth.defects
    assert len(log) + len(log.rejected) == len(syn.events)
    assert sorted(log.rejected["row"]) == sorted(d.loc[d["rejected"], "row"])
    problem_of = {"missing_case": "cpr_pseudo", "missing_activity": "hændelse",
                  "missing_timestamp": "tidspunkt", "unparseable_timestamp": "tidspunkt",
                  "end_before_start": "sluttidspunkt"}
    got = dict(zip(log.rejected["row"], exploded(log.rejected)["column"]))
    assert all(got[r] == problem_of[k] for r, k in zip(d["row"], d["kind"]) if k in problem_of)
    assert log.to_pandas()["case_id"].eq("NA").sum() == (d["kind"] == "case_named_na").sum()


def test_options_are_checked():
    with pytest.raises(OptionError, match="pain_clinic_loop"):
        generate(10, seed=1, scenarios=["pain_clinic_lop"])
    with pytest.raises(OptionError, match="duplicate"):
        generate(10, seed=1, defects={"duplicates": 2})
    with pytest.raises(OptionError, match="at most 1"):
        generate(10, seed=1, defects={"case_named_na": 2})
    with pytest.raises(OptionError, match="30 days"):
        generate(10, seed=1, start="2023-01-01", end="2023-01-10")
    with pytest.raises(OptionError, match="n_patients"):
        generate(0, seed=1)


def test_scenario_weights_and_period():
    syn = generate(300, seed=1, scenarios={"good_copd": 1, "bed_blocking": 3}, start="2019-01-01",
                   end="2020-12-31", combine=0)
    share = syn.truth.cases["scenarios"].value_counts(normalize=True)
    assert set(share.index) == {"good_copd", "bed_blocking"}
    assert share["bed_blocking"] == pytest.approx(0.75, abs=0.08)
    assert syn.events["timestamp"].between("2019-01-01", "2020-12-31 23:59").all()


def test_command_line_writes_csv_and_truth(tmp_path, capsys):
    import argparse

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    out, truth = tmp_path / "x.csv", tmp_path / "truth.json"
    args = parser.parse_args(["generate", "--patients", "120", "--seed", "2", "-o", str(out),
                              "--dialect", "danish", "--defects", "duplicate=2,missing_case",
                              "--truth", str(truth)])
    assert args.func(args) == 0
    assert "120 patients" in capsys.readouterr().out
    from pathways.synthetic import Truth

    t = Truth.from_json(truth)
    assert t.defects["kind"].value_counts().to_dict() == {"missing_case": 5, "duplicate": 2}
    assert len(t.cases) == 120 and str(t.loops["start"].dtype).startswith("datetime64")
    text = out.read_text(encoding="utf-8")
    assert text.startswith("cpr_pseudo;") and len(text.splitlines()) - 1 == \
        len(generate(120, seed=2, defects={"duplicate": 2, "missing_case": 5}).events)
    with pytest.raises(OptionError, match=".parquet or .csv"):
        run(tmp_path / "x.txt", patients=5, seed=1)


def test_generate_writes_whole_files_into_folders_that_exist(tmp_path, capsys, monkeypatch):
    """`pathways generate` wrote straight to -o and created nothing checked: a failed run left half a file, and a
    missing folder was a bare [Errno 2] (exit 2 without a fix)."""
    from pathways.cli import main

    missing = tmp_path / "nye" / "x.csv"
    assert main(["generate", "--patients", "5", "--seed", "1", "-o", str(missing)]) == 2
    assert "--make-dirs" in capsys.readouterr().err and not missing.parent.exists()
    assert main(["generate", "--patients", "5", "--seed", "1", "-o", str(missing), "--make-dirs",
                 "--truth", str(tmp_path / "t" / "truth.json")]) == 0
    assert missing.is_file() and (tmp_path / "t" / "truth.json").is_file()

    old = tmp_path / "old.parquet"
    old.write_bytes(b"the old file")

    def broken(*args, **kwargs):
        yield from ()
        raise RuntimeError("generation failed half way")

    monkeypatch.setattr("pathways.synthetic.core.iter_chunks", broken)
    with pytest.raises(RuntimeError):
        write(old, 5, seed=1)
    assert old.read_bytes() == b"the old file" and sorted(p.name for p in tmp_path.iterdir()) == \
        ["nye", "old.parquet", "t"]


def test_progress_bar_only_on_a_terminal():
    from pathways.synthetic.command import _Progress

    buf = io.StringIO()
    _Progress(buf)(5, 10)
    assert buf.getvalue() == ""

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    _Progress(tty)(10, 10)
    assert "10/10 patients" in tty.getvalue()
