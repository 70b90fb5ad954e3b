"""SECURITY.md names the tests that hold each promise: every test it names exists.

A renamed or deleted test would otherwise leave a promise that nothing holds, while the page still
points at it. The page names tests as `tests/x.py::test_name`, and further tests of the same file as
`::test_name`; `::test_name_*` names every test starting so; a bare `tests/x.py` names the whole file.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def named_tests(text: str) -> list[tuple[str, str | None]]:
    """``(file, test or None)`` for every test reference, in the order they appear.

    >>> named_tests("`tests/a.py::test_x`, `::test_y[1]`, `::test_z_*`, `tests/b.py`")
    [('tests/a.py', 'test_x'), ('tests/a.py', 'test_y'), ('tests/a.py', 'test_z_*'), ('tests/b.py', None)]
    """
    out, current = [], None
    for path, name in re.findall(r"`(tests/[\w/]+\.py)?(?:::(\w+\*?)[^`]*)?`", text):
        if path:
            current = path
        if current and (path or name):
            out.append((current, name or None))
    return out


def _defined(path: Path) -> set[str]:
    return {n.name for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def test_every_test_security_md_names_exists():
    refs = named_tests((ROOT / "SECURITY.md").read_text(encoding="utf-8"))
    assert len(refs) > 40  # the page names tests; a parse that finds none would prove nothing
    missing = []
    for file, name in refs:
        path = ROOT / file
        if not path.is_file():
            missing.append(file)
        elif name is not None and not any(d == name or (name.endswith("*") and d.startswith(name[:-1]))
                                          for d in _defined(path)):
            missing.append(f"{file}::{name}")
    assert not missing, f"SECURITY.md names tests that do not exist: {missing}"
