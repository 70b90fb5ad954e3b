import importlib.util
import pathlib
import sys
import warnings

import pytest

from pathways.eventlog import PathwaysWarning


def _register_fuzz_helpers() -> None:
    """tests/hardening/_fuzz.py (the fuzzers' strategies and settings) as the module ``pathways_fuzz``, so that
    a test file anywhere says ``import pathways_fuzz as F`` (with --import-mode=importlib the test folders are
    not on sys.path); conftest.py is loaded before any test file."""
    spec = importlib.util.spec_from_file_location("pathways_fuzz", pathlib.Path(__file__).parent / "hardening"
                                                  / "_fuzz.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["pathways_fuzz"] = module
    spec.loader.exec_module(module)


_register_fuzz_helpers()


@pytest.fixture(autouse=True)
def _quiet_rejections():
    """Rejections warn by design; tests assert on log.rejected instead."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PathwaysWarning)
        yield
