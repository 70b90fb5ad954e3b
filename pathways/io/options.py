"""The options of every reader, checked before anything is read.

A wrong type or value (``sep=";;"``, ``encoding="nope"``, ``timestamp_format="%Q"``,
``dayfirst="no"``), an unknown keyword (``timestap=``) or a missing column role is an
:class:`~pathways.errors.OptionError` that names the option, the value found and the fix,
never a ``TypeError`` or an engine's exception. The readers are wrapped by
:func:`checks_options`; the CLI checks the values of a config file with :func:`check_option`.
Both use the one table :data:`CHECKS`.
"""

from __future__ import annotations

import functools
import inspect
import os
import reprlib
from typing import Callable

from ..errors import EventLogError, OptionError, check_choice, closest

#: Options of the validator (:func:`pathways.eventlog.build`) a reader's ``**options`` may carry
#: besides the three column roles and ``tz``, which most readers name themselves.
FORWARDED = ("end_timestamp", "unit", "resource", "referral_to", "attributes", "timestamp_format", "dayfirst",
             "taxonomy", "vocabulary", "strict", "duplicates")
#: What ``**options`` of a reader may hold: ``from_pm4py`` passes even the roles on.
_FORWARDED_ALL = ("case", "activity", "timestamp", "tz") + FORWARDED
#: Options a reader takes beyond its signature and the forwarded ones (read_xes names its file this way).
_ALSO = {"from_pandas": ("origin",)}

_ROLES_REQUIRED = ("case", "activity", "timestamp")
_ROLES_OPTIONAL = ("end_timestamp", "unit", "resource", "referral_to")
_WHAT = {"case": "the case id (patient pseudonym)", "activity": "the activity", "timestamp": "the event time"}
_PANDAS_READERS = ("from_pandas", "from_pm4py")
_QUOTES_AND_NEWLINES = {'"': "the quote character", "\n": "a line break", "\r": "a line break",
                        "\0": "the NUL character"}
_FORMAT_HELP = ("Use strptime codes DuckDB knows, e.g. '%d-%m-%Y %H:%M' (%Y year, %m month, %d day, %H hour, "
                "%M minute, %S second, %f fraction, %z offset, %% a percent sign), or leave timestamp_format out "
                "to recognise ISO 8601 and the common day-first and month-first forms.")

_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = 40
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 4


def shown(value) -> str:
    """A short one-line repr of an option's value for a message (never the whole of a huge value)."""
    try:
        text = _repr.repr(value)
    except Exception:  # noqa: BLE001 - a value whose repr fails is shown by its type
        text = f"<{type(value).__name__}>"
    return text.replace("\n", "\\n").replace("\r", "\\r")


def _kind(value) -> str:
    return "None" if value is None else type(value).__name__


def _is_bool(value) -> bool:
    import numpy as np

    return isinstance(value, (bool, np.bool_))


def _is_int(value) -> bool:
    import numbers

    return isinstance(value, numbers.Integral) and not _is_bool(value)


# --------------------------------------------------------------------------- the checks
# Each takes (name, value, reader) and returns the problem as one sentence that starts with
# "name=value", or None when the value is fine. ``reader`` is the reader's name ("" for a config file).

def _column(required: bool):
    def check(name, value, reader):
        if isinstance(value, str) or (value is None and not required):
            return None
        if value is None:
            return (f"{name}=None: {_WHAT[name]} column is required. Pass {name}='<column name>'.")
        example = f"{name}={str(value)!r}" if _is_int(value) or isinstance(value, float) else f"{name}='<column name>'"
        return (f"{name}={shown(value)}: a column is named by text, found {_kind(value)}. Pass one column name, "
                f"e.g. {example}.")
    return check


def _attributes(name, value, reader):
    if value is None:
        return None
    if isinstance(value, str):
        return (f"{name}={shown(value)}: attributes is a list of column names, found one text. "
                f"Pass {name}=[{value!r}].")
    if isinstance(value, (set, frozenset, dict)) or not (isinstance(value, (list, tuple)) or hasattr(value, "tolist")):
        return (f"{name}={shown(value)}: attributes is a list of column names (in the order to keep), found "
                f"{_kind(value)}. Pass e.g. {name}=['note', 'ward'], or leave it out to keep every column.")
    names = value.tolist() if hasattr(value, "tolist") else list(value)
    if not isinstance(names, list):
        names = [names]
    odd = [n for n in names if not isinstance(n, str)]
    if odd:
        return (f"{name}={shown(value)}: column names are text, found {_kind(odd[0])} {shown(odd[0])}. "
                f"Pass the names as text, e.g. {name}={[str(n) for n in names][:3]!r}.")
    import collections

    twice = sorted(n for n, k in collections.Counter(names).items() if k > 1)
    if twice:
        return f"{name}={shown(value)}: the column {twice[0]!r} is named twice. Name each column once."
    return None


def _sep(name, value, reader):
    if value is None:
        return None
    fix = ("A separator is one character, e.g. ';', ',', '|' or a tab '\\t'; leave it out to guess it from "
           "the header.")
    if not isinstance(value, str):
        return f"{name}={shown(value)}: expected one character, found {_kind(value)}. {fix}"
    if len(value) != 1:
        hint = "\t" if value.lower() in ("\\t", "tab", "\\\\t") else value[0] if value and len(set(value)) == 1 \
            else None
        did = f" Did you mean {name}={hint!r}?" if hint and _sep(name, hint, reader) is None else ""
        return f"{name}={shown(value)}: expected one character, found {len(value)}. {fix}{did}"
    if value in _QUOTES_AND_NEWLINES:
        return f"{name}={value!r} is {_QUOTES_AND_NEWLINES[value]}, which cannot separate fields. {fix}"
    if not value.isascii():
        return (f"{name}={value!r} is not an ASCII character; the CSV parser splits fields on one byte. "
                f"{fix}")
    return None


def _encoding(name, value, reader):
    if value is None:
        return None
    fix = ("Use e.g. 'utf-8', 'utf-8-sig', 'cp1252' (Windows exports) or 'latin-1', or leave encoding out to "
           "read UTF-8, else cp1252.")
    if not isinstance(value, str):
        return f"{name}={shown(value)}: expected the name of a text encoding, found {_kind(value)}. {fix}"
    import codecs

    try:
        if not getattr(codecs.lookup(value), "_is_text_encoding", True):  # base64, rot13: not for text
            raise LookupError(value)
    except (LookupError, ValueError):
        import encodings.aliases

        known = {n for n in encodings.aliases.aliases.values() if not n.endswith("_codec") and n != "rot_13"}
        hint = closest(value, sorted(known | {"utf-8", "cp1252", "latin-1"}))
        did = f" Did you mean {hint!r}?" if hint else ""
        return f"{name}={shown(value)} is not a text encoding Python knows. {fix}{did}"
    return None


def _zone(name, value, reader):
    from ..engine import check_zone

    if not isinstance(value, str):
        return (f"{name}={shown(value)}: expected the name of a time zone, found {_kind(value)}. Pass an IANA "
                "name such as 'Europe/Copenhagen' or 'UTC'.")
    try:
        check_zone(value)
    except OptionError as exc:
        return str(exc)
    return None


def _timestamp_format(name, value, reader):
    if value is None:
        return None
    formats = [value] if isinstance(value, str) else list(value) if isinstance(value, (list, tuple)) else None
    if formats is None:
        return (f"{name}={shown(value)}: expected a strptime format or a list of them, found {_kind(value)}. "
                f"{_FORMAT_HELP}")
    if not formats:
        return f"{name}={shown(value)}: the list of formats is empty. Give at least one format. {_FORMAT_HELP}"
    for f in formats:
        if not isinstance(f, str):
            return f"{name}={shown(value)}: a format is text, found {_kind(f)} {shown(f)}. {_FORMAT_HELP}"
        problem = _strptime_problem(f)
        if problem:
            return f"{name}={shown(value)}: DuckDB cannot parse with {f!r} ({problem}). {_FORMAT_HELP}"
    return None


def _strptime_problem(fmt: str) -> str | None:
    """Why DuckDB's strptime refuses the format ``fmt`` (e.g. an unknown ``%Q``), or None."""
    import duckdb

    from ..engine import duckdb_backend

    if "\0" in fmt:
        return "it holds a NUL character"
    try:
        duckdb_backend().con.execute("SELECT try_strptime('2000-01-01', ?)", [fmt]).fetchall()
    except UnicodeError:
        return "it holds a character that is not valid text, such as a lone surrogate"
    except duckdb.Error as exc:  # try_strptime refuses only the format itself
        text = str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__
        marker = f"format specifier {fmt}: "
        return text.split(marker, 1)[1] if marker in text else text.split("Error: ", 1)[-1]
    return None


def _flag(name, value, reader):
    if _is_bool(value):
        return None
    return f"{name}={shown(value)}: expected True or False, found {_kind(value)}. Pass {name}=True or {name}=False."


def _choice(allowed):
    def check(name, value, reader):
        try:
            if not isinstance(value, str):
                raise OptionError(f"{name}={shown(value)} is not allowed (found {_kind(value)}); choose one of "
                                  f"{', '.join(repr(a) for a in allowed)}.")
            check_choice(name, value, allowed)
        except OptionError as exc:
            return str(exc)
        return None
    return check


def _instance(class_name: str, how: str):
    def check(name, value, reader):
        from .. import taxonomy

        if value is None or isinstance(value, getattr(taxonomy, class_name)):
            return None
        return (f"{name}={shown(value)}: expected a pw.{class_name} or None, found {_kind(value)}. {how}, or "
                "leave it out for the built-in Danish and English one.")
    return check


def _sheet(name, value, reader):
    if isinstance(value, str) or (_is_int(value) and value >= 0):
        return None
    return (f"{name}={shown(value)}: expected a sheet's name or its position from 0, found {_kind(value)}. "
            f"Pass e.g. {name}='Ark1' or {name}=0 (the first sheet).")


def _positive_int(name, value, reader):
    if _is_int(value) and value > 0:
        return None
    return f"{name}={shown(value)}: expected a whole number above 0, found {_kind(value)}. Pass e.g. {name}=1_000_000."


def _text(name, value, reader):
    if isinstance(value, str):
        return None
    return f"{name}={shown(value)}: expected text, found {_kind(value)}."


def _path(name, value, reader):
    if isinstance(value, str) or (isinstance(value, os.PathLike) and isinstance(os.fspath(value), str)):
        return None
    if reader == "read_xes" and hasattr(value, "read"):
        return None  # a binary file object
    file_object = " or a file object open in binary mode ('rb')" if reader == "read_xes" else ""
    return (f"{name}={shown(value)}: expected the file's path as text or a pathlib.Path{file_object}, found "
            f"{_kind(value)}. Pass e.g. {reader or 'read_csv'}('data/extract.csv', ...).")


def _frame(name, value, reader):
    if reader not in _PANDAS_READERS:
        return None  # from_spark checks its Spark DataFrame itself (after importing pyspark)
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return None
    raise EventLogError(f"{reader} expects a pandas DataFrame, got {type(value).__name__}. "
                        "Use pw.read_csv / pw.read_parquet for files.")


def _engine(name, value, reader):
    from ..engine import ENGINES

    return _choice(ENGINES)(name, value, reader)


#: option name -> check(name, value, reader): the one definition of what every reader accepts.
CHECKS: dict[str, Callable] = {
    **{role: _column(required=True) for role in _ROLES_REQUIRED},
    **{role: _column(required=False) for role in _ROLES_OPTIONAL},
    "attributes": _attributes,
    "tz": _zone,
    "timestamp_format": _timestamp_format,
    "dayfirst": _flag,
    "strict": _flag,
    "duplicates": _choice(("keep", "reject")),
    "taxonomy": _instance("UnitTaxonomy", "Build one with pw.UnitTaxonomy.from_csv(...) or "
                                          "pw.UnitTaxonomy.default().extend(...)"),
    "vocabulary": _instance("Vocabulary", "Build one with pw.Vocabulary.from_csv(...) or "
                                          "pw.Vocabulary.default().extend(...)"),
    "sep": _sep,
    "encoding": _encoding,
    "sheet": _sheet,
    "max_value_chars": _positive_int,
    "engine": _engine,
    "master": _text,
    "origin": _text,
    "path": _path,
    "df": _frame,
}


def check_option(name: str, value, *, reader: str = "") -> None:
    """Raise OptionError when ``value`` is not a valid value of the reader option ``name``.

    Examples
    --------
    >>> check_option("sep", ";")
    >>> check_option("sep", ";;")
    Traceback (most recent call last):
    ...
    pathways.errors.OptionError: sep=';;': expected one character, found 2. A separator is one character, \
e.g. ';', ',', '|' or a tab '\\t'; leave it out to guess it from the header. Did you mean sep=';'?
    """
    problem = CHECKS[name](name, value, reader)
    if problem:
        raise OptionError(problem)


def reader_options(fn) -> list[str]:
    """Every option the reader ``fn`` takes: its own parameters, then those its ``**options`` pass on."""
    params = inspect.signature(inspect.unwrap(fn)).parameters.values()
    named = [p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    out = named + [o for o in _ALSO.get(fn.__name__, ()) if o not in named]
    if any(p.kind is p.VAR_KEYWORD for p in params):
        out += [o for o in _FORWARDED_ALL if o not in out]
    return out


def check_reader_options(reader: str, arguments: dict, *, accepted, required=(), n_positional_extra: int = 0,
                         positional=()) -> None:
    """Raise OptionError (naming every bad option at once) unless ``arguments`` suit the reader.

    ``arguments`` maps option names to the values given; ``accepted`` are the reader's options,
    ``required`` those it needs, ``positional`` the ones it takes by position.
    """
    problems = []
    if n_positional_extra:
        problems.append(f"{reader} takes only {' and '.join(positional)} by position, found "
                        f"{n_positional_extra} more. Pass every other option by keyword, e.g. "
                        f"{reader}(..., case='cpr', activity='haendelse', timestamp='tidspunkt').")
    for name in arguments:
        if name not in accepted:
            hint = closest(name, accepted)
            did = f" Did you mean {hint}=...?" if hint else ""
            problems.append(f"{reader} has no option {name!r}.{did} Its options are: {', '.join(accepted)}.")
    hinted = {closest(name, accepted) for name in arguments if name not in accepted}
    for name in required:
        if name not in arguments and name not in hinted:
            problems.append(f"{reader} needs {name}=... ({_WHAT[name]} column). Pass e.g. {name}='<column name>'."
                            if name in _WHAT else f"{reader} needs its {name} first: {reader}({name}, ...).")
    for name, value in arguments.items():
        if name in accepted:
            problem = CHECKS[name](name, value, reader)
            if problem:
                problems.append(problem)
    if problems:
        raise OptionError("\n".join(problems))


def checks_options(fn):
    """Decorate a public reader: its arguments are checked by :func:`check_reader_options` before it runs.

    The call is bound to the reader's signature here, so that a typo (``timestap=``) or a missing
    role is an OptionError with a did-you-mean, not Python's TypeError.
    """
    signature = inspect.signature(fn)
    params = list(signature.parameters.values())
    accepted = reader_options(fn)
    positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p.name for p in params if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    reader = fn.__name__

    @functools.wraps(fn)
    def checked(*args, **kwargs):
        arguments = dict(zip(positional, args))
        twice = [k for k in kwargs if k in arguments]
        if twice:
            raise OptionError(f"{reader} got {twice[0]} twice: by position and as {twice[0]}=. Pass it once.")
        arguments.update(kwargs)
        check_reader_options(reader, arguments, accepted=accepted, required=required, positional=positional,
                             n_positional_extra=max(0, len(args) - len(positional)))
        return fn(*args, **kwargs)

    return checked
