"""The pathways command, run for real in a subprocess."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from pathways import datasets

CMD = [sys.executable, "-m", "pathways.cli"]
MAP = ["--case", "cpr", "--activity", "hændelse", "--timestamp", "tidspunkt", "--unit", "afsnit", "--dayfirst"]


def run(*args):
    return subprocess.run([*CMD, *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def extract(tmp_path):
    path = tmp_path / "udtraek.csv"
    path.write_text("cpr;hændelse;tidspunkt;afsnit\n"
                    "1;Henvisning;02-01-2023 08:00;Egen læge\n"
                    "1;Visitation;05-01-2023 10:00;Psykiatrisk Visitationsklinik\n", encoding="utf-8")
    return path


def test_validate_clean_file_exits_0(extract):
    out = run("validate", str(extract), *MAP)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("EventLog: 2 events, 1 cases")
    assert "QualityReport:" in out.stdout


def test_validate_rejected_rows_exit_1(extract):
    extract.write_text(extract.read_text() + ";Henvisning;06-01-2023 10:00;Egen læge\n", encoding="utf-8")
    out = run("validate", str(extract), *MAP)
    assert out.returncode == 1
    assert "rejected: missing case id" in out.stdout


def test_unreadable_file_exit_2_one_line(tmp_path):
    out = run("validate", str(tmp_path / "nope.csv"), *MAP)
    assert out.returncode == 2
    assert out.stderr.startswith("pathways: error: no file at")
    assert "Traceback" not in out.stderr


def test_missing_column_names_the_fix(extract):
    out = run("validate", str(extract), *MAP[:2], "--activity", "event", "--timestamp", "tidspunkt")
    assert out.returncode == 2
    # the message speaks in the command line's flags, not in Python's keywords (issue 23, item 7)
    assert "--activity event: no such column" in out.stderr and "activity='event'" not in out.stderr


def test_messages_speak_in_flags(tmp_path):
    csv = tmp_path / "semikolon.csv"
    csv.write_text("pt;what;when\nA;Henvisning;02-01-2024\n", encoding="utf-8")
    out = run("validate", str(csv), "--case", "pt", "--activity", "what", "--timestamp", "when", "--sep", ",")
    assert out.returncode == 2 and "pass --sep ';'" in out.stderr and "sep=';'" not in out.stderr
    out = run("report", str(csv), "--case", "pt", "--activity", "what", "--timestamp", "when", "--sep", ";",
              "--as-of", "soon", "-o", str(tmp_path / "r.html"))
    assert out.returncode == 2 and "--as-of soon is not a date" in out.stderr


def test_validate_prints_the_whole_report_with_shares_in_per_cent(dirty_csv):
    out = run("validate", str(dirty_csv), *DIRTY_MAP)
    assert out.returncode == 1  # rows were rejected
    # every check on a line of its own, nothing cut short with "...", shares in per cent
    assert "..." not in out.stdout
    # the sample's 5 injected identical timestamps and 5 duplicates make 10 ties of 2 rows (its truth file)
    assert "identical timestamps within a case        warning      20       10   0.2%" in out.stdout
    assert "rejected: end before start                  error       5        0 0.055%" in out.stdout
    assert ("units placed by a rule (info): 9,132 rows, e.g. 22 names, e.g. 'Distriktspsykiatri' -> psychiatric / "
            "region by rule 'psykiatri / psykiatrisk / psychiatry'\n    Confirm them in report.rule_classified "
            "(pw.rule_classified(log)); map a wrong one with UnitTaxonomy.default().extend({unit: (domain, sector)}).")\
        in out.stdout


def test_help_has_an_example():
    out = run("validate", "--help")
    assert out.returncode == 0 and "Example:" in out.stdout


# --------------------------------------------------------------------------- report, map, init-config, bench

DIRTY_MAP = ["--case", "cpr_pseudo", "--activity", "hændelse", "--timestamp", "tidspunkt", "--end-timestamp",
             "sluttidspunkt", "--unit", "afsnit", "--referral-to", "henvist_til", "--dayfirst"]


@pytest.fixture(scope="module")
def dirty_csv(tmp_path_factory):
    """A copy of the bundled dirty extract (25 rows that cannot be used, a case named NA)."""
    path = tmp_path_factory.mktemp("cli") / "udtraek.csv"
    with datasets.sample_path("dirty_extract") as p:
        path.write_bytes(Path(p).read_bytes())
    return path


def case_ids(path) -> set:
    import pandas as pd

    return set(pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)["cpr_pseudo"]) - {""}


def test_report_on_the_sample_csv(dirty_csv, tmp_path):
    out = run("report", str(dirty_csv), "-o", str(tmp_path / "rapport.html"), *DIRTY_MAP, "--as-of", "2024-01-01",
              "--figures-dir", str(tmp_path / "fig"))
    assert out.returncode == 0, out.stderr
    assert "25 of 9,167 rows were rejected" in out.stdout
    assert f"Report written to {tmp_path / 'rapport.html'}" in out.stdout
    findings = re.findall(r"^  \d\. (.+)$", out.stdout, flags=re.M)
    assert len(findings) == 3
    page = (tmp_path / "rapport.html").read_text(encoding="utf-8")
    assert "Udtrækket rummer 9.142 hændelser for 600 patienter" in page
    assert "http://" not in page and "https://" not in page
    assert case_ids(dirty_csv) & set(re.findall(r"[\w-]+", page)) == set()
    assert len(list((tmp_path / "fig").glob("*.png"))) == len(list((tmp_path / "fig").glob("*.svg"))) >= 8
    assert out.stderr == ""  # no progress bar when stderr is not a terminal


def test_report_in_english_with_a_threshold(dirty_csv, tmp_path):
    out = run("report", str(dirty_csv), "-o", str(tmp_path / "report.html"), *DIRTY_MAP, "--language", "en",
              "--threshold", "udredningsret=60D", "--title", "Sample <report>")
    assert out.returncode == 0, out.stderr
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<h1>Sample &lt;report&gt;</h1>" in page
    assert "The extract holds 9,142 events for 600 patients" in page
    assert "<td>60 days</td>" in page
    assert "No evaluation date (as_of) was given" in page


def test_init_config_guesses_the_columns_and_report_uses_it(dirty_csv, tmp_path):
    import yaml

    cfg = tmp_path / "udtraek.yaml"
    out = run("init-config", str(dirty_csv), "-o", str(cfg))
    assert out.returncode == 0, out.stderr
    data = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    assert data["columns"] == {"case": "cpr_pseudo", "activity": "hændelse", "timestamp": "tidspunkt",
                               "end_timestamp": "sluttidspunkt", "unit": "afsnit", "resource": "ressource",
                               "referral_to": "henvist_til"}
    assert data["reading"]["sep"] == ";" and data["reading"]["dayfirst"] is True
    assert run("init-config", str(dirty_csv), "-o", str(cfg)).returncode == 2  # no silent overwrite
    rep = run("report", str(dirty_csv), "--config", str(cfg), "-o", str(tmp_path / "r.html"), "--as-of", "2024-01-01")
    assert rep.returncode == 0, rep.stderr
    assert "Udtrækket rummer 9.142 hændelser for 600 patienter" in (tmp_path / "r.html").read_text(encoding="utf-8")
    val = run("validate", str(dirty_csv), "--config", str(cfg))
    assert val.returncode == 1 and val.stdout.startswith("EventLog: 9,142 events, 600 cases")


def test_init_config_on_parquet_and_default_name(tmp_path):
    with datasets.sample_path("elderly_medical") as p:
        target = tmp_path / "log.parquet"
        target.write_bytes(Path(p).read_bytes())
    out = run("init-config", str(target))
    assert out.returncode == 0, out.stderr
    text = (tmp_path / "log.pathways.yaml").read_text(encoding="utf-8")
    assert 'case: "case_id"' in text and 'timestamp: "timestamp"' in text and 'unit: "unit"' in text


def test_init_config_says_what_it_could_not_guess(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("a;b;c\n1;2;3\n", encoding="utf-8")
    out = run("init-config", str(path))
    assert out.returncode == 1
    assert "could not guess case, activity, timestamp" in out.stderr
    assert "REQUIRED" in (tmp_path / "odd.pathways.yaml").read_text(encoding="utf-8")


def test_map_writes_an_svg_without_case_ids(dirty_csv, tmp_path):
    out = run("map", str(dirty_csv), "-o", str(tmp_path / "kort.svg"), *DIRTY_MAP)
    assert out.returncode == 0, out.stderr
    svg = (tmp_path / "kort.svg").read_text(encoding="utf-8")
    assert "Egen læge" in svg and "&lt;5" in svg
    assert case_ids(dirty_csv) & set(re.findall(r"[\w-]+", svg)) == set()
    proc = run("map", str(dirty_csv), "-o", str(tmp_path / "proces.png"), *DIRTY_MAP, "--kind", "process")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "proces.png").read_bytes().startswith(b"\x89PNG")


def test_map_without_a_unit_column_says_the_fix(extract, tmp_path):
    out = run("map", str(extract), "-o", str(tmp_path / "m.svg"), *MAP[:6], "--dayfirst")
    assert out.returncode == 2
    assert "pathways: error: a unit map needs the unit column: pass --unit COLUMN" in out.stderr
    assert "Traceback" not in out.stderr


def test_validate_the_sample_with_bad_rows_exits_1(dirty_csv):
    out = run("validate", str(dirty_csv), *DIRTY_MAP, "--as-of", "2024-01-01")
    assert out.returncode == 1
    assert "25 rows rejected" in out.stdout and "rejected: not a date" in out.stdout


@pytest.mark.parametrize("command", ["report", "map"])
def test_missing_file_exit_2_one_line(command, tmp_path):
    out = run(command, str(tmp_path / "findes_ikke.csv"), "-o", str(tmp_path / "x.svg"), *MAP)
    assert out.returncode == 2
    assert out.stderr.startswith("pathways: error: no file at")
    assert "Traceback" not in out.stderr and len(out.stderr.splitlines()) <= 3


def test_debug_shows_the_traceback(tmp_path):
    out = run("report", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "r.html"), *MAP, "--debug")
    assert out.returncode != 0 and "Traceback" in out.stderr


def test_report_without_a_mapping_points_to_init_config(extract, tmp_path):
    out = run("report", str(extract), "-o", str(tmp_path / "r.html"))
    assert out.returncode == 2
    assert "lacks --case, --activity, --timestamp" in out.stderr and "pathways init-config" in out.stderr


def test_bad_config_is_one_line(extract, tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("columns:\n  case: cpr\n  activty: hændelse\n", encoding="utf-8")
    out = run("validate", str(extract), "--config", str(cfg))
    assert out.returncode == 2
    assert "unknown setting columns.activty" in out.stderr and "Did you mean 'activity'" in out.stderr


@pytest.mark.parametrize("command", ["demo", "report", "map", "validate", "init-config", "generate", "bench"])
def test_every_command_explains_itself_with_an_example(command):
    out = run(command, "--help")
    assert out.returncode == 0
    assert "Example" in out.stdout and f"pathways {command}" in out.stdout


def test_demo_writes_the_full_report(tmp_path):
    tmp_path = tmp_path / "demo"  # the demo's folder is its own: created (its parent must exist)
    out = run("demo", "-o", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "EventLog: 9,142 events, 600 cases" in out.stdout
    svg = (tmp_path / "unit_map.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "Egen læge" in svg
    assert "P000" not in svg  # the sample's case ids are P000001 ...
    assert f"Report written to {tmp_path / 'report.html'}" in out.stdout
    findings = re.findall(r"^  \d\. (.+)$", out.stdout, flags=re.M)
    assert len(findings) == 3 and all(len(f) > 30 for f in findings)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    for f in findings:  # the three main findings printed are the ones opening the report
        assert f.replace("<", "&lt;") in page
    assert (tmp_path / "figures").is_dir() and any((tmp_path / "figures").glob("*.png"))


def test_bench_is_quick_and_honest():
    out = run("bench", "--sample", "dirty_extract")
    assert out.returncode == 0, out.stderr
    assert "read + validate" in out.stdout and "report (HTML, all sections)" in out.stdout
    assert re.search(r"circular_referrals\s+\d+\.\d{3}", out.stdout)


# --------------------------------------------------------------------------- bad input: exit 2, never "internal error"
BAD_MAP = ["--case", "pt", "--activity", "act", "--timestamp", "ts", "--unit", "unit"]


def _bad_files(tmp_path: Path) -> dict:
    (tmp_path / "folder").mkdir()
    noise = bytes(range(256)) * 8
    files = {"folder": tmp_path / "folder", "empty": tmp_path / "empty.csv", "binary": tmp_path / "binary.csv",
             "parquet": tmp_path / "fake.parquet", "excel": tmp_path / "fake.xlsx", "xes": tmp_path / "fake.xes",
             "missing": tmp_path / "missing.csv", "good": tmp_path / "good.csv", "config": tmp_path / "binary.yaml"}
    files["empty"].write_bytes(b"")
    for key in ("binary", "parquet", "excel", "xes", "config"):
        files[key].write_bytes(b"\xf3\x00PK\x03\x04" + noise)
    files["good"].write_text("pt,act,ts,unit\nA,Henvisning,2023-01-02 08:00,Egen læge\n", encoding="utf-8")
    return files


BAD_CALLS = [(command, bad) for bad in ("folder", "empty", "binary", "parquet", "excel", "xes", "missing")
             for command in ("validate", "report", "map", "init-config")] + [
    ("validate", "config"), ("report", "read-only output"), ("map", "read-only output"),
    ("init-config", "read-only output"), ("report", "folder output"), ("map", "no suffix output")]


@pytest.mark.parametrize("command,bad", BAD_CALLS, ids=[f"{c}-{b}" for c, b in BAD_CALLS])
def test_bad_input_is_exit_2_with_the_fix_never_an_internal_error(tmp_path, capsys, command, bad):
    """A directory, an empty, binary or mislabelled file, a missing one, a config that is not text, an output
    nobody can write: each is one line saying what is wrong and what to do (exit 2), never exit 3."""
    from pathways import cli

    files = _bad_files(tmp_path)
    source = files["good"] if bad in ("config",) or bad.endswith("output") else files[bad]
    output = {"read-only output": "/proc/pathways-out.html" if command != "init-config" else "/proc/c.yaml",
              "folder output": str(files["folder"]), "no suffix output": str(tmp_path / "kort")}.get(
        bad, str(tmp_path / ("out.html" if command == "report" else "out.svg" if command == "map" else "c.yaml")))
    args = [command, str(source)]
    if command in ("report", "map", "init-config"):
        args += ["-o", output]
    if command != "init-config":
        args += ["--config", str(files["config"])] if bad == "config" else BAD_MAP
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("pathways: error: "), err
    assert "internal error" not in err and "[Errno" not in err and "Traceback" not in err, err
    first = err.splitlines()[0]
    assert len(first) > 40 and ("." in first[17:]), first  # what is wrong, then what to do


# --------------------------------------------------------------------------- the user's own classification
FOREIGN = ("patient;activity;time;department\n"
           "p1;Registration;2024-03-01 08:00;Emergency Department\n"
           "p1;Triage;2024-03-01 08:10;Nurses Team B\n"
           "p1;Admission;2024-03-01 10:00;Nurses Team B\n"
           "p2;Registration;2024-03-02 09:00;Emergency Department\n"
           "p2;Admission;2024-03-02 12:00;Emergency Department\n")
FOREIGN_MAP = ["--case", "patient", "--activity", "activity", "--timestamp", "time", "--unit", "department"]


def _read(*argv):
    """The EventLog the command line would read for ``validate ARGV``."""
    from pathways import cli

    args = cli.build_parser().parse_args(["validate", *argv])
    return cli.read_extract(args.file, args)


def _classes(log, key="unit", columns=("domain", "sector", "classified_by")):
    table = log.units if key == "unit" else log.activities
    return {r[key]: tuple(r[c] for c in columns) for r in table.to_dict("records")}


@pytest.mark.parametrize("suffix", ["csv", "yaml"])
def test_taxonomy_file_wins_over_the_rules_and_the_rest_keep_them(tmp_path, suffix):
    """--taxonomy: the file's units are placed as it says, even one a built-in rule would place otherwise
    (Emergency Department: the rules say somatic/region); units it does not list keep the rules (none here:
    Nurses Team B listed), and without the file the staff group is unknown."""
    extract = tmp_path / "ed.csv"
    extract.write_text(FOREIGN, encoding="utf-8")
    tax = tmp_path / f"units.{suffix}"
    tax.write_text("unit;domain;sector\nNurses Team B;somatic;region\nEmergency Department;other;private\n"
                   if suffix == "csv" else "Nurses Team B: [somatic, region]\n", encoding="utf-8")
    before = _classes(_read(str(extract), *FOREIGN_MAP))
    assert before["Nurses Team B"] == ("unknown", "unknown", "unknown")
    assert before["Emergency Department"][:2] == ("somatic", "region")
    after = _classes(_read(str(extract), *FOREIGN_MAP, "--taxonomy", str(tax)))
    assert after["Nurses Team B"] == ("somatic", "region", "mapping")
    if suffix == "csv":
        assert after["Emergency Department"] == ("other", "private", "mapping")
    else:  # not in the file: the built-in rule still places it
        assert after["Emergency Department"] == ("somatic", "region", "rule")


def test_vocabulary_file_and_config_paths_relative_to_the_config(tmp_path, monkeypatch):
    """classification: in a config names files relative to the config's folder, whatever the shell's folder;
    the vocabulary file maps an activity the built-in names do not know, the others keep theirs."""
    extract = tmp_path / "ed.csv"
    extract.write_text(FOREIGN, encoding="utf-8")
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "units.csv").write_text("unit;domain;sector\nNurses Team B;somatic;region\n", encoding="utf-8")
    (conf / "acts.yaml").write_text("Registration: first_contact\n", encoding="utf-8")
    (conf / "c.yaml").write_text("columns: {case: patient, activity: activity, timestamp: time, unit: department}\n"
                                 "classification:\n  taxonomy: units.csv\n  vocabulary: acts.yaml\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    log = _read(str(extract), "--config", str(conf / "c.yaml"))
    assert _classes(log)["Nurses Team B"] == ("somatic", "region", "mapping")
    assert _classes(log, "activity", ("event_type", "classified_by")) == {
        "Registration": ("first_contact", "mapping"), "Admission": ("admission", "mapping"),
        "Triage": ("visitation", "mapping")}
    # a flag wins over the config: another vocabulary, given on the command line
    (tmp_path / "other.csv").write_text("activity;event_type\nRegistration;referral\n", encoding="utf-8")
    log = _read(str(extract), "--config", str(conf / "c.yaml"), "--vocabulary", str(tmp_path / "other.csv"))
    assert _classes(log, "activity", ("event_type",))["Registration"] == ("referral",)


def test_reference_file_adds_the_conformance_section(tmp_path):
    """--reference with a YAML list of steps: p1 does Registration, Triage 10 minutes later, Admission (follows
    it); p2 skips Triage (a deviation): 1 of 2 patients (50%) followed the pathway (counted by hand)."""
    extract = tmp_path / "ed.csv"
    extract.write_text(FOREIGN, encoding="utf-8")
    ref = tmp_path / "ref.yaml"
    ref.write_text("name: ED pathway\nsteps:\n  - Registration\n  - {name: Triage, within: 1h}\n  - Admission\n",
                   encoding="utf-8")
    out = run("report", str(extract), *FOREIGN_MAP, "--reference", str(ref), "-o", str(tmp_path / "r.html"),
              "--language", "en", "--min-count", "1")
    assert out.returncode == 0, out.stderr
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Conformance to the reference pathway" in page
    assert "50% of 2 patients followed the reference pathway without deviation" in out.stdout


CLASSIFICATION_ERRORS = [
    ("--taxonomy", "missing.csv", None, "--taxonomy: no file at"),
    ("--taxonomy", "units.yaml", "units: [unclosed\n", "cannot be read"),
    ("--taxonomy", "units.csv", "unit;domain;sector\nNurses Team B;somatc;region\n", "Did you mean 'somatic'"),
    ("--taxonomy", "units.xlsx", "x", "expected a file ending in .csv, .txt, .yaml, .yml"),
    ("--vocabulary", "acts.csv", "activity;event_type\nRegistration;registration\n", "event_type"),
    ("--reference", "ref.csv", "a\n", "expected a file ending in .pnml, .bpmn, .yaml, .yml"),
    ("--reference", "ref.yaml", "steps: [Registration, {name: Triage, within: soon}]\n", "within"),
    ("--reference", "ref.yaml", "steps: [Registration, {name: Triage, limit: 1h}]\n", "expected the keys name"),
    ("--reference", "ref.pnml", "<pnml><net", "--reference"),
]


@pytest.mark.parametrize("flag,name,content,expected", CLASSIFICATION_ERRORS,
                         ids=[f"{f}-{n}-{i}" for i, (f, n, _, _) in enumerate(CLASSIFICATION_ERRORS)])
def test_missing_or_malformed_classification_file_is_exit_2_with_the_fix(tmp_path, capsys, flag, name, content,
                                                                         expected):
    from pathways import cli

    extract = tmp_path / "ed.csv"
    extract.write_text(FOREIGN, encoding="utf-8")
    if content is not None:
        (tmp_path / name).write_text(content, encoding="utf-8")
    assert cli.main(["report", str(extract), *FOREIGN_MAP, flag, str(tmp_path / name),
                     "-o", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pathways: error: ") and expected in err, err
    assert "internal error" not in err and "Traceback" not in err
    assert not (tmp_path / "r.html").exists()


def test_config_classification_must_name_files(tmp_path, capsys):
    from pathways import cli

    extract = tmp_path / "ed.csv"
    extract.write_text(FOREIGN, encoding="utf-8")
    for body, expected in [("classification:\n  taxonomy: 5\n", "expected a file name, found 5"),
                           ("classification:\n  taxonomie: u.csv\n", "Did you mean 'taxonomy'"),
                           ("classification:\n  taxonomy: nope.csv\n", "--taxonomy: no file at"),
                           ("taxonomy: u.csv\n", "'taxonomy' looks like a setting of classification: write it "
                                                  "indented under 'classification:'")]:
        (tmp_path / "c.yaml").write_text(body, encoding="utf-8")
        assert cli.main(["validate", str(extract), *FOREIGN_MAP, "--config", str(tmp_path / "c.yaml")]) == 2
        err = capsys.readouterr().err
        assert expected in err, err


def test_init_config_writes_taxonomy_and_vocabulary_templates(tmp_path, capsys):
    """The templates list the extract's own units and activities with their events, most first; the rules'
    places filled in, the rest empty; the config points at them; a second run never replaces them."""
    import yaml

    from pathways import cli

    extract = tmp_path / "ed.csv"
    extract.write_text(FOREIGN, encoding="utf-8")
    assert cli.main(["init-config", str(extract)]) == 0
    tax = (tmp_path / "ed.taxonomy.csv").read_text(encoding="utf-8")
    lines = tax.lstrip("\ufeff").splitlines()
    assert lines[0] == "unit;domain;sector;events;placed_by"
    assert lines[1].startswith("Emergency Department;somatic;region;3;rule: ")  # 3 events, placed by a rule
    assert lines[2] == "Nurses Team B;;;2;"  # 2 events, no rule: for the user to fill in
    voc = (tmp_path / "ed.vocabulary.csv").read_text(encoding="utf-8").lstrip("\ufeff").splitlines()
    assert voc == ["activity;event_type;events;placed_by", "Admission;admission;2;built-in name",
                   "Registration;;2;", "Triage;visitation;1;built-in name"]
    config = yaml.safe_load((tmp_path / "ed.pathways.yaml").read_text(encoding="utf-8"))
    assert config["classification"] == {"taxonomy": "ed.taxonomy.csv", "vocabulary": "ed.vocabulary.csv",
                                        "reference": None}
    # used as written (empty lines map nothing): Nurses Team B stays unknown, the rest as the rules said
    log = _read(str(extract), "--config", str(tmp_path / "ed.pathways.yaml"))
    assert _classes(log)["Nurses Team B"] == ("unknown", "unknown", "unknown")
    assert _classes(log)["Emergency Department"] == ("somatic", "region", "mapping")
    # the user fills one line in; init-config --force renews the config but keeps the user's template
    (tmp_path / "ed.taxonomy.csv").write_text(tax.replace("Nurses Team B;;;2;", "Nurses Team B;somatic;region;2;"),
                                              encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["init-config", str(extract), "--force"]) == 0
    assert "kept" in capsys.readouterr().out
    assert "Nurses Team B;somatic;region;2;" in (tmp_path / "ed.taxonomy.csv").read_text(encoding="utf-8")
    log = _read(str(extract), "--config", str(tmp_path / "ed.pathways.yaml"))
    assert _classes(log)["Nurses Team B"] == ("somatic", "region", "mapping")


def test_init_config_on_an_extract_it_cannot_read_writes_the_config_and_says_why(tmp_path, capsys):
    """A byte that is not UTF-8 after the part the guess looks at: the config is written (it is where the reading
    options get fixed), no template, exit 1 and the reason; rows the reader rejects are counted, not templated."""
    from pathways import cli

    rows = ["patient;activity;time"] + [f"p{i};Besøg;2024-01-01 10:00" for i in range(3000)]
    late = tmp_path / "late.csv"
    late.write_bytes(("\n".join(rows) + "\n").encode("utf-8") + "p9;Bes\xf8g;2024-01-01 10:00\n".encode("latin-1"))
    assert cli.main(["init-config", str(late)]) == 1
    err = capsys.readouterr().err
    assert "no taxonomy or vocabulary template was written" in err and "invalid UTF8" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["late.csv", "late.pathways.yaml"]
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("patient;activity;time\np1;A;2024-01-01 10:00\np1;B;yesterday\n", encoding="utf-8")
    assert cli.main(["init-config", str(ragged)]) == 0
    assert "1 of 2 rows could not be used as guessed" in capsys.readouterr().err
    assert (tmp_path / "ragged.vocabulary.csv").read_text(encoding="utf-8").lstrip("\ufeff").splitlines() == [
        "activity;event_type;events;placed_by", "A;;1;"]
    assert not (tmp_path / "ragged.taxonomy.csv").exists()  # no unit column: no taxonomy to fill in


def test_a_template_with_nothing_filled_in_reads_as_no_mapping(tmp_path):
    """A vocabulary or taxonomy file with only its header (an extract without rows, a template emptied) maps
    nothing: the built-in classification applies (the vocabulary reader took the empty column for a key)."""
    extract = tmp_path / "ed.csv"
    extract.write_text(FOREIGN, encoding="utf-8")
    (tmp_path / "v.csv").write_text("\ufeffactivity;event_type;events;placed_by\n", encoding="utf-8")
    (tmp_path / "t.csv").write_text("\ufeffunit;domain;sector;events;placed_by\n", encoding="utf-8")
    log = _read(str(extract), *FOREIGN_MAP, "--vocabulary", str(tmp_path / "v.csv"), "--taxonomy",
                str(tmp_path / "t.csv"))
    assert _classes(log, "activity", ("event_type", "classified_by"))["Admission"] == ("admission", "mapping")
    assert _classes(log)["Nurses Team B"] == ("unknown", "unknown", "unknown")


def test_template_names_a_spreadsheet_would_run_are_quoted_and_read_back(tmp_path):
    """A unit named like a formula is written '=... (a spreadsheet shows it as text); filled in and read back,
    it maps the unit by its real name."""
    from pathways import cli

    extract = tmp_path / "f.csv"
    extract.write_text("patient;activity;time;department\n"
                       "p1;A;2024-03-01 08:00;=HYPERLINK(\"x\")\n"
                       "p1;@B;2024-03-01 09:00;-2 Xyz\n", encoding="utf-8")
    assert cli.main(["init-config", str(extract)]) == 0
    tax = (tmp_path / "f.taxonomy.csv").read_text(encoding="utf-8").lstrip("\ufeff").splitlines()
    assert tax[1:] == ["'-2 Xyz;;;1;", "\"'=HYPERLINK(\"\"x\"\")\";;;1;"]  # one event each, sorted by name
    voc = (tmp_path / "f.vocabulary.csv").read_text(encoding="utf-8").lstrip("\ufeff").splitlines()
    assert voc[1:] == ["'@B;;1;", "A;;1;"]
    (tmp_path / "f.taxonomy.csv").write_text("\n".join(
        [tax[0], "'-2 Xyz;somatic;region;1;", "\"'=HYPERLINK(\"\"x\"\")\";other;private;1;"]) + "\n",
        encoding="utf-8")
    (tmp_path / "f.vocabulary.csv").write_text("activity;event_type\n'@B;admission\n", encoding="utf-8")
    log = _read(str(extract), "--config", str(tmp_path / "f.pathways.yaml"))
    assert _classes(log) == {"-2 Xyz": ("somatic", "region", "mapping"),
                             '=HYPERLINK("x")': ("other", "private", "mapping")}
    assert _classes(log, "activity", ("event_type",))["@B"] == ("admission",)


@pytest.mark.parametrize("suffix", ["pnml", "bpmn"])
def test_reference_process_model_file_adds_the_conformance_section(tmp_path, suffix):
    """--reference with a process model: the sequence Registration, Triage, Admission saved as PNML or BPMN;
    p1 follows it, p2 skips Triage: 1 of 2 patients (50%) without deviation, as with the YAML steps."""
    import pathways as pw

    extract = tmp_path / "ed.csv"
    extract.write_text(FOREIGN, encoding="utf-8")
    model = tmp_path / f"ref.{suffix}"
    pw.ReferencePathway(["activity:Registration", "activity:Triage", "activity:Admission"]).to_model().save(model)
    out = run("report", str(extract), *FOREIGN_MAP, "--reference", str(model), "-o", str(tmp_path / "r.html"),
              "--language", "en", "--min-count", "1")
    assert out.returncode == 0, out.stderr
    assert "Conformance to the reference pathway" in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "50% of 2 patients followed the reference pathway without deviation" in out.stdout


def test_a_parquet_file_written_by_pathways_needs_no_mapping(tmp_path, capsys):
    import pathways as pw
    from pathways import cli

    log = datasets.load_sample("dirty_extract")
    written = tmp_path / "events.parquet"
    pw.write_parquet(log, written)
    assert cli.main(["validate", str(written)]) in (0, 1)  # 1: the quality checks found something
    assert capsys.readouterr().out.startswith("EventLog: 9,142 events, 600 cases")
    plain = tmp_path / "plain.parquet"
    # no pathways metadata and not the canonical names (a file with them reads without flags): the mapping is asked for
    log.to_pandas().rename(columns={"case_id": "cpr"}).to_parquet(plain)
    assert cli.main(["validate", str(plain)]) == 2
    assert "--case" in capsys.readouterr().err


def test_a_parquet_file_with_the_canonical_names_needs_no_flags(tmp_path):
    with datasets.sample_path("psychiatry_somatic") as p:
        out = run("validate", str(p))
    assert out.returncode == 0 and out.stdout.startswith("EventLog: 51,853 events, 3,000 cases")


def test_fhir_needs_no_column_mapping(tmp_path):
    """The command line picks the reader by the file's type as pw.read does: FHIR NDJSON reads without --case,
    with the pseudonym key from the environment (the same events as pw.read_fhir)."""
    import os

    with datasets.sample_path("hospital_notifications") as path:
        out = subprocess.run([*CMD, "validate", str(path)], capture_output=True, text=True, timeout=120,
                             env={**os.environ, "PATHWAYS_PSEUDONYM_KEY": "hemmelig"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("EventLog: 2,044 events, 583 cases")
    with datasets.sample_path("hospital_notifications") as path:
        out = run("validate", str(path), *MAP)
    assert out.returncode == 2 and "is FHIR, which names its own columns and times: leave out --case, --activity, " \
        "--timestamp, --unit, --dayfirst." in out.stderr
    out = run("validate", str(tmp_path / "udtraek.sav"), *MAP)
    assert out.returncode == 2 and "pw.read does not know the file type of 'udtraek.sav'" in out.stderr
