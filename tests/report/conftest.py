"""The reports of the bundled samples, built once per test session (a few seconds each)."""

import warnings

import pytest

import pathways as pw
from pathways import datasets

#: sample -> language its report is written in (the Danish extract in Danish, the others in English)
LANGUAGE = {"dirty_extract": "da", "elderly_medical": "en", "psychiatry_somatic": "en"}


@pytest.fixture(scope="session")
def sample_reports(tmp_path_factory):
    """name -> (log, Report); the dirty extract's report also writes its figures folder."""
    base = tmp_path_factory.mktemp("reports")
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, lang in LANGUAGE.items():
            log = datasets.load_sample(name)
            figures = base / f"{name}_figures" if name == "dirty_extract" else None
            rep = pw.report(log, base / f"{name}.html", as_of=datasets.AS_OF, language=lang, figures_dir=figures)
            out[name] = (log, rep)
    return out
