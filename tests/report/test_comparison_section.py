"""The report's comparison section (issue 24, items 1 and 3): funnel plots per municipality, a monthly p-chart, their
sentences with numbers worked out by hand, and nothing about fewer than min_count patients."""

import math
from pathlib import Path

import pandas as pd
import pytest

import pathways as pw
from pathways.report import comparison as C
from pathways.report import sections as S
from pathways.publish.numbers import Formatter

AS_OF = "2023-10-01"


def _log(spec):
    """Patients discharged in ``spec``: municipality -> [(month, discharges, readmitted within 30 days), ...].

    Each patient is admitted on the 2nd of the month and discharged on the 5th; the readmitted ones are admitted again
    on the 20th (and still in hospital)."""
    rows, k = [], 0
    for municipality, months in spec.items():
        for month, n, r in months:
            for i in range(n):
                pt, k = f"p{k}", k + 1
                rows += [(pt, "Indlæggelse", f"2023-{month:02d}-02 08:00", municipality),
                         (pt, "Udskrivning", f"2023-{month:02d}-05 11:00", municipality)]
                if i < r:
                    rows.append((pt, "Indlæggelse", f"2023-{month:02d}-20 08:00", municipality))
    df = pd.DataFrame(rows, columns=["pt", "act", "ts", "municipality"]).assign(unit="Medicinsk afdeling")
    return pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit", attributes=["municipality"])


def _ctx(log, language="en"):
    return S.Context(log=log, fmt=Formatter(language, 5), as_of=pd.Timestamp(AS_OF, tz="Europe/Copenhagen"),
                     as_of_given=True, rules=pw.GUARANTEES)


# A and B: 30 discharges a month from January to June, 7 readmitted (23.3 %); C: 60 discharges in May, 36 readmitted
THREE = {"A": [(m, 30, 7) for m in range(1, 7)], "B": [(m, 30, 7) for m in range(1, 7)], "C": [(5, 60, 36)]}


def test_the_sentences_name_the_outlier_and_the_special_cause_month():
    sec = C.comparison(_ctx(_log(THREE)))
    # all: 42 + 42 + 36 = 120 readmitted of 180 + 180 + 60 = 420 discharges, 28.57 % -> "29%"
    assert sec.title == "Comparing municipalities"
    assert sec.finding[0] == ("Readmission within 30 days: 29% of 420 discharges across 3 municipalities; outside "
                              "the funnel plot's 95% limits: C (higher).")
    funnel = next(f.picture for f in sec.figures() if f.name == "funnel_readmission")
    data = funnel.data.set_index("municipality")
    assert math.isclose(funnel.info["target"], 120 / 420)
    # C: 36 / 60 = 0.6; its 99.8 % limit at n = 60 is about 0.2857 + 3.09 * sqrt(0.2857 * 0.7143 / 60) = 0.466
    assert data.loc["C", "outlier"] == "above_99.8" and 0.44 < data.loc["C", "high_998"] < 0.49
    # A and B: 42 / 180 = 0.233, inside the 95 % limits 0.2857 -+ 1.96 * sqrt(0.2857 * 0.7143 / 180) = 0.220..0.352
    assert data.loc["A", "outlier"] == "" and data.loc["B", "outlier"] == ""
    # per month: 14 of 60 (January-April, June), May 14 + 36 = 50 of 120 = 0.4167; centre 120 / 420 = 0.2857,
    # May's upper limit 0.2857 + 3 * sqrt(0.2857 * 0.7143 / 120) = 0.4094: outside
    chart = next(f.picture for f in sec.figures() if f.name == "control_chart_readmission")
    assert chart.data["outside"].tolist() == [False, False, False, False, True, False]
    assert math.isclose(chart.data["upper"].iloc[4], 120 / 420 + 3 * math.sqrt(120 / 420 * 300 / 420 / 120))
    assert sec.finding[1] == "The monthly control chart of readmissions shows a special cause in May 2023 (outside " \
                             "the limits)."
    table = next(t for t in sec.tables() if t.name == "readmissions_by_municipality").export(Formatter("en", 5))
    assert table.set_index("Municipality").loc["C"].tolist()[:3] == [36, 60, 0.6]
    assert table.set_index("Municipality").loc["C", "Funnel plot"] == "above the 99.8% limit"
    da = C.comparison(_ctx(_log(THREE), "da"))
    assert da.finding[0] == ("Genindlæggelse inden for 30 dage: 29 % af 420 udskrivninger på tværs af 3 kommuner; "
                             "uden for tragtplottets 95 %-grænser: C (højere).")
    assert da.finding[1].endswith("viser særlige årsager i maj 2023 (uden for grænserne).")


def test_no_section_with_one_group():
    assert C.comparison(_ctx(_log({"A": [(m, 30, 7) for m in range(1, 7)]}))) is None
    # two groups, but one with 4 discharges: it cannot be drawn, so there is nothing to compare
    assert C.comparison(_ctx(_log({"A": [(1, 30, 7)], "B": [(1, 4, 1)]}))) is None


def test_small_counts_and_their_complements_are_hidden_and_not_drawn():
    # D: 20 discharges, 3 readmitted -> "<5"; the total (123 readmitted) is in the sentence, so the smallest other
    # count of the column is hidden too ("–"): C's 36 (A's and B's are 42). Neither D nor C is drawn (a point's
    # height times its denominator is its numerator), and the monthly table is protected with the same total.
    spec = {**THREE, "D": [(3, 20, 3)]}
    sec = C.comparison(_ctx(_log(spec)))
    fmt = Formatter("en", 5)
    table = next(t for t in sec.tables() if t.name == "readmissions_by_municipality").export(fmt)
    table = table.set_index("Municipality")
    assert table.loc["D", "Readmitted"] == "<5" and table.loc["C", "Readmitted"] is None
    assert table.loc["C", "Share"] is None and table.loc["C", "95% CI from"] is None
    assert table.loc["D", "95% CI from"] is None
    assert "123 of 440" not in " ".join(sec.finding)
    assert sec.finding[0].startswith("Readmission within 30 days: 28% of 440 discharges across 4 municipalities")
    funnel = next(f.picture for f in sec.figures() if f.name == "funnel_readmission")
    assert sorted(funnel.data["municipality"]) == ["A", "B"]
    months = next(t for t in sec.tables() if t.name == "readmissions_by_month").export(fmt).set_index("Month")
    # March: 14 + 3 = 17 of 80, May: 50 of 120; no month's count is small, the column's total is the same 123
    assert months.loc["March 2023", "Readmitted"] == 17
    svg = "".join(f.picture.svg() for f in sec.figures())
    assert ">D<" not in svg and ">C<" not in svg


def test_the_report_has_the_section_and_writes_its_figures(tmp_path):
    log = _log(THREE)
    rep = pw.report(log, tmp_path / "r.html", as_of=AS_OF, language="en", figures_dir=tmp_path / "fig")
    assert "Comparing municipalities" in rep.sections
    names = {p.name for p in rep.files}
    k = rep.sections.index("Comparing municipalities") + 1
    for stem in ("funnel_readmission", "control_chart_readmission"):
        assert {f"{k:02d}_comparison_{stem}.svg", f"{k:02d}_comparison_{stem}.png"} <= names
    assert f"{k:02d}_comparison_readmissions_by_municipality.csv" in names
    page = Path(rep.path).read_text(encoding="utf-8")
    assert "C (higher)" in page
    one = _log({"A": [(m, 30, 7) for m in range(1, 7)]})
    assert "Comparing municipalities" not in pw.report(one, tmp_path / "one.html", as_of=AS_OF).sections
