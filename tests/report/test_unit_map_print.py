"""The report's unit map in print (issue 25, item 4): every text of the printed figures 8 pt or more on A4.

On screen the report shows the whole unit map (or the interactive one); a map too wide to print legibly is
printed as one part per domain, each on a portrait or a landscape page, and the figures folder holds them all.
"""

import re
from pathlib import Path

import pandas as pd
import pytest

import pathways as pw
from pathways.layout import candidates

ENGINES = [e.name for e in candidates()]
MM = 72 / 25.4
#: An A4 page's text area (14 mm margins) less room for a caption, as in the report's print style (pt)
PAGE = {"portrait": (170 * MM, 240 * MM), "landscape": (260 * MM, 165 * MM)}


def printed_smallest_text(svg: str, width_pt: float, height_pt: float) -> float:
    """Points of the smallest text when the SVG is scaled to fit a box of width_pt x height_pt (never enlarged);
    the measure of tests/render/test_maps.py."""
    w, h = (float(v) for v in re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())
    sizes = [float(v) for v in re.findall(r'font-size="([\d.]+)"', svg)]
    return min(sizes) * min(1.0, width_pt / w, height_pt / h)


def unit_map_figures(text: str) -> dict:
    """id -> (classes, inline svg) of the unit map's figures on the page."""
    out = {}
    for m in re.finditer(r'<figure id="figure-(unit_map[^"]*)"(?: class="([^"]*)")?.*?(<svg.*?</svg>)', text,
                         flags=re.S):
        out[m.group(1)] = (set((m.group(2) or "").split()), m.group(3))
    return out


@pytest.mark.skipif(not ENGINES, reason="no layout engine")
def test_the_demo_reports_printed_unit_map_is_legible_on_a4(sample_reports):
    _, rep = sample_reports["dirty_extract"]
    figs = unit_map_figures(Path(rep.path).read_text(encoding="utf-8"))
    # the whole map on screen only (930 x 930 pt: 5.2 pt printed), its five domains in print
    assert figs["unit_map"][0] == {"pw-screen"}
    parts = [k for k, (cls, _) in figs.items() if "pw-print" in cls]
    assert parts == ["unit_map_psychiatric", "unit_map_somatic", "unit_map_municipal_care", "unit_map_substance",
                     "unit_map_general_practice"]
    for name in parts:
        cls, svg = figs[name]
        page = "landscape" if "pw-landscape" in cls else "portrait"
        assert printed_smallest_text(svg, *PAGE[page]) >= 8.0, name
    assert "pw-landscape" in figs["unit_map_psychiatric"][0]  # four units in a row: wider than high
    stems = {p.stem for p in map(Path, rep.files) if p.suffix == ".png"}
    assert {f"02_unit_map_{name}" for name in parts} <= stems  # for documents too


@pytest.mark.skipif(not ENGINES, reason="no layout engine")
def test_a_small_unit_map_prints_whole(tmp_path):
    rows = [(f"P{i}", "Henvisning", f"2023-03-0{1 + i % 5} 0{8 + j}:00", u)
            for i in range(6) for j, u in enumerate(["Egen læge", "Smerteklinik"])]
    log = pw.from_pandas(pd.DataFrame(rows, columns=["c", "a", "t", "u"]), case="c", activity="a", timestamp="t",
                         unit="u")
    rep = pw.report(log, tmp_path / "r.html", as_of="2023-06-01")
    figs = unit_map_figures(Path(rep.path).read_text(encoding="utf-8"))
    assert list(figs) == ["unit_map"] and figs["unit_map"][0] == set()  # printed and on screen
    assert printed_smallest_text(figs["unit_map"][1], *PAGE["portrait"]) >= 8.0
