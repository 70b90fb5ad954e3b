"""Process maps and unit maps: DOT snapshots on tiny logs, small cells, budgets, escaping, engines."""

import re

import pandas as pd
import pytest

import pathways as pw
from pathways.errors import OptionError
from pathways.publish.numbers import Formatter
from pathways.render import styles as st
from pathways.render.diagram import Diagram
from pathways.layout import HINT, RenderError, candidates
from pathways.render.maps import Frequency, Performance, process_map, unit_map

ENGINES = [e.name for e in candidates()]


def parse(dot: str):
    """Nodes {id: attrs text} and edges [(tail, head, attrs text)] of DOT written by DotBuilder."""
    nodes, edges = {}, []
    for line in dot.splitlines():
        m = re.match(r"^\s*(n\d+) -> (n\d+)(?: \[(.*)\])?$", line)
        if m:
            edges.append((m.group(1), m.group(2), m.group(3) or ""))
            continue
        m = re.match(r"^\s*(n\d+) \[(.*)\]$", line)
        if m:
            nodes[m.group(1)] = m.group(2)
    return nodes, edges


def html_label(attrs: str) -> str:
    """The content of label=<...> (balanced angle brackets)."""
    i = attrs.index("label=<") + len("label=<")
    depth, j = 1, i
    while depth:
        depth += {"<": 1, ">": -1}.get(attrs[j], 0)
        j += 1
    return attrs[i:j - 1]


def plain(attrs: str, key: str):
    m = re.search(rf'(?:^|, ){key}=(?:"((?:[^"\\]|\\.)*)"|([^,\]]+))', attrs)
    return None if m is None else (m.group(1) if m.group(1) is not None else m.group(2))


def tiny_log():
    # 6 patients: all Henvisning -> Visitation; 5 go on to Indlæggelse, 1 (F) to Afslag (a small cell).
    rows = []
    for p in "ABCDE":
        rows += [(p, "Henvisning", "2023-01-02"), (p, "Visitation", "2023-01-04"), (p, "Indlæggelse", "2023-01-14")]
    rows += [("F", "Henvisning", "2023-01-02"), ("F", "Visitation", "2023-01-03"), ("F", "Afslag", "2023-01-05")]
    df = pd.DataFrame(rows, columns=["pt", "act", "ts"])
    return pw.from_pandas(df, case="pt", activity="act", timestamp="ts")


def test_process_map_snapshot_nodes_edges_labels_colours():
    m = process_map(tiny_log())
    nodes, edges = parse(m.dot)
    labels = {i: html_label(a) if "label=<" in a else plain(a, "label") for i, a in nodes.items()}
    assert sorted(labels.values()) == sorted([
        '<b>Henvisning</b><br/><font point-size="9">6 cases</font>',
        '<b>Visitation</b><br/><font point-size="9">6 cases</font>',
        '<b>Indlæggelse</b><br/><font point-size="9">5 cases</font>', "start", "end"])
    inv = {i: (re.search(r"<b>(.*?)</b>", v).group(1) if "<b>" in v else v) for i, v in labels.items()}
    by_name = {v: k for k, v in inv.items()}
    got = set()
    for a, b, attrs in edges:
        got.add((inv[a], inv[b], plain(attrs, "label").strip()))
    assert got == {("start", "Henvisning", "6"), ("Henvisning", "Visitation", "6"),
                   ("Visitation", "Indlæggelse", "5"), ("Indlæggelse", "end", "5")}
    # colours: ordinary edges default grey, start/end edges dashed light grey, node fills by frequency
    assert f'color="{st.EDGE}"' in m.dot
    colours = {(inv[a], inv[b]): plain(attrs, "color") for a, b, attrs in edges}
    assert colours[("Henvisning", "Visitation")] is None  # the default edge colour
    assert colours[("start", "Henvisning")] == "#9aa5ae"
    assert plain(nodes[by_name["Henvisning"]], "fillcolor") == st.shade(6, 6)
    assert plain(nodes[by_name["start"]], "fillcolor") == st.START_FILL
    # the small cell (1 patient to Afslag) is dropped and said so; 11 of 12 transitions shown
    assert "Afslag" not in m.dot
    assert "showing 3 of 4 activities, 92 % of transitions" in m.dot
    assert "2 edges with fewer than 5 cases dropped (&lt;5 transitions)" in m.dot
    assert m.info["n_edges_small"] == 2 and m.info["n_edges_pruned"] == 0
    assert list(m.nodes["name"]) == ["Henvisning", "Visitation", "Indlæggelse"]
    assert m.edges["label"].tolist() == ["6", "6", "5", "5"]


def test_counts_under_min_count_print_as_small():
    m = process_map(tiny_log(), min_count=6)
    # every edge has < 6 cases except the 6-patient ones; counts of 5 print "<6"
    assert "Indlæggelse" not in m.edges["target"].tolist()
    m = process_map(tiny_log(), min_count=1, min_share=1.0)
    assert set(m.edges["label"]) == {"6", "5", "1"}
    m7 = process_map(tiny_log(), min_count=7, min_share=1.0)
    assert len(m7.edges) == 0 and len(m7.nodes) == 0  # nothing of 7 or more cases: nothing drawn, all counted
    assert "showing 0 of 4 activities, 0 % of transitions" in m7.dot
    assert "6 edges with fewer than 7 cases dropped (24 transitions)" in m7.dot
    m6 = process_map(tiny_log(), min_count=6, min_share=1.0)
    assert "4 edges with fewer than 6 cases dropped (12 transitions); counts under 6 show as &lt;6" in m6.dot
    for e in candidates()[:1]:
        svg = m6.svg(engine=e.name)
        assert "&lt;6" in svg


def test_performance_measure_labels_edges_with_times():
    m = process_map(tiny_log(), measure=Performance("median", units="days"))
    lab = dict(zip(zip(m.edges["source"], m.edges["target"]), m.edges["label"]))
    assert lab[("Henvisning", "Visitation")] == "2.0 d"  # 5 x 2 days and 1 x 1 day
    assert lab[("Visitation", "Indlæggelse")] == "10 d"
    h = process_map(tiny_log(), measure=Performance("p90", units="hours"))
    assert dict(zip(zip(h.edges["source"], h.edges["target"]), h.edges["label"]))[
        ("Visitation", "Indlæggelse")] == "240 h"
    e = process_map(tiny_log(), measure=Frequency("events"))
    assert "6 events" in e.dot


def test_long_waits_highlight_colour_and_legend():
    m = process_map(tiny_log(), highlight=["long_waits"], threshold="5D")
    nodes, edges = parse(m.dot)
    long_edges = [a for a in edges if plain(a[2], "color") == st.LONG_WAIT]
    assert len(long_edges) == 1  # Visitation -> Indlæggelse, median 10 days
    assert m.edges.set_index(["source", "target"]).loc[("Visitation", "Indlæggelse"), "long_wait"]
    assert "median wait over 5 days (1 edges shown)" in m.dot


def test_unit_highlights_need_units():
    with pytest.raises(OptionError, match="unit=<column name>"):  # tiny_log maps no unit
        process_map(tiny_log(), highlight=["loops"])
    with pytest.raises(OptionError, match="Did you mean 'loops'"):
        process_map(tiny_log(), highlight=["loop"])
    with pytest.raises(OptionError):
        Frequency("patients")


def loop_log():
    # 5 patients: Smerteklinik -> Privatpraktiserende psykiater -> Smerteklinik (a loop, crossing
    # the psychiatric/somatic line), then Egen læge; one patient also goes Egen læge -> Bosted (small).
    rows = []
    for p in "ABCDE":
        rows += [(p, "Henvisning", "2023-01-02", "Smerteklinik"),
                 (p, "Henvisning", "2023-01-10", "Privatpraktiserende psykiater"),
                 (p, "Henvisning", "2023-02-10", "Smerteklinik"),
                 (p, "Lægekonsultation", "2023-02-12", "Egen læge")]
    rows += [("E", "Indflytning", "2023-03-01", "Bosted")]
    df = pd.DataFrame(rows, columns=["pt", "act", "ts", "unit"])
    return pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")


def test_unit_map_snapshot_with_swimlanes_and_highlights():
    m = unit_map(loop_log())
    nodes, edges = parse(m.dot)
    names = {i: re.search(r"<b>(.*?)</b>", html_label(a)).group(1).replace("<br/>", " ") for i, a in nodes.items()}
    assert sorted(names.values()) == ["Egen læge", "Privatpraktiserende psykiater", "Smerteklinik"]
    got = {(names[a], names[b], html_label(attrs).replace("<br/>", " · "), plain(attrs, "color"))
           for a, b, attrs in edges}
    both = f"{st.LOOP}:{st.PSY_SOM}"
    assert got == {
        ("Smerteklinik", "Privatpraktiserende psykiater", "5 · 8.0 d", f"{both}:{st.LONG_WAIT}"),
        ("Privatpraktiserende psykiater", "Smerteklinik", "5 · 31 d", f"{both}:{st.LONG_WAIT}"),
        ("Smerteklinik", "Egen læge", "5 · 2.0 d", None),
    }
    # swimlanes: one cluster per sector, named
    assert m.dot.count("subgraph cluster_") == 3
    for lane in ("Region (hospitals, psychiatry)", "General practice", "Private practice"):
        assert lane in m.dot
    assert "Bosted" not in m.dot and "1 edges with fewer than 5 cases dropped" in m.dot
    assert "showing 3 of 4 units, 94 % of handovers" in m.dot  # 15 of 16 handovers
    assert "on a circular route (loop) (2 edges shown)" in m.dot
    assert "crosses the psychiatric/somatic line (2 edges shown)" in m.dot
    assert "median wait over 7 days (2 edges shown)" in m.dot
    none = unit_map(loop_log(), lanes=None, highlight=None)
    assert "subgraph" not in none.dot and st.LOOP not in none.dot
    dom = unit_map(loop_log(), lanes="domain")
    assert "Psychiatric" in dom.dot and "Somatic" in dom.dot
    with pytest.raises(OptionError, match="median"):
        unit_map(loop_log(), measure=Performance("p90"))


HOSTILE = ['Afd. "B" <akut> {1}', "Linje 1\nLinje 2", "C:\\sti\\afsnit\\", 'x"]; n0 -> n1; a [label="', "}"]


def hostile_log():
    rows = []
    for p in "ABCDEF":
        for k, unit in enumerate(HOSTILE):
            rows.append((p, "Kontakt", f"2023-01-{k + 2:02d}", unit))
    df = pd.DataFrame(rows, columns=["pt", "act", "ts", "unit"])
    return pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")


def test_hostile_labels_cannot_change_the_graph():
    m = unit_map(hostile_log(), max_nodes=10, min_share=1.0)
    nodes, edges = parse(m.dot)
    assert len(nodes) == 5 and len(edges) == 4
    assert m.dot.count("->") == 4
    labels = [html_label(a) for a in nodes.values()]
    assert any("<b>Afd.<br/>&quot;B&quot;<br/>&lt;akut&gt; {1}</b>" in x for x in labels)  # wrapped at spaces
    assert any("<b>Linje 1<br/>Linje 2</b>" in x for x in labels)
    assert any("<b>C:\\sti\\afsnit\\</b>" in x for x in labels)
    p = process_map(hostile_log(), level="unit", max_nodes=10, min_share=1.0)
    assert len(parse(p.dot)[0]) == 7  # five units + start + end


@pytest.mark.parametrize("engine", ENGINES)
def test_hostile_labels_render_as_written(engine):
    svg = unit_map(hostile_log(), max_nodes=10, min_share=1.0).svg(engine=engine)
    assert svg.count('class="node"') == 5 and svg.count('class="edge"') == 4
    assert "&lt;akut&gt; {1}" in svg and ("&quot;B&quot;" in svg or "&#34;B&#34;" in svg)
    assert "Linje 1" in svg and "Linje 2" in svg and "C:\\sti\\afsnit\\" in svg


@pytest.mark.parametrize("engine", ENGINES)
def test_svg_and_png_with_each_engine(engine, tmp_path):
    m = unit_map(loop_log())
    svg = m.svg(engine=engine)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "Privatpraktiserende" in svg and "Egen læge" in svg  # æøå as UTF-8 text
    png = m.png(dpi=72, engine=engine)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert m.save(tmp_path / "u.svg", engine=engine).read_text(encoding="utf-8") == svg
    assert (tmp_path / "u.dot").exists() is False
    assert m.save(tmp_path / "u.dot").read_text(encoding="utf-8") == m.dot
    assert m.save(tmp_path / "u.png", dpi=72, engine=engine).read_bytes()[:4] == b"\x89PNG"
    bundle = m._repr_mimebundle_()
    assert "image/svg+xml" in bundle


def test_pdf_from_every_engine(tmp_path):
    for e in candidates():  # graphviz-pure writes no PDF: save() draws one from its SVG (tests/render/test_pdf.py)
        m = unit_map(loop_log())
        assert m.save(tmp_path / "u.pdf", engine=e.name).read_bytes()[:5] == b"%PDF-"
    with pytest.raises(OptionError, match="suffix"):
        unit_map(loop_log()).save(tmp_path / "u.jpeg")


def test_repr_never_raises_without_engine(monkeypatch):
    import pathways.render.diagram as dg

    monkeypatch.setattr(dg, "find_engine", lambda name=None: None)
    d = Diagram("digraph { a -> b }", title="tiny")
    bundle = d._repr_mimebundle_()
    assert "image/svg+xml" not in bundle
    assert HINT in bundle["text/plain"] and "digraph { a -> b }" in bundle["text/plain"]
    assert repr(d) == "Diagram: tiny, 0 nodes, 0 edges"
    with pytest.raises(RenderError):
        d.svg()
    broken = Diagram("digraph { a -> }")  # an engine error is also shown, not raised
    monkeypatch.setattr(dg, "find_engine", lambda name=None: (candidates() or [None])[0])
    if candidates():
        assert "No picture" in broken._repr_mimebundle_()["text/plain"]


@pytest.fixture(scope="module")
def psych():
    return pw.datasets.load_sample("psychiatry_somatic")


def test_largest_sample_stays_within_its_node_budget(psych):
    m = process_map(psych)
    assert len(m.nodes) <= 15 and m.info["n_nodes_total"] == 20
    assert re.search(r"showing 15 of 20 activities, \d+ % of transitions", m.dot)
    assert m.info["flow_shown"] / m.info["flow_total"] >= 0.85
    # every drawn or dropped edge is accounted for
    assert m.info["n_edges_shown"] + m.info["n_edges_small"] + m.info["n_edges_pruned"] == m.info["n_edges_total"]
    small = process_map(psych, max_nodes=6)
    assert len(small.nodes) <= 6
    u = unit_map(psych, max_nodes=8)
    assert len(u.nodes) <= 8 and "showing 8 of 14 units" in u.dot
    assert (u.edges["n_cases"] >= 5).all()
    full = unit_map(psych, highlight=["loops", "psychiatric_somatic", "long_waits"])
    assert full.edges["loop"].any() and full.edges["psychiatric_somatic"].any()
    p = process_map(psych, level="unit", highlight=["loops", "psychiatric_somatic", "long_waits"],
                    measure=Performance("median"))
    assert len(p.nodes) <= 15 and p.edges["loop"].any()


# --------------------------------------------------------------------------- language
ENGLISH = ["showing ", "counts under", "rarer edges", "edges with fewer", "edges shown", "Process map",
           "Handovers between units", "edges and nodes", "median gap", "cases", "transitions", "handovers",
           "on a circular route (loop)", "crosses the psychiatric", "median wait", "Region (hospitals",
           "General practice", "Private practice", 'label="end"']


def legend(dot: str) -> list[str]:
    """The text lines of the graph label (title, caption lines, legend rows), in order."""
    return re.findall(r'<td align="left">(?:<font[^>]*>)*(?:<b>———</b></font>&#160;&#160;)?(?:<b>)?([^<]+)',
                      dot.split("label=<<table", 1)[1].split("</table>", 1)[0])


def test_danish_process_map():
    m = process_map(tiny_log(), language="da")
    assert legend(m.dot) == [
        "Proceskort", "pile og knuder: patienter", "viser 3 af 4 aktiviteter, 92 % af overgangene",
        "2 pile med færre end 5 patienter udeladt (&lt;5 overgange); antal under 5 vises som &lt;5"]
    assert m.info["caption"] == "viser 3 af 4 aktiviteter, 92 % af overgangene"
    assert sorted(m.nodes["label"]) == ["5 patienter", "6 patienter", "6 patienter"]
    assert 'label="slut"' in m.dot and 'label="start"' in m.dot
    for phrase in ENGLISH:
        assert phrase not in m.dot, phrase
    m6 = process_map(tiny_log(), min_count=6, min_share=1.0, language="da")
    assert "4 pile med færre end 6 patienter udeladt (12 overgange); antal under 6 vises som &lt;6" in m6.dot
    perf = process_map(tiny_log(), measure=Performance("median"), language="da")
    assert legend(perf.dot)[1] == "pile: tid mellem trin, median (dage); knuder: patienter"
    lab = dict(zip(zip(perf.edges["source"], perf.edges["target"]), perf.edges["label"]))
    assert lab[("Henvisning", "Visitation")] == "2,0 d" and lab[("Visitation", "Indlæggelse")] == "10 d"
    h = process_map(tiny_log(), measure=Performance("p90", units="hours"), language="da")
    assert "240 t" in h.edges["label"].tolist() and "tid mellem trin, 90-percentil (timer)" in h.dot
    e = process_map(tiny_log(), measure=Frequency("events"), language="da")
    assert "6 hændelser" in e.dot and "pile: overgange; knuder: hændelser" in e.dot
    w = process_map(tiny_log(), highlight=["long_waits"], threshold="5D", language="da")
    assert "lange ventetider: median ventetid over 5 dage (1 pil vist)" in w.dot
    w36 = process_map(tiny_log(), highlight="long_waits", threshold="36h", language="da")
    assert "lange ventetider: median ventetid over 36 timer (2 pile vist)" in w36.dot
    u = process_map(loop_log(), level="unit", language="da")
    assert legend(u.dot)[0] == "Proceskort (enheder)" and "viser 3 af 4 enheder" in u.dot


def test_danish_unit_map():
    m = unit_map(loop_log(), language="da")
    assert legend(m.dot) == [
        "Overgange mellem enheder",
        "pile: patienter · median pause mellem enheder; knuder: patienter",
        "viser 3 af 4 enheder, 94 % af overgangene",
        "1 pil med færre end 5 patienter udeladt (&lt;5 overgange); antal under 5 vises som &lt;5",
        "cirkulære henvisninger: på en cirkulær rute (2 pile vist)",
        "psykiatri–somatik: krydser grænsen mellem psykiatri og somatik (2 pile vist)",
        "lange ventetider: median ventetid over 7 dage (2 pile vist)",
        "Fyldfarve (domæne):", "Psykiatri&#160;&#160;", "Somatik&#160;&#160;", "Almen praksis&#160;&#160;"]
    assert m.info["caption"] == "viser 3 af 4 enheder, 94 % af overgangene"
    assert sorted(m.edges["label"]) == ["5 · 2,0 d", "5 · 31 d", "5 · 8,0 d"]
    assert set(m.nodes["label"]) == {"5 patienter"}
    for lane in ("Region (hospitaler, psykiatri)", "Almen praksis", "Privat praksis"):
        assert f"<b>{lane}</b>" in m.dot
    for phrase in ENGLISH:
        assert phrase not in m.dot, phrase
    dom = unit_map(loop_log(), lanes="domain", language="da")
    assert "<b>Psykiatri</b>" in dom.dot and "<b>Somatik</b>" in dom.dot
    small = unit_map(loop_log(), max_nodes=1, language="da")
    assert "3 sjældnere pile ikke tegnet, så kortet kan læses" in small.dot
    assert "viser 0 af 4 enheder, 0 % af overgangene" in small.dot
    perf = unit_map(loop_log(), measure=Performance("median", units="hours"), language="da")
    assert "pile: median pause mellem enheder (timer) · patienter" in perf.dot
    assert "48 t · 5" in perf.edges["label"].tolist()


def test_danish_counts_use_danish_marks_and_never_reveal_a_small_cell():
    da_ = Formatter("da", 5)
    assert (da_.count(12345), da_.count(3), da_.count(0), da_.short_time(12.0, "days")) == ("12.345", "<5", "0", "12 d")
    # one patient in one unit: the count is "<5" and its noun plural, so the grammar cannot tell it is 1
    df = pd.DataFrame({"pt": ["Z"], "act": ["Henvisning"], "ts": ["2023-01-02"], "unit": ["Egen læge"]})
    one = pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")
    m = unit_map(one, isolated="show", language="da")
    assert m.nodes["label"].tolist() == ["<5 patienter"] and "&lt;5 patienter" in m.dot
    assert m.info["caption"] == "viser 1 af 1 enhed, 100 % af overgangene"
    assert unit_map(one, min_count=1, isolated="show", language="da").nodes["label"].tolist() == ["1 patient"]


def test_language_default_is_english_and_checked():
    assert process_map(tiny_log(), language="en").dot == process_map(tiny_log()).dot
    assert unit_map(loop_log(), language="en").dot == unit_map(loop_log()).dot
    with pytest.raises(OptionError, match="language='dk' is not allowed.*Did you mean 'da'"):
        process_map(tiny_log(), language="dk")
    with pytest.raises(OptionError, match="language="):
        unit_map(loop_log(), language="danish")


# --------------------------------------------------------------------------- times in the unit that reads (issue 22)
def steps_log(first_step: str, second_step: str):
    """6 patients: Henvisning at 08:00 in Egen læge, Udredning ``first_step`` later in Smerteklinik, Udskrivning
    ``second_step`` after that."""
    rows = []
    for i in range(6):
        t0 = pd.Timestamp(f"2023-03-{1 + i:02d} 08:00")
        t1 = t0 + pd.Timedelta(first_step)
        rows += [(i, "Henvisning", t0, "Egen læge"), (i, "Udredning", t1, "Smerteklinik"),
                 (i, "Udskrivning", t1 + pd.Timedelta(second_step), "Smerteklinik")]
    df = pd.DataFrame(rows, columns=["pt", "act", "ts", "unit"])
    return pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")


def edge_labels(m) -> dict:
    return dict(zip(zip(m.edges["source"], m.edges["target"]), m.edges["label"]))


def test_performance_map_of_a_minutes_log_labels_its_edges_in_minutes():
    """Steps 9 and 21 minutes apart: Performance('median') writes "9.0 min" and "21 min" (not "0.0 d") and the
    legend says minutes; a unit the user fixes is kept."""
    log = steps_log("9min", "21min")
    m = process_map(log, measure=Performance("median"))
    assert Performance("median") == Performance("median", units="auto")
    lab = edge_labels(m)
    assert lab[("Henvisning", "Udredning")] == "9.0 min" and lab[("Udredning", "Udskrivning")] == "21 min"
    assert "edges: median time between steps (minutes); nodes: cases" in m.dot
    da = process_map(log, measure=Performance("median"), language="da")
    assert edge_labels(da)[("Henvisning", "Udredning")] == "9,0 min"
    assert "pile: tid mellem trin, median (minutter); knuder: patienter" in da.dot
    u = unit_map(log)  # Egen læge -> Smerteklinik after 9 minutes, for all six patients
    assert u.edges["label"].tolist() == ["6 · 9.0 min"]
    hours = steps_log("90min", "3h")  # median of 1.5 h and 3 h: hours
    assert edge_labels(process_map(hours, measure=Performance("median")))[("Udredning", "Udskrivning")] == "3.0 h"
    fixed = edge_labels(process_map(hours, measure=Performance("median", units="minutes")))
    assert (fixed[("Henvisning", "Udredning")], fixed[("Udredning", "Udskrivning")]) == ("90 min", "180 min")
    with pytest.raises(OptionError, match="units"):
        Performance("median", units="weeks")


def test_limits_in_map_legends_read_as_given():
    """threshold="1h" reads "1 hour" / "1 time" in the legend, not "0.0416667D"; "30D" reads "30 days"."""
    log = steps_log("9min", "3h")  # the step to discharge (3 h) is over the limit, the first (9 min) is not
    m = process_map(log, highlight="long_waits", threshold="1h")
    assert "median wait over 1 hour (1 edges shown)" in m.dot
    assert "0.0416667" not in m.dot and "0.0 d" not in m.dot
    da = process_map(log, highlight="long_waits", threshold="1h", language="da")
    assert "lange ventetider: median ventetid over 1 time (1 pil vist)" in da.dot
    two = process_map(log, highlight="long_waits", threshold="2h", language="da")
    assert "lange ventetider: median ventetid over 2 timer (1 pil vist)" in two.dot
    assert "median wait over 30 days (0 edges shown)" in process_map(log, highlight="long_waits").dot
    assert [Formatter("en").duration(v) for v in ("30D", "4W", "72h", "90min")] == [
        "30 days", "4 weeks", "72 hours", "90 minutes"]
    with pytest.raises(OptionError, match="threshold"):
        process_map(log, highlight="long_waits", threshold="soon")


def test_png_of_any_layout_is_capped_and_says_so():
    # a timeline-style drawing (neato, positions given): 400 boxes side by side, ~555 inches wide
    from pathways.render.diagram import MAX_PNG_PIXELS, png_size
    from pathways.layout import find_engine

    if find_engine() is None:
        pytest.skip("no layout engine")
    boxes = " ".join(f'n{i} [pos="{i * 100},0"];' for i in range(400))
    d = pw.Diagram("digraph { node [shape=box]; " + boxes + " }", layout="neato", layout_args=("-n2",))
    assert max(png_size(d.png(dpi=150))) <= MAX_PNG_PIXELS
    assert 5 < d.info["png_dpi"] < 10 and "save as .svg for full detail" in repr(d)


# --- issue 22: a highlight that would colour most of the map shows the busiest only ---------------------------

def _ping_pong_log():
    """For k = 2..7, 10 + k patients go U1 -> Uk -> U1 within two hours: 12 edges, every one on a loop."""
    rows = [(f"k{k}-{i}", "Behandling", f"2023-03-01 {8 + j:02d}:00", u)
            for k in range(2, 8) for i in range(10 + k) for j, u in enumerate(["U1", f"U{k}", "U1"])]
    return pw.from_pandas(pd.DataFrame(rows, columns=["c", "a", "t", "u"]), case="c", activity="a",
                          timestamp="t", unit="u")


def test_a_highlight_on_most_edges_colours_only_the_five_busiest():
    """By hand: U1<->U7 17 patients each way, U1<->U6 16, U1<->U5 15 (ties by name: U1 -> U5 first), ...
    The 5 busiest loop edges are coloured; the edge table still flags all 12; the legend says so."""
    d = pw.unit_map(_ping_pong_log(), highlight="loops")
    assert int(d.edges["loop"].sum()) == 12
    ids = {name: f"n{i}" for i, name in enumerate(d.nodes["name"])}
    red = {line.split(" [")[0].strip() for line in d.dot.splitlines() if "->" in line and st.LOOP in line}
    assert red == {f"{ids[a]} -> {ids[b]}" for a, b in
                   [("U1", "U7"), ("U7", "U1"), ("U1", "U6"), ("U6", "U1"), ("U1", "U5")]}
    assert "on a circular route (loop) (only the 5 busiest of 12 edges shown)" in d.dot
    da = pw.unit_map(_ping_pong_log(), highlight="loops", language="da")
    assert "(kun de 5 travleste af 12 pile vist)" in da.dot


def test_a_highlight_on_few_edges_colours_them_all():
    """U1 -> U2 -> U1 is a loop (2 of 3 edges would be more than half, but not more than 5): all coloured."""
    rows = [(f"p{i}", "Behandling", f"2023-03-01 {8 + j:02d}:00", u)
            for i in range(6) for j, u in enumerate(["U1", "U2", "U1", "U3"])]
    log = pw.from_pandas(pd.DataFrame(rows, columns=["c", "a", "t", "u"]), case="c", activity="a",
                         timestamp="t", unit="u")
    d = pw.unit_map(log, highlight="loops")
    assert "(2 edges shown)" in d.dot and "busiest" not in d.dot


def test_the_process_map_caps_its_highlight_the_same_way():
    """Between units on the process map, the same 12 edges (plus start and end marks) are all loops."""
    d = pw.process_map(_ping_pong_log(), level="unit", highlight="loops")
    assert "(only the 5 busiest of 12 edges shown)" in d.dot
    assert sum(1 for line in d.dot.splitlines() if "->" in line and st.LOOP in line) == 5


def test_unit_map_key_of_domain_fills_and_legend_in_words():
    # loop_log's units: Smerteklinik (somatic), Privatpraktiserende psykiater (psychiatric), Egen læge (GP)
    m = unit_map(loop_log())
    key = m.dot.split("Fill colour (domain):", 1)[1]
    for fill, words in ((st.DOMAIN_FILL["psychiatric"], "Psychiatric"), (st.DOMAIN_FILL["somatic"], "Somatic"),
                        (st.DOMAIN_FILL["general_practice"], "General practice")):
        assert f'<td bgcolor="{fill}"' in key and f"{words}&#160;" in key
    assert key.index("Psychiatric") < key.index("Somatic") < key.index("General practice")  # DOMAINS order
    assert "Municipal care" not in key  # only the domains drawn
    small = unit_map(loop_log(), max_nodes=1)
    assert "3 rarer edges not drawn, so that the map stays readable" in small.dot
    for name in ("max_nodes=", "min_share=", "7D"):
        assert name not in small.dot and name not in m.dot
    assert "median wait over 7 days" in m.dot


def test_unit_map_hides_units_with_no_handover_to_another_unit():
    # ten patients who never change unit: 5 in Egen læge, 5 in Smerteklinik; no handover at all
    rows = [(f"P{i}", "Kontakt", "2023-01-02", "Egen læge" if i < 5 else "Smerteklinik") for i in range(10)]
    df = pd.DataFrame(rows, columns=["pt", "act", "ts", "unit"])
    log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")
    m = unit_map(log)
    assert len(m.nodes) == 0 and m.info["n_nodes_alone"] == 2 and m.info["n_nodes_shown"] == 0
    assert "2 units with no handover to another unit not drawn" in m.dot
    assert len(parse(m.dot)[0]) == 0
    shown = unit_map(log, isolated="show")
    assert sorted(shown.nodes["name"]) == ["Egen læge", "Smerteklinik"] and "not drawn" not in shown.dot
    assert "2 enheder uden overgang til en anden enhed ikke tegnet" in unit_map(log, language="da").dot
    # a map with handovers keeps every unit that has one
    assert unit_map(loop_log()).info["n_nodes_alone"] == 0
    with pytest.raises(OptionError, match="isolated"):
        unit_map(log, isolated="drop")


def printed_smallest_text(svg: str, width_pt: float, height_pt: float) -> float:
    """Points of the smallest text when the SVG is scaled to fit a box of width_pt x height_pt (never enlarged)."""
    w, h = (float(v) for v in re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())
    sizes = [float(v) for v in re.findall(r'font-size="([\d.]+)"', svg)]
    return min(sizes) * min(1.0, width_pt / w, height_pt / h)


#: An A4 page's text area less room for a caption (pt): portrait, and landscape (the report's print style gives a
#: figure a landscape page when it prints larger there)
MM = 72 / 25.4
PORTRAIT, LANDSCAPE = (170 * MM, 240 * MM), (260 * MM, 165 * MM)


@pytest.mark.skipif(not ENGINES, reason="no layout engine")
def test_demo_unit_map_text_printed_on_a4():
    # the demo extract's unit map (15 of 27 units): whole, about 930 x 930 pt with 10 pt text, 5.2 pt printed in a
    # 170 mm column and 5.5 pt on a landscape page; printed as one part per domain, every text is 8 pt or more
    log = pw.datasets.load_sample("dirty_extract")
    whole = unit_map(log, language="da", lanes="domain")
    assert whole.info["lanes"] == ["psychiatric", "somatic", "municipal_care", "substance", "general_practice"]
    assert printed_smallest_text(whole.svg(), *PORTRAIT) < 8.0  # why the parts exist
    for lane in whole.info["lanes"]:
        svg = unit_map(log, language="da", lanes="domain", lane=lane).svg()
        assert min(float(v) for v in re.findall(r'font-size="([\d.]+)"', svg)) >= st.SMALL_FONT == 10
        printed = max(printed_smallest_text(svg, *PORTRAIT), printed_smallest_text(svg, *LANDSCAPE))
        assert printed >= 8.0, lane


def test_a_lane_of_the_unit_map_lists_its_handovers_to_other_lanes():
    # loop_log by hand: Smerteklinik (somatic, region) -> Privatpraktiserende psykiater (psychiatric, private)
    # Jan 2 -> Jan 10 (8 days), back Jan 10 -> Feb 10 (31 days), Smerteklinik -> Egen læge (general practice)
    # Feb 10 -> Feb 12 (2 days); 5 patients each; Bosted (1 patient, no handover) is not drawn
    whole = unit_map(loop_log())
    assert whole.info["lanes"] == ["region", "general_practice", "private"]
    part = unit_map(loop_log(), lane="region")
    assert part.nodes["name"].tolist() == ["Smerteklinik"]
    got = {(r.source, r.target): (r.part, r.label) for r in part.edges.itertuples()}
    assert got == {("Privatpraktiserende psykiater", "Smerteklinik"): ("from_other", "5 · 31 d"),
                   ("Smerteklinik", "Privatpraktiserende psykiater"): ("to_other", "5 · 8.0 d"),
                   ("Smerteklinik", "Egen læge"): ("to_other", "5 · 2.0 d")}
    text = " ".join(figure_words(part.dot))
    assert "Handovers between units: Region (hospitals, psychiatry)" in text
    assert "From other sectors" in text and "To other sectors" in text
    for row in ("Private practice", "General practice", "Privatpraktiserende psykiater", "Egen læge", "5 · 31 d"):
        assert row in text, row
    assert "this part: the 1 units of Region (hospitals, psychiatry) on the whole map" in text
    gp = unit_map(loop_log(), lane="general_practice", language="da")
    assert gp.edges[["source", "part", "label"]].values.tolist() == [["Smerteklinik", "from_other", "5 · 2,0 d"]]
    assert "Fra andre sektorer" in " ".join(figure_words(gp.dot)) and "Til andre" not in gp.dot
    with pytest.raises(OptionError, match="lane='regoin'.*Did you mean 'region'"):
        unit_map(loop_log(), lane="regoin")
    with pytest.raises(OptionError, match="needs lanes"):
        unit_map(loop_log(), lanes=None, lane="region")


def figure_words(dot: str) -> list[str]:
    """The texts of a DOT source's HTML labels, tags dropped, entities read."""
    import html

    return [html.unescape(t).strip() for t in re.split(r"<[^>]*>", dot) if t.strip()]


@pytest.mark.parametrize("lanes", ["sector", "domain"])
def test_the_lanes_of_a_unit_map_account_for_every_handover(lanes):
    """The demo's map cut into lanes: each drawn edge inside one lane once, each across lanes once leaving one
    lane and once arriving in the other, with the counts of pw.unit_graph (not of the map's own tables)."""
    log = pw.datasets.load_sample("dirty_extract")
    g = pw.unit_graph(log)
    whole = unit_map(log, lanes=lanes)
    drawn = set(zip(whole.edges["source"], whole.edges["target"]))
    lane_of = {n: (d.get(lanes) or "unknown") for n, d in g.nodes(data=True)}
    seen: dict = {}
    handovers = 0
    for lane in whole.info["lanes"]:
        part = unit_map(log, lanes=lanes, lane=lane)
        assert set(part.nodes["name"]) == {n for n in whole.nodes["name"] if lane_of[n] == lane}
        for r in part.edges.itertuples():
            inside = lane_of[r.source] == lane, lane_of[r.target] == lane
            assert r.part == {(True, True): "inside", (False, True): "from_other", (True, False): "to_other"}[inside]
            assert r.n_cases == g.edges[r.source, r.target]["n_cases"] >= 5
            assert r.n_handovers == g.edges[r.source, r.target]["n_handovers"]
            seen.setdefault((r.source, r.target), []).append(r.part)
            if r.part != "to_other":  # each handover counted where it arrives
                handovers += g.edges[r.source, r.target]["n_handovers"]
    assert set(seen) == drawn
    for (s, t), parts in seen.items():
        assert sorted(parts) == (["inside"] if lane_of[s] == lane_of[t] else ["from_other", "to_other"])
    assert handovers == sum(g.edges[e]["n_handovers"] for e in drawn) == whole.info["flow_shown"]
    across = sum(1 for s, t in drawn if lane_of[s] != lane_of[t])
    assert across > 10  # the demo's map has many handovers between lanes: the test covers them
