"""The notebooks of ``notebooks/``: committed clean, and each runs top to bottom on the sample data.

Every notebook is executed with nbclient in a fresh kernel of the Python running the tests (so it
imports this checkout of pathways), in a temporary working directory, so the figures, tables and
the generated Parquet file of 08 land there and not in the repository. A notebook fails the test
when a cell raises, when it saves no figure or table, when its findings cell prints nothing, or
when any output shows a patient id of the logs it ran on. Each runs as committed (Danish, ``LANGUAGE = "da"``)
and, but 08 (Spark), in English: the findings and the CSV files follow the language.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

import pathways as pw

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
EXPECTED = [
    "01_quickstart",
    "02_circular_referrals",
    "03_psychiatric_somatic_handovers",
    "04_waiting_times_and_guarantees",
    "05_readmissions_and_discharges",
    "06_compare_municipalities",
    "07_reference_pathway_conformance",
    "08_big_extracts",
    "09_hospital_notifications",
]
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
CELL_TIMEOUT = 300  # seconds per cell; each notebook takes well under a minute in all
# Output kinds that are text (PNG and other binary data are base64 and not searched).
TEXT_MIMETYPES = ("text/plain", "text/html", "text/markdown", "image/svg+xml", "application/json")
# pandas prints missing values as <NA>: a case literally named "NA" (the dirty sample has one)
# cannot be told apart from them in printed output, so it is not searched for.
UNSEARCHABLE_IDS = {"NA"}


def _ids(notebooks):
    return [p.stem for p in notebooks]


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def _tagged(nb, tag: str):
    return [c for c in nb.cells if tag in c.get("metadata", {}).get("tags", [])]


def _output_text(nb) -> str:
    """All text the executed notebook shows: streams, errors and the text forms of rich outputs."""
    parts = []
    for cell in _code_cells(nb):
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                parts.append(out.text)
            elif out.output_type == "error":
                parts.append("\n".join(out.traceback))
            else:
                data = out.get("data", {})
                for mime in TEXT_MIMETYPES:
                    if mime in data:
                        value = data[mime]
                        parts.append(value if isinstance(value, str) else json.dumps(value))
    return "\n".join(parts)


def _leaked_ids(text: str, case_ids: set[str]) -> set[str]:
    """The case ids that occur in ``text`` as whole words."""
    return (set(re.findall(r"[\w-]+", text)) & case_ids) - UNSEARCHABLE_IDS


def _kernel_manager(root: Path) -> KernelManager:
    """A kernel of this very Python, from a kernel spec of our own (nothing installed by hand is used)."""
    spec = root / "kernels" / "pathways-tests"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "pathways tests", "language": "python"}))
    specs = KernelSpecManager(kernel_dirs=[str(root / "kernels")], ensure_native_kernel=False)
    return KernelManager(kernel_name="pathways-tests", kernel_spec_manager=specs)


@pytest.fixture(scope="module")
def sample_case_ids() -> set[str]:
    ids: set[str] = set()
    for name in pw.datasets.list_samples():
        ids |= set(pw.datasets.load_sample(name).to_pandas()["case_id"].astype(str))
    return ids


def test_every_notebook_of_the_issue_is_there():
    assert [p.stem for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_committed_clean_with_question_parameters_and_findings(path):
    nb = _read(path)
    nbformat.validate(nb)
    for cell in _code_cells(nb):
        assert cell.outputs == [], f"{path.name}: a code cell is committed with outputs"
        assert cell.execution_count is None, f"{path.name}: a code cell is committed with an execution count"
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    question = re.search(r"\*\*Question:\*\*([^*]+?\?)", first.source)
    assert question, f"{path.name}: the first cell must state the question ('**Question:** ...?')"
    parameters = _tagged(nb, "parameters")
    assert len(parameters) == 1 and parameters[0] is _code_cells(nb)[0], "the first code cell holds the parameters"
    for name in ("MIN_COUNT = 5", "FIGURES = ", "AS_OF = ", 'LANGUAGE = "da"'):
        assert name in parameters[0].source
    # the library does the work: no helper definitions, no drawing of their own (issue 24, item 5)
    for cell in _code_cells(nb):
        assert not re.search(r"^\s*def ", cell.source, re.M), f"{path.name} defines a function:\n{cell.source}"
        assert "matplotlib" not in cell.source, f"{path.name} draws with matplotlib:\n{cell.source}"
    assert ("EXTRACT = None" in parameters[0].source) or ("PARQUET = " in parameters[0].source)
    assert "## Terms" in "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    findings = _tagged(nb, "findings")
    assert findings and findings[-1] is nb.cells[-1], "the last cell prints the findings"
    assert nb.cells[-2].cell_type == "markdown" and nb.cells[-2].source.startswith("## Findings")
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_leak_check_finds_an_id():
    text = "Diagram: unit map\n<td>P000017</td> and <NA> and P0000170"
    assert _leaked_ids(text, {"P000017", "P000018", "NA"}) == {"P000017"}


def _run(path: Path, tmp_path: Path, case_ids: set[str], language: str | None = None):
    """Execute the notebook in a fresh kernel (with ``LANGUAGE = language`` added to its parameters cell, as
    papermill would) and check what every run must show: figures and tables saved, findings printed in words with
    numbers, in the language asked for, and no patient id anywhere."""
    nb = _read(path)
    if language is not None:
        parameters = _tagged(nb, "parameters")[0]
        parameters.source += f"\nLANGUAGE = {language!r}"
    work = tmp_path / "work"
    work.mkdir()
    client = NotebookClient(nb, km=_kernel_manager(tmp_path), timeout=CELL_TIMEOUT,
                            resources={"metadata": {"path": str(work)}})
    client.execute()  # raises CellExecutionError, with the failing cell and its traceback

    # figures and tables for reports were saved in the notebook's FIGURES folder
    figures = work / "figures" / path.stem[:2]
    saved = {p.suffix for p in figures.iterdir()} if figures.is_dir() else set()
    assert {".svg", ".png", ".csv"} <= saved, f"{path.name} saved only {saved or 'nothing'} in {figures}"

    # the findings are printed in words, with numbers from the data, in the notebook's language
    printed = "".join(o.text for o in nb.cells[-1].outputs if o.output_type == "stream")
    sentences = [line for line in printed.splitlines() if line.strip()]
    assert len(sentences) >= 3 and all(re.search(r"\d", s) for s in sentences[:2]), printed
    own, other = (" of ", " af ") if language == "en" else (" af ", " of ")
    assert own in printed and other not in printed, f"{path.name}: the findings are not in {language or 'da'}: {printed}"
    # and the tables are CSV for the spreadsheet of that language: ';' in Danish, ',' in English
    wrong = "," if language != "en" else ";"
    for csv in figures.glob("*.csv"):
        header = csv.read_text(encoding="utf-8-sig").splitlines()[0]
        assert wrong not in header, f"{csv.name} is not CSV for {language or 'da'} Excel: {header!r}"

    # no patient id in anything the notebook shows
    case_ids = set(case_ids)
    for parquet in work.rglob("*.parquet"):  # 08 generates its extract
        case_ids |= set(pd.read_parquet(parquet, columns=["case_id"])["case_id"].astype(str))
    leaked = _leaked_ids(_output_text(nb), case_ids)
    assert not leaked, f"{path.name} shows case ids: {sorted(leaked)[:5]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_runs_top_to_bottom(path, tmp_path, sample_case_ids):
    _run(path, tmp_path, sample_case_ids)  # as committed: LANGUAGE = "da"


# 08 starts Spark when pyspark is installed; its English words are those of the others.
IN_ENGLISH = [p for p in NOTEBOOKS if not p.stem.startswith("08")]


@pytest.mark.parametrize("path", IN_ENGLISH, ids=_ids(IN_ENGLISH))
def test_notebook_runs_in_english(path, tmp_path, sample_case_ids):
    _run(path, tmp_path, sample_case_ids, language="en")
