"""The pathways command, run for real in a subprocess."""

import subprocess
import sys

import pytest

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
    assert "activity='event': no such column" in out.stderr


def test_help_has_an_example():
    out = run("validate", "--help")
    assert out.returncode == 0 and "Example:" in out.stdout


def test_demo_writes_a_unit_map_without_case_ids(tmp_path):
    out = run("demo", "-o", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "EventLog: 9,142 events, 600 cases" in out.stdout
    svg = (tmp_path / "unit_map.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "Egen læge" in svg
    assert "P000" not in svg  # the sample's case ids are P000001 ...
