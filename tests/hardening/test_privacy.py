"""Privacy: no case id in any output, small cells suppressed in every table and diagram, pseudonymisation.

An extract whose case ids are recognisable ("CPR-0101-SECRET-001") goes through everything that
writes or prints: the HTML report and its figures folder (SVG, PNG, CSV), every diagram (DOT,
SVG, PNG), the notebook representations, warnings and error messages, and the command line
(validate, report, map, init-config with its templates) run as a subprocess. Not one id, nor the word
SECRET, may appear.
Notebook outputs are scanned for case ids by tests/test_notebooks.py.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
import subprocess
import sys
import warnings
import zlib
from pathlib import Path

import pandas as pd
import pytest

import pathways as pw
from pathways.privacy import REDACTED_LINE
from pathways.rejections import exploded

MARK = "SECRET"
AS_OF = "2024-01-01"
MAPPING = dict(case="cpr_pseudo", activity="hændelse", timestamp="tidspunkt", end_timestamp="sluttidspunkt",
               unit="afsnit", referral_to="henvist_til")
CLI_MAPPING = ["--case", "cpr_pseudo", "--activity", "hændelse", "--timestamp", "tidspunkt", "--end-timestamp",
               "sluttidspunkt", "--unit", "afsnit", "--referral-to", "henvist_til", "--as-of", AS_OF]


#: Connections anything tried to open while the fixtures below ran (read, report, diagrams).
ATTEMPTS: list = []


@contextlib.contextmanager
def no_network():
    """Refuse (and record) every socket connection and name lookup made in this process meanwhile."""
    import socket

    def refuse(*args, **kwargs):
        ATTEMPTS.append(repr(args)[:200])
        raise OSError("pathways tried to reach the network")

    patched = [(socket.socket, "connect"), (socket.socket, "connect_ex"), (socket.socket, "sendto"),
               (socket, "create_connection"), (socket, "getaddrinfo"), (socket, "gethostbyname")]
    saved = [(obj, name, getattr(obj, name)) for obj, name in patched]
    for obj, name in patched:
        setattr(obj, name, refuse)
    try:
        yield
    finally:
        for obj, name, value in saved:
            setattr(obj, name, value)


def secret_id(i: int) -> str:
    return f"CPR-{(i % 28) + 1:02d}{(i % 12) + 1:02d}-{MARK}-{i:03d}"


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    """(csv path, ids): 150 synthetic patients with recognisable ids, plus rows that get rejected."""
    from pathways.synthetic import generate

    ev = generate(150, seed=11).events
    ids = {old: secret_id(i) for i, old in enumerate(ev["case_id"].unique())}
    ev = ev.assign(case_id=ev["case_id"].map(ids))
    ev["notat"] = "Ring til " + ev["case_id"]  # a free-text attribute that repeats the id
    df = pd.DataFrame({
        "cpr_pseudo": ev["case_id"], "hændelse": ev["activity"],
        "tidspunkt": ev["timestamp"].dt.strftime("%Y-%m-%d %H:%M"),
        "sluttidspunkt": ev["end_timestamp"].dt.strftime("%Y-%m-%d %H:%M"),
        "afsnit": ev["unit"], "henvist_til": ev["referral_to"], "alder": ev["age"], "akut": ev["acute"],
        "notat": ev["notat"]})
    path = tmp_path_factory.mktemp("secret") / "udtraek.csv"
    df.to_csv(path, sep=";", index=False)
    bad_ids = [f"CPR-3112-{MARK}-9{k:02d}" for k in range(3)]
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"{bad_ids[0]};Henvisning;2023-05-01 10:00\n")                       # too few fields
        fh.write(f"{bad_ids[1]};Henvisning;31-02-2023;;Egen læge;;50;nej;x;extra\n")  # too many fields
        fh.write(f"{bad_ids[2]};Henvisning;ikke en dato;;Egen læge;;50;nej;Ring til {bad_ids[2]}\n")  # not a date
    return path, sorted(set(ids.values()) | set(bad_ids))


@pytest.fixture(scope="module")
def log(extract):
    path, _ = extract
    with warnings.catch_warnings(record=True) as caught, no_network():
        warnings.simplefilter("always")
        log = pw.read_csv(path, **MAPPING)
        len(log), pw.quality_report(log, as_of=AS_OF)
    return log, [str(w.message) for w in caught]


def find_ids(text: str, ids) -> list[str]:
    """The ids (or the word SECRET) found in ``text``."""
    found = [i for i in ids if i in text]
    return found or ([MARK] if MARK in text else [])


def png_texts(data: bytes) -> str:
    """The text chunks (tEXt, zTXt, iTXt) of a PNG file, decoded."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    out, pos = [], 8
    while pos < len(data):
        n = int.from_bytes(data[pos:pos + 4], "big")
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        if kind == b"tEXt":
            out.append(body.decode("latin-1"))
        elif kind == b"zTXt":
            key, _, rest = body.partition(b"\0")
            out.append(key.decode("latin-1") + zlib.decompress(rest[1:]).decode("latin-1"))
        elif kind == b"iTXt":
            out.append(body.decode("utf-8", "replace"))
        pos += 12 + n
    return "\n".join(out)


def scan_file(path: Path, ids) -> list[str]:
    data = path.read_bytes()
    text = data.decode("utf-8", "replace")
    if path.suffix == ".png":
        text = png_texts(data) + data.decode("latin-1")  # metadata, and the raw bytes for good measure
    return find_ids(text, ids)


# --------------------------------------------------------------------------- the library's outputs
@pytest.fixture(scope="module")
def report_run(log, tmp_path_factory, extract):
    """The report with its figures folder, and the sections it was built from (for small-cell checks)."""
    import pathways.report.build as build

    lg, _ = log
    out = tmp_path_factory.mktemp("report")
    captured = {}
    original = build.write_figures

    def keep(sections, folder, fmt, **kw):
        captured["sections"], captured["fmt"] = sections, fmt
        return original(sections, folder, fmt, **kw)

    build.write_figures = keep
    try:
        with no_network():
            rep = pw.report(lg, out / "rapport.html", as_of=AS_OF, language="da", figures_dir=out / "figurer")
    finally:
        build.write_figures = original
    return rep, captured["sections"], captured["fmt"]


def test_report_and_every_figure_file_hold_no_case_id(report_run, extract):
    rep, _, _ = report_run
    _, ids = extract
    assert find_ids(rep.path.read_text(encoding="utf-8"), ids) == []
    kinds = {p.suffix for p in rep.files}
    assert kinds == {".svg", ".png", ".csv"} and len(rep.files) >= 20
    for p in rep.files:
        assert scan_file(p, ids) == [], p.name
    assert find_ids(repr(rep) + rep._repr_html_(), ids) == []


def test_diagrams_hold_no_case_id(log, extract, tmp_path):
    lg, _ = log
    _, ids = extract
    case = sorted(lg.to_pandas()["case_id"].unique())[0]
    diagrams = [pw.process_map(lg), pw.process_map(lg, level="unit", measure=pw.Performance("p90")),
                pw.unit_map(lg), pw.case_timeline(lg, case), pw.cohort_timeline(lg, max_cases=30)]
    for d in diagrams:
        texts = [d.dot, d.svg(), repr(d), str(d._repr_mimebundle_()), d.nodes.to_csv(), d.edges.to_csv(),
                 repr(d.info)]
        assert find_ids("\n".join(texts), ids) == [], d.title
        for suffix in ("png", "svg", "dot"):
            assert scan_file(d.save(tmp_path / f"{d.title}.{suffix}"), ids) == [], (d.title, suffix)


def test_reprs_warnings_and_errors_hold_no_case_id(log, extract):
    lg, warning_texts = log
    path, ids = extract
    qr = pw.quality_report(lg, as_of=AS_OF)
    texts = [repr(lg), lg._repr_html_(), repr(qr), qr._repr_html_(), qr.summary(), *warning_texts]
    assert warning_texts, "reading the extract warns about its rejected rows"
    assert find_ids("\n".join(texts), ids) == []
    with pytest.raises(pw.EventLogError) as err:
        pw.read_csv(path, **MAPPING, strict=True)
    assert find_ids(str(err.value), ids) == []
    # the rejected rows themselves keep the line (the data owner needs it to fix the extract) ...
    assert find_ids(lg.rejected.to_string(), ids)
    # ... until the log is pseudonymised (next tests)


def run_cli(*commands) -> list[tuple[int, str, list]]:
    """Run ``pathways`` commands side by side as subprocesses: (exit status, stdout + stderr, args) each."""
    procs = [subprocess.Popen([sys.executable, "-m", "pathways.cli", *args], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for args in commands]
    out = []
    for p, args in zip(procs, commands):
        stdout, stderr = p.communicate(timeout=600)
        out.append((p.returncode, stdout + stderr, args))
    return out


def test_command_line_output_and_files_hold_no_case_id(extract, tmp_path):
    path, ids = extract
    runs = run_cli(
        ["validate", str(path), *CLI_MAPPING],
        ["report", str(path), "-o", str(tmp_path / "r.html"), "--language", "en", *CLI_MAPPING],
        ["map", str(path), "-o", str(tmp_path / "units.png"), *CLI_MAPPING[:-2]],
        ["init-config", str(path), "-o", str(tmp_path / "u.pathways.yaml")],  # its templates list names only
    )
    assert [r[0] for r in runs] == [1, 0, 0, 0], [r[1][-500:] for r in runs]
    assert "rejected" in runs[0][1] and "Report written" in runs[1][1]
    for status, text, args in runs:
        assert find_ids(text, ids) == [], args
    files = [p for p in tmp_path.rglob("*") if p.is_file()]  # the figures folder is the library's: scanned above
    assert sorted(p.name for p in files) == ["r.html", "u.pathways.yaml", "u.taxonomy.csv", "u.vocabulary.csv",
                                             "units.png"]
    for p in files:
        assert scan_file(p, ids) == [], p.name


def test_nothing_leaves_the_machine(log, report_run, tmp_path):
    """Reading, validating, the report with its figures and the XES and Parquet round trips open no
    connection, and the engine installed no extension (DuckDB fetches missing ones on demand)."""
    lg, _ = log
    with no_network():
        back = pw.read_xes(pw.write_xes(pw.pseudonymize(lg, key="k"), tmp_path / "ud.xes"))
        pw.write_parquet(back, tmp_path / "ud.parquet")
        pw.read_parquet(tmp_path / "ud.parquet", case="case_id", activity="activity", timestamp="timestamp")
        pw.unit_map(lg).svg()
    assert ATTEMPTS == []
    con = lg.backend.con
    fetched = con.execute("SELECT extension_name FROM duckdb_extensions() WHERE installed "
                          "AND install_mode <> 'STATICALLY_LINKED'").fetchall()
    assert fetched == []


def test_the_engine_never_downloads_an_extension(log):
    """A query that needs an extension DuckDB does not carry (httpfs for a URL) fails instead of
    downloading it: the engine runs with autoinstall_known_extensions off."""
    con = log[0].backend.con
    assert con.execute("SELECT current_setting('autoinstall_known_extensions')").fetchall() == [(False,)]
    with no_network():
        with pytest.raises(Exception, match="httpfs"):
            con.execute("SELECT * FROM read_csv('https://example.org/udtraek.csv')").fetchall()
    assert ATTEMPTS == []


# --------------------------------------------------------------------------- small cells
def _int(text: str) -> int:
    return int(text.replace(".", "").replace(",", "").replace("\u202f", "").replace(" ", ""))


def test_small_cells_are_suppressed_in_every_table_and_diagram(report_run):
    from pathways.render.diagram import Diagram
    from pathways.publish.tables import Table

    _, sections, fmt = report_run
    mc = fmt.min_count
    n_tables = n_diagrams = n_small = 0
    for s in sections:
        for tb in s.tables():
            n_tables += 1
            shown, exported = tb.display(fmt), tb.export(fmt)
            for j, col in enumerate(tb.cols):
                raw = tb.df[col.key] if col.kind != "share" else None
                for i, cell in enumerate(r[j] for r in shown):
                    base_small = col.base and fmt.is_small(tb.df[col.base].iloc[i])
                    if col.kind == "count":
                        assert cell in ("", "–", f"<{mc}") or _int(cell) == 0 or _int(cell) >= mc, (tb.name, col, cell)
                        if fmt.is_small(raw.iloc[i]):
                            n_small += 1
                            assert cell == f"<{mc}" and exported[col.label].iloc[i] == f"<{mc}", (tb.name, col.key)
                    elif col.kind == "share":
                        num, den = (tb.df[k].iloc[i] for k in col.of)
                        if fmt.is_small(num) or fmt.is_small(den):
                            assert cell in ("–", "") or cell.startswith("<"), (tb.name, col.label, cell)
                    elif base_small:
                        assert cell == "–", (tb.name, col.label, cell)
            assert isinstance(tb, Table)
        for fig in s.figures():
            if not isinstance(fig.picture, Diagram):
                continue
            n_diagrams += 1
            d = fig.picture
            if "n_cases" in d.edges:
                assert (d.edges["n_cases"] >= mc).all(), (s.key, fig.name)
            for number, _ in re.findall(r"(\d[\d.,]*)\s*(patienter|patients|cases|forløb|tilfælde)", d.dot):
                assert _int(number) == 0 or _int(number) >= mc, (s.key, fig.name, number)
            for label in re.findall(r'label=" ([^"]*?) "', d.dot):  # edge labels: the count comes first
                head = label.split(" · ")[0]
                if re.fullmatch(r"\d[\d.,]*", head):
                    assert _int(head) >= mc, (s.key, fig.name, label)
    assert n_tables >= 15 and n_diagrams >= 3
    assert n_small >= 1  # the extract has small cells, and they were suppressed


def test_charts_draw_small_counts_as_under_five():
    """The charts (pw.histogram, pw.heatmap, as the report draws them) print a count from 1 to 4 as "<5", never the
    count."""
    import pandas as pd

    def texts(chart):
        return [a["s"] for kind, a in chart.items if kind == "text"]

    hist = pw.histogram(([0, 10, 20, 30], [3, 0, 12]), title="t", x_label="days", y_label="n")
    assert "<5" in texts(hist) and "3" not in texts(hist)
    heat = pw.heatmap(pd.DataFrame({"am": [3, 7], "pm": [0, 12]}, index=["Mon", "Tue"]), title="t")
    # Monday's 3 is "<5", and Tuesday's 7 and total "–", so that the column total cannot give the 3 away
    assert "<5" in texts(heat) and "3" not in texts(heat) and "7" not in texts(heat)
    assert "12" in texts(heat) and "–" in texts(heat)


# --------------------------------------------------------------------------- pseudonymize
def test_pseudonymize_is_a_keyed_hash_stable_across_extracts(log, extract):
    lg, _ = log
    _, ids = extract
    p1 = pw.pseudonymize(lg, key="nøgle-1")
    p2 = pw.pseudonymize(lg, key="nøgle-1")
    p3 = pw.pseudonymize(lg, key=b"another key")
    before = lg.to_pandas()
    after = p1.to_pandas()
    # same rows, same order, same everything but the case id
    pd.testing.assert_frame_equal(before.drop(columns="case_id"), after.drop(columns="case_id"))
    expected = [hmac.new("nøgle-1".encode(), c.encode(), hashlib.sha256).hexdigest()[:16] for c in before["case_id"]]
    assert after["case_id"].tolist() == expected
    assert p2.to_pandas()["case_id"].tolist() == expected                     # same key, same pseudonym
    assert set(p3.to_pandas()["case_id"]).isdisjoint(expected)              # another key, others
    assert p1.n_cases == lg.n_cases and len(p1) == len(lg) and p1.n_read == lg.n_read
    # another extract with some of the same patients gets the same pseudonyms for them
    part = pw.filter_cases(lg, sorted(before["case_id"].unique())[:10])
    shared = pw.pseudonymize(part, key="nøgle-1").to_pandas()["case_id"]
    assert set(shared) <= set(expected) and shared.nunique() == 10
    # analyses give the same numbers on the pseudonymised log
    a, b = pw.transitions(lg), pw.transitions(p1)
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
    assert pw.pseudonymize(lg, key="k", length=64).to_pandas()["case_id"].str.len().eq(64).all()


def test_pseudonymized_log_and_everything_written_from_it_hold_no_case_id(log, extract, tmp_path):
    lg, _ = log
    _, ids = extract
    p = pw.pseudonymize(lg, key="nøgle-1")
    assert len(p.rejected) == len(lg.rejected) and REDACTED_LINE in set(exploded(p.rejected)["value"])
    frame = p.to_pandas().drop(columns=["notat"])  # a free-text attribute is the user's to drop
    texts = [frame.to_csv(), p.rejected.to_csv(), repr(p), p._repr_html_(), p.to_pm4py().drop(
        columns=["notat"]).to_csv()]
    assert find_ids("\n".join(texts), ids) == []
    out = pw.write_xes(pw.pseudonymize(pw.read_csv(extract[0], **MAPPING, attributes=["alder", "akut"]),
                                       key="nøgle-1"), tmp_path / "ud.xes")
    assert scan_file(out, ids) == []
    # the attribute that repeats the id is left alone, as documented
    assert find_ids(p.to_pandas()["notat"].str.cat(), ids)


def test_pseudonymize_refuses_bad_keys_and_lengths(log):
    lg, _ = log
    for bad in ("", b"", None, 12):
        with pytest.raises(pw.OptionError, match="key"):
            pw.pseudonymize(lg, key=bad)
    for bad in (4, 65, True, "16"):
        with pytest.raises(pw.OptionError, match="length"):
            pw.pseudonymize(lg, key="k", length=bad)
    # pseudonyms so short that two patients collide are refused, not merged
    many = pd.DataFrame({"c": [str(i) for i in range(3000)], "a": "Henvisning", "t": "2023-01-01"})
    small = pw.from_pandas(many, case="c", activity="a", timestamp="t")
    with pytest.raises(pw.OptionError, match="same pseudonym"):
        import pathways.privacy as privacy

        original = privacy.hmac_sql
        privacy.hmac_sql = lambda column, key, length, **engine: f"substr({original(column, key, 64)}, 1, 2)"
        try:
            pw.pseudonymize(small, key="k", length=8)
        finally:
            privacy.hmac_sql = original
