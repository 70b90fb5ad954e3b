"""Fuzzed inputs: random CSV text, random frames, random XES documents.

Every input either becomes an EventLog whose rows plus rejected rows are exactly the
input rows (each row number once), or raises EventLogError with a message; nothing
else (no other exception, no hang). Every analysis runs on every log built.

Small numbers of examples here; the long run is documented in benchmarks/README.md.
"""

from __future__ import annotations

import csv
import io
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import pathways as pw
from pathways.errors import EventLogError
from pathways.io.xes import parse_xes, read_xes
import pathways_fuzz as F  # tests/hardening/_fuzz.py, registered by tests/conftest.py


# --------------------------------------------------------------------------- CSV
ROLE_COLUMNS = ["cpr", "hændelse", "tidspunkt", "afsnit"]


@st.composite
def csv_extracts(draw):
    """(bytes, n_records, header, sep given or None): a CSV written by Python's csv module from random cells."""
    sep = draw(st.sampled_from([";", ",", "\t", "|"]))
    # header names with separators, quotes, line breaks and control characters (issue 19)
    extra = draw(st.lists(st.one_of(st.sampled_from(["alder", "akut", "", "cpr", "row", "case_id", "__pw_row",
                                                       "__pw_raw_ts", "__dup_of", "a;b", 'x"y', "æøå", " ",
                                                       'note\n"', "a\rb", "c\r\nd", "\x1b[2J", "nul\x00",
                                                       "\x07bell", "\x85", "\u2028"]),
                                    st.text(max_size=6)), max_size=3))
    header = ROLE_COLUMNS + extra
    n = draw(st.integers(0, 25))
    rows = []
    for _ in range(n):
        width = len(header) if draw(st.integers(0, 9)) else draw(st.integers(1, len(header) + 2))
        cells = [draw(F.texts()), draw(F.texts()), draw(F.date_texts()), draw(F.texts())]
        cells += [draw(F.texts()) for _ in range(max(0, width - 4))]
        rows.append(cells[:width])
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    w.writerow(header)
    w.writerows(rows)
    text = buf.getvalue()
    if draw(st.integers(0, 4)) == 0:  # blank lines before the header
        text = draw(st.sampled_from(["\n", "\r\n", "\n\n", "  \n"])) + text
    if draw(st.integers(0, 4)) == 0:  # no line break after the last record (or the header)
        text = text.rstrip("\r\n")
    # blank lines are not records; csv writes a lone empty field as "" so none are produced here
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    data = text.encode(encoding, errors="replace")
    if encoding == "cp1252":
        text = data.decode("cp1252")
    records = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=sep))
    while records and not "".join(records[0]).strip() and len(records[0]) <= 1:
        records.pop(0)  # blank lines before the header
    n_records = max(len(records) - 1, 0)
    given_sep = draw(st.sampled_from([sep, None]))
    return data, n_records, header, given_sep


@F.fuzz_settings(30)
@given(extract=csv_extracts(), dayfirst=st.booleans(), duplicates=st.sampled_from(["keep", "reject"]))
def test_csv_files_become_a_log_or_an_event_log_error(tmp_path_factory, extract, dayfirst, duplicates):
    data, n_records, header, sep = extract
    path = tmp_path_factory.mktemp("csv") / "extract.csv"
    path.write_bytes(data)
    log = F.expect_log_or_error(lambda: pw.read_csv(path, case="cpr", activity="hændelse", timestamp="tidspunkt",
                                                    unit="afsnit", sep=sep, dayfirst=dayfirst,
                                                    duplicates=duplicates))
    if log is None:
        return
    if sep is not None and "\r" not in data.decode("utf-8", "replace").replace("\r\n", ""):
        assert log.n_read == n_records  # as many rows as Python's csv module reads
    F.check_accounting(log, log.n_read)


@F.fuzz_settings(30)
@given(data=st.binary(max_size=400), sep=st.sampled_from([None, ";", ","]))
def test_random_bytes_as_csv(tmp_path_factory, data, sep):
    path = tmp_path_factory.mktemp("csv") / "random.csv"
    path.write_bytes(b"cpr;h\xc3\xa6ndelse;tidspunkt\n" + data if data[:1] != b"!" else data)
    log = F.expect_log_or_error(lambda: pw.read_csv(path, case="cpr", activity="hændelse", timestamp="tidspunkt",
                                                    sep=sep))
    if log is not None:
        F.check_accounting(log, log.n_read)


# --------------------------------------------------------------------------- frames
def _dates(values, *, utc: bool):
    try:
        return pd.Series(pd.to_datetime(values, errors="coerce", format="mixed", utc=utc))
    except (ValueError, OverflowError):  # mixed offsets need utc=True
        return pd.Series(pd.to_datetime(values, errors="coerce", format="mixed", utc=True))


@st.composite
def frames(draw):
    """A DataFrame with object columns of mixed Python types and typed columns (dates, numbers, categories)."""
    n = draw(st.integers(0, 20))
    col = lambda elems: draw(st.lists(elems, min_size=n, max_size=n))  # noqa: E731
    kinds = {
        "text": lambda: pd.Series(col(F.texts()), dtype=object),
        "mixed": lambda: pd.Series(col(F.cell_values()), dtype=object),
        "string": lambda: pd.Series(col(st.one_of(F.texts(), st.none())), dtype="string"),
        "datetime": lambda: _dates(col(F.date_texts()), utc=False),
        "datetime_tz": lambda: _dates(col(F.date_texts()), utc=True),
        "datetime_s": lambda: pd.Series(np.array(col(st.integers(-(2 ** 40), 2 ** 40)), dtype="datetime64[s]")),
        "int": lambda: pd.Series(col(st.integers(-(2 ** 63), 2 ** 63 - 1)), dtype="int64"),
        "Int64": lambda: pd.Series(col(st.one_of(st.none(), st.integers(-1000, 1000))), dtype="Int64"),
        "float": lambda: pd.Series(col(st.floats(allow_nan=True, allow_infinity=True)), dtype="float64"),
        "bool": lambda: pd.Series(col(st.booleans()), dtype=bool),
        "category": lambda: pd.Series(col(F.texts()), dtype="category"),
        "timedelta": lambda: pd.Series(pd.to_timedelta(col(st.integers(-(10 ** 12), 10 ** 12)), unit="s")),
    }
    roles = {}
    for role, choices in (("case", ["text", "mixed", "string", "int", "Int64", "float", "category", "bool"]),
                          ("activity", ["text", "text", "mixed", "string", "category", "int"]),
                          ("timestamp", ["text", "mixed", "datetime", "datetime_tz", "datetime_s", "string",
                                         "float", "timedelta"]),
                          ("unit", ["text", "text", "mixed", "category", "string"])):
        roles[role] = draw(st.sampled_from(choices))
    names = draw(st.lists(st.one_of(st.sampled_from(["", "cpr", "row", "case_id", "unit", "__pw_row", "a b",
                                                     'q"uote', "0", "æ"]), st.text(max_size=5)),
                          min_size=4, max_size=7))
    extra_kinds = [draw(st.sampled_from(sorted(kinds))) for _ in names[4:]]
    data = {}
    for name, kind in zip(names, [*roles.values(), *extra_kinds]):
        data.setdefault(name, kinds[kind]())
    columns = list(data)
    df = pd.DataFrame(data) if columns else pd.DataFrame(index=range(n))
    if draw(st.booleans()) and len(columns) >= 2:  # duplicate column names
        df.columns = [columns[0]] * 2 + columns[2:]
    if draw(st.booleans()):  # a non-default index
        df.index = pd.Index(draw(st.lists(st.integers(), min_size=n, max_size=n)))
    mapping = {r: (columns[i] if i < len(columns) else "missing") for i, r in enumerate(roles)}
    return df, mapping


@F.fuzz_settings(30)
@given(frame=frames(), dayfirst=st.booleans(), strict=st.booleans())
def test_frames_become_a_log_or_an_event_log_error(frame, dayfirst, strict):
    df, mapping = frame
    before = df.copy(deep=True)
    log = F.expect_log_or_error(lambda: pw.from_pandas(df, **mapping, dayfirst=dayfirst, strict=strict))
    pd.testing.assert_frame_equal(df, before)  # the caller's frame is never changed
    if log is not None:
        F.check_accounting(log, len(df))
        if strict:
            assert len(log.rejected) == 0


# --------------------------------------------------------------------------- XES
XES_TYPES = ["string", "date", "int", "float", "boolean", "id"]


def _attr(draw, key=None):
    kind = draw(st.sampled_from(XES_TYPES + ["list", "container"]))
    key = key if key is not None else draw(st.one_of(st.sampled_from(["concept:name", "org:group", "time:timestamp",
                                                                      "org:resource", "lifecycle:transition",
                                                                      "alder", "akut"]), st.text(max_size=6)))
    if kind in ("list", "container"):
        inner = "".join(f'<string key={quoteattr(str(i))} value={quoteattr(draw(F.texts()))}/>' for i in range(2))
        body = f"<values>{inner}</values>" if kind == "list" else inner
        return f"<{kind} key={quoteattr(key)}>{body}</{kind}>"
    value = draw(st.one_of(F.texts(), F.date_texts(), st.integers().map(str), st.floats().map(str),
                           st.sampled_from(["true", "false", "1", "maybe"])))
    value = "".join(ch for ch in value if ch in "\t\n\r" or 0x20 <= ord(ch) < 0xD800 or 0xE000 <= ord(ch) < 0xFFFE)
    return f"<{kind} key={quoteattr(key)} value={quoteattr(value)}/>"


@st.composite
def xes_documents(draw):
    """(bytes, n_events or None when the document is broken on purpose)."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0" xmlns="http://www.xes-standard.org/">']
    parts += [_attr(draw) for _ in range(draw(st.integers(0, 2)))]
    n_events = 0
    for t in range(draw(st.integers(0, 6))):
        parts.append("<trace>")
        if draw(st.integers(0, 5)):
            parts.append(f'<string key="concept:name" value={quoteattr(draw(F.texts()))}/>')
        parts += [_attr(draw) for _ in range(draw(st.integers(0, 1)))]
        for _ in range(draw(st.integers(0, 5))):
            n_events += 1
            attrs = []
            if draw(st.integers(0, 9)):
                attrs.append(f'<string key="concept:name" value={quoteattr(draw(F.texts()).replace(chr(0), ""))}/>')
            if draw(st.integers(0, 9)):
                attrs.append(f'<date key="time:timestamp" value={quoteattr(draw(F.date_texts()))}/>')
            if draw(st.booleans()):
                attrs.append(f'<string key="org:group" value={quoteattr(draw(st.sampled_from(F.UNITS)))}/>')
            attrs += [_attr(draw) for _ in range(draw(st.integers(0, 2)))]
            parts.append("<event>" + "".join(attrs) + "</event>")
        parts.append("</trace>")
    parts.append("</log>")
    doc = "\n".join(parts)
    # control characters that XML cannot carry make the document malformed: that is an error, not a log
    broken = any(ord(ch) < 0x20 and ch not in "\t\n\r" for ch in doc)
    damage = draw(st.sampled_from(["none", "none", "none", "truncate", "flip", "doctype"]))
    data = doc.encode("utf-8")
    if damage == "truncate":
        data = data[:draw(st.integers(0, len(data)))]
    elif damage == "flip" and data:
        i = draw(st.integers(0, len(data) - 1))
        data = data[:i] + bytes([draw(st.integers(0, 255))]) + data[i + 1:]
    elif damage == "doctype":
        data = data.replace(b"<log ", b'<!DOCTYPE log [<!ENTITY e "x">]>\n<log ', 1)
    return data, (None if broken or damage != "none" else n_events)


@F.fuzz_settings(30)
@given(doc=xes_documents())
def test_xes_documents_become_a_log_or_an_event_log_error(doc):
    data, n_events = doc
    try:
        frame = parse_xes(io.BytesIO(data))
    except EventLogError as err:
        assert str(err).strip()
        assert n_events is None or n_events == 0 or "not well-formed" not in str(err), err
        return
    if n_events is not None:
        assert len(frame) == n_events
    log = F.expect_log_or_error(lambda: read_xes(io.BytesIO(data)))
    if log is not None:
        F.check_accounting(log, len(frame))


# --------------------------------------------------------------------------- analyses on fuzzed logs
@st.composite
def fuzzed_logs(draw):
    """Logs that build: plausible columns, but with nasty names, ties, huge and tiny dates, NA ids."""
    n = draw(st.integers(1, 30))
    cases = draw(st.lists(st.sampled_from(["A", "B", "C", "NA", "", "D", "0", "<b>", "E F"]), min_size=n, max_size=n))
    acts = draw(st.lists(st.one_of(st.sampled_from(F.ACTIVITIES), st.sampled_from(F.NASTY)), min_size=n, max_size=n))
    dates = draw(st.lists(F.date_texts(), min_size=n, max_size=n))
    with_unit = draw(st.booleans())
    data = {"pt": cases, "act": acts, "ts": dates}
    if with_unit:
        data["afsnit"] = draw(st.lists(st.one_of(st.sampled_from(F.UNITS), st.sampled_from(F.NASTY), st.none()),
                                       min_size=n, max_size=n))
    if draw(st.booleans()):
        data["akut"] = draw(st.lists(st.sampled_from(["ja", "nej", True, False, None, 1]), min_size=n, max_size=n))
    df = pd.DataFrame(data)
    return df, dict(case="pt", activity="act", timestamp="ts", **({"unit": "afsnit"} if with_unit else {}))


@F.fuzz_settings(4, long_share=0.1)
@given(frame=fuzzed_logs(), dayfirst=st.booleans(), route=st.sampled_from(["frame", "csv", "xes"]))
def test_every_analysis_runs_on_every_fuzzed_log(tmp_path_factory, frame, dayfirst, route):
    """Logs built through each reader (a frame, the frame written as CSV, or as XES) run every analysis."""
    df, mapping = frame
    log = F.expect_log_or_error(lambda: pw.from_pandas(df, **mapping, dayfirst=dayfirst))
    assume(log is not None)
    F.check_accounting(log, len(df))
    if route == "csv":
        path = tmp_path_factory.mktemp("csv") / "udtraek.csv"
        df.to_csv(path, sep=";", index=False)
        log = F.expect_log_or_error(lambda: pw.read_csv(path, **mapping, sep=";", dayfirst=dayfirst))
    elif route == "xes":
        path = tmp_path_factory.mktemp("xes") / "udtraek.xes"
        log = F.expect_log_or_error(lambda: read_xes(pw.write_xes(log, path)))  # control characters: refused
    assume(log is not None)
    F.check_accounting(log, log.n_read)
    F.run_every_analysis(log)
