"""Outputs: never over an input, never into a folder nobody asked for, all or nothing; and every text that
reaches an output (report CSV files, the page, SVG, DOT, the terminal) stays on its line and holds no control
character.

Every writer goes through ``pathways.files.write_atomically``; these tests hold each public writer and each
command of the command line to it.
"""

from __future__ import annotations

import csv
import os
import pathlib
import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import pathways as pw
from pathways import cli
from pathways.files import write_atomically
from pathways.errors import EventLogError, OptionError
from pathways.publish.tables import FORMULA_START
import pathways_fuzz as F  # tests/hardening/_fuzz.py, registered by tests/conftest.py

MAPPING = ["--case", "pt", "--activity", "act", "--timestamp", "ts", "--unit", "unit"]
#: characters that must never reach a page, a picture, a CSV file or a terminal
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def frame(units=("Egen læge", "Psykiatrisk afsnit P1", "Medicinsk afdeling"),
          acts=("Henvisning", "Indlæggelse", "Udskrivning"), n_cases: int = 6) -> pd.DataFrame:
    """``n_cases`` patients, each: act 0 at unit 0, act 1 at unit 1, act 2 at unit 2, act 0 back at unit 0."""
    rows = []
    for c in range(n_cases):
        t = pd.Timestamp("2023-01-02 08:00") + pd.Timedelta(days=c)
        for k, (a, u) in enumerate([(acts[0], units[0]), (acts[1], units[1]), (acts[2], units[2]),
                                    (acts[0], units[0])]):
            rows.append((f"P{c}", a, (t + pd.Timedelta(days=3 * k)).strftime("%Y-%m-%d %H:%M"), u))
    return pd.DataFrame(rows, columns=["pt", "act", "ts", "unit"])


@pytest.fixture
def extract(tmp_path):
    path = tmp_path / "udtraek.csv"
    frame().to_csv(path, index=False)
    return path


def csv_log(path):
    return pw.read_csv(path, case="pt", activity="act", timestamp="ts", unit="unit")


# --------------------------------------------------------------------------- never over an input
@pytest.mark.parametrize("how", ["same path", "hard link", "symbolic link", "config", "init-config"])
def test_the_command_line_never_writes_over_its_input(extract, tmp_path, capsys, how):
    config = tmp_path / "udtraek.pathways.yaml"
    config.write_text("columns:\n  case: pt\n  activity: act\n  timestamp: ts\n  unit: unit\n", encoding="utf-8")
    before, config_before = extract.read_bytes(), config.read_bytes()
    if how == "same path":
        args = ["report", str(extract), "-o", str(extract), *MAPPING]
    elif how == "hard link":
        os.link(extract, tmp_path / "link.csv")
        args = ["report", str(extract), "-o", str(tmp_path / "link.csv"), *MAPPING]
    elif how == "symbolic link":
        os.symlink(extract, tmp_path / "link.svg")
        args = ["map", str(extract), "-o", str(tmp_path / "link.svg"), *MAPPING]
    elif how == "config":
        args = ["report", str(extract), "--config", str(config), "-o", str(config)]
    else:
        args = ["init-config", str(extract), "-o", str(extract), "--force"]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("pathways: error: cannot write") and "it is an input file" in err, err
    assert "internal error" not in err
    assert extract.read_bytes() == before and config.read_bytes() == config_before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".pw-")) == []


def test_library_writers_never_write_over_the_file_the_log_was_read_from(extract, tmp_path):
    log = csv_log(extract)
    before = extract.read_bytes()
    with pytest.raises(OptionError, match="it is an input file"):
        pw.report(log, extract)
    with pytest.raises(OptionError, match="it is an input file"):  # a filtered log keeps its origin
        pw.write_xes(pw.filter_cases(log, ["P0", "P1"]), extract)
    assert extract.read_bytes() == before
    parquet = tmp_path / "log.parquet"
    pw.write_parquet(log, parquet)
    back = pw.read_parquet(parquet, case="case_id", activity="activity", timestamp="timestamp", unit="unit")
    with pytest.raises(OptionError, match="it is an input file"):
        pw.write_parquet(back, parquet)
    xes = pw.write_xes(log, tmp_path / "log.xes")
    with pytest.raises(OptionError, match="it is an input file"):
        pw.write_xes(pw.read_xes(xes), xes)
    assert len(pw.read_parquet(parquet, case="case_id", activity="activity", timestamp="timestamp")) == 24


# --------------------------------------------------------------------------- no folders nobody asked for
WRITERS = {
    "report": lambda log, p, **kw: pw.report(log, p / "r.html", **kw),
    "report figures_dir": lambda log, p, **kw: pw.report(log, p.parent / "r.html", figures_dir=p / "fig", **kw),
    "Diagram.save": lambda log, p, **kw: pw.unit_map(log).save(p / "m.dot", **kw),
    "Chart.save": lambda log, p, **kw: _chart().save(p / "c.svg", **kw),
    "ProcessModel.save": lambda log, p, **kw: pw.discover_petri_net(log, noise=0.0).save(p / "m.pnml", **kw),
    "write_parquet": lambda log, p, **kw: pw.write_parquet(log, p / "l.parquet", **kw),
    "write_xes": lambda log, p, **kw: pw.write_xes(log, p / "l.xes", **kw),
}


def _chart():
    from pathways.render.charts import Chart

    c = Chart(40, 20, title="t")
    c.text(2, 12, "x")
    return c


@pytest.mark.parametrize("writer", list(WRITERS))
def test_writers_create_no_folder_unless_asked(extract, tmp_path, writer):
    log = csv_log(extract)
    target = tmp_path / "findes" / "ikke"
    with pytest.raises(OptionError, match=r"does not exist\. Create it, or pass make_dirs=True"):
        WRITERS[writer](log, target)
    assert not (tmp_path / "findes").exists()
    WRITERS[writer](log, target, make_dirs=True)
    written = [p for p in (tmp_path / "findes").rglob("*") if p.is_file()]
    assert written and not [p for p in written if p.name.startswith(".pw-")]


def test_a_named_figures_folder_is_created_when_its_parent_exists(extract, tmp_path):
    """As README says: ``--figures-dir figurer`` creates figurer; only missing parents need --make-dirs."""
    rep = pw.report(csv_log(extract), tmp_path / "r.html", figures_dir=tmp_path / "figurer", language="en")
    assert (tmp_path / "figurer").is_dir() and len(rep.files) == len(list((tmp_path / "figurer").iterdir()))
    (tmp_path / "fil").write_text("x")
    with pytest.raises(OptionError, match="is a file, not a folder"):
        pw.report(csv_log(extract), tmp_path / "r.html", figures_dir=tmp_path / "fil")


def test_the_command_line_creates_folders_only_with_make_dirs(extract, tmp_path, capsys):
    deep = tmp_path / "a" / "b"
    for args in (["report", str(extract), "-o", str(deep / "r.html"), *MAPPING],
                 ["report", str(extract), "-o", str(tmp_path / "r.html"), "--figures-dir", str(deep), *MAPPING],
                 ["map", str(extract), "-o", str(deep / "m.dot"), *MAPPING],
                 ["init-config", str(extract), "-o", str(deep / "c.yaml")],
                 ["demo", "-o", str(deep)]):
        assert cli.main(args) == 2, args
        err = capsys.readouterr().err
        assert "does not exist" in err and "--make-dirs" in err and "internal error" not in err, err
        assert not (tmp_path / "a").exists() and not (tmp_path / "r.html").exists()
    assert cli.main(["report", str(extract), "-o", str(deep / "r.html"), "--figures-dir", str(deep / "fig"),
                     "--make-dirs", *MAPPING]) == 0
    assert cli.main(["map", str(extract), "-o", str(deep / "m.dot"), "--make-dirs", *MAPPING]) == 0
    # exit 1: the columns act and ts cannot be guessed, and the config is written for the user to finish
    assert cli.main(["init-config", str(extract), "-o", str(deep / "c" / "c.yaml"), "--make-dirs"]) == 1
    assert (deep / "r.html").is_file() and any((deep / "fig").glob("*.csv")) and (deep / "m.dot").is_file()
    assert (deep / "c" / "c.yaml").is_file()


def test_a_device_or_pipe_is_refused_and_a_link_is_written_through(tmp_path):
    """Renaming over ``-o /dev/null`` would replace the device with a file: refused, as is a pipe (tested on
    a FIFO of our own); a symbolic link is followed as open() follows it, so the link stays a link."""
    fifo = tmp_path / "pipe.svg"
    os.mkfifo(fifo)
    os.symlink(fifo, tmp_path / "to_pipe.svg")
    for target in (fifo, tmp_path / "to_pipe.svg"):
        with pytest.raises(OptionError, match="not a regular file"):
            write_atomically(target, "<svg/>")
    assert fifo.is_fifo() and (tmp_path / "to_pipe.svg").is_symlink()
    real = tmp_path / "real.html"
    real.write_text("old", encoding="utf-8")
    os.symlink(real, tmp_path / "link.html")
    write_atomically(tmp_path / "link.html", "new")
    assert (tmp_path / "link.html").is_symlink() and real.read_text(encoding="utf-8") == "new"


# --------------------------------------------------------------------------- all or nothing
def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(extract, tmp_path):
    target = tmp_path / "ud.xes"
    target.write_text("the old file", encoding="utf-8")

    def half_then_fail(tmp):
        with open(tmp, "w") as fh:
            fh.write("half a new file")
        raise RuntimeError("disk pulled out")

    with pytest.raises(RuntimeError, match="disk pulled out"):
        write_atomically(target, half_then_fail)
    assert target.read_text(encoding="utf-8") == "the old file"
    # a real writer failing half way: XES cannot hold a NUL, found while the traces are written
    bad = frame(units=("Egen læge", "Afsnit\x00P1", "Medicinsk afdeling"))
    log = pw.from_pandas(bad, case="pt", activity="act", timestamp="ts", unit="unit")
    with pytest.raises(EventLogError, match="XML cannot hold"):
        pw.write_xes(log, target)
    assert target.read_text(encoding="utf-8") == "the old file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ud.xes", "udtraek.csv"]


def test_new_files_get_the_mode_open_gives_and_replaced_files_keep_theirs(extract, tmp_path):
    old = os.umask(0o027)
    try:
        rep = pw.report(csv_log(extract), tmp_path / "r.html", language="en")
        with open(tmp_path / "plain.txt", "w") as fh:  # what a plain open() gives under this umask
            fh.write("x")
    finally:
        os.umask(old)
    assert (rep.path.stat().st_mode & 0o777) == (tmp_path / "plain.txt").stat().st_mode & 0o777 == 0o640
    os.chmod(rep.path, 0o600)
    pw.report(csv_log(extract), tmp_path / "r.html", language="en")
    assert rep.path.stat().st_mode & 0o777 == 0o600


# --------------------------------------------------------------------------- text that reaches an output
#: every character a spreadsheet, a terminal or str.splitlines() starts a new line at
BREAKS = ["\r", "\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
CONTROLS = ["\x00", "\x1b", "\x1b[2J", "\x07", "\x7f", "\x9b"]
FORMULAS = ["=cmd|' /C calc'!A0", "+45 1", "-2+3", "@SUM(A1)", "\t=1+1"]
#: how a forged line would start
FORGED = ("=cmd", "+45", "-2+3", "@SUM", "=1+1")


def hostile_names():
    lead = st.sampled_from(["", *FORMULAS[:4], "\t", " ", *CONTROLS])
    word = st.sampled_from(["Afsnit", "Egen læge", "P1", "Henvisning"])
    return st.tuples(lead, word, st.sampled_from(BREAKS + CONTROLS), st.sampled_from(FORMULAS)).map("".join)


def check_csv(path: pathlib.Path, sep: str) -> int:
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines(keepends=True), delimiter=sep))
    lines = text.splitlines()
    assert len(rows) == len(lines), (path.name, "a cell spans lines")
    for line, row in zip(lines, rows):
        if line.startswith(FORMULA_START):  # a spreadsheet reads each physical line as a row
            assert F.is_number(row[0]), (path.name, line)
        for cell in row:
            assert not UNSAFE.search(cell), (path.name, cell)
            assert not cell.startswith(FORMULA_START) or F.is_number(cell), (path.name, cell)
    return len(rows)


def no_forged_line(text: str, where: str, split=str.splitlines) -> None:
    assert not UNSAFE.search(text), where
    for line in split(text):
        assert not line.lstrip(" \t'\"").startswith(FORGED), (where, line)


@F.fuzz_settings(3, long_share=0.05)  # each input builds a report and runs three commands
@given(units=st.lists(hostile_names(), min_size=3, max_size=3, unique=True),
       acts=st.lists(hostile_names(), min_size=3, max_size=3, unique=True),
       language=st.sampled_from(["da", "en"]))
def test_names_with_line_breaks_controls_and_formulas_stay_on_their_line_in_every_output(
        tmp_path_factory, capsys, units, acts, language):
    out = tmp_path_factory.mktemp("hostile")
    df = frame(units=units, acts=acts)
    log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")
    if len(log) == 0:
        return  # nothing left to report (every name was blank to the reader)
    rep = pw.report(log, out / "r.html", figures_dir=out / "fig", language=language, as_of="2023-06-01")
    sep = ";" if language == "da" else ","
    csvs = [p for p in rep.files if p.suffix == ".csv"]
    assert len(csvs) >= 5 and sum(check_csv(p, sep) for p in csvs) > 20
    assert not UNSAFE.search(rep.path.read_text(encoding="utf-8"))
    for p in rep.files:
        if p.suffix == ".svg":
            assert not UNSAFE.search(p.read_text(encoding="utf-8")), p.name
    for d in (pw.unit_map(log), pw.process_map(log)):  # Graphviz ends a line at CR or LF only
        no_forged_line(d.dot, "DOT", split=lambda s: re.split(r"\r\n|\r|\n", s))
    # the command line: the findings and names it prints stay on their lines
    pw.write_parquet(log, out / "log.parquet")
    capsys.readouterr()
    mapping = ["--case", "case_id", "--activity", "activity", "--timestamp", "timestamp", "--unit", "unit"]
    assert cli.main(["report", str(out / "log.parquet"), "-o", str(out / "cli.html"), *mapping]) == 0
    assert cli.main(["map", str(out / "log.parquet"), "-o", str(out / "cli.dot"), f"--title={units[0]}",  # "=": a title may start with "-"
                     *mapping]) == 0
    assert cli.main(["validate", str(out / "log.parquet"), *mapping]) == 0
    printed = capsys.readouterr()
    for text in (printed.out, printed.err):
        no_forged_line(text, "terminal")
        assert "\u2028" not in text and "\u2029" not in text
