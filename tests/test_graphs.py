"""networkx graphs: nodes, edge counts and flags on hand-built logs."""

import networkx as nx
import pandas as pd
import pytest

import pathways as pw


@pytest.fixture(scope="module")
def log():
    rows = [
        ("A", "Henvisning", "2023-01-02", "Smerteklinik"),
        ("A", "Henvisning", "2023-01-20", "Privatpraktiserende psykiater"),
        ("A", "Henvisning", "2023-03-01", "Smerteklinik"),          # loop Smerteklinik -> psykiater -> back
        ("B", "Henvisning", "2023-01-02", "Egen læge"),
        ("B", "Indlæggelse", "2023-01-03", "Medicinsk afdeling"),   # 1-day gap
        ("C", "Henvisning", "2023-01-02", "Egen læge"),
        ("C", "Indlæggelse", "2023-01-23", "Medicinsk afdeling"),   # 21-day gap: median 11 days
    ]
    return pw.from_pandas(pd.DataFrame(rows, columns=["pt", "act", "ts", "unit"]),
                          case="pt", activity="act", timestamp="ts", unit="unit")


def test_unit_graph_nodes_edges_and_flags(log):
    g = pw.unit_graph(log)
    assert isinstance(g, nx.DiGraph)
    assert g.nodes["Privatpraktiserende psykiater"]["sector"] == "private"
    assert g.nodes["Egen læge"]["n_cases"] == 2
    e = g.edges["Egen læge", "Medicinsk afdeling"]
    assert (e["n_handovers"], e["n_cases"], e["median_gap_days"]) == (2, 2, 11.0)
    assert e["long_wait"] and not e["loop"]           # 11 days > 7 days
    assert g.edges["Smerteklinik", "Privatpraktiserende psykiater"]["loop"]
    assert g.edges["Privatpraktiserende psykiater", "Smerteklinik"]["loop"]
    # somatic -> psychiatric (private practice) crosses the line
    assert g.edges["Smerteklinik", "Privatpraktiserende psykiater"]["psychiatric_somatic"]
    assert not g.edges["Egen læge", "Medicinsk afdeling"]["psychiatric_somatic"]
    assert list(nx.simple_cycles(g)) == [["Smerteklinik", "Privatpraktiserende psykiater"]] or \
        list(nx.simple_cycles(g)) == [["Privatpraktiserende psykiater", "Smerteklinik"]]


def test_transition_graph_at_unit_level_flags_the_loop(log):
    g = pw.transition_graph(log, level="unit", threshold="10D")
    assert g.edges["Smerteklinik", "Privatpraktiserende psykiater"]["loop"]
    assert g.edges["Egen læge", "Medicinsk afdeling"]["long_wait"]     # median 11 > 10 days
    assert g.edges["▶ start", "Egen læge"]["n_cases"] == 2
    assert g.nodes["■ end"]["terminal"]


def test_unit_graph_needs_units():
    df = pd.DataFrame({"c": ["x"], "a": ["Henvisning"], "t": ["2023-01-01"]})
    with pytest.raises(pw.OptionError, match="unit=<column name>"):
        pw.unit_graph(pw.from_pandas(df, case="c", activity="a", timestamp="t"))


def test_transition_graph_between_activities_flags_loop_and_crossing_moves(log):
    g = pw.transition_graph(log)  # level="activity"
    # A's two Henvisning -> Henvisning transitions are Smerteklinik -> psykiater -> Smerteklinik:
    # both on the circular route and both across the psychiatric/somatic line
    e = g.edges["Henvisning", "Henvisning"]
    assert (e["n_transitions"], e["n_loop_moves"], e["n_psychiatric_somatic_moves"]) == (2, 2, 2)
    assert e["loop"] and e["psychiatric_somatic"]
    # B and C go Egen læge -> Medicinsk afdeling: neither
    e = g.edges["Henvisning", "Indlæggelse"]
    assert (e["n_loop_moves"], e["n_psychiatric_somatic_moves"], e["loop"], e["psychiatric_somatic"]) == \
        (0, 0, False, False)


def test_process_map_colours_loop_edges_between_activities(log):
    from pathways.render import styles

    m = pw.process_map(log, highlight=["loops", "psychiatric_somatic"], min_count=1)
    flagged = m.edges.set_index(["source", "target"])
    assert flagged.loc[("Henvisning", "Henvisning"), "loop"]
    assert not flagged.loc[("Henvisning", "Indlæggelse"), "loop"]
    assert styles.LOOP in m.dot and styles.PSY_SOM in m.dot


def test_transition_graph_of_a_log_without_loops_flags_none(log):
    # B and C only: no circular route at all (this used to fail summing a constant)
    g = pw.transition_graph(pw.filter_cases(log, ["B", "C"]))
    assert g.number_of_edges() > 0
    assert not any(d["loop"] for _, _, d in g.edges(data=True))
    assert all(d["n_loop_moves"] == 0 for _, _, d in g.edges(data=True))
