"""One estimator per quantity (issue 24, item 1): the report's waits finding, its headline and its table state the
Kaplan–Meier median and the Kaplan–Meier share over the limit, with their 95 % intervals, the same numbers as
pw.guarantees; superseded waits are their own category with their count.

Before, the demo report's first finding read "Udredningsretten: 64 % af ventetiderne var længere end 30 dage
(median 27 dage)": a share over the waits with a known outcome next to the median of the ended waits alone
(Kaplan–Meier: 48 days).
"""

from __future__ import annotations

import html
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

import pathways as pw
from pathways import datasets
from pathways.publish.numbers import Formatter

PVK = "Psykiatrisk Visitationsklinik"


def _finding(text: str, key: str) -> str:
    m = re.search(rf'<section id="{key}"><h2>.*?</h2><div class="finding"><p>(.*?)</p>', text, flags=re.S)
    assert m, f"no section {key}"
    return html.unescape(m.group(1))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's report (the bundled sample extract, Danish), its figures folder, and pw.guarantees on it."""
    base = tmp_path_factory.mktemp("demo")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        log = datasets.load_sample(datasets.DEMO_SAMPLE)
        rep = pw.report(log, base / "report.html", as_of=datasets.AS_OF, language="da", figures_dir=base / "fig")
    return rep, pw.guarantees(log, as_of=datasets.AS_OF).set_index("name")


def test_the_demo_headline_states_the_kaplan_meier_median_and_share(demo):
    rep, g = demo
    u, f = g.loc["udredningsret"], Formatter("da", 5)
    headline = rep.findings[0]
    m = re.fullmatch(r"Udredningsretten: (\d+) % af ventetiderne var længere end 30 dage \(95 % KI (\d+)–(\d+) %\); "
                     r"median (\d+) dage \(95 % KI (\d+)–(\d+) dage\), begge efter Kaplan–Meier\.", headline)
    assert m, headline
    share, share_low, share_high, median, median_low, median_high = map(int, m.groups())
    # the median is the Kaplan-Meier median of the same table, not the median of the ended waits (27 days)
    assert median == round(u["km_median_days"]) == 48
    assert round(u["median_ended_days"]) == 27 and median != round(u["median_ended_days"])
    assert (median_low, median_high) == (round(u["km_median_ci_low"]), round(u["km_median_ci_high"]))
    # and the share over 30 days is the Kaplan-Meier share, with its interval
    assert (share, share_low, share_high) == tuple(round(100 * u[c]) for c in (
        "km_share_over_threshold", "km_share_ci_low", "km_share_ci_high"))
    assert f.time(u["km_median_days"]) == f"{median} dage"


def test_the_demo_waits_section_says_the_same_and_counts_superseded_waits(demo):
    rep, g = demo
    u = g.loc["udredningsret"]
    text = _finding(Path(rep.path).read_text(encoding="utf-8"), "waits")
    assert f"65 % af ventetiderne var længere end 30 dage (95 % KI 60–69 %), og medianventetiden var 48 dage " \
           f"(95 % KI 42–56 dage)" in text
    assert (u["n_waiting"], u["n_superseded"]) == (53, 97)
    assert "53 ventetider var stadig åbne pr. 1. januar 2024, og 97 blev afløst af en ny start" in text


def test_the_demo_table_holds_the_kaplan_meier_columns_of_guarantees(demo):
    rep, g = demo
    csv = next(p for p in rep.files if p.name == "06_waits_guarantees.csv")
    table = pd.read_csv(csv, sep=";", decimal=",", encoding="utf-8-sig").set_index("Regel")
    row = table.loc[next(r for r in table.index if r.startswith("Udredningsret"))]
    u = g.loc["udredningsret"]
    assert int(row["Afløst af ny start"]) == u["n_superseded"]
    assert int(row["Stadig ventende"]) == u["n_waiting"]
    assert float(row["Kaplan–Meier-median (dage)"]) == pytest.approx(u["km_median_days"], abs=1e-4)
    assert float(row["Median, 95 % KI nedre (dage)"]) == pytest.approx(u["km_median_ci_low"], abs=1e-4)
    assert float(row["Over grænsen (Kaplan–Meier)"]) == pytest.approx(u["km_share_over_threshold"], abs=1e-4)
    assert float(row["Over grænsen, 95 % KI øvre"]) == pytest.approx(u["km_share_ci_high"], abs=1e-4)
    # the median of the ended waits alone is an extra column, labelled so
    assert float(row["Median af de afsluttede alene (dage)"]) == pytest.approx(u["median_ended_days"], abs=1e-4)


def test_a_median_not_reached_by_hand(tmp_path):
    """Ten psychiatric referrals on 1 January: four assessed after 10 days, six still waiting on 1 March (60 days).

    Kaplan–Meier: S(10) = 6/10 and nothing ends later, so the median is not reached; the share over 30 days is
    0.6, Greenwood 4 / (10 * 6) = 1/15, log-log band exp(-exp(ln(-ln 0.6) -+ 1.96 sqrt(1/15) / -ln 0.6)) =
    (0.2527, 0.8272); the median's interval: the lower band is under 1/2 from day 10, the upper never.
    The median of the ended waits alone would say 10 days.
    """
    rows = []
    for i in range(10):
        rows.append((f"P{i}", "Henvisning modtaget", "2024-01-01 08:00"))
        if i < 4:
            rows.append((f"P{i}", "Udredning start", "2024-01-11 08:00"))
    df = pd.DataFrame(rows, columns=["pt", "act", "ts"]).assign(unit=PVK)
    log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts", unit="unit")
    u = pw.guarantees(log, as_of="2024-03-01").set_index("name").loc["udredningsret"]
    assert (u["n"], u["n_ended"], u["n_waiting"], u["n_superseded"]) == (10, 4, 6, 0)
    assert u["km_share_over_threshold"] == pytest.approx(0.6)
    assert (round(u["km_share_ci_low"], 4), round(u["km_share_ci_high"], 4)) == (0.2527, 0.8272)
    assert u["km_median_days"] == float("inf") and u["km_median_ci_low"] == 10.0
    assert u["median_ended_days"] == 10.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = pw.report(log, tmp_path / "r.html", as_of="2024-03-01", language="da")
    assert rep.findings[0] == ("Udredningsretten: 60 % af ventetiderne var længere end 30 dage (95 % KI 25–83 %); "
                               "median ikke nået (95 % KI 10 dage – ikke nået), begge efter Kaplan–Meier.")
    en = pw.report(log, tmp_path / "e.html", as_of="2024-03-01", language="en")
    assert en.findings[0] == ("The right to assessment: 60% of the waits were longer than 30 days (95% CI 25–83%); "
                              "median not reached (95% CI 10 days – not reached), both by Kaplan–Meier.")
