"""The report's comparison section: municipalities (or units) side by side, as quality units compare them.

Per municipality (the attribute ``municipality`` or ``kommune``; per unit when the
log has neither) the section draws a funnel plot of the 30-day readmission rate
and one of the share of waits over a guarantee (the right to assessment, or the
first rule with waits), and a monthly p-chart of the readmission rate, all from
:func:`pathways.indicators` and drawn by :func:`pathways.funnel_plot` and
:func:`pathways.control_chart`. Its sentences name the groups outside the funnel's
95 % limits and the months with a special cause.

Privacy: the tables by group and by month go through
:func:`pathways.suppress` with their common totals (the figures the sentences
state), so no "<5" can be worked out from them; groups with fewer than
``min_count`` in the denominator are merged into one row; a point is drawn, and
a rate or interval shown, only where both its counts are published as numbers
(a point's place gives its numerator, so a group or month with 1 to 4 events, or
with a hidden count, is not drawn). The section appears only when at least two
groups can be drawn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import pathways as pw

from ..render.charts import SHIFT_RUN, TREND_RUN
from ..publish.tables import Col, Table, merge_small
from ..publish.words import MONTHS, RULE_SHORT, WORDS
from .blocks import Figure, Note, Section
from .sections import Context, _suppress_stacked

WORDS.update({
    "sec_comparison": {"da": "Sammenligning", "en": "Comparison"},
    "cmp_title": {"da": "Sammenligning af {groups}", "en": "Comparing {groups}"},
    "cmp_groups_municipality": {"da": "kommuner", "en": "municipalities"},
    "cmp_groups_unit": {"da": "enheder", "en": "units"},
    "cmp_group_municipality": {"da": "Kommune", "en": "Municipality"},
    "cmp_group_unit": {"da": "Enhed", "en": "Unit"},
    "cmp_readmission": {"da": "{acute}genindlæggelse inden for 30 dage", "en": "{acute}readmission within 30 days"},
    "cmp_acute": {"da": "akut ", "en": "acute "},
    "cmp_wait": {"da": "ventetid over {threshold} ({rule})", "en": "waits over {threshold} ({rule})"},
    "cmp_finding_readm": {"da": "{title}: {rate} af {n} udskrivninger på tværs af {k} {groups}; {outliers}.",
                          "en": "{title}: {rate} of {n} discharges across {k} {groups}; {outliers}."},
    "cmp_finding_wait": {"da": "Af {n} ventetider til {rule} var {rate} allerede længere end {threshold} ved "
                               "udtrækket; {outliers}.",
                         "en": "Of {n} waits for {rule}, {rate} were already longer than {threshold} at the "
                               "extract date; {outliers}."},
    "cmp_outliers": {"da": "uden for tragtplottets 95 %-grænser: {names}",
                     "en": "outside the funnel plot's 95% limits: {names}"},
    "cmp_no_outliers": {"da": "ingen af {groups}ne ligger uden for tragtplottets 95 %-grænser",
                        "en": "none of the {groups} lies outside the funnel plot's 95% limits"},
    "cmp_higher": {"da": "højere", "en": "higher"},
    "cmp_lower": {"da": "lavere", "en": "lower"},
    "cmp_more": {"da": "og {n} flere", "en": "and {n} more"},
    "cmp_finding_months": {"da": "Kontrolkortet over genindlæggelser pr. måned viser særlige årsager i {months}.",
                           "en": "The monthly control chart of readmissions shows a special cause in {months}."},
    "cmp_no_special": {"da": "Kontrolkortet over genindlæggelser pr. måned viser ingen særlige årsager (et punkt "
                             "uden for 3-sigma-grænserne, {shift} i træk på samme side af midterlinjen, {trend} i træk "
                             "stigende eller faldende).",
                       "en": "The monthly control chart of readmissions shows no special cause (a point outside the "
                             "3-sigma limits, {shift} in a row on one side of the centre line, {trend} in a row rising "
                             "or falling)."},
    "cmp_rule_outside": {"da": "uden for grænserne", "en": "outside the limits"},
    "cmp_rule_shift": {"da": "{n} i træk på samme side", "en": "{n} in a row on one side"},
    "cmp_rule_trend": {"da": "{n} i træk stigende eller faldende", "en": "{n} in a row rising or falling"},
    "cmp_funnel_title": {"da": "Tragtplot: {indicator}", "en": "Funnel plot: {indicator}"},
    "cmp_chart_title": {"da": "Kontrolkort (p-kort): {indicator} pr. måned",
                        "en": "Control chart (p-chart): {indicator} per month"},
    "cmp_funnel_caption": {"da": "Hvert punkt er en af {groups}: andelen mod antallet den er beregnet på. De "
                                 "stiplede grænser rummer 95 %, de fuldt optrukne 99,8 % af de andele, der ville "
                                 "komme ud, hvis alle havde den samlede andel (eksakte binomialgrænser). Kun {groups} "
                                 "med mindst {min_count} i tæller og nævner er tegnet.",
                           "en": "Each point is one of the {groups}: its share against the number it is computed on. "
                                 "The dashed limits hold 95%, the solid ones 99.8% of the shares that would come out "
                                 "if every one had the overall share (exact binomial limits). Only {groups} with at "
                                 "least {min_count} in the numerator and the denominator are drawn."},
    "cmp_chart_caption": {"da": "Månedens andel med 3-sigma-grænser efter månedens antal udskrivninger. Tallene ved "
                                "punkterne er reglerne: 1 uden for grænserne, 2 {shift} i træk på samme side af "
                                "midterlinjen, 3 {trend} i træk stigende eller faldende. Måneder med færre end "
                                "{min_count} genindlæggelser eller udskrivninger er ikke tegnet.",
                          "en": "Each month's share with 3-sigma limits for its number of discharges. The numbers "
                                "at the points are the rules: 1 outside the limits, 2 {shift} in a row on one side of "
                                "the centre line, 3 {trend} in a row rising or falling. Months with fewer than "
                                "{min_count} readmissions or discharges are not drawn."},
    "cmp_table_readm": {"da": "Genindlæggelser inden for 30 dage efter {group}",
                        "en": "Readmissions within 30 days by {group}"},
    "cmp_table_wait": {"da": "Ventetider over {threshold} efter {group}", "en": "Waits over {threshold} by {group}"},
    "cmp_table_months": {"da": "Genindlæggelser inden for 30 dage pr. måned",
                         "en": "Readmissions within 30 days per month"},
    "c_numerator_readm": {"da": "Genindlagt", "en": "Readmitted"},
    "c_denominator_readm": {"da": "Udskrivninger", "en": "Discharges"},
    "c_numerator_wait": {"da": "Allerede over", "en": "Already over"},
    "c_denominator_wait": {"da": "Ventetider", "en": "Waits"},
    "c_rate_km": {"da": "Andel over (Kaplan–Meier)", "en": "Share over (Kaplan–Meier)"},
    "c_rate": {"da": "Andel", "en": "Share"},
    "c_ci_low_95": {"da": "95 %-KI fra", "en": "95% CI from"},
    "c_ci_high_95": {"da": "95 %-KI til", "en": "95% CI to"},
    "c_funnel": {"da": "Tragtplot", "en": "Funnel plot"},
    "c_month": {"da": "Måned", "en": "Month"},
    "cmp_out_above_95": {"da": "over 95 %-grænsen", "en": "above the 95% limit"},
    "cmp_out_above_99.8": {"da": "over 99,8 %-grænsen", "en": "above the 99.8% limit"},
    "cmp_out_below_95": {"da": "under 95 %-grænsen", "en": "below the 95% limit"},
    "cmp_out_below_99.8": {"da": "under 99,8 %-grænsen", "en": "below the 99.8% limit"},
    "cmp_wait_note": {"da": "Andelen i tragtplottet er de ventetider, der allerede var over grænsen ved udtrækket, "
                            "af alle påbegyndte; tabellens Kaplan–Meier-andel regner også med de åbne ventetider.",
                      "en": "The funnel plot's share is the waits already over the limit at the extract date, of all "
                            "waits started; the table's Kaplan–Meier share also accounts for the waits still open."},
})

COUNTS = ["numerator", "denominator"]
#: The readmission indicator the section compares (pw.indicators' id).
READMISSION = "readmission_30d"


def group_column(log) -> str | None:
    """The attribute the section compares by: ``municipality`` or ``kommune``; else ``unit``; else ``None``."""
    for name in ("municipality", "kommune"):
        if name in log.attributes:
            return name
    return "unit" if log.has("unit") else None


def sections(log) -> list:
    """The section functions to add to a report of ``log``: this one when it has something to compare by."""
    return [comparison] if group_column(log) is not None else []


def _indicator(log, ctx: Context, which: str, **options) -> pd.DataFrame | None:
    """One indicator's rows, or None when the log lacks its events."""
    try:
        return pw.indicators(log, as_of=ctx.as_of, which=[which], acute=ctx.acute, rules=ctx.rules, **options)
    except pw.OptionError:
        return None


def _drawable(df: pd.DataFrame, f) -> pd.Series:
    """Rows whose numerator and denominator are published as numbers (neither hidden nor from 1 to 4)."""
    ok = df["numerator"].notna() & df["denominator"].notna()
    return ok & ~df["numerator"].map(f.is_small) & ~df["denominator"].map(f.is_small) & (df["denominator"] > 0)


def _published(ctx: Context, rows: pd.DataFrame, key: str, months: pd.DataFrame | None = None):
    """The table by group (small groups merged) and, optionally, by month, suppressed with their common totals;
    rates and intervals kept only where both counts are published."""
    f = ctx.fmt
    table = ctx.frame(rows.sort_values("denominator", ascending=False, kind="stable"))
    table[key] = table[key].astype(str)
    table = merge_small(table, by="denominator", label=key, other=ctx.other(), add=COUNTS)
    by_group, by_month, total = _suppress_stacked(ctx, [table, months], COUNTS)
    out = []
    for tb in (by_group, by_month):
        if tb is not None:
            keep = _drawable(tb, f)
            tb = tb.assign(**{c: tb[c].where(keep) for c in ("rate", "ci_low", "ci_high") if c in tb})
        out.append(tb)
    return out[0], out[1], total


def _outliers(ctx: Context, chart, key: str) -> str:
    """The groups outside the 95 % limits, named, for a sentence."""
    t = ctx.t
    data = chart.data
    if "outlier" not in data:
        return ""
    out = data[data["outlier"] != ""]
    names = [f"{row[key]} ({t('cmp_higher') if row['outlier'].startswith('above') else t('cmp_lower')})"
             for row in out.sort_values("rate", ascending=False, kind="stable").to_dict("records")]
    if not names:
        return ""
    shown = names[:6] + ([t("cmp_more", n=len(names) - 6)] if len(names) > 6 else [])
    return ", ".join(shown)


def _funnel(ctx: Context, table: pd.DataFrame, key: str, names, title: str, name: str, groups: str):
    """The funnel plot of the drawable rows of ``table`` that are groups of ``names`` (not the merged row), or None
    when fewer than two; its Figure and the words for the sentence."""
    f, t = ctx.fmt, ctx.t
    drawn = table[_drawable(table, f) & table[key].isin(list(names))]
    if len(drawn) < 2:
        return None, None
    chart = pw.funnel_plot(drawn.assign(numerator=drawn["numerator"].astype("int64"),
                                        denominator=drawn["denominator"].astype("int64"))[[key, *COUNTS]],
                           by=key, min_count=ctx.min_count, language=ctx.lang,
                           title=t("cmp_funnel_title", indicator=title))
    outliers = _outliers(ctx, chart, key)
    words = t("cmp_outliers", names=outliers) if outliers else t("cmp_no_outliers", groups=groups)
    fig = Figure(f"funnel_{name}", t("cmp_funnel_title", indicator=title), chart,
                 t("cmp_funnel_caption", groups=groups, min_count=ctx.min_count))
    return (fig, chart), words


def _month(ctx: Context, period) -> str:
    p = pd.Period(period, freq="M")
    return f"{MONTHS[ctx.lang][p.month - 1]} {p.year}"


def comparison(ctx: Context) -> Section | None:
    """Funnel plots of readmissions and waits per municipality (or unit) and a monthly p-chart; None when fewer
    than two groups can be drawn."""
    log, f, t = ctx.log, ctx.fmt, ctx.t
    key = group_column(log)
    kind = "unit" if key == "unit" else "municipality"
    groups = t(f"cmp_groups_{kind}")
    label = t(f"cmp_group_{kind}")
    blocks: list = []
    finding: list[str] = []
    figures: list = []
    readm_title = t("cmp_readmission", acute=t("cmp_acute") if ctx.acute else "")
    readm_title = readm_title[:1].upper() + readm_title[1:]

    readm = _indicator(log, ctx, READMISSION, by=key)
    monthly = _indicator(log, ctx, READMISSION, period="M")
    drawn_groups = 0
    if readm is not None and len(readm):
        months = None
        if monthly is not None and len(monthly):
            months = ctx.frame(monthly[["period", *COUNTS, "rate"]])
        table, months, total = _published(ctx, readm, key, months)
        made, words = _funnel(ctx, table, key, readm[key].astype(str), readm_title, "readmission", groups)
        if made is not None:
            fig, chart = made
            drawn_groups = max(drawn_groups, chart.info["n_drawn"])
            finding.append(t("cmp_finding_readm", title=readm_title, rate=f.share(total["numerator"],
                                                                                   total["denominator"]),
                             n=f.count(total["denominator"]), k=f.int(readm[key].nunique()), groups=groups,
                             outliers=words))
            figures.append(fig)
            status = dict(zip(chart.data[key].astype(str), chart.data["outlier"]))
            blocks.append(_group_table(ctx, table, key, label, "readm", status))
        if months is not None:
            drawable = months[_drawable(months, f)]
            if len(drawable) >= 2:
                cc = pw.control_chart(drawable.assign(numerator=drawable["numerator"].astype("int64"),
                                                      denominator=drawable["denominator"].astype("int64")),
                                      min_count=ctx.min_count, language=ctx.lang,
                                      title=t("cmp_chart_title", indicator=readm_title))
                shift, trend = SHIFT_RUN, TREND_RUN
                figures.append(Figure("control_chart_readmission", t("cmp_chart_title", indicator=readm_title), cc,
                                      t("cmp_chart_caption", shift=shift, trend=trend, min_count=ctx.min_count)))
                special = cc.data[cc.data[["outside", "shift", "trend"]].any(axis=1)]
                if len(special):
                    said = []
                    for row in special.to_dict("records"):
                        rules = [t("cmp_rule_outside")] if row["outside"] else []
                        rules += [t("cmp_rule_shift", n=shift)] if row["shift"] else []
                        rules += [t("cmp_rule_trend", n=trend)] if row["trend"] else []
                        said.append(f"{_month(ctx, row['period'])} ({', '.join(rules)})")
                    if len(said) > 6:
                        said = said[:6] + [t("cmp_more", n=len(said) - 6)]
                    month_sentence = t("cmp_finding_months", months=", ".join(said))
                else:
                    month_sentence = t("cmp_no_special", shift=shift, trend=trend)
                finding.append(month_sentence)
            blocks.append(Table("readmissions_by_month", t("cmp_table_months"), months.assign(
                period=[_month(ctx, p) for p in months["period"]]), [
                Col("period", t("c_month")), Col("numerator", t("c_numerator_readm"), "count"),
                Col("denominator", t("c_denominator_readm"), "count"),
                Col("share", t("c_rate"), "share", of=("numerator", "denominator"))], hidden=True))

    wait = _wait(ctx, key, label, groups)
    if wait is not None:
        sentence, fig, table = wait
        drawn_groups = max(drawn_groups, 2)
        finding.insert(1 if finding else 0, sentence)
        figures.insert(1 if figures else 0, fig)
        blocks.append(table)
        blocks.append(Note(t("cmp_wait_note")))
    if drawn_groups < 2:
        return None
    return Section("comparison", t("cmp_title", groups=groups), finding[:3], [*figures, *blocks])


def _wait(ctx: Context, key: str, label: str, groups: str):
    """The funnel plot of the share of waits over a guarantee: the right to assessment, else the first rule with
    waits in two or more drawable groups."""
    log, f, t = ctx.log, ctx.fmt, ctx.t
    rules = ctx.rules.to_dict("records")
    names = [r["name"] for r in rules if not pd.isna(r.get("threshold"))]
    names = sorted(names, key=lambda n: n != "udredningsret")
    for name in names:
        rows = _indicator(log, ctx, f"wait_over_{name}", by=key)
        if rows is None or not len(rows):
            continue
        rule = next(r for r in rules if r["name"] == name)
        threshold = f.duration(rule["threshold"])
        short = RULE_SHORT.get(name, {}).get(ctx.lang, name.replace("_", " "))
        title = t("cmp_wait", threshold=threshold, rule=short)
        title = title[:1].upper() + title[1:]
        table, _, total = _published(ctx, rows, key)
        made, words = _funnel(ctx, table, key, rows[key].astype(str), title, "wait", groups)
        if made is None:
            continue
        fig, chart = made
        sentence = t("cmp_finding_wait", n=f.count(total["denominator"]), rule=short,
                     rate=f.share(total["numerator"], total["denominator"]), threshold=threshold, outliers=words)
        status = dict(zip(chart.data[key].astype(str), chart.data["outlier"]))
        return sentence, fig, _group_table(ctx, table, key, label, "wait", status, threshold=threshold)
    return None


def _group_table(ctx: Context, table: pd.DataFrame, key: str, label: str, which: str, status: dict,
                 threshold: str = "") -> Table:
    t = ctx.t
    df = table.assign(funnel=[t(f"cmp_out_{status[g]}") if status.get(g) else "" for g in table[key].astype(str)])
    rate = (Col("rate", t("c_rate_km"), "pct") if which == "wait"
            else Col("share", t("c_rate"), "share", of=("numerator", "denominator")))
    cols = [Col(key, label), Col("numerator", t(f"c_numerator_{which}"), "count"),
            Col("denominator", t(f"c_denominator_{which}"), "count"), rate,
            Col("ci_low", t("c_ci_low_95"), "pct", decimals=1), Col("ci_high", t("c_ci_high_95"), "pct", decimals=1),
            Col("funnel", t("c_funnel"))]
    hidden = table[COUNTS].isna().any().any()
    group = label.lower()
    title = t("cmp_table_readm", group=group) if which == "readm" else t("cmp_table_wait", threshold=threshold,
                                                                          group=group)
    return Table(f"{'readmissions' if which == 'readm' else 'waits'}_by_{key}", title, df, cols,
                 note=t("secondary_note", min_count=ctx.min_count) if hidden else "")


__all__ = ["group_column", "sections", "comparison"]
