"""Tests of pathways.io.xes: the safe streaming XES reader and the writer."""

from __future__ import annotations

import gzip
import io
import json
import math
import time
import warnings

import numpy as np
import pandas as pd
import pytest

from pathways.errors import EventLogError
from pathways.io.xes import STANDARD_COLUMNS, parse_xes, read_xes, write_xes
from pathways.rejections import exploded


SMALL = """<?xml version="1.0" encoding="UTF-8"?>
<!-- two patients, five events -->
<log xes.version="1.0" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <global scope="event"><string key="concept:name" value="__INVALID__"/></global>
  <classifier name="Activity" keys="concept:name"/>
  <string key="concept:name" value="Udtræk, Region Syddanmark"/>
  <trace>
    <string key="concept:name" value="pt-1"/>
    <int key="alder" value="67"/>
    <event>
      <string key="concept:name" value="Henvisning"/>
      <date key="time:timestamp" value="2023-03-01T08:15:00+01:00"/>
      <string key="org:resource" value="Søren Ærø-Øvlisen"/>
      <string key="org:group" value="Egen læge"/>
      <boolean key="akut" value="false"/>
    </event>
    <event>
      <string key="concept:name" value="Indlæggelse"/>
      <date key="time:timestamp" value="2023-03-26T09:00:00.500+02:00"/>
      <string key="org:group" value="Psykiatri &amp; Somatik"/>
      <boolean key="akut" value="true"/>
      <float key="score" value="2.5"/>
      <list key="diagnoser"><values><string key="d" value="DF32"/><string key="d" value="DI10"/></values></list>
    </event>
    <event>
      <string key="concept:name" value="Udskrivning"/>
      <date key="time:timestamp" value="2023-03-30T14:00:00Z"/>
      <string key="org:group" value="Psykiatri &amp; Somatik"/>
      <boolean key="akut" value="false"/>
    </event>
  </trace>
  <trace>
    <string key="concept:name" value="pt-2"/>
    <int key="alder" value="45"/>
    <event>
      <string key="concept:name" value="Henvisning &amp; visitation"/>
      <date key="time:timestamp" value="2023-04-03T10:00:00+02:00"/>
      <string key="org:group" value="Egen læge"/>
      <boolean key="akut" value="false"/>
    </event>
    <event>
      <string key="concept:name" value="Afslag"/>
      <date key="time:timestamp" value="2023-04-04T11:30:00+02:00"/>
      <string key="org:resource" value="Åse Ødegård"/>
      <string key="org:group" value="Distriktspsykiatri"/>
      <boolean key="akut" value="false"/>
      <float key="score" value="-1e3"/>
    </event>
  </trace>
  <trace><string key="concept:name" value="pt-3 (no events)"/></trace>
</log>
"""

UTC = "UTC"
EXPECTED = {
    "case:concept:name": ["pt-1", "pt-1", "pt-1", "pt-2", "pt-2"],
    "concept:name": ["Henvisning", "Indlæggelse", "Udskrivning", "Henvisning & visitation", "Afslag"],
    "time:timestamp": [pd.Timestamp("2023-03-01 07:15", tz=UTC), pd.Timestamp("2023-03-26 07:00:00.5", tz=UTC),
                       pd.Timestamp("2023-03-30 14:00", tz=UTC), pd.Timestamp("2023-04-03 08:00", tz=UTC),
                       pd.Timestamp("2023-04-04 09:30", tz=UTC)],
    "org:resource": ["Søren Ærø-Øvlisen", None, None, None, "Åse Ødegård"],
    "org:group": ["Egen læge", "Psykiatri & Somatik", "Psykiatri & Somatik", "Egen læge", "Distriktspsykiatri"],
    "akut": [False, True, False, False, False],
    "score": [None, 2.5, None, None, -1000.0],
    "diagnoser": [None, '["DF32", "DI10"]', None, None, None],
    "case:alder": [67, 67, 67, 45, 45],
}


def write(tmp_path, name, text, *, gz=False):
    path = tmp_path / name
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def same(a, b) -> bool:
    """Cell equality with every kind of missing equal to every other."""
    if b is None:
        return a is None or (not isinstance(a, str) and pd.isna(a))
    return a == b


def assert_small(df):
    assert list(df.columns) == list(EXPECTED)
    assert len(df) == 5 and list(df.index) == [0, 1, 2, 3, 4]
    for column, values in EXPECTED.items():
        for i, want in enumerate(values):
            got = df[column].iloc[i]
            assert same(got, want), (column, i, got, want)
    assert str(df["time:timestamp"].dtype).startswith("datetime64[") and str(df["time:timestamp"].dt.tz) == "UTC"
    assert df["akut"].dtype == bool
    assert df["score"].dtype == np.float64
    assert df["case:alder"].dtype == np.int64
    for column in ("case:concept:name", "concept:name", "org:resource", "org:group", "diagnoser"):
        assert pd.api.types.is_string_dtype(df[column].dtype), column
    assert df.attrs["xes_log_attributes"] == {"concept:name": "Udtræk, Region Syddanmark"}
    notes = " | ".join(df.attrs["xes_notes"])
    assert "traces without events (they give no rows) (1x)" in notes
    assert "<list> attributes kept as JSON text (1x)" in notes


# --- reading -------------------------------------------------------------------------------------

def test_small_log_cell_by_cell(tmp_path):
    assert_small(parse_xes(write(tmp_path, "small.xes", SMALL)))


def test_gzip_by_name_and_by_content(tmp_path):
    assert_small(parse_xes(write(tmp_path, "small.xes.gz", SMALL, gz=True)))
    # gzip is recognised by its magic bytes, also from a file object and under a misleading name
    assert_small(parse_xes(io.BytesIO(gzip.compress(SMALL.encode()))))
    assert_small(parse_xes(write(tmp_path, "small.xes", SMALL, gz=True)))
    assert_small(parse_xes(io.BytesIO(SMALL.encode())))


def test_truncated_gzip_is_an_error(tmp_path):
    data = gzip.compress(SMALL.encode())
    path = tmp_path / "cut.xes.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(EventLogError, match="cut.xes.gz"):
        parse_xes(path)


SECRET = "TOP-SECRET-CPR-0101011234"


@pytest.mark.parametrize("declaration, reference", [
    ('<!ENTITY xxe SYSTEM "file://{secret}">', "&xxe;"),
    ('<!ENTITY % pe SYSTEM "file://{secret}"> %pe;', ""),
    ('<!ENTITY xxe SYSTEM "http://127.0.0.1:9/steal?f={secret}">', "&xxe;"),
    ('<!ENTITY inner "harmless">', "&inner;"),
])
def test_entity_declarations_are_refused_and_nothing_is_read(tmp_path, declaration, reference):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    doc = (f'<?xml version="1.0"?>\n<!DOCTYPE log [\n  {declaration.format(secret=secret)}\n]>\n'
           f'<log><trace><string key="concept:name" value="p{reference}"/>'
           f'<event><string key="concept:name" value="A{reference}"/>'
           f'<date key="time:timestamp" value="2023-01-01T00:00:00+00:00"/></event></trace></log>')
    path = write(tmp_path, "xxe.xes", doc)
    with pytest.raises(EventLogError) as info:
        parse_xes(path)
    err = info.value
    message = str(err)
    assert "refused for safety" in message and "Remove the <!DOCTYPE" in message
    assert "line 3" in message
    assert SECRET not in message
    assert SECRET not in err.failure_cases.to_string()
    assert SECRET not in repr(err.args)
    assert err.failure_cases["row"].tolist() == [-1]


def test_external_dtd_is_refused(tmp_path):
    doc = '<?xml version="1.0"?>\n<!DOCTYPE log SYSTEM "http://127.0.0.1:9/xes.dtd">\n<log/>'
    with pytest.raises(EventLogError, match="external DTD .*refused for safety"):
        parse_xes(write(tmp_path, "dtd.xes", doc))


def test_attribute_defaults_in_a_doctype_are_refused(tmp_path):
    # no entity, but a default value would be copied into every <string> element
    doc = ('<!DOCTYPE log [<!ATTLIST string value CDATA "' + "z" * 1000 + '">]>\n'
           '<log><trace><string key="concept:name"/></trace></log>')
    with pytest.raises(EventLogError, match="declares attributes of <string>.*refused for safety"):
        parse_xes(write(tmp_path, "attlist.xes", doc))


def test_deep_nesting_and_key_explosion_are_refused(tmp_path):
    deep = "<log><trace><event>" + '<list key="k">' * 300 + "</list>" * 300 + "</event></trace></log>"
    with pytest.raises(EventLogError, match="nested more than 256 levels"):
        parse_xes(write(tmp_path, "deep.xes", deep))
    # fewer keys than MAX_ATTRIBUTE_KEYS, but 60,000 events: 900 columns of 60,000 cells for 1,300 values
    events = "".join(f'<event><int key="k{i}" value="1"/></event>' for i in range(900)) + "<event/>" * 59_100
    with pytest.raises(EventLogError, match="60,000 events use 900 different attribute keys, almost all empty"):
        parse_xes(write(tmp_path, "keys.xes", f"<log><trace>{events}</trace></log>"))


def _own_key_per_event(n: int) -> str:
    """``n`` events in traces of 10, each event with a key of its own (``key0``, ``key1``, ...)."""
    traces = []
    for t in range(0, n, 10):
        events = "".join(f'<event><string key="concept:name" value="A"/>'
                         f'<date key="time:timestamp" value="2023-01-01T10:{i % 60:02d}:00+00:00"/>'
                         f'<string key="key{i}" value="v{i}"/></event>' for i in range(t, min(n, t + 10)))
        traces.append(f'<trace><string key="concept:name" value="c{t}"/>{events}</trace>')
    return f'<log xmlns="http://www.xes-standard.org/">{"".join(traces)}</log>'


def test_more_attribute_keys_than_the_limit_are_refused_while_streaming(tmp_path):
    """5,000 events, each with a key of its own: before, 5,000 columns of 5,000 cells were built (13 s,
    1 GB); now the reader stops at key number 1,001, which it names, with the fix."""
    from pathways.io.xes import MAX_ATTRIBUTE_KEYS

    assert MAX_ATTRIBUTE_KEYS == 1_000
    path = write(tmp_path, "keys.xes", _own_key_per_event(5_000))
    t0 = time.perf_counter()
    with pytest.raises(EventLogError) as err:
        parse_xes(path)
    assert time.perf_counter() - t0 < 3
    # the keys met first: concept:name, time:timestamp, key0 .. key996 (event keys), and the trace's concept:name
    msg = str(err.value)
    assert "more than 1,000 different attribute keys" in msg and "key number 1,001 is 'key997'" in msg
    assert "attributes=[...]" in msg and "keys=[...]" in msg
    assert err.value.failure_cases["row"].tolist() == [-1]
    # trace keys count too: one trace key, 999 event keys, then the trace's second key is number 1,001
    events = "".join(f'<event><int key="k{i}" value="1"/></event>' for i in range(999))
    doc = f'<log><trace><string key="concept:name" value="c"/>{events}<int key="alder" value="5"/></trace></log>'
    with pytest.raises(EventLogError, match="key number 1,001 is 'alder'"):
        parse_xes(write(tmp_path, "trace_keys.xes", doc))


def test_keys_to_keep_read_a_file_with_more_keys_than_the_limit(tmp_path):
    path = write(tmp_path, "keys.xes", _own_key_per_event(5_000))
    t0 = time.perf_counter()
    df = parse_xes(path, keys=["key7", "case:nowhere"])
    assert time.perf_counter() - t0 < 5
    assert list(df.columns) == [*STANDARD_COLUMNS, "key7"]
    assert len(df) == 5_000 and df["key7"].notna().sum() == 1 and df.loc[7, "key7"] == "v7"
    assert df["case:concept:name"].iloc[[0, 9, 10, 4_999]].tolist() == ["c0", "c0", "c10", "c4990"]
    from pathways.errors import OptionError

    with pytest.raises(OptionError, match="keys='key7' is not allowed: give a list of key names"):
        parse_xes(path, keys="key7")


def test_plain_doctype_without_entities_is_accepted(tmp_path):
    df = parse_xes(write(tmp_path, "ok.xes", "<!DOCTYPE log>\n<log/>"))
    assert list(df.columns) == list(STANDARD_COLUMNS) and len(df) == 0


def test_billion_laughs_is_refused_fast(tmp_path):
    lines = ['<?xml version="1.0"?>', "<!DOCTYPE log [", '  <!ENTITY lol0 "lol">']
    lines += [f'  <!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10)]
    lines += ["]>", '<log><trace><string key="concept:name" value="&lol9;"/></trace></log>']
    path = write(tmp_path, "bomb.xes", "\n".join(lines))
    started = time.perf_counter()
    with pytest.raises(EventLogError, match="refused for safety"):
        parse_xes(path)
    assert time.perf_counter() - started < 0.5
    # the same bomb gzipped
    started = time.perf_counter()
    with pytest.raises(EventLogError, match="refused for safety"):
        parse_xes(write(tmp_path, "bomb.xes.gz", "\n".join(lines), gz=True))
    assert time.perf_counter() - started < 0.5


def test_malformed_xml_gives_line_and_column(tmp_path):
    doc = ('<log>\n  <trace>\n    <string key="concept:name" value="p1"/>\n'
           '    <event><string key="concept:name" value="A"></event>\n  </trace>\n</log>\n')
    with pytest.raises(EventLogError) as info:
        parse_xes(write(tmp_path, "bad.xes", doc))
    message = str(info.value)
    assert "not well-formed at line 4, column 51: mismatched tag" in message
    assert info.value.failure_cases["value"].tolist() == ["line 4, column 51"]


def test_unescaped_ampersand_and_truncation(tmp_path):
    with pytest.raises(EventLogError, match="line 2, column"):
        parse_xes(write(tmp_path, "amp.xes", '<log>\n<string key="a" value="Psykiatri & Somatik"/></log>'))
    with pytest.raises(EventLogError, match="not well-formed .*no element found"):
        parse_xes(write(tmp_path, "cut.xes", SMALL[: SMALL.index("<trace>", 900)]))
    with pytest.raises(EventLogError, match="no element found"):
        parse_xes(write(tmp_path, "empty.xes", ""))


def test_root_must_be_log(tmp_path):
    with pytest.raises(EventLogError, match="root element is <html>, not <log>"):
        parse_xes(write(tmp_path, "page.xes", "<html><body/></html>"))


def test_missing_file(tmp_path):
    with pytest.raises(EventLogError, match="cannot open .*nope.xes"):
        parse_xes(tmp_path / "nope.xes")


@pytest.mark.parametrize("doc", ["<log/>", '<log xmlns="http://www.xes-standard.org/"></log>',
                                 '<log><extension name="Concept" prefix="concept" uri="x"/>'
                                 '<trace><string key="concept:name" value="p"/></trace></log>'])
def test_empty_log_gives_empty_frame_with_standard_columns(tmp_path, doc):
    df = parse_xes(write(tmp_path, "empty.xes", doc))
    assert list(df.columns) == ["case:concept:name", "concept:name", "time:timestamp"]
    assert len(df) == 0
    assert str(df["time:timestamp"].dt.tz) == "UTC"


def test_huge_attribute_value_is_refused(tmp_path):
    big = "x" * 1_000_001
    doc = f'<log><trace><string key="concept:name" value="p"/><event><string key="note" value="{big}"/></event></trace></log>'
    with pytest.raises(EventLogError, match=r"1,000,001 characters long, more than max_value_chars=1,000,000"):
        parse_xes(write(tmp_path, "huge.xes", doc))
    # the limit is a keyword
    df = parse_xes(write(tmp_path, "huge.xes", doc), max_value_chars=2_000_000)
    assert len(df["note"].iloc[0]) == 1_000_001
    with pytest.raises(EventLogError, match="max_value_chars=10"):
        parse_xes(io.BytesIO(b'<log><string key="k" value="eleven char"/></log>'), max_value_chars=10)


def test_endless_token_is_refused_before_it_is_buffered():
    # an attribute value that never ends: refused once the budget is spent, not at the end of the file
    def stream():
        yield b'<log><trace><string key="k" value="'
        while True:
            yield b"y" * 65536

    class Endless(io.RawIOBase):
        def __init__(self):
            self.parts = stream()

        def readable(self):
            return True

        def read(self, n=-1):
            return next(self.parts)

    started = time.perf_counter()
    with pytest.raises(EventLogError, match="without the end of an XML tag"):
        parse_xes(Endless(), max_value_chars=1000)
    assert time.perf_counter() - started < 2


def test_typed_values_gaps_and_text_fallbacks(tmp_path):
    doc = """<log>
      <trace><string key="concept:name" value="p1"/>
        <event><string key="concept:name" value="A"/><date key="time:timestamp" value="2023-01-02T08:00:00"/>
               <int key="n" value="1"/><boolean key="ok" value="true"/><id key="uid" value="0f8fad5b"/>
               <date key="when" value="2023-01-02T08:00:00+01:00"/>
               <container key="box"><string key="a" value="1"/><int key="b" value="2"/></container>
               <string key="k" value="first"/><string key="k" value="second"/></event>
        <event><string key="concept:name" value="B"/><date key="time:timestamp" value="2023-01-03"/>
               <int key="n" value="not a number"/><boolean key="ok" value="0"/>
               <date key="when" value="31-02-2023"/>
               <string key="meta" value="x"><string key="inner" value="y"/></string></event>
        <event><string key="concept:name" value="C"/><date key="time:timestamp" value="2023-01-04T09:00:00"/></event>
      </trace>
      <event><string key="concept:name" value="orphan"/></event>
    </log>"""
    df = parse_xes(write(tmp_path, "typed.xes", doc))
    assert len(df) == 4
    # naive dates only: a naive column (read later in the log's time zone)
    ts = df["time:timestamp"]
    assert ts.dt.tz is None
    assert ts.tolist()[:3] == [pd.Timestamp("2023-01-02 08:00"), pd.Timestamp("2023-01-03"),
                               pd.Timestamp("2023-01-04 09:00")]
    assert pd.isna(ts.iloc[3])
    # an int that is not an int stays text: mixed column of Python values
    assert df["n"].tolist()[:2] == [1, "not a number"] and df["n"].dtype == object
    assert df["ok"].dtype == "boolean" and df["ok"].tolist()[:2] == [True, False] and pd.isna(df["ok"].iloc[2])
    assert df["uid"].iloc[0] == "0f8fad5b"
    # a date that is not a date keeps its raw text, beside real Timestamps
    assert df["when"].dtype == object
    assert df["when"].iloc[0] == pd.Timestamp("2023-01-02 07:00", tz="UTC")
    assert df["when"].iloc[1] == "31-02-2023"
    assert json.loads(df["box"].iloc[0]) == {"a": "1", "b": 2}
    assert df["k"].iloc[0] == "second"  # a repeated key: the last value wins
    assert df["meta"].iloc[1] == "x"
    assert df["concept:name"].iloc[3] == "orphan" and pd.isna(df["case:concept:name"].iloc[3])
    notes = " | ".join(df.attrs["xes_notes"])
    assert "events directly under <log>" in notes
    assert "meta-attributes" in notes
    assert "values that are not of their type (kept as text) (1x)" in notes


def test_offsets_mixed_with_naive_times_stay_per_cell(tmp_path):
    doc = """<log><trace><string key="concept:name" value="p"/>
      <event><date key="time:timestamp" value="2023-06-01T12:00:00+02:00"/></event>
      <event><date key="time:timestamp" value="2023-06-01T13:00:00"/></event>
    </trace></log>"""
    ts = parse_xes(write(tmp_path, "mixed.xes", doc))["time:timestamp"]
    assert ts.tolist() == [pd.Timestamp("2023-06-01 10:00", tz="UTC"), pd.Timestamp("2023-06-01 13:00")]


def test_large_log_streams_and_keeps_order(tmp_path):
    events = "".join(f'<event><string key="concept:name" value="a{j}"/>'
                     f'<date key="time:timestamp" value="2023-01-01T00:00:{j:02d}+00:00"/></event>'
                     for j in range(5))
    traces = "".join(f'<trace><string key="concept:name" value="c{i}"/>{events}</trace>' for i in range(4000))
    df = parse_xes(write(tmp_path, "big.xes.gz", f"<log>{traces}</log>", gz=True))
    assert len(df) == 20_000
    assert df["case:concept:name"].iloc[[0, 4, 5, 19_999]].tolist() == ["c0", "c0", "c1", "c3999"]
    assert df["concept:name"].iloc[[0, 4, 5]].tolist() == ["a0", "a4", "a0"]


# --- writing -------------------------------------------------------------------------------------

class FakeLog:
    """What write_xes uses of an EventLog: to_pandas() and has(role)."""

    def __init__(self, frame, roles):
        self.frame, self.roles = frame, set(roles)

    def to_pandas(self):
        return self.frame.copy()

    def has(self, role):
        return role in self.roles


def canonical_frame():
    cph = "Europe/Copenhagen"
    ts = pd.to_datetime(["2023-03-02 09:00", "2023-03-01 08:15", "2023-03-03 10:00", "2023-03-01 08:15",
                         "2023-03-01 12:00", "2023-07-01 09:30:00.250"], format="ISO8601").tz_localize(cph)
    n = len(ts)
    return pd.DataFrame({
        "row": np.arange(n, dtype="int64"),
        "case_id": ["B", "A", "A", "A", "B", "C"],
        "activity": ["Indlæggelse", "Henvisning", "Udskrivning", "Visitation", "Henvisning",
                     'Samtale "akut" <1> & \'mere\'\nlinje 2'],
        "timestamp": ts,
        "end_timestamp": pd.Series([pd.NaT] * n, dtype=f"datetime64[ns, {cph}]"),
        "unit": ["Psykiatri & Somatik", "Egen læge", None, "Egen læge", "Egen læge", "Ærø Kommune"],
        "resource": [None] * n,
        "referral_to": [None] * n,
        "event_type": ["admission", "referral", "discharge", "visitation", "referral", "other"],
        "domain": ["psychiatric"] * n,
        "sector": ["region"] * n,
        "alder": pd.array([70, 54, 54, 54, 70, None], dtype="Int64"),
        "vaegt": [81.5, 60.0, float("nan"), 60.25, 81.5, float("inf")],
        "akut": [True, False, False, False, True, True],
        "case:koen": ["K", "M", "M", "M", "K", "K"],
        "case:skiftende": ["x", "y", "z", "y", "x", "x"],
    })


ORDER = [("A", ["Henvisning", "Visitation", "Udskrivning"]),          # 08:15 row 1, 08:15 row 3, 10:00
         ("B", ["Henvisning", "Indlæggelse"]),
         ("C", ['Samtale "akut" <1> & \'mere\'\nlinje 2'])]


@pytest.mark.parametrize("name", ["out.xes", "out.xes.gz"])
def test_write_then_parse_round_trip(tmp_path, name):
    log = FakeLog(canonical_frame(), roles={"case", "activity", "timestamp", "unit"})
    path = write_xes(log, tmp_path / name)
    assert path == tmp_path / name
    raw = path.read_bytes()
    assert (raw[:2] == b"\x1f\x8b") == name.endswith(".gz")
    text = gzip.decompress(raw).decode() if name.endswith(".gz") else raw.decode()
    assert "Psykiatri &amp; Somatik" in text and "&lt;1&gt;" in text and "&#10;" in text
    assert text.count("<trace>") == 3 and text.count("<event>") == 6
    assert '<date key="time:timestamp" value="2023-03-01T08:15:00.000+01:00"/>' in text
    assert '<date key="time:timestamp" value="2023-07-01T09:30:00.250+02:00"/>' in text
    assert "event_type" not in text and "domain" not in text and '"row"' not in text
    assert "org:resource" not in text  # the log does not map resource
    df = parse_xes(path)
    assert df["case:concept:name"].tolist() == ["A", "A", "A", "B", "B", "C"]
    assert df["concept:name"].tolist() == [a for _, acts in ORDER for a in acts]
    src = canonical_frame().set_index("row")
    rows = [1, 3, 2, 4, 0, 5]  # the input rows in the written order
    assert (df["time:timestamp"] == src.loc[rows, "timestamp"].dt.tz_convert("UTC").to_numpy()).all()
    assert df["org:group"].tolist()[:2] == ["Egen læge", "Egen læge"] and pd.isna(df["org:group"].iloc[2])
    assert df["alder"].tolist()[:5] == [54, 54, 54, 70, 70] and pd.isna(df["alder"].iloc[5])
    vaegt = df["vaegt"].tolist()
    assert vaegt[:2] == [60.0, 60.25] and math.isnan(vaegt[2]) and vaegt[3:] == [81.5, 81.5, math.inf]
    assert df["akut"].tolist() == [False, False, False, True, True, True]
    # constant within each case: one trace attribute; changing within a case: per event
    assert text.count('key="koen"') == 3
    assert df["case:koen"].tolist() == ["M", "M", "M", "K", "K", "K"]
    assert df["case:skiftende"].tolist() == ["y", "y", "z", "x", "x", "x"]


def test_write_is_read_by_pm4py(tmp_path):
    log = FakeLog(canonical_frame(), roles={"case", "activity", "timestamp", "unit"})
    path = write_xes(log, tmp_path / "pm4py.xes")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pm4py

        df = pm4py.read_xes(str(path))
        gz = pm4py.read_xes(str(write_xes(log, tmp_path / "pm4py.xes.gz")))
    for frame in (df, gz):
        assert frame["case:concept:name"].nunique() == 3 and len(frame) == 6
        got = [(case, list(grp["concept:name"])) for case, grp in frame.groupby("case:concept:name", sort=False)]
        assert got == ORDER
        assert frame["org:group"].tolist()[0] == "Egen læge"
        first = frame["time:timestamp"].iloc[0]
        assert pd.Timestamp(first) == pd.Timestamp("2023-03-01 08:15", tz="Europe/Copenhagen")


def test_write_refuses_characters_xml_cannot_hold(tmp_path):
    frame = canonical_frame()
    frame.loc[4, "activity"] = "Henvis\x00ning"
    with pytest.raises(EventLogError, match=r"column 'activity', row 4: .*'\\x00'") as info:
        write_xes(FakeLog(frame, {"case", "activity", "timestamp"}), tmp_path / "bad.xes")
    assert info.value.failure_cases["row"].tolist() == [4]
    assert list(tmp_path.iterdir()) == []  # no half-written file is left


def test_write_refuses_attribute_clashing_with_a_role_key(tmp_path):
    frame = canonical_frame().assign(**{"org:group": "x"})
    with pytest.raises(EventLogError, match="attribute 'org:group' has the same XES key"):
        write_xes(FakeLog(frame, {"case", "activity", "timestamp", "unit"}), tmp_path / "clash.xes")
    # without the unit role, the attribute is written under its own name
    df = parse_xes(write_xes(FakeLog(frame, {"case", "activity", "timestamp"}), tmp_path / "ok.xes"))
    assert set(df["org:group"]) == {"x"}


def test_write_empty_log(tmp_path):
    frame = canonical_frame().iloc[:0]
    path = write_xes(FakeLog(frame, {"case", "activity", "timestamp"}), tmp_path / "empty.xes")
    df = parse_xes(path)
    assert len(df) == 0 and list(df.columns)[:3] == list(STANDARD_COLUMNS)


# --- EventLog (needs from_pandas and the taxonomy) -------------------------------------------------

def test_read_xes_builds_an_event_log(tmp_path):
    bad = SMALL.replace("2023-04-04T11:30:00+02:00", "31-02-2023")
    with pytest.warns(Warning, match="1 of 5 rows"):
        log = read_xes(write(tmp_path, "small.xes", bad))
    assert len(log) == 4 and log.n_cases == 2
    assert log.rejected["row"].tolist() == [4]
    assert exploded(log.rejected)["problem"].tolist() == ["not a date"]
    assert exploded(log.rejected)["value"].tolist() == ["31-02-2023"]
    assert log.has("unit") and log.has("resource") and not log.has("end_timestamp")
    df = log.to_pandas()
    assert df["activity"].tolist() == ["Henvisning", "Indlæggelse", "Udskrivning", "Henvisning & visitation"]
    assert df["unit"].tolist()[:2] == ["Egen læge", "Psykiatri & Somatik"]
    assert df["resource"].tolist()[0] == "Søren Ærø-Øvlisen"
    assert df["timestamp"].iloc[0] == pd.Timestamp("2023-03-01 08:15", tz="Europe/Copenhagen")
    assert df["case:alder"].tolist() == [67, 67, 67, 45]


def test_read_xes_without_the_key_names_the_keys(tmp_path):
    doc = '<log><trace><string key="concept:name" value="p"/><event><string key="activity" value="A"/>' \
          '<date key="time:timestamp" value="2023-01-01T00:00:00Z"/></event></trace></log>'
    with pytest.raises(EventLogError, match=r"activity='concept:name': no event .* has this key.*'activity'"):
        read_xes(write(tmp_path, "k.xes", doc))
    log = read_xes(write(tmp_path, "k.xes", doc), activity="activity")
    assert len(log) == 1


def test_read_xes_with_attributes_reads_a_file_with_more_keys_than_the_limit(tmp_path):
    """attributes=[] or a list: only the keys of the roles and the attributes are read (and counted)."""
    path = write(tmp_path, "keys.xes", _own_key_per_event(5_000))
    with pytest.raises(EventLogError, match=r"more than 1,000 different attribute keys.*attributes=\[\.\.\.\]"):
        read_xes(path)
    log = read_xes(path, attributes=[])
    assert len(log) == 5_000 and log.n_cases == 500 and len(log.rejected) == 0
    assert not [c for c in log.to_pandas().columns if c.startswith("key")]
    log = read_xes(path, attributes=["key3", "key4999"])
    df = log.to_pandas()
    assert df.loc[df["key3"].notna(), "row"].tolist() == [3] and df["key3"].dropna().tolist() == ["v3"]
    assert df["key4999"].dropna().tolist() == ["v4999"]


def test_empty_xes_gives_an_empty_event_log(tmp_path):
    log = read_xes(write(tmp_path, "e.xes", "<log/>"))
    assert len(log) == 0 and len(log.rejected) == 0


@pytest.mark.parametrize("name", ["rt.xes", "rt.xes.gz"])
def test_event_log_round_trip(tmp_path, name):
    import pathways as pw

    frame = pd.DataFrame({
        "pt": ["B", "A", "A", "A", "B"],
        "hvad": ["Indlæggelse", "Henvisning", "Udskrivning", "Visitation", 'Henvisning "retur" & <x>'],
        "start": ["2023-03-02 09:00", "2023-03-01 08:15", "2023-03-03 10:00", "2023-03-01 08:15",
                  "2023-03-01 12:00"],
        "slut": ["2023-03-02 10:00", None, None, None, None],
        "afsnit": ["Psykiatri & Somatik", "Egen læge", "Medicinsk afd.", "Egen læge", "Egen læge"],
        "til": [None, "Psykiatri & Somatik", None, None, None],
        "laege": ["Åse", None, "Ørn", None, None],
        "alder": [70, 54, 54, 54, 70],
    })
    log = pw.from_pandas(frame, case="pt", activity="hvad", timestamp="start", end_timestamp="slut",
                         unit="afsnit", referral_to="til", resource="laege")
    back = read_xes(write_xes(log, tmp_path / name))
    assert len(back) == len(log) and back.n_cases == log.n_cases and len(back.rejected) == 0
    a = log.to_pandas().sort_values(["case_id", "timestamp", "row"], ignore_index=True)
    b = back.to_pandas()
    for col in ("case_id", "activity", "timestamp", "end_timestamp", "unit", "resource", "referral_to",
                "event_type", "domain", "sector", "alder"):
        assert [None if pd.isna(v) else v for v in a[col]] == [None if pd.isna(v) else v for v in b[col]], col
