"""Funnel plots and control charts (issue 24, item 3): limits and run-rule hits worked out by hand."""

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

import pathways as pw
from pathways.errors import OptionError
from pathways.render.charts import binomial_limit, run_rules


def _exact_limit(p: Fraction, n: int, q: Fraction) -> float:
    """Spiegelhalter's interpolated binomial limit with exact fractions (math.comb), for checking."""
    pmf = [math.comb(n, k) * p ** k * (1 - p) ** (n - k) for k in range(n + 1)]
    cdf = Fraction(0)
    for r, m in enumerate(pmf):
        cdf += m
        if cdf >= q:
            return float((r - (cdf - q) / m) / n)
    raise AssertionError


def test_binomial_limit_by_hand_n10():
    # Binomial(10, 1/2): P(X <= 8) = 1013/1024 >= .975 > P(X <= 7) = 968/1024, P(X = 8) = 45/1024:
    # a = (1013/1024 - .975) / (45/1024) = 14.6/45, limit = (8 - a)/10 = 0.767556
    assert binomial_limit(0.5, 10, 0.975) == pytest.approx((8 - 14.6 / 45) / 10, abs=1e-9)
    # P(X <= 2) = 56/1024 >= .025 > P(X <= 1) = 11/1024: a = (56 - 25.6)/45, limit = (2 - a)/10 = 0.132444
    assert binomial_limit(0.5, 10, 0.025) == pytest.approx((2 - 30.4 / 45) / 10, abs=1e-9)


@pytest.mark.parametrize("p, n", [("1/10", 100), ("3/20", 37), ("1/50", 400), ("1/3", 9)])
@pytest.mark.parametrize("q", ["1/1000", "1/40", "39/40", "999/1000"])
def test_binomial_limit_equals_the_exact_fraction_computation(p, n, q):
    assert binomial_limit(float(Fraction(p)), n, float(Fraction(q))) == pytest.approx(
        max(0.0, min(1.0, _exact_limit(Fraction(p), n, Fraction(q)))), abs=1e-9)


def test_binomial_limit_meets_the_normal_approximation_for_large_n():
    # p = 0.1: the normal 95 % limits are 0.1 +- 1.96 * sqrt(0.09 / n); at n = 100 they are 0.0412 and 0.1588 and the
    # exact ones lie within a count of them; at n = 10,000 they agree to 0.0006
    for n, tol in ((100, 0.012), (10_000, 0.0006)):
        half = 1.96 * math.sqrt(0.09 / n)
        assert binomial_limit(0.1, n, 0.025) == pytest.approx(0.1 - half, abs=tol)
        assert binomial_limit(0.1, n, 0.975) == pytest.approx(0.1 + half, abs=tol)


def _table():
    # overall rate of the groups drawn: (10 + 20 + 10 + 0) / 400 = 0.1; D (n = 4) is not drawn and not in the target
    return pd.DataFrame({"municipality": ["A", "B", "C", "D", "E"], "indicator": "readmission_30d",
                         "numerator": [10, 20, 10, 3, 0], "denominator": [100, 100, 100, 4, 100]})


def test_funnel_plot_points_limits_and_outliers():
    f = pw.funnel_plot(_table())
    d = f.data.set_index("municipality")
    assert list(d.index) == ["A", "B", "C", "E"]
    assert f.info["target"] == pytest.approx(0.1)
    assert (f.info["n_drawn"], f.info["n_not_drawn"]) == (4, 1)
    for col, q in (("low_95", "1/40"), ("high_95", "39/40"), ("low_998", "1/1000"), ("high_998", "999/1000")):
        assert d.loc["A", col] == pytest.approx(_exact_limit(Fraction(1, 10), 100, Fraction(q)), abs=1e-9)
    # B: 20 % at n = 100 is 3.3 standard errors (0.03) above 10 %: over the 99.8 % limit (about 0.19);
    # E: 0 % is below the 99.8 % lower limit (about 0.02); A and C sit on the target
    assert d["outlier"].to_dict() == {"A": "", "B": "above_99.8", "C": "", "E": "below_99.8"}
    svg = f.svg()
    assert ">B</text>" in svg and ">E</text>" in svg and ">A</text>" not in svg and ">D</text>" not in svg
    assert "1 with a denominator under 5 not drawn" in f.info["caption"]


def test_funnel_plot_between_95_and_998():
    # n = 400, target 0.1 (40/400 over F and G together): se = 0.015, F at 0.135 is 2.33 se above: only the 95 % limit
    t = pd.DataFrame({"unit": ["F", "G"], "numerator": [54, 26], "denominator": [400, 400]})
    d = pw.funnel_plot(t).data.set_index("unit")
    assert d.loc["F", "high_95"] < 0.135 < d.loc["F", "high_998"]
    assert d["outlier"].to_dict() == {"F": "above_95", "G": "below_95"}


def test_funnel_plot_danish_words_and_files(tmp_path):
    t = _table()
    t.attrs["definitions"] = {"readmission_30d": {"title_da": "Genindlæggelse inden for 30 dage",
                                                  "title_en": "Readmission within 30 days"}}
    f = pw.funnel_plot(t, language="da")
    svg = f.svg()
    assert "Tragtplot: Genindlæggelse inden for 30 dage" in svg
    assert "99,8 %-grænser" in svg and "samlet andel 10,0 %" in svg
    assert "4 grupper vist; 1 med en nævner under 5 ikke vist" in f.info["caption"]
    assert pw.funnel_plot(t).title == "Funnel plot: Readmission within 30 days"
    assert f.save(tmp_path / "f.svg").read_text(encoding="utf-8").startswith("<svg")
    assert f.save(tmp_path / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "image/svg+xml" in f._repr_mimebundle_()


def test_funnel_plot_sums_periods_and_escapes_names():
    t = pd.DataFrame({"unit": ["<b>x", "<b>x", "Y"], "period": ["2023-01", "2023-02", "2023-01"],
                      "numerator": [1, 2, 30], "denominator": [50, 50, 100]})
    f = pw.funnel_plot(t)
    assert f.data[["numerator", "denominator"]].values.tolist() == [[3, 100], [30, 100]]
    svg = f.svg()
    assert "<b>x" not in svg and "&lt;b&gt;x" in svg and "<script" not in svg


def test_funnel_plot_nothing_to_draw_says_so():
    t = pd.DataFrame({"unit": ["A", "B"], "numerator": [1, 0], "denominator": [3, 0]})
    f = pw.funnel_plot(t, min_count=5)
    assert f.info["n_drawn"] == 0 and "nothing to draw" in f.info["caption"]
    assert "nothing to draw" in f.svg()


def test_control_chart_rules_by_hand():
    # 20 months of 100: numerators below; centre 231/2000 = 0.1155, se = sqrt(.1155 * .8845 / 100) = 0.031962,
    # limits 0.1155 +- 0.095887 = [0.019613, 0.211387]
    num = [12] * 8 + [9, 3, 4, 5, 6, 7, 8, 15, 14, 10, 14, 40]
    t = pd.DataFrame({"period": pd.period_range("2022-01", periods=20, freq="M"), "indicator": "x",
                      "numerator": num, "denominator": 100})
    c = pw.control_chart(t)
    d = c.data
    assert c.info["centre"] == pytest.approx(0.1155)
    assert d["upper"].iloc[0] == pytest.approx(0.1155 + 3 * math.sqrt(0.1155 * 0.8845 / 100))
    assert d["lower"].iloc[0] == pytest.approx(0.1155 - 3 * math.sqrt(0.1155 * 0.8845 / 100))
    assert np.flatnonzero(d["outside"]).tolist() == [19]          # 40 % in month 20
    assert np.flatnonzero(d["shift"]).tolist() == list(range(8))  # months 1-8 at 12 % > 11.55 %: 8 in a row
    # months 10-16 rise (3, 4, 5, 6, 7, 8, 15 %): 7 points, at least 6; months 9-15 are 7 below: no shift
    assert np.flatnonzero(d["trend"]).tolist() == list(range(9, 16))
    svg = c.svg()
    assert "rule 2: 8 in a row on one side of the centre line" in svg and "2022-01" in svg


def test_control_chart_limits_follow_each_months_denominator_and_small_months_are_left_out():
    t = pd.DataFrame({"period": ["2023-01", "2023-02", "2023-03"], "numerator": [10, 5, 1],
                      "denominator": [100, 25, 4]})
    c = pw.control_chart(t, language="da")
    d = c.data
    assert d["period"].tolist() == ["2023-01", "2023-02"]  # March has 4 in the denominator
    p = 15 / 125
    assert d["upper"].tolist() == pytest.approx([p + 3 * math.sqrt(p * (1 - p) / n) for n in (100, 25)])
    # 0.12 - 3 * 0.0325 = 0.0225 at n = 100; at n = 25, 0.12 - 3 * 0.065 is below 0: cut at 0
    assert d["lower"].tolist() == pytest.approx([p - 3 * math.sqrt(p * (1 - p) / 100), 0.0])
    assert "2 perioder vist; 1 med en nævner under 5 ikke vist" in c.info["caption"]
    assert "Kontrolkort (p-kort)" in c.svg()


def test_run_rules_ties_and_the_centre_break_runs():
    # 8 points above but the 4th sits on the centre line: no shift; equal neighbours break a trend
    r = run_rules([.2, .2, .2, .1, .2, .2, .2, .2], .1, 0, 1)
    assert not r["shift"].any()
    r = run_rules([.1, .2, .3, .3, .4, .5, .6], .35, 0, 1)
    assert not r["trend"].any()
    r = run_rules([.6, .5, .4, .3, .2, .1], .35, 0, 1)
    assert r["trend"].all()


@pytest.mark.parametrize("call, match", [
    (lambda: pw.funnel_plot(pd.DataFrame({"unit": ["A"], "numerater": [1], "denominator": [5]})),
     "no column 'numerator'.*Did you mean 'numerater'"),
    (lambda: pw.funnel_plot(pd.concat([_table(), _table().assign(indicator="waits_over")])),
     "holds 2 indicators; pick one with indicator=.*'readmission_30d', 'waits_over'"),
    (lambda: pw.funnel_plot(_table(), indicator="readmision_30d"), "Did you mean 'readmission_30d'"),
    (lambda: pw.funnel_plot(_table(), by="kommune"), "by='kommune' is not a column"),
    (lambda: pw.funnel_plot(_table().drop(columns="municipality")), "no group column"),
    (lambda: pw.funnel_plot(_table().assign(numerator=[10, 200, 10, 3, 0])), "0 ≤ numerator ≤ denominator"),
    (lambda: pw.funnel_plot(_table(), min_count=0), "min_count=0 is not allowed"),
    (lambda: pw.funnel_plot(_table(), language="de"), "language='de' is not allowed"),
    (lambda: pw.control_chart(_table()), "no column 'period'"),
    (lambda: pw.control_chart([1, 2]), "must be a pandas DataFrame"),
])
def test_bad_input_is_an_option_error(call, match):
    with pytest.raises(OptionError, match=match):
        call()


# --------------------------------------------------------------------------- the report's charts, public (item 5)
def _texts(chart):
    return [a["s"] for kind, a in chart.items if kind == "text"]


def _rects(chart, *, dashed):
    return [a for kind, a in chart.items if kind == "rect" and a["dash"] == dashed and a["stroke"] == "#4e79a7"]


def test_histogram_draws_a_small_count_as_under_five_never_its_value():
    # bins [0, 10), [10, 20), [20, 30]: 3 values in the first (a small cell), none, 40 in the last
    c = pw.histogram([1.0, 2.0, 9.5] + [25.0] * 40, bins=[0, 10, 20, 30], threshold=10, language="en")
    assert c.data["n"].tolist() == [pd.NA, 0, 40]
    texts = _texts(c)
    assert "<5" in texts and "3" not in texts                  # the y axis runs 0, 10, ..., 40: no "3" anywhere
    assert {"Distribution", "count", "threshold 10", "fewer than 5"} <= set(texts)
    # the plot runs from y = 52 to 256 (a 300-high chart) over 0 .. 44 (1.1 x the largest count): the small bar is
    # a dashed outline as high as 5, never as high as 3
    (small,) = [a for kind, a in c.items if kind == "rect" and a["dash"] and a["y"] > 40]
    assert small["h"] == pytest.approx(204 * 5 / 44) and small["fill"] == "#ffffff"
    (big,) = [a for kind, a in c.items if kind == "rect" and a["fill"] == "#4e79a7"]
    assert big["h"] == pytest.approx(204 * 40 / 44)
    assert c.info["n_small"] == 1


def test_histogram_in_danish_with_a_duration_threshold_and_given_bins():
    c = pw.histogram(([0, 10, 20, 30], [3, 0, 40]), threshold="10D", language="da")
    texts = _texts(c)
    assert {"Fordeling", "antal", "dage", "grænse 10 dage", "færre end 5", "<5"} <= set(texts)
    assert "3" not in texts
    # hours: the values are hours, a duration threshold is converted (2 days = 48 hours) and named as given
    h = pw.histogram(([0, 24, 48, 72], [10, 20, 30]), threshold="2D", time_unit="hours", language="en")
    (line,) = [a for kind, a in h.items if kind == "line" and a["stroke"] == "#d62728"]
    assert line["x1"] == pytest.approx(52 + (544 - 52) * 48 / 72)
    assert {"hours", "threshold 2 days"} <= set(_texts(h))


def test_histogram_default_bins_are_the_reports():
    from pathways.render.plots import round_bins

    values = [1, 2, 2, 3, 9, 40]
    # q95 = 9 + 0.75 * 31 = 32.25; 6 values: 4 bins of 10 reach 40, and 40 itself opens a last bin [40, 50)
    edges, counts, open_last = round_bins(values)
    assert edges.tolist() == [0, 10, 20, 30, 40, 50] and counts.tolist() == [5, 0, 0, 0, 1] and open_last
    c = pw.histogram(values)
    assert c.data["from"].tolist() == [0, 10, 20, 30, 40] and c.data["to"].tolist()[-1] == np.inf
    assert "≥" in _texts(c)


def _waits():
    # ended 2, 5, 5, 9, 12, 20, 30, 31; still waiting at 45 and 60. At risk / ended: 2: 10/1 -> .9; 5: 9/2 -> .7;
    # 9: 7/1 -> .6; 12: 6/1 -> .5; 20: 5/1 -> .4; 30: 4 at risk, under 5: the curve stops before it
    return pd.DataFrame({"wait_days": [2.0, 5, 5, 9, 12, 20, 30, 31, 45, 60],
                         "censored": [False] * 8 + [True, True]})


def test_km_chart_draws_wait_curve_as_it_comes():
    c = pw.km_chart(pw.wait_curve(_waits(), min_at_risk=1), threshold="30D", language="da")
    assert c.data["time"].tolist() == [2, 5, 9, 12, 20]           # cut where fewer than 5 are at risk
    assert c.data["survival"].tolist() == pytest.approx([.9, .7, .6, .5, .4])
    texts = _texts(c)
    assert {"Andel der stadig venter", "venter stadig", "dage", "grænse 30 dage"} <= set(texts)
    assert "0 %" in texts and "100 %" in texts
    (curve,) = [a for kind, a in c.items if kind == "polyline"]
    # y = 256 - 204 * survival: the steps of the curve, from 1 at time 0
    ys = sorted({round(y, 6) for _, y in curve["points"]})
    assert ys == pytest.approx(sorted(256 - 204 * s for s in (1.0, .9, .7, .6, .5, .4)))


def test_km_chart_in_hours_and_english():
    c = pw.km_chart(pw.wait_curve(_waits()), threshold="48h", time_unit="hours", x_max="30D")
    assert c.data["time"].tolist() == [48, 120, 216, 288, 480]
    assert {"Share still waiting", "still waiting", "hours", "threshold 48 hours"} <= set(_texts(c))


def test_km_chart_bad_input():
    with pytest.raises(OptionError, match=r"Pass pw.wait_curve\(waits\)"):
        pw.km_chart(_waits())
    two = pw.wait_curve(_waits().assign(unit=["A"] * 5 + ["B"] * 5), by="unit", min_at_risk=1)
    with pytest.raises(OptionError, match=r"several curves \(by unit\).*curve\[curve\['unit'\] == 'A'\]"):
        pw.km_chart(two)
    with pytest.raises(OptionError, match="time_unit='weeks' is not allowed"):
        pw.km_chart(pw.wait_curve(_waits()), time_unit="weeks")


def test_heatmap_publishes_the_counts_with_their_row_totals():
    t = pd.DataFrame({"am": [3, 9], "pm": [7, 12]}, index=["Monday", "Tuesday"])
    c = pw.heatmap(t, language="da")
    texts = _texts(c)
    # Monday's total 10 is published: its 3 is "<5" and the 7 beside it hidden ("–") so 10 - 7 cannot give it away
    assert c.data.loc["Monday"].tolist() == ["<5", "–", 10] and c.data.loc["Tuesday"].tolist() == [9, 12, 21]
    assert {"<5", "–", "9", "12", "10", "21", "Mandag", "Tirsdag", "Σ", "Antal"} <= set(texts)
    assert "3" not in texts and "7" not in texts


def test_heatmap_of_discharge_timing_and_of_a_suppress_result():
    df = pd.DataFrame({"pt": ["A", "A", "B"], "act": ["Varsling", "Udskrivning", "Udskrivning"],
                       "ts": ["2024-06-05 16:00", "2024-06-07 16:00", "2024-01-10 09:30"]})
    log = pw.from_pandas(df, case="pt", activity="act", timestamp="ts")
    c = pw.heatmap(pw.discharge_timing(log), language="da")
    texts = _texts(c)
    assert {"klokkeslæt", "Fredag", "Onsdag", "16", "09"} <= set(texts)
    assert texts.count("<5") == 4 and "1" not in texts  # two cells of 1 and the two rows' totals of 1
    # a suppress result is drawn as published, e.g. with a partial sum published elsewhere (its docstring's case)
    t = pd.DataFrame({"jan": [3, 8], "feb": [10, 9], "mar": [12, 20]}, index=["A", "B"])
    m = pd.DataFrame({"jan": [True, False], "feb": [False, True], "mar": [False, False]}, index=["A", "B"])
    c = pw.heatmap(pw.suppress(t, sums={"A_jan_B_feb": m}), language="en")
    texts = _texts(c)
    assert texts.count("–") == 5 and texts.count("<5") == 1 and "3" not in texts and "12" not in texts
    assert {"25", "37", "11", "19", "32", "62"} <= set(texts)       # the totals, the column totals as a row Σ


def test_bar_chart_counts_and_shares():
    c = pw.bar_chart(pd.Series([40, 3, 12], index=["Psykiatri", "Somatik", "Kommune"]), language="da")
    assert _texts(c) == ["Antal", "Psykiatri", "40", "Somatik", "<5", "Kommune", "12"]
    (small,) = _rects(c, dashed=True)
    (full, _) = [a for kind, a in c.items if kind == "rect" and a["fill"] == "#4e79a7"]
    assert small["w"] == pytest.approx(full["w"] * 5 / 40)       # as long as 5, never as 3
    s = pw.bar_chart([30, 2, 3], labels=["A", "B", "C"], denominators=[250, 100, 4], language="en")
    assert s.data["text"].tolist() == ["12% (30 / 250)", "<5% (<5 / 100)", "– (<5 / <5)"]
    assert s.data["share"].tolist()[0] == pytest.approx(0.12) and s.data["share"].isna().tolist() == [False, True, True]
    assert "Shares" in _texts(s) and len(_rects(s, dashed=True)) == 1   # C (of 4) has no bar at all
    with pytest.raises(OptionError, match="give labels="):
        pw.bar_chart([1, 2])
    with pytest.raises(OptionError, match="2 values but 1 labels"):
        pw.bar_chart([1, 2], labels=["a"])


@pytest.mark.parametrize("make, words", [
    (lambda: pw.histogram(([0, 10, 20], [3, 12]), threshold="10D", language="da"), ["&lt;5", "grænse 10 dage"]),
    (lambda: pw.km_chart(pw.wait_curve(_waits()), threshold="30D", language="da"), ["grænse 30 dage"]),
    (lambda: pw.heatmap(pd.DataFrame({"a": [3, 9], "b": [7, 12]}, index=["Monday", "Tuesday"]), language="da"),
     ["&lt;5", "Mandag"]),
    (lambda: pw.bar_chart({"Psykiatri": 40, "Somatik": 3}, language="da"), ["&lt;5", "Psykiatri"]),
])
def test_the_charts_save_as_svg_and_png(make, words, tmp_path):
    c = make()
    svg, png = c.save(tmp_path / "c.svg"), c.save(tmp_path / "c.png")
    text = svg.read_text(encoding="utf-8")
    assert text.startswith("<svg") and "<script" not in text and all(w in text for w in words)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_charts_bad_input_and_nothing_to_draw():
    few = pd.DataFrame({"wait_days": [1.0, 2, 3], "censored": [False] * 3})
    c = pw.km_chart(pw.wait_curve(few, min_at_risk=1), language="da")   # 3 at risk at the start: under 5
    assert len(c.data) == 0 and "Færre end 5" in c.info["caption"] and "Færre end 5" in c.svg()
    assert pw.histogram([[0, 10, 20], [3, 40]]).data["n"].tolist() == [pd.NA, 40]   # a list pair is a pair too
    with pytest.raises(OptionError, match=r"heatmap: 1 cells are not whole counts"):
        pw.heatmap(pd.DataFrame({"a": [1.5, 2]}))
    with pytest.raises(OptionError, match=r"one more edge than counts"):
        pw.histogram(([0, 1], [1, 2]))
    with pytest.raises(OptionError, match=r"item 1: 'x'"):
        pw.histogram([1, "x"])
    with pytest.raises(OptionError, match=r"'a' has 5 of 4"):
        pw.bar_chart([5, 2], labels=["a", "b"], denominators=[4, 10])
    with pytest.raises(OptionError, match=r"x_max=-1"):
        pw.km_chart(pw.wait_curve(_waits()), x_max=-1)


def test_km_chart_axis_ends_where_the_report_ends_it():
    # the curve (at least 5 at risk) holds the ended waits 2, 5, 5, 9, 12, 20: their 95th percentile is
    # 12 + 0.75 * (20 - 12) = 18 (linear), so the axis ends at 18 days and the step at 20 is cut
    c = pw.km_chart(pw.wait_curve(_waits()))
    assert c.data["time"].tolist() == [2, 5, 9, 12]
    # with a threshold of 30 days, twice it (60) is later: the whole curve, and the line at 30 of 61.2 (60 x 1.02)
    c = pw.km_chart(pw.wait_curve(_waits()), threshold="30D")
    assert c.data["time"].tolist() == [2, 5, 9, 12, 20]
    (line,) = [a for kind, a in c.items if kind == "line" and a["stroke"] == "#d62728"]
    assert line["x1"] == pytest.approx(52 + (544 - 52) * 30 / 61.2)
