"""Interactive maps (issue 25, items 1-2), the Python side: what each slider stop draws, privacy, the animation's
data, the page around it. The browser side is tests/report/test_interactive_browser.py."""

import base64
import hashlib
import json
import re

import pandas as pd
import pytest

import pathways as pw
from pathways.errors import OptionError
from pathways.render import interactive as I
from pathways.layout import candidates

pytestmark = pytest.mark.skipif(not candidates(), reason="no layout engine (graphviz-pure or dot)")


def tiny_log():
    """Six patients GP -> district psychiatry (08:00 -> 08:00 two days later; two of them wait 10 days), three
    GP -> medical ward (a small cell: never drawn). The ids are made to be found if they leak."""
    rows = []
    for i in range(6):
        case = f"CPR-SECRET-{1000 + i}"
        gap = 10 if i in (4, 5) else 2
        rows += [(case, "Henvisning", pd.Timestamp("2023-01-01 08:00") + pd.Timedelta(days=i), "Egen læge",
                  "ja" if i < 4 else "nej"),
                 (case, "Samtale", pd.Timestamp("2023-01-01 08:00") + pd.Timedelta(days=i + gap),
                  "Distriktspsykiatri", "ja" if i < 4 else "nej")]
    for i in range(3):
        case = f"CPR-SECRET-{2000 + i}"
        rows += [(case, "Henvisning", pd.Timestamp("2023-02-01 10:00"), "Egen læge", "nej"),
                 (case, "Indlæggelse", pd.Timestamp("2023-02-02 10:30"), "Medicinsk afdeling", "nej")]
    df = pd.DataFrame(rows, columns=["pt", "act", "ts", "unit", "akut"])
    return pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")


@pytest.fixture(scope="module")
def tiny():
    return tiny_log()


@pytest.fixture(scope="module")
def sample():
    return pw.datasets.load_sample("psychiatry_somatic")


def drawn(m, stop_row):
    """The (source, target) names of the edges and the node names a stop draws."""
    lay = m.data["layouts"][int(stop_row["layout"])]
    names = [n["name"] for n in m.data["nodes"]]
    edges = {(names[m.data["edges"][e[0]]["s"]], names[m.data["edges"][e[0]]["t"]]) for e in lay["edges"]}
    return {names[n[0]] for n in lay["nodes"]}, edges


# --------------------------------------------------------------------------- the stops are the static maps
@pytest.mark.parametrize("kind", ["unit", "process"])
def test_each_stop_draws_what_the_static_map_draws(sample, kind):
    m = pw.interactive_map(sample, kind=kind, max_cases=0)
    assert list(m.data["node_stops"]) == [5, 10, 15, 20, 30, 50][:len(m.data["node_stops"]) - 1] + \
        [m.data["node_stops"][-1]]
    assert m.data["path_stops"] == [0.5, 0.7, 0.85, 0.95, 1.0]
    assert len(m.stops) == len(m.data["node_stops"]) * 5
    static = pw.unit_map if kind == "unit" else pw.process_map
    rename = {"▶ start": "start", "■ end": "end"}
    corners = m.stops.iloc[[0, len(m.stops) // 2, len(m.stops) - 1]]
    for _, row in corners.iterrows():
        d = static(sample, max_nodes=int(row["max_nodes"]), min_share=float(row["min_share"]))
        nodes, edges = drawn(m, row)
        want = {(rename.get(s, s), rename.get(t, t)) for s, t in zip(d.edges["source"], d.edges["target"])}
        assert edges == want
        n_terminals = len({"start", "end"} & nodes)
        assert len(nodes) - n_terminals == len(d.nodes) == d.info["n_nodes_shown"]
        assert row["n_edges"] == len(d.edges) and row["n_nodes"] == len(nodes)
        assert row["caption"].startswith(d.info["caption"])
    # the sliders change the picture: fewer nodes at the first stop than at the last
    assert m.stops.iloc[0]["n_nodes"] < m.stops.iloc[-1]["n_nodes"]
    assert m.stops.iloc[0]["n_edges"] < m.stops.iloc[-1]["n_edges"]


def test_default_start_is_the_static_default(tiny):
    m = pw.interactive_map(tiny)
    # 3 units (fewer than the default budget of 15): one node stop, 3; the share stops of the flow
    assert m.data["node_stops"] == [3] and m.data["start"] == [0, 2]
    m = pw.interactive_map(tiny, max_nodes=2, min_share=0.6)
    assert m.data["node_stops"] == [2, 3] and m.data["path_stops"] == [0.5, 0.6, 0.7, 0.85, 0.95, 1.0]
    assert m.data["start"] == [0, 1]


# --------------------------------------------------------------------------- privacy
def test_no_case_id_and_small_counts_as_under_five(tiny):
    m = pw.interactive_map(tiny, color="akut")
    page = m.html()
    assert "CPR-SECRET" not in page and "SECRET" not in json.dumps(m.data)
    # the GP -> medical ward edge has 3 cases: never drawn, not in the data, nor the ward's name
    assert [(e["s"], e["t"]) for e in m.data["edges"]] == [(0, 1)]
    assert "Medicinsk afdeling" not in page
    (edge,) = m.data["edges"]
    # 6 cases, 6 handovers, median gap 2 days, 2 gaps over 7 days: "<5"
    assert edge["tip"] == [["cases", "6"], ["handovers", "6"], ["median gap", "2.0 d"],
                           ["gaps over 7 days", "<5"]]
    assert edge["freq"] == "6 · 2.0 d" and edge["perf"] == "2.0 d · 6"
    # the caption counts the small edge's flow as "<5", as the static map does
    assert "1 edges with fewer than 5 cases dropped (<5 handovers)" in m.stops.iloc[0]["caption"]
    # no count from 1 to 4 appears as a number anywhere in what the browser gets
    texts = [v for n in m.data["nodes"] for _, v in n["tip"]] + [v for e in m.data["edges"] for _, v in e["tip"]]
    assert all(not re.fullmatch(r"[1-4]", t) for t in texts)


def test_small_groups_of_the_token_colour_join_other(tiny):
    m = pw.interactive_map(tiny, color="akut")
    # akut at the event moved to: "ja" for 4 cases (fewer than 5: merged), "nej" for 2: all "other"
    assert m.data["animation"]["groups"] == [["other", "#b0b0b0"]]
    # with min_count=3 the ward edge (3 cases) is drawn too: "nej" for 2 + 3 cases, "ja" for 4, biggest first
    m = pw.interactive_map(tiny, color="akut", min_count=3)
    assert m.data["animation"]["groups"] == [["nej", I.PALETTE[0]], ["ja", I.PALETTE[1]]]
    assert [mv[4] for mv in m.data["animation"]["moves"]] == [1, 1, 1, 1, 0, 0, 0, 0, 0]


def test_animation_moves_are_anonymous_and_in_hours(tiny):
    m = pw.interactive_map(tiny)
    a = m.data["animation"]
    assert a["origin"] == [2023, 1, 1]
    # token k leaves the GP at 08:00 on day k (8 + 24 k hours) and arrives 2 (or 10) days later; the 3 ward
    # patients move along an edge that is never drawn, so they are not animated at all
    assert a["moves"] == [[0, 0, 8, 56, 0], [1, 0, 32, 80, 0], [2, 0, 56, 104, 0], [3, 0, 80, 128, 0],
                          [4, 0, 104, 344, 0], [5, 0, 128, 368, 0]]
    assert a["starts"] == [8, 32, 56, 80, 104, 128]
    assert a["groups"] == [["Psychiatric", "#2f6db5"]]
    assert m.info["n_cases_animated"] == 6 and m.info["n_cases_total"] == 9
    assert a["caption"].startswith("6 of 9 cases (all cases); one dot per case, no ids")
    assert pw.interactive_map(tiny, max_cases=0).data["animation"] is None


def test_the_sample_is_capped_and_spread(sample):
    m = pw.interactive_map(sample, max_cases=40)
    assert m.info["n_cases_total"] == sample.n_cases
    assert 0 < m.info["n_cases_animated"] <= 40
    tokens = {mv[0] for mv in m.data["animation"]["moves"]}
    assert tokens == set(range(m.info["n_cases_animated"]))
    # evenly spread over start dates: the tokens' first contacts cover most of the period
    starts = m.data["animation"]["starts"]
    assert max(starts) - min(starts) > 0.8 * (max(mv[3] for mv in m.data["animation"]["moves"]) - min(starts)) / 2


# --------------------------------------------------------------------------- the page
def test_page_is_offline_and_only_its_own_script_runs(tiny):
    m = pw.interactive_map(tiny)
    page = m.html()
    digest = base64.b64encode(hashlib.sha256(I.script().encode("utf-8")).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in page and "default-src 'none'" in page
    assert page.count("<script>") == 1 and f"<script>{I.script()}</script>" in page
    body = page.split("<body>")[1]
    assert not re.search(r"https?:|//[a-z]", body.replace(I.script(), "")), "a URL in the page"
    assert not re.search(r"https?:|\bsrc\s*=|import\s*\(|fetch\s*\(|XMLHttpRequest|eval\s*\(", I.script())
    # nothing in the script can end its inline block early or open another
    assert not re.search(r"</?script|<!--", I.script(), re.I)
    # the notebook view carries the same script and data; repr is one line
    frag = m._repr_html_()
    assert "pw-imap-data" in frag and I.script() in frag
    assert repr(m) == ("InteractiveMap: unit map, 1 x 5 slider stops, 2 nodes and 1 edges shown, "
                       "6 of 9 cases animated")


def test_data_cannot_end_the_script_block():
    df = pd.DataFrame({"pt": [p for p in "ABCDEF" for _ in range(2)], "act": ["a", "b"] * 6,
                       "ts": ["2023-01-01", "2023-01-03"] * 6,
                       "unit": ["</script><script>alert(1)</script>", "B & <C>"] * 6})
    log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")
    m = pw.interactive_map(log)
    page = m.html()
    assert "alert(1)</script>" not in page and "<C>" not in page
    data = re.search(r'<script type="application/json" class="pw-imap-data" data-for="[^"]+">(.*?)</script>',
                     page, re.S).group(1)
    assert [n["name"] for n in json.loads(data)["nodes"]] == ["</script><script>alert(1)</script>", "B & <C>"]


def test_control_and_bidi_characters_are_dropped():
    # as in every picture and page: a unit name cannot reorder the count drawn beside it
    df = pd.DataFrame({"pt": [p for p in "ABCDEF" for _ in range(2)], "act": ["a", "b"] * 6,
                       "ts": ["2023-01-01", "2023-01-03"] * 6, "unit": ["Afd.\u202e 5 <", "B\x1b[2J"] * 6})
    log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")
    m = pw.interactive_map(log)
    assert [n["name"] for n in m.data["nodes"]] == ["Afd. 5 <", "B[2J"]
    assert m.data["edges"][0]["title"] == "Afd. 5 < → B[2J"
    assert "\u202e" not in m.html() and "\x1b" not in m.html()


def test_save_writes_the_page(tiny, tmp_path):
    m = pw.interactive_map(tiny, language="da", title="Kort")
    out = m.save(tmp_path / "kort.html")
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and '<html lang="da">' in text and "<title>Kort</title>" in text
    assert m.data["words"]["play"] == "Afspil"
    assert m.data["edges"][0]["freq"] == "6 · 2,0 d"
    with pytest.raises(OptionError, match=r"suffix must be \.html"):
        m.save(tmp_path / "kort.svg")


@pytest.mark.parametrize("kwargs, match", [
    ({"kind": "units"}, r"kind='units' is not allowed.*Did you mean 'unit'"),
    ({"max_cases": -1}, r"max_cases=-1 is not allowed"),
    ({"color": "akuut"}, r"color='akuut' is not allowed.*Did you mean 'akut'"),
    ({"time": "calendar"}, r"time='calendar' is not allowed"),
    ({"measure": pw.Performance("p90")}, r"not available for unit maps"),
    ({"max_nodes": 0}, r"max_nodes=0 is not allowed"),
])
def test_options_are_checked(tiny, kwargs, match):
    with pytest.raises(OptionError, match=match):
        pw.interactive_map(tiny, **kwargs)


def test_unit_map_needs_units():
    df = pd.DataFrame({"pt": ["A", "A"], "act": ["a", "b"], "ts": ["2023-01-01", "2023-01-02"]})
    log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    with pytest.raises(OptionError, match="needs the unit column"):
        pw.interactive_map(log)
    m = pw.interactive_map(log, kind="process", min_count=1)
    assert [h["key"] for h in m.data["highlights"]] == ["long_waits"]
