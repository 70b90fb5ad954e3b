"""The README's "A foreign extract" walk-through, run as written: its CSV, its commands, its filled-in taxonomy."""

import csv
import html
import io
import re
import shlex
from pathlib import Path

import pytest

from pathways.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"


def section() -> tuple[str, list[str], str]:
    """The extract (CSV), the command lines and the filled-in taxonomy (CSV) of the section, in that order."""
    text = README.read_text(encoding="utf-8")
    body = text.split("\n## A foreign extract\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```(\w+)\n(.*?)^```$", body, flags=re.S | re.M)
    assert [lang for lang, _ in blocks] == ["csv", "sh", "csv"]
    lines = [ln for ln in blocks[1][1].splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return blocks[0][1], lines, blocks[2][1]


def run(line: str) -> None:
    argv = shlex.split(line, comments=True)
    assert argv[0] == "pathways"
    assert main(argv[1:]) == 0, line


def rows(text: str, sep: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=sep))


def page_text(path: Path) -> str:
    page = re.sub(r"<svg.*?</svg>|<script.*?</script>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_the_foreign_extract_walkthrough_runs_as_written(tmp_path, monkeypatch, capsys):
    extract, commands, filled = section()
    assert [c.split()[1] for c in commands] == ["init-config", "report"]
    monkeypatch.chdir(tmp_path)
    Path("ed_visits.csv").write_text(extract, encoding="utf-8")

    run(commands[0])  # init-config: the config and the two templates
    template = rows(Path("ed_visits.taxonomy.csv").read_text(encoding="utf-8"), ";")
    # every unit of the extract with its events, most first (ties by name), counted by hand from the CSV above
    assert [(r["unit"], r["events"]) for r in template] == [
        ("Emergency Department", "4"), ("Acute Medical Unit", "3"), ("Cardiology Ward", "2"), ("ER Nurses", "2"),
        ("Community Nursing", "1")]
    assert template[3]["domain"] == template[3]["sector"] == ""  # no rule places a staff group: left to the user
    # the README's filled-in file is that template with the empty cells filled
    assert [(r["unit"], r["events"]) for r in rows(filled, ";")] == [(r["unit"], r["events"]) for r in template]
    vocabulary = rows(Path("ed_visits.vocabulary.csv").read_text(encoding="utf-8"), ";")
    assert {r["activity"]: r["events"] for r in vocabulary} == {
        "Discharge": "3", "ER Registration": "3", "Admission": "2", "Triage": "2", "Home Visit": "1", "Transfer": "1"}
    config = Path("ed_visits.pathways.yaml").read_text(encoding="utf-8")
    assert 'taxonomy: "ed_visits.taxonomy.csv"' in config and 'vocabulary: "ed_visits.vocabulary.csv"' in config

    Path("ed_visits.taxonomy.csv").write_text(filled, encoding="utf-8")  # the user fills in the template
    for line in commands[1:]:
        run(line)
    text = page_text(tmp_path / "report.html")
    assert "unknown" not in text.lower()  # every unit placed by the user's file: no unknown unit, sector or move
    assert "The most common move between sectors is region → municipality" in text


def test_without_the_filled_taxonomy_the_staff_group_is_unknown(tmp_path, monkeypatch, capsys):
    """The counter-check: the same report on the bare template lists ER Nurses as an unknown unit."""
    extract, commands, _ = section()
    monkeypatch.chdir(tmp_path)
    Path("ed_visits.csv").write_text(extract, encoding="utf-8")
    for line in commands:
        run(line)
    text = page_text(tmp_path / "report.html")
    assert re.search(r"Units the taxonomy cannot place .*? ER Nurses", text)


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
