"""Every code block of the README runs as written (issue 23, item 7), on the bundled samples.

The README's own extract, ``udtraek.csv``, is a copy of the bundled dirty sample (as the README says); its Spark
example reads ``lpr3/*.parquet``, here that sample as Parquet; its FHIR example reads ``sygehusadviser/``, here the
bundled HospitalNotification stream; ``forloeb.yaml`` is an agreed pathway of the sample's activities. The Python
blocks run in order in one namespace, the command lines through ``pathways.cli.main``; ``make`` lines are what
``make test`` itself runs, and the "A foreign extract" walk-through has its own test (test_readme_walkthrough.py).
"""

import re
import shlex
import shutil
from pathlib import Path

import pandas as pd
import pytest

import pathways as pw
from pathways.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"


def blocks(language: str) -> list[tuple[str, str]]:
    """(section title, code) of every ``language`` block, in order, outside "A foreign extract"."""
    out = []
    for part in README.read_text(encoding="utf-8").split("\n## ")[1:]:
        title, body = part.split("\n", 1)
        if title == "A foreign extract":
            continue
        out += [(title, code) for code in re.findall(rf"^```{language}\n(.*?)^```$", body, flags=re.S | re.M)]
    return out


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """The files the README names, made from the bundled samples."""
    here = tmp_path_factory.mktemp("readme")
    with pw.datasets.sample_path("dirty_extract") as p:
        shutil.copy(p, here / "udtraek.csv")
    (here / "lpr3").mkdir()
    pd.read_csv(here / "udtraek.csv", sep=";", dtype=str).to_parquet(here / "lpr3" / "part-0.parquet")
    (here / "sygehusadviser").mkdir()
    with pw.datasets.sample_path("hospital_notifications") as p:
        shutil.copy(p, here / "sygehusadviser" / p.name)
    (here / "forloeb.yaml").write_text("steps: [Henvisning, {name: Visitation, within: 30D}]\n", encoding="utf-8")
    return here


def test_the_python_blocks_run(folder, monkeypatch):
    monkeypatch.chdir(folder)
    monkeypatch.setenv("PATHWAYS_PSEUDONYM_KEY", "a key for the README test")
    namespace: dict = {}
    ran = []
    for title, code in blocks("python"):
        if title == "On Spark":
            pytest.importorskip("pyspark", reason="pyspark is not installed: pip install 'pathways[spark]'")
        exec(compile(code, f"README.md ({title})", "exec"), namespace)  # noqa: S102 - the README's own code
        ran.append(title)
    assert ran.count("In a notebook") == 3 and "Hospital notifications and FHIR" in ran
    assert len(namespace["log"]) == 2044  # the last block read the notification stream
    assert (folder / "unit_map.svg").exists() and (folder / "rapport.html").exists()
    assert (folder / "figures").is_dir() and (folder / "model.pnml").exists()


def test_the_command_lines_run(folder, monkeypatch, capsys):
    monkeypatch.chdir(folder)
    lines = []
    for _, code in blocks("sh"):
        code = code.replace("\\\n", " ")
        lines += [ln for ln in code.splitlines() if ln.strip().startswith("pathways ")]
    assert len(lines) >= 9
    for line in lines:
        argv = shlex.split(line, comments=True)[1:]
        code = main(argv)
        # validate says 1 when rows were rejected: the dirty sample has 20 such rows
        assert code == (1 if argv[0] == "validate" else 0), line
    assert (folder / "out" / "report.html").exists() and (folder / "enhedskort.svg").exists()
