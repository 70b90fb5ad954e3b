"""Hostile content: names that are markup, DOT, control characters, bidi overrides, formulas or huge.

They must render as text in diagrams, the report and the command line; CSV exports never start a
cell like a formula; XES that declares entities or points elsewhere is refused without fetching or
expanding anything.
"""

from __future__ import annotations

import csv
import gzip
import html.parser
import io
import re
import socket
import threading
import time
import tracemalloc
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

import pathways as pw
from pathways import cli
from pathways.errors import EventLogError
from pathways.io.xes import parse_xes, read_xes
from pathways.publish.tables import FORMULA_START
import pathways_fuzz as F  # tests/hardening/_fuzz.py, registered by tests/conftest.py

LONG = "Afsnit " + "x" * 20_000
#: unit and activity names a hostile or broken extract can hold
HOSTILE = [
    '<script>alert("unit")</script>',
    "</svg><svg onload=alert(1)>",
    "<img src=x onerror=alert(1)>",
    'a"]; n0 -> n1 [label="injected',
    "}; digraph evil { x -> y",
    "Ctrl\x00\x07\x1b[2J\x1b]0;retitled\x07 end",
    "\u202eRTL-override\u202c and \u2067isolate\u2069",
    LONG,
    '=HYPERLINK("http://evil.example","klik")',
    "+45 cmd",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "'; DROP TABLE events; --",
    "&amp; &lt;b&gt; &#0;",
]
#: characters that must never reach a page, a picture or a terminal
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def hostile_frame(n_cases: int = 8) -> pd.DataFrame:
    """Every case walks through every hostile unit, each step an activity with a hostile name."""
    rows = []
    for c in range(n_cases):
        t = pd.Timestamp("2023-01-02 08:00") + pd.Timedelta(days=c)
        rows.append((f"P{c}", "Henvisning", t, "Egen læge"))
        for k, name in enumerate(HOSTILE):
            rows.append((f"P{c}", name, t + pd.Timedelta(days=2 * k + 1), name))
        rows.append((f"P{c}", "Udskrivning", t + pd.Timedelta(days=40), "Medicinsk afdeling"))
    return pd.DataFrame(rows, columns=["pt", "hvad", "hvornaar", "afsnit"])


@pytest.fixture(scope="module")
def hostile_log():
    return pw.from_pandas(hostile_frame(), case="pt", activity="hvad", timestamp="hvornaar", unit="afsnit")


class _Tags(html.parser.HTMLParser):
    """Every start tag and attribute of an HTML page (inline SVG included)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((tag, k, v) for k, v in attrs)

    def handle_data(self, data):
        self.text.append(data)


def assert_inert_markup(page: str, where: str) -> str:
    """No script, no event handler, nothing that loads; returns the page's text (entities resolved)."""
    p = _Tags()
    p.feed(page)
    forbidden = {"script", "iframe", "frame", "object", "embed", "img", "image", "foreignobject", "link", "base",
                 "form", "audio", "video", "source", "style_src"}
    assert not forbidden & set(p.tags), (where, sorted(set(p.tags)))
    for tag, key, value in p.attrs:
        assert not key.startswith("on"), (where, tag, key, value)
        if key in ("href", "xlink:href", "src", "action", "formaction"):
            assert (value or "").startswith("#"), (where, tag, key, value)
        assert "javascript:" not in (value or "").lower(), (where, tag, key, value)
    return "".join(p.text)


def assert_svg_inert(svg: str, where: str) -> ET.Element:
    """Well-formed XML, no script or foreign object, no handler, no outside reference."""
    root = ET.fromstring(svg.encode("utf-8"))
    for el in root.iter():
        tag = el.tag.rpartition("}")[2].lower()
        assert tag not in ("script", "foreignobject", "image", "iframe"), (where, tag)
        for key, value in el.attrib.items():
            name = key.rpartition("}")[2].lower()
            assert not name.startswith("on"), (where, tag, key)
            if name == "href":
                assert value.startswith("#"), (where, tag, value)
    assert not UNSAFE.search(svg), where
    return root


# --------------------------------------------------------------------------- diagrams
@pytest.mark.parametrize("kind", ["process_map", "process_map_units", "unit_map"])
def test_maps_draw_hostile_names_as_text_and_nothing_else(hostile_log, kind):
    if kind == "unit_map":
        m = pw.unit_map(hostile_log, max_nodes=30, min_share=1)
    else:
        m = pw.process_map(hostile_log, level="unit" if kind.endswith("units") else "activity",
                           max_nodes=30, min_share=1)
    terminals = 0 if kind == "unit_map" else 2
    # the data cannot add a node, an edge or a graph: ids are generated, labels escaped
    node_lines = re.findall(r"^\s+n\d+ \[", m.dot, flags=re.M)
    edge_lines = re.findall(r"^\s+n\d+ -> n\d+", m.dot, flags=re.M)
    assert len(node_lines) == len(m.nodes) + terminals >= len(HOSTILE)
    assert len(edge_lines) == len(m.edges)
    structure = [line for line in m.dot.splitlines() if re.match(r"\s*(di|sub)graph\b", line)]
    assert structure[0].startswith('digraph "') and len(structure) == 1 + m.dot.count("subgraph cluster_")
    assert all(re.fullmatch(r"\s*subgraph cluster_\d+ \{", line) for line in structure[1:])
    assert "injected" in m.dot and m.dot.rstrip().endswith("}")
    assert not UNSAFE.search(m.dot)
    root = assert_svg_inert(m.svg(), kind)
    drawn = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    # markup in a name is drawn as the characters it is made of (the unit map wraps long names at spaces: one
    # text element per line, so the lines are read together)
    joined = " ".join(drawn)
    assert '<script>alert("unit")</script>' in joined
    assert "</svg><svg onload=alert(1)>" in joined
    long = joined[joined.index("Afsnit xxx"):]
    assert "…" in long and len(long[:long.index("…") + 1]) <= 200 + 20  # long: cut (at most one break per 16)
    assert "RTL-override and isolate" in joined  # bidi controls dropped, text kept
    n_nodes = sum(1 for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "node")
    assert n_nodes == len(m.nodes) + terminals


def test_timelines_draw_hostile_names_as_text(hostile_log):
    for d in (pw.case_timeline(hostile_log, "P0"), pw.cohort_timeline(hostile_log)):
        assert not UNSAFE.search(d.dot)
        assert_svg_inert(d.svg(), d.title)
        png = d.png(dpi=40)
        assert png.startswith(b"\x89PNG") and len(png) < 5_000_000  # a long name does not blow the picture up


def test_long_names_are_classified_in_linear_time():
    """A unit or activity name of 100,000 characters (or a keyword repeated thousands of times) is
    classified at once: no rule may try its pattern again at every position (quadratic backtracking)."""
    names = ["x" * 100_000, "henvis " * 15_000, "hospital misbrug " * 6_000, "efter udskriv " * 7_000,
             "modtaget henvisning " + "a" * 100_000]
    t0 = time.perf_counter()
    units = pw.UnitTaxonomy.default().table_for(names)
    activities = pw.Vocabulary.default().table_for(names)
    assert time.perf_counter() - t0 < 5
    assert len(units) == len(activities) == len(names)
    assert activities.iloc[-1]["event_type"] == "referral_received"


# --------------------------------------------------------------------------- the report
@pytest.fixture(scope="module")
def hostile_report(hostile_log, tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile")
    rep = pw.report(hostile_log, out / "rapport.html", as_of="2023-06-01", language="da",
                    figures_dir=out / "figurer", title='<script>alert("title")</script>')
    return rep


def test_report_shows_hostile_names_only_as_text(hostile_report):
    from pathways.render.interactive import script

    page = hostile_report.path.read_text(encoding="utf-8")
    assert not UNSAFE.search(page)
    # the interactive map's script (the package's, once) and its JSON data (no "<" left in it) aside
    assert page.count("<script>") == 1 and page.count(f"<script>{script()}</script>") == 1
    data = re.findall(r'<script type="application/json" class="pw-imap-data" data-for="pw-imap-[0-9a-f]+">(.*?)'
                      r"</script>", page, flags=re.S)
    assert len(data) == 1 and "<" not in data[0] and "\\u003cscript\\u003ealert" in data[0]
    page = page.replace(f"<script>{script()}</script>", "").replace(data[0], "")
    page = re.sub(r'<script type="application/json" class="pw-imap-data" data-for="pw-imap-[0-9a-f]+"></script>', "",
                  page)
    text = assert_inert_markup(page, "report")
    assert '<script>alert("unit")</script>' in text and '<script>alert("title")</script>' in text
    assert "RTL-override" in text
    assert "http-equiv" in page and "default-src 'none'" in page
    for p in hostile_report.files:
        if p.suffix == ".svg":
            assert_svg_inert(p.read_text(encoding="utf-8"), p.name)


def _cells(path: Path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh, delimiter=";"):
            yield from row


def test_csv_exports_never_start_a_cell_like_a_formula(hostile_report):
    csvs = [p for p in hostile_report.files if p.suffix == ".csv"]
    assert len(csvs) >= 10
    seen = []
    for p in csvs:
        for cell in _cells(p):
            seen.append(cell)
            if cell.startswith(FORMULA_START):
                assert F.is_number(cell), (p.name, cell)  # a negative number is a number, not a formula
    # "\t=1+1" is read as "=1+1": whitespace around a value is trimmed when the log is read
    for name in ('=HYPERLINK("http://evil.example","klik")', "+45 cmd", "-2+3", "@SUM(A1)", "=1+1"):
        assert "'" + name in seen, name  # the names are there, made inert with an apostrophe


def test_nothing_in_the_package_writes_excel():
    """The report exports CSV only; an Excel writer added later must escape formulas the same way."""
    root = Path(pw.__file__).parent
    writers = re.compile(r"to_excel\(|openpyxl\.Workbook\(|xlsxwriter|ExcelWriter")
    hits = [p.name for p in root.rglob("*.py")  # a docstring example writing a workbook to read is not the package
            if any(writers.search(line) and not line.lstrip().startswith((">>>", "..."))
                   for line in p.read_text(encoding="utf-8").splitlines())]
    assert hits == [], f"{hits} write Excel: apply pathways.report.blocks.safe_cell to every text cell"


# --------------------------------------------------------------------------- the command line
def test_command_line_prints_hostile_names_without_terminal_escapes(hostile_log, tmp_path, capsys):
    path = tmp_path / "udtraek.csv"
    hostile_frame().to_csv(path, sep=";", index=False)
    mapping = ["--case", "pt", "--activity", "hvad", "--timestamp", "hvornaar", "--unit", "afsnit"]
    assert cli.main(["validate", str(path), *mapping]) in (0, 1)
    assert cli.main(["map", str(path), "-o", str(tmp_path / "kort.svg"), *mapping]) == 0
    assert cli.main(["map", str(path), "-o", str(tmp_path / "proces.dot"), "--kind", "process", *mapping]) == 0
    assert cli.main(["validate", str(path), "--case", "pt\x1b[2J", "--activity", "hvad", "--timestamp",
                     "hvornaar"]) == 2  # the error names the column: escaped too
    out = capsys.readouterr()
    assert not UNSAFE.search(out.out) and not UNSAFE.search(out.err)
    assert "\\x1b[2J" in out.out + out.err  # shown, as an escape
    assert_svg_inert((tmp_path / "kort.svg").read_text(encoding="utf-8"), "kort.svg")
    assert not UNSAFE.search((tmp_path / "proces.dot").read_text(encoding="utf-8"))


def test_init_config_keeps_hostile_column_names_in_comments(tmp_path, capsys):
    """A header name with a line break cannot add settings to the YAML config init-config writes."""
    import yaml

    path = tmp_path / "udtraek.csv"
    evil = 'note\nfile: injected\nreport:\n  title: "<script>"\x1b[2J'
    pd.DataFrame({"cpr_pseudo": ["1"], "hændelse": ["Henvisning"], "tidspunkt": ["2023-01-01"],
                  evil: ["x"]}).to_csv(path, sep=";", index=False)
    assert cli.main(["init-config", str(path)]) == 0
    text = (tmp_path / "udtraek.pathways.yaml").read_text(encoding="utf-8")
    config = yaml.safe_load(text)
    assert config["report"]["title"] is None
    assert set(config) == {"columns", "reading", "report", "classification"}  # classification: the templates
    # no unit column, so no taxonomy template; nothing the header says reaches these settings
    assert config["classification"] == {"taxonomy": None, "vocabulary": "udtraek.vocabulary.csv", "reference": None}
    assert cli.load_config(str(tmp_path / "udtraek.pathways.yaml"))["columns"]["case"] == "cpr_pseudo"
    assert not UNSAFE.search(capsys.readouterr().out)


# --------------------------------------------------------------------------- XES
def _refused(data: bytes, match: str, **kw) -> str:
    t0 = time.perf_counter()
    tracemalloc.start()
    try:
        with pytest.raises(EventLogError, match=match) as err:
            read_xes(io.BytesIO(data), **kw)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - t0 < 5 and peak < 50_000_000  # refused before anything grows
    return str(err.value)


LOG_BODY = b'<log xes.version="1.0"><trace><string key="concept:name" value="&x;"/></trace></log>'


def test_xes_billion_laughs_and_quadratic_blowup_are_refused():
    lol = b'<?xml version="1.0"?>\n<!DOCTYPE log [\n<!ENTITY x0 "ha">\n' + b"".join(
        b'<!ENTITY x%d "&x%d;&x%d;&x%d;&x%d;&x%d;&x%d;&x%d;&x%d;&x%d;&x%d;">\n' % ((i,) + (i - 1,) * 10)
        for i in range(1, 10)) + b'<!ENTITY x "&x9;">\n]>\n' + LOG_BODY
    _refused(lol, "declares an entity")
    quadratic = (b'<?xml version="1.0"?>\n<!DOCTYPE log [<!ENTITY x "' + b"A" * 100_000 + b'">]>\n'
                 + LOG_BODY.replace(b"&x;", b"&x;" * 2000))
    _refused(quadratic, "declares an entity")


def test_xes_external_entities_and_dtds_are_not_fetched(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-0101", encoding="utf-8")
    hits = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    port = server.getsockname()[1]

    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                hits.append(conn.recv(1000))
                conn.close()
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        docs = {
            "file entity": b'<?xml version="1.0"?>\n<!DOCTYPE log [<!ENTITY x SYSTEM "file://%s">]>\n' % (
                str(secret).encode()) + LOG_BODY,
            "http entity": b'<?xml version="1.0"?>\n<!DOCTYPE log [<!ENTITY x SYSTEM "http://127.0.0.1:%d/e">]>\n'
                           % port + LOG_BODY,
            "external DTD": b'<?xml version="1.0"?>\n<!DOCTYPE log SYSTEM "http://127.0.0.1:%d/x.dtd">\n' % port
                            + LOG_BODY.replace(b"&x;", b"p1"),
            "parameter entity": b'<?xml version="1.0"?>\n<!DOCTYPE log [<!ENTITY %% p SYSTEM '
                                b'"http://127.0.0.1:%d/p.dtd"> %%p;]>\n' % port + LOG_BODY,
            "undeclared entity": b'<?xml version="1.0"?>\n' + LOG_BODY,
        }
        for what, data in docs.items():
            message = _refused(data, "refused|not well-formed|undeclared|entity", )
            assert "TOPSECRET" not in message, what
            gz = gzip.compress(data)
            assert "TOPSECRET" not in _refused(gz, "refused|not well-formed|undeclared|entity"), what
        time.sleep(0.3)  # a connection made late would still be seen
    finally:
        stop.set()
        thread.join()
        server.close()
    assert hits == [], "an XES document made the reader open a connection"


def test_xes_huge_values_and_deep_nesting_are_refused():
    big = (b'<log><trace><string key="concept:name" value="' + b"A" * 3_000_000 + b'"/></trace></log>')
    _refused(big, "max_value_chars")
    _refused(b'<log><trace><string key="concept:name" value="' + b"B" * 5_000 + b'"/></trace></log>',
             "max_value_chars", max_value_chars=1_000)
    unclosed = b'<log><trace><string key="concept:name" value="' + b"C" * 8_000_000
    _refused(unclosed, "max_value_chars|well-formed")
    deep = b"<log>" + b"<list key='k'><values>" * 400 + b"</values></list>" * 400 + b"</log>"
    _refused(deep, "nested")


def test_hostile_names_survive_an_xes_round_trip(hostile_log, tmp_path):
    """Writing escapes them; reading gives them back; control characters XML cannot carry are refused."""
    clean = hostile_frame()
    clean = clean[~clean["afsnit"].str.contains("[\x00-\x08\x0b\x0c\x0e-\x1f]", regex=True)]
    log = pw.from_pandas(clean, case="pt", activity="hvad", timestamp="hvornaar", unit="afsnit")
    back = read_xes(pw.write_xes(log, tmp_path / "ud.xes"))
    # whitespace around a name is trimmed when the log is read; the round trip then keeps every name as read
    assert sorted(back.to_pandas()["unit"].unique()) == sorted(clean["afsnit"].str.strip().unique())
    with pytest.raises(EventLogError, match="XML cannot hold"):
        pw.write_xes(hostile_log, tmp_path / "ctrl.xes")
    assert parse_xes(tmp_path / "ud.xes").shape[0] == len(log)
