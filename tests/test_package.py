"""Package-level promises: a light import, a complete public API, the licence note."""

import subprocess
import sys
from pathlib import Path

import pathways as pw

ROOT = Path(__file__).resolve().parents[1]


def test_import_loads_no_heavy_dependency():
    code = ("import sys, pathways; heavy = [m for m in ('pm4py', 'ibis', 'duckdb', 'pandas', 'networkx') "
            "if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "" and out.stderr == ""


def test_reading_a_log_does_not_import_pm4py():
    code = ("import sys, warnings, pandas as pd, pathways as pw\n"
            "pw.from_pandas(pd.DataFrame({'c': ['a'], 'a': ['Henvisning'], 't': ['2023-01-01']}),"
            " case='c', activity='a', timestamp='t')\n"
            "print('pm4py' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_public_name_resolves():
    import importlib

    missing = []
    for name, module in pw._EXPORTS.items():
        try:
            getattr(importlib.import_module(f"pathways.{module}"), name)
        except (ImportError, AttributeError):
            missing.append(name)
    assert missing == []


def test_readme_keeps_the_two_commands_and_licence_note():
    text = (ROOT / "README.md").read_text()
    assert "make demo" in text and "make test" in text
    assert "AGPL-3.0" in text and "pathways/models/" in text
