"""The exceptions of pathways: every message says what was expected, what was found, and the fix."""

from __future__ import annotations

import difflib
from typing import Iterable


class PathwaysError(Exception):
    """Base class of every error raised on purpose by pathways.

    Examples
    --------
    >>> import pathways as pw
    >>> try:
    ...     pw.datasets.load_sample("no such sample")
    ... except pw.PathwaysError as err:
    ...     print(type(err).__name__)
    OptionError
    """


class EventLogError(PathwaysError, ValueError):
    """The input cannot become a valid event log.

    ``failure_cases`` is a pandas DataFrame with one row per problem:
    ``row`` (0-based input row number, or -1 for the whole file), ``column``,
    ``code`` (a stable code of :data:`pathways.rejections.REASONS`), ``problem``
    (its words) and ``value``.

    Examples
    --------
    >>> import pandas as pd, pathways as pw
    >>> df = pd.DataFrame({"pt": ["A", None], "what": ["Henvisning", "Visitation"], "when": ["2024-01-02", "soon"]})
    >>> try:
    ...     pw.from_pandas(df, case="pt", activity="what", timestamp="when", strict=True)
    ... except pw.EventLogError as err:
    ...     print(err.failure_cases[["row", "column", "code", "problem"]].to_string(index=False))
     row column            code         problem
       1     pt missing_case_id missing case id
       1   when      not_a_date      not a date
    """

    def __init__(self, message: str, failure_cases=None):
        super().__init__(message)
        if failure_cases is None:
            import pandas as pd

            from .rejections import long_form

            failure_cases = long_form(pd.DataFrame({"row": [], "column": [], "code": [], "value": []}))
        self.failure_cases = failure_cases


class OptionError(PathwaysError, ValueError):
    """An option or argument is not one of the allowed values, or the log lacks what a function needs.

    Examples
    --------
    >>> import pathways as pw
    >>> log = pw.datasets.load_sample("psychiatry_somatic")
    >>> pw.handover_matrix(log, by="domian")
    Traceback (most recent call last):
    ...
    pathways.errors.OptionError: by='domian' is not allowed; choose one of 'unit', 'domain', 'sector'. Did you mean 'domain'?
    """


class NotALogError(PathwaysError, TypeError):
    """A function that takes an EventLog was given something else (a DataFrame, None, a result table)."""


class EngineMemoryError(PathwaysError, MemoryError):
    """The engine needed more memory than its limit allows (``pw.configure_engine(memory_limit=...)``).

    Examples
    --------
    >>> import pathways as pw
    >>> issubclass(pw.EngineMemoryError, MemoryError)  # an ``except MemoryError`` catches it too
    True
    """


def closest(name: str, choices: Iterable[str]) -> str | None:
    """The choice most like ``name`` (case-insensitive), or None when nothing is close."""
    choices = [str(c) for c in choices]
    lowered = {c.lower(): c for c in choices}
    hit = difflib.get_close_matches(str(name).lower(), list(lowered), n=1, cutoff=0.5)
    return lowered[hit[0]] if hit else None


def check_choice(argument: str, value, allowed: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``allowed``, else raise OptionError with a did-you-mean."""
    allowed = list(allowed)
    if value in allowed:
        return value
    hint = closest(str(value), allowed)
    did = f" Did you mean {hint!r}?" if hint else ""
    raise OptionError(f"{argument}={value!r} is not allowed; choose one of "
                      f"{', '.join(repr(a) for a in allowed)}.{did}")


def outside_stacklevel() -> int:
    """The ``stacklevel`` that makes ``warnings.warn`` point at the first caller outside pathways.

    Call it in the function that warns: a reader reached through other readers and their option
    checks (``read_excel`` -> ``from_pandas`` -> ``build``) still warns at the user's line.
    """
    import os
    import sys

    package = os.path.dirname(os.path.abspath(__file__)) + os.sep
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package):
        frame, level = frame.f_back, level + 1
    return level
