"""The sections of the report: each computes its tables with the public analyses and states its finding.

One function per section, in the order of the report. Each takes the
:class:`Context` and returns a :class:`~pathways.report.blocks.Section` whose
first two or three sentences say what was found, with the numbers. Counts
pass through the context's :class:`~pathways.publish.numbers.Formatter` (small cells
as "<5"); rows about fewer than ``min_count`` patients are merged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

import pathways as pw

from ..analyses.common import duration
from ..analyses.survival import km_table
from ..analyses.transitions import END, START
from ..analyses.waits import summarise_waits
from ..parameters import (AFTERNOON_FROM_HOUR, BOUNCE_WITHIN, GAP_THRESHOLD, LOOP_WITHIN, MAX_BETWEEN,
                          NOTICE_RULE, QUIET_FOR, READMISSION_WITHIN)
from ..quality import STAFF_TURN_HOURS, staff_turns
from ..layout import RenderError
from ..publish.numbers import Formatter
from ..publish.suppression import suppress
from ..publish.tables import Col, Table, merge_small
from ..publish.words import (DOMAINS, RULE_ENDS, RULE_SHORT, RULES, SECTORS, WEEKDAYS, WORDS, check_action,
                             check_name, say)
from ..render.plots import ring_diagram, round_bins
from ..timeunits import TIME_UNITS, in_unit, time_unit
from .blocks import Figure, Live, Note, Row, Section

PSY_SOM = ("psychiatric→somatic", "somatic→psychiatric")
WORDS.update({  # the mark of a complement (pw.suppress), in every table published with its totals
    "secondary_note": {"da": "\u201e–\u201c: skjult, så et antal under {min_count} ikke kan regnes ud af totalerne.",
                       "en": "\u201c–\u201d: hidden so that a count under {min_count} cannot be worked out from the "
                             "totals."},
})
#: Quality checks whose example is a unit or activity name (never a time, row or raw value).
_NAME_EXAMPLES = {"unknown_units", "no_unit", "unknown_activities", "duplicates", "midnight", "missing_end"}


@dataclass
class Context:
    """What every section needs: the log, the language and the privacy rule, the evaluation date."""

    log: object
    fmt: Formatter
    as_of: pd.Timestamp
    as_of_given: bool
    rules: pd.DataFrame
    reference: object = None
    acute: str | None = None

    @property
    def lang(self) -> str:
        return self.fmt.language

    @property
    def min_count(self) -> int:
        return self.fmt.min_count

    def t(self, key: str, **values) -> str:
        return say(key, self.lang, **values)

    def frame(self, df: pd.DataFrame) -> pd.DataFrame:
        df = df.reset_index(drop=True).copy()
        df.attrs["min_count"] = self.min_count
        return df

    def other(self) -> str:
        return self.t("other_rows", n="{n}")

    def domain(self, d) -> str:
        return DOMAINS[self.lang].get(d, str(d))

    def sector(self, s) -> str:
        return SECTORS[self.lang].get(s, str(s))


def _local(ts, tz: str) -> pd.Timestamp:
    ts = pd.Timestamp(ts)
    return ts.tz_localize("UTC").tz_convert(tz) if ts.tzinfo is None else ts.tz_convert(tz)


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _timed(table: Table, f: Formatter) -> Table:
    """``table`` with its durations (``"days"`` columns) in one unit for all of them, stated in each header.

    The unit is the one :func:`~pathways.timeunits.time_unit` reads the
    table's durations best in (minutes, hours or days); the cells are numbers.
    """
    keys = [c.key for c in table.cols if c.kind == "days"]
    if not keys:
        return table
    unit = time_unit(pd.concat([table.df[k] for k in keys]).astype(float).tolist())
    df = table.df.copy()
    for k in keys:
        df[k] = df[k].astype(float) * TIME_UNITS[unit][0]
    cols = [Col(c.key, f"{c.label} ({f.unit_name(unit)})", "time", base=c.base) if c.kind == "days" else c
            for c in table.cols]
    return Table(table.name, table.title, df, cols, table.note, table.hidden)


def _visible(count, mark) -> float:
    """A count as a section may print it after :func:`~pathways.publish.suppression.suppress`: itself when shown or small
    (the formatter writes "<5"), NaN (printed "–") when it is a complement or not published."""
    return float(count) if mark in ("", "primary") else np.nan


def _days(value) -> float | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return duration(value, argument="threshold").total_seconds() / 86400


# --------------------------------------------------------------------------- 1. the extract
def extract(ctx: Context) -> Section:
    log, f, t = ctx.log, ctx.fmt, ctx.t
    s = log.stats
    first, last = _local(s["first"], log.tz), _local(s["last"], log.tz)
    n_read, n_rej = int(log.n_read), len(log.rejected)
    qr = pd.DataFrame(pw.quality_report(log, as_of=ctx.as_of))
    found = qr[qr["n_rows"] > 0]
    n_err = int(found["severity"].eq("error").sum())
    n_warn = int(found["severity"].eq("warning").sum())
    finding = [t("ex_finding_1", events=f.counted(len(log), "event"), cases=f.counted(log.n_cases, "patient"),
                 first=f.date(first), last=f.date(last))]
    if n_rej:
        finding.append(t("ex_finding_rej", rejected=f.count(n_rej), read=f.int(n_read),
                         share=f.share(n_rej, n_read, 1)))
    else:
        finding.append(t("ex_finding_norej", read=f.int(n_read)))
    finding.append(t("ex_finding_quality", errors=f.counted(n_err, "error_kind", suppress=False),
                     warnings=f.counted(n_warn, "warning_kind", suppress=False)) if n_err or n_warn
                   else t("ex_finding_quality_none"))
    blocks: list = []
    if not ctx.as_of_given:
        blocks.append(Note(t("ex_as_of_default", as_of=f.datetime(ctx.as_of))))

    as_of_text = f.datetime(ctx.as_of) if not ctx.as_of_given else f.date(ctx.as_of)
    if not ctx.as_of_given:
        as_of_text = t("as_of_last_event", date=as_of_text)
    overview = pd.DataFrame([
        (t("k_events"), f.count(len(log))), (t("k_cases"), f.count(log.n_cases)),
        (t("k_activities"), f.int(s["n_activities"])), (t("k_units"), f.int(s["n_units"])),
        (t("k_period"), t("period", first=f.date(first), last=f.date(last))), (t("k_tz"), log.tz),
        (t("k_read"), f.int(n_read)), (t("k_rejected"), f.count(n_rej)), (t("k_as_of"), as_of_text),
    ], columns=["measure", "value"])
    blocks.append(Table("overview", t("ex_overview"), overview,
                        [Col("measure", t("c_measure")), Col("value", t("c_value"))]))
    if len(found):
        q = pd.DataFrame({
            "check": [check_name(c, d, ctx.lang) for c, d in zip(found["id"], found["detail"])],
            "severity": [t(f"severity_{v}") for v in found["severity"]],
            "n_rows": found["n_rows"].to_numpy(),
            "n_cases": [np.nan if c == "rejected" else n for c, n in zip(found["id"], found["n_cases"])],
            "n_read": n_read,
            "example": [e if c in _NAME_EXAMPLES else "" for c, e in zip(found["id"], found["example"])],
            "action": [check_action(c, a, ctx.lang) for c, a in zip(found["id"], found["action"])],
        })
        blocks.append(Table("data_quality", t("ex_quality"), q, [
            Col("check", t("c_check")), Col("severity", t("c_severity")), Col("n_rows", t("c_rows"), "count"),
            Col("n_cases", t("c_cases"), "count"), Col("share", t("c_share"), "share", of=("n_rows", "n_read"),
                                                        decimals=1),
            Col("example", t("c_example")), Col("action", t("c_action"))]))
    else:
        blocks.append(Note(t("ex_quality_none")))
    if log.has("unit"):
        units = log.units
        unknown = units[units["domain"] == "unknown"]
        if len(unknown):
            blocks.append(Table("unknown_units", t("ex_unknown_units"),
                                ctx.frame(unknown[["unit", "n_events", "n_cases"]]),
                                [Col("unit", t("c_unit")), Col("n_events", t("c_events"), "count"),
                                 Col("n_cases", t("c_cases"), "count")], note=t("ex_units_note")))
    highlight = (n_rej / max(n_read, 1), finding[1]) if n_rej else None
    return Section("extract", t("sec_extract"), finding, blocks, highlight)


# --------------------------------------------------------------------------- 2. unit map
def unit_map(ctx: Context) -> Section:
    log, f, t = ctx.log, ctx.fmt, ctx.t
    title = t("sec_unit_map")
    if not log.has("unit"):
        return Section("unit_map", title, [t("um_no_unit")])
    ms = pw.handover_matrix(log, by="sector", threshold=GAP_THRESHOLD)
    total = int(ms["n_handovers"].sum())
    if not total:
        return Section("unit_map", title, [t("um_no_handovers")])
    # a handover from or to a unit of unknown sector is no crossing (as in pw.handovers): counted apart
    unknown = (ms["from"] == "unknown") | (ms["to"] == "unknown")
    cross = ms[~unknown & (ms["from"] != ms["to"])].sort_values(["n_cases", "n_handovers"], ascending=False,
                                                                kind="stable")
    n_cross = int(cross["n_handovers"].sum())
    n_unknown = int(ms.loc[unknown, "n_handovers"].sum())
    n_long = int(ms["n_long_gaps"].sum())
    n_units = int(log.units["unit"].nunique())
    gap_words = f.duration(GAP_THRESHOLD)
    finding = [t("um_finding_1", handovers=f.count(total), units=f.int(n_units), cross=f.share(n_cross, total))]
    if len(cross):
        top = cross.iloc[0]
        finding.append(t("um_finding_2", from_=ctx.sector(top["from"]), to=ctx.sector(top["to"]),
                         n=f.count(top["n_cases"])))
    if n_unknown:
        finding.append(t("um_finding_unknown", n=f.count(n_unknown), share=f.share(n_unknown, total)))
    finding.append(t("um_finding_3", long=f.count(n_long), share=f.share(n_long, total), max_gap=gap_words))
    options = dict(min_count=ctx.min_count, threshold=GAP_THRESHOLD, within=LOOP_WITHIN, max_between=MAX_BETWEEN,
                   title=t("um_title"), language=ctx.lang)
    d = pw.unit_map(log, **options)
    blocks: list = _unit_map_figures(ctx, d, options, gap_words)
    try:  # on screen, the interactive map with its sliders and moving cases; the static one stays for print
        live = pw.interactive_map(log, min_count=ctx.min_count, threshold=GAP_THRESHOLD, within=LOOP_WITHIN,
                                  max_between=MAX_BETWEEN, title=t("um_title"), language=ctx.lang)
        blocks.insert(0, Live("unit_map_live", live, replaces="unit_map"))
    except RenderError:  # no layout engine: the static figure says so
        pass
    sec = ctx.frame(ms.assign(**{"from": [ctx.sector(v) for v in ms["from"]],
                                 "to": [ctx.sector(v) for v in ms["to"]]}))
    sec = merge_small(sec, by="n_cases", label="from", other=ctx.other(), add=["n_handovers", "n_long_gaps"])
    blocks.append(_timed(Table("sector_handovers", t("um_sector_table"), sec, [
        Col("from", t("c_from")), Col("to", t("c_to")), Col("n_handovers", t("c_handovers"), "count"),
        Col("n_cases", t("c_cases"), "count"),
        Col("median_gap_days", t("c_median_gap"), "days", base="n_cases"),
        Col("n_long_gaps", t("c_long_gaps", max_gap=gap_words), "count")]), ctx.fmt))
    units = ctx.frame(log.units)
    units = units.assign(domain=[ctx.domain(v) for v in units["domain"]],
                         sector=[ctx.sector(v) for v in units["sector"]])
    units = merge_small(units.sort_values(["n_cases", "unit"], ascending=[False, True], kind="stable"),
                        by="n_cases", label="unit", other=ctx.other(), add=["n_events"])
    blocks.append(Table("units", t("um_unit_table"), units, [
        Col("unit", t("c_unit")), Col("domain", t("c_domain")), Col("sector", t("c_sector")),
        Col("n_events", t("c_events"), "count"), Col("n_cases", t("c_cases"), "count")]))
    return Section("unit_map", title, finding, blocks, (0.5 * n_long / total, finding[-1]))


WORDS.update({
    "um_part_caption": {"da": "Kortet over enheder til tryk, én del pr. domæne: enhederne i {lane} og overgangene "
                              "mellem dem; overgange fra og til andre domæner står i tabellen til højre, med antal "
                              "patienter og median pause. Rød: på en cirkulær rute; lilla: krydser grænsen mellem "
                              "psykiatri og somatik; orange: median pause over {max_gap}.",
                        "en": "The unit map for print, one part per domain: the units of {lane} and the handovers "
                              "between them; the handovers from and to other domains are the rows of the table at "
                              "the right, with the number of patients and the median gap. Red: on a circular route; "
                              "purple: crosses the psychiatric/somatic line; orange: median gap over {max_gap}."},
})
#: The text area of an A4 page in the report's print style (14 mm margins), less room for a caption: a figure
#: prints on a portrait page within the first, on a landscape page within the second (width, height in pt).
A4_PORTRAIT = (170 * 72 / 25.4, 240 * 72 / 25.4)
A4_LANDSCAPE = (260 * 72 / 25.4, 165 * 72 / 25.4)
#: The smallest text a printed figure may have (pt).
PRINTED_TEXT = 8.0


def printed_text(svg: str) -> tuple[float, str]:
    """The smallest text of an SVG (pt) when scaled to fit an A4 page, on the page that gives the larger text.

    Returns ``(points, "portrait" | "landscape")``; a figure is never enlarged.

    Examples
    --------
    >>> size, page = printed_text('<svg width="964pt" height="340pt"><text font-size="10">x</text></svg>')
    >>> round(size, 2), page  # 10 pt x 737 / 964 on a landscape page; 10 x 482 / 964 = 5 pt on a portrait one
    (7.65, 'landscape')
    """
    import re

    w, h = (float(v) for v in re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())
    smallest = min(float(v) for v in re.findall(r'font-size="([\d.]+)"', svg))
    on = {page: smallest * min(1.0, pw_ / w, ph / h) for page, (pw_, ph) in
          (("portrait", A4_PORTRAIT), ("landscape", A4_LANDSCAPE))}
    page = max(on, key=lambda k: (on[k], k == "portrait"))
    return on[page], page


def _unit_map_figures(ctx: Context, d, options: dict, gap_words: str) -> list[Figure]:
    """The unit map as printed: the whole map when its text prints at 8 pt or more on an A4 page, else one part
    per domain (``pw.unit_map(..., lanes="domain", lane=...)``), each on the page that prints it larger; on screen
    the whole map (or the interactive one) either way. Without a layout engine, the whole map says so."""
    t = ctx.t
    caption = t("um_caption", max_gap=gap_words)
    try:
        size, page = printed_text(d.svg())
    except RenderError:
        return [Figure("unit_map", t("um_title"), d, caption)]
    if size >= PRINTED_TEXT:
        return [Figure("unit_map", t("um_title"), d, caption, page=page)]
    figures = [Figure("unit_map", t("um_title"), d, caption, media="screen")]
    from ..render.maps import lane_order

    for lane in lane_order(d.nodes["domain"], "domain"):  # the whole map's units, by domain: the parts' lanes
        part = pw.unit_map(ctx.log, lanes="domain", lane=lane, **options)
        name = ctx.domain(lane)
        figures.append(Figure(f"unit_map_{lane}", f'{t("um_title")}: {name}', part,
                              t("um_part_caption", lane=name, max_gap=gap_words), media="print",
                              page=printed_text(part.svg())[1]))
    return figures


# --------------------------------------------------------------------------- 3. process map
def process_map(ctx: Context) -> Section:
    log, f, t = ctx.log, ctx.fmt, ctx.t
    v = pw.variants(log)
    n_cases = max(int(log.n_cases), 1)
    top10 = int(v["n_cases"].head(10).sum())
    cases = f.counted(log.n_cases, "patient")
    if len(v) == 1 and log.n_cases > 1:
        finding = [t("pm_finding_1_same", cases=cases)]
    else:  # the ten most common cover every patient when there are ten or fewer; a suppressed share says nothing
        share = f.share(top10, n_cases)
        top = t("pm_top10", share=share) if len(v) > 10 and share != "–" else ""
        finding = [t("pm_finding_1", cases=cases, variants=f.counted(len(v), "sequence", suppress=False), top10=top)]
    tr = pw.transitions(log)
    inner = tr[(tr["source"] != START) & (tr["target"] != END)]
    inner = inner.sort_values(["n_cases", "n_transitions"], ascending=False, kind="stable")
    if len(inner):
        top = inner.iloc[0]
        finding.append(t("pm_finding_2", source=top["source"], target=top["target"], n=f.count(top["n_cases"]),
                         days="–" if f.is_small(top["n_cases"]) else f.time(top["median_days"])))
    highlight = ["loops", "psychiatric_somatic"] if log.has("unit") else None
    d = pw.process_map(log, min_count=ctx.min_count, highlight=highlight, title=t("pm_title"), language=ctx.lang)
    blocks: list = [Figure("process_map", t("pm_title"), d, t("pm_caption"))]
    shown = ctx.frame(inner[inner["n_cases"] >= ctx.min_count].head(10))
    blocks.append(_timed(Table("transitions", t("pm_transitions"), shown, [
        Col("source", t("c_source")), Col("target", t("c_target")),
        Col("n_transitions", t("c_transitions"), "count"), Col("n_cases", t("c_cases"), "count"),
        Col("median_days", t("c_median_time"), "days", base="n_cases")]), ctx.fmt))
    common = ctx.frame(v[v["n_cases"] >= ctx.min_count].head(5)).assign(n_all=n_cases)
    if len(common):
        blocks.append(Table("pathways", t("pm_variants"), common, [
            Col("variant", t("c_variant")), Col("n_cases", t("c_cases"), "count"),
            Col("share", t("c_share"), "share", of=("n_cases", "n_all"))],
            note=t("pm_variants_note", min_count=ctx.min_count)))
    return Section("process_map", t("sec_process_map"), finding, blocks)


# --------------------------------------------------------------------------- 4. circular referrals
#: Rings (by returns) whose patients are counted for the report's figure of the top rings.
RING_CANDIDATES = 20


def ring_key(units) -> tuple:
    """The ring a route goes round, whichever unit it starts at: its cycle rotated to the smallest first unit.

    Examples
    --------
    >>> ring_key(("B", "A", "B")) == ring_key(("A", "B", "A")) == ("A", "B")
    True
    >>> ring_key(("C", "A", "B", "C")), ring_key(("A", "C", "B", "A"))
    (('A', 'B', 'C'), ('A', 'C', 'B'))
    """
    cyc = tuple(units)[:-1] if len(units) > 1 and units[0] == units[-1] else tuple(units)
    return min(cyc[k:] + cyc[:k] for k in range(len(cyc))) if cyc else cyc


def _rings(log, routes: pd.DataFrame, *, min_count: int) -> pd.DataFrame:
    """The report's top rings: routes round the same ring merged, each patient counted once.

    A → B → A and B → A → B (and every rotation of a longer ring, same direction) are
    one ring: ``n_returns`` is the sum over its routes, ``n_cases`` the patients with a
    return on any of them, counted once (from the returns, in the engine), and
    ``unit_tuple`` the route with the most returns. Rings under ``min_count`` patients
    are left out; sorted by returns, then patients, then units.
    """
    from ..analyses.common import fetch
    from ..analyses.loops import SEP, return_expr

    if not len(routes):
        return routes.assign(ring=[])
    r = routes.assign(ring=[SEP.join(ring_key(u)) for u in routes["unit_tuple"]])
    sums = r.groupby("ring", sort=False)["n_returns"].sum().sort_values(ascending=False, kind="stable")
    r = r[r["ring"].isin(sums.index[:RING_CANDIDATES])]
    ret = return_expr(log, within=LOOP_WITHIN, max_between=MAX_BETWEEN)
    units = ret.cycle.join(SEP)
    ring = units.substitute(dict(zip(r["units"], r["ring"])))  # the route's ring (the routes kept are all mapped)
    counted = ret.filter(units.isin(list(r["units"]))).mutate(ring=ring)
    cases = fetch(counted.group_by("ring").aggregate(n=counted.case_id.nunique())).set_index("ring")["n"]
    out = r.groupby("ring", sort=False).agg(unit_tuple=("unit_tuple", "first"), units=("units", "first"),
                                            n_returns=("n_returns", "sum")).reset_index()
    out["n_cases"] = out["ring"].map(cases).fillna(0).astype("int64")
    out = out[out["n_cases"] >= min_count]
    return out.sort_values(["n_returns", "n_cases", "units"], ascending=[False, False, True],
                           kind="stable").reset_index(drop=True)


def loops(ctx: Context) -> Section:
    log, f, t = ctx.log, ctx.fmt, ctx.t
    title = t("sec_loops")
    if not log.has("unit"):
        return Section("loops", title, [t("um_no_unit")])
    ep = pw.circular_referrals(log, within=LOOP_WITHIN, max_between=MAX_BETWEEN, quiet_for=QUIET_FOR,
                               as_of=ctx.as_of if ctx.as_of_given else None)
    within_words, quiet_words = f.duration(LOOP_WITHIN), f.duration(QUIET_FOR)
    if not len(ep):
        return Section("loops", title, [t("lp_none", max_between=MAX_BETWEEN, within=within_words)])
    routes = pw.circular_routes(log, within=LOOP_WITHIN, max_between=MAX_BETWEEN)
    n_pat = int(ep["case_id"].nunique())
    n_ep, n_pp, n_gave = len(ep), int((ep["kind"] == "ping-pong").sum()), int(ep["gave_up"].sum())
    finding = [t("lp_finding_1", patients=f.count(n_pat), share=f.share(n_pat, log.n_cases),
                 episodes=f.count(n_ep), pingpong=f.count(n_pp))]
    big = routes[routes["n_cases"] >= ctx.min_count]
    if len(big):
        top = big.iloc[0]
        finding.append(t("lp_finding_2", route=top["units"], returns=f.count(top["n_returns"]),
                         n=f.count(top["n_cases"])))
    finding.append(t("lp_finding_3", gave_up=f.share(n_gave, n_ep), quiet=quiet_words))
    turns = staff_turns(log)
    if turns["turns"]:  # "100 % sent round in a ring" on a log whose "units" are staff groups taking turns
        within = t("lp_same_day") if log.date_only else t("lp_within_hours", hours=STAFF_TURN_HOURS)
        finding.insert(1, t("lp_staff_groups", short=f.count(turns["n_short"]), returns=f.count(turns["n_returns"]),
                            within=within))

    blocks: list = []
    top_routes = _rings(log, routes, min_count=ctx.min_count).head(5)
    if len(top_routes):
        domains = dict(zip(log.units["unit"], log.units["domain"]))
        labels = {i + 1: t("lp_ring_label", rank=i + 1, returns=f.count(r["n_returns"]), n=f.count(r["n_cases"]))
                  for i, (_, r) in enumerate(top_routes.iterrows())}
        d = ring_diagram(list(top_routes["unit_tuple"]), domains=domains, title=t("lp_title"),
                     label=lambda rank: labels[rank])
        blocks.append(Figure("rings", t("lp_title"), d, t("lp_caption")))
    r = ctx.frame(routes.assign(kind=[t(f"kind_{k}") for k in routes["kind"]]))
    shown = merge_small(r, by="n_cases", label="units", other=ctx.other(), add=["n_returns"])
    if len(shown) > 11:  # the ten most frequent rings, the rest as one row
        rest = shown.iloc[10:]
        n_rest = int(routes.shape[0] - 10)
        shown = pd.concat([shown.iloc[:10], pd.DataFrame([{
            "units": t("other_rows", n=n_rest), "n_returns": int(rest["n_returns"].sum())}])], ignore_index=True)
    blocks.append(_timed(Table("rings", t("lp_routes"), shown, [
        Col("units", t("c_route")), Col("kind", t("c_kind")), Col("n_returns", t("c_returns"), "count"),
        Col("n_cases", t("c_cases"), "count"),
        Col("median_duration_days", t("c_median_back"), "days", base="n_cases")],
        note=t("lp_routes_note", min_count=ctx.min_count)), ctx.fmt))
    kinds = ep.groupby("kind", sort=True).agg(n_episodes=("case_id", "size"), n_cases=("case_id", "nunique"),
                                              n_gave_up=("gave_up", "sum"),
                                              median_duration_days=("duration_days", "median")).reset_index()
    kinds["kind"] = [t(f"kind_{k}") for k in kinds["kind"]]
    n_cens = int(ep["followup_censored"].sum())
    blocks.append(_timed(Table("loop_kinds", t("lp_kinds"), ctx.frame(kinds), [
        Col("kind", t("c_kind")), Col("n_episodes", t("c_episodes"), "count"), Col("n_cases", t("c_cases"), "count"),
        Col("n_gave_up", t("c_gave_up"), "count"),
        Col("share", t("c_gave_up_share"), "share", of=("n_gave_up", "n_episodes")),
        Col("median_duration_days", t("c_median_duration"), "days", base="n_cases")],
        note=t("lp_kinds_note", censored=f.count(n_cens), quiet=quiet_words) if n_cens else ""), ctx.fmt))
    return Section("loops", title, finding, blocks, (n_pat / max(log.n_cases, 1), finding[0]))


# --------------------------------------------------------------------------- 5. psychiatric-somatic handovers
def handovers(ctx: Context) -> Section:
    log, f, t = ctx.log, ctx.fmt, ctx.t
    title = t("sec_handovers")
    if not log.has("unit"):
        return Section("handovers", title, [t("um_no_unit")])
    h = pw.handovers(log, threshold=GAP_THRESHOLD)
    cross = h[h["kind"].isin(PSY_SOM)]
    if not len(cross):
        return Section("handovers", title, [t("ho_none")])
    b = pw.bounces(log, within=BOUNCE_WITHIN)
    n_ps = int((cross["kind"] == PSY_SOM[0]).sum())
    within_words = f.duration(BOUNCE_WITHIN)
    n_b_pat = int(b["case_id"].nunique())
    finding = [t("ho_finding_1", n=f.count(len(cross)), ps=f.count(n_ps), sp=f.count(len(cross) - n_ps),
                 patients=f.count(cross["case_id"].nunique()),
                 gap="–" if f.is_small(cross["case_id"].nunique()) else f.time(cross["gap_days"].median()))]
    finding.append(t("ho_finding_2", bounces=f.count(len(b)), within=within_words, patients=f.count(n_b_pat),
                     share=f.share(n_b_pat, log.n_cases)))
    pairs = cross.groupby(["from_unit", "to_unit"], sort=True).agg(
        n_handovers=("case_id", "size"), n_cases=("case_id", "nunique"),
        median_gap_days=("gap_days", "median")).reset_index()
    pairs = pairs.sort_values(["n_cases", "n_handovers", "from_unit", "to_unit"],
                              ascending=[False, False, True, True], kind="stable")
    big = pairs[pairs["n_cases"] >= ctx.min_count]
    if len(big):
        finding.append(t("ho_finding_3", from_=big.iloc[0]["from_unit"], to=big.iloc[0]["to_unit"],
                         n=f.count(big.iloc[0]["n_cases"])))
    blocks: list = []
    chart_rows = big.head(10)
    if len(chart_rows):
        gap_unit = time_unit(chart_rows["median_gap_days"].tolist())  # one unit for the whole figure
        chart = pw.bar_chart(chart_rows["n_cases"].tolist(),
                             labels=[f"{a} → {z}" for a, z in zip(chart_rows["from_unit"], chart_rows["to_unit"])],
                             texts=[f"{f.count(n)} ({f.time(g, gap_unit)})"
                                    for n, g in zip(chart_rows["n_cases"], chart_rows["median_gap_days"])],
                             title=t("ho_chart_title"), min_count=ctx.min_count, language=ctx.lang)
        blocks.append(Figure("crossings", t("ho_chart_title"), chart, t("ho_caption")))
    gap_words = f.duration(GAP_THRESHOLD)
    dirs = cross.groupby("kind", sort=True).agg(
        n_handovers=("case_id", "size"), n_cases=("case_id", "nunique"), median_gap_days=("gap_days", "median"),
        n_long_gaps=("long_gap", "sum")).reset_index()
    dirs["kind"] = [t("ps") if k == PSY_SOM[0] else t("sp") for k in dirs["kind"]]
    blocks.append(_timed(Table("directions", t("ho_directions"), ctx.frame(dirs), [
        Col("kind", t("c_direction")), Col("n_handovers", t("c_handovers"), "count"),
        Col("n_cases", t("c_cases"), "count"),
        Col("median_gap_days", t("c_median_gap"), "days", base="n_cases"),
        Col("n_long_gaps", t("c_long_gaps", max_gap=gap_words), "count")]), ctx.fmt))
    p = ctx.frame(pairs)
    p = merge_small(p, by="n_cases", label="from_unit", other=ctx.other(), add=["n_handovers"])
    blocks.append(_timed(Table("crossings", t("ho_pairs"), p.head(11), [
        Col("from_unit", t("c_from")), Col("to_unit", t("c_to")), Col("n_handovers", t("c_handovers"), "count"),
        Col("n_cases", t("c_cases"), "count"),
        Col("median_gap_days", t("c_median_gap"), "days", base="n_cases")]), ctx.fmt))
    if len(b):
        bb = b.groupby(["kind", "first_unit", "middle_unit"], sort=True).agg(
            n_bounces=("case_id", "size"), n_cases=("case_id", "nunique"),
            median_duration_days=("duration_days", "median")).reset_index()
        bb = bb.sort_values(["n_cases", "n_bounces"], ascending=False, kind="stable")
        bb["kind"] = [t("psp") if k.startswith("psychiatric") else t("sps") for k in bb["kind"]]
        bb = merge_small(ctx.frame(bb), by="n_cases", label="kind", other=ctx.other(), add=["n_bounces"])
        blocks.append(_timed(Table("bounces", t("ho_bounces", within=within_words), bb, [
            Col("kind", t("c_kind")), Col("first_unit", t("c_first_unit")), Col("middle_unit", t("c_middle_unit")),
            Col("n_bounces", t("c_bounces"), "count"), Col("n_cases", t("c_cases"), "count"),
            Col("median_duration_days", t("c_median_duration"), "days", base="n_cases")]), ctx.fmt))
    return Section("handovers", title, finding, blocks, (n_b_pat / max(log.n_cases, 1), finding[1]))


# --------------------------------------------------------------------------- 6. waits
def _rule_records(rules: pd.DataFrame) -> list[dict]:
    """The rules as dicts with every optional column present (missing values as None)."""
    out = []
    for rule in rules.to_dict("records"):
        for k in ("threshold", "start_unit", "start_domain", "end_unit", "end_domain"):
            v = rule.get(k)
            if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
                rule[k] = None
        out.append(rule)
    return out


def _time_range(f: Formatter, low, high) -> str:
    """A 95 % interval of durations in days, in one unit: ``"42–56 dage"``, ``"20 dage – ikke nået"``."""
    unit = time_unit([low, high])
    if np.isinf(high):
        return f"{f.time(low, unit)} – {f.time_num(high)}"
    return f"{f.time_num(in_unit(low, unit))}–{f.time(high, unit)}"


def _pct_range(f: Formatter, low, high) -> str:
    """A 95 % interval of shares: ``"60–69 %"`` / ``"60–69%"``."""
    return f"{f.num(float(low) * 100, 0)}–{f.pct(high)}"


def waits(ctx: Context) -> Section:
    """Waits against each rule: the Kaplan–Meier median and share over the limit with their 95 % intervals.

    One estimator per quantity (as :func:`pathways.guarantees`): the finding, the
    headline and the table state the Kaplan–Meier median and share, with open and
    superseded waits censored; the median of the ended waits alone is an extra
    column, labelled so.
    """
    log, f, t = ctx.log, ctx.fmt, ctx.t
    mc = ctx.min_count
    rows, blocks_after, exports = [], [], []
    worst = None
    for rule in _rule_records(ctx.rules):
        name = str(rule["name"])
        label = RULES.get(name, {}).get(ctx.lang, name)
        short = RULE_SHORT.get(name, {}).get(ctx.lang, name)
        thr = rule["threshold"]
        thr_days = _days(thr)
        row = {"rule": label, "short": short, "threshold": f.duration(thr), "n": 0, "n_ended": 0,
               "n_open": np.nan, "n_superseded": np.nan, "median": np.nan, "median_low": np.nan,
               "median_high": np.nan, "over": np.nan, "over_low": np.nan, "over_high": np.nan, "n_over": np.nan,
               "median_ended": np.nan, "status": t("wt_status_absent")}
        opts = {k: rule[k] for k in ("start_unit", "start_domain", "end_unit", "end_domain")}
        start = list(rule["start"]) if isinstance(rule["start"], tuple) else rule["start"]
        end = list(rule["end"]) if isinstance(rule["end"], tuple) else rule["end"]
        try:  # one pass per rule: the waits, and from them the summary pw.guarantees would give
            w = pw.waiting_times(log, start=start, end=end, threshold=thr, as_of=ctx.as_of, **opts)
        except pw.OptionError:  # a milestone (or the unit column) this extract does not have
            w = None
        if w is not None and len(w):
            s = summarise_waits(w, thr).iloc[0]
            ended = w.loc[w["outcome"] == "ended", "wait_days"].to_numpy(float)
            row.update(n=int(s["n"]), n_ended=int(s["n_ended"]), n_open=int(s["n_waiting"]),
                       n_superseded=int(s["n_superseded"]), status=t("wt_status_ok"))
            if len(ended) >= mc:
                row.update(median_ended=s["median_ended_days"])
            if len(w) >= mc:
                row.update(median=s["km_median_days"], median_low=s["km_median_ci_low"],
                           median_high=s["km_median_ci_high"])
            if thr_days is not None:
                row.update(n_over=int(s["n_over_threshold"]))
                if len(w) >= mc:
                    row.update(over=s["km_share_over_threshold"], over_low=s["km_share_ci_low"],
                               over_high=s["km_share_ci_high"])
                if len(w) >= mc and row["n_over"] >= mc and (worst is None or row["over"] > worst[0]):
                    worst = (row["over"], short, thr, row)
            if len(w) < mc:
                row["status"] = t("wt_status_small")
            pair = []
            unit = time_unit(w["wait_days"].tolist())  # one unit for the rule's two figures
            scale = TIME_UNITS[unit][0]
            thr_u = None if thr_days is None else thr_days * scale
            if len(ended) >= mc:
                edges, counts, open_last = round_bins(ended * scale, thr_u)
                hist_title = t("wt_hist_title", rule=_cap(short))
                chart = pw.histogram((edges, counts), threshold=thr, time_unit=unit, open_last=open_last,
                                     title=hist_title, min_count=mc, language=ctx.lang)
                caption = t("wt_hist_caption", threshold=f.duration(thr), min_count=mc) if thr_days is not None \
                    else t("wt_hist_caption_nothr", min_count=mc)
                pair.append(Figure(f"{name}_histogram", hist_title, chart, caption))
                hist = ctx.frame(pd.DataFrame({"from": edges[:-1], "to": edges[1:], "n": counts}))
                if open_last:
                    hist.loc[len(hist) - 1, "to"] = np.inf
                exports.append(Table(f"{name}_histogram", hist_title, hist, [
                    Col("from", t("c_bin_from", unit=f.unit_name(unit)), "num", decimals=2),
                    Col("to", t("c_bin_to", unit=f.unit_name(unit)), "num", decimals=2),
                    Col("n", t("c_n_waits"), "count")], hidden=True))
            km = km_table(w["wait_days"].to_numpy(float), ~w["censored"].to_numpy(bool))
            km_days = km[km["n_at_risk"] >= mc]
            km = km_days.assign(time=lambda k: k["time"] * scale)
            if len(km) and len(w) >= mc:
                km_title = t("wt_km_title", rule=_cap(short))
                end_words = RULE_ENDS.get(name, {}).get(ctx.lang, str(end))
                chart = pw.km_chart(km_days, threshold=thr, time_unit=unit, title=km_title, min_count=mc,
                                    language=ctx.lang,
                                    x_max=max(float(np.quantile(ended, 0.95)) * scale if len(ended) else 0.0,
                                              2 * (thr_u or 0), 1.0) / scale)
                pair.append(Figure(f"{name}_kaplan_meier", km_title, chart,
                                   t("wt_km_caption", end=end_words, min_count=mc)))
                exports.append(Table(f"{name}_kaplan_meier", km_title, ctx.frame(km), [
                    Col("time", t("c_time", unit=f.unit_name(unit)), "num", decimals=3),
                    Col("n_at_risk", t("c_at_risk"), "count"),
                    Col("survival", t("c_still_waiting"), "num", decimals=4),
                    Col("ci_low", t("c_ci_low"), "num", decimals=4), Col("ci_high", t("c_ci_high"), "num", decimals=4)],
                    hidden=True))
            if pair:
                blocks_after.append(Row(pair))
        rows.append(row)
    evaluated = [r for r in rows if r["status"] != t("wt_status_absent")]
    if not evaluated:
        return Section("waits", t("sec_waits"), [t("wt_none")])
    finding = [t("wt_finding_1", k=f.int(len(evaluated)), total=f.int(len(rows)))]
    highlight = None
    if worst is not None:
        share, short, thr, row = worst
        said = dict(rule=short, share=f.pct(row["over"]), share_ci=_pct_range(f, row["over_low"], row["over_high"]),
                    threshold=f.duration(thr), median=f.time(row["median"]),
                    median_ci=_time_range(f, row["median_low"], row["median_high"]))
        finding.append(t("wt_finding_2", **said))
        finding.append(t("wt_finding_3", open=f.count(row["n_open"]), superseded=f.count(row["n_superseded"]),
                         as_of=f.date(ctx.as_of)))
        highlight = (share, t("wt_highlight", **{**said, "rule": _cap(short)}))
    else:
        with_thr = [r for r in rows if r["status"] != t("wt_status_absent") and not pd.isna(r["n_over"])]
        finding.append(t("wt_finding_2_ok", min_count=mc) if with_thr else t("wt_finding_2_nothr"))
        medians = [(r["median"], r["short"]) for r in rows if not pd.isna(r["median"])]
        if medians:
            longest = max(medians)
            finding.append(t("wt_finding_3_longest", rule=longest[1], median=f.time(longest[0])))
    table = _timed(Table("guarantees", t("wt_table"), ctx.frame(pd.DataFrame(rows)), [
        Col("rule", t("c_rule")), Col("threshold", t("c_threshold")), Col("n", t("c_n_waits"), "count"),
        Col("n_ended", t("c_n_ended"), "count"), Col("n_open", t("c_n_open"), "count"),
        Col("n_superseded", t("c_n_superseded"), "count"),
        Col("median", t("c_km_median"), "days"), Col("median_low", t("c_median_ci_low"), "days"),
        Col("median_high", t("c_median_ci_high"), "days"),
        Col("over", t("c_km_over"), "pct", base="n_over"), Col("over_low", t("c_over_ci_low"), "pct", base="n_over"),
        Col("over_high", t("c_over_ci_high"), "pct", base="n_over"),
        Col("median_ended", t("c_median_ended"), "days"), Col("status", t("c_status"))],
        note=t("wt_table_note")), ctx.fmt)
    return Section("waits", t("sec_waits"), finding, [table, *blocks_after, *exports], highlight)


# --------------------------------------------------------------------------- 7. readmissions
def readmissions(ctx: Context) -> Section:
    log, f, t = ctx.log, ctx.fmt, ctx.t
    title = t("sec_readmissions")
    opts = dict(within=READMISSION_WITHIN, acute=ctx.acute)
    try:
        rr = pw.readmission_rates(log, by="unit", **opts) if log.has("unit") else \
            pw.readmission_rates(log, by="domain", **opts)
    except pw.OptionError:
        return Section("readmissions", title, [t("rd_none")])
    n = int(rr["n_discharges"].sum())
    if not n:
        return Section("readmissions", title, [t("rd_none")])
    key = "unit" if log.has("unit") else "domain"
    counts = ["n_discharges", "n_readmitted", "n_within_3_days"]
    rr = rr.rename(columns={key: "group"})
    by_unit = ctx.frame(rr.sort_values("n_discharges", ascending=False, kind="stable"))
    if key != "unit":
        by_unit["group"] = [ctx.domain(v) for v in by_unit["group"]]
    by_unit = merge_small(by_unit, by="n_discharges", label="group", other=ctx.other(), add=counts)
    by_age = None
    if any(a in log.attributes for a in ("age", "alder")):
        try:
            by_age = merge_small(ctx.frame(pw.readmission_rates(log, by="age_band", **opts)), by="n_discharges",
                                 label="age_band", other=ctx.other(), add=counts)
        except pw.OptionError:
            pass
    # published: both tables and their common totals (n and the two shares of the first sentence); suppressed
    # together, so that no "<5" of either table follows from the totals
    by_unit, by_age, total = _suppress_stacked(ctx, [by_unit, by_age], counts)
    n_all, r30, r3 = (total[c] for c in counts)
    finding = [t("rd_finding_1", n=f.count(n_all), share30=f.share(r30, n_all), share3=f.share(r3, n_all),
                 acute=t("acute_word") if ctx.acute else "")]
    # the units themselves (not the merged row of small ones)
    units = by_unit[by_unit["group"].isin(rr["group"] if key == "unit" else [ctx.domain(v) for v in rr["group"]])]
    ok = units[(units["n_discharges"] >= ctx.min_count) & ((units["n_readmitted"] >= ctx.min_count)
                                                          | (units["n_readmitted"] == 0))]
    if len(ok) and ok["n_readmitted"].max() > 0:
        top = ok.assign(rate=ok["n_readmitted"] / ok["n_discharges"]).sort_values(
            ["rate", "n_discharges"], ascending=False, kind="stable").iloc[0]
        finding.append(t("rd_finding_2", unit=top["group"], rate=f.share(top["n_readmitted"], top["n_discharges"]),
                         n=f.count(top["n_discharges"])))
    try:
        n_rev = len(pw.revolving_door(log))
        finding.append(t("rd_finding_3", n=f.count(n_rev)))
    except pw.OptionError:
        pass
    blocks: list = []
    if not ctx.acute:
        blocks.append(Note(t("rd_all_admissions")))
    # a bar's length is its share: drawn only where the share is published (not for a "<5" or hidden count)
    chart_rows = units[(units["n_discharges"] >= ctx.min_count) & ~units["n_readmitted"].isna()
                       & ~units["n_readmitted"].map(f.is_small)]
    chart_rows = chart_rows.assign(rate=chart_rows["n_readmitted"] / chart_rows["n_discharges"]).sort_values(
        "rate", ascending=False, kind="stable")
    if len(chart_rows):
        chart = pw.bar_chart(chart_rows["n_readmitted"].tolist(), labels=list(chart_rows["group"]),
                             denominators=chart_rows["n_discharges"].tolist(), title=t("rd_chart_title"),
                             max_value=max(float(chart_rows["rate"].max()), 0.05), min_count=ctx.min_count,
                             language=ctx.lang)
        blocks.append(Figure("readmission_rates", t("rd_chart_title"), chart,
                             t("rd_caption", min_count=ctx.min_count)))
    cols = [Col("n_discharges", t("c_discharges"), "count"), Col("n_readmitted", t("c_readm_30"), "count"),
            Col("rate30", t("c_rate_30"), "share", of=("n_readmitted", "n_discharges")),
            Col("n_within_3_days", t("c_readm_3"), "count"),
            Col("rate3", t("c_rate_3"), "share", of=("n_within_3_days", "n_discharges"))]
    note = t("secondary_note", min_count=ctx.min_count)
    blocks.append(Table("readmissions_by_unit", t("rd_by_unit"), by_unit,
                        [Col("group", t("c_unit") if key == "unit" else t("c_domain")), *cols],
                        note=note if by_unit[counts].isna().any().any() else ""))
    if by_age is not None:
        blocks.append(Table("readmissions_by_age", t("rd_by_age"), by_age, [Col("age_band", t("c_age_band")), *cols],
                            note=note if by_age[counts].isna().any().any() else ""))
    return Section("readmissions", title, finding, blocks, (int(rr["n_readmitted"].sum()) / n, finding[0]))


def _suppress_stacked(ctx: Context, tables: list, counts: list[str]):
    """Tables of the same counts (``counts`` columns) and their common column totals, as they may be published.

    The tables (``None`` for one not shown) are stacked into one table of counts and suppressed together
    (:func:`~pathways.publish.suppression.suppress` with ``totals="none"``): the total of each count column is one
    published number, the sum of each table's column (a table whose column adds up to another number, one that
    leaves rows out, does not publish it). Returns the tables with complements as NaN (printed "–") and the
    totals as they may be printed.
    """
    shown = [tb for tb in tables if tb is not None]
    stacked = pd.concat([tb[counts] for tb in shown], ignore_index=True).astype("int64")
    first = shown[0][counts].sum()
    sums = {}
    for c in counts:
        masks = []
        start = 0
        for tb in shown:
            m = np.zeros(stacked.shape, dtype=bool)
            m[start:start + len(tb), counts.index(c)] = True
            if int(tb[c].sum()) == int(first[c]):
                masks.append(m)
            start += len(tb)
        sums[c] = masks
    pub = suppress(stacked, min_count=ctx.min_count, totals="none", sums=sums)
    marks = pub.attrs["suppressed"].iloc[:-1, :-1].to_numpy()
    values = stacked.to_numpy().astype(float)
    values[~np.isin(marks, ["", "primary"])] = np.nan
    out, start = [], 0
    for tb in tables:
        if tb is None:
            out.append(None)
            continue
        tb = tb.copy()
        tb[counts] = values[start:start + len(tb)]
        start += len(tb)
        out.append(tb)
    total = {c: _visible(first[c], pub.attrs["sums"].loc[c, "suppressed"]) for c in counts}
    return (*out, total)


# --------------------------------------------------------------------------- 8. discharge timing
def discharges(ctx: Context) -> Section:
    log, f, t = ctx.log, ctx.fmt, ctx.t
    title = t("sec_discharges")
    try:
        dt = pw.discharge_timing(log, notice_rule=NOTICE_RULE)
    except pw.OptionError:
        return Section("discharges", title, [t("dc_none")])
    s = dt.summary.iloc[0]
    n = int(s["n_discharges"])
    if not n:
        return Section("discharges", title, [t("dc_none")])
    rule_words = f.duration(NOTICE_RULE)
    heat = dt.heatmap
    days = list(WEEKDAYS[ctx.lang])
    # published: the grid, its row totals (the chart's Σ, the table by weekday), n, and the partial sums of the
    # summary table and the first sentence (after 15:00, Friday after 15:00): complements so that no "<5" follows
    # from them together (pw.suppress with sums=)
    after = np.broadcast_to(np.asarray(heat.columns) >= AFTERNOON_FROM_HOUR, heat.shape)
    friday = (np.asarray(heat.index) == "Friday")[:, None]
    pub = suppress(heat, min_count=ctx.min_count, totals="rows",
                   sums={"after_15": after, "friday_after_15": after & friday})
    marks = pub.attrs["suppressed"]
    hidden = (marks == "secondary").to_numpy()[:-1]
    sums = pub.attrs["sums"]["suppressed"]
    n_fri = _visible(s["n_friday"], marks.loc["Friday", "total"])
    n_after = _visible(s["n_after_15"], sums["after_15"])
    n_fri15 = _visible(s["n_friday_after_15"], sums["friday_after_15"])
    n_all = _visible(n, marks.iloc[-1, -1])
    # the notices split the same discharges: meeting the rule, not meeting it, none; published: the first, the
    # notices (the first two), those without and n
    n_not = int(s["n_notices"])
    split = pd.DataFrame({"n": [int(s["n_meeting_rule"]), n_not - int(s["n_meeting_rule"]),
                                int(s["n_discharges_without_notice"])]}, index=["meet", "late", "none"])
    notices = suppress(split, min_count=ctx.min_count, totals="columns",
                       sums={"notices": np.array([[True], [True], [False]])})
    n_meet = _visible(split.loc["meet", "n"], notices.attrs["suppressed"].loc["meet", "n"])
    n_none = _visible(split.loc["none", "n"], notices.attrs["suppressed"].loc["none", "n"])
    n_notices = _visible(n_not, notices.attrs["sums"].loc["notices", "suppressed"])
    if notices.attrs["suppressed"].iloc[-1, 0] == "secondary":
        n_all = np.nan
    finding = [t("dc_finding_1", n=f.count(n_all), fri=f.share(n_fri, n_all), after15=f.share(n_after, n_all),
                 fri15=f.share(n_fri15, n_all))]
    highlight = (float(s["share_friday"]) * 0.5, finding[0])
    if n_not:
        finding.append(t("dc_finding_2", notices=f.count(n_notices), meet=f.share(n_meet, n_notices),
                         rule=rule_words, lead=f.time(s["median_lead_hours"] / 24, "hours")))  # as the 48-hour rule
        if n_not >= ctx.min_count and not f.is_small(n_meet) and not pd.isna(n_meet) and not pd.isna(n_notices) \
                and not f.is_small(n_not - s["n_meeting_rule"]):
            highlight = (1 - float(s["n_meeting_rule"]) / n_not, finding[-1])
    finding.append(t("dc_finding_3", n=f.count(n_none)))
    chart = pw.heatmap(pub.set_axis([*(f"{h:02d}" for h in heat.columns), "total"], axis=1),
                       title=t("dc_heat_title"), x_label=t("hour_axis"), min_count=ctx.min_count, language=ctx.lang)
    caption = t("dc_heat_caption", min_count=ctx.min_count)
    if hidden.any():
        caption += " " + t("secondary_note", min_count=ctx.min_count)
    blocks: list = [Figure("heatmap", t("dc_heat_title"), chart, caption)]
    summary = pd.DataFrame([
        (t("k_discharges"), n_all, n_all), (t("k_friday"), n_fri, n_all), (t("k_after15"), n_after, n_all),
        (t("k_fri15"), n_fri15, n_all), (t("k_notices"), n_notices, n_all),
        (t("k_meet", rule=rule_words), n_meet, n_notices),
        (t("k_no_notice"), n_none, n_all)], columns=["measure", "n", "of"])
    secret = summary["n"].isna().any()
    blocks.append(Table("discharge_summary", t("dc_summary"), ctx.frame(summary), [
        Col("measure", t("c_measure")), Col("n", t("c_discharges"), "count"),
        Col("share", t("c_share"), "share", of=("n", "of"))],
        note=" ".join(x for x in (
            f"{t('k_median_lead')}: {f.time(s['median_lead_hours'] / 24, 'hours')}." if n_not >= ctx.min_count
            else "", t("secondary_note", min_count=ctx.min_count) if secret else "") if x)))
    per_day = pd.DataFrame({"weekday": [_cap(d) for d in days],
                            "n": np.where(hidden[:, -1], np.nan, heat.sum(axis=1).to_numpy()), "of": n_all})
    blocks.append(Table("discharges_by_weekday", t("dc_weekdays"), ctx.frame(per_day), [
        Col("weekday", t("c_weekday")), Col("n", t("c_discharges"), "count"),
        Col("share", t("c_share"), "share", of=("n", "of"))],
        note=t("secondary_note", min_count=ctx.min_count) if hidden[:, -1].any() else ""))
    grid = heat.astype(float).mask(hidden[:, :-1])
    grid.columns = [f"{h:02d}" for h in grid.columns]
    grid.insert(0, "weekday", [_cap(d) for d in days])
    blocks.append(Table("discharge_heatmap", t("dc_heat_title"), ctx.frame(grid.reset_index(drop=True)),
                        [Col("weekday", t("c_weekday"))] + [Col(c, c, "count") for c in grid.columns[1:]],
                        hidden=True))
    return Section("discharges", title, finding, blocks, highlight)


# --------------------------------------------------------------------------- 9. conformance
def conformance(ctx: Context) -> Section:
    """Conformance to ``ctx.reference`` through :mod:`pathways.models` (pm4py, imported only here).

    Uses ``pw.conformance(log, reference)`` (one row per case: ``fitness``,
    ``n_deviations``, ``deviations``) and ``pw.conformance_summary(table)`` (one row
    per kind and step of deviation, with ``n_cases``).
    """
    log, f, t = ctx.log, ctx.fmt, ctx.t
    try:
        from .. import models
    except ImportError:
        raise pw.OptionError("reference= needs pw.conformance (the module pathways.models), which this "
                             "installation of pathways does not have; leave reference out.") from None
    table = models.conformance(log, ctx.reference)
    n = len(table)
    if "n_deviations" in table:
        n_fit = int((table["n_deviations"] == 0).sum())
    else:
        n_fit = int((table["fitness"] >= 1 - 1e-9).sum())
    fitness = pd.to_numeric(table["fitness"], errors="coerce")
    finding = [t("cf_finding_1", fit=f.share(n_fit, n), n=f.count(n), fitness=f.num(fitness.mean(), 2))]
    summary = models.conformance_summary(table)
    summary = summary.assign(deviation=[_deviation_text(ctx, k, s_) for k, s_ in zip(summary["kind"],
                                                                                      summary["step"])],
                             n_all=n) if len(summary) else summary
    big = summary[summary["n_cases"] >= ctx.min_count] if len(summary) else summary
    if len(big):
        finding.append(t("cf_finding_2", dev=big.iloc[0]["deviation"], n=f.count(big.iloc[0]["n_cases"])))
    blocks: list = [Note(t("cf_scope"))]
    edges = np.linspace(0, 1, 11)
    values = np.clip(fitness.dropna().to_numpy(float), 0, 1)
    counts, _ = np.histogram(values, bins=edges)
    chart = pw.histogram((edges, counts), open_last=False, title=t("cf_hist_title"), x_label=t("c_fitness"),
                         y_label=t("c_cases"), min_count=ctx.min_count, language=ctx.lang)
    blocks.append(Figure("fitness", t("cf_hist_title"), chart, t("cf_hist_caption")))
    if len(summary):
        shown = merge_small(ctx.frame(summary), by="n_cases", label="deviation", other=ctx.other(),
                            add=["n_deviations"])
        shown["n_all"] = n
        blocks.append(_timed(Table("deviations", t("cf_deviations"), shown.head(16), [
            Col("deviation", t("c_deviation")), Col("n_deviations", t("c_deviations_n"), "count"),
            Col("n_cases", t("c_cases"), "count"), Col("share", t("c_share"), "share", of=("n_cases", "n_all")),
            Col("median_days", t("c_median_time"), "days", base="n_cases")]), ctx.fmt))
    return Section("conformance", t("sec_conformance"), finding, blocks, (1 - n_fit / max(n, 1), finding[0]))


def _deviation_text(ctx: Context, kind, step) -> str:
    return f"{ctx.t('dev_' + str(kind)) if ('dev_' + str(kind)) in WORDS else kind}: {step}"


SECTIONS = (extract, unit_map, process_map, loops, handovers, waits, readmissions, discharges)

__all__ = ["Context", "SECTIONS", "conformance", "extract", "unit_map", "process_map", "loops", "handovers",
           "waits", "readmissions", "discharges"]
