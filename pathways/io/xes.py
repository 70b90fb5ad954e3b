"""XES event logs (IEEE 1849): a streaming, safe reader and a streaming writer.

Reading never builds an XML tree: the standard library's expat parser calls back
for each element, values go straight into per-column arrays, and nothing of a
finished trace is kept but its rows. Entities are refused outright: a document
whose DOCTYPE declares any entity, or points at an external DTD, is rejected
with :class:`~pathways.errors.EventLogError` before anything is expanded or
fetched (this stops "billion laughs" bombs and external-entity file or network
reads). Over-long values are refused too, so memory stays bounded.

Columns follow pm4py's convention: event attributes under their XES keys
(``concept:name``, ``time:timestamp``, ``org:resource``, ...), trace attributes
prefixed ``case:`` (``case:concept:name``, ...).
"""

from __future__ import annotations

import gzip
import io
import json
import math
import os
import re
from array import array
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import quoteattr

from .. import rejections
from .. import schema as S
from ..errors import EventLogError, closest
from .options import checks_options
from ._safe_xml import Refused as _Refused
from ._safe_xml import file_failure as _file_failure
from ._safe_xml import parse, safe_parser

if TYPE_CHECKING:
    from ..eventlog import EventLog

#: Longest attribute key or value (in characters) the reader accepts.
MAX_VALUE_CHARS = 1_000_000
#: Most different attribute keys (event and trace keys) a file may use when every key is read: each
#: becomes a column. A file with more is refused while it streams; ``keys=``/``attributes=`` read some.
MAX_ATTRIBUTE_KEYS = 1_000
#: The columns every frame from :func:`parse_xes` has, even for an empty log.
STANDARD_COLUMNS = ("case:concept:name", "concept:name", "time:timestamp")

_MAX_DEPTH = 256
# a frame of n_rows x n_columns cells may exceed the values read by this factor (plus a fixed allowance)
_SPARSE_FACTOR, _SPARSE_ALLOWANCE = 100, 50_000_000
_SCALARS = {"string": "s", "id": "s", "int": "i", "float": "f", "boolean": "b", "date": "d"}
_NESTED = ("list", "container")
_BOOLS = {"true": True, "1": True, "false": False, "0": False}
# an explicit offset after a time of day: "...10:00:00+01:00", "...10:00Z"
_OFFSET = re.compile(r"\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[Zz]|[+-]\d{2}(?::?\d{2})?)\s*$")
# characters XML 1.0 cannot carry, not even escaped
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# element kinds on the parser's stack
_LOG, _TRACE, _EVENT, _ATTR, _VALUES, _SKIP = range(6)


class _Col:
    """One event-level column: the rows that have a value, the values, and their XES kinds."""

    __slots__ = ("idx", "vals", "kind", "kinds")

    def __init__(self, kind: str):
        self.idx = array("q")
        self.vals: list = []
        self.kind = kind          # the kind of every value, while there is only one
        self.kinds = None         # array of kind codes once kinds are mixed

    def add(self, row: int, value, kind: str) -> None:
        self.idx.append(row)
        self.vals.append(value)
        if self.kinds is not None:
            self.kinds.append(ord(kind))
        elif kind != self.kind:
            self.kinds = array("B", [ord(self.kind)] * (len(self.vals) - 1) + [ord(kind)])


class _CaseCol:
    """One trace-level column: runs of rows (one per trace) sharing a value."""

    __slots__ = ("starts", "stops", "vals", "kinds")

    def __init__(self):
        self.starts = array("q")
        self.stops = array("q")
        self.vals: list = []
        self.kinds: list = []


class _Reader:
    """The expat callbacks: a small state machine over log / trace / event / attribute elements."""

    def __init__(self, name: str, max_value_chars: int, keys=None):
        self.name = name
        self.max = max_value_chars
        self.keys = None if keys is None else frozenset(keys) | frozenset(STANDARD_COLUMNS)  # frame column names
        self.trace_keys: set[str] = set()  # every trace key seen (also of traces without events)
        self.stack: list[list] = []  # frames: [kind, ...]
        self.cols: dict[str, _Col] = {}
        self.case_cols: dict[str, _CaseCol] = {}
        self.n_rows = 0
        self.row = -1                 # row of the open event
        self.trace_first = 0
        self.trace_attrs: dict | None = None
        self.log_attrs: dict = {}
        self.notes: dict[str, int] = {}
        self.progress = False
        p = safe_parser(self._FIX)  # safety: no entity is ever declared, expanded or fetched
        # --- content --------------------------------------------------------------
        p.StartElementHandler = self._start
        p.EndElementHandler = self._end
        p.CharacterDataHandler = self._touch
        p.CommentHandler = self._touch
        p.DefaultHandlerExpand = self._touch
        self.parser = p

    # --- what every safety refusal says to do ---------------------------------
    _FIX = ("XES files with entity declarations are refused for safety, as are attribute-default "
            "declarations and external DTDs (they can read local files, reach the network, or expand "
            "to gigabytes). "
            "Remove the <!DOCTYPE ...> declaration from the file (XES does not need one) and read it again.")

    def _touch(self, *_):
        self.progress = True

    def note(self, text: str) -> None:
        self.notes[text] = self.notes.get(text, 0) + 1

    # --- elements ---------------------------------------------------------------
    def _start(self, tag, attrs):
        self.progress = True
        name = tag.rpartition(" ")[2]
        stack = self.stack
        if not stack:
            if name != "log":
                raise _Refused(f"the root element is <{name}>, not <log>: this is not an XES file. "
                               "Check the path, or export the log as XES from the source system.")
            stack.append([_LOG])
            return
        if len(stack) >= _MAX_DEPTH:
            raise _Refused(f"elements are nested more than {_MAX_DEPTH} levels deep; an XES log needs a "
                           "handful. The file is broken or hostile: check how it was produced.")
        parent = stack[-1][0]
        if parent == _SKIP:
            stack.append([_SKIP])
        elif parent in (_LOG, _TRACE, _EVENT, _ATTR, _VALUES) and (name in _SCALARS or name in _NESTED):
            key = attrs.get("key")
            value = attrs.get("value")
            for text, what in ((key, "key"), (value, "value")):
                if text is not None and len(text) > self.max:
                    raise _Refused(
                        f"the {what} of a <{name}> attribute{'' if what == 'key' else f' {key!r}'} is "
                        f"{len(text):,} characters long, more than max_value_chars={self.max:,}. "
                        "Such values are refused to keep memory bounded; if the value is genuine, pass a "
                        "larger max_value_chars=..., else remove it from the file.")
            # frame: kind, element name, key, value, children (nested values)
            stack.append([_ATTR, name, key, value, None])
        elif parent == _LOG and name == "trace":
            self.trace_first = self.n_rows
            self.trace_attrs = {}
            stack.append([_TRACE])
        elif parent in (_LOG, _TRACE) and name == "event":
            if parent == _LOG:
                self.note("events directly under <log>, outside any trace (their case columns are empty)")
            self.row = self.n_rows
            self.n_rows += 1
            stack.append([_EVENT])
        elif parent == _ATTR and name == "values" and stack[-1][1] == "list":
            stack.append([_VALUES])
        else:
            if not (parent == _LOG and name in ("extension", "global", "classifier")):
                self.note(f"unexpected element <{name}> ignored")
            stack.append([_SKIP])

    def _end(self, tag):
        self.progress = True
        frame = self.stack.pop()
        kind = frame[0]
        if kind == _ATTR:
            self._attribute_done(frame)
        elif kind == _TRACE:
            if self.n_rows == self.trace_first:
                self.note("traces without events (they give no rows)")
            else:
                for key, (value, code) in self.trace_attrs.items():
                    col = self.case_cols.get(key)
                    if col is None:
                        col = self.case_cols[key] = _CaseCol()
                    col.starts.append(self.trace_first)
                    col.stops.append(self.n_rows)
                    col.vals.append(value)
                    col.kinds.append(code)
            self.trace_attrs = None

    def _attribute_done(self, frame):
        _, name, key, raw, children = frame
        if name in _NESTED:
            items = children or []
            if name == "list":
                value = json.dumps([v for _, v in items], ensure_ascii=False, default=str)
            else:
                value = json.dumps({str(k): v for k, v in items}, ensure_ascii=False, default=str)
            code = "s"
            self.note(f"<{name}> attributes kept as JSON text")
        else:
            if children:
                self.note("meta-attributes (attributes nested in a scalar attribute) ignored")
            value, code = _scalar(name, raw, self)
        parent = self.stack[-1]
        pkind = parent[0]
        if pkind == _VALUES:
            parent = self.stack[-2]
            pkind = _ATTR
        if pkind == _ATTR:
            if parent[4] is None:
                parent[4] = []
            # inside a list/container: JSON-friendly values (dates stay as written)
            parent[4].append((key, value))
            return
        if key is None:
            self.note(f"<{name}> attributes without a key ignored")
            return
        if pkind == _EVENT:
            col = self.cols.get(key)
            if col is None:
                if self.keys is not None and key not in self.keys:
                    return
                self._new_key(key)
                col = self.cols[key] = _Col(code)
            col.add(self.row, value, code)
        elif pkind == _TRACE:
            if key not in self.trace_keys:
                if self.keys is not None and "case:" + key not in self.keys:
                    return
                self._new_key(key)
                self.trace_keys.add(key)
            self.trace_attrs[key] = (value, code)
        elif pkind == _LOG:
            self.log_attrs[key] = value


    def _new_key(self, key: str) -> None:
        """Count a key met for the first time: more than MAX_ATTRIBUTE_KEYS are refused (when all are read)."""
        if self.keys is None and len(self.cols) + len(self.trace_keys) >= MAX_ATTRIBUTE_KEYS:
            shown = key if len(key) <= 60 else key[:60] + "..."
            raise _Refused(
                f"the file uses more than {MAX_ATTRIBUTE_KEYS:,} different attribute keys (event and trace keys; "
                f"key number {MAX_ATTRIBUTE_KEYS + 1:,} is {shown!r}), and each key becomes a column. Such files "
                "are refused to keep memory bounded. Name the keys to keep: read_xes(..., attributes=[...]) "
                "(or parse_xes(..., keys=[...])); the other keys are then skipped as the file is read. Or check "
                "how the file was produced (a key that should have been a value?).")


def _scalar(name: str, raw, reader: _Reader):
    """(value, kind code) of a scalar XES attribute; a value that does not fit its type stays text."""
    if raw is None:
        reader.note(f"<{name}> attributes without a value (read as missing)")
        return None, _SCALARS[name]
    code = _SCALARS[name]
    if code == "s" or code == "d":
        return raw, code  # dates are parsed per column, vectorised, at the end
    try:
        if code == "i":
            return int(raw.strip()), code
        if code == "f":
            return float(raw.strip()), code
        return _BOOLS[raw.strip().lower()], code
    except (ValueError, KeyError):
        reader.note(f"<{name}> values that are not of their type (kept as text)")
        return raw, "s"


# --- turning the collected cells into columns ---------------------------------------------------

def _dates(raw):
    """A column from ISO 8601 texts: tz-aware (UTC) when every value has an offset, naive when none has.

    Values that are not dates, or a column mixing offsets and naive times, give an
    object column: Timestamps where parsing worked, the raw text where it did not.
    """
    import numpy as np
    import pandas as pd

    s = pd.Series(raw, dtype=object)
    present = s.notna().to_numpy()
    texts = s[present].astype(str)
    aware = np.zeros(len(s), dtype=bool)
    aware[present] = texts.str.contains(_OFFSET).to_numpy()
    naive = present & ~aware
    if not naive.any():
        parsed = pd.to_datetime(s, format="ISO8601", utc=True, errors="coerce")
    elif not aware.any():
        parsed = pd.to_datetime(s, format="ISO8601", errors="coerce")
    else:
        parsed = None
    if parsed is not None and not (parsed.isna().to_numpy() & present).any():
        return parsed
    out = np.empty(len(s), dtype=object)
    out[:] = None
    for mask, utc in ((aware, True), (naive, False)):
        if mask.any():
            part = pd.to_datetime(s[mask], format="ISO8601", utc=utc, errors="coerce")
            vals = np.array(part.astype(object), dtype=object)
            bad = part.isna().to_numpy()
            vals[bad] = s[mask].to_numpy()[bad]  # keep the text, so the validator can say what it was
            out[mask] = vals
    return pd.Series(out, dtype=object)


def _cell(value, code: str):
    """One value of a column whose cells have mixed XES types."""
    if code == "d" and value is not None:
        import pandas as pd

        try:
            ts = pd.Timestamp(value)
        except (ValueError, TypeError, OverflowError):
            return value
        return ts.tz_convert("UTC") if ts.tzinfo is not None else ts
    return value


def _finish(values, present, code: str | None, codes=None):
    """A pandas column from an object array ``values`` (missing = None) and the cells' kinds."""
    import numpy as np
    import pandas as pd

    if code is None:  # mixed kinds: one object column of Python values
        out = np.empty(len(values), dtype=object)
        out[:] = None
        for i in np.flatnonzero(present):
            out[i] = _cell(values[i], chr(codes[i]))
        return pd.Series(out, dtype=object)
    if code == "s":
        return pd.Series(values)
    if code == "d":
        return _dates(values)
    if code == "f":
        out = np.full(len(values), np.nan)
        out[present] = values[present].astype(float)
        return pd.Series(out)
    complete = bool(present.all())
    try:
        if code == "i":
            return pd.Series(values.astype("int64") if complete else pd.array(values, dtype="Int64"))
        return pd.Series(values.astype(bool) if complete else pd.array(values, dtype="boolean"))
    except (OverflowError, TypeError, ValueError):  # integers beyond 64 bits
        return pd.Series(values, dtype=object)


def _event_column(col: _Col, n: int):
    import numpy as np

    idx = np.frombuffer(col.idx, dtype=np.int64) if len(col.idx) else np.zeros(0, dtype=np.int64)
    values = np.empty(n, dtype=object)
    values[:] = None
    values[idx] = np.fromiter(col.vals, dtype=object, count=len(col.vals))  # a repeated key: the last wins
    present = np.zeros(n, dtype=bool)
    present[idx] = True
    if col.kinds is None:
        return values, present, None
    codes = np.full(n, ord("s"), dtype=np.uint8)
    codes[idx] = np.frombuffer(col.kinds, dtype=np.uint8)
    return values, present, codes


def _frame(reader: _Reader):
    import numpy as np
    import pandas as pd

    n = reader.n_rows
    n_values = sum(len(c.vals) for c in reader.cols.values()) + sum(
        stop - start for c in reader.case_cols.values() for start, stop in zip(c.starts, c.stops))
    n_columns = len(reader.cols) + len(reader.case_cols)
    if n * n_columns > _SPARSE_FACTOR * n_values + _SPARSE_ALLOWANCE:
        msg = (f"cannot read {reader.name} as XES: its {n:,} events use {n_columns:,} different attribute keys, "
               f"almost all empty; one column per key would take {n * n_columns:,} cells for {n_values:,} "
               "values. Such files are refused to keep memory bounded; check how the file was produced "
               "(a key that should have been a value?).")
        raise EventLogError(msg, _file_failure(msg))
    cells = {}
    for key, col in reader.cols.items():
        values, present, codes = _event_column(col, n)
        cells[key] = [values, present, codes, col.kind if codes is None else None]
    for key, ccol in reader.case_cols.items():
        name = "case:" + key
        if name in cells:  # an event attribute with the same name: the trace attribute wins
            values, present, codes, code = cells[name]
            if codes is None:
                codes = np.full(n, ord(code), dtype=np.uint8)
        else:
            values = np.empty(n, dtype=object)
            values[:] = None
            present = np.zeros(n, dtype=bool)
            codes = None
        kinds = set(ccol.kinds)
        mixed = codes is not None or len(kinds) > 1
        if mixed and codes is None:
            codes = np.full(n, ord("s"), dtype=np.uint8)
        for start, stop, value, kind in zip(ccol.starts, ccol.stops, ccol.vals, ccol.kinds):
            values[start:stop] = value
            present[start:stop] = True
            if mixed:
                codes[start:stop] = ord(kind)
        cells[name] = [values, present, codes, None if mixed else kinds.pop()]

    columns = {}
    for key in (*STANDARD_COLUMNS, *cells):
        if key in columns:
            continue
        if key in cells:
            values, present, codes, code = cells[key]
            columns[key] = _finish(values, present, code, codes)
        elif key == "time:timestamp":
            columns[key] = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns, UTC]")
        else:
            columns[key] = pd.Series([None] * n, dtype="str" if n == 0 else object)
    df = pd.DataFrame(columns, index=pd.RangeIndex(n))
    df.attrs["xes_log_attributes"] = dict(reader.log_attrs)
    df.attrs["xes_notes"] = [f"{text} ({count:,}x)" for text, count in reader.notes.items()]
    return df


# --- input ---------------------------------------------------------------------------------------

def parse_xes(path_or_file, *, max_value_chars: int = MAX_VALUE_CHARS, keys=None):
    """Read an XES file (``.xes`` or gzipped ``.xes.gz``) into a pandas DataFrame, one row per event.

    The file is streamed through the standard library's expat parser: no XML tree
    is built, and memory grows with the events read, not with the file's markup.

    Parameters
    ----------
    path_or_file : str, os.PathLike or file object
        A path, or a file object open in binary mode. Gzip is recognised by its
        content (magic bytes), whatever the file name.
    max_value_chars : int, default 1_000_000
        Longest attribute key or value accepted; a longer one raises
        :class:`~pathways.errors.EventLogError`, so a hostile or broken file
        cannot exhaust memory.
    keys : list of str, optional
        The columns to read besides the standard ones (event keys, and trace keys
        with their ``case:`` prefix, as the frame names them); the other keys are
        skipped as the file streams. By default every key is read, and a file with
        more than :data:`MAX_ATTRIBUTE_KEYS` (1,000) different keys is refused.

    Returns
    -------
    pandas.DataFrame
        One column per event attribute key as written (``concept:name``,
        ``time:timestamp``, ``org:resource``, ``lifecycle:transition``, custom
        keys), and one per trace attribute, prefixed ``case:``
        (``case:concept:name``, ...), as pm4py names them. ``case:concept:name``,
        ``concept:name`` and ``time:timestamp`` are always present (all missing
        when no element has them, and for an empty ``<log/>``). Columns hold:

        - ``<string>``, ``<id>``: text;
        - ``<int>``: ``int64`` (``Int64`` when some events lack the key);
        - ``<float>``: ``float64``; ``<boolean>``: ``bool`` (``boolean`` with gaps);
        - ``<date>``: ``datetime64[..., UTC]`` when every value carries an offset,
          naive ``datetime64`` when none does (read later in the log's ``tz``).
          A value that is not an ISO 8601 date is **kept as its raw text** (the
          column becomes ``object``, with Timestamps elsewhere), so that
          :func:`read_xes` moves exactly that row to ``log.rejected`` with the
          reason "not a date" and the text, instead of losing it here;
        - a value that does not fit its declared type (``<int value="x">``) stays text;
        - ``<list>`` and ``<container>``: JSON text (lists as arrays of values,
          containers as objects); meta-attributes nested inside scalar
          attributes are ignored.

        A key repeated within one event keeps its last value; a trace attribute
        wins over an event attribute called ``case:<key>``. Traces without events
        give no rows; ``<global>``, ``<extension>`` and ``<classifier>`` are not
        read. ``df.attrs["xes_log_attributes"]`` holds the log-level attributes
        and ``df.attrs["xes_notes"]`` what was skipped or converted, with counts.

    Raises
    ------
    EventLogError
        The XML is not well-formed (the message gives line and column); the root
        is not ``<log>``; the DOCTYPE declares any entity or refers to an
        external DTD (refused for safety: nothing is expanded or fetched; remove
        the DOCTYPE); a key or value is longer than ``max_value_chars``; more than
        1,000 different keys and no ``keys=`` (the message names one; pass ``keys=``).

    Examples
    --------
    >>> import io
    >>> from pathways.io.xes import parse_xes
    >>> xes = '''<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
    ...   <trace><string key="concept:name" value="p1"/>
    ...     <event><string key="concept:name" value="Henvisning"/>
    ...            <date key="time:timestamp" value="2023-01-02T08:00:00+01:00"/>
    ...            <int key="prioritet" value="2"/></event>
    ...     <event><string key="concept:name" value="Indlæggelse"/>
    ...            <date key="time:timestamp" value="2023-01-05T10:30:00+01:00"/>
    ...            <int key="prioritet" value="1"/></event>
    ...   </trace>
    ... </log>'''
    >>> parse_xes(io.BytesIO(xes.encode("utf-8")))
      case:concept:name concept:name            time:timestamp  prioritet
    0                p1   Henvisning 2023-01-02 07:00:00+00:00          2
    1                p1  Indlæggelse 2023-01-05 09:30:00+00:00          1
    """
    if keys is not None and (isinstance(keys, str) or not all(isinstance(k, str) for k in keys)):
        from ..errors import OptionError

        raise OptionError(f"keys={keys!r} is not allowed: give a list of key names, e.g. keys=['org:resource', "
                          "'case:alder'], or leave it out to read every key.")
    reader = parse(path_or_file, lambda name: _Reader(name, max_value_chars, keys), kind="XES",
                   function="parse_xes", max_value_chars=max_value_chars,
                   not_xml="Check the path, or export the log as XES from the source system.")
    return _frame(reader)


# --- reading into an EventLog ------------------------------------------------------------------

#: XES keys :func:`read_xes` maps when a role is left at "auto", in order of preference.
AUTO_KEYS = {
    "end_timestamp": ("pathways:end_timestamp",),
    "unit": ("org:group", "unit"),
    "resource": ("org:resource",),
    "referral_to": ("pathways:referral_to",),
}


@checks_options
def read_xes(path, *, case: str = "case:concept:name", activity: str = "concept:name",
             timestamp: str = "time:timestamp", end_timestamp: str | None = "auto",
             unit: str | None = "auto", resource: str | None = "auto", referral_to: str | None = "auto",
             max_value_chars: int = MAX_VALUE_CHARS, **options):
    """Read an XES file (``.xes`` or ``.xes.gz``) into an EventLog.

    The file is parsed by :func:`parse_xes` (streaming; entities refused), then
    validated by :func:`pathways.from_pandas`: rows with a missing case id,
    activity or time, or a time that is not a date, go to ``log.rejected`` with
    their reason.

    Parameters
    ----------
    path : str or os.PathLike
        The file (or a binary file object).
    case, activity, timestamp : str
        Columns of :func:`parse_xes`'s frame: by default the trace's
        ``concept:name`` (``case:concept:name``), the event's ``concept:name``
        and ``time:timestamp``.
    end_timestamp, unit, resource, referral_to : str, None or "auto", default "auto"
        A column name, None for "not in this log", or "auto": ``unit`` is
        ``org:group`` (XES's organisational group, which is where hospital units
        and municipal teams go) or else a ``unit`` key; ``resource`` is
        ``org:resource``; ``end_timestamp`` and ``referral_to`` are the
        ``pathways:end_timestamp`` and ``pathways:referral_to`` keys that
        :func:`write_xes` writes. A key the file does not have maps to None.
        Start and complete events (``lifecycle:transition``) stay separate
        events; for pm4py's interval convention pass
        ``timestamp="start_timestamp", end_timestamp="time:timestamp"``.
    max_value_chars : int, default 1_000_000
        See :func:`parse_xes`.
    **options
        Those of :func:`pathways.from_pandas` (``tz``, ``attributes``,
        ``taxonomy``, ``strict``, ...). Every column not mapped to a role becomes
        an attribute unless ``attributes=[...]`` says otherwise; then only the
        keys of the roles and of ``attributes`` are read from the file (the
        others are skipped as it streams), which also reads a file with more
        than :data:`MAX_ATTRIBUTE_KEYS` different keys.

    Returns
    -------
    EventLog

    Examples
    --------
    >>> import pathways as pw, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "forloeb.xes")
    >>> with open(path, "w", encoding="utf-8") as f:
    ...     _ = f.write('''<?xml version="1.0" encoding="UTF-8"?>
    ... <log xes.version="1.0" xmlns="http://www.xes-standard.org/">
    ...   <trace><string key="concept:name" value="p1"/>
    ...     <event><string key="concept:name" value="Henvisning"/>
    ...            <string key="org:group" value="Egen læge"/>
    ...            <date key="time:timestamp" value="2023-01-02T08:00:00+01:00"/></event>
    ...     <event><string key="concept:name" value="Indlæggelse"/>
    ...            <string key="org:group" value="Medicinsk afdeling"/>
    ...            <date key="time:timestamp" value="2023-01-05T10:30:00+01:00"/></event>
    ...     <event><string key="concept:name" value="Udskrivning"/>
    ...            <date key="time:timestamp" value="5. januar"/></event>
    ...   </trace>
    ... </log>''')
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     log = pw.read_xes(path)
    >>> log
    EventLog: 2 events, 1 cases, 2 activities, 2 units, 2023-01-02 → 2023-01-05, 1 rows rejected
    >>> log.rejected
       row          code            column       problem        value
    0    2  [not_a_date]  [time:timestamp]  [not a date]  [5. januar]
    """
    from .pandas import from_pandas

    roles = {"case": case, "activity": activity, "timestamp": timestamp}
    chosen = {"end_timestamp": end_timestamp, "unit": unit, "resource": resource, "referral_to": referral_to}
    keys = None
    if options.get("attributes") is not None:  # read only the keys that can reach the log
        keys = [*roles.values(), *(k for role, col in chosen.items() if col is not None
                                   for k in (AUTO_KEYS[role] if col == "auto" else [col])), *options["attributes"]]
    df = parse_xes(path, max_value_chars=max_value_chars, keys=keys)
    name = repr(os.fspath(path)) if isinstance(path, (str, os.PathLike)) else "the XES stream"
    for role, col in chosen.items():
        if col == "auto":
            col = next((k for k in AUTO_KEYS[role] if k in df.columns and df[k].notna().any()), None)
        if col is not None:
            roles[role] = col
    if len(df):
        for role in ("case", "activity", "timestamp"):
            col = roles[role]
            if col in df.columns and not df[col].notna().any():
                keys = [c for c in df.columns if df[c].notna().any()]
                hint = closest(col, keys)
                raise EventLogError(
                    f"{role}={col!r}: no {'trace' if col.startswith('case:') else 'event'} in {name} has this "
                    f"key. Keys with values: {', '.join(map(repr, keys))}"
                    + (f" (closest: {hint!r})" if hint else "") + f". Pass {role}='<key>'.",
                    _file_failure(f"no values for {col!r}"))
    if isinstance(path, (str, os.PathLike)):
        options.setdefault("origin", os.fspath(path))
    return from_pandas(df, **roles, **options)


# --- writing -----------------------------------------------------------------------------------

_HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!-- written by pathways -->\n'
    '<log xes.version="1.0" xmlns="http://www.xes-standard.org/">\n'
    '\t<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>\n'
    '\t<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>\n'
    '\t<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>\n'
    '\t<global scope="trace">\n\t\t<string key="concept:name" value="__INVALID__"/>\n\t</global>\n'
    '\t<global scope="event">\n\t\t<string key="concept:name" value="__INVALID__"/>\n'
    '\t\t<date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>\n\t</global>\n'
    '\t<classifier name="Activity" keys="concept:name"/>\n'
)
#: canonical column -> XES key written for it (when the log maps the role)
ROLE_KEYS = {S.ACTIVITY: "concept:name", S.TIMESTAMP: "time:timestamp", S.RESOURCE: "org:resource",
             S.UNIT: "org:group", S.END: "pathways:end_timestamp", S.REFERRAL_TO: "pathways:referral_to"}
_ROWS_PER_CHUNK = 20_000


def _iso(values, mask):
    """ISO 8601 texts (with offset when aware) of a datetime column; milliseconds unless finer is needed."""
    import numpy as np

    out = np.empty(len(values), dtype=object)
    out[:] = None
    py = values[mask]
    if len(py):
        fine = any(d.microsecond % 1000 for d in py)
        spec = "microseconds" if fine else "milliseconds"
        out[mask] = [d.isoformat(timespec=spec) for d in py]
    return out


def _typed_cell(v):
    """(XES type, text) of one Python value, or None when missing."""
    import datetime as dt

    import numpy as np
    import pandas as pd

    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, (bool, np.bool_)):
        return "boolean", "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return "int", str(int(v))
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else ("float", _float_text(float(v)))
    if isinstance(v, dt.datetime):
        return "date", pd.Timestamp(v).isoformat()
    return "string", str(v)


def _float_text(x: float) -> str:
    if math.isinf(x):
        return "INF" if x > 0 else "-INF"
    return repr(x)


def _xml_text(text: str, column, row) -> str:
    """``text`` unchanged, or EventLogError when it holds a character XML 1.0 cannot carry."""
    bad = _NOT_XML.search(text)
    if bad is None:
        return text
    import pandas as pd

    raise EventLogError(
        f"column {column!r}, row {row}: the value contains the character {bad.group()!r}, which XML "
        "cannot hold. Remove control characters from that column (e.g. "
        "df[col].str.replace(r'[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]', '', regex=True)) and build the log again.",
        rejections.long_form(pd.DataFrame({"row": pd.Series([int(row)], dtype="int64"), "column": [str(column)],
                                           "code": ["xml_character"], "value": [text[:200]]})))


def _fragments(series, key: str, rows):
    """Per row: the XML element for ``key`` (empty text when the value is missing)."""
    import numpy as np
    import pandas as pd
    from pandas.api import types as t

    qkey = quoteattr(_xml_text(key, key, "(column name)"))
    n = len(series)
    mask = series.notna().to_numpy()
    out = np.full(n, "", dtype=object)
    if not mask.any():
        return out
    if t.is_bool_dtype(series.dtype):
        vals = series.to_numpy(dtype=object)
        out[mask] = [f'<boolean key={qkey} value="{"true" if v else "false"}"/>' for v in vals[mask]]
    elif t.is_integer_dtype(series.dtype):
        vals = series.to_numpy(dtype=object)
        out[mask] = [f'<int key={qkey} value="{int(v)}"/>' for v in vals[mask]]
    elif t.is_float_dtype(series.dtype):
        vals = series.to_numpy(dtype=float, na_value=np.nan)
        out[mask] = [f'<float key={qkey} value="{_float_text(float(v))}"/>' for v in vals[mask]]
    elif t.is_datetime64_any_dtype(series.dtype):
        texts = _iso(np.asarray(series.dt.to_pydatetime(), dtype=object), mask)
        out[mask] = [f"<date key={qkey} value={quoteattr(v)}/>" for v in texts[mask]]
    elif isinstance(series.dtype, pd.StringDtype):
        vals = series.to_numpy(dtype=object, na_value=None)
        for i in np.flatnonzero(mask):
            out[i] = f"<string key={qkey} value={quoteattr(_xml_text(vals[i], series.name, rows[i]))}/>"
    else:
        vals = series.astype(object).to_numpy()
        for i in np.flatnonzero(mask):
            typed = _typed_cell(vals[i])
            if typed is not None:
                xes_type, text = typed
                if xes_type == "string":
                    text = _xml_text(text, series.name, rows[i])
                out[i] = f"<{xes_type} key={qkey} value={quoteattr(text)}/>"
    return out


def write_xes(log: EventLog, path, *, make_dirs: bool = False) -> Path:
    """Write an EventLog to an XES file (IEEE 1849 / XES 1.0); a ``.gz`` path is gzipped.

    One ``<trace>`` per case, cases in the order of their first event, events in
    time order (ties in input order). The trace's ``concept:name`` is the case id.
    Each event has ``concept:name`` (activity) and ``time:timestamp`` (ISO 8601
    with the offset of the log's time zone), ``org:resource`` (resource) and
    ``org:group`` (unit) when the log maps them, ``pathways:end_timestamp`` and
    ``pathways:referral_to`` likewise, and every attribute under its own name,
    typed by its dtype (``int``, ``float``, ``boolean``, ``date``, else
    ``string``); missing values are left out. An attribute named ``case:<key>``
    whose value is constant within every case is written once per trace as
    ``<key>``. The derived ``event_type``, ``domain`` and ``sector`` are not
    written (they are derived again when the file is read). All text is escaped;
    the file is written to a temporary name and renamed, so a failure leaves no
    half-written file; the file the log was read from is never replaced.

    Parameters
    ----------
    log : EventLog
    path : str or os.PathLike
        Target file; ending in ``.gz`` writes gzip. Its folder must exist.
    make_dirs : bool, default False
        Create the folder of ``path`` when it does not exist.

    Returns
    -------
    pathlib.Path
        The path written, so that ``read_xes(write_xes(log, path))`` reads it back.

    Raises
    ------
    EventLogError
        A text value holds a character XML 1.0 cannot represent (a control
        character such as ``\\x00``); the message names the column and row.

    Examples
    --------
    >>> import pandas as pd, pathways as pw, tempfile, os
    >>> df = pd.DataFrame({"pt": ["A", "A"], "what": ["Henvisning", "Indlæggelse"],
    ...                    "when": ["2023-01-02 08:00", "2023-01-05 10:30"],
    ...                    "afsnit": ["Egen læge", "Psykiatri & Co"]})
    >>> log = pw.from_pandas(df, case="pt", activity="what", timestamp="when", unit="afsnit")
    >>> path = pw.write_xes(log, os.path.join(tempfile.mkdtemp(), "log.xes"))
    >>> [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if "org:group" in line]
    ['<string key="org:group" value="Egen læge"/>', '<string key="org:group" value="Psykiatri &amp; Co"/>']
    >>> pw.read_xes(path)
    EventLog: 2 events, 1 cases, 2 activities, 2 units, 2023-01-02 → 2023-01-05, 0 rows rejected
    """
    import numpy as np

    from ..files import check_output, sources, write_atomically

    path = check_output(path, inputs=sources(log), make_dirs=make_dirs)  # before the events are sorted
    df = log.to_pandas()
    mapped = {c: k for c, k in ROLE_KEYS.items() if c in (S.ACTIVITY, S.TIMESTAMP) or log.has(_role(c))}
    attrs = [c for c in df.columns if c not in S.RESERVED]
    taken = {"concept:name" if c == S.CASE else k for c, k in mapped.items()} | {"case:concept:name"}
    clash = [a for a in attrs if a in taken]
    if clash:
        raise EventLogError(
            f"attribute {clash[0]!r} has the same XES key as a column the log maps to a role "
            f"({', '.join(f'{k}={c}' for c, k in mapped.items())}). Rename the attribute (or build the "
            "log without mapping that role) and write again.")
    # cases in the order of their first event; events by time, then input row
    df = df.sort_values([S.TIMESTAMP, S.ROW], kind="stable")
    order = df.groupby(S.CASE, sort=False).ngroup().to_numpy()
    df = df.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)
    cases = df[S.CASE].astype(str).to_numpy(dtype=object)
    case_level = [a for a in attrs if str(a).startswith("case:") and len(df)
                  and (df.groupby(S.CASE, sort=False)[a].nunique(dropna=False) <= 1).all()]
    event_keys = [(c, k) for c, k in mapped.items()] + [(a, str(a)) for a in attrs if a not in case_level]
    gz = path.name.lower().endswith(".gz")

    def write(tmp: str) -> None:
        with open(tmp, "wb") as raw:
            binary = gzip.GzipFile(fileobj=raw, mode="wb", filename="", mtime=0) if gz else raw
            with io.TextIOWrapper(binary, encoding="utf-8", newline="\n") as out:
                out.write(_HEADER)
                _write_traces(out, df, cases, event_keys, case_level)
                out.write("</log>\n")

    return write_atomically(path, write, inputs=sources(log), make_dirs=make_dirs)


def _role(column: str) -> str:
    return next(r for r, c in S.ROLES.items() if c == column)


def _write_traces(out, df, cases, event_keys, case_level) -> None:
    rows = df[S.ROW].to_numpy()
    n = len(df)
    open_case = None
    for lo in range(0, n, _ROWS_PER_CHUNK):
        hi = min(lo + _ROWS_PER_CHUNK, n)
        part = df.iloc[lo:hi]
        frags = [_fragments(part[c], k, rows[lo:hi]) for c, k in event_keys]
        trace_frags = [_fragments(part[a], str(a)[len("case:"):], rows[lo:hi]) for a in case_level]
        case_id = _fragments(part[S.CASE].astype(str), "concept:name", rows[lo:hi])
        buf = []
        for j in range(hi - lo):
            i = lo + j
            if open_case is None or cases[i] != open_case:
                if open_case is not None:
                    buf.append("\t</trace>\n")
                open_case = cases[i]
                buf.append("\t<trace>\n\t\t" + case_id[j] + "\n")
                buf.extend(f"\t\t{f[j]}\n" for f in trace_frags if f[j])
            buf.append("\t\t<event>\n")
            buf.extend(f"\t\t\t{f[j]}\n" for f in frags if f[j])
            buf.append("\t\t</event>\n")
        out.write("".join(buf))
    if open_case is not None:
        out.write("\t</trace>\n")


__all__ = ["parse_xes", "read_xes", "write_xes", "MAX_VALUE_CHARS", "STANDARD_COLUMNS"]
